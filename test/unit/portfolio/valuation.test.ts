import { describe, expect, it } from 'vitest';
import Decimal from 'decimal.js';
import { buildRouteTable, computeHolding, valuePortfolio, type PriceQuote, type SymbolInput } from '../../../src/main/portfolio/valuation';

function sym(base: string, quote: string, status = 'TRADING'): SymbolInput {
  return { symbol: base + quote, baseAsset: base, quoteAsset: quote, status };
}

function prices(entries: Record<string, [string, string] | PriceQuote>): Map<string, PriceQuote> {
  const m = new Map<string, PriceQuote>();
  for (const [k, v] of Object.entries(entries)) m.set(k, Array.isArray(v) ? { last: v[0], open: v[1] } : v);
  return m;
}

const bal = (asset: string, free: string, locked = '0') => ({ asset, free, locked });

const SYMBOLS = [
  sym('BTC', 'USDT'),
  sym('ETH', 'USDT'),
  sym('ETH', 'BTC'),
  sym('BNB', 'BTC'),
  sym('USDT', 'TRY'),
  sym('XRP', 'BTC'), // XRP only trades against BTC: needs a bridge
  sym('USDC', 'USDT'),
  sym('DEAD', 'USDT', 'HALT'), // not trading: must not be used
  sym('DEAD', 'BTC', 'BREAK'),
];

describe('route table', () => {
  const table = buildRouteTable(SYMBOLS, 'USDT');

  it('uses the direct pair when the asset is the base of a quote market', () => {
    expect(table.route('BTC')).toEqual({ kind: 'direct', legs: [{ symbol: 'BTCUSDT', invert: false }], via: [] });
  });

  it('uses the inverse pair when only QUOTEASSET exists', () => {
    expect(table.route('TRY')).toEqual({ kind: 'inverse', legs: [{ symbol: 'USDTTRY', invert: true }], via: [] });
  });

  it('bridges through BTC an asset only traded against BTC', () => {
    expect(table.route('XRP')).toEqual({
      kind: 'bridge',
      legs: [
        { symbol: 'XRPBTC', invert: false },
        { symbol: 'BTCUSDT', invert: false },
      ],
      via: ['BTC'],
    });
  });

  it('prefers the direct pair over a bridge', () => {
    expect(table.route('ETH').kind).toBe('direct');
  });

  it('values the quote asset itself at 1 with no markets', () => {
    expect(table.route('USDT')).toEqual({ kind: 'quote', legs: [], via: [] });
  });

  it('has no route when no trading market leads to the quote', () => {
    expect(table.route('NOPE').kind).toBe('none');
    expect(table.route('DEAD').kind).toBe('none'); // only HALT / BREAK markets
  });

  it('lists every leg market needed for a set of assets', () => {
    expect([...table.symbolsFor(['XRP', 'TRY', 'USDT', 'NOPE'])].sort()).toEqual(['BTCUSDT', 'USDTTRY', 'XRPBTC']);
  });

  it('uses two bridges when one is not enough', () => {
    const t = buildRouteTable([sym('ABC', 'BNB'), sym('BNB', 'BTC'), sym('BTC', 'EUR')], 'EUR');
    expect(t.route('ABC')).toEqual({
      kind: 'bridge',
      legs: [
        { symbol: 'ABCBNB', invert: false },
        { symbol: 'BNBBTC', invert: false },
        { symbol: 'BTCEUR', invert: false },
      ],
      via: ['BNB', 'BTC'],
    });
  });

  it('follows the bridge preference order (BTC before ETH)', () => {
    const t = buildRouteTable([sym('ABC', 'ETH'), sym('ABC', 'BTC'), sym('ETH', 'USDT'), sym('BTC', 'USDT')], 'USDT');
    expect(t.route('ABC').via).toEqual(['BTC']);
  });
});

describe('valuation', () => {
  const table = buildRouteTable(SYMBOLS, 'USDT');

  it('values a direct holding and its 24 h change', () => {
    const v = valuePortfolio([bal('BTC', '0.5', '0.25')], table, prices({ BTCUSDT: ['60000', '50000'] }));
    const h = v.holdings[0]!;
    expect(h).toMatchObject({
      asset: 'BTC',
      total: '0.75',
      price: '60000',
      value: '45000',
      change24hPct: '20',
      change24hValue: '7500',
      share: '100',
      route: 'direct',
      stale: false,
    });
    expect(v.total).toBe('45000');
    expect(v.change24hValue).toBe('7500');
    expect(v.change24hPct).toBe('20');
  });

  it('values through the inverse pair as 1/price, change included', () => {
    const v = valuePortfolio([bal('TRY', '1000')], table, prices({ USDTTRY: ['40', '32'] }));
    const h = v.holdings[0]!;
    expect(h.route).toBe('inverse');
    expect(h.price).toBe('0.025');
    expect(h.value).toBe('25');
    // 1/40 vs 1/32: the TRY lost 20 % against USDT
    expect(h.change24hPct).toBe('-20');
    expect(h.change24hValue).toBe('-6.25');
  });

  it('values through a bridge with the change along the same route', () => {
    const v = valuePortfolio([bal('XRP', '100')], table, prices({ XRPBTC: ['0.00001', '0.00001'], BTCUSDT: ['60000', '50000'] }));
    const h = v.holdings[0]!;
    expect(h).toMatchObject({ route: 'bridge', via: ['BTC'], symbols: ['XRPBTC', 'BTCUSDT'] });
    expect(h.price).toBe('0.6');
    expect(h.value).toBe('60');
    // XRP flat against BTC, BTC +20 % against USDT: XRP +20 % in USDT
    expect(h.change24hPct).toBe('20');
  });

  it('says "no price" rather than inventing one', () => {
    const v = valuePortfolio([bal('BTC', '1'), bal('NOPE', '5')], table, prices({ BTCUSDT: ['100', '100'] }));
    const nope = v.holdings.find((h) => h.asset === 'NOPE')!;
    expect(nope).toMatchObject({ price: null, value: null, change24hPct: null, share: null, route: 'none' });
    expect(v.total).toBe('100');
    expect(v.unpricedAssets).toEqual(['NOPE']);
    expect(v.pendingAssets).toEqual([]); // no route: permanently unpriced, not pending
    expect(v.holdings.find((h) => h.asset === 'BTC')!.share).toBe('100');
  });

  it('keeps the route but no price until the first ticker arrives', () => {
    const v = valuePortfolio([bal('BTC', '1')], table, prices({}));
    expect(v.holdings[0]).toMatchObject({ route: 'direct', price: null, value: null });
    expect(v.unpricedAssets).toEqual(['BTC']);
    expect(v.pendingAssets).toEqual(['BTC']);
    expect(v.total).toBe('0');
  });

  it('refuses a zero or garbage price instead of dividing by it', () => {
    const v = valuePortfolio([bal('TRY', '10'), bal('BTC', '1')], table, prices({ USDTTRY: ['0', '1'], BTCUSDT: ['abc', '1'] }));
    expect(v.holdings.every((h) => h.price === null)).toBe(true);
  });

  it('values the quote asset at 1 and a stablecoin through its pair', () => {
    const v = valuePortfolio([bal('USDT', '250'), bal('USDC', '100')], table, prices({ USDCUSDT: ['1.0001', '0.9999'] }));
    expect(v.holdings.find((h) => h.asset === 'USDT')).toMatchObject({ price: '1', value: '250', route: 'quote', change24hPct: '0' });
    expect(v.holdings.find((h) => h.asset === 'USDC')).toMatchObject({ price: '1.0001', value: '100.01' });
    expect(v.total).toBe('350.01');
  });

  it('works with a stablecoin other than USDT as the quote', () => {
    const t = buildRouteTable([...SYMBOLS, sym('BTC', 'USDC')], 'USDC');
    const v = valuePortfolio(
      [bal('USDT', '100'), bal('BTC', '1'), bal('XRP', '10')],
      t,
      prices({ USDCUSDT: ['1.25', '1.25'], BTCUSDC: ['50000', '50000'], XRPBTC: ['0.00002', '0.00002'] }),
    );
    expect(v.holdings.find((h) => h.asset === 'USDT')).toMatchObject({ route: 'inverse', price: '0.8', value: '80' });
    expect(v.holdings.find((h) => h.asset === 'XRP')).toMatchObject({ route: 'bridge', price: '1', value: '10' });
    expect(v.total).toBe('50090');
  });

  it('leaves zero balances out', () => {
    const v = valuePortfolio([bal('BTC', '0.00000000', '0.00000000'), bal('ETH', '0', '1')], table, prices({ ETHUSDT: ['2000', '2000'] }));
    expect(v.holdings.map((h) => h.asset)).toEqual(['ETH']);
    expect(v.holdings[0]!.total).toBe('1');
  });

  it('skips a symbol that is not trading and falls back to a bridge', () => {
    const t = buildRouteTable([sym('ABC', 'USDT', 'BREAK'), sym('ABC', 'BTC'), sym('BTC', 'USDT')], 'USDT');
    const v = valuePortfolio(
      [bal('ABC', '2')],
      t,
      prices({ ABCUSDT: ['999', '999'], ABCBTC: ['0.001', '0.001'], BTCUSDT: ['10000', '10000'] }),
    );
    expect(v.holdings[0]).toMatchObject({ route: 'bridge', price: '10', value: '20', symbols: ['ABCBTC', 'BTCUSDT'] });
  });

  it('marks a holding stale when any leg is stale and carries the oldest time', () => {
    const v = valuePortfolio(
      [bal('XRP', '1'), bal('BTC', '1')],
      table,
      prices({
        XRPBTC: { last: '0.00001', open: '0.00001', stale: true, updatedAt: 1000 },
        BTCUSDT: { last: '60000', open: '60000', updatedAt: 5000 },
      }),
    );
    expect(v.holdings.find((h) => h.asset === 'XRP')).toMatchObject({ stale: true, priceAt: 1000 });
    expect(v.holdings.find((h) => h.asset === 'BTC')).toMatchObject({ stale: false, priceAt: 5000 });
    expect(v.stale).toBe(true);
  });

  it('still prices a market with an unknown 24 h open but leaves its change out of the total change', () => {
    const v = valuePortfolio([bal('BTC', '1'), bal('ETH', '1')], table, prices({ BTCUSDT: ['110', '100'], ETHUSDT: ['50', '0'] }));
    expect(v.holdings.find((h) => h.asset === 'ETH')).toMatchObject({ value: '50', change24hPct: null });
    expect(v.total).toBe('160');
    expect(v.change24hValue).toBe('10');
    expect(v.change24hPct).toBe('10');
  });

  it('never emits exponent notation for tiny or huge numbers', () => {
    const t = buildRouteTable([sym('SHIB', 'BTC'), sym('BTC', 'USDT')], 'USDT');
    const v = valuePortfolio(
      [bal('SHIB', '123456789012.12345678')],
      t,
      prices({ SHIBBTC: ['0.00000000012', '0.00000000011'], BTCUSDT: ['0.00000001', '0.00000001'] }),
    );
    const h = v.holdings[0]!;
    for (const s of [h.price, h.value, h.change24hPct, h.total, v.total]) expect(s).not.toMatch(/e/i);
    expect(h.price).toBe('0.0000000000000000012');
  });

  it('computes a single holding without the portfolio (incremental use)', () => {
    const c = computeHolding(bal('ETH', '2'), table.route('ETH'), prices({ ETHUSDT: ['1500.5', '1500'] }));
    expect(c.holding.value).toBe('3001');
    expect(c.value?.toString()).toBe('3001');
  });

  it('values 300+ assets with shares summing to 100 % and totals equal to the sum', () => {
    const symbols: SymbolInput[] = [sym('BTC', 'USDT')];
    const p = new Map<string, PriceQuote>([['BTCUSDT', { last: '65000.5', open: '64000' }]]);
    const balances = [bal('USDT', '1234.5')];
    for (let i = 0; i < 320; i++) {
      const asset = `A${i}`;
      // a third direct, a third bridged via BTC, a third inverse
      if (i % 3 === 0) {
        symbols.push(sym(asset, 'USDT'));
        p.set(`${asset}USDT`, { last: `${(i + 1) * 1.5}`, open: `${i + 1}` });
      } else if (i % 3 === 1) {
        symbols.push(sym(asset, 'BTC'));
        p.set(`${asset}BTC`, { last: `0.0000${i + 10}`, open: `0.0000${i + 11}` });
      } else {
        symbols.push(sym('USDT', asset));
        p.set(`USDT${asset}`, { last: `${i + 3}.25`, open: `${i + 2}` });
      }
      balances.push(bal(asset, `${i}.123`, `${i % 7}`));
    }
    const t = buildRouteTable(symbols, 'USDT');
    const v = valuePortfolio(balances, t, p);
    expect(v.holdings).toHaveLength(321); // USDT + 320 assets
    expect(v.unpricedAssets).toEqual([]);
    const sum = v.holdings.reduce((acc, h) => acc.plus(h.value!), new Decimal(0));
    expect(sum.minus(v.total).abs().lte('0.000001')).toBe(true);
    const shares = v.holdings.reduce((acc, h) => acc.plus(h.share!), new Decimal(0));
    // each share is rounded to 0.01 %, so the sum may be off by half a unit per holding
    expect(
      shares
        .minus(100)
        .abs()
        .lte(0.005 * v.holdings.length),
    ).toBe(true);
    expect(new Set(v.holdings.map((h) => h.route))).toEqual(new Set(['quote', 'direct', 'bridge', 'inverse']));
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SymbolInfo } from '../../../src/main/exchange/exchange-info';
import { parseSymbolFilters, validateOrderDraft, type OrderDraft, type ValidationContext } from '../../../src/main/exchange/filters';
import { canonicalOrder, confirmationLines, preflight, type PreflightInput } from '../../../src/main/orders/preflight';
import type { OrderDraftInput } from '../../../src/shared/domain/orders';
import { dec, isMultipleOf } from '../../../src/shared/money';

function symbolInfo(over: Partial<SymbolInfo> = {}, tick = '0.01', step = '0.00001'): SymbolInfo {
  return {
    symbol: 'BTCUSDT',
    status: 'TRADING',
    baseAsset: 'BTC',
    quoteAsset: 'USDT',
    baseAssetPrecision: 8,
    quoteAssetPrecision: 8,
    orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET', 'STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT'],
    quoteOrderQtyMarketAllowed: true,
    isSpotTradingAllowed: true,
    permissionSets: [['SPOT']],
    fetchedAt: 0,
    filters: parseSymbolFilters([
      { filterType: 'PRICE_FILTER', minPrice: tick, maxPrice: '1000000.00000000', tickSize: tick },
      { filterType: 'LOT_SIZE', minQty: step, maxQty: '9000.00000000', stepSize: step },
      {
        filterType: 'PERCENT_PRICE_BY_SIDE',
        bidMultiplierUp: '5',
        bidMultiplierDown: '0.2',
        askMultiplierUp: '5',
        askMultiplierDown: '0.2',
        avgPriceMins: 5,
      },
      {
        filterType: 'NOTIONAL',
        minNotional: '5.00000000',
        applyMinToMarket: true,
        maxNotional: '9000000.00000000',
        applyMaxToMarket: false,
        avgPriceMins: 5,
      },
      { filterType: 'MAX_NUM_ORDERS', maxNumOrders: 200 },
    ]),
    ...over,
  };
}

function input(draft: OrderDraftInput, over: Partial<PreflightInput> = {}): PreflightInput {
  const info = over.info === undefined && !('info' in over) ? symbolInfo() : over.info;
  const balances: Record<string, string> = { USDT: '1000', BTC: '0.5' };
  return {
    draft,
    info,
    validate: (d: OrderDraft, extra: Omit<ValidationContext, 'filters' | 'status' | 'orderTypes' | 'exchangeFilters'>) =>
      validateOrderDraft(d, {
        ...extra,
        filters: info!.filters,
        status: info!.status,
        orderTypes: info!.orderTypes,
        quoteOrderQtyMarketAllowed: info!.quoteOrderQtyMarketAllowed,
        quoteAssetPrecision: info!.quoteAssetPrecision,
      }),
    market: { bid: '49999.99', ask: '50000', last: '50000', at: 1 },
    free: (a) => balances[a] ?? '0',
    rates: { maker: '0.001', taker: '0.001', bnbDiscount: false },
    disabledReason: null,
    ...over,
  };
}

const limitBuy = (quantity: string, price: string): OrderDraftInput => ({
  symbol: 'BTCUSDT',
  side: 'BUY',
  type: 'LIMIT',
  quantity,
  price,
  timeInForce: 'GTC',
});

describe('filter failures: explained, corrected in one click, never changed silently', () => {
  const cases: Array<{ name: string; draft: OrderDraftInput; code: string; field: string; fixed: string }> = [
    { name: 'quantity off the step', draft: limitBuy('0.000155', '40000'), code: 'LOT_SIZE', field: 'quantity', fixed: '0.00015' },
    // 9000 (the largest quantity) is still unaffordable: the Max of the balance is offered instead.
    { name: 'quantity above the maximum', draft: limitBuy('99999', '40000'), code: 'LOT_SIZE', field: 'quantity', fixed: '0.025' },
    {
      name: 'price off the tick (a buy snaps down)',
      draft: limitBuy('0.001', '40000.005'),
      code: 'PRICE_FILTER',
      field: 'price',
      fixed: '40000',
    },
    { name: 'order value below the minimum', draft: limitBuy('0.00001', '40000'), code: 'NOTIONAL', field: 'quantity', fixed: '0.00013' },
    {
      name: 'price too far above the average',
      draft: limitBuy('0.001', '260000'),
      code: 'PERCENT_PRICE_BY_SIDE',
      field: 'price',
      fixed: '250000',
    },
    { name: 'more than the free balance', draft: limitBuy('0.1', '40000'), code: 'BALANCE', field: 'quantity', fixed: '0.025' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = preflight(input(c.draft));
      expect(r.ok).toBe(false);
      expect(r.order).toBeNull();
      const issue = r.issues.find((i) => i.code === c.code);
      expect(issue, JSON.stringify(r.issues)).toBeDefined();
      expect(issue!.field).toBe(c.field);
      expect(issue!.message.length).toBeGreaterThan(10);
      expect(issue!.correction?.value).toBe(c.fixed);
      const again = preflight(input({ ...c.draft, [issue!.correction!.field]: issue!.correction!.value }));
      expect(again.issues.filter((i) => i.code === c.code)).toEqual([]);
    });
  }

  it('a valid order passes with the exact canonical values and no change', () => {
    const r = preflight(input(limitBuy('0.00100', '40000.10')));
    expect(r.issues).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.order).toEqual({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '0.001', price: '40000.1', timeInForce: 'GTC' });
  });

  it('an unknown symbol, a halted symbol and a missing price are issues', () => {
    expect(preflight(input(limitBuy('1', '1'), { info: undefined })).issues[0]?.code).toBe('SYMBOL');
    const halted = preflight(input(limitBuy('0.001', '40000'), { info: symbolInfo({ status: 'HALT' }) }));
    expect(halted.issues.some((i) => i.code === 'SYMBOL_STATUS')).toBe(true);
    expect(halted.warnings.some((w) => w.code === 'symbol-not-trading')).toBe(true);
    const noPrice = preflight(input({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '0.001' }));
    expect(noPrice.issues.some((i) => i.field === 'price')).toBe(true);
  });

  it('a limit maker that would take is an issue with the nearest price that rests', () => {
    const r = preflight(input({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT_MAKER', quantity: '0.001', price: '50010' }));
    const issue = r.issues.find((i) => i.code === 'LIMIT_MAKER');
    expect(issue?.correction?.value).toBe('49999.99');
  });

  it('a stop that would trigger at once is an issue', () => {
    const r = preflight(
      input({
        symbol: 'BTCUSDT',
        side: 'SELL',
        type: 'STOP_LOSS_LIMIT',
        quantity: '0.001',
        price: '50100',
        stopPrice: '50200',
        timeInForce: 'GTC',
      }),
    );
    expect(r.issues.some((i) => i.code === 'STOP_PRICE')).toBe(true);
  });

  it('OCO legs are checked separately and their prices against the market', () => {
    const good = preflight(
      input({
        symbol: 'BTCUSDT',
        side: 'SELL',
        type: 'OCO',
        quantity: '0.01',
        price: '55000',
        stopPrice: '45000',
        stopLimitPrice: '44900',
      }),
    );
    expect(good.issues).toEqual([]);
    expect(good.order).toMatchObject({
      type: 'OCO',
      quantity: '0.01',
      price: '55000',
      stopPrice: '45000',
      stopLimitPrice: '44900',
      stopLimitTimeInForce: 'GTC',
    });
    const wrong = preflight(
      input({
        symbol: 'BTCUSDT',
        side: 'SELL',
        type: 'OCO',
        quantity: '0.01',
        price: '45000',
        stopPrice: '55000',
        stopLimitPrice: '44900.005',
      }),
    );
    expect(wrong.issues.some((i) => i.code === 'OCO_PRICES')).toBe(true);
    expect(wrong.issues.find((i) => i.code === 'PRICE_FILTER')?.field).toBe('stopLimitPrice');
  });
});

describe('estimates with commission', () => {
  it('a buy pays the notional and receives the base minus the fee', () => {
    const r = preflight(input(limitBuy('0.01', '40000'), { rates: { maker: '0.00075', taker: '0.001', bnbDiscount: true } }));
    expect(r.estimate).toMatchObject({
      notional: '400',
      liquidity: 'maker',
      feeRate: '0.00075',
      fee: '0.0000075',
      feeAsset: 'BTC',
      total: '400',
      totalAsset: 'USDT',
      receive: '0.0099925',
      receiveAsset: 'BTC',
      bnbDiscount: true,
    });
  });

  it('a sell receives the notional minus the fee in the quote asset; a market order is taker at the bid', () => {
    const r = preflight(
      input(
        { symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', quantity: '0.1' },
        { rates: { maker: '0.0005', taker: '0.002', bnbDiscount: false } },
      ),
    );
    expect(r.estimate).toMatchObject({
      price: '49999.99',
      liquidity: 'taker',
      notional: '4999.999',
      fee: '9.999998',
      total: '4989.999002',
      receiveAsset: 'USDT',
    });
    expect(r.warnings.some((w) => w.code === 'market-estimate')).toBe(true);
  });
});

describe('warnings', () => {
  it('far from the market, immediate taker fill, most of the balance, no market data', () => {
    const far = preflight(input(limitBuy('0.001', '40000')));
    expect(far.warnings.map((w) => w.code)).toContain('far-from-market');
    expect(far.ok).toBe(true);
    const taker = preflight(input(limitBuy('0.001', '50500')));
    expect(taker.warnings.map((w) => w.code)).toContain('immediate-fill');
    expect(taker.estimate?.liquidity).toBe('taker');
    const most = preflight(input(limitBuy('0.0195', '50000')));
    expect(most.warnings.map((w) => w.code)).toContain('most-of-balance');
    const blind = preflight(input(limitBuy('0.001', '50000'), { market: { bid: null, ask: null, last: '50000', at: null } }));
    expect(blind.warnings.map((w) => w.code)).toContain('no-market-data');
  });

  it('read-only mode: the verdict says why and is never ok', () => {
    const r = preflight(input(limitBuy('0.001', '50000'), { disabledReason: 'Trading is switched off.' }));
    expect(r.ok).toBe(false);
    expect(r.disabledReason).toBe('Trading is switched off.');
    expect(r.issues).toEqual([]);
  });
});

describe('25 / 50 / 75 / Max', () => {
  it('a sell: Max is the free base floored to the step, with the dust shown', () => {
    const r = preflight(
      input(
        { symbol: 'BTCUSDT', side: 'SELL', type: 'LIMIT', quantity: '0.001', price: '50000' },
        { free: (a) => (a === 'BTC' ? '0.123456789' : '0') },
      ),
    );
    const max = r.presets.find((p) => p.percent === 100);
    expect(max).toMatchObject({ field: 'quantity', value: '0.12345', dust: '0.00000678', dustAsset: 'BTC' });
    expect(r.presets.find((p) => p.percent === 25)?.value).toBe('0.03086');
  });

  it('a buy by quantity: Max at the limit price, dust in the quote asset; shares below the minimum are null', () => {
    const r = preflight(input(limitBuy('0.001', '30000'), { free: (a) => (a === 'USDT' ? '20' : '0') }));
    expect(r.presets.find((p) => p.percent === 100)).toMatchObject({ value: '0.00066', dust: '0.2', dustAsset: 'USDT' });
    expect(r.presets.find((p) => p.percent === 25)).toMatchObject({ value: null });
  });

  it('a market buy by quote total: Max is the free quote', () => {
    const r = preflight(
      input(
        { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quoteOrderQty: '10' },
        { free: (a) => (a === 'USDT' ? '123.456789123' : '0') },
      ),
    );
    expect(r.presets.find((p) => p.percent === 100)).toMatchObject({ field: 'quoteOrderQty', value: '123.45678912' });
  });
});

describe('money properties', () => {
  const decimalText = fc
    .tuple(fc.integer({ min: 0, max: 99_999 }), fc.integer({ min: 0, max: 99_999_999 }), fc.integer({ min: 0, max: 8 }))
    .map(([i, f, d]) => (d === 0 ? String(i) : `${i}.${String(f).padStart(8, '0').slice(0, d)}`));
  const grid = fc.constantFrom('0.00000001', '0.000001', '0.001', '0.01', '0.5', '1', '10', '1000');

  it('what would be sent is always on the grid, within the balance, plain decimal text', () => {
    let checked = 0;
    const onGrid = (unit: string) => fc.integer({ min: 1, max: 200_000 }).map((n) => dec(unit).mul(n).toFixed());
    const order = fc.tuple(grid, grid).chain(([tick, step]) =>
      fc.record({
        tick: fc.constant(tick),
        step: fc.constant(step),
        qty: fc.oneof(onGrid(step), decimalText),
        price: fc.oneof(onGrid(tick), decimalText),
        side: fc.constantFrom('BUY', 'SELL'),
        free: fc.oneof(decimalText, fc.constant('100000000')),
      }),
    );
    fc.assert(
      fc.property(order, ({ qty, price, tick, step, side, free }) => {
        const info = symbolInfo({}, tick, step);
        const r = preflight(
          input(
            { symbol: 'BTCUSDT', side: side as 'BUY' | 'SELL', type: 'LIMIT', quantity: qty, price, timeInForce: 'GTC' },
            {
              info,
              market: { bid: price, ask: price, last: price, at: 1 },
              free: () => free,
            },
          ),
        );
        if (r.order === null) return;
        checked++;
        for (const v of [r.order.quantity!, r.order.price!]) {
          expect(v).toMatch(/^(0|[1-9]\d*)(\.\d*[1-9])?$/);
        }
        expect(isMultipleOf(r.order.quantity!, step)).toBe(true);
        expect(isMultipleOf(r.order.price!, tick)).toBe(true);
        const needed = side === 'BUY' ? dec(r.order.quantity!).mul(r.order.price!) : dec(r.order.quantity!);
        expect(needed.lte(free)).toBe(true);
        // Nothing was changed on the way: the order is the typed value, canonicalised.
        expect(dec(r.order.quantity!).eq(qty)).toBe(true);
        expect(dec(r.order.price!).eq(price)).toBe(true);
      }),
      { numRuns: 500 },
    );
    // The property must have been exercised on real orders, not only on refusals.
    expect(checked).toBeGreaterThan(20);
  });

  it('every preset and every correction is a valid multiple without exponent or float noise', () => {
    const RUNS = 500;
    let presetsSeen = 0;
    let sellPresetsSeen = 0;
    let correctionsSeen = 0;
    fc.assert(
      fc.property(decimalText, decimalText, grid, decimalText, fc.constantFrom('BUY', 'SELL'), (qty, price, step, free, side) => {
        const info = symbolInfo({}, '0.01', step);
        const r = preflight(
          input(
            { symbol: 'BTCUSDT', side: side as 'BUY' | 'SELL', type: 'LIMIT', quantity: qty, price: price === '0' ? '1' : price },
            { info, free: () => free },
          ),
        );
        for (const p of r.presets) {
          if (p.value === null) continue;
          presetsSeen++;
          if (side === 'SELL') sellPresetsSeen++;
          expect(p.value).not.toMatch(/e/i);
          expect(isMultipleOf(p.value, step)).toBe(true);
          expect(dec(p.dust).gte(0)).toBe(true);
          if (side === 'SELL') expect(dec(p.value).lte(free)).toBe(true);
        }
        for (const i of r.issues) {
          if (i.correction === null) continue;
          correctionsSeen++;
          expect(i.correction.value).toMatch(/^\d+(\.\d+)?$/);
          if (i.correction.field === 'quantity') expect(isMultipleOf(i.correction.value, step)).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
    // The loops above check only what they are given: they must have been given presets (sell
    // ones included, which carry the balance check) and corrections, not passed on empty lists.
    expect(presetsSeen).toBeGreaterThanOrEqual(RUNS * 2);
    expect(sellPresetsSeen).toBeGreaterThanOrEqual(RUNS);
    // A correction is offered only when the whole draft then passes (so random drafts that fail
    // on several counts get none): ~140 of 500 runs offer one; 100 is the floor.
    expect(correctionsSeen).toBeGreaterThanOrEqual(RUNS / 5);
  });

  it('the canonical form ignores key order and absent fields', () => {
    expect(canonicalOrder({ symbol: 'A1', side: 'BUY', type: 'LIMIT', price: '1', quantity: '2' })).toBe(
      canonicalOrder({ quantity: '2', type: 'LIMIT', side: 'BUY', symbol: 'A1', price: '1', stopPrice: undefined }),
    );
    expect(canonicalOrder({ symbol: 'A1', side: 'BUY', type: 'LIMIT', price: '1', quantity: '2' })).not.toBe(
      canonicalOrder({ symbol: 'A1', side: 'BUY', type: 'LIMIT', price: '1', quantity: '2.0' }),
    );
  });
});

describe('freshness of what the checks use', () => {
  const NOW = 1_700_000_000_000;

  it('a quote that could not be refreshed is a warning that says how old it is; a fresh one is not', () => {
    const fresh = preflight(
      input(limitBuy('0.001', '40000'), { now: NOW, market: { bid: '49999.99', ask: '50000', last: '50000', at: NOW - 1_000 } }),
    );
    expect(fresh.warnings.filter((w) => w.code === 'no-market-data')).toEqual([]);
    const old = preflight(
      input(limitBuy('0.001', '40000'), { now: NOW, market: { bid: '49999.99', ask: '50000', last: '50000', at: NOW - 300_000 } }),
    );
    const w = old.warnings.find((x) => x.code === 'no-market-data');
    expect(w?.message).toMatch(/from \d\d:\d\d:\d\d \(300 s ago\) and could not be refreshed/);
    // A warning, not an issue: the order can still be confirmed once the person has seen it.
    expect(old.ok).toBe(true);
    const unknownAge = preflight(
      input(limitBuy('0.001', '40000'), { now: NOW, market: { bid: '49999.99', ask: '50000', last: '50000', at: null } }),
    );
    expect(unknownAge.warnings.some((x) => x.code === 'no-market-data')).toBe(true);
  });

  it('account data that is not live blocks the order (balances may be wrong)', () => {
    const r = preflight(input(limitBuy('0.001', '40000'), { now: NOW, accountLive: false }));
    expect(r.ok).toBe(false);
    expect(r.order).toBeNull();
    expect(r.issues.find((i) => i.code === 'ACCOUNT_DATA')?.message).toMatch(/not live/);
    expect(preflight(input(limitBuy('0.001', '40000'), { now: NOW, accountLive: true })).ok).toBe(true);
  });

  it('PERCENT_PRICE_BY_SIDE is checked against the exchange average price, not the last price', () => {
    // Last 50000, but the 5-minute average is 10000: 60000 is more than 5x the average.
    const r = preflight(input(limitBuy('0.0001', '60000'), { avgPrice: '10000' }));
    const issue = r.issues.find((i) => i.code === 'PERCENT_PRICE_BY_SIDE');
    expect(issue?.message).toMatch(/average price 10,000\.00/);
    expect(issue?.correction?.value).toBe('50000');
    // Without it the last price stands in, and the same order passes that filter.
    expect(preflight(input(limitBuy('0.0001', '60000'))).issues.filter((i) => i.code === 'PERCENT_PRICE_BY_SIDE')).toEqual([]);
  });

  it('the confirmation says which bid/ask the estimate used and when they are from', () => {
    const r = preflight(
      input(limitBuy('0.001', '40000'), { now: NOW, market: { bid: '49999.99', ask: '50000', last: '50000', at: NOW - 2_000 } }),
    );
    const lines = confirmationLines(r.order!, r.estimate, r.rules!, r.market, NOW);
    expect(lines.find((l) => l.label === 'Market')?.value).toMatch(/^bid 49,999\.99 \/ ask 50,000\.00 as of \d\d:\d\d:\d\d$/);
    const stale = confirmationLines(r.order!, r.estimate, r.rules!, { ...r.market!, at: NOW - 60_000 }, NOW);
    expect(stale.find((l) => l.label === 'Market')?.value).toMatch(/\(stale: could not be refreshed\)$/);
  });
});

describe('one-click corrections that work (issue 8, B12)', () => {
  const corrections = (r: ReturnType<typeof preflight>) => r.issues.flatMap((i) => (i.correction ? [i.correction] : []));
  const applied = (draft: OrderDraftInput, c: { field: string; value: string }): OrderDraftInput => ({ ...draft, [c.field]: c.value });

  it('a price far beyond every limit is never "corrected" to 0, nor to a price the balance cannot pay', () => {
    const draft = limitBuy('0.01', '999999999999');
    const r = preflight(input(draft));
    expect(r.ok).toBe(false);
    for (const c of corrections(r)) {
      expect(dec(c.value).gt(0)).toBe(true);
      expect(preflight(input(applied(draft, c))).ok).toBe(true);
    }
    // 0.01 BTC at the highest allowed price (250,000) costs 2,500 USDT; only 1,000 is free.
    expect(corrections(r).filter((c) => c.field === 'price')).toEqual([]);
  });

  it('a quantity off the step and below the minimum value gets one correction, the one that passes', () => {
    const draft = limitBuy('0.0000123', '40000');
    const r = preflight(input(draft));
    const onQuantity = corrections(r).filter((c) => c.field === 'quantity');
    expect(onQuantity).toHaveLength(1);
    expect(onQuantity[0]!.value).toBe('0.00013');
    expect(preflight(input(applied(draft, onQuantity[0]!))).ok).toBe(true);
  });

  it('a quantity above the largest allowed and unaffordable offers the Max of the balance, not the largest quantity', () => {
    const r = preflight(input(limitBuy('99999', '40000')));
    expect(corrections(r)).toEqual([{ field: 'quantity', value: '0.025', label: 'Use the maximum 0.025' }]);
    // With a balance that pays it, the largest quantity is offered (separators in the label, exact value).
    const rich = preflight(
      input(limitBuy('99999', '100'), { free: () => '100000000', market: { bid: '100', ask: '100.01', last: '100', at: 1 } }),
    );
    expect(corrections(rich)).toEqual([{ field: 'quantity', value: '9000', label: 'Use 9,000' }]);
  });

  it('property: every correction offered, applied, yields a draft that passes pre-flight', () => {
    const decimalText = fc
      .tuple(fc.integer({ min: 0, max: 999_999 }), fc.integer({ min: 0, max: 99_999_999 }), fc.integer({ min: 0, max: 8 }))
      .map(([i, f, d]) => (d === 0 ? String(i) : `${i}.${String(f).padStart(8, '0').slice(0, d)}`));
    const near = (centre: number) =>
      fc
        .tuple(fc.double({ min: centre * 0.1, max: centre * 8, noNaN: true }), fc.integer({ min: 0, max: 9 }))
        .map(([x, digits]) => x.toFixed(digits));
    const draft = fc.record({
      side: fc.constantFrom('BUY' as const, 'SELL' as const),
      type: fc.constantFrom(
        'LIMIT' as const,
        'LIMIT_MAKER' as const,
        'MARKET' as const,
        'STOP_LOSS_LIMIT' as const,
        'TAKE_PROFIT_LIMIT' as const,
        'OCO' as const,
      ),
      stop: fc.oneof(decimalText, near(50000)),
      stopLimit: fc.oneof(decimalText, near(50000)),
      byQuote: fc.boolean(),
      quantity: fc.oneof(decimalText, near(0.01), fc.constantFrom('0.0000123', '99999', '0.01', '0.000155')),
      price: fc.oneof(decimalText, near(50000), fc.constantFrom('999999999999', '40000.005', '50000')),
      quote: fc.oneof(decimalText, near(100)),
      usdt: fc.constantFrom('0', '50', '1000', '100000000'),
      btc: fc.constantFrom('0', '0.002', '0.5', '100000'),
    });
    let runs = 0;
    let offered = 0;
    fc.assert(
      fc.property(draft, (d) => {
        runs++;
        const balances: Record<string, string> = { USDT: d.usdt, BTC: d.btc };
        const base = { symbol: 'BTCUSDT', side: d.side, type: d.type } as const;
        let x: OrderDraftInput;
        if (d.type === 'MARKET') x = d.byQuote ? { ...base, quoteOrderQty: d.quote } : { ...base, quantity: d.quantity };
        else if (d.type === 'OCO') x = { ...base, quantity: d.quantity, price: d.price, stopPrice: d.stop, stopLimitPrice: d.stopLimit };
        else if (d.type === 'LIMIT_MAKER') x = { ...base, quantity: d.quantity, price: d.price };
        else
          x = {
            ...base,
            quantity: d.quantity,
            price: d.price,
            timeInForce: 'GTC' as const,
            ...(d.type === 'LIMIT' ? {} : { stopPrice: d.stop }),
          };
        const over = { free: (a: string) => balances[a] ?? '0' };
        const r = preflight(input(x, over));
        const cs = corrections(r);
        if (cs.length > 0) offered++;
        const fields = cs.map((c) => c.field);
        expect(new Set(fields).size, 'one correction per field').toBe(fields.length);
        for (const c of cs) {
          expect(dec(c.value).gt(0), `never zero: ${JSON.stringify(c)}`).toBe(true);
          const again = preflight(input(applied(x, c), over));
          expect(again.ok, `${JSON.stringify(x)} + ${JSON.stringify(c)} -> ${JSON.stringify(again.issues)}`).toBe(true);
        }
      }),
      { numRuns: 1200 },
    );
    // The assertion inside is only reached on drafts that got corrections: make sure there were many.
    expect(runs).toBe(1200);
    console.info(`corrections offered in ${offered} of ${runs} drafts`);
    expect(offered, `only ${offered} of ${runs} drafts were offered a correction`).toBeGreaterThanOrEqual(100);
  });
});

describe('figures in messages: at the tick or step, with separators (issue 8, B17)', () => {
  it('balance, order value, market price and the confirmation read as the form shows them', () => {
    const needs = preflight(input(limitBuy('0.1', '40000')));
    expect(needs.issues.find((i) => i.code === 'BALANCE')?.message).toMatch(/^This order needs 4,000 USDT but only 1,000 USDT is free/);
    const small = preflight(input(limitBuy('0.00001', '40000')));
    expect(small.issues.find((i) => i.code === 'NOTIONAL')?.message).toBe('The order value 0.4 USDT is below the minimum 5 USDT.');
    const big = preflight(input(limitBuy('8999', '999999'), { free: () => '100000000000' }));
    expect(big.issues.find((i) => i.code === 'NOTIONAL')?.message).toBe(
      'The order value 8,998,991,001 USDT is above the maximum 9,000,000 USDT.',
    );
    const far = preflight(
      input(limitBuy('0.001', '40000'), { market: { bid: '64199.21000000', ask: '64199.22000000', last: '64098.00000000', at: 1 } }),
    );
    expect(far.warnings.find((w) => w.code === 'far-from-market')?.message).toMatch(/market price 64,098\.00\./);
    const ok = preflight(
      input(limitBuy('0.001', '40000'), { market: { bid: '64199.21000000', ask: '64199.22000000', last: '64098.00000000', at: 1 } }),
    );
    const lines = confirmationLines(ok.order!, ok.estimate, ok.rules!, ok.market, 1);
    expect(lines.find((l) => l.label === 'Price')?.value).toBe('40,000.00 USDT');
    expect(lines.find((l) => l.label === 'Market')?.value).toMatch(/^bid 64,199\.21 \/ ask 64,199\.22 as of/);
  });
});

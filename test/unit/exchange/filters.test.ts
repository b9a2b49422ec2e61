import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FilterParseError,
  parseExchangeFilters,
  parseSymbolFilters,
  validateOrderDraft,
  type OrderDraft,
  type SymbolFilters,
  type ValidationContext,
} from '../../../src/main/exchange/filters';
import { dec, formatDecimal, isMultipleOf } from '../../../src/shared/money';

// https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/filters.md /exchangeInfo formats, as Binance sends them.
const RAW = [
  { filterType: 'PRICE_FILTER', minPrice: '0.01000000', maxPrice: '1000000.00000000', tickSize: '0.01000000' },
  { filterType: 'LOT_SIZE', minQty: '0.00001000', maxQty: '9000.00000000', stepSize: '0.00001000' },
  { filterType: 'ICEBERG_PARTS', limit: 100 },
  { filterType: 'MARKET_LOT_SIZE', minQty: '0.00000000', maxQty: '100.00000000', stepSize: '0.00000000' },
  {
    filterType: 'TRAILING_DELTA',
    minTrailingAboveDelta: 10,
    maxTrailingAboveDelta: 2000,
    minTrailingBelowDelta: 10,
    maxTrailingBelowDelta: 2000,
  },
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
  { filterType: 'MAX_NUM_ALGO_ORDERS', maxNumAlgoOrders: 5 },
  { filterType: 'MAX_NUM_ORDER_AMENDS', maxNumOrderAmends: 10 },
  { filterType: 'MAX_NUM_ORDER_LISTS', maxNumOrderLists: 20 },
  { filterType: 'SOMETHING_NEW', x: 1 },
];
const filters = parseSymbolFilters(RAW);
const ctx: ValidationContext = { filters, avgPrice: '50000.00', status: 'TRADING' };
const limitBuy = (over: Partial<OrderDraft> = {}): OrderDraft => ({
  symbol: 'BTCUSDT',
  side: 'BUY',
  type: 'LIMIT',
  timeInForce: 'GTC',
  quantity: '0.001',
  price: '50000',
  ...over,
});

describe('parsing exchangeInfo filters', () => {
  it('parses every documented symbol filter and keeps unknown ones', () => {
    expect(filters.price).toEqual({ minPrice: '0.01000000', maxPrice: '1000000.00000000', tickSize: '0.01000000' });
    expect(filters.lotSize?.stepSize).toBe('0.00001000');
    expect(filters.marketLotSize?.maxQty).toBe('100.00000000');
    expect(filters.notional?.applyMinToMarket).toBe(true);
    expect(filters.percentPriceBySide?.bidMultiplierDown).toBe('0.2');
    expect(filters.icebergParts?.limit).toBe(100);
    expect(filters.maxNumOrders?.maxNumOrders).toBe(200);
    expect(filters.maxNumAlgoOrders?.maxNumAlgoOrders).toBe(5);
    expect(filters.trailingDelta?.maxTrailingBelowDelta).toBe(2000);
    expect(filters.maxNumOrderLists?.maxNumOrderLists).toBe(20);
    expect(filters.unknown).toEqual([{ filterType: 'SOMETHING_NEW', x: 1 }]);
    const more = parseSymbolFilters([
      { filterType: 'MIN_NOTIONAL', minNotional: '0.00100000', applyToMarket: true, avgPriceMins: 5 },
      { filterType: 'PERCENT_PRICE', multiplierUp: '1.3000', multiplierDown: '0.7000', avgPriceMins: 5 },
      { filterType: 'MAX_NUM_ICEBERG_ORDERS', maxNumIcebergOrders: 5 },
      { filterType: 'MAX_POSITION', maxPosition: '10.00000000' },
    ]);
    expect(more.minNotional?.applyToMarket).toBe(true);
    expect(more.percentPrice?.multiplierUp).toBe('1.3000');
    expect(more.maxNumIcebergOrders?.maxNumIcebergOrders).toBe(5);
    expect(more.maxPosition?.maxPosition).toBe('10.00000000');
  });
  it('parses exchange filters', () => {
    const ex = parseExchangeFilters([
      { filterType: 'EXCHANGE_MAX_NUM_ORDERS', maxNumOrders: 1000 },
      { filterType: 'EXCHANGE_MAX_NUM_ALGO_ORDERS', maxNumAlgoOrders: 200 },
      { filterType: 'EXCHANGE_MAX_NUM_ICEBERG_ORDERS', maxNumIcebergOrders: 10000 },
      { filterType: 'EXCHANGE_MAX_NUM_ORDER_LISTS', maxNumOrderLists: 20 },
    ]);
    expect(ex.maxNumOrders?.maxNumOrders).toBe(1000);
    expect(ex.maxNumAlgoOrders?.maxNumAlgoOrders).toBe(200);
    expect(ex.maxNumIcebergOrders?.maxNumIcebergOrders).toBe(10000);
    expect(ex.maxNumOrderLists?.maxNumOrderLists).toBe(20);
  });
  it('a known filter with a float instead of a decimal string is refused', () => {
    expect(() => parseSymbolFilters([{ filterType: 'LOT_SIZE', minQty: 0.001, maxQty: '1', stepSize: '0.001' }])).toThrow(FilterParseError);
  });
});

describe('validating an order draft (B6)', () => {
  it('a valid limit order passes unchanged', () => {
    const r = validateOrderDraft(limitBuy(), ctx);
    expect(r).toMatchObject({ ok: true, issues: [], adjustments: [] });
    expect(r.order).toEqual({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.001', price: '50000' });
  });

  it('quantity floored to the step; buy price snapped down, sell price snapped up', () => {
    const buy = validateOrderDraft(limitBuy({ quantity: '0.0012345678', price: '50000.129' }), ctx);
    expect(buy.ok).toBe(true);
    expect(buy.order.quantity).toBe('0.00123');
    expect(buy.order.price).toBe('50000.12');
    expect(buy.adjustments.map((a) => [a.filter, a.field, a.from, a.to])).toEqual([
      ['PRICE_FILTER', 'price', '50000.129', '50000.12'],
      ['LOT_SIZE', 'quantity', '0.0012345678', '0.00123'],
    ]);
    const sell = validateOrderDraft(limitBuy({ side: 'SELL', price: '50000.121' }), ctx);
    expect(sell.order.price).toBe('50000.13');
  });

  it('strict mode rejects off-grid values with the nearest valid value as suggestion', () => {
    const r = validateOrderDraft(limitBuy({ quantity: '0.0012345', price: '50000.129' }), { ...ctx, mode: 'strict' });
    expect(r.ok).toBe(false);
    expect(r.issues).toEqual([
      expect.objectContaining({ filter: 'PRICE_FILTER', field: 'price', suggestion: '50000.12' }),
      expect.objectContaining({ filter: 'LOT_SIZE', field: 'quantity', suggestion: '0.00123' }),
    ]);
  });

  it('golden: 0.1 + 0.2 as a float-noise string, 1e-8 steps, very large quantities', () => {
    const f = parseSymbolFilters([
      { filterType: 'PRICE_FILTER', minPrice: '0.00000001', maxPrice: '1000.00000000', tickSize: '0.00000001' },
      { filterType: 'LOT_SIZE', minQty: '1.00000000', maxQty: '90000000000.00000000', stepSize: '1.00000000' },
    ]);
    const r = validateOrderDraft(
      { symbol: 'SHIBUSDT', side: 'BUY', type: 'LIMIT', quantity: '89999999999.9', price: String(0.1 + 0.2) },
      { filters: f },
    );
    expect(r.ok).toBe(true);
    expect(r.order.price).toBe('0.3');
    expect(r.order.quantity).toBe('89999999999');
    expect(r.order.timeInForce).toBe('GTC');
    const tiny = validateOrderDraft(
      { symbol: 'SHIBUSDT', side: 'SELL', type: 'LIMIT', quantity: '1', price: '0.000000015' },
      { filters: f },
    );
    expect(tiny.order.price).toBe('0.00000002');
  });

  it('range violations are issues with suggestions', () => {
    const r = validateOrderDraft(limitBuy({ quantity: '0.000001', price: '0.001' }), ctx);
    const byFilter = Object.fromEntries(r.issues.map((i) => [`${i.filter}:${i.field}`, i]));
    expect(byFilter['PRICE_FILTER:price']).toMatchObject({ suggestion: '0.01' });
    expect(byFilter['LOT_SIZE:quantity']?.message).toMatch(/below the minimum 0.00001/);
    expect(r.ok).toBe(false);
  });

  it('NOTIONAL: a value just below the minimum (or above the maximum) never reads as equal to it', () => {
    const only = parseSymbolFilters([
      {
        filterType: 'NOTIONAL',
        minNotional: '5.00000000',
        applyMinToMarket: true,
        maxNotional: '100.00000000',
        applyMaxToMarket: true,
        avgPriceMins: 5,
      },
    ]);
    const c: ValidationContext = { filters: only, avgPrice: '50000.00', status: 'TRADING', quoteAsset: 'USDT' };
    const market = (quoteOrderQty: string): OrderDraft => ({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quoteOrderQty });
    // Half up at 8 decimals, 4.999999999 would read "5 USDT is below the minimum 5 USDT".
    expect(validateOrderDraft(market('4.999999999'), c).issues.find((i) => i.filter === 'NOTIONAL')?.message).toBe(
      'The order value 4.99999999 USDT is below the minimum 5 USDT.',
    );
    expect(validateOrderDraft(market('100.000000001'), c).issues.find((i) => i.filter === 'NOTIONAL')?.message).toBe(
      'The order value 100.00000001 USDT is above the maximum 100 USDT.',
    );
  });

  it('NOTIONAL: below the minimum suggests the smallest quantity that passes', () => {
    const r = validateOrderDraft(limitBuy({ quantity: '0.00001', price: '30000' }), ctx); // 0.3 < 5
    const issue = r.issues.find((i) => i.filter === 'NOTIONAL');
    expect(issue).toMatchObject({ field: 'quantity', suggestion: '0.00017' });
    expect(issue?.message).toMatch(/order value 0.3 is below the minimum 5/);
    const fixed = validateOrderDraft(limitBuy({ quantity: issue!.suggestion!, price: '30000' }), ctx);
    expect(fixed.ok).toBe(true);
  });

  it('MARKET orders: notional with the average price, MARKET_LOT_SIZE, quoteOrderQty', () => {
    const m = validateOrderDraft({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.00005' }, ctx); // 2.5 < 5 at avg 50000
    expect(m.issues.map((i) => i.filter)).toEqual(['NOTIONAL']);
    const big = validateOrderDraft({ symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', quantity: '150' }, ctx);
    expect(big.issues).toEqual([expect.objectContaining({ filter: 'MARKET_LOT_SIZE', suggestion: '100' })]);
    const q = validateOrderDraft(
      { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quoteOrderQty: '4.5' },
      { ...ctx, quoteOrderQtyMarketAllowed: true },
    );
    expect(q.issues).toEqual([expect.objectContaining({ filter: 'NOTIONAL', field: 'quoteOrderQty', suggestion: '5' })]);
    const noAvg = validateOrderDraft({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.00005' }, { filters });
    expect(noAvg.ok).toBe(true);
    const both = validateOrderDraft({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '1', quoteOrderQty: '10' }, ctx);
    expect(both.issues[0]?.filter).toBe('PARAMETERS');
  });

  it('MIN_NOTIONAL with applyToMarket', () => {
    const f: SymbolFilters = parseSymbolFilters([{ filterType: 'MIN_NOTIONAL', minNotional: '10', applyToMarket: false, avgPriceMins: 5 }]);
    expect(validateOrderDraft({ symbol: 'X', side: 'BUY', type: 'MARKET', quantity: '1' }, { filters: f, avgPrice: '1' }).ok).toBe(true);
    const r = validateOrderDraft({ symbol: 'X', side: 'BUY', type: 'LIMIT', quantity: '1', price: '1' }, { filters: f });
    expect(r.issues).toEqual([expect.objectContaining({ filter: 'MIN_NOTIONAL', suggestion: '10' })]);
  });

  it('PERCENT_PRICE_BY_SIDE bounds by side', () => {
    const high = validateOrderDraft(limitBuy({ price: '250000.01', quantity: '0.001' }), ctx);
    expect(high.issues).toEqual([expect.objectContaining({ filter: 'PERCENT_PRICE_BY_SIDE', suggestion: '250000' })]);
    const low = validateOrderDraft(limitBuy({ side: 'SELL', price: '9999.99' }), ctx);
    expect(low.issues).toEqual([expect.objectContaining({ filter: 'PERCENT_PRICE_BY_SIDE', suggestion: '10000' })]);
  });

  it('MAX_NUM_ORDERS, MAX_NUM_ALGO_ORDERS, EXCHANGE_MAX_NUM_ORDERS, status and type', () => {
    const full = validateOrderDraft(limitBuy(), { ...ctx, openOrders: { symbol: 200 } });
    expect(full.issues.map((i) => i.filter)).toEqual(['MAX_NUM_ORDERS']);
    const algo = validateOrderDraft(
      { symbol: 'BTCUSDT', side: 'SELL', type: 'STOP_LOSS_LIMIT', quantity: '0.001', price: '49000', stopPrice: '49100' },
      { ...ctx, openOrders: { symbol: 3, symbolAlgo: 5 } },
    );
    expect(algo.issues.map((i) => i.filter)).toEqual(['MAX_NUM_ALGO_ORDERS']);
    const ex = validateOrderDraft(limitBuy(), {
      ...ctx,
      exchangeFilters: parseExchangeFilters([{ filterType: 'EXCHANGE_MAX_NUM_ORDERS', maxNumOrders: 10 }]),
      openOrders: { exchange: 10 },
    });
    expect(ex.issues.map((i) => i.filter)).toEqual(['EXCHANGE_MAX_NUM_ORDERS']);
    const halted = validateOrderDraft(limitBuy(), { ...ctx, status: 'CANCEL_ONLY', orderTypes: ['MARKET'] });
    expect(halted.issues.map((i) => i.filter)).toEqual(['SYMBOL_STATUS', 'ORDER_TYPE']);
    expect(halted.issues[0]?.message).toMatch(/cancel-only/);
  });

  it('missing or malformed fields are explained', () => {
    const r = validateOrderDraft({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '1e-3', price: '' }, ctx);
    expect(r.issues.map((i) => i.field).sort()).toEqual(['price', 'quantity']);
    expect(r.issues.find((i) => i.field === 'quantity')?.message).toMatch(/not a number/);
    const neg = validateOrderDraft(limitBuy({ quantity: '-1' }), ctx);
    expect(neg.issues[0]?.message).toMatch(/greater than zero/);
  });

  it('TRAILING_DELTA and ICEBERG_PARTS', () => {
    const t = validateOrderDraft({ symbol: 'BTCUSDT', side: 'SELL', type: 'STOP_LOSS', quantity: '0.001', trailingDelta: 5 }, ctx);
    expect(t.issues).toEqual([expect.objectContaining({ filter: 'TRAILING_DELTA', suggestion: '10' })]);
    const ice = validateOrderDraft(limitBuy({ quantity: '1', icebergQty: '0.001' }), ctx);
    expect(ice.issues).toEqual([expect.objectContaining({ filter: 'ICEBERG_PARTS', suggestion: '0.01' })]);
  });
});

describe('property: random ticks and steps from 1e-8 to 1000 (B6)', () => {
  const unit = fc
    .tuple(fc.constantFrom(1, 2, 5), fc.integer({ min: -8, max: 3 }))
    .map(([m, e]) => formatDecimal(dec(String(m)).mul(dec('10').pow(e))));
  const amount = fc
    .tuple(fc.bigInt({ min: 1n, max: 10n ** 18n }), fc.integer({ min: 0, max: 10 }))
    .map(([n, scale]) => formatDecimal(dec(n.toString()).div(dec('10').pow(scale))));
  /** Mostly on the unit's own scale (1 to 10^6 units, off-grid by a random fraction), so most runs pass the filters; now and then anything. */
  const near = (u: string): fc.Arbitrary<string> =>
    fc.oneof(
      {
        weight: 9,
        arbitrary: fc
          .tuple(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 0, max: 99_999_999 }))
          .map(([k, frac]) => formatDecimal(dec(u).mul(dec(String(k)).plus(dec(String(frac)).div(dec('100000000')))))),
      },
      { weight: 1, arbitrary: amount },
    );
  const draft = fc.tuple(unit, unit).chain(([tick, step]) => fc.tuple(fc.constant(tick), fc.constant(step), near(tick), near(step)));

  it('adjusted output is an exact multiple, within bounds, never an exponent', () => {
    const RUNS = 1000;
    let accepted = 0;
    fc.assert(
      fc.property(draft, fc.constantFrom('BUY', 'SELL') as fc.Arbitrary<'BUY' | 'SELL'>, ([tick, step, price, qty], side) => {
        const f = parseSymbolFilters([
          { filterType: 'PRICE_FILTER', minPrice: tick, maxPrice: '100000000000', tickSize: tick },
          { filterType: 'LOT_SIZE', minQty: step, maxQty: '100000000000', stepSize: step },
        ]);
        const r = validateOrderDraft({ symbol: 'X', side, type: 'LIMIT', quantity: qty, price }, { filters: f });
        for (const value of [r.order.price, r.order.quantity]) {
          if (value !== undefined) expect(value).toMatch(/^\d+(\.\d+)?$/);
        }
        if (r.ok) {
          accepted++;
          expect(isMultipleOf(r.order.price!, tick)).toBe(true);
          expect(isMultipleOf(r.order.quantity!, step)).toBe(true);
          expect(dec(r.order.quantity!).lte(qty)).toBe(true);
          expect(dec(r.order.quantity!).gte(step)).toBe(true);
          expect(dec(r.order.price!).gte(tick) && dec(r.order.price!).lte('100000000000')).toBe(true);
          // safe direction: a buy never pays more, a sell never receives less than asked
          if (side === 'BUY') expect(dec(r.order.price!).lte(price)).toBe(true);
          else expect(dec(r.order.price!).gte(price)).toBe(true);
          expect(dec(r.order.price!).minus(price).abs().lt(tick)).toBe(true);
        }
        for (const i of r.issues) if (i.suggestion !== undefined) expect(i.suggestion).toMatch(/^\d+(\.\d+)?$/);
      }),
      { numRuns: RUNS },
    );
    // The checks above run only for accepted drafts: most runs must get there (75 of 1,000 once did).
    expect(accepted).toBeGreaterThanOrEqual(RUNS * 0.7);
  });
});

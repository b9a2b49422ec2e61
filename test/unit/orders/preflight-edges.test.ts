// Pre-flight, rule by rule: the exact words a person reads (the field, what is wrong, what to do),
// the exact figures of the estimate, and the exact boundary where a warning or an issue starts.
// Written against the mutants Stryker left alive in preflight.ts (docs/quality.md).
import { describe, expect, it } from 'vitest';
import type { SymbolInfo } from '../../../src/main/exchange/exchange-info';
import { parseSymbolFilters, validateOrderDraft, type OrderDraft, type ValidationContext } from '../../../src/main/exchange/filters';
import { clockTime, isQuoteStale, preflight, QUOTE_STALE_AFTER_MS, type PreflightInput } from '../../../src/main/orders/preflight';
import type { MarketQuote, OrderDraftInput } from '../../../src/shared/domain/orders';

const FILTERS = [
  { filterType: 'PRICE_FILTER', minPrice: '0.01', maxPrice: '1000000', tickSize: '0.01' },
  { filterType: 'LOT_SIZE', minQty: '0.00001', maxQty: '9000', stepSize: '0.00001' },
  {
    filterType: 'PERCENT_PRICE_BY_SIDE',
    bidMultiplierUp: '5',
    bidMultiplierDown: '0.2',
    askMultiplierUp: '5',
    askMultiplierDown: '0.2',
    avgPriceMins: 5,
  },
  { filterType: 'NOTIONAL', minNotional: '5', applyMinToMarket: true, maxNotional: '9000000', applyMaxToMarket: false, avgPriceMins: 5 },
  { filterType: 'MAX_NUM_ORDERS', maxNumOrders: 200 },
];

function symbolInfo(over: Partial<SymbolInfo> = {}, filters: readonly unknown[] = FILTERS): SymbolInfo {
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
    filters: parseSymbolFilters(filters),
    ...over,
  };
}

const QUOTE: MarketQuote = { bid: '49999.99', ask: '50000', last: '50000', at: 1 };

function input(draft: OrderDraftInput, over: Partial<PreflightInput> = {}, balances: Record<string, string> = {}): PreflightInput {
  const info = 'info' in over ? over.info : symbolInfo();
  const free: Record<string, string> = { USDT: '1000', BTC: '0.5', ...balances };
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
    market: QUOTE,
    free: (a) => free[a] ?? '0',
    rates: { maker: '0.001', taker: '0.002', bnbDiscount: false },
    disabledReason: null,
    ...over,
  };
}

const limit = (side: 'BUY' | 'SELL', quantity: string, price: string, over: Partial<OrderDraftInput> = {}): OrderDraftInput => ({
  symbol: 'BTCUSDT',
  side,
  type: 'LIMIT',
  quantity,
  price,
  timeInForce: 'GTC',
  ...over,
});
const warning = (r: ReturnType<typeof preflight>, code: string) => r.warnings.find((w) => w.code === code)?.message;
const issue = (r: ReturnType<typeof preflight>, code: string) => r.issues.find((i) => i.code === code);

describe('clock time and the age of a quote', () => {
  it('the time of day is HH:MM:SS with leading zeros', () => {
    expect(clockTime(new Date(2026, 0, 2, 3, 4, 5).getTime())).toBe('03:04:05');
    expect(clockTime(new Date(2026, 0, 2, 13, 14, 15).getTime())).toBe('13:14:15');
  });

  it('a quote is stale only past the limit, or of unknown age; no quote at all is not stale', () => {
    const at = 1_000_000;
    const q = { ...QUOTE, at };
    expect(isQuoteStale(q, at + QUOTE_STALE_AFTER_MS)).toBe(false);
    expect(isQuoteStale(q, at + QUOTE_STALE_AFTER_MS + 1)).toBe(true);
    expect(isQuoteStale(q, at + 100, 99)).toBe(true);
    expect(isQuoteStale(q, at + 99, 99)).toBe(false);
    expect(isQuoteStale({ ...QUOTE, at: null }, at)).toBe(true);
    expect(isQuoteStale({ ...QUOTE, at: null }, 1_000)).toBe(true);
    expect(isQuoteStale({ ...QUOTE, bid: null }, at + 1e9)).toBe(false);
    expect(isQuoteStale({ ...QUOTE, ask: null }, at + 1e9)).toBe(false);
    expect(isQuoteStale(undefined, at)).toBe(false);
    expect(isQuoteStale(null, at)).toBe(false);
  });
});

describe('the symbol and its rules', () => {
  it('an unknown symbol: what is wrong and what to do, and nothing else', () => {
    const r = preflight(input(limit('BUY', '1', '1', { symbol: 'NOPEUSDT' }), { info: undefined }));
    expect(r).toEqual({
      disabledReason: null,
      market: QUOTE,
      ok: false,
      rules: null,
      order: null,
      issues: [
        {
          code: 'SYMBOL',
          field: 'symbol',
          message:
            'NOPEUSDT is not a pair Binance lists (or the trading rules are not loaded yet). Pick a pair from the list, like BTCUSDT.',
          correction: null,
        },
      ],
      warnings: [],
      estimate: null,
      available: null,
      presets: [],
    });
    expect(preflight(input(limit('BUY', '1', '1'), { info: undefined, market: undefined })).market).toBeNull();
  });

  it('the rules shown with the form: tick, step, minimum quantity and value, canonical', () => {
    const r = preflight(input(limit('BUY', '0.001', '40000')));
    expect(r.rules).toEqual({
      symbol: 'BTCUSDT',
      baseAsset: 'BTC',
      quoteAsset: 'USDT',
      status: 'TRADING',
      tickSize: '0.01',
      stepSize: '0.00001',
      minQty: '0.00001',
      minNotional: '5',
      orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET', 'STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT'],
      quoteOrderQtyMarketAllowed: true,
    });
    const old = symbolInfo({}, [{ filterType: 'MIN_NOTIONAL', minNotional: '10.00000000', applyToMarket: true, avgPriceMins: 5 }]);
    expect(preflight(input(limit('BUY', '1', '40000'), { info: old })).rules).toMatchObject({
      tickSize: null,
      stepSize: null,
      minQty: null,
      minNotional: '10',
    });
    expect(preflight(input(limit('BUY', '1', '40000'), { info: symbolInfo({}, []) })).rules?.minNotional).toBeNull();
  });

  it('a symbol that is not trading: a warning naming its status, and the filter issue on the symbol field', () => {
    const r = preflight(input(limit('BUY', '0.001', '40000'), { info: symbolInfo({ status: 'BREAK' }) }));
    expect(warning(r, 'symbol-not-trading')).toBe('BTCUSDT is not trading normally right now (status BREAK).');
    expect(issue(r, 'SYMBOL_STATUS')).toEqual({
      code: 'SYMBOL_STATUS',
      field: 'symbol',
      message: 'BTCUSDT is not trading right now (status BREAK); new orders are not accepted.',
      correction: null,
    });
  });

  it('filter issues keep their own field (type, time in force, amount)', () => {
    const types = preflight(input(limit('BUY', '0.001', '40000'), { info: symbolInfo({ orderTypes: ['MARKET'] }) }));
    expect(issue(types, 'ORDER_TYPE')?.field).toBe('type');
    const maker = preflight(
      input({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT_MAKER', quantity: '0.001', price: '40000', timeInForce: 'GTC' }),
    );
    expect(maker.issues).toEqual([
      { code: 'PARAMETERS', field: 'timeInForce', message: 'LIMIT_MAKER orders do not take a time-in-force.', correction: null },
    ]);
    const amount = preflight(input(limit('BUY', '0.001', '40000', { quoteOrderQty: '10' })));
    // A limit order's presets are quantities, whatever stray amount the draft carries.
    expect(new Set(amount.presets.map((p) => p.field))).toEqual(new Set(['quantity']));
    expect(amount.issues).toEqual([
      { code: 'PARAMETERS', field: 'quoteOrderQty', message: 'An amount to spend is only possible on market orders.', correction: null },
    ]);
  });

  it('the open-order counts reach the filters', () => {
    const r = preflight(input(limit('BUY', '0.001', '40000'), { openOrders: { symbol: 200 } }));
    expect(issue(r, 'MAX_NUM_ORDERS')?.message).toBe(
      'You already have 200 open orders on BTCUSDT, the most allowed (200). Cancel one first.',
    );
    expect(preflight(input(limit('BUY', '0.001', '40000'), { openOrders: { symbol: 199 } })).ok).toBe(true);
  });
});

describe('the reference price of the percent-price rule', () => {
  it('a positive average price is used; zero or unreadable falls back to the last price', () => {
    // 260,000 is more than 5x an average of 50,000 but not of 60,000.
    const draft = limit('BUY', '0.001', '260000');
    const free = { USDT: '100000000' };
    expect(issue(preflight(input(draft, { avgPrice: '50000' }, free)), 'PERCENT_PRICE_BY_SIDE')?.message).toBe(
      'The price is more than 400 % above the recent average price 50,000.00.',
    );
    expect(issue(preflight(input(draft, { avgPrice: '60000' }, free)), 'PERCENT_PRICE_BY_SIDE')).toBeUndefined();
    expect(issue(preflight(input(draft, { avgPrice: '0' }, free)), 'PERCENT_PRICE_BY_SIDE')).toBeDefined();
    expect(issue(preflight(input(draft, { avgPrice: 'n/a' }, free)), 'PERCENT_PRICE_BY_SIDE')).toBeDefined();
    const noLast = { ...QUOTE, last: null };
    expect(issue(preflight(input(draft, { avgPrice: '0', market: noLast }, free)), 'PERCENT_PRICE_BY_SIDE')).toBeUndefined();
  });
});

describe('market conditions', () => {
  it('without a live bid and ask: which price the checks use, or that there is none', () => {
    const lastOnly = preflight(input(limit('BUY', '0.001', '40000'), { market: { bid: null, ask: '50000', last: '50000', at: 1 } }));
    expect(warning(lastOnly, 'no-market-data')).toBe(
      'There is no live best bid and ask for BTCUSDT; the checks against the market use the last price 50,000.00.',
    );
    const nothing = preflight(input(limit('BUY', '0.001', '40000'), { market: undefined }));
    expect(warning(nothing, 'no-market-data')).toBe(
      'There is no live best bid and ask for BTCUSDT; the checks against the market use nothing.',
    );
    expect(nothing.market).toBeNull();
    const noAsk = preflight(input(limit('BUY', '0.001', '40000'), { market: { ...QUOTE, ask: null } }));
    expect(noAsk.warnings.map((w) => w.code)).toContain('no-market-data');
  });

  it('a stale quote: the bid, the ask, when they are from and what may be wrong; unknown age said so', () => {
    const now = new Date(2026, 0, 2, 10, 0, 30).getTime();
    const r = preflight(input(limit('BUY', '0.001', '40000'), { now, market: { ...QUOTE, at: now - 30_400 } }));
    expect(warning(r, 'no-market-data')).toBe(
      'The best bid 49,999.99 and ask 50,000.00 for BTCUSDT are from 09:59:59 (30 s ago) and could not be refreshed: the market may have moved, so the estimate, Max and the checks against the market may be wrong.',
    );
    const unknown = preflight(input(limit('BUY', '0.001', '40000'), { now, market: { ...QUOTE, at: null } }));
    expect(warning(unknown, 'no-market-data')).toMatch(/ for BTCUSDT are from an unknown time and could not be refreshed: /);
    // Without a time to compare with, the age is not judged.
    expect(warning(preflight(input(limit('BUY', '0.001', '40000'), { market: { ...QUOTE, at: null } })), 'no-market-data')).toBeUndefined();
  });

  it('a limit maker that would trade at once: an issue naming the side and the price, with the nearest that rests', () => {
    const buy = preflight(input({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT_MAKER', quantity: '0.001', price: '50000' }));
    expect(issue(buy, 'LIMIT_MAKER')).toEqual({
      code: 'LIMIT_MAKER',
      field: 'price',
      message: 'A limit maker (post-only) buy at or above the best ask 50,000.00 would trade at once, so Binance would reject it.',
      correction: { field: 'price', value: '49999.99', label: 'Use 49,999.99' },
    });
    expect(
      issue(preflight(input({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT_MAKER', quantity: '0.001', price: '49999.99' })), 'LIMIT_MAKER'),
    ).toBe(undefined);
    const sell = preflight(input({ symbol: 'BTCUSDT', side: 'SELL', type: 'LIMIT_MAKER', quantity: '0.001', price: '49999.99' }));
    expect(issue(sell, 'LIMIT_MAKER')).toEqual({
      code: 'LIMIT_MAKER',
      field: 'price',
      message: 'A limit maker (post-only) sell at or below the best bid 49,999.99 would trade at once, so Binance would reject it.',
      correction: { field: 'price', value: '50000', label: 'Use 50,000.00' },
    });
    expect(
      issue(preflight(input({ symbol: 'BTCUSDT', side: 'SELL', type: 'LIMIT_MAKER', quantity: '0.001', price: '50000' })), 'LIMIT_MAKER'),
    ).toBe(undefined);
  });

  it('a limit maker buy when the ask is one tick: no price rests above zero, so no correction', () => {
    const r = preflight(
      input(
        { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT_MAKER', quantity: '600', price: '0.01' },
        { market: { bid: null, ask: '0.01', last: '0.01', at: 1 } },
      ),
    );
    expect(issue(r, 'LIMIT_MAKER')?.correction).toBeNull();
  });

  it('a limit order that crosses: a warning that it fills at once as a taker, on each side', () => {
    const buy = preflight(input(limit('BUY', '0.001', '50000')));
    expect(warning(buy, 'immediate-fill')).toBe(
      'This limit buy is at or above the best ask 50,000.00: it will fill at once as a taker (higher fee), like a market order.',
    );
    expect(warning(preflight(input(limit('BUY', '0.001', '49999.99'))), 'immediate-fill')).toBeUndefined();
    const sell = preflight(input(limit('SELL', '0.001', '49999.99')));
    expect(warning(sell, 'immediate-fill')).toBe(
      'This limit sell is at or below the best bid 49,999.99: it will fill at once as a taker (higher fee), like a market order.',
    );
    expect(warning(preflight(input(limit('SELL', '0.001', '50000'))), 'immediate-fill')).toBeUndefined();
    // A stop-limit's price is not compared with the book.
    const stop = preflight(input(limit('BUY', '0.001', '50000', { type: 'STOP_LOSS_LIMIT', stopPrice: '50001' })));
    expect(warning(stop, 'immediate-fill')).toBeUndefined();
  });

  it('far from the market: beyond the threshold only, above or below, at its own threshold when given', () => {
    // 5 % of 50,000 is 2,500.
    expect(warning(preflight(input(limit('BUY', '0.001', '47500'))), 'far-from-market')).toBeUndefined();
    expect(warning(preflight(input(limit('BUY', '0.001', '47499.99'))), 'far-from-market')).toBe(
      'The limit price is 5 % below the market price 50,000.00. Check it is the price you mean.',
    );
    expect(warning(preflight(input(limit('SELL', '0.001', '60000'))), 'far-from-market')).toBe(
      'The limit price is 20 % above the market price 50,000.00. Check it is the price you mean.',
    );
    const strictFar = { thresholds: { farFromMarket: '0.01' } };
    expect(warning(preflight(input(limit('SELL', '0.001', '50600'), strictFar)), 'far-from-market')).toBe(
      'The limit price is 1.2 % above the market price 50,000.00. Check it is the price you mean.',
    );
    expect(warning(preflight(input(limit('SELL', '0.001', '50500'), strictFar)), 'far-from-market')).toBeUndefined();
    // A limit maker and an OCO are limit prices too; a stop-limit's is not judged this way.
    expect(
      warning(
        preflight(input({ symbol: 'BTCUSDT', side: 'SELL', type: 'LIMIT_MAKER', quantity: '0.001', price: '60000' })),
        'far-from-market',
      ),
    ).toBeDefined();
    expect(
      warning(preflight(input(limit('BUY', '0.001', '40000', { type: 'TAKE_PROFIT_LIMIT', stopPrice: '40000' }))), 'far-from-market'),
    ).toBe(undefined);
    // No last price (or a zero one): nothing to compare with.
    expect(
      warning(preflight(input(limit('BUY', '0.001', '40000'), { market: { ...QUOTE, last: null } })), 'far-from-market'),
    ).toBeUndefined();
    expect(
      warning(preflight(input(limit('BUY', '0.001', '40000'), { market: { ...QUOTE, last: '0' } })), 'far-from-market'),
    ).toBeUndefined();
  });

  it('a stop that would trigger at once: which side of the market it must be on, for each kind', () => {
    const stop = (type: 'STOP_LOSS_LIMIT' | 'TAKE_PROFIT_LIMIT', side: 'BUY' | 'SELL', stopPrice: string) =>
      issue(preflight(input(limit(side, '0.001', stopPrice, { type, stopPrice }), {}, { USDT: '100000' })), 'STOP_PRICE');
    const tail = 'otherwise it would trigger at once and Binance would reject it.';
    expect(stop('STOP_LOSS_LIMIT', 'BUY', '50000')).toEqual({
      code: 'STOP_PRICE',
      field: 'stopPrice',
      correction: null,
      message: `The stop price must be above the market price 50,000.00 for a stop-loss buy; ${tail}`,
    });
    expect(stop('STOP_LOSS_LIMIT', 'BUY', '50000.01')).toBeUndefined();
    expect(stop('STOP_LOSS_LIMIT', 'SELL', '50000')?.message).toBe(
      `The stop price must be below the market price 50,000.00 for a stop-loss sell; ${tail}`,
    );
    expect(stop('STOP_LOSS_LIMIT', 'SELL', '49999.99')).toBeUndefined();
    expect(stop('TAKE_PROFIT_LIMIT', 'BUY', '50000')?.message).toBe(
      `The stop price must be below the market price 50,000.00 for a take-profit buy; ${tail}`,
    );
    expect(stop('TAKE_PROFIT_LIMIT', 'BUY', '49999.99')).toBeUndefined();
    expect(stop('TAKE_PROFIT_LIMIT', 'SELL', '50000')?.message).toBe(
      `The stop price must be above the market price 50,000.00 for a take-profit sell; ${tail}`,
    );
    expect(stop('TAKE_PROFIT_LIMIT', 'SELL', '50000.01')).toBeUndefined();
    // Without a last price there is nothing to compare with.
    const blind = preflight(
      input(limit('BUY', '0.001', '40000', { type: 'STOP_LOSS_LIMIT', stopPrice: '1' }), { market: { ...QUOTE, last: null } }),
    );
    expect(issue(blind, 'STOP_PRICE')).toBeUndefined();
  });

  it('a market order says which price its estimate uses: the ask to buy, the bid to sell, else the last', () => {
    const market = (side: 'BUY' | 'SELL', q: MarketQuote | undefined) =>
      warning(preflight(input({ symbol: 'BTCUSDT', side, type: 'MARKET', quantity: '0.001' }, { market: q })), 'market-estimate');
    const moved = { bid: '49989.99', ask: '49990', last: '50000', at: 1 };
    expect(market('BUY', moved)).toBe("A market order's price is not known in advance; the estimate uses the best ask 49,990.00.");
    expect(market('SELL', moved)).toBe("A market order's price is not known in advance; the estimate uses the best bid 49,989.99.");
    expect(market('SELL', { bid: null, ask: null, last: '49000', at: 1 })).toBe(
      "A market order's price is not known in advance; the estimate uses the best bid 49,000.00.",
    );
    expect(market('BUY', undefined)).toBeUndefined();
  });
});

describe('the estimate', () => {
  it('liquidity: a resting limit and a limit maker are maker; a crossing limit, a market and a stop-limit are taker', () => {
    const liquidity = (d: OrderDraftInput) => preflight(input(d, {}, { USDT: '100000', BTC: '10' })).estimate?.liquidity;
    expect(liquidity(limit('BUY', '0.001', '49999.99'))).toBe('maker');
    expect(liquidity(limit('BUY', '0.001', '50000'))).toBe('taker');
    expect(liquidity(limit('SELL', '0.001', '50000'))).toBe('maker');
    expect(liquidity(limit('SELL', '0.001', '49999.99'))).toBe('taker');
    expect(liquidity({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT_MAKER', quantity: '0.001', price: '49000' })).toBe('maker');
    expect(liquidity(limit('BUY', '0.001', '49000', { type: 'STOP_LOSS_LIMIT', stopPrice: '50001' }))).toBe('taker');
    expect(liquidity(limit('BUY', '0.001', '51000', { type: 'TAKE_PROFIT_LIMIT', stopPrice: '49000' }))).toBe('taker');
    expect(liquidity({ symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', quantity: '0.001' })).toBe('taker');
    // Without a book a limit is taken as resting.
    const noBook = preflight(input(limit('BUY', '0.001', '60000'), { market: { bid: null, ask: null, last: '50000', at: 1 } }));
    expect(noBook.estimate?.liquidity).toBe('maker');
  });

  it('a buy: the fee in the base asset rounded up, what is received rounded down; the standard rate when unknown', () => {
    const r = preflight(input(limit('BUY', '0.00333', '30000.01'), { rates: undefined }));
    expect(r.estimate).toEqual({
      notional: '99.9000333',
      price: '30000.01',
      liquidity: 'maker',
      feeRate: '0.001',
      fee: '0.00000333',
      feeAsset: 'BTC',
      total: '99.9000333',
      totalAsset: 'USDT',
      receive: '0.00332667',
      receiveAsset: 'BTC',
      bnbDiscount: false,
    });
    // 0.00013 x 0.0012345 = 0.000000160485: the fee rounds up to 0.00000017.
    const odd = preflight(input(limit('BUY', '0.00013', '40000'), { rates: { maker: '0.0012345', taker: '0.002', bnbDiscount: true } }));
    expect(odd.estimate).toMatchObject({ fee: '0.00000017', receive: '0.00012983', bnbDiscount: true });
  });

  it('a sell without known commission rates: the standard rate, no BNB discount', () => {
    const r = preflight(input(limit('SELL', '0.001', '55000'), { rates: undefined }));
    expect(r.estimate).toMatchObject({ feeRate: '0.001', fee: '0.055', bnbDiscount: false });
  });

  it('a sell: the fee in the quote asset rounded up, the net rounded down', () => {
    const book = { market: { bid: '30000', ask: '30000.02', last: '30000.01', at: 1 } };
    const r = preflight(input(limit('SELL', '0.00333', '30000.01'), book));
    expect(r.estimate).toEqual({
      notional: '99.9000333',
      price: '30000.01',
      liquidity: 'maker',
      feeRate: '0.001',
      fee: '0.09990004',
      feeAsset: 'USDT',
      total: '99.80013326',
      totalAsset: 'USDT',
      receive: '99.80013326',
      receiveAsset: 'USDT',
      bnbDiscount: false,
    });
    // 0.00033 x 30,000.01 = 9.9000033 is the value; the fee 0.0099000033 rounds up to 0.00990001.
    const rounding = preflight(input(limit('SELL', '0.00033', '30000.01'), book));
    expect(rounding.estimate).toMatchObject({ notional: '9.9000033', fee: '0.00990001', receive: '9.89010329' });
  });

  it('a market buy by amount: the quantity estimated at the ask, the amount as the total', () => {
    const moved = { bid: '49999.99', ask: '50000', last: '49000', at: 1 };
    const r = preflight(input({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quoteOrderQty: '100' }, { market: moved }));
    expect(r.estimate).toEqual({
      notional: '100',
      price: '50000',
      liquidity: 'taker',
      feeRate: '0.002',
      fee: '0.000004',
      feeAsset: 'BTC',
      total: '100',
      totalAsset: 'USDT',
      receive: '0.001996',
      receiveAsset: 'BTC',
      bnbDiscount: false,
    });
    // No market price at all: no estimate, and no balance check that would need one.
    expect(
      preflight(input({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quoteOrderQty: '100' }, { market: undefined })).estimate,
    ).toBeNull();
  });

  it('a market sell by amount needs the amount divided by the bid, in the base asset', () => {
    const ok = preflight(input({ symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', quoteOrderQty: '4999.999' }, {}, { BTC: '0.1' }));
    expect(ok.issues).toEqual([]);
    const short = preflight(input({ symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', quoteOrderQty: '5000' }, {}, { BTC: '0.1' }));
    expect(issue(short, 'BALANCE')?.message).toBe(
      'This order needs 0.10000003 BTC but only 0.1 BTC is free (funds held by open orders do not count).',
    );
  });
});

describe('the free balance', () => {
  it('exactly the free balance is allowed (with the most-of-balance warning); a step more is an issue', () => {
    const all = preflight(input(limit('BUY', '0.02', '50000'), {}, { USDT: '1000' }));
    expect(all.issues).toEqual([]);
    expect(warning(all, 'most-of-balance')).toBe('This order uses 100 % of your free USDT.');
    const more = preflight(input(limit('BUY', '0.02001', '50000'), {}, { USDT: '1000' }));
    expect(issue(more, 'BALANCE')).toEqual({
      code: 'BALANCE',
      field: 'quantity',
      message: 'This order needs 1,000.5 USDT but only 1,000 USDT is free (funds held by open orders do not count).',
      correction: { field: 'quantity', value: '0.02', label: 'Use the maximum 0.02' },
    });
  });

  it('the most-of-balance warning starts at the threshold, and a threshold can be given', () => {
    expect(warning(preflight(input(limit('SELL', '0.45', '50000'))), 'most-of-balance')).toBe('This order uses 90 % of your free BTC.');
    expect(warning(preflight(input(limit('SELL', '0.44999', '50000'))), 'most-of-balance')).toBeUndefined();
    const half = { thresholds: { mostOfBalance: '0.5' } };
    expect(warning(preflight(input(limit('SELL', '0.25', '50000'), half)), 'most-of-balance')).toBe(
      'This order uses 50 % of your free BTC.',
    );
    expect(warning(preflight(input(limit('SELL', '0.24999', '50000'), half)), 'most-of-balance')).toBeUndefined();
  });

  it('no free balance at all: the issue, and no Max to offer', () => {
    const r = preflight(input(limit('SELL', '0.001', '50000'), {}, { BTC: '' }));
    expect(r.available).toEqual({ asset: 'BTC', free: '0' });
    expect(issue(r, 'BALANCE')).toEqual({
      code: 'BALANCE',
      field: 'quantity',
      message: 'This order needs 0.001 BTC but only 0 BTC is free (funds held by open orders do not count).',
      correction: null,
    });
  });

  it('a buy OCO reserves the higher of its two prices', () => {
    const oco = (stopLimitPrice: string) =>
      preflight(
        input(
          { symbol: 'BTCUSDT', side: 'BUY', type: 'OCO', quantity: '0.02', price: '45000', stopPrice: '55000', stopLimitPrice },
          {},
          { USDT: '1000' },
        ),
      );
    // 0.02 x 50,000 = 1,000 fits; 0.02 x 50,000.01 does not, though the limit leg (45,000) would.
    expect(oco('50000').issues).toEqual([]);
    expect(issue(oco('50000.01'), 'BALANCE')?.message).toBe(
      'This order needs 1,000.0002 USDT but only 1,000 USDT is free (funds held by open orders do not count).',
    );
  });

  it('a sell OCO needs its quantity of the base asset', () => {
    const r = preflight(
      input(
        { symbol: 'BTCUSDT', side: 'SELL', type: 'OCO', quantity: '0.6', price: '55000', stopPrice: '45000', stopLimitPrice: '44900' },
        {},
        { BTC: '0.5' },
      ),
    );
    expect(issue(r, 'BALANCE')?.message).toBe(
      'This order needs 0.6 BTC but only 0.5 BTC is free (funds held by open orders do not count).',
    );
  });
});

describe('OCO orders', () => {
  const oco = (over: Partial<OrderDraftInput> = {}, side: 'BUY' | 'SELL' = 'SELL'): OrderDraftInput => ({
    symbol: 'BTCUSDT',
    side,
    type: 'OCO',
    quantity: '0.01',
    price: side === 'SELL' ? '55000' : '45000',
    stopPrice: side === 'SELL' ? '45000' : '55000',
    stopLimitPrice: side === 'SELL' ? '44900' : '55100',
    ...over,
  });

  it('an amount to spend or a time in force for the whole OCO is refused, each in words', () => {
    const r = preflight(input(oco({ quoteOrderQty: '100', timeInForce: 'GTC' })));
    expect(r.issues).toEqual([
      { code: 'PARAMETERS', field: 'quoteOrderQty', message: 'An OCO order takes a quantity, not an amount to spend.', correction: null },
      {
        code: 'PARAMETERS',
        field: 'timeInForce',
        message: 'In an OCO only the stop-limit leg has a time in force; choose the stop-limit time in force instead.',
        correction: null,
      },
    ]);
    expect(r.order).toBeNull();
  });

  it('the order sent: both legs canonical, the stop-limit time in force as chosen', () => {
    const r = preflight(input(oco({ quantity: '0.0100', stopLimitTimeInForce: 'FOK' }, 'BUY'), {}, { USDT: '10000' }));
    expect(r.issues).toEqual([]);
    expect(r.order).toEqual({
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'OCO',
      quantity: '0.01',
      price: '45000',
      stopPrice: '55000',
      stopLimitPrice: '55100',
      stopLimitTimeInForce: 'FOK',
    });
  });

  it('prices on the wrong side of the market: what each must be, for a buy and a sell', () => {
    const buy = preflight(input(oco({ price: '50000' }, 'BUY'), {}, { USDT: '10000' }));
    expect(buy.issues).toEqual([
      {
        code: 'OCO_PRICES',
        field: 'price',
        correction: null,
        message: 'For a buy OCO the limit price must be below the market price 50,000.00 and the stop price above it.',
      },
    ]);
    expect(issue(preflight(input(oco({ stopPrice: '50000' }, 'BUY'), {}, { USDT: '10000' })), 'OCO_PRICES')).toBeDefined();
    expect(preflight(input(oco({ price: '49999.99', stopPrice: '50000.01' }, 'BUY'), {}, { USDT: '10000' })).issues).toEqual([]);
    const sell = preflight(input(oco({ stopPrice: '50000' })));
    expect(sell.issues).toEqual([
      {
        code: 'OCO_PRICES',
        field: 'price',
        correction: null,
        message: 'For a sell OCO the limit price must be above the market price 50,000.00 and the stop price below it.',
      },
    ]);
    expect(issue(preflight(input(oco({ price: '50000' }))), 'OCO_PRICES')).toBeDefined();
    expect(preflight(input(oco({ price: '50000.01', stopPrice: '49999.99' }))).issues).toEqual([]);
    // Without a last price the order of the prices is not judged.
    expect(issue(preflight(input(oco({ stopPrice: '60000' }), { market: { ...QUOTE, last: null } })), 'OCO_PRICES')).toBeUndefined();
  });

  it("the stop leg's limit price is reported as the stop-limit price, once per problem", () => {
    const r = preflight(input(oco({ stopLimitPrice: '0.001' })));
    expect(r.issues.filter((i) => i.field === 'stopLimitPrice')).toEqual([
      {
        code: 'PRICE_FILTER',
        field: 'stopLimitPrice',
        message: 'The stop-limit price must be a multiple of the tick size 0.01.',
        // The lowest price the average allows fixes both problems; it goes with the first one.
        correction: { field: 'stopLimitPrice', value: '10000', label: 'Use 10,000.00' },
      },
      {
        code: 'PERCENT_PRICE_BY_SIDE',
        field: 'stopLimitPrice',
        message: 'The stop-limit price is more than 80 % below the recent average price 50,000.00.',
        correction: null,
      },
    ]);
    // Both legs refuse the same quantity: one issue, not two.
    const grid = symbolInfo({}, FILTERS.slice(0, 2));
    const both = preflight(input(oco({ quantity: '0.000001' }), { info: grid }));
    expect(both.issues).toEqual([
      {
        code: 'LOT_SIZE',
        field: 'quantity',
        message: 'The quantity is below the minimum 0.00001.',
        correction: { field: 'quantity', value: '0.00001', label: 'Use 0.00001' },
      },
    ]);
  });

  it('a missing stop-limit price is asked for on its own field', () => {
    const r = preflight(input(oco({ stopLimitPrice: '' })));
    expect(r.issues).toEqual([{ code: 'PARAMETERS', field: 'stopLimitPrice', message: 'Enter a limit price.', correction: null }]);
  });
});

describe('fields that belong to OCO orders only', () => {
  it('a stop-limit price or its time in force on another order is refused in words', () => {
    const r = preflight(input(limit('BUY', '0.001', '40000', { stopLimitPrice: '50000', stopLimitTimeInForce: 'GTC' })));
    expect(r.issues).toEqual([
      { code: 'PARAMETERS', field: 'stopLimitPrice', message: 'A stop-limit price belongs to OCO orders only.', correction: null },
      { code: 'PARAMETERS', field: 'stopLimitTimeInForce', message: 'This time in force belongs to OCO orders only.', correction: null },
    ]);
    expect(preflight(input(limit('BUY', '0.001', '40000', { stopLimitPrice: '  ' }))).ok).toBe(true);
    // The stray price does not size the presets: the Max is at the limit price (1,000 / 40,000).
    expect(r.presets.find((p) => p.percent === 100)?.value).toBe('0.025');
  });

  it('the order sent carries only the fields of its type', () => {
    const r = preflight(input(limit('BUY', '0.001', '49000', { type: 'STOP_LOSS_LIMIT', stopPrice: '50001.50' })));
    expect(r.order).toStrictEqual({
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'STOP_LOSS_LIMIT',
      quantity: '0.001',
      price: '49000',
      stopPrice: '50001.5',
      timeInForce: 'GTC',
    });
    const m = preflight(input({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quoteOrderQty: '100.50' }));
    expect(m.order).toStrictEqual({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quoteOrderQty: '100.5' });
  });
});

describe('account data and read-only mode', () => {
  it('account data that is not live: the issue in words, no order, never ok', () => {
    const r = preflight(input(limit('BUY', '0.001', '40000'), { accountLive: false }));
    expect(r.issues).toEqual([
      {
        code: 'ACCOUNT_DATA',
        field: 'symbol',
        correction: null,
        message:
          'The account data is not live (reconnecting or re-reading): the free balance and open orders shown may be wrong. Wait until it is live again.',
      },
    ]);
    expect(r.order).toBeNull();
  });

  it('read-only mode keeps the order to show but is never ok', () => {
    const r = preflight(input(limit('BUY', '0.001', '40000'), { disabledReason: 'Read-only mode.' }));
    expect(r.ok).toBe(false);
    expect(r.order).not.toBeNull();
  });
});

describe('25 / 50 / 75 / Max presets', () => {
  const presets = (d: OrderDraftInput, over: Partial<PreflightInput> = {}, balances: Record<string, string> = {}) =>
    preflight(input(d, over, balances)).presets;

  it('a market sell by amount: the amount the free base fetches at the bid, noted as an estimate', () => {
    const p = presets({ symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', quoteOrderQty: '100' }, {}, { BTC: '0.0004' });
    expect(p).toEqual([
      {
        percent: 25,
        field: 'quoteOrderQty',
        value: null,
        dust: '0',
        dustAsset: 'USDT',
        note: 'Below the minimum order value 5 USDT.',
      },
      { percent: 50, field: 'quoteOrderQty', value: '9.999998', dust: '0', dustAsset: 'USDT', note: 'Estimated at the best bid.' },
      { percent: 75, field: 'quoteOrderQty', value: '14.999997', dust: '0', dustAsset: 'USDT', note: 'Estimated at the best bid.' },
      { percent: 100, field: 'quoteOrderQty', value: '19.999996', dust: '0', dustAsset: 'USDT', note: 'Estimated at the best bid.' },
    ]);
    // No bid and no last price: nothing to value the base at, so no presets.
    expect(presets({ symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', quoteOrderQty: '100' }, { market: undefined })).toEqual([]);
  });

  it('a market buy by amount: the free quote at the quote precision, the rest as dust', () => {
    const info = symbolInfo({ quoteAssetPrecision: 2 });
    const p = presets({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quoteOrderQty: '10' }, { info }, { USDT: '20.019' });
    expect(p.map((x) => [x.percent, x.value, x.dust, x.note])).toEqual([
      [25, '5', '0.00475', null],
      [50, '10', '0.0095', null],
      [75, '15.01', '0.00425', null],
      [100, '20.01', '0.009', null],
    ]);
    const zero = presets(
      { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quoteOrderQty: '10' },
      { info: symbolInfo({}, []) },
      { USDT: '0' },
    );
    expect(zero.map((x) => x.value)).toEqual([null, null, null, null]);
  });

  it('a quantity capped at the largest order allowed says so', () => {
    const p = presets(limit('SELL', '1', '50000'), {}, { BTC: '20000' });
    expect(p.find((x) => x.percent === 100)).toEqual({
      percent: 100,
      field: 'quantity',
      value: '9000',
      dust: '11000',
      dustAsset: 'BTC',
      note: 'Capped at the largest order allowed (9,000).',
    });
    expect(p.find((x) => x.percent === 25)).toMatchObject({ value: '5000', note: null });
    // A maximum of zero means no maximum.
    const open = symbolInfo({}, [{ filterType: 'LOT_SIZE', minQty: '0.00001', maxQty: '0', stepSize: '0.00001' }]);
    expect(presets(limit('SELL', '1', '50000'), { info: open }, { BTC: '20000' }).find((x) => x.percent === 100)?.value).toBe('20000');
  });

  it('a share below the minimum quantity, or worth less than the minimum value, is no preset', () => {
    const minQty = symbolInfo({}, [{ filterType: 'LOT_SIZE', minQty: '0.1', maxQty: '9000', stepSize: '0.00001' }]);
    const p = presets(limit('SELL', '1', '50000'), { info: minQty }, { BTC: '0.2' });
    expect(p.map((x) => [x.percent, x.value, x.note])).toEqual([
      [25, null, 'Below the minimum order size.'],
      [50, '0.1', null],
      [75, '0.15', null],
      [100, '0.2', null],
    ]);
    // Minimum value 5 USDT at 50,000: 0.0001 BTC; 25 % of 0.0004 (0.0001) is exactly enough, 25 % of 0.00036 is not.
    expect(presets(limit('SELL', '0.001', '50000'), {}, { BTC: '0.0004' })[0]?.value).toBe('0.0001');
    expect(presets(limit('SELL', '0.001', '50000'), {}, { BTC: '0.00036' })[0]?.value).toBeNull();
  });

  it('a sell preset is valued at the limit price when there is one, else at the bid', () => {
    // 25 % of 0.0004 is 0.0001: worth 5 at 50,000 but 4 at 40,000.
    expect(presets(limit('SELL', '0.001', '40000'), {}, { BTC: '0.0004' })[0]?.value).toBeNull();
    const market = presets({ symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', quantity: '0.001' }, {}, { BTC: '0.0004' });
    expect(market[0]).toEqual({
      percent: 25,
      field: 'quantity',
      value: null,
      dust: '0',
      dustAsset: 'BTC',
      note: 'Below the minimum order size.',
    });
  });

  it('a buy OCO sizes its presets at the higher of its two prices, or at the one given', () => {
    const oco = (over: Partial<OrderDraftInput>) =>
      presets({ symbol: 'BTCUSDT', side: 'BUY', type: 'OCO', quantity: '0.001', stopPrice: '55000', ...over }, {}, { USDT: '1000' });
    expect(oco({ price: '40000', stopLimitPrice: '50000' }).find((x) => x.percent === 100)?.value).toBe('0.02');
    expect(oco({ price: '50000', stopLimitPrice: '40000' }).find((x) => x.percent === 100)?.value).toBe('0.02');
    expect(oco({ price: '40000' }).find((x) => x.percent === 100)?.value).toBe('0.025');
    expect(oco({ stopLimitPrice: '50000' }).find((x) => x.percent === 100)?.value).toBe('0.02');
  });

  it('a buy without a price to divide by has no quantity presets', () => {
    expect(presets({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '0.001', timeInForce: 'GTC' })).toEqual([]);
    expect(presets({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.001' }, { market: undefined })).toEqual([]);
  });
});

describe('one-click corrections: labels, and the Max only where it helps', () => {
  it('a price correction reads at the tick; a stop-limit price correction too', () => {
    const r = preflight(input(limit('BUY', '0.001', '40000.005')));
    expect(r.issues).toEqual([
      {
        code: 'PRICE_FILTER',
        field: 'price',
        message: 'The price must be a multiple of the tick size 0.01.',
        correction: { field: 'price', value: '40000', label: 'Use 40,000.00' },
      },
    ]);
    const oco = preflight(
      input({
        symbol: 'BTCUSDT',
        side: 'SELL',
        type: 'OCO',
        quantity: '0.01',
        price: '55000',
        stopPrice: '45000',
        stopLimitPrice: '44900.005',
      }),
    );
    expect(oco.issues).toEqual([
      {
        code: 'PRICE_FILTER',
        field: 'stopLimitPrice',
        message: 'The stop-limit price must be a multiple of the tick size 0.01.',
        correction: { field: 'stopLimitPrice', value: '44900.01', label: 'Use 44,900.01' },
      },
    ]);
  });

  it('an amount to spend above the balance: the Max of the free quote, labelled as the maximum', () => {
    const r = preflight(input({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quoteOrderQty: '2000' }, {}, { USDT: '1234.5' }));
    expect(r.issues).toEqual([
      {
        code: 'BALANCE',
        field: 'quoteOrderQty',
        message: 'This order needs 2,000 USDT but only 1,234.5 USDT is free (funds held by open orders do not count).',
        correction: { field: 'quoteOrderQty', value: '1234.5', label: 'Use the maximum 1,234.5' },
      },
    ]);
  });

  it('a balance too small for the smallest order: the issue, without a Max to offer', () => {
    // 1 USDT buys 0.00002 BTC at 40,000: worth 0.8, below the minimum value, so there is no Max.
    const r = preflight(input(limit('BUY', '0.1', '40000'), {}, { USDT: '1' }));
    expect(r.presets.find((p) => p.percent === 100)?.value).toBeNull();
    expect(r.issues).toEqual([
      {
        code: 'BALANCE',
        field: 'quantity',
        message: 'This order needs 4,000 USDT but only 1 USDT is free (funds held by open orders do not count).',
        correction: null,
      },
    ]);
  });

  it('a correction that would not make the whole draft pass is not offered', () => {
    // The price is off the tick and the balance is short: snapping the price alone does not pass.
    const r = preflight(input(limit('BUY', '1', '40000.005')));
    expect(r.issues.map((i) => [i.code, i.correction])).toEqual([['PRICE_FILTER', null]]);
  });

  it('no Max for a field the draft left empty, or for a field without an issue', () => {
    // The quantity is missing: the Max of the balance is not offered in its place.
    const missing = preflight(input({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', price: '40000', timeInForce: 'GTC' }));
    expect(missing.issues).toEqual([{ code: 'PARAMETERS', field: 'quantity', message: 'Enter a quantity.', correction: null }]);
    const blank = preflight(input(limit('BUY', '  ', '40000')));
    expect(blank.issues).toEqual([{ code: 'PARAMETERS', field: 'quantity', message: 'Enter a quantity.', correction: null }]);
    // A price issue the Max of the quantity would not fix.
    const price = preflight(input(limit('BUY', '0.001', '0.001')));
    expect(price.issues.every((i) => i.correction === null || i.correction.field === 'price')).toBe(true);
  });

  it('one correction per field, on the first issue of that field that offered one', () => {
    // Off the step and below the minimum value: the NOTIONAL suggestion passes, the step one does
    // not; the one that passes goes with the first issue of the field.
    const r = preflight(input(limit('BUY', '0.0000123', '40000')));
    expect(r.issues.map((i) => [i.code, i.field, i.correction?.value ?? null])).toEqual([
      ['LOT_SIZE', 'quantity', '0.00013'],
      ['NOTIONAL', 'quantity', null],
    ]);
  });

  it('a quantity of zero: the issue offers the Max of the balance', () => {
    const r = preflight(input(limit('BUY', '0', '40000')));
    expect(r.issues).toEqual([
      {
        code: 'PARAMETERS',
        field: 'quantity',
        message: 'The quantity must be greater than zero.',
        correction: { field: 'quantity', value: '0.025', label: 'Use the maximum 0.025' },
      },
    ]);
  });

  it('when only the Max rescues a field, it goes with the first issue of that field', () => {
    // Above the largest quantity and unaffordable: the LOT_SIZE suggestion (9,000) fails, the Max passes.
    const r = preflight(input(limit('BUY', '99999', '40000')));
    expect(r.issues.map((i) => [i.code, i.correction?.label ?? null])).toEqual([
      ['LOT_SIZE', 'Use the maximum 0.025'],
      ['NOTIONAL', null],
    ]);
  });
});

describe('edges of the market checks and the order building', () => {
  it('a plain resting limit order: no warning at all', () => {
    const r = preflight(input(limit('BUY', '0.001', '49999')));
    expect(r.warnings).toEqual([]);
    expect(r.ok).toBe(true);
  });

  it('a price that is zero or not a number is a filter issue, not a market warning', () => {
    const zero = preflight(input(limit('SELL', '0.001', '0')));
    expect(zero.warnings).toEqual([]);
    expect(zero.issues).toEqual([
      { code: 'PARAMETERS', field: 'price', message: 'The price must be greater than zero.', correction: null },
    ]);
    const text = preflight(input(limit('SELL', '0.001', 'abc')));
    expect(text.warnings).toEqual([]);
    expect(text.issues.map((i) => [i.field, i.message])).toEqual([
      ['price', 'The price is not a number: use digits and one decimal point, like 0.0012.'],
    ]);
  });

  it('a stop price issue stays on the stop price field', () => {
    const r = preflight(input(limit('BUY', '0.001', '49000', { type: 'STOP_LOSS_LIMIT', stopPrice: '50001.505' })));
    expect(r.issues).toEqual([
      {
        code: 'PRICE_FILTER',
        field: 'stopPrice',
        message: 'The stop price must be a multiple of the tick size 0.01.',
        correction: { field: 'stopPrice', value: '50001.5', label: 'Use 50,001.50' },
      },
    ]);
  });

  it('a missing stop price is asked for, not compared with the market', () => {
    const r = preflight(input(limit('BUY', '0.001', '49000', { type: 'STOP_LOSS_LIMIT' })));
    expect(r.issues).toEqual([{ code: 'PARAMETERS', field: 'stopPrice', message: 'Enter a stop (trigger) price.', correction: null }]);
  });

  it('a sell without a live bid: no crossing judged, the last price used', () => {
    const r = preflight(input(limit('SELL', '0.001', '49000'), { market: { ...QUOTE, bid: null } }));
    expect(r.warnings.map((w) => w.code)).toEqual(['no-market-data']);
    expect(r.estimate?.liquidity).toBe('maker');
  });

  it('a market sell with no price at all: quantity presets from the balance alone', () => {
    const p = preflight(input({ symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', quantity: '0.1' }, { market: undefined })).presets;
    expect(p.map((x) => x.value)).toEqual(['0.125', '0.25', '0.375', '0.5']);
  });

  it('a market buy by quantity: presets at the best ask', () => {
    const p = preflight(input({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.001' })).presets;
    expect(p.find((x) => x.percent === 100)).toMatchObject({ field: 'quantity', value: '0.02' });
  });

  it('a limit maker on a symbol without a tick size: no price to offer instead', () => {
    const info = symbolInfo({}, FILTERS.slice(1));
    const r = preflight(input({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT_MAKER', quantity: '0.001', price: '50000' }, { info }));
    expect(issue(r, 'LIMIT_MAKER')?.correction).toBeNull();
  });

  it('a price correction on a symbol without a tick size reads as typed', () => {
    const info = symbolInfo({}, FILTERS.slice(1));
    const r = preflight(input(limit('BUY', '0.001', '300000'), { info }, { USDT: '100000' }));
    expect(issue(r, 'PERCENT_PRICE_BY_SIDE')?.correction).toEqual({ field: 'price', value: '250000', label: 'Use 250,000' });
  });

  it('an amount correction reads as an amount, not cut to the step', () => {
    const r = preflight(input({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quoteOrderQty: '2000' }, {}, { USDT: '1234.567891' }));
    expect(issue(r, 'BALANCE')?.correction).toEqual({
      field: 'quoteOrderQty',
      value: '1234.567891',
      label: 'Use the maximum 1,234.567891',
    });
  });

  it('an amount with too many decimals: the correction goes with the issue that offered it', () => {
    const r = preflight(input({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quoteOrderQty: '0.000000001' }));
    expect(r.issues).toEqual([
      { code: 'PARAMETERS', field: 'quoteOrderQty', message: 'The amount has more than 8 decimals.', correction: null },
      {
        code: 'NOTIONAL',
        field: 'quoteOrderQty',
        message: 'The order value 0 USDT is below the minimum 5 USDT.',
        correction: { field: 'quoteOrderQty', value: '5', label: 'Use 5' },
      },
    ]);
  });

  it('NOTIONAL and MIN_NOTIONAL with the same words are both kept', () => {
    const info = symbolInfo({}, [...FILTERS, { filterType: 'MIN_NOTIONAL', minNotional: '5', applyToMarket: true, avgPriceMins: 5 }]);
    const r = preflight(input(limit('BUY', '0.00001', '40000'), { info }));
    expect(r.issues.map((i) => [i.code, i.message])).toEqual([
      ['NOTIONAL', 'The order value 0.4 USDT is below the minimum 5 USDT.'],
      ['MIN_NOTIONAL', 'The order value 0.4 USDT is below the minimum 5 USDT.'],
    ]);
  });
});

describe('OCO legs', () => {
  const oco = (over: Partial<OrderDraftInput> = {}): OrderDraftInput => ({
    symbol: 'BTCUSDT',
    side: 'SELL',
    type: 'OCO',
    quantity: '0.01',
    price: '55000',
    stopPrice: '45000',
    stopLimitPrice: '44900',
    ...over,
  });

  it("the limit leg's own issue is reported on the price", () => {
    const r = preflight(input(oco({ price: '55000.005' })));
    expect(r.issues).toEqual([
      {
        code: 'PRICE_FILTER',
        field: 'price',
        message: 'The price must be a multiple of the tick size 0.01.',
        correction: { field: 'price', value: '55000.01', label: 'Use 55,000.01' },
      },
    ]);
  });

  it('the same words on two fields are two issues', () => {
    const r = preflight(input(oco({ price: '', stopLimitPrice: '' })));
    expect(r.issues).toEqual([
      { code: 'PARAMETERS', field: 'price', message: 'Enter a limit price.', correction: null },
      { code: 'PARAMETERS', field: 'stopLimitPrice', message: 'Enter a limit price.', correction: null },
    ]);
  });

  it("each leg's order value below the minimum is its own issue", () => {
    const r = preflight(input(oco({ quantity: '0.00001' })));
    expect(r.issues.map((i) => [i.code, i.field, i.message])).toEqual([
      ['NOTIONAL', 'quantity', 'The order value 0.55 USDT is below the minimum 5 USDT.'],
      ['NOTIONAL', 'quantity', 'The order value 0.449 USDT is below the minimum 5 USDT.'],
    ]);
  });

  it('a missing stop price is asked for, and nothing is compared with the market', () => {
    const r = preflight(input(oco({ stopPrice: undefined })));
    expect(r.issues).toEqual([{ code: 'PARAMETERS', field: 'stopPrice', message: 'Enter a stop (trigger) price.', correction: null }]);
  });

  it("an OCO's limit leg is post-only: its estimate is at the maker rate even when the book has moved past it", () => {
    const market = { bid: '49990', ask: '49995', last: '50000', at: 1 };
    const r = preflight(
      input(oco({ side: 'BUY', price: '49996', stopPrice: '50100', stopLimitPrice: '50200' }), { market }, { USDT: '10000' }),
    );
    expect(r.issues).toEqual([]);
    expect(r.estimate).toMatchObject({ liquidity: 'maker', feeRate: '0.001' });
  });

  it('an OCO with an issue has no order and no estimate', () => {
    const r = preflight(input(oco({ stopPrice: '50000' })));
    expect(r.issues.map((i) => i.code)).toEqual(['OCO_PRICES']);
    expect(r.order).toBeNull();
    expect(r.estimate).toBeNull();
  });

  it('a limit price far from the market is said for an OCO too, but never that it fills at once', () => {
    const far = preflight(input(oco({ price: '60000' })));
    expect(warning(far, 'far-from-market')).toBe(
      'The limit price is 20 % above the market price 50,000.00. Check it is the price you mean.',
    );
    const crossing = preflight(input(oco({ price: '49000', stopPrice: '48000', stopLimitPrice: '47900' })));
    expect(crossing.warnings.map((w) => w.code)).not.toContain('immediate-fill');
  });
});

// What validateOrderDraft tells a person, rule by rule: the exact field, the exact words and
// figures, the exact suggestion, and the exact boundary where a value starts to fail. Written
// against the mutants Stryker left alive (docs/quality.md): a changed message, a `<` for a `<=`
// or a swapped side must each fail here.
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

const PRICE = { filterType: 'PRICE_FILTER', minPrice: '0.05000000', maxPrice: '100000.00000000', tickSize: '0.01000000' };
const LOT = { filterType: 'LOT_SIZE', minQty: '0.00100000', maxQty: '9000.00000000', stepSize: '0.00001000' };
const GRID = parseSymbolFilters([PRICE, LOT]);

const draftOf = (over: Partial<OrderDraft> = {}): OrderDraft => ({
  symbol: 'BTCUSDT',
  side: 'BUY',
  type: 'LIMIT',
  quantity: '1',
  price: '100',
  ...over,
});
const check = (over: Partial<OrderDraft>, ctx: Partial<ValidationContext> = {}, filters: SymbolFilters = GRID) =>
  validateOrderDraft(draftOf(over), { filters, ...ctx });
const none: SymbolFilters = parseSymbolFilters([]);

describe('parsing: what is kept, what is refused, and how the refusal reads', () => {
  it('entries that are not objects are skipped, not kept as unknown filters', () => {
    const f = parseSymbolFilters([null, 7, 'LOT_SIZE', LOT]);
    expect(f.unknown).toEqual([]);
    expect(f.lotSize?.minQty).toBe('0.00100000');
  });

  it('an entry without a filter type is kept as unknown, on both symbol and exchange filters', () => {
    expect(parseSymbolFilters([{ filterType: 5, x: 1 }, { y: 2 }]).unknown).toEqual([{ filterType: 5, x: 1 }, { y: 2 }]);
    const ex = parseExchangeFilters([{ filterType: 'EXCHANGE_SOMETHING', n: 1 }, LOT]);
    // LOT_SIZE is a symbol filter: on the exchange level it is unknown, not parsed.
    expect(ex.unknown).toEqual([{ filterType: 'EXCHANGE_SOMETHING', n: 1 }, LOT]);
  });

  it('a filter type named like an object property is unknown, not a crash', () => {
    const f = parseSymbolFilters([{ filterType: 'constructor' }, { filterType: 'toString' }, { filterType: '__proto__' }]);
    expect(f.unknown).toHaveLength(3);
    expect(parseExchangeFilters([{ filterType: 'hasOwnProperty' }]).unknown).toEqual([{ filterType: 'hasOwnProperty' }]);
  });

  it('a malformed known filter names the filter and the field', () => {
    let caught: unknown;
    try {
      parseSymbolFilters([{ filterType: 'LOT_SIZE', minQty: 0.001, maxQty: '1', stepSize: '0.001' }]);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(FilterParseError);
    const e = caught as FilterParseError;
    expect(e.name).toBe('FilterParseError');
    expect(e.filterType).toBe('LOT_SIZE');
    expect(e.message).toMatch(/^exchangeInfo filter LOT_SIZE has an unexpected shape: minQty \S/);
    expect(() => parseExchangeFilters([{ filterType: 'EXCHANGE_MAX_NUM_ORDERS', maxNumOrders: 1.5 }])).toThrow(
      /^exchangeInfo filter EXCHANGE_MAX_NUM_ORDERS has an unexpected shape: maxNumOrders \S/,
    );
  });

  it('a decimal field must be plain decimal text', () => {
    for (const bad of ['1e-8', '.5', '1.', '', ' 1']) {
      expect(() => parseSymbolFilters([{ ...LOT, stepSize: bad }]), bad).toThrow(FilterParseError);
    }
    expect(parseSymbolFilters([{ ...PRICE, minPrice: '-0.5' }]).price?.minPrice).toBe('-0.5');
  });
});

describe('symbol status and order type', () => {
  it('cancel-only and any other status block with their own words; TRADING and unknown do not', () => {
    expect(check({}, { status: 'CANCEL_ONLY' }).issues).toEqual([
      {
        filter: 'SYMBOL_STATUS',
        field: 'symbol',
        message: 'BTCUSDT is in cancel-only mode: open orders can be cancelled, but no new orders are accepted.',
      },
    ]);
    expect(check({}, { status: 'BREAK' }).issues).toEqual([
      {
        filter: 'SYMBOL_STATUS',
        field: 'symbol',
        message: 'BTCUSDT is not trading right now (status BREAK); new orders are not accepted.',
      },
    ]);
    expect(check({}, { status: 'TRADING' }).ok).toBe(true);
    expect(check({}).ok).toBe(true);
  });

  it('an order type the symbol does not take lists the ones it does', () => {
    expect(check({}, { orderTypes: ['MARKET', 'LIMIT_MAKER'] }).issues).toEqual([
      { filter: 'ORDER_TYPE', field: 'type', message: 'BTCUSDT does not accept LIMIT orders (allowed: MARKET, LIMIT_MAKER).' },
    ]);
    expect(check({}, { orderTypes: ['LIMIT'] }).ok).toBe(true);
  });
});

describe('fields the order type needs, and their syntax', () => {
  it('a value that is not a number, or not above zero, says so for its own field', () => {
    expect(check({ quantity: '1e-3' }).issues).toEqual([
      { filter: 'PARAMETERS', field: 'quantity', message: 'The quantity is not a number: use digits and one decimal point, like 0.0012.' },
    ]);
    expect(check({ price: '0' }).issues).toEqual([
      { filter: 'PARAMETERS', field: 'price', message: 'The price must be greater than zero.' },
    ]);
    expect(check({ quantity: '-2' }).issues).toEqual([
      { filter: 'PARAMETERS', field: 'quantity', message: 'The quantity must be greater than zero.' },
    ]);
    expect(check({ type: 'STOP_LOSS_LIMIT', stopPrice: 'abc', timeInForce: 'GTC' }).issues).toEqual([
      {
        filter: 'PARAMETERS',
        field: 'stopPrice',
        message: 'The stop price is not a number: use digits and one decimal point, like 0.0012.',
      },
    ]);
    expect(check({ icebergQty: '0' }).issues).toEqual([
      { filter: 'PARAMETERS', field: 'icebergQty', message: 'The visible (iceberg) quantity must be greater than zero.' },
    ]);
    expect(check({ type: 'MARKET', price: undefined, quantity: undefined, quoteOrderQty: '1,5' }, { avgPrice: '100' }).issues).toEqual([
      {
        filter: 'PARAMETERS',
        field: 'quoteOrderQty',
        message: 'The total is not a number: use digits and one decimal point, like 0.0012.',
      },
    ]);
  });

  it('a blank value is a missing value, not a malformed one', () => {
    expect(check({ quantity: '   ' }).issues).toEqual([{ filter: 'PARAMETERS', field: 'quantity', message: 'Enter a quantity.' }]);
    expect(check({ price: ' ' }).issues).toEqual([{ filter: 'PARAMETERS', field: 'price', message: 'Enter a limit price.' }]);
    expect(check({ price: undefined }).issues).toEqual([{ filter: 'PARAMETERS', field: 'price', message: 'Enter a limit price.' }]);
    expect(check({ quantity: undefined }).issues).toEqual([{ filter: 'PARAMETERS', field: 'quantity', message: 'Enter a quantity.' }]);
  });

  it('a market order: quantity or amount, exactly one, and the amount only where allowed', () => {
    const market = (over: Partial<OrderDraft>, ctx: Partial<ValidationContext> = {}) =>
      check({ type: 'MARKET', price: undefined, quantity: undefined, ...over }, { avgPrice: '100', ...ctx });
    expect(market({ quantity: '1', quoteOrderQty: '100' }).issues).toEqual([
      { filter: 'PARAMETERS', field: 'quoteOrderQty', message: 'A market order takes either a quantity or an amount to spend, not both.' },
    ]);
    expect(market({}).issues).toEqual([{ filter: 'PARAMETERS', field: 'quantity', message: 'Enter a quantity, or an amount to spend.' }]);
    expect(market({ quantity: ' ', quoteOrderQty: ' ' }).issues.map((i) => i.message)).toEqual([
      'Enter a quantity, or an amount to spend.',
    ]);
    expect(market({ quoteOrderQty: '100' }).ok).toBe(true);
    expect(market({ quantity: '1' }).ok).toBe(true);
    expect(market({ quoteOrderQty: '100' }, { quoteOrderQtyMarketAllowed: false }).issues).toEqual([
      {
        filter: 'PARAMETERS',
        field: 'quoteOrderQty',
        message: 'BTCUSDT does not accept market orders by amount; enter a quantity instead.',
      },
    ]);
    expect(market({ quoteOrderQty: '100' }, { quoteOrderQtyMarketAllowed: true }).ok).toBe(true);
    expect(market({ quantity: '1' }, { quoteOrderQtyMarketAllowed: false }).ok).toBe(true);
  });

  it('an amount to spend on anything but a market order is refused', () => {
    expect(check({ quoteOrderQty: '100' }).issues).toEqual([
      { filter: 'PARAMETERS', field: 'quoteOrderQty', message: 'An amount to spend is only possible on market orders.' },
    ]);
  });

  it('a price or a stop price where the type has none, and a missing stop price', () => {
    expect(check({ type: 'MARKET', price: '100' }, { avgPrice: '100' }).issues).toEqual([
      { filter: 'PARAMETERS', field: 'price', message: 'MARKET orders have no limit price.' },
    ]);
    expect(check({ stopPrice: '90' }).issues).toEqual([
      { filter: 'PARAMETERS', field: 'stopPrice', message: 'LIMIT orders have no stop price.' },
    ]);
    expect(check({ type: 'STOP_LOSS', price: undefined }).issues).toEqual([
      { filter: 'PARAMETERS', field: 'stopPrice', message: 'Enter a stop (trigger) price.' },
    ]);
    expect(check({ type: 'TAKE_PROFIT_LIMIT', stopPrice: '  ' }).issues).toEqual([
      { filter: 'PARAMETERS', field: 'stopPrice', message: 'Enter a stop (trigger) price.' },
    ]);
    // A trailing stop needs no stop price.
    expect(check({ type: 'STOP_LOSS', price: undefined, trailingDelta: 100 }).ok).toBe(true);
    expect(check({ type: 'STOP_LOSS', price: undefined, stopPrice: '90' }).ok).toBe(true);
  });

  it('time in force: GTC by default where it belongs, the one given kept, refused elsewhere', () => {
    expect(check({}).order.timeInForce).toBe('GTC');
    expect(check({ timeInForce: 'IOC' }).order.timeInForce).toBe('IOC');
    expect(check({ type: 'STOP_LOSS_LIMIT', stopPrice: '90' }).order.timeInForce).toBe('GTC');
    const maker = check({ type: 'LIMIT_MAKER', timeInForce: 'GTC' });
    expect(maker.issues).toEqual([
      { filter: 'PARAMETERS', field: 'timeInForce', message: 'LIMIT_MAKER orders do not take a time-in-force.' },
    ]);
    expect(maker.order.timeInForce).toBeUndefined();
    expect(check({ type: 'LIMIT_MAKER' }).order).toEqual({
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT_MAKER',
      quantity: '1',
      price: '100',
    });
  });

  it('a trailing delta must be a whole number of basis points above zero', () => {
    const message = 'The trailing delta is a whole number of basis points (100 = 1 %).';
    for (const bad of [0, -5, 1.5, Number.NaN, 2 ** 53]) {
      expect(check({ type: 'STOP_LOSS', price: undefined, trailingDelta: bad }).issues, String(bad)).toEqual([
        { filter: 'PARAMETERS', field: 'trailingDelta', message },
      ]);
    }
    const one = check({ type: 'STOP_LOSS', price: undefined, trailingDelta: 1 });
    expect(one.ok).toBe(true);
    expect(one.order.trailingDelta).toBe(1);
  });
});

describe('PRICE_FILTER', () => {
  it('off the tick in adjust mode: a buy rounds down, a sell up, each reported with its words', () => {
    const buy = check({ price: '100.129' });
    expect(buy.ok).toBe(true);
    expect(buy.order.price).toBe('100.12');
    expect(buy.adjustments).toEqual([
      { filter: 'PRICE_FILTER', field: 'price', from: '100.129', to: '100.12', message: 'The price rounded down to the tick size 0.01.' },
    ]);
    const sell = check({ side: 'SELL', type: 'STOP_LOSS_LIMIT', stopPrice: '99.001', price: '99', timeInForce: 'GTC' });
    expect(sell.adjustments).toEqual([
      {
        filter: 'PRICE_FILTER',
        field: 'stopPrice',
        from: '99.001',
        to: '99.01',
        message: 'The stop price rounded up to the tick size 0.01.',
      },
    ]);
    expect(sell.order.stopPrice).toBe('99.01');
  });

  it('off the tick in strict mode: an issue with the snapped value, the draft unchanged', () => {
    const r = check({ price: '100.129' }, { mode: 'strict' });
    expect(r.issues).toEqual([
      { filter: 'PRICE_FILTER', field: 'price', message: 'The price must be a multiple of the tick size 0.01.', suggestion: '100.12' },
    ]);
    expect(r.adjustments).toEqual([]);
    expect(r.order.price).toBe('100.129');
    expect(check({ price: '100.129' }, { mode: 'adjust' }).ok).toBe(true);
  });

  it('a price that snaps to zero suggests the smallest valid price (the minimum, or the tick when that is larger)', () => {
    expect(check({ price: '0.005' }).issues).toEqual([
      { filter: 'PRICE_FILTER', field: 'price', message: 'The price is below the minimum 0.05.', suggestion: '0.05' },
    ]);
    const noMin = parseSymbolFilters([{ ...PRICE, minPrice: '0' }, LOT]);
    const r = check({ price: '0.005', quantity: '1' }, {}, noMin);
    expect(r.issues).toEqual([
      { filter: 'PRICE_FILTER', field: 'price', message: 'The price is below the minimum 0.01.', suggestion: '0.01' },
    ]);
    expect(r.order.price).toBe('0.005');
    // A minimum off the tick: the smallest valid price is the minimum rounded up to the tick.
    const odd = parseSymbolFilters([{ ...PRICE, minPrice: '0.015' }, LOT]);
    expect(check({ price: '0.004' }, {}, odd).issues[0]?.suggestion).toBe('0.02');
  });

  it('the minimum and the maximum price are allowed; one tick beyond each is not', () => {
    expect(check({ price: '0.05' }).ok).toBe(true);
    expect(check({ price: '100000' }).ok).toBe(true);
    expect(check({ price: '0.04' }).issues).toEqual([
      { filter: 'PRICE_FILTER', field: 'price', message: 'The price is below the minimum 0.05.', suggestion: '0.05' },
    ]);
    expect(check({ price: '100000.01' }).issues).toEqual([
      { filter: 'PRICE_FILTER', field: 'price', message: 'The price is above the maximum 100,000.00.', suggestion: '100000' },
    ]);
    expect(check({ type: 'STOP_LOSS_LIMIT', stopPrice: '100000.01', timeInForce: 'GTC' }).issues).toEqual([
      { filter: 'PRICE_FILTER', field: 'stopPrice', message: 'The stop price is above the maximum 100,000.00.', suggestion: '100000' },
    ]);
  });

  it('a maximum of zero means no maximum; no price filter means no price rule', () => {
    const open = parseSymbolFilters([{ ...PRICE, maxPrice: '0' }, LOT]);
    expect(check({ price: '99999999' }, {}, open).ok).toBe(true);
    const r = check({ price: '0.0000001' }, {}, none);
    expect(r.ok).toBe(true);
    expect(r.order.price).toBe('0.0000001');
  });
});

describe('LOT_SIZE and MARKET_LOT_SIZE', () => {
  it('off the step in adjust mode: floored and reported, for the quantity and the visible quantity', () => {
    const r = check({ quantity: '1.234567', icebergQty: '0.1000009' });
    expect(r.order.quantity).toBe('1.23456');
    expect(r.order.icebergQty).toBe('0.1');
    expect(r.adjustments).toEqual([
      {
        filter: 'LOT_SIZE',
        field: 'quantity',
        from: '1.234567',
        to: '1.23456',
        message: 'The quantity rounded down to the step size 0.00001.',
      },
      {
        filter: 'LOT_SIZE',
        field: 'icebergQty',
        from: '0.1000009',
        to: '0.1',
        message: 'The visible (iceberg) quantity rounded down to the step size 0.00001.',
      },
    ]);
  });

  it('off the step in strict mode: an issue with the floored value', () => {
    expect(check({ quantity: '1.234567' }, { mode: 'strict' }).issues).toEqual([
      {
        filter: 'LOT_SIZE',
        field: 'quantity',
        message: 'The quantity must be a multiple of the step size 0.00001.',
        suggestion: '1.23456',
      },
    ]);
  });

  it('a quantity that floors to zero suggests the smallest valid quantity, as a quantity', () => {
    expect(check({ quantity: '0.000001' }).issues).toEqual([
      { filter: 'LOT_SIZE', field: 'quantity', message: 'The quantity is below the minimum 0.001.', suggestion: '0.001' },
    ]);
    const noMin = parseSymbolFilters([PRICE, { ...LOT, minQty: '0' }]);
    expect(check({ quantity: '0.000001' }, {}, noMin).issues).toEqual([
      { filter: 'LOT_SIZE', field: 'quantity', message: 'The quantity is below the minimum 0.00001.', suggestion: '0.00001' },
    ]);
  });

  it('the minimum and maximum quantity are allowed; one step beyond each is not', () => {
    expect(check({ quantity: '0.001', price: '10' }).ok).toBe(true);
    expect(check({ quantity: '9000' }).ok).toBe(true);
    expect(check({ quantity: '0.00099' }).issues).toEqual([
      { filter: 'LOT_SIZE', field: 'quantity', message: 'The quantity is below the minimum 0.001.', suggestion: '0.001' },
    ]);
    expect(check({ quantity: '9000.00001' }).issues).toEqual([
      { filter: 'LOT_SIZE', field: 'quantity', message: 'The quantity is above the maximum 9,000.', suggestion: '9000' },
    ]);
  });

  it('the largest quantity suggested is on the step even when the maximum is not', () => {
    const odd = parseSymbolFilters([PRICE, { ...LOT, maxQty: '10.5', stepSize: '1', minQty: '1' }]);
    expect(check({ quantity: '11' }, {}, odd).issues).toEqual([
      { filter: 'LOT_SIZE', field: 'quantity', message: 'The quantity is above the maximum 10.', suggestion: '10' },
    ]);
  });

  it('MARKET_LOT_SIZE alone (no LOT_SIZE): the figures read as the quantity was typed', () => {
    const f = parseSymbolFilters([{ filterType: 'MARKET_LOT_SIZE', minQty: '0.5', maxQty: '1000', stepSize: '0.5' }]);
    expect(check({ type: 'MARKET', price: undefined, quantity: '1234.5' }, {}, f).issues).toEqual([
      {
        filter: 'MARKET_LOT_SIZE',
        field: 'quantity',
        message: 'The quantity is above the maximum 1,000 for market orders.',
        suggestion: '1000',
      },
    ]);
    expect(check({ type: 'MARKET', price: undefined, quantity: '0.25' }, {}, f).issues[0]?.message).toBe(
      'The quantity is below the minimum 0.5.',
    );
  });

  it('a maximum quantity of zero means no maximum', () => {
    const open = parseSymbolFilters([PRICE, { ...LOT, maxQty: '0' }]);
    expect(check({ quantity: '123456789', price: '0.05' }, {}, open).ok).toBe(true);
  });

  it('MARKET_LOT_SIZE binds market-like orders (market, stop-loss, take-profit), not limit orders, and says so', () => {
    const f = parseSymbolFilters([PRICE, LOT, { filterType: 'MARKET_LOT_SIZE', minQty: '0', maxQty: '100', stepSize: '0' }]);
    const over = { filter: 'MARKET_LOT_SIZE', field: 'quantity', message: 'The quantity is above the maximum 100 for market orders.' };
    // A step of zero means no step: the maximum itself is the suggestion.
    expect(check({ type: 'MARKET', price: undefined, quantity: '150' }, {}, f).issues).toEqual([{ ...over, suggestion: '100' }]);
    expect(check({ type: 'STOP_LOSS', price: undefined, stopPrice: '90', quantity: '150' }, {}, f).issues).toEqual([
      { ...over, suggestion: '100' },
    ]);
    expect(check({ type: 'TAKE_PROFIT', price: undefined, stopPrice: '90', quantity: '100' }, {}, f).ok).toBe(true);
    expect(check({ type: 'TAKE_PROFIT', price: undefined, stopPrice: '90', quantity: '150' }, {}, f).issues).toEqual([
      { ...over, suggestion: '100' },
    ]);
    expect(check({ quantity: '150' }, {}, f).ok).toBe(true);
  });
});

describe('the amount to spend (quoteOrderQty) and the quote precision', () => {
  const market = (quoteOrderQty: string, ctx: Partial<ValidationContext> = {}) =>
    check({ type: 'MARKET', price: undefined, quantity: undefined, quoteOrderQty }, { avgPrice: '100', quoteAssetPrecision: 2, ...ctx });

  it('more decimals than the quote asset has: floored and reported; strict: an issue', () => {
    const r = market('10.129');
    expect(r.order.quoteOrderQty).toBe('10.12');
    expect(r.adjustments).toEqual([
      { filter: 'PARAMETERS', field: 'quoteOrderQty', from: '10.129', to: '10.12', message: 'Amount rounded down to 2 decimals.' },
    ]);
    expect(market('10.129', { mode: 'strict' }).issues).toEqual([
      { filter: 'PARAMETERS', field: 'quoteOrderQty', message: 'The amount has more than 2 decimals.', suggestion: '10.12' },
    ]);
  });

  it('exactly as many decimals is fine; an amount that floors to zero is an issue without a suggestion', () => {
    const exact = market('10.12');
    expect(exact.adjustments).toEqual([]);
    expect(exact.issues).toEqual([]);
    expect(market('0.001').issues).toEqual([
      { filter: 'PARAMETERS', field: 'quoteOrderQty', message: 'The amount has more than 2 decimals.' },
    ]);
    expect(market('10.129', { quoteAssetPrecision: undefined }).order.quoteOrderQty).toBe('10.129');
  });
});

describe('NOTIONAL and MIN_NOTIONAL', () => {
  const NOTIONAL = {
    filterType: 'NOTIONAL',
    minNotional: '10.00000000',
    applyMinToMarket: true,
    maxNotional: '1000.00000000',
    applyMaxToMarket: true,
    avgPriceMins: 5,
  };
  const withNotional = (over: Record<string, unknown> = {}) => parseSymbolFilters([PRICE, LOT, { ...NOTIONAL, ...over }]);

  it('the value of a limit order is quantity x limit price; at the minimum and maximum it passes', () => {
    const f = withNotional();
    expect(check({ quantity: '0.1', price: '100' }, {}, f).ok).toBe(true);
    expect(check({ quantity: '10', price: '100' }, {}, f).ok).toBe(true);
    expect(check({ quantity: '0.09999', price: '100' }, { quoteAsset: 'USDT' }, f).issues).toEqual([
      { filter: 'NOTIONAL', field: 'quantity', message: 'The order value 9.999 USDT is below the minimum 10 USDT.', suggestion: '0.1' },
    ]);
    expect(check({ quantity: '10.00001', price: '100' }, {}, f).issues).toEqual([
      { filter: 'NOTIONAL', field: 'quantity', message: 'The order value 1,000.001 is above the maximum 1,000.', suggestion: '10' },
    ]);
  });

  it('the suggested quantity rounds up for the minimum and down for the maximum, on the step', () => {
    const f = withNotional();
    expect(check({ quantity: '0.001', price: '300' }, {}, f).issues[0]?.suggestion).toBe('0.03334');
    expect(check({ quantity: '5', price: '300' }, {}, f).issues[0]?.suggestion).toBe('3.33333');
  });

  it('figures compared with a limit round away from it, the limit towards the value', () => {
    const f = withNotional({ minNotional: '10.000000001', maxNotional: '1000.000000009' });
    const c = { quoteAsset: 'USDT' };
    expect(check({ quantity: '0.1', price: '99.99' }, c, f).issues[0]?.message).toBe(
      'The order value 9.999 USDT is below the minimum 10.00000001 USDT.',
    );
    const market = check({ type: 'MARKET', price: undefined, quantity: undefined, quoteOrderQty: '1000.0000000091' }, c, f);
    expect(market.issues).toEqual([
      {
        filter: 'NOTIONAL',
        field: 'quoteOrderQty',
        message: 'The order value 1,000.00000001 USDT is above the maximum 1,000 USDT.',
        suggestion: '1000.000000009',
      },
    ]);
    const below = check({ type: 'MARKET', price: undefined, quantity: undefined, quoteOrderQty: '9.9999999999' }, c, f);
    expect(below.issues[0]?.message).toBe('The order value 9.99999999 USDT is below the minimum 10.00000001 USDT.');
  });

  it('a market order is valued at the average price; a stop order at its stop price, else the average', () => {
    const f = withNotional();
    const market = (quantity: string, avgPrice?: string) =>
      check({ type: 'MARKET', price: undefined, quantity }, avgPrice === undefined ? {} : { avgPrice }, f);
    expect(market('0.05', '100').issues).toEqual([
      { filter: 'NOTIONAL', field: 'quantity', message: 'The order value 5 is below the minimum 10.', suggestion: '0.1' },
    ]);
    expect(market('0.05', '200').ok).toBe(true);
    // Without an average price the value is not known, so not checked.
    expect(market('0.05').ok).toBe(true);
    const stop = (stopPrice: string | undefined, avgPrice: string) =>
      check(
        { type: 'STOP_LOSS', price: undefined, quantity: '0.05', ...(stopPrice ? { stopPrice } : { trailingDelta: 100 }) },
        { avgPrice },
        f,
      );
    expect(stop('100', '1000').issues.map((i) => i.filter)).toEqual(['NOTIONAL']);
    expect(stop('300', '100').ok).toBe(true);
    expect(stop(undefined, '100').issues.map((i) => i.filter)).toEqual(['NOTIONAL']);
    expect(stop(undefined, '300').ok).toBe(true);
    // A market order is valued at the average even when it (wrongly) carries a stop price.
    expect(check({ type: 'MARKET', price: undefined, quantity: '0.05', stopPrice: '300' }, { avgPrice: '100' }, f).issues).toEqual([
      { filter: 'PARAMETERS', field: 'stopPrice', message: 'MARKET orders have no stop price.' },
      { filter: 'NOTIONAL', field: 'quantity', message: 'The order value 5 is below the minimum 10.', suggestion: '0.1' },
    ]);
    // A limit order is valued at its own price, never the average.
    expect(check({ quantity: '0.05', price: '300' }, { avgPrice: '100' }, f).ok).toBe(true);
    expect(check({ quantity: '0.05', price: '100' }, { avgPrice: '300' }, f).issues.map((i) => i.filter)).toEqual(['NOTIONAL']);
  });

  it('an average price of zero gives a value of zero and no suggestion (never a division by zero)', () => {
    const r = check({ type: 'MARKET', price: undefined, quantity: '1' }, { avgPrice: '0' }, withNotional());
    expect(r.issues).toEqual([{ filter: 'NOTIONAL', field: 'quantity', message: 'The order value 0 is below the minimum 10.' }]);
  });

  it('the minimum and maximum bind market orders only when the filter says so', () => {
    const f = withNotional({ applyMinToMarket: false, applyMaxToMarket: false });
    const market = (quantity: string) => check({ type: 'MARKET', price: undefined, quantity }, { avgPrice: '100' }, f);
    expect(market('0.01').ok).toBe(true);
    expect(market('20').ok).toBe(true);
    expect(check({ quantity: '0.01' }, {}, f).issues.map((i) => i.filter)).toEqual(['NOTIONAL']);
    expect(check({ quantity: '20' }, {}, f).issues.map((i) => i.filter)).toEqual(['NOTIONAL']);
    const minOnly = withNotional({ applyMinToMarket: true, applyMaxToMarket: false });
    expect(check({ type: 'MARKET', price: undefined, quantity: '20' }, { avgPrice: '100' }, minOnly).ok).toBe(true);
    expect(check({ type: 'MARKET', price: undefined, quantity: '0.01' }, { avgPrice: '100' }, minOnly).issues).toHaveLength(1);
  });

  it('a maximum of zero means no maximum', () => {
    expect(check({ quantity: '9000', price: '100000' }, {}, withNotional({ maxNotional: '0' })).ok).toBe(true);
  });

  it('MIN_NOTIONAL: the same minimum, with its own name, binding market orders when applyToMarket', () => {
    const mk = (applyToMarket: boolean) =>
      parseSymbolFilters([PRICE, LOT, { filterType: 'MIN_NOTIONAL', minNotional: '10', applyToMarket, avgPriceMins: 5 }]);
    expect(check({ quantity: '0.05' }, { quoteAsset: 'USDT' }, mk(false)).issues).toEqual([
      { filter: 'MIN_NOTIONAL', field: 'quantity', message: 'The order value 5 USDT is below the minimum 10 USDT.', suggestion: '0.1' },
    ]);
    expect(check({ quantity: '0.1' }, {}, mk(false)).ok).toBe(true);
    expect(check({ type: 'MARKET', price: undefined, quantity: '0.05' }, { avgPrice: '100' }, mk(false)).ok).toBe(true);
    expect(check({ type: 'MARKET', price: undefined, quantity: '0.05' }, { avgPrice: '100' }, mk(true)).issues).toEqual([
      { filter: 'MIN_NOTIONAL', field: 'quantity', message: 'The order value 5 is below the minimum 10.', suggestion: '0.1' },
    ]);
    // The smallest quantity that passes is rounded up to the step (10 / 300 = 0.0333…).
    expect(check({ quantity: '0.001', price: '300' }, {}, mk(false)).issues[0]?.suggestion).toBe('0.03334');
  });

  it('MIN_NOTIONAL: the value rounds away from the minimum, the minimum towards the value', () => {
    const f = parseSymbolFilters([{ filterType: 'MIN_NOTIONAL', minNotional: '10.000000001', applyToMarket: true, avgPriceMins: 5 }]);
    const r = check({ type: 'MARKET', price: undefined, quantity: undefined, quoteOrderQty: '9.9999999999' }, { quoteAsset: 'USDT' }, f);
    expect(r.issues).toEqual([
      {
        filter: 'MIN_NOTIONAL',
        field: 'quoteOrderQty',
        message: 'The order value 9.99999999 USDT is below the minimum 10.00000001 USDT.',
        suggestion: '10.000000001',
      },
    ]);
  });
});

describe('PERCENT_PRICE and PERCENT_PRICE_BY_SIDE, against the average price', () => {
  const BY_SIDE = {
    filterType: 'PERCENT_PRICE_BY_SIDE',
    bidMultiplierUp: '1.2',
    bidMultiplierDown: '0.5',
    askMultiplierUp: '3',
    askMultiplierDown: '0.9',
    avgPriceMins: 5,
  };
  const bySide = parseSymbolFilters([PRICE, LOT, BY_SIDE]);

  it('a buy uses the bid multipliers, a sell the ask ones; each bound is allowed, a tick beyond it is not', () => {
    const c = { avgPrice: '100' };
    expect(check({ price: '120' }, c, bySide).ok).toBe(true);
    expect(check({ price: '50' }, c, bySide).ok).toBe(true);
    expect(check({ price: '120.01' }, c, bySide).issues).toEqual([
      {
        filter: 'PERCENT_PRICE_BY_SIDE',
        field: 'price',
        message: 'The price is more than 20 % above the recent average price 100.00.',
        suggestion: '120',
      },
    ]);
    expect(check({ price: '49.99' }, c, bySide).issues).toEqual([
      {
        filter: 'PERCENT_PRICE_BY_SIDE',
        field: 'price',
        message: 'The price is more than 50 % below the recent average price 100.00.',
        suggestion: '50',
      },
    ]);
    expect(check({ side: 'SELL', price: '300' }, c, bySide).ok).toBe(true);
    expect(check({ side: 'SELL', price: '90' }, c, bySide).ok).toBe(true);
    expect(check({ side: 'SELL', price: '300.01' }, c, bySide).issues[0]?.message).toBe(
      'The price is more than 200 % above the recent average price 100.00.',
    );
    expect(check({ side: 'SELL', price: '89.99' }, c, bySide).issues[0]?.message).toBe(
      'The price is more than 10 % below the recent average price 100.00.',
    );
  });

  it('the suggested bounds are on the tick, inside the range', () => {
    const c = { avgPrice: '100.03' };
    // 100.03 x 1.2 = 120.036: the highest price on the tick is 120.03; 100.03 x 0.5 = 50.015: the lowest is 50.02.
    expect(check({ price: '130' }, c, bySide).issues[0]?.suggestion).toBe('120.03');
    expect(check({ price: '40' }, c, bySide).issues[0]?.suggestion).toBe('50.02');
  });

  it('PERCENT_PRICE: one pair of multipliers for both sides, the percentage at two decimals', () => {
    const f = parseSymbolFilters([
      PRICE,
      LOT,
      { filterType: 'PERCENT_PRICE', multiplierUp: '1.123456', multiplierDown: '0.7', avgPriceMins: 5 },
    ]);
    expect(check({ side: 'SELL', price: '113' }, { avgPrice: '100' }, f).issues).toEqual([
      {
        filter: 'PERCENT_PRICE',
        field: 'price',
        message: 'The price is more than 12.35 % above the recent average price 100.00.',
        suggestion: '112.34',
      },
    ]);
    expect(check({ price: '69' }, { avgPrice: '100' }, f).issues[0]?.message).toBe(
      'The price is more than 30 % below the recent average price 100.00.',
    );
  });

  it('without a known positive average price, or without a tick, the rule still reads right', () => {
    expect(check({ price: '1000' }, {}, bySide).ok).toBe(true);
    expect(check({ price: '1000' }, { avgPrice: '0' }, bySide).ok).toBe(true);
    const noTick = parseSymbolFilters([LOT, BY_SIDE]);
    expect(check({ price: '130' }, { avgPrice: '100.03' }, noTick).issues[0]).toEqual({
      filter: 'PERCENT_PRICE_BY_SIDE',
      field: 'price',
      message: 'The price is more than 20 % above the recent average price 100.03.',
      suggestion: '120.036',
    });
  });
});

describe('ICEBERG_PARTS, TRAILING_DELTA, MAX_POSITION', () => {
  it('an iceberg in more parts than allowed: the count, and the smallest visible quantity that fits', () => {
    const f = parseSymbolFilters([PRICE, LOT, { filterType: 'ICEBERG_PARTS', limit: 10 }]);
    expect(check({ quantity: '1', icebergQty: '0.1' }, {}, f).ok).toBe(true);
    expect(check({ quantity: '1', icebergQty: '0.09999' }, {}, f).issues).toEqual([
      {
        filter: 'ICEBERG_PARTS',
        field: 'icebergQty',
        message: 'An iceberg order can have at most 10 parts; this one would have 11.',
        suggestion: '0.1',
      },
    ]);
    expect(check({ quantity: '100.00001', icebergQty: '0.01' }, {}, f).issues[0]).toEqual({
      filter: 'ICEBERG_PARTS',
      field: 'icebergQty',
      message: 'An iceberg order can have at most 10 parts; this one would have 10,001.',
      suggestion: '10.00001',
    });
  });

  it('the trailing delta range depends on whether the stop sits above or below the market', () => {
    const f = parseSymbolFilters([
      PRICE,
      LOT,
      {
        filterType: 'TRAILING_DELTA',
        minTrailingAboveDelta: 10,
        maxTrailingAboveDelta: 2000,
        minTrailingBelowDelta: 20,
        maxTrailingBelowDelta: 1000,
      },
    ]);
    const trail = (type: OrderDraft['type'], side: OrderDraft['side'], trailingDelta: number) =>
      check({ type, side, price: type.endsWith('LIMIT') ? '100' : undefined, trailingDelta }, {}, f).issues;
    const atLeast = (n: number) => ({
      filter: 'TRAILING_DELTA',
      field: 'trailingDelta',
      message: `The trailing delta must be at least ${n} basis points.`,
      suggestion: String(n),
    });
    const atMost = (n: number) => ({
      filter: 'TRAILING_DELTA',
      field: 'trailingDelta',
      message: `The trailing delta must be at most ${n} basis points.`,
      suggestion: String(n),
    });
    // Above the market: a stop-loss buy, a take-profit sell.
    expect(trail('STOP_LOSS', 'BUY', 10)).toEqual([]);
    expect(trail('STOP_LOSS', 'BUY', 9)).toEqual([atLeast(10)]);
    expect(trail('STOP_LOSS_LIMIT', 'BUY', 9)).toEqual([atLeast(10)]);
    expect(trail('TAKE_PROFIT', 'SELL', 9)).toEqual([atLeast(10)]);
    expect(trail('TAKE_PROFIT', 'SELL', 2000)).toEqual([]);
    expect(trail('TAKE_PROFIT_LIMIT', 'SELL', 2001)).toEqual([atMost(2000)]);
    // Below: a stop-loss sell, a take-profit buy.
    expect(trail('STOP_LOSS_LIMIT', 'SELL', 20)).toEqual([]);
    expect(trail('STOP_LOSS', 'SELL', 19)).toEqual([atLeast(20)]);
    expect(trail('TAKE_PROFIT', 'BUY', 1000)).toEqual([]);
    expect(trail('TAKE_PROFIT', 'BUY', 1001)).toEqual([atMost(1000)]);
    expect(trail('TAKE_PROFIT_LIMIT', 'BUY', 1001)).toEqual([atMost(1000)]);
    expect(trail('STOP_LOSS_LIMIT', 'SELL', 1001)).toEqual([atMost(1000)]);
    // Only stop and take-profit orders trail.
    expect(check({ trailingDelta: 1 }, {}, f).issues).toEqual([]);
  });

  it('a buy that would take the position above the maximum: the room left, on the step, when there is any', () => {
    const f = parseSymbolFilters([PRICE, LOT, { filterType: 'MAX_POSITION', maxPosition: '10.00000000' }]);
    const message = 'This buy would take your position above the maximum 10.';
    expect(check({ quantity: '1' }, { basePosition: '9' }, f).ok).toBe(true);
    expect(check({ quantity: '1.5' }, { basePosition: '9.000004' }, f).issues).toEqual([
      { filter: 'MAX_POSITION', field: 'quantity', message, suggestion: '0.99999' },
    ]);
    expect(check({ quantity: '1' }, { basePosition: '10' }, f).issues).toEqual([{ filter: 'MAX_POSITION', field: 'quantity', message }]);
    expect(check({ quantity: '1' }, { basePosition: '12' }, f).issues).toEqual([{ filter: 'MAX_POSITION', field: 'quantity', message }]);
    // A sell lowers the position; an unknown position is not checked.
    expect(check({ side: 'SELL', quantity: '1' }, { basePosition: '12' }, f).ok).toBe(true);
    expect(check({ quantity: '100' }, {}, f).ok).toBe(true);
  });
});

describe('open-order counts', () => {
  const f = parseSymbolFilters([
    PRICE,
    LOT,
    { filterType: 'MAX_NUM_ORDERS', maxNumOrders: 200 },
    { filterType: 'MAX_NUM_ALGO_ORDERS', maxNumAlgoOrders: 5 },
    { filterType: 'MAX_NUM_ICEBERG_ORDERS', maxNumIcebergOrders: 3 },
  ]);
  const exchangeFilters = parseExchangeFilters([
    { filterType: 'EXCHANGE_MAX_NUM_ORDERS', maxNumOrders: 1000 },
    { filterType: 'EXCHANGE_MAX_NUM_ALGO_ORDERS', maxNumAlgoOrders: 50 },
  ]);
  const stop: Partial<OrderDraft> = { type: 'STOP_LOSS_LIMIT', stopPrice: '90' };
  const counts = (over: Partial<OrderDraft>, openOrders: NonNullable<ValidationContext['openOrders']>) =>
    check(over, { openOrders, exchangeFilters }, f).issues;

  it('one below each limit passes; at the limit the order is refused with the count and what to do', () => {
    expect(
      counts({ ...stop, icebergQty: '0.1' }, { symbol: 199, symbolAlgo: 4, symbolIceberg: 2, exchange: 999, exchangeAlgo: 49 }),
    ).toEqual([]);
    expect(counts({}, { symbol: 200 })).toEqual([
      {
        filter: 'MAX_NUM_ORDERS',
        field: 'symbol',
        message: 'You already have 200 open orders on BTCUSDT, the most allowed (200). Cancel one first.',
      },
    ]);
    expect(counts(stop, { symbolAlgo: 5 })).toEqual([
      {
        filter: 'MAX_NUM_ALGO_ORDERS',
        field: 'type',
        message: 'You already have 5 open stop/take-profit orders on BTCUSDT, the most allowed. Cancel one first.',
      },
    ]);
    expect(counts({ icebergQty: '0.1' }, { symbolIceberg: 3 })).toEqual([
      {
        filter: 'MAX_NUM_ICEBERG_ORDERS',
        field: 'icebergQty',
        message: 'You already have the most open iceberg orders allowed on BTCUSDT.',
      },
    ]);
    expect(counts({}, { exchange: 1000 })).toEqual([
      {
        filter: 'EXCHANGE_MAX_NUM_ORDERS',
        field: 'symbol',
        message: 'You already have 1000 open orders across Binance, the most allowed. Cancel one first.',
      },
    ]);
    expect(counts(stop, { exchangeAlgo: 50 })).toEqual([
      {
        filter: 'EXCHANGE_MAX_NUM_ALGO_ORDERS',
        field: 'type',
        message: 'You already have the most open stop/take-profit orders allowed across Binance.',
      },
    ]);
  });

  it('the stop/take-profit and iceberg limits bind only those orders', () => {
    expect(counts({}, { symbolAlgo: 5, exchangeAlgo: 50, symbolIceberg: 3 })).toEqual([]);
  });

  it('a limit the symbol or the exchange does not set is not checked', () => {
    const bare = check(
      { ...stop, icebergQty: '0.1' },
      { openOrders: { symbol: 1e6, symbolAlgo: 1e6, symbolIceberg: 1e6, exchange: 1e6, exchangeAlgo: 1e6 } },
    );
    expect(bare.issues).toEqual([]);
  });
});

describe('the order to send', () => {
  it('carries every value the draft gave, canonical, and nothing it did not', () => {
    const r = check({
      type: 'STOP_LOSS_LIMIT',
      quantity: '1.50000',
      price: '100.10',
      stopPrice: '099.50',
      icebergQty: '0.5',
      trailingDelta: 50,
    });
    expect(r.ok).toBe(true);
    expect(r.order).toEqual({
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'STOP_LOSS_LIMIT',
      timeInForce: 'GTC',
      quantity: '1.5',
      price: '100.1',
      stopPrice: '99.5',
      icebergQty: '0.5',
      trailingDelta: 50,
    });
    const m = check({ type: 'MARKET', price: undefined, quantity: undefined, quoteOrderQty: '25.50' });
    // Strictly: no key for a value the draft did not give, not even an undefined one.
    expect(m.order).toStrictEqual({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quoteOrderQty: '25.5' });
  });
});

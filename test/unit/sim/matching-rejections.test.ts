import { describe, expect, it } from 'vitest';
import { createHarness } from './matching-fake-market';

const base = { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.1', price: '50000' };

describe('new order rejections (exact code and message)', () => {
  const cases: Array<[string, Record<string, string | undefined>, number, string]> = [
    ['missing symbol', { symbol: undefined }, -1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed."],
    ['missing side', { side: undefined }, -1102, "Mandatory parameter 'side' was not sent, was empty/null, or malformed."],
    ['unknown symbol', { symbol: 'NOPEUSDT' }, -1121, 'Invalid symbol.'],
    ['bad side', { side: 'HOLD' }, -1117, 'Invalid side.'],
    ['bad type', { type: 'ICEBERG' }, -1116, 'Invalid orderType.'],
    ['bad timeInForce', { timeInForce: 'GTX' }, -1115, 'Invalid timeInForce.'],
    [
      'LIMIT without timeInForce',
      { timeInForce: undefined },
      -1102,
      "Mandatory parameter 'timeInForce' was not sent, was empty/null, or malformed.",
    ],
    ['LIMIT without price', { price: undefined }, -1102, "Mandatory parameter 'price' was not sent, was empty/null, or malformed."],
    ['LIMIT with stopPrice', { stopPrice: '49000' }, -1106, "Parameter 'stopPrice' sent when not required."],
    [
      'MARKET without quantity or quoteOrderQty',
      { type: 'MARKET', timeInForce: undefined, price: undefined, quantity: undefined },
      -1102,
      "Param 'quantity' or 'quoteOrderQty' must be sent, but both were empty/null!",
    ],
    ['MARKET with price', { type: 'MARKET', timeInForce: undefined }, -1106, "Parameter 'price' sent when not required."],
    ['MARKET with timeInForce', { type: 'MARKET', price: undefined }, -1106, "Parameter 'timeInForce' sent when not required."],
    ['LIMIT_MAKER with timeInForce', { type: 'LIMIT_MAKER' }, -1106, "Parameter 'timeInForce' sent when not required."],
    [
      'STOP_LOSS_LIMIT without stopPrice',
      { type: 'STOP_LOSS_LIMIT' },
      -1102,
      "Mandatory parameter 'stopPrice' was not sent, was empty/null, or malformed.",
    ],
    [
      'malformed quantity',
      { quantity: '1e-3' },
      -1100,
      "Illegal characters found in parameter 'quantity'; legal range is '^([0-9]{1,20})(\\.[0-9]{1,20})?$'.",
    ],
    ['too many decimals', { quantity: '0.123456789' }, -1111, "Parameter 'quantity' has too much precision."],
    [
      'bad client id',
      { newClientOrderId: 'has space' },
      -1100,
      "Illegal characters found in parameter 'newClientOrderId'; legal range is '^[a-zA-Z0-9-_.]{1,36}$'.",
    ],
    ['empty client id', { newClientOrderId: '' }, -1118, 'New client order ID was empty.'],
    ['strategyType too small', { strategyType: '5' }, -1134, 'strategyType was less than 1000000.'],
    [
      'trailing stop',
      { type: 'STOP_LOSS_LIMIT', stopPrice: '49000', trailingDelta: '100' },
      -2010,
      'Trailing stop orders are not supported for this symbol.',
    ],
    ['iceberg not GTC', { timeInForce: 'IOC', icebergQty: '0.01' }, -2010, 'Unsupported order combination'],
    ['price off tick', { price: '50000.005' }, -1013, 'Filter failure: PRICE_FILTER'],
    ['quantity off step', { quantity: '0.100005' }, -1013, 'Filter failure: LOT_SIZE'],
    ['quantity below min', { quantity: '0.000001' }, -1013, 'Filter failure: LOT_SIZE'],
    ['notional too small', { quantity: '0.00001' }, -1013, 'Filter failure: NOTIONAL'],
    ['price far below the average', { price: '1000' }, -1013, 'Filter failure: PERCENT_PRICE_BY_SIDE'],
    [
      'MARKET above MARKET_LOT_SIZE',
      { type: 'MARKET', timeInForce: undefined, price: undefined, quantity: '150' },
      -1013,
      'Filter failure: MARKET_LOT_SIZE',
    ],
    ['iceberg with too many parts', { icebergQty: '0.001' }, -1013, 'Filter failure: ICEBERG_PARTS'],
    ['insufficient balance', { quantity: '3', price: '50000' }, -2010, 'Account has insufficient balance for requested action.'],
    [
      'insufficient base to sell',
      { side: 'SELL', quantity: '3', price: '70000' },
      -2010,
      'Account has insufficient balance for requested action.',
    ],
  ];
  for (const [name, patch, code, msg] of cases) {
    it(name, async () => {
      const h = createHarness();
      const params: Record<string, string> = {};
      for (const [k, v] of Object.entries({ ...base, ...patch })) if (v !== undefined) params[k] = v;
      const e = await h.error('POST', '/api/v3/order', params);
      expect([e.code, e.message]).toEqual([code, msg]);
      expect(h.events()).toEqual([]);
      expect(h.model.core.openOrders('acc1')).toHaveLength(0);
    });
  }

  it('MIN_NOTIONAL on a legacy symbol (ARDRBTC)', async () => {
    const h = createHarness({ BTC: '1', ARDR: '1000' });
    const e = await h.error('POST', '/api/v3/order', {
      symbol: 'ARDRBTC',
      side: 'SELL',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '10',
      price: '0.00000112',
    });
    expect([e.code, e.message]).toEqual([-1013, 'Filter failure: MIN_NOTIONAL']);
    const ok = await h.call('POST', '/api/v3/order', {
      symbol: 'ARDRBTC',
      side: 'SELL',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '100',
      price: '0.00000112',
    });
    expect(ok).toBeTruthy();
  });

  it('MAX_NUM_ORDERS and MAX_NUM_ALGO_ORDERS count open orders on the symbol', async () => {
    const h = createHarness();
    h.market.setFilter('BTCUSDT', 'MAX_NUM_ORDERS', { maxNumOrders: 2 });
    h.market.setFilter('BTCUSDT', 'MAX_NUM_ALGO_ORDERS', { maxNumAlgoOrders: 1 });
    await h.call('POST', '/api/v3/order', { ...base, type: 'STOP_LOSS_LIMIT', side: 'SELL', price: '54000', stopPrice: '55000' });
    const algo = await h.error('POST', '/api/v3/order', {
      ...base,
      type: 'STOP_LOSS_LIMIT',
      side: 'SELL',
      price: '54000',
      stopPrice: '55000',
    });
    expect(algo.message).toBe('Filter failure: MAX_NUM_ALGO_ORDERS');
    await h.call('POST', '/api/v3/order', base);
    const e = await h.error('POST', '/api/v3/order', base);
    expect([e.code, e.message]).toEqual([-1013, 'Filter failure: MAX_NUM_ORDERS']);
  });

  it('symbol status: non-TRADING rejects new orders; CANCEL_ONLY still cancels; HALT does not', async () => {
    const h = createHarness();
    await h.call('POST', '/api/v3/order', { ...base, newClientOrderId: 'keep' });
    await h.call('POST', '/api/v3/order', { ...base, newClientOrderId: 'keep2' });
    h.market.setStatus('BTCUSDT', 'BREAK');
    const e = await h.error('POST', '/api/v3/order', base);
    expect([e.code, e.message]).toEqual([-2010, 'Market is closed.']);
    h.market.setStatus('BTCUSDT', 'HALT');
    const c = await h.error('DELETE', '/api/v3/order', { symbol: 'BTCUSDT', origClientOrderId: 'keep' });
    expect([c.code, c.message]).toEqual([-2011, 'Market is closed.']);
    h.market.setStatus('BTCUSDT', 'CANCEL_ONLY');
    expect((await h.error('POST', '/api/v3/order', base)).message).toBe('Market is closed.');
    const ok = await h.call('DELETE', '/api/v3/order', { symbol: 'BTCUSDT', origClientOrderId: 'keep' });
    expect(ok).toMatchObject({ status: 'CANCELED' });
    // Resting orders do not trade while the market is not TRADING.
    h.drain();
    h.market.setPrice('BTCUSDT', '40000');
    expect(h.drain()).toEqual([]);
  });

  it('order/test validates like a real order but changes nothing, and reports commission rates', async () => {
    const h = createHarness();
    expect(await h.call('POST', '/api/v3/order/test', base)).toEqual({});
    const e = await h.error('POST', '/api/v3/order/test', { ...base, price: '50000.001' });
    expect(e.message).toBe('Filter failure: PRICE_FILTER');
    const rates = await h.call('POST', '/api/v3/order/test', { ...base, computeCommissionRates: 'true' });
    expect(rates).toEqual({
      standardCommissionForOrder: { maker: '0.00100000', taker: '0.00100000' },
      specialCommissionForOrder: { maker: '0.00000000', taker: '0.00000000' },
      taxCommissionForOrder: { maker: '0.00000000', taker: '0.00000000' },
      discount: { enabledForAccount: true, enabledForSymbol: true, discountAsset: 'BNB', discount: '0.25000000' },
    });
    expect(h.events()).toEqual([]);
    expect(h.balance('USDT').locked).toBe('0.00000000');
  });
});

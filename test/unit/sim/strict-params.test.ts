import { describe, expect, it } from 'vitest';
import { createClock } from '../../../src/main/sim/clock';
import { SimError } from '../../../src/main/sim/errors';
import { createMarket } from '../../../src/main/sim/market/model';
import { marketRoutes } from '../../../src/main/sim/market/routes';
import { serverRoutes } from '../../../src/main/sim/server/routes';
import { sapiListingRoutes } from '../../../src/main/sim/server/sapi-listing-routes';
import { parseUrlEncoded } from '../../../src/main/sim/server/params';
import { createHarness } from './matching-fake-market';

const limit = { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.1', price: '50000' };
const stopSell = {
  symbol: 'BTCUSDT',
  side: 'SELL',
  type: 'STOP_LOSS_LIMIT',
  timeInForce: 'GTC',
  quantity: '0.01',
  price: '54000',
  stopPrice: '55000',
};

function failure(run: () => unknown): { code: number; msg: string; status: number } {
  try {
    run();
  } catch (e) {
    if (e instanceof SimError) return { code: e.code, msg: e.message, status: e.httpStatus };
    throw e;
  }
  throw new Error('expected a SimError');
}

describe('empty parameter values (Binance errors -1105 / -1102)', () => {
  it('order/test: an empty optional timeInForce or price is -1105, not "not sent"', async () => {
    const h = createHarness();
    const e = await h.error('POST', '/api/v3/order/test', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: '0.01',
      timeInForce: '',
      price: '',
    });
    expect([e.httpStatus, e.code, e.message]).toEqual([400, -1105, "Parameter 'timeInForce' was empty."]);
    const p = await h.error('POST', '/api/v3/order/test', { ...limit, price: '' });
    expect([p.code, p.message]).toEqual([-1105, "Parameter 'price' was empty."]);
  });

  it('every optional order parser rejects an empty value with its own name', async () => {
    const h = createHarness();
    for (const name of [
      'quantity',
      'stopPrice',
      'icebergQty',
      'newOrderRespType',
      'selfTradePreventionMode',
      'strategyId',
      'strategyType',
      'trailingDelta',
    ]) {
      const e = await h.error('POST', '/api/v3/order', { ...limit, [name]: '' });
      expect([e.code, e.message], name).toEqual([-1105, `Parameter '${name}' was empty.`]);
    }
    expect(h.model.core.openOrders('acc1')).toHaveLength(0);
    const t = await h.error('POST', '/api/v3/order/test', { ...limit, computeCommissionRates: '' });
    expect(t.message).toBe("Parameter 'computeCommissionRates' was empty.");
  });

  it('an empty mandatory parameter stays -1102, empty client ids stay -1118/-1119', async () => {
    const h = createHarness();
    const e = await h.error('POST', '/api/v3/order', { ...limit, side: '' });
    expect([e.code, e.message]).toEqual([-1102, "Mandatory parameter 'side' was not sent, was empty/null, or malformed."]);
    expect((await h.error('POST', '/api/v3/order', { ...limit, newClientOrderId: '' })).code).toBe(-1118);
    expect((await h.error('GET', '/api/v3/order', { symbol: 'BTCUSDT', origClientOrderId: '' })).code).toBe(-1119);
  });

  it('GET openOrders?symbol= is -1105 (not every symbol at weight 80)', async () => {
    const h = createHarness();
    await h.call('POST', '/api/v3/order', limit);
    const e = await h.error('GET', '/api/v3/openOrders', { symbol: '' });
    expect([e.code, e.message]).toEqual([-1105, "Parameter 'symbol' was empty."]);
    const route = h.model.engine.routes().find((r) => r.method === 'GET' && r.path === '/api/v3/openOrders');
    const w = route?.weight;
    expect(typeof w === 'function' ? w({ symbol: '' }) : w).toBe(6);
    expect(await h.call('GET', '/api/v3/openOrders', {})).toHaveLength(1);
  });

  it('account and wallet routes: empty optional values are -1105', async () => {
    const h = createHarness();
    expect((await h.error('GET', '/api/v3/account', { omitZeroBalances: '' })).message).toBe("Parameter 'omitZeroBalances' was empty.");
    expect((await h.error('GET', '/sapi/v1/capital/deposit/hisrec', { coin: '' })).message).toBe("Parameter 'coin' was empty.");
    expect((await h.error('GET', '/sapi/v1/capital/withdraw/history', { idList: '' })).message).toBe("Parameter 'idList' was empty.");
    expect((await h.error('GET', '/api/v3/myTrades', { symbol: 'BTCUSDT', limit: '' })).message).toBe("Parameter 'limit' was empty.");
  });

  it('market routes: optional empty -> -1105, mandatory empty -> -1102', () => {
    const clock = createClock({ fixedAtMs: Date.UTC(2026, 4, 20), realNow: () => 0 });
    const routes = marketRoutes(createMarket({ clock, seed: 1, speed: 1 }), clock);
    const call = (path: string, params: Record<string, string>) => () => {
      const r = routes.find((x) => x.path === path);
      if (!r) throw new Error(path);
      return r.handler({ method: 'GET', path, params, receivedAt: clock.now() });
    };
    expect(failure(call('/api/v3/ticker/price', { symbol: '' }))).toEqual({
      status: 400,
      code: -1105,
      msg: "Parameter 'symbol' was empty.",
    });
    expect(failure(call('/api/v3/exchangeInfo', { symbolStatus: '' })).code).toBe(-1105);
    expect(failure(call('/api/v3/klines', { symbol: 'BTCUSDT', interval: '1h', limit: '' })).msg).toBe("Parameter 'limit' was empty.");
    expect(failure(call('/api/v3/klines', { symbol: '', interval: '1h' })).code).toBe(-1102);
    expect(failure(call('/api/v3/depth', { symbol: '' })).code).toBe(-1102);
  });
});

describe('exchange filters (Binance exchange filters)', () => {
  const small: Readonly<Record<string, string | number>>[] = [
    { filterType: 'EXCHANGE_MAX_NUM_ORDERS', maxNumOrders: 3 },
    { filterType: 'EXCHANGE_MAX_NUM_ALGO_ORDERS', maxNumAlgoOrders: 1 },
  ];

  it('EXCHANGE_MAX_NUM_ORDERS counts open orders on every symbol', async () => {
    const h = createHarness(undefined, { exchangeFilters: small });
    await h.call('POST', '/api/v3/order', limit);
    await h.call('POST', '/api/v3/order', { ...limit, symbol: 'ETHUSDT', quantity: '1', price: '2500' });
    await h.call('POST', '/api/v3/order', { ...limit, symbol: 'ETHUSDT', quantity: '1', price: '2400' });
    const e = await h.error('POST', '/api/v3/order', limit);
    expect([e.httpStatus, e.code, e.message]).toEqual([400, -1013, 'Filter failure: EXCHANGE_MAX_NUM_ORDERS']);
    expect(h.model.core.openOrders('acc1')).toHaveLength(3);
  });

  it('EXCHANGE_MAX_NUM_ALGO_ORDERS counts only stop / take-profit orders', async () => {
    const h = createHarness(undefined, { exchangeFilters: small });
    await h.call('POST', '/api/v3/order', stopSell);
    const e = await h.error('POST', '/api/v3/order', { ...stopSell, symbol: 'ETHUSDT', quantity: '1', price: '3400', stopPrice: '3500' });
    expect([e.code, e.message]).toEqual([-1013, 'Filter failure: EXCHANGE_MAX_NUM_ALGO_ORDERS']);
    // A plain LIMIT order is still allowed (1 algo + 1 limit < 3).
    await h.call('POST', '/api/v3/order', limit);
  });

  it('an OCO adds two orders (and its stop leg is algo)', async () => {
    const h = createHarness(undefined, { exchangeFilters: small });
    await h.call('POST', '/api/v3/order', limit);
    await h.call('POST', '/api/v3/order', { ...limit, price: '49000' });
    const oco = {
      symbol: 'BTCUSDT',
      side: 'SELL',
      quantity: '0.2',
      aboveType: 'LIMIT_MAKER',
      abovePrice: '65000',
      belowType: 'STOP_LOSS_LIMIT',
      belowStopPrice: '55000',
      belowPrice: '54900',
      belowTimeInForce: 'GTC',
    };
    const e = await h.error('POST', '/api/v3/orderList/oco', oco);
    expect(e.message).toBe('Filter failure: EXCHANGE_MAX_NUM_ORDERS');
    const h2 = createHarness(undefined, { exchangeFilters: small });
    await h2.call('POST', '/api/v3/order', stopSell);
    const a = await h2.error('POST', '/api/v3/orderList/oco', oco);
    expect(a.message).toBe('Filter failure: EXCHANGE_MAX_NUM_ALGO_ORDERS');
  });
});

describe('duplicate parameters (Binance error -1101)', () => {
  it('uses the documented message', () => {
    expect(failure(() => parseUrlEncoded('symbol=A&symbol=B'))).toEqual({
      status: 400,
      code: -1101,
      msg: 'Duplicate values for a parameter detected.',
    });
  });
});

describe('every route declares the parameters it reads', () => {
  it('market and server routes all carry a params list', () => {
    const clock = createClock({ fixedAtMs: Date.UTC(2026, 4, 20), realNow: () => 0 });
    const market = createMarket({ clock, seed: 1, speed: 1 });
    for (const r of [
      ...marketRoutes(market, clock),
      ...serverRoutes(),
      ...sapiListingRoutes({ market, accounts: { balances: () => [] } }),
    ]) {
      expect(r.params, r.path).toBeDefined();
    }
  });
  it('account and trading routes all carry a params list', () => {
    for (const r of createHarness().model.engine.routes()) expect(r.params, `${r.method} ${r.path}`).toBeDefined();
  });
});

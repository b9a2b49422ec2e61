import { describe, expect, it } from 'vitest';
import { toJson } from '../../../src/main/sim/json';
import { createHarness, obj, arr } from './matching-fake-market';

const sellOco = {
  symbol: 'BTCUSDT',
  side: 'SELL',
  quantity: '0.2',
  aboveType: 'LIMIT_MAKER',
  abovePrice: '62000',
  belowType: 'STOP_LOSS_LIMIT',
  belowStopPrice: '58000',
  belowPrice: '57900',
  belowTimeInForce: 'GTC',
  listClientOrderId: 'list1',
  aboveClientOrderId: 'tp1',
  belowClientOrderId: 'sl1',
};

describe('OCO (orderList/oco)', () => {
  it('places both legs with one lock and emits NEW, NEW, listStatus, position', async () => {
    const h = createHarness();
    const r = obj(await h.call('POST', '/api/v3/orderList/oco', sellOco));
    expect(r).toMatchObject({
      contingencyType: 'OCO',
      listStatusType: 'EXEC_STARTED',
      listOrderStatus: 'EXECUTING',
      listClientOrderId: 'list1',
      symbol: 'BTCUSDT',
    });
    const reports = arr(r['orderReports']);
    expect(reports.map((o) => [o['type'], o['clientOrderId'], o['workingTime'] === -1])).toEqual([
      ['STOP_LOSS_LIMIT', 'sl1', true],
      ['LIMIT_MAKER', 'tp1', false],
    ]);
    expect(reports[0]).toMatchObject({ stopPrice: '58000.00000000', status: 'NEW', orderListId: r['orderListId'] });
    expect(h.balance('BTC')).toEqual({ free: '1.80000000', locked: '0.20000000' });
    const ev = h.drain();
    expect(ev.map((e) => e.e)).toEqual(['executionReport', 'executionReport', 'listStatus', 'outboundAccountPosition']);
    expect(ev[2]).toMatchObject({ s: 'BTCUSDT', g: r['orderListId'], c: 'OCO', l: 'EXEC_STARTED', L: 'EXECUTING', r: 'NONE', C: 'list1' });
    expect(ev[0]!['g']).toBe(r['orderListId']);
    expect(arr(await h.call('GET', '/api/v3/openOrderList'))).toHaveLength(1);
    expect(obj(await h.call('GET', '/api/v3/orderList', { origClientOrderId: 'list1' }))['orders']).toHaveLength(2);
  });

  it('the limit leg filling expires the stop leg (OCO_TRIGGER) and ends the list', async () => {
    const h = createHarness();
    await h.call('POST', '/api/v3/orderList/oco', sellOco);
    h.drain();
    h.market.setPrice('BTCUSDT', '62100');
    const ev = h.drain();
    expect(ev.map((e) => `${e.e}:${String(e['c'])}:${String(e['x'] ?? e['l'])}`)).toEqual([
      'executionReport:sl1:EXPIRED',
      'executionReport:tp1:TRADE',
      'listStatus:OCO:ALL_DONE',
      'outboundAccountPosition:undefined:undefined',
    ]);
    expect(ev[0]).toMatchObject({ X: 'EXPIRED', eR: 'OCO_TRIGGER' });
    expect(ev[1]).toMatchObject({ X: 'PARTIALLY_FILLED', m: true, L: '62000.00000000' });
    expect(h.balance('BTC')).toEqual({ free: '1.80000000', locked: '0.10000000' });
    h.market.setPrice('BTCUSDT', '62200');
    expect(h.drain()[0]).toMatchObject({ c: 'tp1', X: 'FILLED' });
    expect(h.balance('BTC')).toEqual({ free: '1.80000000', locked: '0.00000000' });
    expect(arr(await h.call('GET', '/api/v3/openOrderList'))).toHaveLength(0);
  });

  it('the stop leg triggering expires the limit leg', async () => {
    const h = createHarness();
    await h.call('POST', '/api/v3/orderList/oco', sellOco);
    h.drain();
    h.market.setPrice('BTCUSDT', '57990');
    const ev = h.drain();
    expect(ev.map((e) => `${String(e['c'])}:${String(e['x'] ?? e['l'])}:${String(e['X'] ?? e['L'])}`)).toEqual([
      'tp1:EXPIRED:EXPIRED',
      'sl1:NEW:NEW',
      'sl1:TRADE:FILLED',
      'OCO:ALL_DONE:ALL_DONE',
      'undefined:undefined:undefined',
    ]);
    expect(h.balance('BTC')).toEqual({ free: '1.80000000', locked: '0.00000000' });
  });

  it('BUY OCO: limit below, stop above; cancel one leg cancels the list', async () => {
    const h = createHarness();
    const r = obj(
      await h.call('POST', '/api/v3/orderList/oco', {
        symbol: 'BTCUSDT',
        side: 'BUY',
        quantity: '0.1',
        aboveType: 'STOP_LOSS',
        aboveStopPrice: '61000',
        belowType: 'LIMIT_MAKER',
        belowPrice: '59000',
      }),
    );
    expect(h.balance('USDT')).toEqual({ free: '93900.00000000', locked: '6100.00000000' });
    const legs = arr(r['orders']);
    h.drain();
    const c = obj(await h.call('DELETE', '/api/v3/order', { symbol: 'BTCUSDT', orderId: String(legs[0]!['orderId']) }));
    expect(c).toMatchObject({ status: 'CANCELED', orderListId: r['orderListId'] });
    const ev = h.drain();
    expect(ev.map((e) => `${e.e}:${String(e['X'] ?? e['L'])}`)).toEqual([
      'executionReport:CANCELED',
      'executionReport:CANCELED',
      'listStatus:ALL_DONE',
      'outboundAccountPosition:undefined',
    ]);
    expect(h.balance('USDT')).toEqual({ free: '100000.00000000', locked: '0.00000000' });
  });

  it('DELETE orderList cancels both legs', async () => {
    const h = createHarness();
    const r = obj(await h.call('POST', '/api/v3/orderList/oco', sellOco));
    const c = obj(await h.call('DELETE', '/api/v3/orderList', { symbol: 'BTCUSDT', orderListId: String(r['orderListId']) }));
    expect(c).toMatchObject({ listStatusType: 'ALL_DONE', listOrderStatus: 'ALL_DONE' });
    expect(arr(c['orderReports']).map((o) => o['status'])).toEqual(['CANCELED', 'CANCELED']);
    const again = await h.error('DELETE', '/api/v3/orderList', { symbol: 'BTCUSDT', orderListId: String(r['orderListId']) });
    expect(again.code).toBe(-2011);
  });

  it('rejects bad OCOs with the documented codes', async () => {
    const h = createHarness();
    const cases: Array<[Record<string, string>, number, string]> = [
      [{ abovePrice: '59000' }, -2010, 'The relationship of the prices for the orders is not correct.'],
      [{ belowStopPrice: '60500', belowPrice: '60400' }, -2010, 'The relationship of the prices for the orders is not correct.'],
      [{ aboveType: 'LIMIT' }, -1158, 'Order type not supported in OCO.'],
      [
        {
          aboveType: 'STOP_LOSS_LIMIT',
          aboveStopPrice: '62000',
          aboveTimeInForce: 'GTC',
          belowType: 'LIMIT_MAKER',
          belowPrice: '57000',
          belowStopPrice: '',
          belowTimeInForce: '',
        },
        -1166,
        'A limit order in a sell OCO must be above.',
      ],
      [{ belowTimeInForce: '' }, -1102, "Mandatory parameter 'belowTimeInForce' was not sent, was empty/null, or malformed."],
      [{ quantity: '5' }, -2010, 'Account has insufficient balance for requested action.'],
      [{ aboveClientOrderId: 'same', belowClientOrderId: 'same' }, -2010, 'Duplicate order sent.'],
      [{ belowType: 'LIMIT_MAKER', belowStopPrice: '', belowTimeInForce: '' }, -1168, 'At least one OCO order must be contingent.'],
    ];
    for (const [patch, code, msg] of cases) {
      const params: Record<string, string> = {};
      for (const [k, v] of Object.entries({ ...sellOco, ...patch })) if (v !== '') params[k] = v;
      const e = await h.error('POST', '/api/v3/orderList/oco', params);
      expect([e.code, e.message], JSON.stringify(patch)).toEqual([code, msg]);
    }
    expect(h.events()).toEqual([]);
  });
});

describe('order faults', () => {
  it('execute:true places the order and emits events, then the request fails', async () => {
    const h = createHarness();
    h.faults.state.orderFaults.push({ kind: 'code-1007', execute: true });
    const e = await h.error('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.1',
      price: '50000',
      newClientOrderId: 'f1',
    });
    expect([e.code, e.httpStatus]).toEqual([-1007, 500]);
    expect(h.events().map((ev) => ev.e)).toEqual(['executionReport', 'outboundAccountPosition']);
    expect(obj(await h.call('GET', '/api/v3/order', { symbol: 'BTCUSDT', origClientOrderId: 'f1' }))['status']).toBe('NEW');
    expect(h.faults.state.orderFaults).toHaveLength(0);
  });

  it('execute:false does nothing and fails; order/test does not consume faults', async () => {
    const h = createHarness();
    h.faults.state.orderFaults.push({ kind: 'http500', execute: false }, { kind: 'code-1006', execute: false });
    await h.call('POST', '/api/v3/order/test', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.01' });
    expect(h.faults.state.orderFaults).toHaveLength(2);
    const e = await h.error('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: '0.01',
      newClientOrderId: 'f2',
    });
    expect([e.httpStatus, e.code]).toEqual([500, -1000]);
    expect(h.events()).toEqual([]);
    expect((await h.error('GET', '/api/v3/order', { symbol: 'BTCUSDT', origClientOrderId: 'f2' })).code).toBe(-2013);
    const e2 = await h.error('POST', '/api/v3/orderList/oco', sellOco);
    expect(e2.code).toBe(-1006);
    expect(h.balance('BTC').locked).toBe('0.00000000');
  });

  it('timeout-hang never answers, although the order executed', async () => {
    const h = createHarness();
    h.faults.state.orderFaults.push({ kind: 'timeout-hang', execute: true });
    const pending = h.call('POST', '/api/v3/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.01' });
    const marker = Symbol('still pending');
    const settled = await Promise.race([pending, new Promise((r) => setImmediate(() => r(marker)))]);
    expect(settled).toBe(marker);
    expect(h.balance('BTC').free).toBe('2.01000000');
  });

  it('-2013 for the next N queries of an order, then the truth', async () => {
    const h = createHarness();
    await h.call('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.1',
      price: '50000',
      newClientOrderId: 'ghost',
    });
    h.faults.state.unknownOrderQueries.set('ghost', 2);
    for (let i = 0; i < 2; i++) {
      const e = await h.error('GET', '/api/v3/order', { symbol: 'BTCUSDT', origClientOrderId: 'ghost' });
      expect([e.code, e.message]).toEqual([-2013, 'Order does not exist.']);
    }
    expect(obj(await h.call('GET', '/api/v3/order', { symbol: 'BTCUSDT', origClientOrderId: 'ghost' }))['clientOrderId']).toBe('ghost');
  });
});

describe('ids', () => {
  it('increase, and jump above 2^53 with bigIds, written as bare JSON digits', async () => {
    const h = createHarness();
    const a = obj(await h.call('POST', '/api/v3/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.01' }));
    h.faults.state.bigIds = true;
    const b = obj(await h.call('POST', '/api/v3/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.01' }));
    expect(b['orderId']).toBe(9007199254740993n);
    expect((b['orderId'] as bigint) > (a['orderId'] as bigint)).toBe(true);
    expect(arr(b['fills'])[0]!['tradeId']).toBe(9007199254740993n);
    expect(toJson(b)).toContain('"orderId":9007199254740993,');
    const ev = h
      .events()
      .filter((e) => e.e === 'executionReport')
      .at(-1)!;
    expect(toJson(ev)).toContain('"i":9007199254740993,');
    const c = obj(await h.call('POST', '/api/v3/orderList/oco', sellOco));
    expect(c['orderListId']).toBe(9007199254740993n);
    h.faults.state.bigIds = false;
    expect(h.model.ids.nextOrderId() > 9007199254740993n).toBe(true);
  });
});

describe('the deprecated POST /api/v3/order/oco', () => {
  it('places the same two legs as orderList/oco: LIMIT_MAKER at price, STOP_LOSS_LIMIT at stopPrice / stopLimitPrice', async () => {
    const h = createHarness();
    const r = obj(
      await h.call('POST', '/api/v3/order/oco', {
        symbol: 'BTCUSDT',
        side: 'SELL',
        quantity: '0.2',
        price: '62000',
        stopPrice: '58000',
        stopLimitPrice: '57900',
        stopLimitTimeInForce: 'GTC',
        listClientOrderId: 'legacy1',
        limitClientOrderId: 'tp1',
        stopClientOrderId: 'sl1',
      }),
    );
    expect(r).toMatchObject({ contingencyType: 'OCO', listClientOrderId: 'legacy1' });
    expect(arr(r['orderReports']).map((o) => [o['clientOrderId'], o['type'], o['price'], o['stopPrice']])).toEqual([
      ['sl1', 'STOP_LOSS_LIMIT', '57900.00000000', '58000.00000000'],
      ['tp1', 'LIMIT_MAKER', '62000.00000000', undefined],
    ]);
    expect(h.balance('BTC')).toEqual({ free: '1.80000000', locked: '0.20000000' });
    // A BUY puts the limit leg below and the stop leg above; without stopLimitPrice the stop leg is STOP_LOSS.
    const b = obj(
      await h.call('POST', '/api/v3/order/oco', { symbol: 'BTCUSDT', side: 'BUY', quantity: '0.1', price: '58000', stopPrice: '62000' }),
    );
    expect(arr(b['orderReports']).map((o) => o['type'])).toEqual(['LIMIT_MAKER', 'STOP_LOSS']);
  });
});

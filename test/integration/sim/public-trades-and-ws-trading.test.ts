/**
 * The public trade tape agrees with the price path (klines) and with the account's own fills;
 * WebSocket API trading runs the REST engine: same orders, same user data events, same errors.
 */
import { createHmac, generateKeyPairSync, sign as cryptoSign } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startSimulator } from '../../../src/main/sim/simulator';
import type { Simulator } from '../../../src/main/sim/simulator';

type Obj = Record<string, unknown>;
const sym = 'BTCUSDT';

describe('public trades and WebSocket API trading', () => {
  let sim: Simulator;
  const sockets: WebSocket[] = [];

  beforeEach(async () => {
    sim = await startSimulator({ seed: 3, clockMs: Date.UTC(2026, 5, 1, 12, 0, 0) });
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.terminate();
    await sim.stop();
  });

  const signQuery = (q: string): string => `${q}&signature=${createHmac('sha256', sim.apiSecret).update(q).digest('hex')}`;
  const rest = async (
    method: string,
    path: string,
    params: Record<string, string>,
    signed = false,
  ): Promise<{ status: number; body: unknown }> => {
    let q = new URLSearchParams(params).toString();
    if (signed) q = signQuery(`${q}&timestamp=${sim.clock.now()}`);
    const res = await fetch(`${sim.restUrl}${path}?${q}`, { method, headers: { 'X-MBX-APIKEY': sim.apiKey } });
    return { status: res.status, body: JSON.parse(await res.text()) as unknown };
  };

  const connect = async (): Promise<{ call: (method: string, params: Obj, signed?: boolean) => Promise<Obj>; events: Obj[] }> => {
    const ws = new WebSocket(sim.wsApiUrl);
    sockets.push(ws);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const events: Obj[] = [];
    const waiting = new Map<number, (m: Obj) => void>();
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as Obj;
      if (m['event'] !== undefined) events.push(m['event'] as Obj);
      const w = waiting.get(m['id'] as number);
      if (w) w(m);
    });
    let n = 0;
    const call = (method: string, params: Obj, signed = false): Promise<Obj> => {
      const id = ++n;
      let p = { ...params };
      if (signed) {
        p = { ...p, apiKey: sim.apiKey, timestamp: sim.clock.now() };
        const payload = Object.keys(p)
          .sort()
          .map((k) => `${k}=${String(p[k])}`)
          .join('&');
        p['signature'] = createHmac('sha256', sim.apiSecret).update(payload).digest('hex');
      }
      return new Promise((resolve) => {
        waiting.set(id, resolve);
        ws.send(JSON.stringify({ id, method, params: p }));
      });
    };
    return { call, events };
  };

  it("trade ids are consecutive and the last trade of each second is that second's 1s close", async () => {
    const trades = (await rest('GET', '/api/v3/trades', { symbol: sym, limit: '200' })).body as Obj[];
    expect(trades.length).toBe(200);
    trades.forEach((t, i) => {
      if (i > 0) expect(t['id']).toBe((trades[i - 1]!['id'] as number) + 1);
      if (i > 0) expect(t['time'] as number).toBeGreaterThanOrEqual(trades[i - 1]!['time'] as number);
    });
    const last = trades[trades.length - 1]!;
    // The 1s candle that ends when that trade was stamped closes at its price, and counts its trades.
    const [candle] = (
      await rest('GET', '/api/v3/klines', { symbol: sym, interval: '1s', endTime: String((last['time'] as number) - 1), limit: '1' })
    ).body as unknown[][];
    expect(candle![4]).toBe(last['price']);
    const inSecond = trades.filter((t) => t['time'] === last['time']);
    expect(candle![8]).toBeGreaterThanOrEqual(inSecond.length);
    // historicalTrades from an id gives the same trades; aggTrades by time finds them.
    const again = (await rest('GET', '/api/v3/historicalTrades', { symbol: sym, fromId: String(trades[0]!['id']), limit: '200' }))
      .body as Obj[];
    expect(again).toEqual(trades);
    const aggs = (await rest('GET', '/api/v3/aggTrades', { symbol: sym, startTime: String(last['time']), limit: '1000' })).body as Obj[];
    expect(aggs[0]!['T']).toBe(last['time']);
    expect(aggs.every((a) => (a['T'] as number) >= (last['time'] as number))).toBe(true);
  });

  it('an own fill appears on the public tape with its price, quantity and side', async () => {
    const placed = await rest(
      'POST',
      '/api/v3/order',
      { symbol: sym, side: 'BUY', type: 'MARKET', quantity: '0.01000', newOrderRespType: 'FULL' },
      true,
    );
    expect(placed.status).toBe(200);
    const fills = (placed.body as Obj)['fills'] as Obj[];
    expect(fills.length).toBeGreaterThan(0);
    const recent = (await rest('GET', '/api/v3/trades', { symbol: sym, limit: String(fills.length) })).body as Obj[];
    expect(recent.map((t) => [t['price'], t['qty'], t['isBuyerMaker']])).toEqual(fills.map((f) => [f['price'], f['qty'], false]));
    // The tape's ids stay consecutive around the spliced fills, and stay put as time passes.
    const before = (
      await rest('GET', '/api/v3/historicalTrades', { symbol: sym, fromId: String((recent[0]!['id'] as number) - 3), limit: '10' })
    ).body as Obj[];
    before.forEach((t, i) => i > 0 && expect(t['id']).toBe((before[i - 1]!['id'] as number) + 1));
    sim.clock.jump(5000);
    const later = (
      await rest('GET', '/api/v3/historicalTrades', { symbol: sym, fromId: String(recent[0]!['id']), limit: String(fills.length) })
    ).body as Obj[];
    expect(later).toEqual(recent);
  });

  it('order.place over the WebSocket API fills on the same engine and sends the same user data events as REST', async () => {
    const { call, events } = await connect();
    const sub = await call('userDataStream.subscribe.signature', {}, true);
    expect(sub['status']).toBe(200);
    const placed = await call(
      'order.place',
      { symbol: sym, side: 'BUY', type: 'MARKET', quoteOrderQty: '100', newOrderRespType: 'FULL' },
      true,
    );
    expect(placed['status']).toBe(200);
    const order = placed['result'] as Obj;
    expect(order['status']).toBe('FILLED');
    // REST sees the order the WebSocket API placed.
    const viaRest = (await rest('GET', '/api/v3/order', { symbol: sym, orderId: String(order['orderId']) }, true)).body as Obj;
    expect(viaRest['executedQty']).toBe(order['executedQty']);
    await expect.poll(() => events.filter((e) => e['e'] === 'executionReport').length).toBeGreaterThanOrEqual(2);
    const reports = events.filter((e) => e['e'] === 'executionReport');
    expect(reports[0]!['x']).toBe('NEW');
    expect(reports.slice(1).every((e) => e['x'] === 'TRADE' && e['i'] === order['orderId'])).toBe(true);
    await expect.poll(() => events.some((e) => e['e'] === 'outboundAccountPosition')).toBe(true);

    // A resting order, cancelled over the WebSocket API, then cancel-all and an OCO.
    const price = Number(sim.market.lastPrice(sym));
    const px = (f: number): string => (Math.round(price * f * 100) / 100).toFixed(2);
    const limit = await call(
      'order.place',
      { symbol: sym, side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.00100', price: px(0.8) },
      true,
    );
    const cancelled = await call('order.cancel', { symbol: sym, orderId: (limit['result'] as Obj)['orderId'] }, true);
    expect((cancelled['result'] as Obj)['status']).toBe('CANCELED');
    const oco = await call(
      'orderList.place.oco',
      {
        symbol: sym,
        side: 'SELL',
        quantity: '0.00100',
        aboveType: 'LIMIT_MAKER',
        abovePrice: px(1.2),
        belowType: 'STOP_LOSS_LIMIT',
        belowPrice: px(0.7),
        belowStopPrice: px(0.71),
        belowTimeInForce: 'GTC',
      },
      true,
    );
    expect(oco['status']).toBe(200);
    const lists = await call('openOrderLists.status', {}, true);
    expect((lists['result'] as Obj[]).length).toBe(1);
    const all = await call('openOrders.cancelAll', { symbol: sym }, true);
    expect(all['status']).toBe(200);
    expect((await call('openOrders.status', { symbol: sym }, true))['result']).toEqual([]);
    // Order counts are reported like REST's X-MBX-ORDER-COUNT headers.
    const rl = placed['rateLimits'] as Obj[];
    expect(rl.some((r) => r['rateLimitType'] === 'ORDERS' && r['interval'] === 'SECOND' && r['count'] === 1)).toBe(true);
  });

  it('errors over the WebSocket API are the REST errors', async () => {
    const { call } = await connect();
    const cases: Array<[Obj, string]> = [
      [{ symbol: 'NOPE', side: 'BUY', type: 'MARKET', quantity: '1' }, 'symbol=NOPE&side=BUY&type=MARKET&quantity=1'],
      [{ symbol: sym, side: 'BUY', type: 'MARKET', quantity: '100' }, `symbol=${sym}&side=BUY&type=MARKET&quantity=100`],
      [{ symbol: sym, side: 'BUY', type: 'LIMIT', quantity: '1', price: '1' }, `symbol=${sym}&side=BUY&type=LIMIT&quantity=1&price=1`],
      [
        { symbol: sym, side: 'BUY', type: 'MARKET', quantity: '1', timeInforce: 'GTC' },
        `symbol=${sym}&side=BUY&type=MARKET&quantity=1&timeInforce=GTC`,
      ],
    ];
    for (const [params, query] of cases) {
      const viaWs = await call('order.place', params, true);
      const viaRest = await rest('POST', '/api/v3/order', Object.fromEntries(new URLSearchParams(query)), true);
      expect(viaWs['status']).toBe(viaRest.status);
      const wsError = viaWs['error'] as Obj;
      const restError = viaRest.body as Obj;
      expect(wsError['code']).toBe(restError['code']);
      // -1104 counts the parameters sent, and a WebSocket request also sends apiKey.
      if (restError['code'] !== -1104) expect(wsError['msg']).toBe(restError['msg']);
    }
    // Cancel-replace failures carry their `data` over the WebSocket API too.
    const px = (Math.round(Number(sim.market.lastPrice(sym)) * 0.8 * 100) / 100).toFixed(2);
    const cr = await call(
      'order.cancelReplace',
      {
        symbol: sym,
        cancelReplaceMode: 'STOP_ON_FAILURE',
        cancelOrderId: 999999,
        side: 'BUY',
        type: 'LIMIT',
        timeInForce: 'GTC',
        quantity: '0.00100',
        price: px,
      },
      true,
    );
    expect(cr).toMatchObject({ status: 400, error: { code: -2022, data: { cancelResult: 'FAILURE', newOrderResult: 'NOT_ATTEMPTED' } } });
    // Unsigned and wrongly signed requests.
    expect(((await call('account.status', {}))['error'] as Obj)['code']).toBe(-1102);
    expect(
      ((await call('account.status', { apiKey: sim.apiKey, timestamp: sim.clock.now(), signature: '0'.repeat(64) }))['error'] as Obj)[
        'code'
      ],
    ).toBe(-1022);
  });

  it('after session.logon, signed methods need neither apiKey nor signature', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const { apiKey } = sim.registerKey({ type: 'ED25519', publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() });
    const { call } = await connect();
    const logon: Obj = { apiKey, timestamp: sim.clock.now() };
    const payload = Object.keys(logon)
      .sort()
      .map((k) => `${k}=${String(logon[k])}`)
      .join('&');
    logon['signature'] = cryptoSign(null, Buffer.from(payload), privateKey).toString('base64');
    expect((await call('session.logon', logon))['status']).toBe(200);
    const account = await call('account.status', { timestamp: sim.clock.now() });
    expect(account['status']).toBe(200);
    expect(Array.isArray((account['result'] as Obj)['balances'])).toBe(true);
    const placed = await call('order.test', { symbol: sym, side: 'BUY', type: 'MARKET', quantity: '0.001', timestamp: sim.clock.now() });
    expect(placed).toMatchObject({ status: 200, result: {} });
    // The timestamp is still checked.
    expect(((await call('account.status', { timestamp: sim.clock.now() - 120_000 }))['error'] as Obj)['code']).toBe(-1021);
  });
});

describe('cancel-replace', () => {
  let sim: Simulator;
  beforeEach(async () => {
    sim = await startSimulator({ seed: 4 });
  });
  afterEach(async () => {
    await sim.stop();
  });
  const call = async (method: string, path: string, params: Record<string, string>): Promise<{ status: number; body: Obj }> => {
    const q = new URLSearchParams({ ...params, timestamp: String(sim.clock.now()) }).toString();
    const res = await fetch(`${sim.restUrl}${path}?${q}&signature=${createHmac('sha256', sim.apiSecret).update(q).digest('hex')}`, {
      method,
      headers: { 'X-MBX-APIKEY': sim.apiKey },
    });
    return { status: res.status, body: JSON.parse(await res.text()) as Obj };
  };
  const limitAt = (f: number): Record<string, string> => {
    const price = Number(sim.market.lastPrice(sym));
    return {
      symbol: sym,
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.00100',
      price: (Math.round(price * f * 100) / 100).toFixed(2),
    };
  };

  it('cancels and places in one request, with the documented outcomes when one part fails', async () => {
    const first = await call('POST', '/api/v3/order', limitAt(0.8));
    const orderId = String(first.body['orderId']);
    const ok = await call('POST', '/api/v3/order/cancelReplace', {
      ...limitAt(0.75),
      cancelReplaceMode: 'STOP_ON_FAILURE',
      cancelOrderId: orderId,
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      cancelResult: 'SUCCESS',
      newOrderResult: 'SUCCESS',
      cancelResponse: { status: 'CANCELED', orderId: Number(orderId) },
      newOrderResponse: { status: 'NEW' },
    });
    // The order is gone: STOP_ON_FAILURE does not place the new one (-2022, 400) ...
    const stop = await call('POST', '/api/v3/order/cancelReplace', {
      ...limitAt(0.75),
      cancelReplaceMode: 'STOP_ON_FAILURE',
      cancelOrderId: orderId,
    });
    expect(stop.status).toBe(400);
    expect(stop.body).toEqual({
      code: -2022,
      msg: 'Order cancel-replace failed.',
      data: {
        cancelResult: 'FAILURE',
        newOrderResult: 'NOT_ATTEMPTED',
        cancelResponse: { code: -2011, msg: 'Unknown order sent.' },
        newOrderResponse: null,
      },
    });
    // ... ALLOW_FAILURE does (-2021, 409), and the new order exists.
    const allow = await call('POST', '/api/v3/order/cancelReplace', {
      ...limitAt(0.75),
      cancelReplaceMode: 'ALLOW_FAILURE',
      cancelOrderId: orderId,
    });
    expect(allow.status).toBe(409);
    expect(allow.body).toMatchObject({ code: -2021, data: { cancelResult: 'FAILURE', newOrderResult: 'SUCCESS' } });
    const open = await call('GET', '/api/v3/openOrders', { symbol: sym });
    expect((open.body as unknown as Obj[]).length).toBe(2);
    // A new order that fails after a successful cancel: -2021 with the new order's error.
    const target = String((open.body as unknown as Obj[])[0]!['orderId']);
    const price = Number(sim.market.lastPrice(sym));
    const bad = await call('POST', '/api/v3/order/cancelReplace', {
      symbol: sym,
      side: 'BUY',
      type: 'LIMIT_MAKER',
      quantity: '0.00100',
      price: (Math.round(price * 1.05 * 100) / 100).toFixed(2),
      cancelReplaceMode: 'STOP_ON_FAILURE',
      cancelOrderId: target,
    });
    expect(bad.status).toBe(409);
    expect(bad.body).toMatchObject({
      code: -2021,
      data: {
        cancelResult: 'SUCCESS',
        newOrderResult: 'FAILURE',
        newOrderResponse: { code: -2010, msg: 'Order would immediately match and take.' },
      },
    });
  });
});

describe('trade streams', () => {
  it("the trade stream sends the tape's trades, own fills included, with the ids REST lists", async () => {
    const sim = await startSimulator({ seed: 6, marketStepMs: 50 });
    const ws = new WebSocket(`${sim.streamUrl}/ws/btcusdt@trade`);
    try {
      const seen: Obj[] = [];
      ws.on('message', (d) => seen.push(JSON.parse(d.toString()) as Obj));
      await new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
      });
      // The subscription is in place once a first trade has arrived.
      await expect.poll(() => seen.length, { timeout: 5000 }).toBeGreaterThan(0);
      const q = `symbol=${sym}&side=BUY&type=MARKET&quantity=0.01000&newOrderRespType=FULL&timestamp=${sim.clock.now()}`;
      const res = await fetch(`${sim.restUrl}/api/v3/order?${q}&signature=${createHmac('sha256', sim.apiSecret).update(q).digest('hex')}`, {
        method: 'POST',
        headers: { 'X-MBX-APIKEY': sim.apiKey },
      });
      const fills = (JSON.parse(await res.text()) as Obj)['fills'] as Obj[];
      const tape = JSON.parse(await (await fetch(`${sim.restUrl}/api/v3/trades?symbol=${sym}&limit=${fills.length}`)).text()) as Obj[];
      const ownIds = tape.map((t) => t['id'] as number);
      await expect.poll(() => ownIds.every((id) => seen.some((e) => e['t'] === id)), { timeout: 5000 }).toBe(true);
      for (const t of tape) {
        const e = seen.find((x) => x['t'] === t['id'])!;
        expect([e['p'], e['q'], e['T'], e['m']]).toEqual([t['price'], t['qty'], t['time'], t['isBuyerMaker']]);
      }
      // Increasing ids on the stream: nothing twice, nothing out of order.
      const ids = seen.map((e) => e['t'] as number);
      ids.forEach((id, i) => i > 0 && expect(id).toBeGreaterThan(ids[i - 1]!));
    } finally {
      ws.terminate();
      await sim.stop();
    }
  });
});

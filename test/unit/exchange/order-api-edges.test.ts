/**
 * The order API's rules one by one, on a fake clock and a scripted REST fake (no simulator, no
 * real waiting): what each answer to a placement becomes (and what a thin answer is completed
 * with), that nothing is sent twice, and each path of cancel and cancel-all - a clear answer, a
 * lost answer checked by query until the check time ends, -2011, a refusal, a failure that is
 * not the exchange's - with the reasons people read.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ExchangeError } from '../../../src/main/exchange/errors';
import { createOrderApi, type OrderApi, type OrderApiOptions } from '../../../src/main/exchange/order-api';
import { rejectionFields, UNKNOWN_MESSAGES } from '../../../src/main/exchange/order-outcome';
import { createOrderStateStore, type OrderUpdateInput } from '../../../src/main/exchange/order-state';
import type { RestRequest } from '../../../src/main/exchange/rest-client';
import { fakeClock, type FakeClock } from '../../helpers/fake-clock';

const SYM = 'BTCUSDT';
const ID = 'perch-api-1';
/** The clock starts far from 0 so that a time and a duration cannot be confused. */
const T0 = 1_000_000;
/** Every backoff step is exactly 500 ms (jitter pinned). */
const STEADY = { baseMs: 500, capMs: 500, minMs: 500, random: () => 0.5 };

const limitDraft = { symbol: SYM, side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.00100', price: '50000.00' } as const;

const notFound = (binanceCode = -2013, binanceMsg = 'Order does not exist.'): ExchangeError =>
  new ExchangeError({ kind: 'not-found', httpStatus: 400, binanceCode, binanceMsg, message: 'Binance does not know this order.' });
const unknownOrder = (): ExchangeError => notFound(-2011, 'Unknown order sent.');
const lostAnswer = (): ExchangeError =>
  new ExchangeError({ kind: 'unknown-outcome', httpStatus: 503, binanceCode: -1007, message: 'Timeout waiting for response.' });
const unavailable = (): ExchangeError => new ExchangeError({ kind: 'unavailable', httpStatus: 503, message: 'Binance is unavailable.' });
const authError = (): ExchangeError => new ExchangeError({ kind: 'auth', httpStatus: 401, message: 'The API key was refused.' });

function restOrder(clientOrderId: string, status: string, orderId: number | string = 42, symbol = SYM): Record<string, unknown> {
  return {
    symbol,
    orderId,
    clientOrderId,
    price: '50000.00',
    origQty: '0.00100',
    executedQty: status === 'FILLED' ? '0.00100' : '0',
    cummulativeQuoteQty: '0',
    status,
    timeInForce: 'GTC',
    type: 'LIMIT',
    side: 'BUY',
    updateTime: 7,
  };
}

/** DELETE /api/v3/order's answer for order 42 (our id). */
function cancelAnswer(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    symbol: SYM,
    origClientOrderId: ID,
    orderId: 42,
    clientOrderId: 'cancel-req-1',
    transactTime: T0 - 10,
    price: '50000.00',
    origQty: '0.00100',
    executedQty: '0',
    cummulativeQuoteQty: '0',
    status: 'CANCELED',
    timeInForce: 'GTC',
    type: 'LIMIT',
    side: 'BUY',
    ...extra,
  };
}

function update(clientOrderId: string, status: OrderUpdateInput['status'], orderId = '42', symbol = SYM): OrderUpdateInput {
  return {
    symbol,
    orderId,
    clientOrderId,
    side: 'BUY',
    type: 'LIMIT',
    timeInForce: 'GTC',
    price: '1',
    origQty: '1',
    stopPrice: '0',
    status,
    executedQty: status === 'FILLED' ? '1' : '0',
    cumulativeQuoteQty: '0',
    orderListId: '-1',
    createdAt: 1,
    updateTime: 9,
  };
}

type Handler = (req: RestRequest<unknown>, n: number) => unknown;

const apis: OrderApi[] = [];
afterEach(() => {
  for (const a of apis.splice(0)) a.dispose();
  vi.restoreAllMocks();
});

function harness(handler: Handler, extra: Partial<OrderApiOptions> = {}, clock: FakeClock = fakeClock(T0)) {
  const calls: { method: string; path: string; at: number; req: RestRequest<unknown> }[] = [];
  const rest = {
    async request<T>(req: RestRequest<T>): Promise<T> {
      calls.push({ method: req.method, path: req.path, at: clock.now() - T0, req: req as RestRequest<unknown> });
      const out = await handler(req as RestRequest<unknown>, calls.length);
      return (req.schema ? req.schema.parse(out) : out) as T;
    },
  };
  const api = createOrderApi({ rest, clock, graceMs: 60_000, backoff: STEADY, cancelBackoff: STEADY, followUpMs: 0, ...extra });
  apis.push(api);
  const count = (method: string, path: string): number => calls.filter((c) => c.method === method && c.path === path).length;
  const times = (method: string, path: string): number[] => calls.filter((c) => c.method === method && c.path === path).map((c) => c.at);
  return { api, clock, calls, count, times };
}

describe('place: what an answer becomes', () => {
  it('a thin answer (no status or prices) is completed from the draft: a new order at the draft price', async () => {
    const h = harness(() => ({ symbol: SYM, orderId: 42, clientOrderId: ID, transactTime: T0 - 3 }));
    const out = await h.api.place({ clientOrderId: ID, order: limitDraft });
    expect(out.status).toBe('accepted');
    expect(out.status === 'accepted' && out.order).toMatchObject({
      symbol: SYM,
      orderId: '42',
      clientOrderId: ID,
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      price: '50000.00',
      origQty: '0.00100',
      stopPrice: '0',
      status: 'NEW',
      executedQty: '0',
      cumulativeQuoteQty: '0',
      orderListId: '-1',
      createdAt: T0 - 3,
      updateTime: T0 - 3,
      source: 'query',
    });
  });

  it('a thin answer to a market order by amount, and to a stop order, takes what the draft has', async () => {
    const h = harness((req) => ({
      symbol: SYM,
      orderId: req.params?.newClientOrderId === 'perch-m' ? 1 : 2,
      clientOrderId: req.params?.newClientOrderId,
      transactTime: 5,
    }));
    const market = await h.api.place({
      clientOrderId: 'perch-m',
      order: { symbol: SYM, side: 'SELL', type: 'MARKET', quoteOrderQty: '25' },
    });
    expect(market.status === 'accepted' && market.order).toMatchObject({
      side: 'SELL',
      type: 'MARKET',
      timeInForce: '',
      price: '0',
      origQty: '0',
      stopPrice: '0',
    });
    const stop = await h.api.place({
      clientOrderId: 'perch-s',
      order: { symbol: SYM, side: 'SELL', type: 'STOP_LOSS_LIMIT', timeInForce: 'GTC', quantity: '2', price: '90', stopPrice: '91' },
    });
    expect(stop.status === 'accepted' && stop.order).toMatchObject({ type: 'STOP_LOSS_LIMIT', price: '90', origQty: '2', stopPrice: '91' });
  });

  it("a full answer wins over the draft's values", async () => {
    const h = harness(() => ({
      symbol: SYM,
      orderId: '9007199254740993',
      orderListId: 77,
      clientOrderId: ID,
      transactTime: 11,
      price: '50000.00000000',
      origQty: '0.00100000',
      executedQty: '0.00040000',
      cummulativeQuoteQty: '20.00000000',
      status: 'PARTIALLY_FILLED',
      timeInForce: 'IOC',
      type: 'LIMIT_MAKER',
      side: 'SELL',
      stopPrice: '1.00000000',
    }));
    const out = await h.api.place({ clientOrderId: ID, order: limitDraft });
    expect(out.status).toBe('partially-filled');
    expect(out.status === 'partially-filled' && out.order).toMatchObject({
      orderId: '9007199254740993',
      orderListId: '77',
      side: 'SELL',
      type: 'LIMIT_MAKER',
      timeInForce: 'IOC',
      price: '50000.00000000',
      origQty: '0.00100000',
      stopPrice: '1.00000000',
      executedQty: '0.00040000',
      cumulativeQuoteQty: '20.00000000',
    });
  });

  it('the request: signed TRADE POST, critical, state-changing, every draft field, our id, the answer type and timeout', async () => {
    const h = harness(() => ({ symbol: SYM, orderId: 42, clientOrderId: ID, transactTime: 1 }), {
      respType: 'RESULT',
      placeTimeoutMs: 4_321,
    });
    await h.api.place({
      clientOrderId: ID,
      order: { ...limitDraft, stopPrice: '49000.00', icebergQty: '0.0001', trailingDelta: 30, quoteOrderQty: undefined },
    });
    expect(h.calls).toHaveLength(1);
    expect(h.calls[0]!.req).toMatchObject({
      method: 'POST',
      path: '/api/v3/order',
      security: 'TRADE',
      weight: 1,
      priority: 'critical',
      changesState: true,
      timeoutMs: 4_321,
    });
    expect(h.calls[0]!.req.params).toEqual({
      symbol: SYM,
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.00100',
      quoteOrderQty: undefined,
      price: '50000.00',
      stopPrice: '49000.00',
      icebergQty: '0.0001',
      trailingDelta: 30,
      newClientOrderId: ID,
      newOrderRespType: 'RESULT',
    });
    const plain = harness(() => ({ symbol: SYM, orderId: 42, clientOrderId: ID, transactTime: 1 }));
    await plain.api.place({ clientOrderId: ID, order: limitDraft });
    expect(plain.calls[0]!.req).not.toHaveProperty('timeoutMs');
    expect(plain.calls[0]!.req.params).toMatchObject({ newOrderRespType: 'FULL' });
  });

  it('an answer for another order (id or symbol) is a protocol fault: unknown, and the query decides', async () => {
    const h = harness((req, n) => {
      if (req.method === 'POST') {
        return n === 1
          ? { symbol: SYM, orderId: 42, clientOrderId: 'someone-else', transactTime: 1 }
          : { symbol: 'ETHUSDT', orderId: 43, clientOrderId: 'perch-2', transactTime: 1 };
      }
      return restOrder(String(req.params?.origClientOrderId), 'FILLED', String(req.params?.origClientOrderId) === ID ? 42 : 43);
    });
    const first = await h.api.place({ clientOrderId: ID, order: limitDraft });
    expect(first).toMatchObject({ status: 'unknown', cause: 'other', since: T0 });
    expect(first).not.toHaveProperty('httpStatus');
    expect(first).not.toHaveProperty('code');
    const second = await h.api.place({ clientOrderId: 'perch-2', order: limitDraft });
    expect(second).toMatchObject({ status: 'unknown', cause: 'other' });
    expect((await h.api.whenSettled(ID)).status).toBe('filled');
    expect((await h.api.whenSettled('perch-2')).status).toBe('filled');
    expect(h.count('POST', '/api/v3/order')).toBe(2);
    expect(h.api.outcomes.get('someone-else')).toBeUndefined();
  });

  it('-2010 "Duplicate order sent." is the same intent already placed: unknown (duplicate), reconciled, never a failure', async () => {
    const dup = new ExchangeError({
      kind: 'rejected',
      httpStatus: 400,
      binanceCode: -2010,
      binanceMsg: 'Duplicate order sent.',
      message: 'x',
    });
    const h = harness((req) => (req.method === 'POST' ? Promise.reject(dup) : restOrder(ID, 'NEW')));
    const out = await h.api.place({ clientOrderId: ID, order: limitDraft });
    expect(out).toMatchObject({ status: 'unknown', cause: 'duplicate', message: UNKNOWN_MESSAGES.duplicate, code: -2010, httpStatus: 400 });
    expect((await h.api.whenSettled(ID)).status).toBe('accepted');
    expect(h.count('POST', '/api/v3/order')).toBe(1);
    expect(h.count('GET', '/api/v3/order')).toBe(1);
  });

  it("a clear refusal is 'rejected' with Binance's code and message, and the intent may be sent again", async () => {
    const refusal = new ExchangeError({
      kind: 'rejected',
      httpStatus: 400,
      binanceCode: -2010,
      binanceMsg: 'Account has insufficient balance for requested action.',
      message: 'x',
    });
    const h = harness((_req, n) => (n === 1 ? Promise.reject(refusal) : { symbol: SYM, orderId: 42, clientOrderId: ID, transactTime: 1 }));
    const out = await h.api.place({ clientOrderId: ID, order: limitDraft });
    expect(out).toEqual({ clientOrderId: ID, symbol: SYM, at: T0, status: 'rejected', ...rejectionFields(refusal) });
    expect(out).toMatchObject({ code: -2010, binanceMessage: 'Account has insufficient balance for requested action.', kind: 'rejected' });
    expect((await h.api.place({ clientOrderId: ID, order: limitDraft })).status).toBe('accepted');
    expect(h.count('POST', '/api/v3/order')).toBe(2);
  });

  it('a lost answer is unknown since the moment the request left, with the HTTP status and code, and is reconciled', async () => {
    const clock = fakeClock(T0);
    const h = harness(
      (req) => {
        if (req.method === 'POST') return new Promise((_resolve, reject) => clock.setTimeout(() => reject(lostAnswer()), 3_000));
        return restOrder(ID, 'FILLED');
      },
      {},
      clock,
    );
    const placing = h.api.place({ clientOrderId: ID, order: limitDraft });
    await clock.runUntil(() => h.api.outcomes.get(ID)?.status === 'filled', T0 + 60_000);
    expect(await placing).toMatchObject({
      status: 'unknown',
      cause: 'server-error',
      message: UNKNOWN_MESSAGES['server-error'],
      since: T0,
      at: T0 + 3_000,
      httpStatus: 503,
      code: -1007,
    });
    expect(h.times('GET', '/api/v3/order')).toEqual([3_000]);
    expect(h.api.outcomes.get(ID)?.status).toBe('filled');
  });

  it('a request that may have been written (a connection lost mid-way) is unknown even though it is a network error', async () => {
    const dropped = new ExchangeError({ kind: 'network', mayHaveExecuted: true, message: 'The connection dropped.' });
    const h = harness((req) => (req.method === 'POST' ? Promise.reject(dropped) : restOrder(ID, 'NEW')));
    const out = await h.api.place({ clientOrderId: ID, order: limitDraft });
    expect(out.status).toBe('unknown');
    expect(out).not.toHaveProperty('httpStatus');
    expect(out).not.toHaveProperty('code');
    expect((await h.api.whenSettled(ID)).status).toBe('accepted');
  });

  it('a request that provably never left is not-placed, saying so', async () => {
    const refused = new ExchangeError({ kind: 'network', mayHaveExecuted: false, message: 'Could not reach Binance.' });
    const h = harness(() => Promise.reject(refused));
    expect(await h.api.place({ clientOrderId: ID, order: limitDraft })).toEqual({
      clientOrderId: ID,
      symbol: SYM,
      at: T0,
      status: 'not-placed',
      verified: false,
      reason: 'Could not reach Binance. Nothing was sent, so no order was placed.',
    });
    expect(h.count('GET', '/api/v3/order')).toBe(0);
  });
});

describe('place: nothing is sent twice', () => {
  it('a second place while the first is in flight gets the same answer; after it, the outcome in force; nothing more is sent', async () => {
    const clock = fakeClock(T0);
    const h = harness(
      () =>
        new Promise((resolve) => clock.setTimeout(() => resolve({ symbol: SYM, orderId: 42, clientOrderId: ID, transactTime: 1 }), 100)),
      {},
      clock,
    );
    const a = h.api.place({ clientOrderId: ID, order: limitDraft });
    const b = h.api.place({ clientOrderId: ID, order: limitDraft });
    expect(b).toBe(a);
    await clock.runUntil(() => false, T0 + 1_000);
    expect((await a).status).toBe('accepted');
    const c = await h.api.place({ clientOrderId: ID, order: limitDraft });
    expect(c).toBe(h.api.outcomes.get(ID));
    expect(h.count('POST', '/api/v3/order')).toBe(1);
  });

  it('an intent whose outcome is unknown is not sent again', async () => {
    const h = harness((req) => (req.method === 'POST' ? Promise.reject(lostAnswer()) : new Promise(() => undefined)));
    expect((await h.api.place({ clientOrderId: ID, order: limitDraft })).status).toBe('unknown');
    expect((await h.api.place({ clientOrderId: ID, order: limitDraft })).status).toBe('unknown');
    expect(h.count('POST', '/api/v3/order')).toBe(1);
    expect(h.api.pending().map((o) => o.clientOrderId)).toEqual([ID]);
  });

  it('refuses values that are not plain decimal strings, naming the field, before sending anything', async () => {
    const h = harness(() => ({ symbol: SYM, orderId: 42, clientOrderId: ID, transactTime: 1 }));
    const bad = ['x1', '1x', ' 1', '1.', '.5', '-1', '1.2.3', '1e3', ''];
    for (const field of ['quantity', 'quoteOrderQty', 'price', 'stopPrice', 'icebergQty'] as const) {
      for (const v of bad) {
        await expect(h.api.place({ clientOrderId: ID, order: { ...limitDraft, [field]: v } })).rejects.toThrow(
          `${field} must be a plain decimal string (validate the draft with filters.ts first): ${JSON.stringify(v)}`,
        );
      }
    }
    await expect(h.api.place({ clientOrderId: 'not valid!', order: limitDraft })).rejects.toThrow(
      'clientOrderId must match ^[a-zA-Z0-9-_.]{1,36}$: "not valid!"',
    );
    expect(h.calls).toHaveLength(0);
    expect(h.api.outcomes.get(ID)).toBeUndefined();
    const ok = await h.api.place({
      clientOrderId: ID,
      order: { ...limitDraft, quantity: '10', price: '0.5', stopPrice: '12.25', icebergQty: '3', quoteOrderQty: '100.0' },
    });
    expect(ok.status).toBe('accepted');
  });

  it('after dispose nothing is placed', async () => {
    const h = harness(() => ({ symbol: SYM, orderId: 42, clientOrderId: ID, transactTime: 1 }));
    h.api.dispose();
    h.api.dispose();
    await expect(h.api.place({ clientOrderId: ID, order: limitDraft })).rejects.toThrow('order API disposed');
    await expect(h.api.cancel(SYM, { orderId: '42' })).rejects.toThrow('order API disposed');
    await expect(h.api.cancelAll(SYM)).rejects.toThrow('order API disposed');
    expect(h.calls).toHaveLength(0);
  });

  it('new ids come from the injected source, or are valid fresh ones', () => {
    let n = 0;
    const h = harness(() => ({}), { newId: () => `perch-fixed-${++n}` });
    expect(h.api.newClientOrderId()).toBe('perch-fixed-1');
    const plain = harness(() => ({}));
    const a = plain.api.newClientOrderId();
    expect(a).toMatch(/^[a-zA-Z0-9-_.]{1,36}$/);
    expect(plain.api.newClientOrderId()).not.toBe(a);
  });
});

describe('the WebSocket API as placement transport', () => {
  it('sends the same parameters once, with the timeout, and reads the answer like REST', async () => {
    const sent: { params: Readonly<Record<string, unknown>>; options: { timeoutMs?: number } }[] = [];
    const h = harness(() => Promise.reject(new Error('no REST placement')), {
      placeTimeoutMs: 2_500,
      placeTransport: async (params, options) => {
        sent.push({ params, options });
        return { symbol: SYM, orderId: 42, clientOrderId: ID, transactTime: 3, status: 'FILLED', executedQty: '0.00100' };
      },
    });
    const out = await h.api.place({ clientOrderId: ID, order: limitDraft });
    expect(out.status).toBe('filled');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.params).toMatchObject({ newClientOrderId: ID, newOrderRespType: 'FULL', price: '50000.00', quantity: '0.00100' });
    expect(sent[0]!.options).toEqual({ timeoutMs: 2_500 });
    expect(h.calls).toHaveLength(0);
  });

  it('an answer with a number Perch cannot read is not trusted: unknown, and the REST query decides', async () => {
    for (const price of ['x1', '1x']) {
      const id = `perch-${price}`;
      const h = harness((req) => restOrder(String(req.params?.origClientOrderId), 'NEW'), {
        placeTransport: async () => ({ symbol: SYM, orderId: 42, clientOrderId: id, transactTime: 3, price }),
      });
      expect(await h.api.place({ clientOrderId: id, order: limitDraft })).toMatchObject({ status: 'unknown', cause: 'other' });
      expect(h.count('GET', '/api/v3/order')).toBe(1);
    }
  });

  it('an unreadable answer may still be an order: unknown, and the REST query decides', async () => {
    const h = harness(() => restOrder(ID, 'NEW'), { placeTransport: async () => ({ symbol: SYM, orderId: 'not a number' }) });
    expect(await h.api.place({ clientOrderId: ID, order: limitDraft })).toMatchObject({ status: 'unknown', cause: 'other' });
    expect((await h.api.whenSettled(ID)).status).toBe('accepted');
    expect(h.count('GET', '/api/v3/order')).toBe(1);
  });
});

describe('cancel', () => {
  it('a clear answer: canceled, by orderId or by our id, signed TRADE DELETE with the timeout', async () => {
    const h = harness(() => cancelAnswer(), { placeTimeoutMs: 3_000 });
    const byId = await h.api.cancel(SYM, { orderId: '42' });
    expect(byId).toMatchObject({
      status: 'canceled',
      order: { orderId: '42', clientOrderId: ID, status: 'CANCELED', updateTime: T0 - 10, stopPrice: '0', source: 'query' },
    });
    const byClient = await h.api.cancel(SYM, { clientOrderId: ID });
    expect(byClient.status).toBe('canceled');
    expect(h.calls.map((c) => c.req)).toMatchObject([
      {
        method: 'DELETE',
        path: '/api/v3/order',
        security: 'TRADE',
        weight: 1,
        priority: 'critical',
        changesState: true,
        params: { symbol: SYM, orderId: '42' },
        timeoutMs: 3_000,
      },
      { method: 'DELETE', params: { symbol: SYM, origClientOrderId: ID } },
    ]);
    expect(h.calls[1]!.req.params).not.toHaveProperty('orderId');
  });

  it('a "canceled" answer after the order had filled (the stream said so first) reports the fill', async () => {
    const orders = createOrderStateStore();
    const h = harness(() => cancelAnswer(), { orders });
    orders.apply({ ...update(ID, 'FILLED'), updateTime: T0 }, 'event');
    const out = await h.api.cancel(SYM, { orderId: '42' });
    expect(out).toMatchObject({
      status: 'not-canceled',
      reason: 'The order had already been filled, so there was nothing left to cancel.',
      order: { status: 'FILLED' },
    });
    expect(out).not.toHaveProperty('code');
    expect(out).not.toHaveProperty('binanceMessage');
  });

  it('a canceled order the store does not keep is reported from the answer itself', async () => {
    const orders = createOrderStateStore({ maxTerminalOrders: 0 });
    const h = harness(() => cancelAnswer({ transactTime: undefined, orderListId: 5, stopPrice: '49000.00' }), { orders });
    h.api.reconciler.record({ clientOrderId: ID, symbol: SYM, at: T0, status: 'sending' });
    const out = await h.api.cancel(SYM, { orderId: '42' });
    expect(out).toEqual({
      status: 'canceled',
      order: {
        symbol: SYM,
        orderId: '42',
        clientOrderId: ID,
        side: 'BUY',
        type: 'LIMIT',
        timeInForce: 'GTC',
        price: '50000.00',
        origQty: '0.00100',
        stopPrice: '49000.00',
        status: 'CANCELED',
        executedQty: '0',
        cumulativeQuoteQty: '0',
        orderListId: '5',
        createdAt: null,
        updateTime: 0,
        fills: [],
        source: 'query',
      },
    });
    // The intent that followed the order moved on with the time of the answer's arrival.
    expect(h.api.outcomes.get(ID)).toMatchObject({
      status: 'canceled',
      order: { updateTime: T0, orderListId: '5', stopPrice: '49000.00' },
    });

    const plain = harness(() => cancelAnswer(), { orders: createOrderStateStore({ maxTerminalOrders: 0 }) });
    const again = await plain.api.cancel(SYM, { orderId: '42' });
    expect(again.status === 'canceled' && again.order).toMatchObject({ stopPrice: '0', orderListId: '-1', updateTime: T0 - 10 });
  });

  it('a failure that is not the exchange\'s is thrown, not turned into "not canceled"', async () => {
    const h = harness(() => Promise.reject(new TypeError('bug in a listener')));
    await expect(h.api.cancel(SYM, { orderId: '42' })).rejects.toThrow('bug in a listener');
    await expect(h.api.cancelAll(SYM)).rejects.toThrow('bug in a listener');
  });

  it('a refusal is not-canceled with its reason, and with the code only when Binance gave one', async () => {
    const h = harness(() => Promise.reject(authError()));
    const refused = await h.api.cancel(SYM, { orderId: '42' });
    expect(refused).toEqual({ status: 'not-canceled', reason: rejectionFields(authError()).reason });
    expect(refused).not.toHaveProperty('code');
    expect(refused).not.toHaveProperty('binanceMessage');
    const restricted = new ExchangeError({
      kind: 'rejected',
      httpStatus: 400,
      binanceCode: -2011,
      binanceMsg: 'Order was not canceled due to cancel restrictions.',
      message: 'x',
    });
    const h2 = harness(() => Promise.reject(restricted));
    expect(await h2.api.cancel(SYM, { orderId: '42' })).toEqual({
      status: 'not-canceled',
      reason: rejectionFields(restricted).reason,
      code: -2011,
      binanceMessage: 'Order was not canceled due to cancel restrictions.',
    });
  });

  describe('-2011 "Unknown order sent.": the order is read to say why', () => {
    const cases: [string, string][] = [
      ['FILLED', 'The order had already been filled, so there was nothing left to cancel.'],
      ['EXPIRED', 'The order had already expired.'],
      ['EXPIRED_IN_MATCH', 'The order had already expired.'],
      ['REJECTED', 'The order had been rejected; there was nothing to cancel.'],
      ['NEW', 'Binance did not cancel the order; it is still open. You can try to cancel it again.'],
      ['PENDING_CANCEL', 'Binance did not cancel the order; it is still open. You can try to cancel it again.'],
    ];
    for (const [status, reason] of cases) {
      it(`${status}: ${reason}`, async () => {
        const h = harness((req) => (req.method === 'DELETE' ? Promise.reject(unknownOrder()) : restOrder(ID, status)));
        expect(await h.api.cancel(SYM, { clientOrderId: ID })).toMatchObject({
          status: 'not-canceled',
          reason,
          code: -2011,
          binanceMessage: 'Unknown order sent.',
          order: { status, source: 'query' },
        });
        expect(h.calls[1]!.req).toMatchObject({
          method: 'GET',
          path: '/api/v3/order',
          security: 'USER_DATA',
          weight: 4,
          priority: 'critical',
          params: { symbol: SYM, origClientOrderId: ID },
        });
        expect(h.count('DELETE', '/api/v3/order')).toBe(1);
      });
    }

    it('already canceled: canceled', async () => {
      const h = harness((req) => (req.method === 'DELETE' ? Promise.reject(unknownOrder()) : restOrder(ID, 'CANCELED')));
      expect(await h.api.cancel(SYM, { orderId: '42' })).toMatchObject({ status: 'canceled', order: { status: 'CANCELED' } });
    });

    it("not known at all (-2013): not-canceled, with the cancel's code", async () => {
      const h = harness((req) => Promise.reject(req.method === 'DELETE' ? unknownOrder() : notFound()), { queryTimeoutMs: 2_000 });
      expect(await h.api.cancel(SYM, { orderId: '42' })).toEqual({
        status: 'not-canceled',
        reason: 'Binance does not know this order (it may never have been placed, or it was archived).',
        code: -2011,
        binanceMessage: 'Unknown order sent.',
      });
      expect(h.calls[1]!.req).toMatchObject({ timeoutMs: 2_000, params: { symbol: SYM, orderId: '42' } });
    });

    it('an order the store does not keep is still reported as read', async () => {
      const h = harness((req) => (req.method === 'DELETE' ? Promise.reject(unknownOrder()) : restOrder(ID, 'FILLED')), {
        orders: createOrderStateStore({ maxTerminalOrders: 0 }),
      });
      expect(await h.api.cancel(SYM, { orderId: '42' })).toMatchObject({
        status: 'not-canceled',
        order: { status: 'FILLED', orderId: '42', fills: [], source: 'query' },
      });
    });

    it('a read that fails: not-canceled, with both reasons', async () => {
      const h = harness((req) => Promise.reject(req.method === 'DELETE' ? unknownOrder() : 'socket closed'));
      expect(await h.api.cancel(SYM, { orderId: '42' })).toEqual({
        status: 'not-canceled',
        reason: 'Binance does not know this order. Its current state could not be read: socket closed',
        code: -2011,
        binanceMessage: 'Unknown order sent.',
      });
      const h2 = harness((req) => Promise.reject(req.method === 'DELETE' ? unknownOrder() : unavailable()));
      expect(await h2.api.cancel(SYM, { orderId: '42' })).toMatchObject({
        reason: 'Binance does not know this order. Its current state could not be read: Binance is unavailable.',
      });
    });
  });

  describe('a lost answer: checked by query until the order is terminal or the check time is over, never re-sent', () => {
    it('open, then canceled', async () => {
      const h = harness((req, n) => (req.method === 'DELETE' ? Promise.reject(lostAnswer()) : restOrder(ID, n < 3 ? 'NEW' : 'CANCELED')));
      const checking = h.api.cancel(SYM, { orderId: '42' });
      await h.clock.runUntil(() => false, T0 + 60_000);
      expect(await checking).toMatchObject({ status: 'canceled', order: { status: 'CANCELED' } });
      expect(h.times('GET', '/api/v3/order')).toEqual([0, 500]);
      expect(h.count('DELETE', '/api/v3/order')).toBe(1);
    });

    it('filled meanwhile: not canceled, saying so', async () => {
      const h = harness((req) => (req.method === 'DELETE' ? Promise.reject(lostAnswer()) : restOrder(ID, 'FILLED')));
      expect(await h.api.cancel(SYM, { orderId: '42' })).toEqual({
        status: 'not-canceled',
        reason: 'The order had already been filled, so there was nothing left to cancel.',
        order: expect.objectContaining({ status: 'FILLED' }),
      });
    });

    it('not known: not canceled, without a code (there was no refusal)', async () => {
      const h = harness((req) => Promise.reject(req.method === 'DELETE' ? lostAnswer() : notFound()));
      expect(await h.api.cancel(SYM, { orderId: '42' })).toEqual({
        status: 'not-canceled',
        reason: 'Binance does not know this order (it may never have been placed, or it was archived).',
      });
    });

    it('still open when the 10 s are over: not canceled, still open; the last look is at 10 s exactly', async () => {
      const h = harness((req) => (req.method === 'DELETE' ? Promise.reject(lostAnswer()) : restOrder(ID, 'NEW')));
      const checking = h.api.cancel(SYM, { orderId: '42' });
      await h.clock.runUntil(() => false, T0 + 60_000);
      expect(await checking).toMatchObject({
        status: 'not-canceled',
        reason: 'Binance did not cancel the order; it is still open. You can try to cancel it again.',
        order: { status: 'NEW' },
      });
      expect(h.times('GET', '/api/v3/order')).toEqual(Array.from({ length: 21 }, (_, i) => i * 500));
    });

    it('a read that works once and then fails: the last state read is reported', async () => {
      const h = harness(
        (req, n) => {
          if (req.method === 'DELETE') return Promise.reject(lostAnswer());
          return n === 2 ? restOrder(ID, 'NEW') : Promise.reject(unavailable());
        },
        { cancelCheckMs: 1_000 },
      );
      const checking = h.api.cancel(SYM, { orderId: '42' });
      await h.clock.runUntil(() => false, T0 + 60_000);
      expect(await checking).toMatchObject({ status: 'not-canceled', order: { status: 'NEW' } });
      expect(h.times('GET', '/api/v3/order')).toEqual([0, 500, 1_000]);
    });

    it('no read works: unknown, with the last error, and a word to check before trying again', async () => {
      const h = harness(
        (req, n) => {
          if (req.method === 'DELETE') return Promise.reject(lostAnswer());
          return Promise.reject(n === 2 ? unavailable() : 'the socket closed');
        },
        { cancelCheckMs: 500 },
      );
      const checking = h.api.cancel(SYM, { orderId: '42' });
      await h.clock.runUntil(() => false, T0 + 60_000);
      expect(await checking).toEqual({
        status: 'unknown',
        reason:
          'Binance did not confirm the cancel and the order could not be checked (the socket closed). Check the order before trying again.',
      });
      const h2 = harness((req) => Promise.reject(req.method === 'DELETE' ? lostAnswer() : unavailable()), { cancelCheckMs: 0 });
      expect(await h2.api.cancel(SYM, { orderId: '42' })).toMatchObject({
        status: 'unknown',
        reason: expect.stringContaining('(Binance is unavailable.)'),
      });
      expect(h2.count('GET', '/api/v3/order')).toBe(1);
    });

    it('the default pace: looks at least 100 ms apart', async () => {
      vi.spyOn(Math, 'random').mockReturnValue(0);
      const clock = fakeClock(T0);
      const times: number[] = [];
      const rest = {
        async request<T>(req: RestRequest<T>): Promise<T> {
          if (req.method === 'DELETE') throw lostAnswer();
          times.push(clock.now() - T0);
          return req.schema!.parse(restOrder(ID, times.length < 3 ? 'NEW' : 'CANCELED')) as T;
        },
      };
      const api = createOrderApi({ rest, clock, followUpMs: 0, backoff: STEADY });
      apis.push(api);
      const checking = api.cancel(SYM, { orderId: '42' });
      await clock.runUntil(() => false, T0 + 60_000);
      expect((await checking).status).toBe('canceled');
      expect(times).toEqual([0, 100, 200]);
    });

    it('dispose ends the check at once', async () => {
      const h = harness((req) => (req.method === 'DELETE' ? Promise.reject(lostAnswer()) : restOrder(ID, 'NEW')));
      const checking = h.api.cancel(SYM, { orderId: '42' });
      await h.clock.runUntil(() => h.count('GET', '/api/v3/order') >= 2, T0 + 60_000);
      h.api.dispose();
      expect(await checking).toMatchObject({ status: 'not-canceled', order: { status: 'NEW' } });
      expect(h.clock.pending()).toBe(0);
      expect(h.count('GET', '/api/v3/order')).toBe(2);
    });
  });
});

describe('cancel-all', () => {
  it('a clear answer lists every canceled order, the legs of an order list too; the request is a TRADE DELETE', async () => {
    const h = harness(
      () => [
        cancelAnswer(),
        {
          orderListId: 9,
          orderReports: [
            cancelAnswer({ orderId: 50, origClientOrderId: 'leg-a', orderListId: 9 }),
            cancelAnswer({ orderId: 51, origClientOrderId: 'leg-b', orderListId: 9, type: 'STOP_LOSS_LIMIT' }),
          ],
        },
      ],
      { placeTimeoutMs: 3_000 },
    );
    const out = await h.api.cancelAll(SYM);
    expect(out.status).toBe('done');
    expect(out.status === 'done' && out.canceled.map((o) => [o.orderId, o.clientOrderId, o.status, o.orderListId])).toEqual([
      ['42', ID, 'CANCELED', '-1'],
      ['50', 'leg-a', 'CANCELED', '9'],
      ['51', 'leg-b', 'CANCELED', '9'],
    ]);
    expect(out).toMatchObject({ stillOpen: [], confirmed: true });
    expect(h.calls[0]!.req).toMatchObject({
      method: 'DELETE',
      path: '/api/v3/openOrders',
      security: 'TRADE',
      weight: 1,
      priority: 'critical',
      changesState: true,
      params: { symbol: SYM },
      timeoutMs: 3_000,
    });
  });

  it('canceled orders the store does not keep are listed from the answer', async () => {
    const h = harness(() => [cancelAnswer({ transactTime: undefined })], { orders: createOrderStateStore({ maxTerminalOrders: 0 }) });
    const out = await h.api.cancelAll(SYM);
    expect(out.status === 'done' && out.canceled).toEqual([
      expect.objectContaining({ orderId: '42', status: 'CANCELED', updateTime: 0, fills: [], source: 'query' }),
    ]);
  });

  it('-2011 (nothing open to cancel) is checked: done, with what the open orders show', async () => {
    const h = harness(
      (req) => {
        if (req.method === 'DELETE') return Promise.reject(unknownOrder());
        return [restOrder('placed-meanwhile', 'NEW', 77)];
      },
      { queryTimeoutMs: 2_000 },
    );
    const out = await h.api.cancelAll(SYM);
    expect(out).toMatchObject({ status: 'done', canceled: [], confirmed: true });
    expect(out.status === 'done' && out.stillOpen.map((o) => [o.orderId, o.source])).toEqual([['77', 'query']]);
    expect(h.calls[1]!.req).toMatchObject({
      method: 'GET',
      path: '/api/v3/openOrders',
      security: 'USER_DATA',
      weight: 6,
      priority: 'critical',
      params: { symbol: SYM },
      timeoutMs: 2_000,
    });
  });

  it("the open orders keep what the store knows better (a partial fill from the stream), not the list's older picture", async () => {
    const orders = createOrderStateStore();
    orders.apply({ ...update('partly', 'PARTIALLY_FILLED', '77'), executedQty: '0.4' }, 'event');
    const h = harness((req) => (req.method === 'DELETE' ? Promise.reject(unknownOrder()) : [restOrder('partly', 'NEW', 77)]), { orders });
    const out = await h.api.cancelAll(SYM);
    expect(out.status === 'done' && out.stillOpen).toEqual([
      expect.objectContaining({ orderId: '77', status: 'PARTIALLY_FILLED', executedQty: '0.4', source: 'event' }),
    ]);
  });

  it('-2011 with open orders that cannot be read: unknown, naming the symbol and the error', async () => {
    const h = harness((req) => Promise.reject(req.method === 'DELETE' ? unknownOrder() : 'connection reset'));
    expect(await h.api.cancelAll(SYM)).toEqual({
      status: 'unknown',
      reason:
        'Binance reported no open order to cancel on BTCUSDT, but the open orders could not be checked (connection reset). Check Open orders.',
    });
  });

  it('a refusal is rejected, with the code only when Binance gave one', async () => {
    const h = harness(() => Promise.reject(authError()));
    const refused = await h.api.cancelAll(SYM);
    expect(refused).toEqual({ status: 'rejected', reason: rejectionFields(authError()).reason });
    expect(refused).not.toHaveProperty('code');
    expect(refused).not.toHaveProperty('binanceMessage');
    const limited = new ExchangeError({
      kind: 'rate-limited',
      httpStatus: 429,
      binanceCode: -1003,
      binanceMsg: 'Too many requests.',
      message: 'x',
    });
    const h2 = harness(() => Promise.reject(limited));
    expect(await h2.api.cancelAll(SYM)).toEqual({
      status: 'rejected',
      reason: rejectionFields(limited).reason,
      code: -1003,
      binanceMessage: 'Too many requests.',
    });
    expect(h2.count('GET', '/api/v3/openOrders')).toBe(0);
  });

  describe('a lost answer: what was open before is compared with what is open now, never re-sent', () => {
    function withOpenOrders(handler: Handler, extra: Partial<OrderApiOptions> = {}) {
      const orders = createOrderStateStore();
      orders.apply(update('gone-canceled', 'NEW', '1'), 'event');
      orders.apply(update('gone-filled', 'NEW', '2'), 'event');
      orders.apply(update('still-open', 'NEW', '3'), 'event');
      orders.apply(update('unreadable', 'NEW', '4'), 'event');
      orders.apply(update('other-symbol', 'NEW', '5', 'ETHUSDT'), 'event');
      orders.apply(update('done-before', 'FILLED', '6'), 'event');
      return harness(handler, { orders, ...extra });
    }

    it('orders no longer open are looked up; only those found canceled are reported canceled', async () => {
      const h = withOpenOrders((req) => {
        if (req.method === 'DELETE') return Promise.reject(lostAnswer());
        if (req.path === '/api/v3/openOrders') return [restOrder('still-open', 'NEW', 3)];
        const id = req.params?.orderId;
        if (id === '1') return restOrder('gone-canceled', 'CANCELED', 1);
        if (id === '2') return restOrder('gone-filled', 'FILLED', 2);
        return Promise.reject(unavailable());
      });
      const out = await h.api.cancelAll(SYM);
      expect(out.status).toBe('done');
      expect(out.status === 'done' && out.canceled.map((o) => o.clientOrderId)).toEqual(['gone-canceled']);
      expect(out.status === 'done' && out.stillOpen.map((o) => o.clientOrderId)).toEqual(['still-open']);
      expect(out).toMatchObject({ confirmed: false });
      expect(h.calls.filter((c) => c.path === '/api/v3/order').map((c) => c.req.params)).toEqual([
        { symbol: SYM, orderId: '1' },
        { symbol: SYM, orderId: '2' },
        { symbol: SYM, orderId: '4' },
      ]);
      expect(h.count('DELETE', '/api/v3/openOrders')).toBe(1);
    });

    it('an order no longer open that Binance does not know is not reported canceled', async () => {
      const h = withOpenOrders((req) => {
        if (req.method === 'DELETE') return Promise.reject(lostAnswer());
        if (req.path === '/api/v3/openOrders') return [];
        return Promise.reject(notFound());
      });
      const out = await h.api.cancelAll(SYM);
      expect(out).toMatchObject({ status: 'done', canceled: [], stillOpen: [], confirmed: false });
    });

    it('open orders unreadable for a while: read again at the backoff pace until they can be', async () => {
      const h = withOpenOrders((req, n) => {
        if (req.method === 'DELETE') return Promise.reject(lostAnswer());
        if (req.path === '/api/v3/openOrders') return n < 4 ? Promise.reject(unavailable()) : [];
        return restOrder('x', 'CANCELED', Number(req.params?.orderId));
      });
      const checking = h.api.cancelAll(SYM);
      await h.clock.runUntil(() => false, T0 + 60_000);
      const out = await checking;
      expect(out.status === 'done' && out.canceled.map((o) => o.orderId)).toEqual(['1', '2', '3', '4']);
      expect(h.times('GET', '/api/v3/openOrders')).toEqual([0, 500, 1_000]);
    });

    it('open orders unreadable for the whole 10 s: unknown, with the last error; the last read is at 10 s exactly', async () => {
      const h = withOpenOrders((req, n) => {
        if (req.method === 'DELETE') return Promise.reject(lostAnswer());
        return Promise.reject(n % 2 === 0 ? unavailable() : 'still down');
      });
      const checking = h.api.cancelAll(SYM);
      await h.clock.runUntil(() => false, T0 + 60_000);
      expect(await checking).toEqual({
        status: 'unknown',
        reason:
          'Binance did not confirm the cancel and the open orders could not be read (Binance is unavailable.). Check your open orders.',
      });
      expect(h.times('GET', '/api/v3/openOrders')).toEqual(Array.from({ length: 21 }, (_, i) => i * 500));
      const h2 = withOpenOrders((req) => Promise.reject(req.method === 'DELETE' ? lostAnswer() : 'still down'), { cancelCheckMs: 0 });
      expect(await h2.api.cancelAll(SYM)).toMatchObject({ status: 'unknown', reason: expect.stringContaining('(still down)') });
    });

    it('dispose ends the check at once', async () => {
      const h = withOpenOrders((req) => Promise.reject(req.method === 'DELETE' ? lostAnswer() : unavailable()));
      const checking = h.api.cancelAll(SYM);
      await h.clock.runUntil(() => h.count('GET', '/api/v3/openOrders') >= 2, T0 + 60_000);
      h.api.dispose();
      expect(await checking).toMatchObject({ status: 'unknown' });
      expect(h.clock.pending()).toBe(0);
      expect(h.count('GET', '/api/v3/openOrders')).toBe(2);
    });
  });
});

describe('reconciliation through the API', () => {
  it('reconcile and reconcileAll look intents up after a restart, from their send time', async () => {
    const ids: Record<string, number> = { a: 1, b: 2, c: 3 };
    const h = harness((req) => {
      const id = String(req.params?.origClientOrderId);
      return restOrder(id, 'FILLED', ids[id]);
    });
    const seen: string[] = [];
    h.api.outcomes.subscribe((o) => seen.push(`${o.clientOrderId}:${o.status}${o.status === 'unknown' ? `:${o.cause}` : ''}`));
    const one = h.api.reconcile('a', SYM, T0 - 5_000);
    expect(h.api.outcomes.get('a')).toMatchObject({ status: 'unknown', cause: 'restart', since: T0 - 5_000 });
    expect((await one).status).toBe('filled');
    const all = await h.api.reconcileAll([
      { clientOrderId: 'b', symbol: SYM, sentAt: T0 - 1_000 },
      { clientOrderId: 'c', symbol: SYM },
    ]);
    expect(all.map((o) => [o.clientOrderId, o.status])).toEqual([
      ['b', 'filled'],
      ['c', 'filled'],
    ]);
    expect(seen).toEqual(['a:unknown:restart', 'a:filled', 'b:unknown:restart', 'c:unknown:restart', 'b:filled', 'c:filled']);
    expect(h.api.pending()).toEqual([]);
    expect(h.api.reconciler.outcomes).toBe(h.api.outcomes);
  });

  it('a shared reconciler is used, not a second one', async () => {
    const first = harness(() => restOrder(ID, 'NEW'));
    const h = harness(() => ({ symbol: SYM, orderId: 42, clientOrderId: ID, transactTime: 1 }), { reconciler: first.api.reconciler });
    await h.api.place({ clientOrderId: ID, order: limitDraft });
    expect(first.api.outcomes.get(ID)?.status).toBe('accepted');
    expect(await first.api.whenSettled(ID)).toBe(h.api.outcomes.get(ID));
  });
});

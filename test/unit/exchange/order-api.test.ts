/**
 * The order API and reconciler on a scripted REST fake: what each kind of failure turns into,
 * that reconciliation never concludes 'not-placed' without a -2013 obtained after the grace
 * window, that transport errors prove nothing, and that dispose releases everything.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ExchangeError } from '../../../src/main/exchange/errors';
import { createOrderApi, type OrderApi } from '../../../src/main/exchange/order-api';
import { createOrderStateStore, type OrderUpdateInput } from '../../../src/main/exchange/order-state';
import type { ReconcileLogEvent } from '../../../src/main/exchange/reconciler';
import type { RestRequest } from '../../../src/main/exchange/rest-client';
import { fakeClock, type FakeClock } from '../../helpers/fake-clock';

type Handler = (req: RestRequest<unknown>) => unknown;

const apis: OrderApi[] = [];
afterEach(() => {
  for (const a of apis.splice(0)) a.dispose();
});

function setup(
  handler: Handler,
  extra: {
    graceMs?: number;
    log?: (e: ReconcileLogEvent) => void;
    orders?: ReturnType<typeof createOrderStateStore>;
    clock?: FakeClock;
  } = {},
) {
  const calls: RestRequest<unknown>[] = [];
  const rest = {
    async request<T>(req: RestRequest<T>): Promise<T> {
      calls.push(req as RestRequest<unknown>);
      const out = await handler(req as RestRequest<unknown>);
      return (req.schema ? req.schema.parse(out) : out) as T;
    },
  };
  const api = createOrderApi({ rest, graceMs: extra.graceMs ?? 100, backoff: { baseMs: 20, capMs: 40, minMs: 10 }, ...extra });
  apis.push(api);
  return { api, calls, count: (method: string, path: string) => calls.filter((c) => c.method === method && c.path === path).length };
}

const notFound = (): ExchangeError =>
  new ExchangeError({ kind: 'not-found', httpStatus: 400, binanceCode: -2013, binanceMsg: 'Order does not exist.', message: 'x' });
const network = (): ExchangeError => new ExchangeError({ kind: 'network', mayHaveExecuted: false, message: 'Could not reach Binance.' });
const serverError = (): ExchangeError => new ExchangeError({ kind: 'unknown-outcome', httpStatus: 503, binanceCode: -1007, message: 'x' });

const draft = { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.00100', price: '50000.00' } as const;

// One exchange orderId per client id, above 2^53 like real ids can be.
const orderIds = new Map<string, string>();
function orderIdOf(clientOrderId: string): string {
  let id = orderIds.get(clientOrderId);
  if (id === undefined) {
    id = (9_007_199_254_740_993n + BigInt(orderIds.size)).toString();
    orderIds.set(clientOrderId, id);
  }
  return id;
}

function restOrder(clientOrderId: string, status = 'NEW'): Record<string, unknown> {
  return {
    symbol: 'BTCUSDT',
    orderId: orderIdOf(clientOrderId),
    orderListId: -1,
    clientOrderId,
    price: '50000.00',
    origQty: '0.00100',
    executedQty: '0',
    cummulativeQuoteQty: '0',
    status,
    timeInForce: 'GTC',
    type: 'LIMIT',
    side: 'BUY',
    stopPrice: '0',
    time: 1,
    updateTime: 1,
  };
}

describe('place', () => {
  it('refuses malformed ids and float-like values before sending anything', async () => {
    const { api, calls } = setup(() => ({}));
    await expect(api.place({ clientOrderId: 'bad id', order: draft })).rejects.toThrow(TypeError);
    await expect(api.place({ clientOrderId: 'ok', order: { ...draft, price: '5e4' } })).rejects.toThrow(/plain decimal/);
    await expect(api.place({ clientOrderId: 'ok', order: { ...draft, quantity: '0.30000000000000004x' } })).rejects.toThrow(
      /plain decimal/,
    );
    expect(calls).toHaveLength(0);
  });

  it('sends the intent once, with our id, FULL answers and critical priority', async () => {
    const { api, calls } = setup((req) => ({ ...restOrder(String(req.params?.newClientOrderId)), transactTime: 5 }));
    const out = await api.place({ clientOrderId: 'perch-a', order: draft });
    expect(out).toMatchObject({ status: 'accepted', order: { orderId: orderIdOf('perch-a') } });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ method: 'POST', path: '/api/v3/order', priority: 'critical', changesState: true, security: 'TRADE' });
    expect(calls[0]?.params).toMatchObject({
      newClientOrderId: 'perch-a',
      newOrderRespType: 'FULL',
      price: '50000.00',
      quantity: '0.00100',
    });
  });

  it('a request that provably never left (network) is not-placed and may be resubmitted with the same id', async () => {
    let first = true;
    const { api, count } = setup((req) => {
      if (req.method === 'POST' && first) {
        first = false;
        throw network();
      }
      return { ...restOrder('perch-b'), transactTime: 5 };
    });
    expect(await api.place({ clientOrderId: 'perch-b', order: draft })).toMatchObject({ status: 'not-placed', verified: false });
    expect((await api.place({ clientOrderId: 'perch-b', order: draft })).status).toBe('accepted');
    expect(count('POST', '/api/v3/order')).toBe(2);
  });

  it('an unreadable 2xx (bad-response) and a non-transport error are unknown and get reconciled', async () => {
    const { api, count } = setup((req) => {
      if (req.method === 'POST' && req.params?.newClientOrderId === 'perch-c')
        throw new ExchangeError({ kind: 'bad-response', mayHaveExecuted: true, message: 'x' });
      if (req.method === 'POST') throw new Error('socket exploded');
      return restOrder(String(req.params?.origClientOrderId));
    });
    expect(await api.place({ clientOrderId: 'perch-c', order: draft })).toMatchObject({ status: 'unknown', cause: 'bad-response' });
    expect(await api.place({ clientOrderId: 'perch-d', order: draft })).toMatchObject({ status: 'unknown', cause: 'other' });
    expect((await api.whenSettled('perch-c')).status).toBe('accepted');
    expect((await api.whenSettled('perch-d')).status).toBe('accepted');
    expect(count('POST', '/api/v3/order')).toBe(2);
  });
});

describe('reconciliation', () => {
  it('transport errors after the window prove nothing: not-placed needs a -2013 obtained after the window', async () => {
    const log: ReconcileLogEvent[] = [];
    // A fake clock: "errors until 400 ms" must not depend on how fast a loaded machine runs.
    const clock = fakeClock();
    const { api } = setup(
      (req) => {
        if (req.method === 'POST') throw serverError();
        if (req.path === '/api/v3/allOrders') return [];
        // Errors until well past the 100 ms window, then -2013.
        if (clock.now() < 400) throw network();
        throw notFound();
      },
      { log: (e) => log.push(e), clock },
    );
    await api.place({ clientOrderId: 'perch-e', order: draft });
    await clock.runUntil(() => api.outcomes.get('perch-e')?.status === 'not-placed', 60_000);
    const settled = await api.whenSettled('perch-e');
    expect(settled).toMatchObject({ status: 'not-placed', verified: true });
    const queries = log.filter((e): e is Extract<ReconcileLogEvent, { type: 'query' }> => e.type === 'query');
    expect(queries.filter((q) => q.result === 'error' && q.elapsedMs >= 100).length).toBeGreaterThan(0);
    // The conclusion came from the first -2013 (all before it were errors).
    const firstNotFound = queries.findIndex((q) => q.result === 'not-found');
    expect(firstNotFound).toBeGreaterThan(0);
    expect(queries.slice(0, firstNotFound).every((q) => q.result === 'error')).toBe(true);
  });

  it('-2013 inside the window keeps waiting; a failing order-list check keeps it unknown', async () => {
    let listCalls = 0;
    const log: ReconcileLogEvent[] = [];
    const { api } = setup(
      (req) => {
        if (req.path === '/api/v3/allOrders') {
          listCalls++;
          if (listCalls < 3) throw network();
          return [];
        }
        throw notFound();
      },
      { log: (e) => log.push(e) },
    );
    const r = await api.reconcile('perch-f', 'BTCUSDT');
    expect(r.status).toBe('not-placed');
    // Two failed checks prove nothing; then two absent looks (the rule for 'not-placed').
    expect(listCalls).toBe(4);
    const transitions = log.filter((e) => e.type === 'transition').map((e) => e.type === 'transition' && e.to);
    expect(transitions).toEqual(['unknown', 'not-placed']);
  });

  it('an order found in the list check after the window is placed, not absent', async () => {
    const { api } = setup((req) => {
      if (req.path === '/api/v3/allOrders') return [restOrder('someone-else'), restOrder('perch-g', 'FILLED')];
      throw notFound();
    });
    expect((await api.reconcile('perch-g', 'BTCUSDT')).status).toBe('filled');
  });

  it('a user data event settles the intent while queries hang', async () => {
    const orders = createOrderStateStore();
    const { api } = setup(() => new Promise(() => undefined), { orders, graceMs: 60_000 });
    const pending = api.reconcile('perch-h', 'BTCUSDT');
    const ev: OrderUpdateInput = {
      symbol: 'BTCUSDT',
      orderId: '1',
      clientOrderId: 'perch-h',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      price: '1',
      origQty: '1',
      stopPrice: '0',
      status: 'PARTIALLY_FILLED',
      executedQty: '0.5',
      cumulativeQuoteQty: '0.5',
      orderListId: '-1',
      createdAt: 1,
      updateTime: 2,
    };
    orders.apply(ev, 'event');
    expect(await pending).toMatchObject({ status: 'partially-filled', order: { source: 'event' } });
    orders.apply({ ...ev, status: 'FILLED', executedQty: '1', updateTime: 3 }, 'event');
    expect(api.outcomes.get('perch-h')?.status).toBe('filled');
  });

  it('outcomes can be subscribed to; pending() lists the unsettled; dispose stops polling', async () => {
    const { api, calls } = setup(
      () => {
        throw notFound();
      },
      { graceMs: 60_000 },
    );
    const seen: string[] = [];
    const unsubscribe = api.outcomes.subscribe((o) => seen.push(o.status));
    void api.reconcile('perch-i', 'BTCUSDT');
    expect(api.pending().map((o) => o.clientOrderId)).toEqual(['perch-i']);
    await new Promise((r) => setTimeout(r, 100));
    expect(seen).toEqual(['unknown']);
    unsubscribe();
    expect(api.outcomes.listenerCount()).toBe(0);
    api.dispose();
    const after = calls.length;
    await new Promise((r) => setTimeout(r, 150));
    expect(calls.length).toBe(after);
  });
});

describe('cancel on the fake', () => {
  it('-2011 "Unknown order sent." then a failing query: not-canceled with both reasons, no second DELETE', async () => {
    const { api, count } = setup((req) => {
      if (req.method === 'DELETE')
        throw new ExchangeError({
          kind: 'not-found',
          httpStatus: 400,
          binanceCode: -2011,
          binanceMsg: 'Unknown order sent.',
          message: 'Binance does not know this order.',
        });
      throw network();
    });
    const r = await api.cancel('BTCUSDT', { orderId: '12' });
    expect(r).toMatchObject({ status: 'not-canceled', code: -2011 });
    expect(count('DELETE', '/api/v3/order')).toBe(1);
  });

  it('a cancel restriction rejection is reported as not canceled', async () => {
    const { api } = setup(() => {
      throw new ExchangeError({
        kind: 'rejected',
        httpStatus: 400,
        binanceCode: -2011,
        binanceMsg: 'Order was not canceled due to cancel restrictions.',
        message: 'x',
      });
    });
    const r = await api.cancel('BTCUSDT', { clientOrderId: 'perch-j' });
    expect(r.status).toBe('not-canceled');
    expect(r.status === 'not-canceled' && r.reason).toMatch(/restricted/);
  });
});

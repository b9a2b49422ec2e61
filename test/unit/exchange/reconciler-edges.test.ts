/**
 * The reconciler's rules one by one, on a fake clock and a scripted REST fake (no simulator, no
 * real waiting): exactly when each look lands (the end of the grace window, the gap between the
 * two absent looks, the backoff, a server's Retry-After), what each failure is logged as, what the
 * store's own knowledge short-cuts, the guards of reconcile / beginAttempt / resumeFollowUp, the
 * background follow-up's bounds, and what dispose releases.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ExchangeError } from '../../../src/main/exchange/errors';
import { UNKNOWN_MESSAGES } from '../../../src/main/exchange/order-outcome';
import { createOrderStateStore, type OrderStateStore, type OrderUpdateInput } from '../../../src/main/exchange/order-state';
import {
  createReconciler,
  defaultConfirmGap,
  type ReconcileLogEvent,
  type Reconciler,
  type ReconcilerOptions,
} from '../../../src/main/exchange/reconciler';
import type { RestRequest } from '../../../src/main/exchange/rest-client';
import { fakeClock, type FakeClock } from '../../helpers/fake-clock';

const SYM = 'BTCUSDT';
const ID = 'perch-edge-1';
/** The clock starts far from 0 so that "now - since" and "now + since" differ. */
const T0 = 1_000_000;
/** Every backoff step is exactly 500 ms (jitter pinned). */
const STEADY = { baseMs: 500, capMs: 500, minMs: 500, random: () => 0.5 };
/** Every follow-up step is exactly 5 s. */
const STEADY_FOLLOW = { baseMs: 5_000, capMs: 5_000, minMs: 5_000, random: () => 0.5 };

const notFound = (): ExchangeError =>
  new ExchangeError({ kind: 'not-found', httpStatus: 400, binanceCode: -2013, binanceMsg: 'Order does not exist.', message: 'x' });
const rateLimited = (retryAfterMs: number): ExchangeError =>
  new ExchangeError({ kind: 'rate-limited', httpStatus: 429, retryAfterMs, message: 'Too many requests.' });
const unavailable = (): ExchangeError => new ExchangeError({ kind: 'unavailable', httpStatus: 503, message: 'Service unavailable.' });

function restOrder(clientOrderId: string, status = 'FILLED', orderId = 42, symbol = SYM): Record<string, unknown> {
  return {
    symbol,
    orderId,
    clientOrderId,
    price: '0',
    origQty: '1',
    executedQty: status === 'FILLED' ? '1' : '0',
    cummulativeQuoteQty: '0',
    status,
    timeInForce: 'GTC',
    type: 'LIMIT',
    side: 'BUY',
    updateTime: orderId,
  };
}

function update(clientOrderId: string, status: OrderUpdateInput['status'], extra: Partial<OrderUpdateInput> = {}): OrderUpdateInput {
  return {
    symbol: SYM,
    orderId: '42',
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
    updateTime: 2,
    ...extra,
  };
}

type Handler = (req: RestRequest<unknown>, n: number) => unknown;

const reconcilers: Reconciler[] = [];
afterEach(() => {
  for (const r of reconcilers.splice(0)) r.dispose();
  vi.restoreAllMocks();
});

function harness(handler: Handler, extra: Partial<ReconcilerOptions> = {}, clock: FakeClock = fakeClock(T0)) {
  const calls: { path: string; at: number; req: RestRequest<unknown> }[] = [];
  const log: ReconcileLogEvent[] = [];
  const rest = {
    async request<T>(req: RestRequest<T>): Promise<T> {
      calls.push({ path: req.path, at: clock.now() - T0, req: req as RestRequest<unknown> });
      const out = await handler(req as RestRequest<unknown>, calls.length);
      return (req.schema ? req.schema.parse(out) : out) as T;
    },
  };
  const r = createReconciler({ rest, clock, backoff: STEADY, followUpBackoff: STEADY_FOLLOW, log: (e) => log.push(e), ...extra });
  reconcilers.push(r);
  const seen: { status: string; previous: string | undefined; at: number }[] = [];
  r.outcomes.subscribe((o, p) => seen.push({ status: o.status, previous: p?.status, at: o.at - T0 }));
  const at = (path: string): number[] => calls.filter((c) => c.path === path).map((c) => c.at);
  return { r, clock, calls, log, seen, queries: () => at('/api/v3/order'), lists: () => at('/api/v3/allOrders') };
}

const settledIn = (r: Reconciler, clock: FakeClock, limit = T0 + 600_000) =>
  clock.runUntil(() => {
    const o = r.outcomes.get(ID);
    return o !== undefined && o.status !== 'sending' && o.status !== 'unknown';
  }, limit);

describe('defaultConfirmGap', () => {
  it('is a ninth of the window, rounded up, between 0 and 10 s', () => {
    expect(defaultConfirmGap(90_000)).toBe(10_000);
    expect(defaultConfirmGap(1_000_000)).toBe(10_000);
    expect(defaultConfirmGap(900)).toBe(100);
    expect(defaultConfirmGap(100)).toBe(12);
    expect(defaultConfirmGap(0)).toBe(0);
    expect(defaultConfirmGap(-90)).toBe(0);
  });
});

describe('when the looks land', () => {
  it('the first absent look lands exactly at the end of the window, the second exactly one gap later', async () => {
    const h = harness((req) => (req.path === '/api/v3/allOrders' ? [] : Promise.reject(notFound())), {
      graceMs: 1_000,
      confirmGapMs: 500,
      followUpMs: 0,
    });
    void h.r.reconcile(ID, SYM, 'timeout');
    await settledIn(h.r, h.clock);
    expect(h.queries()).toEqual([0, 500, 1_000, 1_500]);
    expect(h.lists()).toEqual([1_000, 1_500]);
    const out = h.r.outcomes.get(ID)!;
    expect(out).toMatchObject({ status: 'not-placed', verified: true, at: T0 + 1_500 });
    expect(out.status === 'not-placed' && out.reason).toContain('no record of this order 2 s after it was sent');
    expect(h.log).toEqual([
      { type: 'transition', clientOrderId: ID, from: 'sending', to: 'unknown' },
      { type: 'query', clientOrderId: ID, result: 'not-found', elapsedMs: 0 },
      { type: 'query', clientOrderId: ID, result: 'not-found', elapsedMs: 500 },
      { type: 'query', clientOrderId: ID, result: 'not-found', elapsedMs: 1_000 },
      { type: 'list-check', clientOrderId: ID, result: 'absent' },
      { type: 'query', clientOrderId: ID, result: 'not-found', elapsedMs: 1_500 },
      { type: 'list-check', clientOrderId: ID, result: 'absent' },
      { type: 'transition', clientOrderId: ID, from: 'unknown', to: 'not-placed' },
    ]);
    // followUpMs 0: no background check is left behind.
    expect(h.clock.pending()).toBe(0);
  });

  it('inside the gap the looks keep their pace and one lands just after the gap ends', async () => {
    const h = harness((req) => (req.path === '/api/v3/allOrders' ? [] : Promise.reject(notFound())), {
      graceMs: 1_000,
      confirmGapMs: 1_200,
      followUpMs: 0,
    });
    void h.r.reconcile(ID, SYM, 'timeout');
    await settledIn(h.r, h.clock);
    expect(h.queries()).toEqual([0, 500, 1_000, 1_500, 2_000, 2_201]);
    expect(h.lists()).toEqual([1_000, 2_201]);
    expect(h.r.outcomes.get(ID)).toMatchObject({ status: 'not-placed', at: T0 + 2_201 });
  });

  it('a long backoff is cut short so that a look lands just after the window and just after the gap', async () => {
    const h = harness((req) => (req.path === '/api/v3/allOrders' ? [] : Promise.reject(notFound())), {
      graceMs: 1_000,
      backoff: { baseMs: 5_000, capMs: 5_000, minMs: 5_000, random: () => 0.5 },
      followUpMs: 0,
    });
    void h.r.reconcile(ID, SYM, 'timeout');
    await settledIn(h.r, h.clock);
    // default gap: ceil(1000 / 9) = 112 ms
    expect(h.queries()).toEqual([0, 1_001, 1_114]);
    expect(h.lists()).toEqual([1_001, 1_114]);
  });

  it('a failed list check at the end of the window is no absent look; the next look follows the normal pace', async () => {
    const h = harness(
      (req, n) => {
        if (req.path !== '/api/v3/allOrders') return Promise.reject(notFound());
        if (n === 4) return Promise.reject(unavailable());
        return [];
      },
      { graceMs: 1_000, confirmGapMs: 500, followUpMs: 0 },
    );
    void h.r.reconcile(ID, SYM, 'timeout');
    await settledIn(h.r, h.clock);
    expect(h.lists()).toEqual([1_000, 1_500, 2_000]);
    expect(h.r.outcomes.get(ID)).toMatchObject({ status: 'not-placed', at: T0 + 2_000 });
    // An exchange error is logged by kind only (its text is in the REST client's log).
    expect(h.log.filter((e) => e.type === 'list-check')).toEqual([
      { type: 'list-check', clientOrderId: ID, result: 'error' },
      { type: 'list-check', clientOrderId: ID, result: 'absent' },
      { type: 'list-check', clientOrderId: ID, result: 'absent' },
    ]);
  });

  it('a failing list check that is not an exchange error is logged with its text', async () => {
    let lists = 0;
    const h = harness(
      (req) => {
        if (req.path !== '/api/v3/allOrders') return Promise.reject(notFound());
        lists += 1;
        if (lists === 1) throw new Error('list exploded');
        if (lists === 2) return Promise.reject('plain text');
        return [];
      },
      { graceMs: 1_000, confirmGapMs: 500, followUpMs: 0 },
    );
    void h.r.reconcile(ID, SYM, 'timeout');
    await settledIn(h.r, h.clock);
    expect(h.log.filter((e) => e.type === 'list-check' && e.result === 'error')).toEqual([
      { type: 'list-check', clientOrderId: ID, result: 'error', detail: 'list exploded' },
      { type: 'list-check', clientOrderId: ID, result: 'error', detail: 'plain text' },
    ]);
  });

  it("failures prove nothing: a Retry-After is honoured, shorter ones and other errors keep the backoff's pace", async () => {
    const long = 'x'.repeat(300);
    const h = harness(
      (_req, n) => {
        if (n === 1) return Promise.reject(rateLimited(3_000));
        if (n === 2) return Promise.reject(rateLimited(100));
        if (n === 3) throw new Error(long);
        // A rejection with nothing at all (a bug somewhere) is still only "ask again later".
        if (n === 4) return Promise.reject(undefined);
        return restOrder(ID);
      },
      { graceMs: 1_000 },
    );
    void h.r.reconcile(ID, SYM, 'timeout');
    await settledIn(h.r, h.clock);
    expect(h.r.outcomes.get(ID)).toMatchObject({ status: 'filled', order: { source: 'query' } });
    expect(h.queries()).toEqual([0, 3_000, 3_500, 4_000, 4_500]);
    expect(h.lists()).toEqual([]);
    expect(h.log.filter((e) => e.type === 'query')).toEqual([
      { type: 'query', clientOrderId: ID, result: 'error', errorKind: 'rate-limited', elapsedMs: 0 },
      { type: 'query', clientOrderId: ID, result: 'error', errorKind: 'rate-limited', elapsedMs: 3_000 },
      { type: 'query', clientOrderId: ID, result: 'error', errorKind: 'error', elapsedMs: 3_500, detail: 'x'.repeat(200) },
      { type: 'query', clientOrderId: ID, result: 'error', errorKind: 'error', elapsedMs: 4_000, detail: 'undefined' },
      { type: 'query', clientOrderId: ID, result: 'found', elapsedMs: 4_500 },
    ]);
  });

  it('the default pace: looks 100 ms apart at least, background looks 2 s after the conclusion at least', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const clock = fakeClock(T0);
    const calls: { path: string; at: number }[] = [];
    const rest = {
      async request<T>(req: RestRequest<T>): Promise<T> {
        calls.push({ path: req.path, at: clock.now() - T0 });
        if (req.path === '/api/v3/allOrders') return [] as T;
        throw notFound();
      },
    };
    const r = createReconciler({ rest, clock, graceMs: 200, confirmGapMs: 100 });
    reconcilers.push(r);
    void r.reconcile(ID, SYM, 'timeout');
    await settledIn(r, clock);
    const concluded = r.outcomes.get(ID)!.at - T0;
    expect(calls.slice(0, 3).map((c) => c.at)).toEqual([0, 100, 200]);
    await clock.runUntil(() => calls.some((c) => c.at > concluded), T0 + 60_000);
    expect(calls.find((c) => c.at > concluded)?.at).toBe(concluded + 2_000);
  });
});

describe('what the reconciler already knows', () => {
  it('an answer for another order (cannot happen by id) is kept in the store but settles nothing; the look is repeated', async () => {
    const h = harness((_req, n) => (n === 1 ? restOrder('someone-else', 'NEW', 7) : restOrder(ID)), { graceMs: 1_000 });
    void h.r.reconcile(ID, SYM, 'timeout');
    await settledIn(h.r, h.clock);
    expect(h.queries()).toEqual([0, 500]);
    expect(h.r.outcomes.get(ID)?.status).toBe('filled');
    expect(h.r.orders.get('someone-else')?.status).toBe('NEW');
    expect(h.r.outcomes.get('someone-else')).toBeUndefined();
    expect(h.log[1]).toEqual({ type: 'query', clientOrderId: ID, result: 'found', elapsedMs: 0 });
    expect(h.log.filter((e) => e.type === 'query' && e.result !== 'found')).toEqual([]);
    // Settled by the answer: the loop ends there, without one more wait.
    expect(h.clock.pending()).toBe(0);
    expect(() => h.r.applyOrder(update('stranger', 'NEW', { orderId: '99' }), 'event')).not.toThrow();
    expect(h.r.outcomes.get('stranger')).toBeUndefined();
  });

  it('an order the store already has (the user data stream was first) settles the intent without a request', async () => {
    const orders = createOrderStateStore();
    const h = harness(() => Promise.reject(notFound()), { orders });
    orders.apply(update(ID, 'FILLED'), 'event');
    expect(h.r.outcomes.get(ID)).toBeUndefined(); // not tracked yet: nothing to advance
    const out = await h.r.reconcile(ID, SYM, 'restart');
    expect(out).toMatchObject({ status: 'filled', order: { source: 'event' } });
    expect(h.calls).toHaveLength(0);
    expect(h.seen.map((s) => s.status)).toEqual(['unknown', 'filled']);
  });

  it('an order with the same client id on another symbol is not this intent', async () => {
    const orders = createOrderStateStore();
    const h = harness((_req, n) => (n === 1 ? Promise.reject(notFound()) : restOrder(ID, 'NEW', 43)), { orders, graceMs: 60_000 });
    h.r.record({ clientOrderId: ID, symbol: SYM, at: T0, status: 'sending' });
    orders.apply(update(ID, 'FILLED', { symbol: 'ETHUSDT', orderId: '9' }), 'event');
    expect(h.r.outcomes.get(ID)?.status).toBe('sending');
    void h.r.reconcile(ID, SYM, 'timeout');
    await settledIn(h.r, h.clock);
    expect(h.queries()).toEqual([0, 500]);
    expect(h.r.outcomes.get(ID)).toMatchObject({ status: 'accepted', symbol: SYM, order: { orderId: '43' } });
  });

  it('applyOrder moves the intent to what the store knows even when the update itself is older', () => {
    const orders = createOrderStateStore();
    const h = harness(() => Promise.reject(notFound()), { orders });
    orders.apply(update(ID, 'FILLED', { updateTime: 5 }), 'event');
    h.r.record({ clientOrderId: ID, symbol: SYM, at: T0, status: 'sending' });
    const state = h.r.applyOrder(update(ID, 'NEW', { updateTime: 3 }), 'query');
    expect(state?.status).toBe('FILLED');
    expect(h.r.outcomes.get(ID)?.status).toBe('filled');
  });

  it('applyOrder of an order the store forgets at once (no room for terminal orders) returns nothing but still moves the intent', () => {
    const orders: OrderStateStore = createOrderStateStore({ maxTerminalOrders: 0 });
    const h = harness(() => Promise.reject(notFound()), { orders });
    h.r.record({ clientOrderId: ID, symbol: SYM, at: T0, status: 'sending' });
    expect(h.r.applyOrder(update(ID, 'FILLED'), 'query')).toBeUndefined();
    expect(h.r.outcomes.get(ID)?.status).toBe('filled');
  });

  it('the list check takes the newest order with the id (the highest orderId), as GET order would', async () => {
    const h = harness(
      (req) =>
        req.path === '/api/v3/allOrders'
          ? [restOrder(ID, 'CANCELED', 9), restOrder(ID, 'FILLED', 12), restOrder('other', 'NEW', 13), restOrder(ID, 'EXPIRED', 10)]
          : Promise.reject(notFound()),
      { graceMs: 500 },
    );
    void h.r.reconcile(ID, SYM, 'timeout');
    await settledIn(h.r, h.clock);
    expect(h.r.outcomes.get(ID)).toMatchObject({ status: 'filled', order: { orderId: '12', source: 'query' } });
    expect(h.log.filter((e) => e.type === 'list-check')).toEqual([{ type: 'list-check', clientOrderId: ID, result: 'found' }]);
    expect(h.clock.pending()).toBe(0);
  });

  it('the requests: read-only, critical, by client id, with the query timeout when one is set', async () => {
    const h = harness((req) => (req.path === '/api/v3/allOrders' ? [] : Promise.reject(notFound())), {
      graceMs: 0,
      confirmGapMs: 0,
      queryTimeoutMs: 1_234,
      followUpMs: 0,
    });
    void h.r.reconcile(ID, SYM, 'timeout');
    await settledIn(h.r, h.clock);
    expect(h.calls[0]!.req).toMatchObject({
      method: 'GET',
      path: '/api/v3/order',
      security: 'USER_DATA',
      weight: 4,
      priority: 'critical',
      params: { symbol: SYM, origClientOrderId: ID },
      timeoutMs: 1_234,
    });
    expect(h.calls[1]!.req).toMatchObject({
      method: 'GET',
      path: '/api/v3/allOrders',
      security: 'USER_DATA',
      weight: 20,
      priority: 'critical',
      params: { symbol: SYM, limit: 1000 },
      timeoutMs: 1_234,
    });

    const plain = harness(() => restOrder(ID));
    await plain.r.reconcile(ID, SYM, 'timeout');
    expect(plain.calls[0]!.req).not.toHaveProperty('timeoutMs');
    expect(plain.calls[0]!.req.schema).toBeDefined();
  });

  it('the list check sends no timeout of its own when none is set', async () => {
    const h = harness((req) => (req.path === '/api/v3/allOrders' ? [] : Promise.reject(notFound())), {
      graceMs: 0,
      confirmGapMs: 0,
      followUpMs: 0,
    });
    void h.r.reconcile(ID, SYM, 'timeout');
    await settledIn(h.r, h.clock);
    expect(h.calls[1]!.req.path).toBe('/api/v3/allOrders');
    expect(h.calls[1]!.req).not.toHaveProperty('timeoutMs');
  });
});

describe('reconcile', () => {
  it('of an intent it has never seen (after a restart): sending, then unknown since the send, with the cause', async () => {
    const h = harness(() => new Promise(() => undefined));
    void h.r.reconcile(ID, SYM, undefined, T0 - 5_000);
    expect(h.r.outcomes.get(ID)).toMatchObject({
      status: 'unknown',
      cause: 'restart',
      message: UNKNOWN_MESSAGES.restart,
      since: T0 - 5_000,
    });
    expect(h.seen).toEqual([{ status: 'unknown', previous: 'sending', at: 0 }]);
    expect(h.r.outcomes.pending().map((o) => o.clientOrderId)).toEqual([ID]);
  });

  it('a send time in the future (a clock step) counts from now', () => {
    const h = harness(() => new Promise(() => undefined));
    void h.r.reconcile(ID, SYM, 'connection', T0 + 60_000);
    expect(h.r.outcomes.get(ID)).toMatchObject({ status: 'unknown', cause: 'connection', message: UNKNOWN_MESSAGES.connection, since: T0 });
  });

  it('of an intent being sent: unknown from sending, keeping its record', () => {
    const h = harness(() => new Promise(() => undefined));
    const sending = h.r.record({ clientOrderId: ID, symbol: SYM, at: T0 - 1, status: 'sending' });
    const previous: unknown[] = [];
    h.r.outcomes.subscribe((_o, p) => previous.push(p));
    void h.r.reconcile(ID, SYM, 'timeout');
    expect(h.seen.map((s) => [s.previous, s.status])).toEqual([
      [undefined, 'sending'],
      ['sending', 'unknown'],
    ]);
    expect(previous).toEqual([sending]);
    expect(previous[0]).toBe(sending);
  });

  it('of an intent already unknown keeps its cause and start, and starts one loop only', async () => {
    const h = harness(() => new Promise(() => undefined));
    h.r.record({
      clientOrderId: ID,
      symbol: SYM,
      at: T0,
      status: 'unknown',
      cause: 'server-error',
      message: UNKNOWN_MESSAGES['server-error'],
      since: T0 - 7,
    });
    void h.r.reconcile(ID, SYM, 'restart');
    void h.r.reconcile(ID, SYM, 'restart');
    await h.clock.runUntil(() => false, T0);
    expect(h.r.outcomes.get(ID)).toMatchObject({ cause: 'server-error', since: T0 - 7 });
    expect(h.calls).toHaveLength(1);
  });

  it('of a settled intent resolves at once and asks nothing', async () => {
    const h = harness(() => restOrder(ID));
    h.r.record({ clientOrderId: ID, symbol: SYM, at: T0, status: 'not-placed', verified: false, reason: 'never sent' });
    expect(await h.r.reconcile(ID, SYM, 'restart')).toMatchObject({ status: 'not-placed', reason: 'never sent' });
    expect(await h.r.whenSettled(ID)).toMatchObject({ status: 'not-placed' });
    expect(h.calls).toHaveLength(0);
  });

  it('with another symbol than the intent is refused', async () => {
    const h = harness(() => restOrder(ID));
    h.r.record({ clientOrderId: ID, symbol: SYM, at: T0, status: 'sending' });
    await expect(h.r.reconcile(ID, 'ETHUSDT', 'timeout')).rejects.toThrow(`order intent ${ID} is for BTCUSDT, not ETHUSDT`);
    expect(h.r.outcomes.get(ID)?.status).toBe('sending');
    expect(h.calls).toHaveLength(0);
  });

  it('a loop that died (its log threw) is started again by the next reconcile', async () => {
    let throws = 2;
    const clock = fakeClock(T0);
    const calls: number[] = [];
    const rest = {
      async request<T>(req: RestRequest<T>): Promise<T> {
        calls.push(clock.now());
        return req.schema!.parse(restOrder(ID, 'NEW')) as T;
      },
    };
    const r = createReconciler({
      rest,
      clock,
      backoff: STEADY,
      log: (e) => {
        if (e.type === 'query' && throws > 0) {
          throws -= 1;
          throw new Error('log down');
        }
      },
    });
    reconcilers.push(r);
    const first = r.reconcile(ID, SYM, 'timeout');
    await clock.runUntil(() => false, T0 + 10_000);
    expect(calls).toHaveLength(1);
    expect(r.outcomes.get(ID)?.status).toBe('unknown');
    const again = await r.reconcile(ID, SYM, 'timeout');
    expect(again.status).toBe('accepted');
    expect(await first).toMatchObject({ status: 'accepted' });
    expect(calls).toHaveLength(2);
  });
});

describe('record, beginAttempt and the outcomes', () => {
  it('a transition backwards is ignored and the outcome in force is returned', () => {
    const h = harness(() => restOrder(ID));
    h.r.record({ clientOrderId: ID, symbol: SYM, at: T0, status: 'sending' });
    h.r.applyOrder(update(ID, 'FILLED'), 'event');
    const back = h.r.record({ clientOrderId: ID, symbol: SYM, at: T0 + 1, status: 'not-placed', verified: true, reason: 'x' });
    expect(back.status).toBe('filled');
    expect(h.seen.map((s) => s.status)).toEqual(['sending', 'filled']);
  });

  it('a new attempt only when no order can exist: never twice in flight, after a placed order, or for another symbol', () => {
    const h = harness(() => restOrder(ID));
    expect(h.r.beginAttempt(ID, SYM)).toBe(true);
    expect(h.r.outcomes.get(ID)).toMatchObject({ status: 'sending', at: T0, symbol: SYM });
    expect(h.r.beginAttempt(ID, SYM)).toBe(false);
    h.r.record({ clientOrderId: ID, symbol: SYM, at: T0, status: 'rejected', reason: 'Insufficient balance.' });
    expect(h.r.beginAttempt(ID, 'ETHUSDT')).toBe(false);
    expect(h.r.outcomes.get(ID)?.status).toBe('rejected');
    expect(h.r.beginAttempt(ID, SYM)).toBe(true);
    expect(h.seen.map((s) => [s.previous, s.status])).toEqual([
      [undefined, 'sending'],
      ['sending', 'rejected'],
      ['rejected', 'sending'],
    ]);
    h.r.applyOrder(update(ID, 'NEW'), 'query');
    expect(h.r.beginAttempt(ID, SYM)).toBe(false);
    expect(h.r.outcomes.get(ID)?.status).toBe('accepted');
  });

  it('all, pending and get; a listener that throws does not stop the others; unsubscribe', () => {
    const h = harness(() => restOrder(ID));
    const seen: string[] = [];
    h.r.outcomes.subscribe(() => {
      throw new Error('faulty listener');
    });
    const off = h.r.outcomes.subscribe((o) => seen.push(o.status));
    expect(h.r.outcomes.listenerCount()).toBe(3);
    h.r.record({ clientOrderId: 'a', symbol: SYM, at: T0, status: 'sending' });
    h.r.record({ clientOrderId: 'b', symbol: SYM, at: T0, status: 'not-placed', verified: false, reason: 'x' });
    expect(seen).toEqual(['sending', 'not-placed']);
    expect(h.r.outcomes.all().map((o) => o.clientOrderId)).toEqual(['a', 'b']);
    expect(h.r.outcomes.pending().map((o) => o.clientOrderId)).toEqual(['a']);
    expect(h.r.outcomes.get('b')?.status).toBe('not-placed');
    off();
    expect(h.r.outcomes.listenerCount()).toBe(2);
    h.r.record({ clientOrderId: 'c', symbol: SYM, at: T0, status: 'sending' });
    expect(seen).toEqual(['sending', 'not-placed']);
  });

  it('whenSettled waits for the settling transition', async () => {
    const h = harness(() => restOrder(ID));
    h.r.record({ clientOrderId: ID, symbol: SYM, at: T0, status: 'sending' });
    const waiting = h.r.whenSettled(ID);
    const also = h.r.whenSettled(ID);
    h.r.record({ clientOrderId: ID, symbol: SYM, at: T0, status: 'unknown', cause: 'timeout', message: 'x', since: T0 });
    expect(await Promise.race([waiting, Promise.resolve('still waiting')])).toBe('still waiting');
    h.r.applyOrder(update(ID, 'NEW'), 'query');
    expect(await waiting).toMatchObject({ status: 'accepted' });
    expect(await also).toMatchObject({ status: 'accepted' });
  });
});

describe('dispose', () => {
  it('releases waiters with what is known, refuses unknown intents, stops listening and polling', async () => {
    const orders = createOrderStateStore();
    const h = harness(() => Promise.reject(notFound()), { orders, graceMs: 60_000 });
    const settled = h.r.reconcile(ID, SYM, 'timeout');
    const stranger = h.r.whenSettled('perch-never-seen');
    await h.clock.runUntil(() => h.calls.length >= 2, T0 + 10_000);
    expect(h.clock.pending()).toBe(1);
    h.r.dispose();
    h.r.dispose();
    expect(h.clock.pending()).toBe(0);
    expect(await settled).toMatchObject({ status: 'unknown' });
    // A waiter for an intent it never had is not answered with nothing.
    expect(await Promise.race([stranger, Promise.resolve('still waiting')])).toBe('still waiting');
    expect(h.r.outcomes.listenerCount()).toBe(0);
    await expect(h.r.whenSettled('perch-never-seen')).rejects.toThrow('no order intent perch-never-seen');
    expect(await h.r.whenSettled(ID)).toMatchObject({ status: 'unknown' });
    expect(await h.r.reconcile(ID, SYM, 'timeout')).toMatchObject({ status: 'unknown' });
    await expect(h.r.reconcile('perch-other', SYM, 'timeout')).rejects.toThrow('no order intent perch-other');
    expect(h.r.outcomes.get('perch-other')).toBeUndefined();
    orders.apply(update(ID, 'FILLED'), 'event');
    expect(h.r.outcomes.get(ID)?.status).toBe('unknown');
    expect(h.r.resumeFollowUp('perch-late', SYM, T0, 'x')).toBe(false);
    const calls = h.calls.length;
    await h.clock.runUntil(() => false, T0 + 100_000);
    expect(h.calls).toHaveLength(calls);
  });
});

describe('the background follow-up after not-placed', () => {
  it('an order the store has by then corrects the intent without a request', async () => {
    const orders = createOrderStateStore();
    const h = harness(() => Promise.reject(notFound()), { orders });
    orders.apply(update(ID, 'FILLED'), 'event');
    expect(h.r.resumeFollowUp(ID, SYM, T0, 'Probably not placed.')).toBe(true);
    await h.clock.runUntil(() => h.r.outcomes.get(ID)?.status === 'filled', T0 + 60_000);
    expect(h.r.outcomes.get(ID)).toMatchObject({ status: 'filled', corrected: true, at: T0 + 5_000 });
    expect(h.calls).toHaveLength(0);
  });

  it('the same client id on another symbol is not evidence; the follow-up asks Binance', async () => {
    const orders = createOrderStateStore();
    const h = harness(() => restOrder(ID), { orders });
    orders.apply(update(ID, 'FILLED', { symbol: 'ETHUSDT', orderId: '9' }), 'event');
    expect(h.r.resumeFollowUp(ID, SYM, T0, 'Probably not placed.')).toBe(true);
    await h.clock.runUntil(() => h.r.outcomes.get(ID)?.status === 'filled', T0 + 60_000);
    expect(h.queries()).toEqual([5_000]);
    expect(h.r.outcomes.get(ID)).toMatchObject({ status: 'filled', symbol: SYM, corrected: true, order: { orderId: '42' } });
  });

  it('a failed look proves nothing and skips the list check; a -2013 is followed by one', async () => {
    const h = harness((req, n) => {
      if (req.path === '/api/v3/allOrders') return [];
      return Promise.reject(n === 1 ? unavailable() : notFound());
    });
    expect(h.r.resumeFollowUp(ID, SYM, T0, 'Probably not placed.')).toBe(true);
    await h.clock.runUntil(() => h.calls.length >= 3, T0 + 60_000);
    expect(h.queries()).toEqual([5_000, 10_000]);
    expect(h.lists()).toEqual([10_000]);
    expect(h.log.filter((e) => e.type === 'query').map((e) => e.type === 'query' && [e.result, e.elapsedMs])).toEqual([
      ['error', 5_000],
      ['not-found', 10_000],
    ]);
  });

  it('found by the list check: the follow-up ends there, even when that answer comes at its deadline', async () => {
    let listed = false;
    const clock = fakeClock(T0);
    const h = harness(
      (req) => {
        if (req.path !== '/api/v3/allOrders') return Promise.reject(notFound());
        // The list answers 1 ms later: exactly at the deadline.
        return new Promise((resolve) =>
          clock.setTimeout(() => {
            listed = true;
            resolve([restOrder(ID)]);
          }, 1),
        );
      },
      { followUpMs: 5_001 },
      clock,
    );
    expect(h.r.resumeFollowUp(ID, SYM, T0, 'Probably not placed.')).toBe(true);
    await clock.runUntil(() => listed, T0 + 60_000);
    expect(h.r.outcomes.get(ID)).toMatchObject({ status: 'filled', corrected: true, at: T0 + 5_001 });
    expect(clock.pending()).toBe(0);

    // Still absent when the list answers at the deadline: over, no further wait either.
    let absentListed = false;
    const clock2 = fakeClock(T0);
    const h2 = harness(
      (req) => {
        if (req.path !== '/api/v3/allOrders') return Promise.reject(notFound());
        return new Promise((resolve) =>
          clock2.setTimeout(() => {
            absentListed = true;
            resolve([]);
          }, 1),
        );
      },
      { followUpMs: 5_001 },
      clock2,
    );
    expect(h2.r.resumeFollowUp(ID, SYM, T0, 'Probably not placed.')).toBe(true);
    await clock2.runUntil(() => absentListed, T0 + 60_000);
    expect(clock2.pending()).toBe(0);
  });

  it('disposed while its look is on the way: no list check after it', async () => {
    let answer: (() => void) | undefined;
    const h = harness((req) => {
      if (req.path === '/api/v3/allOrders') return [];
      return new Promise((_resolve, reject) => {
        answer = () => reject(notFound());
      });
    });
    expect(h.r.resumeFollowUp(ID, SYM, T0, 'Probably not placed.')).toBe(true);
    await h.clock.runUntil(() => answer !== undefined, T0 + 60_000);
    h.r.dispose();
    answer!();
    await h.clock.runUntil(() => false, T0 + 60_000);
    expect(h.queries()).toEqual([5_000]);
    expect(h.lists()).toEqual([]);
  });

  it('ends at its deadline exactly: no look at or after it', async () => {
    const h = harness(() => Promise.reject(notFound()), { followUpMs: 5_000 });
    expect(h.r.resumeFollowUp(ID, SYM, T0, 'Probably not placed.')).toBe(true);
    await h.clock.runUntil(() => false, T0 + 60_000);
    expect(h.calls).toHaveLength(0);
    expect(h.clock.pending()).toBe(0);

    const later = harness((req) => (req.path === '/api/v3/allOrders' ? [] : Promise.reject(notFound())), { followUpMs: 5_001 });
    expect(later.r.resumeFollowUp(ID, SYM, T0, 'Probably not placed.')).toBe(true);
    await later.clock.runUntil(() => false, T0 + 60_000);
    expect(later.queries()).toEqual([5_000]);
    expect(later.lists()).toEqual([5_000]);
  });

  it('is refused when its window is over (at its last instant too) or the intent is known otherwise', () => {
    const h = harness(() => restOrder(ID), { followUpMs: 5_000 });
    expect(h.r.resumeFollowUp(ID, SYM, T0 - 5_000, 'x')).toBe(false);
    expect(h.r.outcomes.get(ID)).toBeUndefined();
    h.r.record({ clientOrderId: ID, symbol: SYM, at: T0, status: 'sending' });
    expect(h.r.resumeFollowUp(ID, SYM, T0, 'x')).toBe(false);
    expect(h.r.outcomes.get(ID)?.status).toBe('sending');
    const none = harness(() => restOrder(ID), { followUpMs: 0 });
    expect(none.r.resumeFollowUp(ID, SYM, T0 + 1, 'x')).toBe(false);
  });

  it('resumed twice, or for an intent concluded in this process, runs one loop and keeps the conclusion', async () => {
    const h = harness(() => Promise.reject(notFound()));
    expect(h.r.resumeFollowUp(ID, SYM, T0 - 1_000, 'first reason')).toBe(true);
    expect(h.r.resumeFollowUp(ID, SYM, T0, 'second reason')).toBe(true);
    expect(h.r.outcomes.get(ID)).toMatchObject({ status: 'not-placed', verified: true, reason: 'first reason', at: T0 - 1_000 });
    expect(h.clock.pending()).toBe(1); // one loop, asleep until its first look
    await h.clock.runUntil(() => h.calls.length > 0, T0 + 60_000);
    expect(h.queries()).toEqual([5_000]);
  });

  it('a follow-up that fails unexpectedly is logged, ends, and can be resumed again', async () => {
    const STILL_DOWN = 'still down '.repeat(30);
    let broken = true;
    const clock = fakeClock(T0);
    const log: ReconcileLogEvent[] = [];
    const calls: number[] = [];
    const rest = {
      async request<T>(req: RestRequest<T>): Promise<T> {
        calls.push(clock.now() - T0);
        return req.schema!.parse(restOrder(ID)) as T;
      },
    };
    const r = createReconciler({
      rest,
      clock,
      followUpBackoff: STEADY_FOLLOW,
      log: (e) => {
        if (broken && e.type === 'query' && e.result === 'found') throw new Error('log '.repeat(60));
        if (broken && e.type === 'query' && e.result === 'error' && e.errorKind === 'error' && e.elapsedMs > 0) throw new Error(STILL_DOWN);
        log.push(e);
      },
    });
    reconcilers.push(r);
    expect(r.resumeFollowUp(ID, SYM, T0, 'Probably not placed.')).toBe(true);
    await clock.runUntil(() => false, T0 + 20_000);
    expect(calls).toEqual([5_000]);
    expect(r.outcomes.get(ID)?.status).toBe('not-placed');
    expect(log).toEqual([
      { type: 'query', clientOrderId: ID, result: 'error', errorKind: 'error', detail: STILL_DOWN.slice(0, 200), elapsedMs: 0 },
    ]);
    expect(clock.pending()).toBe(0);
    broken = false;
    expect(r.resumeFollowUp(ID, SYM, T0, 'Probably not placed.')).toBe(true);
    await clock.runUntil(() => r.outcomes.get(ID)?.status === 'filled', T0 + 60_000);
    expect(r.outcomes.get(ID)).toMatchObject({ status: 'filled', corrected: true });
  });

  it('after a conclusion in this process the follow-up starts at once and finds a late order', async () => {
    let visible = false;
    const h = harness(
      (req) => {
        if (req.path === '/api/v3/allOrders') return visible ? [restOrder(ID)] : [];
        return visible ? restOrder(ID) : Promise.reject(notFound());
      },
      { graceMs: 1_000, confirmGapMs: 500 },
    );
    void h.r.reconcile(ID, SYM, 'timeout');
    await settledIn(h.r, h.clock);
    expect(h.r.outcomes.get(ID)).toMatchObject({ status: 'not-placed', at: T0 + 1_500 });
    visible = true;
    await h.clock.runUntil(() => h.r.outcomes.get(ID)?.status === 'filled', T0 + 60_000);
    expect(h.r.outcomes.get(ID)).toMatchObject({ status: 'filled', corrected: true, at: T0 + 6_500 });
  });
});

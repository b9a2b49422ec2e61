/**
 * Order placement against the simulator over loopback (B4, B18): every path whose outcome is
 * unknown ends in the true state with exactly one POST and never a second order; clean answers
 * and clear rejections are reported as such; -1021 and duplicate ids behave as the docs say.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCredentials } from '../../../src/main/exchange/credentials';
import type { OrderOutcome, OutcomeOf } from '../../../src/main/exchange/order-outcome';
import { createOrderStateStore } from '../../../src/main/exchange/order-state';
import type { ReconcileLogEvent } from '../../../src/main/exchange/reconciler';
import { createUserDataStream } from '../../../src/main/exchange/user-data-stream';
import { createWsApiConnection } from '../../../src/main/exchange/ws-api-connection';
import type { OrderFaultKind } from '../../../src/main/sim/types';
import { startSimulator, type Simulator } from '../../../src/main/sim/simulator';
import { intent, marketBuy, orderHarness, restingBuy, until, type Harness } from './orders-harness';

let sim: Simulator;
const open: Harness[] = [];
const cleanups: (() => void)[] = [];

function harness(...args: Parameters<typeof orderHarness> extends [Simulator, ...infer R] ? R : never): Harness {
  const h = orderHarness(sim, ...args);
  open.push(h);
  return h;
}

function expectStatus<S extends OrderOutcome['status']>(o: OrderOutcome, status: S): asserts o is OutcomeOf<S> {
  expect(o.status).toBe(status);
}

beforeAll(async () => {
  sim = await startSimulator({ seed: 11 });
});
afterEach(() => {
  for (const h of open.splice(0)) h.dispose();
  for (const c of cleanups.splice(0)) c();
  sim.faults.reset();
  sim.clock.setOffset(0);
  sim.engine.resetAccount(sim.demoAccountId);
});
afterAll(async () => {
  await sim.stop();
});

describe('clean answers', () => {
  it('a resting limit order is accepted, a market order filled; one POST each, ids are strings', async () => {
    const h = harness();
    const limit = intent(h.api, restingBuy(sim));
    const a = await h.api.place(limit);
    expectStatus(a, 'accepted');
    expect(typeof a.order.orderId).toBe('string');
    expect(a.order.clientOrderId).toBe(limit.clientOrderId);
    const market = intent(h.api, marketBuy());
    const f = await h.api.place(market);
    expectStatus(f, 'filled');
    expect(h.posts()).toBe(2);
    expect(h.sent.find((r) => r.method === 'POST')?.params.get('newOrderRespType')).toBe('FULL');
    expect(await h.allOrders('BTCUSDT', limit.clientOrderId)).toHaveLength(1);
  });

  it('clear rejections are reported with the Binance code, its message and an explanation; nothing is placed', async () => {
    const h = harness();
    const broke = intent(h.api, { ...restingBuy(sim), quantity: '100.00000' });
    const r1 = await h.api.place(broke);
    expectStatus(r1, 'rejected');
    expect(r1.code).toBe(-2010);
    expect(r1.binanceMessage).toMatch(/insufficient balance/i);
    expect(r1.reason).toMatch(/balance is not enough/);
    const lot = intent(h.api, { ...restingBuy(sim), quantity: '0.000011' });
    const r2 = await h.api.place(lot);
    expectStatus(r2, 'rejected');
    expect(r2).toMatchObject({ code: -1013, filter: 'LOT_SIZE', kind: 'filter' });
    expect(h.posts()).toBe(2);
    expect(await h.allOrders('BTCUSDT', broke.clientOrderId)).toHaveLength(0);
    expect(await h.allOrders('BTCUSDT', lot.clientOrderId)).toHaveLength(0);
    expect(h.api.pending()).toHaveLength(0);
  });

  it('-1021: the clock is resynced, the order reported not placed, and a resubmit with the same id places it once', async () => {
    const h = harness();
    sim.clock.setOffset(-8_000);
    const it1 = intent(h.api, restingBuy(sim));
    const r = await h.api.place(it1);
    expectStatus(r, 'rejected');
    expect(r).toMatchObject({ code: -1021, clockResynced: true });
    expect(r.reason).toMatch(/nothing was placed/);
    expect(h.sent.map((s) => `${s.method} ${s.path}`)).toEqual(['POST /api/v3/order', 'GET /api/v3/time']);
    expect(await h.allOrders('BTCUSDT', it1.clientOrderId)).toHaveLength(0);
    const again = await h.api.place(it1);
    expectStatus(again, 'accepted');
    expect(h.posts(it1.clientOrderId)).toBe(2);
    expect(h.sent.filter((s) => s.method === 'POST').map((s) => s.params.get('newClientOrderId'))).toEqual([
      it1.clientOrderId,
      it1.clientOrderId,
    ]);
    expect(await h.allOrders('BTCUSDT', it1.clientOrderId)).toHaveLength(1);
  });
});

describe('unknown outcomes end in the true state with no second order', () => {
  const kinds: OrderFaultKind[] = ['http500', 'http503', 'code-1006', 'code-1007'];

  it.each(kinds)('%s after the order executed -> unknown -> its real state', async (kind) => {
    const h = harness();
    sim.faults.state.orderFaults.push({ kind, execute: true });
    const i = intent(h.api, restingBuy(sim));
    const first = await h.api.place(i);
    expectStatus(first, 'unknown');
    expect(first.cause).toBe('server-error');
    if (kind === 'code-1007') expect(first.code).toBe(-1007);
    const settled = await h.api.whenSettled(i.clientOrderId);
    expectStatus(settled, 'accepted');
    expect(h.posts()).toBe(1);
    expect(await h.allOrders('BTCUSDT', i.clientOrderId)).toHaveLength(1);
  });

  it.each(kinds)('%s when nothing executed -> not-placed, only after the grace window', async (kind) => {
    const log: ReconcileLogEvent[] = [];
    const graceMs = 400;
    const h = harness({ graceMs, log: (e) => log.push(e) });
    sim.faults.state.orderFaults.push({ kind, execute: false });
    const i = intent(h.api, restingBuy(sim));
    expect((await h.api.place(i)).status).toBe('unknown');
    const settled = await h.api.whenSettled(i.clientOrderId);
    expectStatus(settled, 'not-placed');
    expect(settled.verified).toBe(true);
    // The conclusion rests on a -2013 obtained after the window and a look at the order list.
    const notFound = log.filter((e) => e.type === 'query' && e.result === 'not-found');
    expect(notFound.length).toBeGreaterThan(0);
    expect(notFound.some((e) => e.type === 'query' && e.elapsedMs >= graceMs)).toBe(true);
    expect(log.some((e) => e.type === 'list-check' && e.result === 'absent')).toBe(true);
    expect(h.sent.some((s) => s.path === '/api/v3/allOrders')).toBe(true);
    expect(h.posts()).toBe(1);
    expect(await h.allOrders('BTCUSDT', i.clientOrderId)).toHaveLength(0);
  });

  it('the answer never comes (request hangs) but the order executed -> unknown (timeout) -> filled', async () => {
    const h = harness({ placeTimeoutMs: 300 });
    sim.faults.state.orderFaults.push({ kind: 'timeout-hang', execute: true });
    const i = intent(h.api, marketBuy());
    const first = await h.api.place(i);
    expectStatus(first, 'unknown');
    expect(first.cause).toBe('timeout');
    expectStatus(await h.api.whenSettled(i.clientOrderId), 'filled');
    expect(h.posts()).toBe(1);
    expect(await h.allOrders('BTCUSDT', i.clientOrderId)).toHaveLength(1);
  });

  it('the request hangs and nothing executed -> not-placed', async () => {
    const h = harness({ placeTimeoutMs: 300 });
    sim.faults.state.orderFaults.push({ kind: 'timeout-hang', execute: false });
    const i = intent(h.api, marketBuy());
    expect((await h.api.place(i)).status).toBe('unknown');
    expectStatus(await h.api.whenSettled(i.clientOrderId), 'not-placed');
    expect(h.posts()).toBe(1);
    expect(await h.allOrders('BTCUSDT', i.clientOrderId)).toHaveLength(0);
  });

  it('the answer arrives after the client timeout (latency > timeout) -> unknown -> accepted', async () => {
    const h = harness({ placeTimeoutMs: 300, graceMs: 10_000 });
    sim.faults.state.latencyMs = 900;
    const i = intent(h.api, restingBuy(sim));
    const first = await h.api.place(i);
    expectStatus(first, 'unknown');
    expect(first.cause).toBe('timeout');
    expectStatus(await h.api.whenSettled(i.clientOrderId), 'accepted');
    sim.faults.state.latencyMs = 0;
    expect(h.posts()).toBe(1);
    expect(await h.allOrders('BTCUSDT', i.clientOrderId)).toHaveLength(1);
  });

  it('the connection drops after the order was written -> unknown (connection) -> its real state', async () => {
    const h = harness();
    h.loseAnswer = (r) => (r.method === 'POST' ? 'reset' : false);
    const i = intent(h.api, restingBuy(sim));
    const first = await h.api.place(i);
    expectStatus(first, 'unknown');
    expect(first.cause).toBe('connection');
    expectStatus(await h.api.whenSettled(i.clientOrderId), 'accepted');
    expect(h.posts()).toBe(1);
    expect(await h.allOrders('BTCUSDT', i.clientOrderId)).toHaveLength(1);
  });

  it('-2013 for the first queries, then found: reconciled without a duplicate', async () => {
    const log: ReconcileLogEvent[] = [];
    const h = harness({ graceMs: 10_000, log: (e) => log.push(e) });
    sim.faults.state.orderFaults.push({ kind: 'code-1007', execute: true });
    const i = intent(h.api, restingBuy(sim));
    sim.faults.state.unknownOrderQueries.set(i.clientOrderId, 3);
    expect((await h.api.place(i)).status).toBe('unknown');
    expectStatus(await h.api.whenSettled(i.clientOrderId), 'accepted');
    const queries = log.filter((e) => e.type === 'query');
    expect(queries.map((q) => q.type === 'query' && q.result)).toEqual(['not-found', 'not-found', 'not-found', 'found']);
    expect(h.posts()).toBe(1);
    expect(await h.allOrders('BTCUSDT', i.clientOrderId)).toHaveLength(1);
  });

  it('-2013 past the grace window while the order exists: the order-list check finds it (not "not-placed")', async () => {
    const h = harness({ graceMs: 300 });
    sim.faults.state.orderFaults.push({ kind: 'http503', execute: true });
    const i = intent(h.api, restingBuy(sim));
    sim.faults.state.unknownOrderQueries.set(i.clientOrderId, 1_000_000);
    await h.api.place(i);
    expectStatus(await h.api.whenSettled(i.clientOrderId), 'accepted');
    expect(h.posts()).toBe(1);
  });

  it('an order that never existed is concluded not-placed after the window, with no POST at all', async () => {
    const log: ReconcileLogEvent[] = [];
    const h = harness({ graceMs: 300, log: (e) => log.push(e) });
    const id = h.api.newClientOrderId();
    const r = await h.api.reconcile(id, 'BTCUSDT');
    expectStatus(r, 'not-placed');
    expect(log.some((e) => e.type === 'query' && e.result === 'not-found' && e.elapsedMs >= 300)).toBe(true);
    expect(h.posts()).toBe(0);
  });

  it('the user data stream resolves an unknown outcome even while queries keep saying -2013', async () => {
    const orders = createOrderStateStore();
    const h = harness({ orders, graceMs: 120_000 });
    const wsApi = createWsApiConnection({ url: sim.wsApiUrl });
    const uds = createUserDataStream({
      wsApi,
      rest: h.rest,
      timeSync: h.timeSync,
      orders,
      credentials: createCredentials({ type: 'HMAC', apiKey: sim.apiKey, secret: sim.apiSecret }),
    });
    cleanups.push(() => {
      uds.dispose();
      wsApi.dispose();
    });
    uds.start();
    await until(() => uds.isSynced(), 'user data stream synced');
    sim.faults.state.orderFaults.push({ kind: 'code-1007', execute: true });
    const i = intent(h.api, restingBuy(sim));
    sim.faults.state.unknownOrderQueries.set(i.clientOrderId, 1_000_000);
    // The simulator publishes the executionReport before its 5xx answer, so the event may win.
    expect(['unknown', 'accepted']).toContain((await h.api.place(i)).status);
    const settled = await h.api.whenSettled(i.clientOrderId);
    expectStatus(settled, 'accepted');
    expect(settled.order.source).toBe('event');
    expect(h.sent.filter((s) => s.method === 'GET' && s.path === '/api/v3/order').length).toBeLessThanOrEqual(1);
    // ...and it keeps following the order: a cancel elsewhere shows up as canceled.
    const c = await h.api.cancel('BTCUSDT', { orderId: settled.order.orderId });
    expect(c.status).toBe('canceled');
    await until(() => h.api.outcomes.get(i.clientOrderId)?.status === 'canceled', 'intent canceled');
    expect(h.posts()).toBe(1);
  });
});

describe('double submits and restarts', () => {
  it('placing the same intent again while in flight, unknown or placed sends nothing more', async () => {
    const h = harness({ graceMs: 10_000 });
    sim.faults.state.latencyMs = 150;
    const i = intent(h.api, restingBuy(sim));
    const [a, b] = await Promise.all([h.api.place(i), h.api.place(i)]);
    expect(a).toBe(b);
    sim.faults.state.latencyMs = 0;
    expectStatus(await h.api.place(i), 'accepted');
    expect(h.posts()).toBe(1);

    sim.faults.state.orderFaults.push({ kind: 'http503', execute: true });
    const j = intent(h.api, restingBuy(sim));
    sim.faults.state.unknownOrderQueries.set(j.clientOrderId, 2);
    expect((await h.api.place(j)).status).toBe('unknown');
    expect((await h.api.place(j)).status).toBe('unknown');
    expectStatus(await h.api.whenSettled(j.clientOrderId), 'accepted');
    expect((await h.api.place(j)).status).toBe('accepted');
    expect(h.posts(j.clientOrderId)).toBe(1);
    expect(await h.allOrders('BTCUSDT', j.clientOrderId)).toHaveLength(1);
  });

  it('a filled intent placed again sends nothing (Binance would accept the id again once filled)', async () => {
    const h = harness();
    const i = intent(h.api, marketBuy());
    expectStatus(await h.api.place(i), 'filled');
    expectStatus(await h.api.place(i), 'filled');
    expect(h.posts()).toBe(1);
    expect(await h.allOrders('BTCUSDT', i.clientOrderId)).toHaveLength(1);
  });

  it('a fresh process resubmitting an open intent gets -2010 "Duplicate order sent." -> treated as already placed', async () => {
    const h1 = harness();
    const i = intent(h1.api, restingBuy(sim));
    const placed = await h1.api.place(i);
    expectStatus(placed, 'accepted');
    const h2 = harness();
    const dup = await h2.api.place(i);
    expectStatus(dup, 'unknown');
    expect(dup.cause).toBe('duplicate');
    const settled = await h2.api.whenSettled(i.clientOrderId);
    expectStatus(settled, 'accepted');
    expect(settled.order.orderId).toBe(placed.order.orderId);
    expect(await h2.allOrders('BTCUSDT', i.clientOrderId)).toHaveLength(1);
  });

  it('after a restart, pending intents are reconciled from the list the app kept', async () => {
    const h1 = harness({ placeTimeoutMs: 300, graceMs: 60_000 });
    sim.faults.state.orderFaults.push({ kind: 'timeout-hang', execute: true }, { kind: 'http500', execute: false });
    const a = intent(h1.api, restingBuy(sim));
    const b = intent(h1.api, restingBuy(sim));
    // Keep both unknown in the first process (the order stays invisible to its queries).
    sim.faults.state.unknownOrderQueries.set(a.clientOrderId, 1_000_000);
    sim.faults.state.unknownOrderQueries.set(b.clientOrderId, 1_000_000);
    await h1.api.place(a);
    await h1.api.place(b);
    const kept = h1.api.pending().map((o) => ({ clientOrderId: o.clientOrderId, symbol: o.symbol }));
    expect(kept.map((k) => k.clientOrderId).sort()).toEqual([a.clientOrderId, b.clientOrderId].sort());
    h1.dispose();
    sim.faults.state.unknownOrderQueries.clear();
    const h2 = harness();
    const outcomes = await h2.api.reconcileAll(kept);
    expect(outcomes.map((o) => [o.clientOrderId, o.status])).toEqual([
      [a.clientOrderId, 'accepted'],
      [b.clientOrderId, 'not-placed'],
    ]);
    expect(h2.posts()).toBe(0);
    expect(h2.api.pending()).toHaveLength(0);
  });
});

/**
 * Cancels against the simulator: by orderId and by client id, a cancel that comes too late for a
 * filled order (-2011 -> the order's true state), a cancel whose answer is lost (503 after the
 * simulator executed it -> resolved by query, not re-sent), cancel-all, and ids above 2^53 (B7).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PlacedOutcome } from '../../../src/main/exchange/order-outcome';
import { startSimulator, type Simulator } from '../../../src/main/sim/simulator';
import { intent, marketBuy, orderHarness, restingBuy, type Harness } from './orders-harness';

let sim: Simulator;
const open: Harness[] = [];

function harness(): Harness {
  const h = orderHarness(sim);
  open.push(h);
  return h;
}

async function placed(h: Harness, draft = restingBuy(sim)): Promise<PlacedOutcome> {
  const o = await h.api.place(intent(h.api, draft));
  if (o.status !== 'accepted') throw new Error(`expected accepted, got ${o.status}`);
  return o;
}

const deletes = (h: Harness, path = '/api/v3/order'): number => h.sent.filter((s) => s.method === 'DELETE' && s.path === path).length;

beforeAll(async () => {
  sim = await startSimulator({ seed: 5 });
});
afterEach(() => {
  for (const h of open.splice(0)) h.dispose();
  sim.faults.reset();
  sim.engine.resetAccount(sim.demoAccountId);
});
afterAll(async () => {
  await sim.stop();
});

describe('cancel', () => {
  it('by orderId and by clientOrderId; the intent follows to canceled', async () => {
    const h = harness();
    const a = await placed(h);
    const b = await placed(h);
    const ca = await h.api.cancel('BTCUSDT', { orderId: a.order.orderId });
    expect(ca.status).toBe('canceled');
    expect(ca.status === 'canceled' && ca.order.orderId).toBe(a.order.orderId);
    const cb = await h.api.cancel('BTCUSDT', { clientOrderId: b.clientOrderId });
    expect(cb.status === 'canceled' && cb.order.clientOrderId).toBe(b.clientOrderId);
    expect(h.api.outcomes.get(a.clientOrderId)?.status).toBe('canceled');
    expect(h.api.outcomes.get(b.clientOrderId)?.status).toBe('canceled');
    expect(h.sent.find((s) => s.method === 'DELETE')?.params.get('orderId')).toBe(a.order.orderId);
    expect((await h.allOrders('BTCUSDT', a.clientOrderId))[0]?.status).toBe('CANCELED');
  });

  it('a cancel of an order that just filled reports the true state (-2011 -> FILLED)', async () => {
    const h = harness();
    const f = await h.api.place(intent(h.api, marketBuy()));
    expect(f.status).toBe('filled');
    const c = await h.api.cancel('BTCUSDT', { clientOrderId: f.clientOrderId });
    expect(c.status).toBe('not-canceled');
    if (c.status !== 'not-canceled') return;
    expect(c.code).toBe(-2011);
    expect(c.order?.status).toBe('FILLED');
    expect(c.reason).toMatch(/already been filled/);
    expect(deletes(h)).toBe(1);
  });

  it('a cancel of an order Binance does not know says so', async () => {
    const h = harness();
    const c = await h.api.cancel('BTCUSDT', { clientOrderId: h.api.newClientOrderId() });
    expect(c).toMatchObject({ status: 'not-canceled', code: -2011 });
    expect(c.status === 'not-canceled' && c.order).toBeUndefined();
  });

  it('a cancel whose answer is lost (503 after it executed) is resolved by query, never re-sent', async () => {
    const h = harness();
    const a = await placed(h);
    h.loseAnswer = (r) => r.method === 'DELETE';
    const c = await h.api.cancel('BTCUSDT', { orderId: a.order.orderId });
    expect(c.status).toBe('canceled');
    expect(deletes(h)).toBe(1);
    expect(h.sent.some((s) => s.method === 'GET' && s.path === '/api/v3/order')).toBe(true);
    expect(h.api.outcomes.get(a.clientOrderId)?.status).toBe('canceled');
  });

  it('ids above 2^53 stay exact strings from placement to cancel (B7)', async () => {
    sim.faults.state.bigIds = true;
    const h = harness();
    const a = await placed(h);
    expect(BigInt(a.order.orderId) > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    const c = await h.api.cancel('BTCUSDT', { orderId: a.order.orderId });
    expect(c.status === 'canceled' && c.order.orderId).toBe(a.order.orderId);
    expect(h.sent.find((s) => s.method === 'DELETE')?.params.get('orderId')).toBe(a.order.orderId);
    const rows = await h.allOrders('BTCUSDT', a.clientOrderId);
    expect(rows.map((r) => r.orderId)).toEqual([a.order.orderId]);
  });
});

describe('cancelAll', () => {
  it('cancels every open order of the symbol and reports them', async () => {
    const h = harness();
    const ids = [await placed(h), await placed(h), await placed(h)].map((o) => o.order.orderId);
    const r = await h.api.cancelAll('BTCUSDT');
    expect(r.status).toBe('done');
    if (r.status !== 'done') return;
    expect(r.confirmed).toBe(true);
    expect(r.canceled.map((o) => o.orderId).sort()).toEqual([...ids].sort());
    expect(r.canceled.every((o) => o.status === 'CANCELED')).toBe(true);
    const again = await h.api.cancelAll('BTCUSDT');
    expect(again).toEqual({ status: 'done', canceled: [], stillOpen: [], confirmed: true });
  });

  it('a cancel-all whose answer is lost is checked with open orders, not re-sent', async () => {
    const h = harness();
    const ids = [await placed(h), await placed(h)].map((o) => o.order.orderId);
    h.loseAnswer = (r) => r.method === 'DELETE';
    const r = await h.api.cancelAll('BTCUSDT');
    expect(r.status).toBe('done');
    if (r.status !== 'done') return;
    expect(r.confirmed).toBe(false);
    expect(r.stillOpen).toEqual([]);
    expect(r.canceled.map((o) => o.orderId).sort()).toEqual([...ids].sort());
    expect(deletes(h, '/api/v3/openOrders')).toBe(1);
  });
});

/**
 * The grace window and the "not-placed" inference on a fake clock (research F9, B4): Binance can
 * deny an existing order (-2013, and an allOrders list without it) for a minute or more, while the
 * user data stream is down. The window counts from the send, absence needs two looks ~10 s apart
 * after it, and a not-placed intent is still looked for in the background (corrected if it shows
 * up). Also: cancel-all after -2011 with an unreadable order list is 'unknown', not "done".
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../../src/main/exchange/backoff';
import { ExchangeError } from '../../../src/main/exchange/errors';
import { createOrderApi, type OrderApi } from '../../../src/main/exchange/order-api';
import type { OrderOutcome } from '../../../src/main/exchange/order-outcome';
import { createReconciler, type ReconcileLogEvent, type Reconciler } from '../../../src/main/exchange/reconciler';
import type { RestRequest } from '../../../src/main/exchange/rest-client';
import { fakeClock, type FakeClock } from '../../helpers/fake-clock';

const notFound = (): ExchangeError =>
  new ExchangeError({
    kind: 'not-found',
    httpStatus: 400,
    binanceCode: -2013,
    binanceMsg: 'Order does not exist.',
    message: 'Order does not exist.',
  });
const serverError = (): ExchangeError =>
  new ExchangeError({ kind: 'unknown-outcome', httpStatus: 503, binanceCode: -1007, message: 'Timeout waiting for response.' });
const unknownOrder = (): ExchangeError =>
  new ExchangeError({
    kind: 'not-found',
    httpStatus: 400,
    binanceCode: -2011,
    binanceMsg: 'Unknown order sent.',
    message: 'Unknown order sent.',
  });
const network = (): ExchangeError => new ExchangeError({ kind: 'network', mayHaveExecuted: false, message: 'Could not reach Binance.' });

const ID = 'perch-grace-1';
const filledOrder = {
  symbol: 'BTCUSDT',
  orderId: 42,
  clientOrderId: ID,
  price: '0.00000000',
  origQty: '1.00000000',
  executedQty: '1.00000000',
  cummulativeQuoteQty: '60000.00000000',
  status: 'FILLED',
  timeInForce: 'GTC',
  type: 'MARKET',
  side: 'BUY',
  updateTime: 1,
};

/** An exchange where the order exists but queries deny it until `visibleAt` (never: Infinity). */
function laggingExchange(clock: Clock, visibleAt: number) {
  const calls: { path: string; at: number }[] = [];
  const rest = {
    async request<T>(req: RestRequest<T>): Promise<T> {
      calls.push({ path: req.path, at: clock.now() });
      const visible = clock.now() >= visibleAt;
      if (req.path === '/api/v3/order' && req.method === 'GET') {
        if (!visible) throw notFound();
        return req.schema!.parse(filledOrder) as T;
      }
      if (req.path === '/api/v3/allOrders') return req.schema!.parse(visible ? [filledOrder] : []) as T;
      throw new Error(`unexpected ${req.method} ${req.path}`);
    },
  };
  return { rest, calls };
}

const reconcilers: Reconciler[] = [];
const apis: OrderApi[] = [];
afterEach(() => {
  for (const r of reconcilers.splice(0)) r.dispose();
  for (const a of apis.splice(0)) a.dispose();
});

function track(r: Reconciler): { at: number; status: string; corrected: boolean }[] {
  const seen: { at: number; status: string; corrected: boolean }[] = [];
  r.outcomes.subscribe((o: OrderOutcome) => seen.push({ at: o.at, status: o.status, corrected: 'corrected' in o && o.corrected === true }));
  return seen;
}

function start(clock: FakeClock, visibleAt: number, extra: { log?: (e: ReconcileLogEvent) => void; followUpMs?: number } = {}) {
  const ex = laggingExchange(clock, visibleAt);
  // Defaults on purpose: the production window and gap.
  const r = createReconciler({
    rest: ex.rest,
    clock,
    backoff: { baseMs: 250, capMs: 5_000, minMs: 100, random: () => 0.5 },
    followUpBackoff: { baseMs: 5_000, capMs: 20_000, minMs: 2_000, random: () => 0.5 },
    ...extra,
  });
  reconcilers.push(r);
  const seen = track(r);
  r.record({ clientOrderId: ID, symbol: 'BTCUSDT', at: 0, status: 'sending' });
  return { r, seen, calls: ex.calls };
}

describe('grace window (defaults)', () => {
  it('an order invisible for 45 s is found, never concluded not-placed', async () => {
    const clock = fakeClock();
    const { r, seen } = start(clock, 45_000);
    void r.reconcile(ID, 'BTCUSDT', 'timeout');
    await clock.runUntil(() => r.outcomes.get(ID)?.status === 'filled', 200_000);
    expect(r.outcomes.get(ID)?.status).toBe('filled');
    expect(seen.map((s) => s.status)).toEqual(['sending', 'unknown', 'filled']);
    expect(seen.some((s) => s.status === 'not-placed')).toBe(false);
  });

  it('an order invisible for 120 s: not-placed (after the window and two looks), then corrected by the background check', async () => {
    const clock = fakeClock();
    const log: ReconcileLogEvent[] = [];
    const { r, seen } = start(clock, 120_000, { log: (e) => log.push(e) });
    const settled = r.reconcile(ID, 'BTCUSDT', 'timeout');
    await clock.runUntil(() => r.outcomes.get(ID)?.status === 'filled', 300_000);
    const first = await settled;
    expect(first.status).toBe('not-placed');
    const notPlaced = seen.find((s) => s.status === 'not-placed');
    expect(notPlaced!.at).toBeGreaterThanOrEqual(100_000);
    expect(first.status === 'not-placed' && first.reason).toMatch(/^Probably not placed: .*Check Open orders before placing it again/);
    expect(first.status === 'not-placed' && first.reason).not.toMatch(/send it again/i);
    const final = r.outcomes.get(ID);
    expect(final).toMatchObject({ status: 'filled', corrected: true });
    expect(seen.at(-1)).toMatchObject({ status: 'filled', corrected: true });
    expect(seen.at(-1)!.at).toBeGreaterThanOrEqual(120_000);
    // The background check stopped once the order was found: no timer is left behind.
    await clock.runUntil(() => false, 2_000_000);
    expect(clock.pending()).toBe(0);
  });

  it('the background check ends after its period, and dispose releases its timer at once', async () => {
    const clock = fakeClock();
    const { r, calls } = start(clock, Infinity, { followUpMs: 60_000 });
    void r.reconcile(ID, 'BTCUSDT', 'timeout');
    await clock.runUntil(() => r.outcomes.get(ID)?.status === 'not-placed', 300_000);
    const concluded = clock.now();
    await clock.runUntil(() => clock.now() > concluded + 30_000, 400_000);
    expect(clock.pending()).toBeGreaterThan(0); // still looking
    expect(calls.filter((c) => c.at > concluded).length).toBeGreaterThan(0);
    r.dispose();
    expect(clock.pending()).toBe(0);

    const clock2 = fakeClock();
    const second = start(clock2, Infinity, { followUpMs: 60_000 });
    void second.r.reconcile(ID, 'BTCUSDT', 'timeout');
    await clock2.runUntil(() => false, 1_000_000);
    expect(second.r.outcomes.get(ID)?.status).toBe('not-placed');
    const lastLook = Math.max(...second.calls.map((c) => c.at));
    expect(lastLook).toBeLessThan(second.r.outcomes.get(ID)!.at + 60_000 + 20_000);
    expect(clock2.pending()).toBe(0);
  });
});

describe('two absent looks', () => {
  it('not-placed needs two -2013 + allOrders-absent looks at least 10 s apart, both after the window', async () => {
    const clock = fakeClock();
    const log: ReconcileLogEvent[] = [];
    const { r, calls } = start(clock, Infinity, { log: (e) => log.push(e) });
    void r.reconcile(ID, 'BTCUSDT', 'timeout');
    await clock.runUntil(() => r.outcomes.get(ID)?.status === 'not-placed', 300_000);
    const out = r.outcomes.get(ID)!;
    expect(out.status).toBe('not-placed');
    const lists = calls.filter((c) => c.path === '/api/v3/allOrders' && c.at <= out.at);
    expect(lists).toHaveLength(2);
    expect(lists[0]!.at).toBeGreaterThanOrEqual(90_000);
    expect(lists[1]!.at - lists[0]!.at).toBeGreaterThanOrEqual(10_000);
    expect(log.filter((e) => e.type === 'list-check' && e.result === 'absent')).toHaveLength(2);
  });

  it('an order that appears between the first and the second look is found, never not-placed', async () => {
    const clock = fakeClock();
    // First absent look lands at ~90 s; the order is visible from 95 s, before the second look.
    const { r, seen, calls } = start(clock, 95_000);
    void r.reconcile(ID, 'BTCUSDT', 'timeout');
    await clock.runUntil(() => r.outcomes.get(ID)?.status === 'filled', 300_000);
    expect(calls.filter((c) => c.path === '/api/v3/allOrders')).toHaveLength(1);
    expect(seen.map((s) => s.status)).toEqual(['sending', 'unknown', 'filled']);
  });

  it('a failed list check is not an absent look', async () => {
    const clock = fakeClock();
    let listCalls = 0;
    const rest = {
      async request<T>(req: RestRequest<T>): Promise<T> {
        if (req.path === '/api/v3/order') throw notFound();
        listCalls += 1;
        if (listCalls === 2) throw serverError();
        return req.schema!.parse([]) as T;
      },
    };
    const r = createReconciler({ rest, clock, backoff: { baseMs: 250, capMs: 5_000, minMs: 100, random: () => 0.5 } });
    reconcilers.push(r);
    void r.reconcile(ID, 'BTCUSDT', 'timeout');
    await clock.runUntil(() => r.outcomes.get(ID)?.status === 'not-placed', 300_000);
    expect(r.outcomes.get(ID)?.status).toBe('not-placed');
    expect(listCalls).toBe(3);
  });
});

describe('the window counts from the send', () => {
  it('after a restart, from the journal time passed as sentAt', async () => {
    const clock = fakeClock();
    clock.setTimeout(() => undefined, 80_000); // the app restarts 80 s after the send
    await clock.runUntil(() => clock.now() >= 80_000, 80_000);
    const { r } = start(clock, Infinity);
    const resumedAt = clock.now();
    void r.reconcile(ID, 'BTCUSDT', 'restart', resumedAt - 80_000);
    await clock.runUntil(() => r.outcomes.get(ID)?.status === 'not-placed', 400_000);
    const out = r.outcomes.get(ID)!;
    expect(out).toMatchObject({ status: 'not-placed' });
    // 10 s to the end of the window plus the 10 s gap - not a full 90 s more.
    expect(out.at - resumedAt).toBeGreaterThanOrEqual(20_000);
    expect(out.at - resumedAt).toBeLessThan(40_000);
  });

  it('a placement that times out after 20 s: the window started when the POST was sent', async () => {
    const clock = fakeClock();
    const rest = {
      async request<T>(req: RestRequest<T>): Promise<T> {
        if (req.method === 'POST') {
          await new Promise<void>((resolve) => clock.setTimeout(resolve, 20_000));
          throw serverError();
        }
        if (req.path === '/api/v3/order') throw notFound();
        return req.schema!.parse([]) as T;
      },
    };
    const api = createOrderApi({ rest, clock, backoff: { baseMs: 250, capMs: 5_000, minMs: 100, random: () => 0.5 } });
    apis.push(api);
    const placing = api.place({ clientOrderId: ID, order: { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '1' } });
    await clock.runUntil(() => api.outcomes.get(ID)?.status === 'not-placed', 400_000);
    expect((await placing).status).toBe('unknown');
    const out = api.outcomes.get(ID)!;
    expect(out.status).toBe('not-placed');
    expect(out.at).toBeGreaterThanOrEqual(100_000);
    expect(out.at).toBeLessThan(115_000);
  });
});

describe('cancel-all after -2011', () => {
  it('is unknown (not "done, confirmed") when the open orders cannot be read', async () => {
    const rest = {
      async request<T>(req: RestRequest<T>): Promise<T> {
        if (req.method === 'DELETE') throw unknownOrder();
        throw network();
      },
    };
    const api = createOrderApi({ rest });
    apis.push(api);
    const r = await api.cancelAll('BTCUSDT');
    expect(r.status).toBe('unknown');
    expect(r.status === 'unknown' && r.reason).toMatch(/could not be checked.*Check Open orders/);
  });

  it('is done and confirmed when the open orders show none', async () => {
    const rest = {
      async request<T>(req: RestRequest<T>): Promise<T> {
        if (req.method === 'DELETE') throw unknownOrder();
        return req.schema!.parse([]) as T;
      },
    };
    const api = createOrderApi({ rest });
    apis.push(api);
    expect(await api.cancelAll('BTCUSDT')).toEqual({ status: 'done', canceled: [], stillOpen: [], confirmed: true });
  });
});

describe("resuming a follow-up after a restart (the journal's concluded time)", () => {
  function resumed(clock: FakeClock, visibleAt: number) {
    const ex = laggingExchange(clock, visibleAt);
    const r = createReconciler({
      rest: ex.rest,
      clock,
      followUpBackoff: { baseMs: 5_000, capMs: 20_000, minMs: 2_000, random: () => 0.5 },
    });
    reconcilers.push(r);
    return { r, seen: track(r), calls: ex.calls };
  }

  it('an order that shows up inside the window counted from the conclusion is reported, corrected', async () => {
    const clock = fakeClock();
    const { r, seen } = resumed(clock, 0);
    // concluded at t = -4 min: six minutes of follow-up are left
    expect(r.resumeFollowUp(ID, 'BTCUSDT', -240_000, 'Probably not placed.')).toBe(true);
    expect(r.outcomes.get(ID)).toMatchObject({ status: 'not-placed', verified: true });
    await clock.runUntil(() => r.outcomes.get(ID)?.status === 'filled', 400_000);
    expect(r.outcomes.get(ID)).toMatchObject({ status: 'filled', corrected: true });
    expect(seen.map((s) => s.status)).toEqual(['filled']);
  });

  it('the window is not restarted: it ends ten minutes after the conclusion, not after the restart', async () => {
    const clock = fakeClock();
    const { r, calls } = resumed(clock, Infinity);
    expect(r.resumeFollowUp(ID, 'BTCUSDT', -540_000, 'Probably not placed.')).toBe(true);
    await clock.runUntil(() => false, 1_000_000);
    expect(calls.length).toBeGreaterThan(0);
    expect(Math.max(...calls.map((c) => c.at))).toBeLessThanOrEqual(60_000);
    expect(r.outcomes.get(ID)?.status).toBe('not-placed');
    // and one whose window is over is not looked for at all
    expect(r.resumeFollowUp('perch-old', 'BTCUSDT', -600_000, 'Probably not placed.')).toBe(false);
  });
});

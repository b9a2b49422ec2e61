/**
 * Property (issue 3, "How we will know"): random fault schedules around order placement and
 * random user actions - double submits of the same intent (at once and later), an app restart
 * that reconciles the pending intents in a fresh process, resubmits after 'not-placed' - never
 * leave more orders on the simulator than the intents the caller confirmed, never lose one whose
 * outcome says placed, and every intent ends in a settled state.
 *
 * Each run uses a fresh, funded simulator account (its own API key), so GET /api/v3/allOrders
 * shows exactly that run's orders.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { isPlaced, isSettled, type OrderOutcome } from '../../../src/main/exchange/order-outcome';
import type { OrderFault } from '../../../src/main/sim/types';
import { startSimulator, type Simulator } from '../../../src/main/sim/simulator';
import { marketBuy, orderHarness, restingBuy, type Harness } from './orders-harness';

let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ seed: 23 });
});
afterAll(async () => {
  await sim.stop();
});

type FaultSpec = { readonly type: 'none' } | { readonly type: 'order'; readonly fault: OrderFault } | { readonly type: 'late-answer' };

interface IntentSpec {
  readonly market: boolean;
  readonly fault: FaultSpec;
  /** GET /api/v3/order answers -2013 this many times first. */
  readonly hiddenQueries: number;
  readonly doubleAtOnce: boolean;
  readonly laterSubmits: number;
}

interface RunSpec {
  readonly intents: readonly IntentSpec[];
  /** Restart the "app" after this many intents (null: no restart). */
  readonly restartAfter: number | null;
  readonly resubmitNotPlaced: boolean;
}

const faultArb: fc.Arbitrary<FaultSpec> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({ type: 'none' } as const) },
  {
    weight: 5,
    arbitrary: fc
      .record({
        kind: fc.constantFrom('http500', 'http503', 'code-1006', 'code-1007', 'timeout-hang' as const),
        execute: fc.boolean(),
      })
      .map((fault) => ({ type: 'order', fault }) as const),
  },
  { weight: 1, arbitrary: fc.constant({ type: 'late-answer' } as const) },
);

const intentArb: fc.Arbitrary<IntentSpec> = fc.record({
  market: fc.boolean(),
  fault: faultArb,
  hiddenQueries: fc.integer({ min: 0, max: 4 }),
  doubleAtOnce: fc.boolean(),
  laterSubmits: fc.integer({ min: 0, max: 2 }),
});

const runArb: fc.Arbitrary<RunSpec> = fc.record({
  intents: fc.array(intentArb, { minLength: 1, maxLength: 3 }),
  restartAfter: fc.option(fc.integer({ min: 1, max: 3 }), { nil: null }),
  resubmitNotPlaced: fc.boolean(),
});

const PLACE_TIMEOUT_MS = 250;
// Longer than any server-side delay a run injects (LATE_ANSWER_MS), as the grace window must be.
const GRACE_MS = 900;
const LATE_ANSWER_MS = 450;

let runNo = 0;

async function runOnce(spec: RunSpec): Promise<void> {
  runNo += 1;
  const accountId = `prop-${runNo}`;
  const key = sim.registerKey({ type: 'HMAC', accountId, permissions: { reading: true, spotTrading: true } });
  sim.accounts.adjustBalance(accountId, 'USDT', '5000');
  const make = (): Harness =>
    orderHarness(sim, {
      apiKey: key.apiKey,
      apiSecret: key.secret,
      placeTimeoutMs: PLACE_TIMEOUT_MS,
      graceMs: GRACE_MS,
    });
  let h = make();
  const all: Harness[] = [h];
  const symbol = 'BTCUSDT';
  const ids: string[] = [];
  try {
    for (const [index, s] of spec.intents.entries()) {
      if (spec.restartAfter === index) {
        // The app keeps its unfinished intents in its database and reconciles them first.
        const kept = h.api.pending().map((o) => ({ clientOrderId: o.clientOrderId, symbol: o.symbol }));
        h.dispose();
        h = make();
        all.push(h);
        await h.api.reconcileAll(kept);
      }
      const draft = s.market ? marketBuy(symbol, '15') : restingBuy(sim, symbol, '0.00020');
      const i = { clientOrderId: h.api.newClientOrderId(), order: draft };
      ids.push(i.clientOrderId);
      if (s.fault.type === 'order') sim.faults.state.orderFaults.push(s.fault.fault);
      if (s.fault.type === 'late-answer') sim.faults.state.latencyMs = LATE_ANSWER_MS;
      if (s.hiddenQueries > 0) sim.faults.state.unknownOrderQueries.set(i.clientOrderId, s.hiddenQueries);
      if (s.doubleAtOnce) await Promise.all([h.api.place(i), h.api.place(i)]);
      else await h.api.place(i);
      sim.faults.state.latencyMs = 0;
      for (let k = 0; k < s.laterSubmits; k++) await h.api.place(i);
    }
    // Every intent known to the current process settles.
    const known = ids.filter((id) => h.api.outcomes.get(id) !== undefined);
    await Promise.all(known.map((id) => h.api.whenSettled(id)));
    if (spec.resubmitNotPlaced) {
      for (const id of known) {
        const o = h.api.outcomes.get(id);
        if (o?.status === 'not-placed' || (o?.status === 'rejected' && o.order === undefined)) {
          const s = spec.intents[ids.indexOf(id)] as IntentSpec;
          await h.api.place({ clientOrderId: id, order: s.market ? marketBuy(symbol, '15') : restingBuy(sim, symbol, '0.00020') });
          await h.api.whenSettled(id);
        }
      }
    }
    // Intents settled before a restart are only in the first process's book (the app's database).
    const outcomeOf = (id: string): OrderOutcome => {
      for (const x of [...all].reverse()) {
        const o = x.api.outcomes.get(id);
        if (o !== undefined) return o;
      }
      throw new Error(`no outcome for ${id}`);
    };
    const rows = await h.allOrders(symbol);
    for (const id of ids) {
      const o = outcomeOf(id);
      expect(isSettled(o), `${id} settled (${o.status})`).toBe(true);
      const onExchange = rows.filter((r) => r.clientOrderId === id).length;
      expect(onExchange, `${id}: ${o.status}`).toBe(isPlaced(o) ? 1 : 0);
    }
    expect(rows.length).toBe(ids.filter((id) => isPlaced(outcomeOf(id))).length);
  } finally {
    for (const x of all) x.dispose();
    sim.faults.reset();
  }
}

it('random fault schedules and double submits never create an unconfirmed or duplicate order; every intent settles', async () => {
  await fc.assert(fc.asyncProperty(runArb, runOnce), { numRuns: 30, endOnFailure: true });
}, 300_000);

/**
 * Random fault schedules and random user actions (including double submits) against the real
 * simulator: the orders on the exchange are exactly the intents the user confirmed and that were
 * placed, never more; every intent ends in a known state.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../../src/main/sim/simulator';
import type { OrderFault } from '../../../src/main/sim/types';
import { buildService, confirm, createClient, dbFile, posts, priceAt, settled, simOrders, type Client } from './orders-service-harness';

let sim: Simulator;
let client: Client;

beforeAll(async () => {
  sim = await startSimulator({ seed: 23, marketStepMs: 3_600_000 });
  client = await createClient(sim);
}, 60_000);

afterAll(async () => {
  client.dispose();
  await sim.stop();
});

const fault = fc.oneof(
  fc.constant(null),
  fc.record({ kind: fc.constantFrom<OrderFault['kind']>('http500', 'http503', 'code-1006', 'code-1007'), execute: fc.boolean() }),
);
const action = fc.record({
  kind: fc.constantFrom('market-buy', 'limit-buy', 'limit-sell'),
  fault,
  /** -2013 for the first N queries of this order */
  hidden: fc.integer({ min: 0, max: 3 }),
  /** how many times the same confirmation is submitted */
  submits: fc.integer({ min: 1, max: 3 }),
  concurrent: fc.boolean(),
});

describe('random faults and user actions', () => {
  it('orders on the exchange == intents placed; every intent ends known; no double placement', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 2, maxLength: 5 }), async (actions) => {
        sim.faults.reset();
        const f = dbFile();
        const h = buildService(sim, client, f.path, { graceMs: 300 });
        try {
          await h.service.start();
          const tokens: string[] = [];
          for (const a of actions) {
            const draft =
              a.kind === 'market-buy'
                ? ({ symbol: 'ETHUSDT', side: 'BUY', type: 'MARKET', quoteOrderQty: '15' } as const)
                : a.kind === 'limit-buy'
                  ? ({ symbol: 'ETHUSDT', side: 'BUY', type: 'LIMIT', quantity: '0.01', price: priceAt(sim, 'ETHUSDT', '0.9') } as const)
                  : ({ symbol: 'ETHUSDT', side: 'SELL', type: 'LIMIT', quantity: '0.01', price: priceAt(sim, 'ETHUSDT', '1.1') } as const);
            const c = await confirm(h, draft);
            tokens.push(c.token);
            if (a.fault !== null) sim.faults.state.orderFaults.push(a.fault);
            if (a.hidden > 0) sim.faults.state.unknownOrderQueries.set(c.token, a.hidden);
            const input = { token: c.token, order: c.order, confirmed: true as const };
            const submit = () => h.service.handlers['orders:submit'](input);
            if (a.concurrent) await Promise.all(Array.from({ length: a.submits }, submit));
            else for (let i = 0; i < a.submits; i++) await submit();
            // A fault not consumed (no POST happened) must not leak into the next action.
            sim.faults.state.orderFaults.length = 0;
          }
          const onExchange = await simOrders(client, 'ETHUSDT');
          for (const token of tokens) {
            const view = await settled(h, token);
            expect(['accepted', 'partially-filled', 'filled', 'canceled', 'expired', 'rejected', 'not-placed']).toContain(view.status);
            expect(posts(client, token)).toBe(1);
            const rows = (await simOrders(client, 'ETHUSDT')).filter((o) => o.clientOrderId === token);
            const placed = view.status !== 'not-placed' && !(view.status === 'rejected' && view.orders.length === 0);
            expect(rows).toHaveLength(placed ? 1 : 0);
            const journal = h.db.orderIntents.get(token);
            expect(journal?.state).not.toBe('pending');
            expect(['sent', 'unknown']).not.toContain(journal?.state);
          }
          expect(onExchange.filter((o) => tokens.includes(o.clientOrderId)).length).toBeLessThanOrEqual(tokens.length);
          await h.service.handlers['orders:cancelAll']({ symbol: 'ETHUSDT', confirmed: true });
        } finally {
          h.stop();
          f.cleanup();
          sim.faults.reset();
          sim.accounts.reset(sim.demoAccountId);
        }
      }),
      { numRuns: 12 },
    );
  }, 180_000);
});

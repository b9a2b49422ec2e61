/**
 * Found by the crash-consistency run (npm run test:chaos): a SIGKILL between the journal's state
 * update and the stored outcome left the journal saying 'accepted' (so the intent was never
 * reconciled again) while the stored outcome said 'sending', which every later start showed.
 * Here the second write fails as a crash would leave it (a trigger aborts it); the next start
 * must still report the order's real outcome.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../../src/main/sim/simulator';
import { buildService, confirm, createClient, dbFile, type Client } from './orders-service-harness';

let sim: Simulator;
let client: Client;

beforeAll(async () => {
  sim = await startSimulator({ seed: 11, marketStepMs: 3_600_000 });
  client = await createClient(sim);
}, 60_000);

afterAll(async () => {
  client.dispose();
  await sim.stop();
});

describe('the journal state and the stored outcome change together', () => {
  it('when the outcome write fails after the journal update, the next start reconciles and shows the real outcome', async () => {
    const f = dbFile();
    try {
      const first = buildService(sim, client, f.path);
      await first.service.start();
      const c = await confirm(first, { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quoteOrderQty: '30' });
      // Every outcome after 'sending' cannot be stored: the state of a crash between the two writes.
      for (const when of ['INSERT', 'UPDATE']) {
        first.db.db.exec(`CREATE TRIGGER crash_${when} BEFORE ${when} ON order_outcomes WHEN NEW.status <> 'sending'
          BEGIN SELECT RAISE(ABORT, 'simulated crash'); END`);
      }
      const view = await first.service.handlers['orders:submit']({ token: c.token, order: c.order, confirmed: true });
      expect(view.status).toBe('filled');
      first.db.db.exec('DROP TRIGGER crash_INSERT; DROP TRIGGER crash_UPDATE');
      first.stop();

      const second = buildService(sim, client, f.path);
      try {
        await second.service.start();
        expect((await second.service.handlers['orders:outcome']({ clientOrderId: c.token }))?.status).toBe('filled');
        expect(second.db.orderIntents.get(c.token)?.state).toBe('accepted');
      } finally {
        second.stop();
      }
    } finally {
      f.cleanup();
    }
  });
});

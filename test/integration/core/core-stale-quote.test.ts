/**
 * Seam: the market quote an order pre-flight uses, through the whole core against the simulator.
 * The market and account sockets go silent (sim.faults.state.silentSockets) while the price
 * moves 3 %: the pre-flight must not use the old book as if it were current. It re-reads the
 * quote by REST (the checks then see the moved market) and, once the account stream is no
 * longer live, blocks the order because the balances may be wrong.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../src/main/core/create-core';
import { startSimulator, type Simulator } from '../../../src/main/sim/simulator';
import type { OrderDraftInput, PreflightResult } from '../../../src/shared/domain/orders';
import { dec, floorToStep, formatDecimal } from '../../../src/shared/money';
import { memoryLogger, memorySecrets, memorySettings, testSender } from '../../unit/core/fakes';
import { FAST_SESSION_TUNING, waitFor } from './core-harness';

const FAST = {
  ...FAST_SESSION_TUNING,
  // A hung quote read gives up quickly, so the test sees the stale answer soon.
  restTimeoutMs: 2_000,
};

let sim: Simulator;
const running: Core[] = [];

beforeAll(async () => {
  // Prices stay put unless the test moves them.
  sim = await startSimulator({ seed: 23, marketStepMs: 3_600_000 });
}, 60_000);

afterEach(async () => {
  sim.faults.reset();
  for (const c of running.splice(0)) await c.stop();
  sim.accounts.reset(sim.demoAccountId);
});

afterAll(async () => {
  await sim.stop();
});

async function startCore(): Promise<Core> {
  const core = createCore(
    {
      secrets: memorySecrets(),
      settings: memorySettings({ environment: 'demo', tradingEnabled: true }),
      logger: memoryLogger(),
      flushIntervalMs: 100,
      demo: { seed: 23, startSimulator: async () => ({ ...sim, stop: async () => undefined }) },
    },
    { sessionTuning: FAST },
  );
  running.push(core);
  await core.start();
  await waitFor('orders ready', () => core.inspect.orders()?.isReady());
  return core;
}

const preflight = async (core: Core, draft: OrderDraftInput): Promise<PreflightResult> =>
  await core.handlers['orders:preflight']({ draft }, testSender);

describe('a market quote that went quiet is never used as current', () => {
  it('sockets silent while the price drops 3 %: the pre-flight re-reads the quote by REST, sees the taker fill, and blocks on account data', async () => {
    const core = await startCore();
    // The form watches BTCUSDT: its book comes from the stream.
    await core.handlers['orders:watchMarket']({ symbol: 'BTCUSDT' }, testSender);
    const before = dec(sim.market.lastPrice('BTCUSDT'));
    await waitFor('the streamed book', () => {
      const q = core.inspect.session()?.quote('BTCUSDT');
      return q !== undefined && q.ask !== null && q.at !== null;
    });
    // A limit buy 1 % below the market: it rests, no taker warning.
    const limit = formatDecimal(floorToStep(before.mul('0.99'), '0.01'));
    const draft: OrderDraftInput = { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '0.001', price: limit, timeInForce: 'GTC' };
    const calm = await preflight(core, draft);
    expect(calm.warnings.map((w) => w.code)).not.toContain('immediate-fill');
    expect(calm.ok).toBe(true);

    sim.faults.state.silentSockets = true;
    sim.market.setPrice('BTCUSDT', before.mul('0.97').toFixed(2));

    // The same limit is now above the real ask: it would fill at once as a taker.
    const moved = await waitFor('a pre-flight that sees the moved market', async () => {
      const r = await preflight(core, draft);
      return r.market?.ask !== null && r.market?.ask !== undefined && dec(r.market.ask).lt(before.mul('0.98')) ? r : null;
    });
    expect(moved.warnings.map((w) => w.code)).toContain('immediate-fill');
    expect(moved.estimate?.liquidity).toBe('taker');
    // It says when its bid/ask are from: just now (read by REST), not when the stream stopped.
    expect(moved.market?.at).not.toBeNull();
    expect(Date.now() - moved.market!.at!).toBeLessThan(30_000);

    // The account stream is silent too: its balances may be wrong, so the order is blocked.
    const blocked = await waitFor('the account data issue', async () => {
      const r = await preflight(core, draft);
      return r.issues.some((i) => i.code === 'ACCOUNT_DATA') ? r : null;
    });
    expect(blocked.ok).toBe(false);
    expect(blocked.order).toBeNull();
  }, 90_000);

  it('when the quote cannot be re-read either, the pre-flight says how old it is', async () => {
    const core = await startCore();
    await core.handlers['orders:watchMarket']({ symbol: 'ETHUSDT' }, testSender);
    await waitFor('the streamed book', () => core.inspect.session()?.quote('ETHUSDT')?.at);
    const last = dec(sim.market.lastPrice('ETHUSDT'));
    const draft: OrderDraftInput = {
      symbol: 'ETHUSDT',
      side: 'BUY',
      type: 'LIMIT',
      quantity: '0.01',
      price: formatDecimal(floorToStep(last.mul('0.99'), '0.01')),
      timeInForce: 'GTC',
    };
    expect((await preflight(core, draft)).warnings.map((w) => w.code)).not.toContain('no-market-data');
    sim.faults.state.silentSockets = true;
    sim.faults.state.hangPaths = ['/api/v3/ticker/bookTicker'];
    const r = await waitFor(
      'a stale-quote warning',
      async () => {
        const res = await preflight(core, draft);
        return res.warnings.some((w) => w.code === 'no-market-data') ? res : null;
      },
      60_000,
    );
    expect(r.warnings.find((w) => w.code === 'no-market-data')?.message).toMatch(/could not be refreshed/);
  }, 90_000);
});

/**
 * Seam: the core switching environment while a session shows holdings. Whatever the renderer
 * mirrors from the events alone must never show the previous environment's account under the
 * new environment's name, and must not keep its last "live" freshness either.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../src/main/core/create-core';
import { simulatorEnvironment } from '../../../src/main/exchange/environments';
import { startSimulator, type Simulator } from '../../../src/main/sim/simulator';
import { applyPortfolioEvent, type ConnectionsStatus, type PortfolioEvent, type PortfolioSnapshot } from '../../../src/shared/domain';
import { events as eventSchemas } from '../../../src/shared/ipc/contract';
import { memoryLogger, memorySecrets, memorySettings, testSender } from '../../unit/core/fakes';
import { FAST_SESSION_TUNING, waitFor } from './core-harness';

const FAST = FAST_SESSION_TUNING;

let running: Core | null = null;
const sims: Simulator[] = [];
afterEach(async () => {
  await running?.stop();
  running = null;
  for (const s of sims.splice(0)) await s.stop();
});

interface Harness {
  core: Core;
  mirror(): PortfolioSnapshot | null;
  portfolioEvents: PortfolioEvent[];
  statuses: ConnectionsStatus[];
  problems: string[];
}

async function startDemo(testnet?: Simulator): Promise<Harness> {
  const core = createCore(
    {
      secrets: memorySecrets(),
      settings: memorySettings({ environment: 'demo' }),
      logger: memoryLogger(),
      flushIntervalMs: 100,
      demo: {
        seed: 11,
        startSimulator: async (o) => {
          const sim = await startSimulator({ seed: o.seed, marketStepMs: 200 });
          return sim;
        },
      },
      ...(testnet !== undefined
        ? { environmentOverrides: { testnet: simulatorEnvironment(testnet, { label: 'Testnet (second simulator)' }) } }
        : {}),
    },
    { sessionTuning: FAST },
  );
  running = core;
  let mirror: PortfolioSnapshot | null = null;
  const portfolioEvents: PortfolioEvent[] = [];
  const statuses: ConnectionsStatus[] = [];
  // The core catches what a listener throws: problems are collected and asserted by each test.
  const problems: string[] = [];
  core.onEvent((name, payload) => {
    if (!eventSchemas[name].safeParse(payload).success) problems.push(`invalid ${name} payload`);
    if (name === 'portfolio:snapshot') {
      const ev = payload as PortfolioEvent;
      portfolioEvents.push(ev);
      const next = applyPortfolioEvent(mirror, ev);
      // only a cleared event may empty the mirror; a delta that does not follow must not happen here
      if (ev.kind !== 'cleared' && next === null) problems.push(`a ${ev.kind} event did not apply`);
      mirror = next;
    }
    if (name === 'status:connections') statuses.push(payload as ConnectionsStatus);
  });
  await core.start();
  return { core, mirror: () => mirror, portfolioEvents, statuses, problems };
}

describe('switching environment clears the previous account from the screen', () => {
  it('demo -> testnet without a saved key: the demo holdings are cleared and getSnapshot answers null', async () => {
    const h = await startDemo();
    await waitFor('a live demo portfolio', () => h.mirror()?.freshness.state === 'live' && h.mirror()!.holdings.length > 0);
    const eventsBefore = h.portfolioEvents.length;

    await h.core.handlers['settings:update']({ environment: 'testnet' }, testSender);
    await h.core.inspect.idle();

    const after = h.portfolioEvents.slice(eventsBefore);
    expect(after.some((e) => e.kind === 'cleared' && e.environment === 'testnet')).toBe(true);
    // no event after the switch carries the demo account
    expect(after.some((e) => e.kind === 'full' && e.snapshot.environment !== 'testnet')).toBe(false);
    expect(h.mirror()).toBeNull();
    expect(await h.core.handlers['portfolio:getSnapshot'](undefined, testSender)).toBeNull();
    const state = await h.core.handlers['app:getState'](undefined, testSender);
    expect(state.portfolio).toBeNull();
    expect(state.status.environment).toBe('testnet');
    expect(h.statuses.at(-1)?.environment).toBe('testnet');
    expect(h.problems).toEqual([]);
  });

  it('demo -> testnet with a key: nothing of demo is mirrored after the switch; the testnet account arrives', async () => {
    const testnet = await startSimulator({ seed: 5, marketStepMs: 200 });
    sims.push(testnet);
    const h = await startDemo(testnet);
    await waitFor('a live demo portfolio', () => h.mirror()?.freshness.state === 'live' && h.mirror()!.holdings.length > 0);
    await h.core.handlers['keys:save'](
      { environment: 'testnet', material: { kind: 'hmac', apiKey: testnet.apiKey, secret: testnet.apiSecret } },
      testSender,
    );
    const eventsBefore = h.portfolioEvents.length;

    await h.core.handlers['settings:update']({ environment: 'testnet' }, testSender);
    await h.core.inspect.idle();
    // The new session is only starting: until its first balances, there is nothing to show.
    const m = h.mirror();
    expect(m === null || m.environment === 'testnet').toBe(true);

    const snap = await waitFor('a live testnet portfolio', () => {
      const s = h.mirror();
      return s !== null && s.environment === 'testnet' && s.freshness.state === 'live' ? s : null;
    });
    expect(snap.holdings.length).toBeGreaterThan(0);
    const after = h.portfolioEvents.slice(eventsBefore);
    const firstCleared = after.findIndex((e) => e.kind === 'cleared');
    const firstFull = after.findIndex((e) => e.kind === 'full');
    expect(firstCleared).toBeGreaterThanOrEqual(0);
    expect(firstCleared).toBeLessThan(firstFull);
    expect(after.some((e) => e.kind === 'full' && e.snapshot.environment !== 'testnet')).toBe(false);
    const fetched = await h.core.handlers['portfolio:getSnapshot'](undefined, testSender);
    expect(fetched?.environment).toBe('testnet');
    expect(h.problems).toEqual([]);
  });
});

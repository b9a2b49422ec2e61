/**
 * Seam: the whole core in demo mode against the simulator. A real account is quiet for hours:
 * no account event at all. The WS API socket that carries it stays live as long as it answers
 * our pings; only an unanswered ping makes it (and the account) stale.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../src/main/core/create-core';
import { startSimulator, type Simulator } from '../../../src/main/sim/simulator';
import { memoryLogger, memorySecrets, memorySettings } from '../../unit/core/fakes';
import { FAST_SESSION_TUNING, waitFor } from './core-harness';

let running: Core | null = null;
afterEach(async () => {
  await running?.stop();
  running = null;
});

async function startDemo(): Promise<{ core: Core; sim: () => Simulator }> {
  let sim: Simulator | null = null;
  const core = createCore(
    {
      secrets: memorySecrets(),
      settings: memorySettings({ environment: 'demo' }),
      logger: memoryLogger(),
      flushIntervalMs: 100,
      demo: {
        seed: 5,
        startSimulator: async (o) => {
          sim = await startSimulator({ seed: o.seed, marketStepMs: 200 });
          return sim;
        },
      },
    },
    { sessionTuning: FAST_SESSION_TUNING },
  );
  running = core;
  await core.start();
  return { core, sim: () => sim as unknown as Simulator };
}

/** Samples `probe` every 50 ms for `ms` and returns every distinct value seen. */
async function watch<T>(probe: () => T, ms: number): Promise<Set<T>> {
  const seen = new Set<T>();
  const until = Date.now() + ms;
  while (Date.now() < until) {
    seen.add(probe());
    await new Promise((r) => setTimeout(r, 50));
  }
  return seen;
}

describe('an idle account whose socket answers pings', () => {
  it('stays live past several times the WS API stale threshold, and so do the figures', async () => {
    const { core } = await startDemo();
    const account = (): string | undefined => core.inspect.session()?.connectionStates().account;
    const figures = (): string | undefined => core.inspect.session()?.portfolio.snapshot()?.freshness.state;
    await waitFor('the account live', () => account() === 'live' && figures() === 'live');

    // No order, no balance change: the account stream carries nothing. Idle for 4x the
    // 1.5 s stale threshold of the fast tuning (and past the 1 s pong deadline several times).
    const idle = FAST_SESSION_TUNING.wsApi.staleAfterMs * 4;
    const [accounts, freshness] = await Promise.all([watch(account, idle), watch(figures, idle)]);
    expect([...accounts]).toEqual(['live']);
    expect([...freshness]).toEqual(['live']);
  });

  it('turns stale when a ping goes unanswered (control: the watch above can see non-live states)', async () => {
    const { core, sim } = await startDemo();
    const account = (): string | undefined => core.inspect.session()?.connectionStates().account;
    await waitFor('the account live', () => account() === 'live');
    sim().faults.state.noPongs = true;
    const seen = await watch(account, FAST_SESSION_TUNING.wsApi.staleAfterMs * 4);
    sim().faults.state.noPongs = false;
    expect([...seen].some((s) => s !== 'live')).toBe(true);
  });
});

/**
 * Seam: the account figures come over the WS API socket. When that socket goes quiet (a
 * blackholed connection: no data, no pongs, no close), the account must stop looking live as soon
 * as the socket itself is known stale, not only when the socket is finally declared dead.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../src/main/core/create-core';
import { startSimulator, type Simulator } from '../../../src/main/sim/simulator';
import type { ConnectionsStatus } from '../../../src/shared/domain';
import { memoryLogger, memorySecrets, memorySettings } from '../../unit/core/fakes';
import { waitFor } from './core-harness';

// The WS API socket is probed after 1 s of silence, shows stale once the ping has gone unanswered
// for half the pong deadline (~5 s) and is declared dead only at the deadline (~11 s): between the
// two is the window in which the account used to look live.
const TUNING = {
  market: {
    staleAfterMs: 1_500,
    pingIntervalMs: 500,
    pongTimeoutMs: 1_000,
    dataSilenceLimitMs: 3_000,
    backoff: { baseMs: 100, capMs: 400 },
  },
  wsApi: {
    staleAfterMs: 1_000,
    pingIntervalMs: 120_000,
    pongTimeoutMs: 10_000,
    requestTimeoutMs: 5_000,
    backoff: { baseMs: 100, capMs: 400 },
  },
  bootBackoff: { baseMs: 100, capMs: 400 },
};

let running: Core | null = null;
afterEach(async () => {
  await running?.stop();
  running = null;
});

describe('account freshness follows the WS API socket', () => {
  it('a silent WS API socket makes the account (and the figures) non-live before the socket is declared dead', async () => {
    let sim: Simulator | null = null;
    const statuses: ConnectionsStatus[] = [];
    const core = createCore(
      {
        secrets: memorySecrets(),
        settings: memorySettings({ environment: 'demo' }),
        logger: memoryLogger(),
        flushIntervalMs: 100,
        demo: {
          seed: 3,
          startSimulator: async (o) => {
            sim = await startSimulator({ seed: o.seed, marketStepMs: 200 });
            return sim;
          },
        },
      },
      { sessionTuning: TUNING },
    );
    running = core;
    core.onEvent((name, payload) => {
      if (name === 'status:connections') statuses.push(payload as ConnectionsStatus);
    });
    await core.start();
    const account = (): string | undefined => core.inspect.session()?.connectionStates().account;
    await waitFor(
      'the account live',
      () => account() === 'live' && core.inspect.session()?.portfolio.snapshot()?.freshness.state === 'live',
    );
    const before = statuses.length;

    (sim as unknown as Simulator).faults.state.silentSockets = true;

    // Caught before the pong deadline: only the socket's own stale state can get here first.
    await waitFor('the account no longer live', () => account() !== 'live', 15_000);
    expect(account()).toBe('stale');
    await waitFor(
      'a status event with a stale account',
      () => statuses.slice(before).some((s) => s.connections.find((c) => c.id === 'account')?.state === 'stale'),
      15_000,
    );
    await waitFor('the figures not live', () => core.inspect.session()?.portfolio.snapshot()?.freshness.state !== 'live', 15_000);

    (sim as unknown as Simulator).faults.state.silentSockets = false;
  });
});

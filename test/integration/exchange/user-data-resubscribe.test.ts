/**
 * A subscribe whose answer is lost (B11, B12, B18) against the simulator: with silentSockets on,
 * the simulator registers `userDataStream.subscribe.signature` on the socket but its reply never
 * arrives, so the request times out with the subscription state unknown. Retrying on that same
 * socket can only ever get -2035 ("subscription already active"); the stream must instead reach a
 * known state on its own once the network is back, resync without a gap and deliver events again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import Decimal from 'decimal.js';
import { startSimulator, type Simulator } from '../../../src/main/sim/simulator';
import { simulatorEnvironment } from '../../../src/main/exchange/environments';
import { createCredentials } from '../../../src/main/exchange/credentials';
import { createTimeSync } from '../../../src/main/exchange/time-sync';
import { createRestClient } from '../../../src/main/exchange/rest-client';
import { createConnectionState } from '../../../src/main/exchange/connection-state';
import { createWsApiConnection, type WsApiConnection } from '../../../src/main/exchange/ws-api-connection';
import { createUserDataStream, type UserDataStream } from '../../../src/main/exchange/user-data-stream';
import { until } from '../../helpers/until';

interface Rig {
  sim: Simulator;
  wsApi: WsApiConnection;
  uds: UserDataStream;
}

let rig: Rig | undefined;

afterEach(async () => {
  rig?.uds.dispose();
  rig?.wsApi.dispose();
  await rig?.sim.stop();
  rig = undefined;
});

async function startRig(): Promise<Rig> {
  const sim = await startSimulator({ symbolCount: 10, marketStepMs: 50, rateLimits: { weight: 1_000_000_000 } });
  const env = simulatorEnvironment({ restUrl: sim.restUrl, streamUrl: sim.streamUrl, wsApiUrl: sim.wsApiUrl });
  const timeSync = createTimeSync({ env });
  await timeSync.sync('start');
  const credentials = createCredentials({ type: 'HMAC', apiKey: sim.apiKey, secret: sim.apiSecret });
  const rest = createRestClient({ env, credentials, timeSync });
  const registry = createConnectionState();
  // A short request deadline so the lost reply times out quickly; the heartbeat is left slow so
  // the silent socket is NOT detected as dead by it: the request timeout alone must be enough.
  const wsApi = createWsApiConnection({
    url: sim.wsApiUrl,
    connectionState: registry,
    backoff: { baseMs: 20, capMs: 100 },
    requestTimeoutMs: 400,
    pingIntervalMs: 60_000,
    pongTimeoutMs: 60_000,
    staleAfterMs: 120_000,
  });
  const uds = createUserDataStream({ wsApi, rest, credentials, timeSync, connectionState: registry, backoff: { baseMs: 20, capMs: 100 } });
  uds.start();
  await until(() => uds.isSynced(), 'first resync');
  return { sim, wsApi, uds };
}

const freeOf = (r: Rig, asset: string): Decimal => new Decimal(r.uds.balances().get(asset)?.free ?? '0');
const truthOf = (r: Rig, asset: string): Decimal =>
  new Decimal(r.sim.accounts.balances(r.sim.demoAccountId).find((b) => b.asset === asset)?.free ?? '0');

describe('a subscribe whose reply is lost', () => {
  it('does not stay stuck on -2035: once the network is back it is subscribed, resynced without a gap, and events flow', async () => {
    rig = await startRig();
    const r = rig;
    r.sim.faults.state.silentSockets = true;
    // A new socket has to subscribe; the simulator registers it but the reply is swallowed.
    r.sim.faults.closeAll('ws-api');
    await until(
      () => /did not answer userDataStream\.subscribe\.signature/.test(r.uds.info().lastError ?? ''),
      'the subscribe request timed out',
    );
    // Changed while silent: the event is lost on the wire, only the resync can bring it.
    r.sim.accounts.adjustBalance(r.sim.demoAccountId, 'USDT', '3.5');
    expect(r.uds.isSynced()).toBe(false);
    r.sim.faults.state.silentSockets = false;

    await until(() => r.uds.isSynced() && r.uds.subscriptionId() !== null && r.uds.info().status === 'live', 'live again').catch(
      (e: unknown) => {
        throw new Error(`${String(e)}; user data: ${r.uds.info().status}, last error: ${r.uds.info().lastError ?? 'none'}`);
      },
    );
    expect(freeOf(r, 'USDT').eq(truthOf(r, 'USDT')), `USDT ${freeOf(r, 'USDT').toFixed()} vs ${truthOf(r, 'USDT').toFixed()}`).toBe(true);
    // Exactly one subscription on the socket in use, and it is the one events are routed by.
    const subs = await r.wsApi.request<{ subscriptionId: number }[]>('session.subscriptions');
    expect(subs.map((s) => s.subscriptionId)).toEqual([r.uds.subscriptionId()]);

    // And live events arrive again.
    const before = freeOf(r, 'BTC');
    r.sim.accounts.adjustBalance(r.sim.demoAccountId, 'BTC', '0.125');
    await until(() => freeOf(r, 'BTC').eq(before.plus('0.125')), 'a balance change after recovery');
    expect(freeOf(r, 'BTC').eq(truthOf(r, 'BTC'))).toBe(true);
  }, 60_000);

  it('a reply that arrives after its deadline (slow network) ends the same way: one subscription, resynced, live', async () => {
    rig = await startRig();
    const r = rig;
    // Replies (WS API and REST) now come after the 400 ms request deadline: the subscribe is
    // registered, its late answer matches no pending request any more.
    r.sim.faults.state.latencyMs = 700;
    r.sim.faults.closeAll('ws-api');
    await until(
      () => /did not answer userDataStream\.subscribe\.signature/.test(r.uds.info().lastError ?? ''),
      'the subscribe request timed out',
    );
    r.sim.accounts.adjustBalance(r.sim.demoAccountId, 'ETH', '-0.75');
    r.sim.faults.state.latencyMs = 0;
    await until(() => r.uds.isSynced() && r.uds.subscriptionId() !== null && r.uds.info().status === 'live', 'live again').catch(
      (e: unknown) => {
        throw new Error(`${String(e)}; user data: ${r.uds.info().status}, last error: ${r.uds.info().lastError ?? 'none'}`);
      },
    );
    expect(freeOf(r, 'ETH').eq(truthOf(r, 'ETH')), `ETH ${freeOf(r, 'ETH').toFixed()} vs ${truthOf(r, 'ETH').toFixed()}`).toBe(true);
    const subs = await r.wsApi.request<{ subscriptionId: number }[]>('session.subscriptions');
    expect(subs.map((s) => s.subscriptionId)).toEqual([r.uds.subscriptionId()]);
    const before = freeOf(r, 'ETH');
    r.sim.accounts.adjustBalance(r.sim.demoAccountId, 'ETH', '2');
    await until(() => freeOf(r, 'ETH').eq(before.plus(2)), 'a balance change after recovery');
  }, 60_000);
});

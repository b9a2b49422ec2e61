/**
 * A resync that ends while no subscription exists (B11, B12) against the simulator: a manual
 * resync is in its snapshot when the WS API socket dies; it finishes while the new socket's
 * subscribe is still unanswered. It must not call itself synced: events the exchange already
 * sends on the new socket (they can overtake the subscribe reply) belong to that subscription's
 * own resync and may only be applied after its snapshot.
 */
import { afterEach, describe, expect, it } from 'vitest';
import Decimal from 'decimal.js';
import { startSimulator, type Simulator } from '../../../src/main/sim/simulator';
import { simulatorEnvironment } from '../../../src/main/exchange/environments';
import { createCredentials } from '../../../src/main/exchange/credentials';
import { createTimeSync } from '../../../src/main/exchange/time-sync';
import { createRestClient, type RestClient, type RestRequest } from '../../../src/main/exchange/rest-client';
import { createConnectionState } from '../../../src/main/exchange/connection-state';
import { createWsApiConnection, type WsApiConnection } from '../../../src/main/exchange/ws-api-connection';
import { createUserDataStream, type UserDataStream } from '../../../src/main/exchange/user-data-stream';
import { until } from '../../helpers/until';

let sim: Simulator | undefined;
let wsApi: WsApiConnection | undefined;
let uds: UserDataStream | undefined;

afterEach(async () => {
  uds?.dispose();
  wsApi?.dispose();
  await sim?.stop();
  sim = wsApi = uds = undefined;
});

describe('user data resync racing a reconnect (B12)', () => {
  it('a resync ending with no subscription stays unsynced; an event sent before the new subscribe reply is applied after its snapshot', async () => {
    sim = await startSimulator({ symbolCount: 10, marketStepMs: 50, rateLimits: { weight: 1_000_000_000 } });
    const s = sim;
    const env = simulatorEnvironment({ restUrl: s.restUrl, streamUrl: s.streamUrl, wsApiUrl: s.wsApiUrl });
    const timeSync = createTimeSync({ env });
    await timeSync.sync('start');
    const credentials = createCredentials({ type: 'HMAC', apiKey: s.apiKey, secret: s.apiSecret });
    const realRest = createRestClient({ env, credentials, timeSync });

    /** One ordered record of what the stream did and what the test did. */
    const log: string[] = [];
    // The account snapshot can be held (to end the manual resync exactly when the test wants).
    let hold: Promise<void> | null = null;
    let held = 0;
    const rest: Pick<RestClient, 'request'> = {
      async request<T>(req: RestRequest<T>): Promise<T> {
        const result = await realRest.request(req);
        if (req.path === '/api/v3/account') {
          if (hold !== null) {
            held++;
            await hold;
          }
          log.push('snapshot');
        }
        return result;
      },
    };

    const registry = createConnectionState();
    const api = createWsApiConnection({ url: s.wsApiUrl, connectionState: registry, backoff: { baseMs: 20, capMs: 100 } });
    wsApi = api;
    const stream = createUserDataStream({
      wsApi: api,
      rest,
      credentials,
      timeSync,
      connectionState: registry,
      backoff: { baseMs: 20, capMs: 100 },
    });
    uds = stream;
    const resyncedWithoutSubscription: string[] = [];
    stream.onEvent((e) => {
      if (e.type === 'resynced') {
        log.push(`resynced ${e.reason}`);
        if (stream.subscriptionId() === null) resyncedWithoutSubscription.push(e.reason);
      }
      if (e.type === 'balances') for (const b of e.changed) if (b.asset === 'USDT') log.push(`USDT ${b.free}`);
    });
    stream.start();
    await until(() => stream.isSynced(), 'first resync');
    // Registered after the stream's own listener: when this sees an event, the stream has too.
    const arrived: { generation: number; usdt: string }[] = [];
    api.onEvent((ev, meta) => {
      if (ev.e !== 'outboundAccountPosition' || !Array.isArray(ev.B)) return;
      for (const b of ev.B as { a: string; f: string }[]) if (b.a === 'USDT') arrived.push({ generation: meta.generation, usdt: b.f });
    });
    const oldGeneration = api.currentGeneration();
    expect(oldGeneration).not.toBeNull();

    // 1. A manual resync is in its snapshot...
    let release: () => void = () => undefined;
    hold = new Promise<void>((r) => {
      release = r;
    });
    const manual = stream.resync('manual');
    await until(() => held === 1, 'the manual snapshot in flight');
    // 2. ...when the socket dies. Replies (not events) are slow from now on, so the new socket's
    // subscription exists on the exchange well before its reply arrives.
    s.faults.state.latencyMs = 5_000;
    s.faults.closeAll('ws-api');
    await until(() => {
      const g = api.currentGeneration();
      return g !== null && g !== oldGeneration;
    }, 'the new socket open');
    // 3. The manual resync ends while the subscribe is unanswered.
    hold = null;
    release();
    await manual;
    expect(stream.subscriptionId()).toBeNull();
    expect(stream.isSynced()).toBe(false);
    expect(resyncedWithoutSubscription).toEqual([]);

    // 4. Credit USDT until one credit reaches the client on the new socket (the ones sent before
    // the exchange registered the subscription reach no one; the snapshot will show them).
    const newGeneration = api.currentGeneration() as number;
    let credits = 0;
    for (;;) {
      log.push('credit');
      s.accounts.adjustBalance(s.demoAccountId, 'USDT', '1');
      credits++;
      const seen = arrived.length;
      const got = await new Promise<boolean>((resolve) => {
        const start = Date.now();
        const poll = (): void => {
          if (arrived.slice(seen).some((a) => a.generation === newGeneration)) resolve(true);
          else if (Date.now() - start > 200) resolve(false);
          else setTimeout(poll, 10);
        };
        poll();
      });
      if (got) break;
      expect(credits).toBeLessThan(100);
    }
    // The subscribe reply has not arrived yet: this is the gap the test is about.
    expect(stream.subscriptionId()).toBeNull();
    const creditedAt = log.lastIndexOf('credit');
    const truth = s.accounts.balances(s.demoAccountId).find((b) => b.asset === 'USDT')?.free;
    expect(truth).toBeDefined();
    // The event sits in the buffer, not in the balances.
    expect(stream.balances().get('USDT')?.free).not.toBe(truth);
    s.faults.state.latencyMs = 0;

    // 5. The subscription answers, its resync runs, and only then does the credit show.
    await until(() => stream.isSynced() && stream.subscriptionId() !== null, 'the resync after the new subscription', 30_000);
    expect(resyncedWithoutSubscription).toEqual([]);
    expect(new Decimal(stream.balances().get('USDT')?.free ?? '0').eq(truth as string)).toBe(true);
    const shownAt = log.findIndex(
      (line, i) => i > creditedAt && line.startsWith('USDT ') && new Decimal(line.slice(5)).eq(truth as string),
    );
    expect(shownAt).toBeGreaterThan(creditedAt);
    const snapshotAt = log.indexOf('snapshot', creditedAt);
    expect(snapshotAt).toBeGreaterThan(creditedAt);
    expect(snapshotAt).toBeLessThan(shownAt);
    expect(log.slice(shownAt)).toContain('resynced subscribed');
  }, 60_000);
});

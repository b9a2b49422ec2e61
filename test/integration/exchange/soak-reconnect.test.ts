/**
 * B15 soak: 1,000 forced disconnect/reconnect cycles of the market stream and the WS API user
 * data stream against the simulator leave active handles, timers, listeners and heap at their
 * baseline; after dispose nothing of the client remains.
 */
import { describe, expect, it } from 'vitest';
import v8 from 'node:v8';
import vm from 'node:vm';
import { startSimulator } from '../../../src/main/sim/simulator';
import { simulatorEnvironment } from '../../../src/main/exchange/environments';
import { createCredentials } from '../../../src/main/exchange/credentials';
import { createTimeSync } from '../../../src/main/exchange/time-sync';
import { createRestClient } from '../../../src/main/exchange/rest-client';
import { createConnectionBudget } from '../../../src/main/exchange/backoff';
import { createConnectionState } from '../../../src/main/exchange/connection-state';
import { createMarketStreams } from '../../../src/main/exchange/market-streams';
import { createWsApiConnection } from '../../../src/main/exchange/ws-api-connection';
import { createUserDataStream } from '../../../src/main/exchange/user-data-stream';
import { createStreamsLifecycle } from '../../../src/main/exchange/lifecycle';
import { until } from '../../helpers/until';

const CYCLES = Number(process.env.SOAK_CYCLES ?? '1000');

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function resources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of process.getActiveResourcesInfo()) counts.set(r, (counts.get(r) ?? 0) + 1);
  return counts;
}

/** Types whose count exceeds the baseline by more than the tolerance. */
function excess(now: Map<string, number>, base: Map<string, number>, tolerance: number): string[] {
  const out: string[] = [];
  for (const [type, n] of now) if (n > (base.get(type) ?? 0) + tolerance) out.push(`${type}: ${n} (baseline ${base.get(type) ?? 0})`);
  return out;
}

describe('B15: resource hygiene under 1,000 reconnect cycles', () => {
  it('returns to baseline handles, timers, listeners and heap; dispose leaves nothing', async () => {
    await new Promise((r) => setTimeout(r, 50));
    const processBaseline = resources();
    const sim = await startSimulator({ symbolCount: 10, marketStepMs: 50, rateLimits: { weight: 1_000_000_000 } });
    const env = simulatorEnvironment({ restUrl: sim.restUrl, streamUrl: sim.streamUrl, wsApiUrl: sim.wsApiUrl });
    const timeSync = createTimeSync({ env });
    await timeSync.sync('start');
    const credentials = createCredentials({ type: 'HMAC', apiKey: sim.apiKey, secret: sim.apiSecret });
    const rest = createRestClient({ env, credentials, timeSync });
    const registry = createConnectionState();
    const budget = createConnectionBudget({ maxAttempts: 1_000_000 });
    const backoff = { baseMs: 2, capMs: 5 };
    const market = createMarketStreams({ streamUrl: sim.streamUrl, id: 'market', connectionState: registry, budget, backoff });
    const wsApi = createWsApiConnection({ url: sim.wsApiUrl, connectionState: registry, budget, backoff });
    const uds = createUserDataStream({ wsApi, rest, credentials, timeSync, connectionState: registry, backoff });
    const lifecycle = createStreamsLifecycle({ market, wsApi, userData: uds });
    const uiUnsubscribe = registry.subscribe(() => undefined);
    market.watch(['!miniTicker@arr', 'btcusdt@bookTicker']);
    uds.start();
    await until(() => uds.isSynced() && market.connections()[0]!.status === 'live', 'first sync');

    await new Promise((r) => setTimeout(r, 100));
    gc();
    const base = resources();
    const heapBase = process.memoryUsage().heapUsed;
    const listeners = {
      registry: registry.listenerCount(),
      wsApi: wsApi.listenerCount(),
      uds: uds.listenerCount(),
      orders: uds.orders.listenerCount(),
    };

    let gen = wsApi.currentGeneration()!;
    let marketReconnects = market.connections()[0]!.reconnectCount;
    for (let i = 0; i < CYCLES; i++) {
      if (i > 0 && i % 200 === 0) {
        // The simulator enforces Binance's 300 WS API connections per 5 min (aligned buckets);
        // move its clock to the next bucket and let the client learn the new offset.
        sim.clock.jump(300_000);
        await timeSync.sync('soak clock jump');
      }
      sim.faults.closeAll('all');
      await until(
        () => {
          const g = wsApi.currentGeneration();
          const m = market.connections()[0]!;
          return (
            g !== null &&
            g !== gen &&
            uds.isSynced() &&
            uds.subscriptionId() !== null &&
            m.status === 'live' &&
            m.reconnectCount > marketReconnects
          );
        },
        `cycle ${i}`,
        20_000,
        2,
      ); // checked every 2 ms: 1,000 cycles
      gen = wsApi.currentGeneration()!;
      marketReconnects = market.connections()[0]!.reconnectCount;
    }
    expect(market.connections()[0]!.reconnectCount).toBeGreaterThanOrEqual(CYCLES);
    expect(wsApi.info().reconnectCount).toBeGreaterThanOrEqual(CYCLES);

    // Back to baseline: same kinds and numbers of handles (a couple of sockets may still be closing).
    await until(() => {
      gc();
      return excess(resources(), base, 2).length === 0;
    }, 'handles back to baseline');
    expect(excess(resources(), base, 2)).toEqual([]);
    expect({
      registry: registry.listenerCount(),
      wsApi: wsApi.listenerCount(),
      uds: uds.listenerCount(),
      orders: uds.orders.listenerCount(),
    }).toEqual(listeners);
    gc();
    const heapGrowth = process.memoryUsage().heapUsed - heapBase;
    expect(heapGrowth).toBeLessThan(30 * 1024 * 1024);

    uiUnsubscribe();
    lifecycle.dispose();
    timeSync.stop();
    expect(registry.get().connections).toEqual([]);
    expect(wsApi.listenerCount()).toBe(0);
    await sim.stop();
    await until(() => excess(resources(), processBaseline, 0).length === 0, 'no handle left after dispose');
    expect(excess(resources(), processBaseline, 0)).toEqual([]);
  }, 240_000);
});

import { describe, expect, it } from 'vitest';
import { createHistorySync } from '../../../src/main/orders/history-sync';
import type { SyncProgress } from '../../../src/shared/domain/orders';
import type { OrdersRepository } from '../../../src/main/storage/orders-repository';

/** A REST stand-in that answers empty pages and holds each answer until the test lets it go. */
function harness() {
  const requests: string[] = [];
  const waiting: Array<() => void> = [];
  const rest = {
    requestWithMeta: (req: { path: string; params?: Record<string, string | number> }) => {
      requests.push(`${req.path} ${String(req.params?.['symbol'])}`);
      return new Promise((resolve) => {
        waiting.push(() => resolve({ data: [], headers: { 'x-mbx-used-weight-1m': String(requests.length * 20) } }));
      });
    },
  };
  const synced: string[] = [];
  const repo = {
    orderCursor: () => null,
    lastTradeId: () => null,
    upsertOrders: () => 0,
    insertFills: () => 0,
    markSynced: (_env: string, symbol: string) => synced.push(symbol),
  } as unknown as OrdersRepository;
  const progress: SyncProgress[] = [];
  const sync = createHistorySync({ rest: rest as never, repo, environment: 'demo', now: () => 1, onProgress: (p) => progress.push(p) });
  /** Answer every request until nothing waits (each answer may start the next request). */
  const drain = async (): Promise<void> => {
    for (let guard = 0; guard < 100; guard++) {
      await new Promise((r) => setTimeout(r, 0));
      const next = waiting.shift();
      if (next === undefined) return;
      next();
    }
  };
  return { sync, requests, synced, progress, drain };
}

describe('history sync: one at a time, each symbol once', () => {
  it('ten clicks while a sync runs cost what one sync costs', async () => {
    const h = harness();
    const calls = Array.from({ length: 10 }, () => h.sync.sync(['BTCUSDT', 'ETHUSDT']));
    await h.drain();
    const results = await Promise.all(calls);
    // two symbols, one allOrders and one myTrades each: 4 requests, 80 weight, not 40 requests
    expect(h.requests).toHaveLength(4);
    expect(new Set(results).size).toBe(1);
    expect(results[0]).toMatchObject({ running: false, total: 2, done: 2, weightCost: 80, error: null });
  });

  it('a call for another symbol while a sync runs adds it to that sync, and never fetches a symbol twice', async () => {
    const h = harness();
    const first = h.sync.sync(['BTCUSDT', 'ETHUSDT']);
    const second = h.sync.sync(['ETHUSDT', 'BNBUSDT']);
    await h.drain();
    const [a, b] = await Promise.all([first, second]);
    expect(a).toBe(b);
    expect(h.synced).toEqual(['BTCUSDT', 'ETHUSDT', 'BNBUSDT']);
    expect(h.requests.filter((r) => r.endsWith('ETHUSDT'))).toHaveLength(2);
    expect(a).toMatchObject({ total: 3, done: 3 });
    // the sync after that one is a new sync
    const third = h.sync.sync(['BTCUSDT']);
    await h.drain();
    expect(await third).toMatchObject({ total: 1, done: 1 });
    expect(h.synced).toEqual(['BTCUSDT', 'ETHUSDT', 'BNBUSDT', 'BTCUSDT']);
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTimeSync } from '../../../src/main/exchange/time-sync';

afterEach(() => {
  vi.useRealTimers();
});

describe('time sync (B1)', () => {
  it('offset = serverTime - (send time + RTT/2)', async () => {
    let local = 1_000_000;
    let mono = 0;
    const ts = createTimeSync({
      localNow: () => local,
      monotonicNow: () => mono,
      fetchServerTime: async () => {
        mono += 200; // 200 ms round trip
        local += 200;
        return 1_003_100; // server read its clock at local 1_000_100 (+3000)
      },
    });
    await ts.sync('test');
    expect(ts.offsetMs()).toBe(3000);
    expect(ts.now()).toBe(local + 3000);
    expect(ts.state()).toMatchObject({ syncCount: 1, lastRttMs: 200, lastReason: 'test' });
  });

  it('concurrent sync() calls share one request', async () => {
    let calls = 0;
    let release: (v: number) => void = () => undefined;
    const ts = createTimeSync({
      fetchServerTime: () => {
        calls += 1;
        return new Promise<number>((r) => {
          release = r;
        });
      },
    });
    const a = ts.sync('a');
    const b = ts.sync('b');
    release(Date.now() - 8000);
    await Promise.all([a, b]);
    expect(calls).toBe(1);
    expect(ts.offsetMs()).toBeLessThan(-7000);
    const c = ts.sync('c');
    release(Date.now());
    await c;
    expect(calls).toBe(2);
  });

  it('a failed sync rejects, keeps the previous offset and records the error', async () => {
    let fail = false;
    const ts = createTimeSync({
      fetchServerTime: async () => {
        if (fail) throw new Error('offline');
        return Date.now() + 5000;
      },
    });
    await ts.sync('ok');
    const before = ts.offsetMs();
    fail = true;
    await expect(ts.sync('bad')).rejects.toThrow('offline');
    expect(ts.offsetMs()).toBe(before);
    expect(ts.state().lastError).toBe('offline');
  });

  it('start() syncs now and then on the schedule; stop() releases the timer', async () => {
    vi.useFakeTimers();
    let calls = 0;
    const ts = createTimeSync({
      resyncIntervalMs: 60_000,
      fetchServerTime: async () => {
        calls += 1;
        return Date.now();
      },
    });
    const reasons: string[] = [];
    ts.onSync((s) => reasons.push(s.lastReason ?? ''));
    await ts.start();
    expect(calls).toBe(1);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toBe(2);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toBe(3);
    expect(reasons).toEqual(['start', 'periodic', 'periodic']);
    ts.stop();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(600_000);
    expect(calls).toBe(3);
  });

  it('fetches GET {restUrl}/api/v3/time when given an environment', async () => {
    const urls: string[] = [];
    const fetchImpl = (async (url: string | URL | Request) => {
      urls.push(String(url));
      return new Response('{"serverTime":1700000000000}', { status: 200, headers: { 'x-mbx-used-weight-1m': '3' } });
    }) as typeof fetch;
    const ts = createTimeSync({
      env: { id: 'simulator', label: 's', restUrl: 'http://127.0.0.1:1', streamUrl: '', wsApiUrl: '', hasSapi: true },
      fetchImpl,
      localNow: () => 1_699_999_990_000,
      monotonicNow: () => 0,
    });
    await ts.sync('x');
    expect(urls).toEqual(['http://127.0.0.1:1/api/v3/time']);
    expect(ts.offsetMs()).toBe(10_000);
  });
});

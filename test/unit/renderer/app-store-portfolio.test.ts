import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAppStore, type AppStore } from '../../../src/renderer/app/store';
import {
  defaultSettings,
  type EnvironmentId,
  type PortfolioEvent,
  type PortfolioSnapshot,
  type Settings,
} from '../../../src/shared/domain';
import type { AppState } from '../../../src/shared/ipc/contract';
import type { PerchBridge } from '../../../src/shared/ipc/bridge';

type Answer = { ok: true; value: unknown } | { ok: false; error: { code: string; message: string } };

function snapshot(seq: number, total: string, environment: EnvironmentId = 'demo'): PortfolioSnapshot {
  return {
    environment,
    seq,
    quote: 'USDT',
    holdings: [
      { asset: 'USDT', free: total, locked: '0', total, price: '1', value: total, change24hPct: null, share: '100', priceRoute: 'quote' },
    ],
    total,
    total24hChange: null,
    total24hChangePct: null,
    asOf: 1_000 + seq,
    freshness: { state: 'live', since: 1_000 },
  };
}

function delta(baseSeq: number, seq: number, total: string): PortfolioEvent {
  return {
    kind: 'delta',
    baseSeq,
    seq,
    changed: [
      { asset: 'USDT', free: total, locked: '0', total, price: '1', value: total, change24hPct: null, share: '100', priceRoute: 'quote' },
    ],
    removed: [],
    total,
    total24hChange: null,
    total24hChangePct: null,
    asOf: 1_000 + seq,
    freshness: { state: 'live', since: 1_000 },
  };
}

function appState(settings: Settings, portfolio: PortfolioSnapshot | null): AppState {
  return {
    version: 't',
    settings,
    demo: settings.environment === 'demo',
    key: null,
    keys: [],
    keychain: { state: 'available', message: null },
    portfolio,
    status: { environment: settings.environment, connections: [], weightUsed: null, weightLimit: null, clockOffsetMs: null, asOf: 1 },
    notices: [],
  };
}

/** A bridge whose portfolio:getSnapshot answers come from a queue the test fills. */
function fakeBridge(initial: AppState) {
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const snapshotAnswers: Array<() => Promise<Answer>> = [];
  let snapshotCalls = 0;
  const bridge = {
    call: (name: string, input?: unknown) => {
      if (name === 'app:getState') return Promise.resolve({ ok: true, value: initial });
      if (name === 'portfolio:getSnapshot') {
        snapshotCalls += 1;
        const next = snapshotAnswers.shift();
        return next ? next() : Promise.resolve({ ok: false, error: { code: 'network', message: 'no answer queued' } });
      }
      if (name === 'settings:update') return Promise.resolve({ ok: true, value: { ...initial.settings, ...(input as object) } });
      return Promise.resolve({ ok: true, value: null });
    },
    on: (name: string, listener: (p: unknown) => void) => {
      const set = listeners.get(name) ?? new Set();
      set.add(listener);
      listeners.set(name, set);
      return () => set.delete(listener);
    },
  } as unknown as PerchBridge;
  const emit = (name: string, payload: unknown): void => {
    for (const l of listeners.get(name) ?? []) l(payload);
  };
  return { bridge, emit, snapshotAnswers, snapshotCalls: () => snapshotCalls };
}

let store: AppStore | null = null;
afterEach(() => {
  store?.stop();
  store = null;
  vi.useRealTimers();
});

const demo = { ...defaultSettings(), environment: 'demo' as const };

describe('app store: portfolio sync', () => {
  it('retries a failed refetch after a delta gap, and does not show the old figures as live meanwhile', async () => {
    vi.useFakeTimers();
    const f = fakeBridge(appState(demo, snapshot(1, '100')));
    // 10 s without a heartbeat would (rightly) mark the bridge lost: liveness is not under test here
    store = createAppStore(f.bridge, { every: () => () => undefined });
    await store.start();
    f.snapshotAnswers.push(
      () => Promise.resolve({ ok: false, error: { code: 'network', message: 'main busy' } }),
      () => Promise.resolve({ ok: true, value: snapshot(5, '150') }),
    );
    f.emit('portfolio:snapshot', delta(4, 5, '150')); // seq 2..4 were missed
    await vi.advanceTimersByTimeAsync(0);
    expect(f.snapshotCalls()).toBe(1);
    expect(store.get().portfolio?.freshness.state).not.toBe('live');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(f.snapshotCalls()).toBe(2);
    expect(store.get().portfolio).toMatchObject({ seq: 5, total: '150', freshness: { state: 'live' } });
  });

  it('asks again when the answer is older than the newest seq already announced', async () => {
    vi.useFakeTimers();
    const f = fakeBridge(appState(demo, snapshot(1, '100')));
    store = createAppStore(f.bridge);
    await store.start();
    let release: (a: Answer) => void = () => undefined;
    f.snapshotAnswers.push(
      () =>
        new Promise<Answer>((r) => {
          release = r;
        }),
      () => Promise.resolve({ ok: true, value: snapshot(7, '170') }),
    );
    f.emit('portfolio:snapshot', delta(4, 5, '150'));
    await vi.advanceTimersByTimeAsync(0);
    // newer events cross the pending answer
    f.emit('portfolio:snapshot', delta(5, 6, '160'));
    f.emit('portfolio:snapshot', delta(6, 7, '170'));
    release({ ok: true, value: snapshot(5, '150') });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(f.snapshotCalls()).toBe(2);
    expect(store.get().portfolio).toMatchObject({ seq: 7, total: '170' });
  });

  it('a cleared event empties the portfolio, and a refetch answer asked before it is dropped', async () => {
    vi.useFakeTimers();
    const f = fakeBridge(appState(demo, snapshot(1, '100')));
    store = createAppStore(f.bridge);
    await store.start();
    let release: (a: Answer) => void = () => undefined;
    f.snapshotAnswers.push(
      () =>
        new Promise<Answer>((r) => {
          release = r;
        }),
    );
    f.emit('portfolio:snapshot', delta(4, 5, '150'));
    await vi.advanceTimersByTimeAsync(0);
    f.emit('portfolio:snapshot', { kind: 'cleared', environment: 'demo', at: 2_000 });
    expect(store.get().portfolio).toBeNull();
    release({ ok: true, value: snapshot(5, '150') });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(store.get().portfolio).toBeNull();
    // the new session's first full event shows, even though its seq is lower than the old one's
    f.emit('portfolio:snapshot', { kind: 'full', snapshot: snapshot(1, '42') });
    expect(store.get().portfolio).toMatchObject({ seq: 1, total: '42' });
  });

  it('never keeps or shows a portfolio of another environment than the selected one', async () => {
    const f = fakeBridge(appState(demo, snapshot(3, '100')));
    store = createAppStore(f.bridge);
    await store.start();
    expect(store.get().portfolio?.environment).toBe('demo');
    f.emit('settings:changed', { ...demo, environment: 'testnet' });
    expect(store.get().portfolio).toBeNull();
    // a late full event of the old session is ignored
    f.emit('portfolio:snapshot', { kind: 'full', snapshot: snapshot(4, '100', 'demo') });
    expect(store.get().portfolio).toBeNull();
    f.emit('portfolio:snapshot', { kind: 'full', snapshot: snapshot(1, '7', 'testnet') });
    expect(store.get().portfolio).toMatchObject({ environment: 'testnet', total: '7' });
  });

  it('drops the shown portfolio as soon as the user picks another environment', async () => {
    const f = fakeBridge(appState(demo, snapshot(3, '100')));
    store = createAppStore(f.bridge);
    await store.start();
    const pending = store.updateSettings({ environment: 'testnet' });
    expect(store.get().portfolio).toBeNull();
    await pending;
    expect(store.get().portfolio).toBeNull();
  });

  it('a first answer whose portfolio is of another environment is not shown', async () => {
    const f = fakeBridge(appState({ ...demo, environment: 'testnet' }, snapshot(3, '100', 'demo')));
    store = createAppStore(f.bridge);
    await store.start();
    expect(store.get().portfolio).toBeNull();
  });
});

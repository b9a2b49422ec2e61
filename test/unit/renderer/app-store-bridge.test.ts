/**
 * Seam: the renderer's app store with a fake bridge and a fake clock (now + a manual `every`).
 * Main sends app:heartbeat every second; a window that hears nothing for a few seconds, or whose
 * transport says the socket closed, must stop showing anything as live.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createAppStore, type AppStore } from '../../../src/renderer/app/store';
import { defaultSettings, type PortfolioSnapshot } from '../../../src/shared/domain';
import type { AppState } from '../../../src/shared/ipc/contract';
import type { PerchBridge } from '../../../src/shared/ipc/bridge';
import { APP_HEARTBEAT_MS, BRIDGE_LOST_AFTER_MS } from '../../../src/shared/ipc/liveness';

const snapshot = (seq: number): PortfolioSnapshot => ({
  environment: 'demo',
  seq,
  quote: 'USDT',
  holdings: [
    {
      asset: 'USDT',
      free: '100',
      locked: '0',
      total: '100',
      price: '1',
      value: '100',
      change24hPct: null,
      share: '100',
      priceRoute: 'quote',
    },
  ],
  total: '100',
  total24hChange: null,
  total24hChangePct: null,
  asOf: 1_000 + seq,
  freshness: { state: 'live', since: 1_000 },
});

const appState = (): AppState => ({
  version: 't',
  settings: defaultSettings(),
  demo: true,
  key: null,
  keys: [],
  keychain: { state: 'available', message: null },
  portfolio: snapshot(1),
  status: {
    environment: 'demo',
    connections: [
      { id: 'market', state: 'live', lastMessageAt: 1, reconnects: 0, lastError: null },
      { id: 'account', state: 'live', lastMessageAt: 1, reconnects: 0, lastError: null },
    ],
    weightUsed: null,
    weightLimit: null,
    clockOffsetMs: null,
    asOf: 1,
  },
  notices: [],
});

function harness() {
  let t = 1_000_000;
  const timers: Array<{ ms: number; fn: () => void; next: number }> = [];
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const calls: string[] = [];
  let closed: (() => void) | null = null;
  const bridge = {
    call: (name: string) => {
      calls.push(name);
      if (name === 'app:getState') return Promise.resolve({ ok: true, value: appState() });
      if (name === 'portfolio:getSnapshot') return Promise.resolve({ ok: true, value: snapshot(9) });
      return Promise.resolve({ ok: true, value: null });
    },
    on: (name: string, fn: (p: unknown) => void) => {
      const set = listeners.get(name) ?? new Set();
      set.add(fn);
      listeners.set(name, set);
      return () => set.delete(fn);
    },
  } as unknown as PerchBridge;
  const store = createAppStore(bridge, {
    now: () => t,
    every: (ms, fn) => {
      const timer = { ms, fn, next: t + ms };
      timers.push(timer);
      return () => timers.splice(timers.indexOf(timer), 1);
    },
    onBridgeClosed: (fn) => {
      closed = fn;
      return () => {
        closed = null;
      };
    },
  });
  const emit = (name: string, payload: unknown): void => {
    for (const l of listeners.get(name) ?? []) l(payload);
  };
  /** Moves the clock on in small steps, running due timers; main sends a heartbeat every second while `alive`. */
  const advance = (ms: number, alive: boolean): void => {
    const end = t + ms;
    let nextBeat = t + APP_HEARTBEAT_MS;
    while (t < end) {
      t = Math.min(end, t + 100);
      if (alive && t >= nextBeat) {
        emit('app:heartbeat', { at: t });
        nextBeat += APP_HEARTBEAT_MS;
      }
      for (const timer of [...timers]) {
        while (timer.next <= t) {
          timer.fn();
          timer.next += timer.ms;
        }
      }
    }
  };
  /** The clock jumps with no timer running in between (the machine slept). */
  const jump = (ms: number): void => {
    t += ms;
    for (const timer of timers) timer.next = t + timer.ms;
  };
  return { store, emit, advance, jump, calls, close: () => closed?.() };
}

let store: AppStore | null = null;
afterEach(() => {
  store?.stop();
  store = null;
});

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('app store: is main still there?', () => {
  it('with heartbeats, stays connected for as long as they come', async () => {
    const h = harness();
    store = h.store;
    await h.store.start();
    h.advance(60_000, true);
    expect(h.store.get().bridgeLost).toBe(false);
    expect(h.store.get().portfolio?.freshness.state).toBe('live');
  });

  it('a silent main is noticed within 5 s: the bridge is lost and the figures are stale', async () => {
    const h = harness();
    store = h.store;
    await h.store.start();
    h.advance(3_000, true);
    h.advance(BRIDGE_LOST_AFTER_MS - 600, false);
    expect(h.store.get().bridgeLost).toBe(false);
    h.advance(5_000 - (BRIDGE_LOST_AFTER_MS - 600), false);
    expect(h.store.get().bridgeLost).toBe(true);
    expect(h.store.get().portfolio?.freshness).toMatchObject({ state: 'stale', since: 1_001 });
  });

  it('comes back when main speaks again, and reads the figures back', async () => {
    const h = harness();
    store = h.store;
    await h.store.start();
    h.advance(6_000, false);
    expect(h.store.get().bridgeLost).toBe(true);
    h.advance(1_100, true);
    await flush();
    expect(h.store.get().bridgeLost).toBe(false);
    expect(h.calls).toContain('portfolio:getSnapshot');
    expect(h.store.get().portfolio).toMatchObject({ seq: 9, freshness: { state: 'live' } });
  });

  it('the web host socket closing is shown at once, and for good', async () => {
    const h = harness();
    store = h.store;
    await h.store.start();
    h.advance(2_000, true);
    h.close();
    expect(h.store.get().bridgeLost).toBe(true);
    expect(h.store.get().portfolio?.freshness.state).toBe('stale');
    // a late event from a closed transport cannot make it look live again
    h.emit('app:heartbeat', { at: 1 });
    expect(h.store.get().bridgeLost).toBe(true);
  });

  it('a machine that slept is not a lost bridge: the silence it did not watch is not counted', async () => {
    const h = harness();
    store = h.store;
    await h.store.start();
    h.advance(2_000, true);
    h.jump(60 * 60_000);
    h.advance(500, false);
    expect(h.store.get().bridgeLost).toBe(false);
  });

  it('any event counts as hearing from main', async () => {
    const h = harness();
    store = h.store;
    await h.store.start();
    for (let i = 0; i < 10; i++) {
      h.advance(1_000, false);
      h.emit('status:connections', appState().status);
    }
    expect(h.store.get().bridgeLost).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import {
  createMemoryValuePointStore,
  createValueRecorder,
  downsample,
  type ValuePoint,
  type ValueSample,
} from '../../../src/main/history/value-recorder';

function harness(overrides: Partial<ValueSample> = {}) {
  const clock = { t: 1_000_000 };
  let sample: ValueSample | null = {
    environment: 'demo',
    quote: 'USDT',
    total: '1000',
    pending: 0,
    holdings: 3,
    freshness: { state: 'live', since: 0 },
    asOf: clock.t,
    ...overrides,
  };
  const store = createMemoryValuePointStore();
  const timers: Array<() => void> = [];
  const recorder = createValueRecorder({
    store,
    sample: () => sample,
    now: () => clock.t,
    intervalMs: 60_000,
    significantChangePct: 1,
    minGapMs: 10_000,
    setInterval: (fn) => {
      timers.push(fn);
      return timers.length;
    },
    clearInterval: (h) => {
      timers.splice((h as number) - 1, 1);
    },
  });
  return {
    clock,
    store,
    recorder,
    timers,
    set(patch: Partial<ValueSample> | null) {
      sample = patch === null ? null : { ...(sample as ValueSample), asOf: clock.t, ...patch };
    },
  };
}

describe('value recorder', () => {
  it('records the first live sample', () => {
    const h = harness();
    expect(h.recorder.observe()).toMatchObject({ recorded: true, point: { total: '1000', quote: 'USDT', environment: 'demo' } });
    expect(h.store.points).toHaveLength(1);
  });

  it('never records while prices are stale, connecting or offline', () => {
    for (const state of ['stale', 'offline', 'connecting'] as const) {
      const h = harness({ freshness: { state, since: 5 } });
      expect(h.recorder.observe()).toEqual({ recorded: false, reason: 'not-live' });
      expect(h.store.points).toHaveLength(0);
    }
  });

  it('never records a partial total (a holding still waits for its price)', () => {
    const h = harness({ pending: 1 });
    expect(h.recorder.observe()).toEqual({ recorded: false, reason: 'pending-prices' });
  });

  it('does not record figures that are old even if the feed claims to be live', () => {
    const h = harness();
    h.clock.t += 10 * 60_000;
    expect(h.recorder.observe()).toEqual({ recorded: false, reason: 'not-live' });
  });

  it('dates a point by the data it was computed from, not by when it was observed', () => {
    const h = harness();
    h.set({ asOf: h.clock.t - 800 });
    const r = h.recorder.observe();
    expect(r).toMatchObject({ recorded: true, point: { at: h.clock.t - 800 } });
    expect(h.store.points[0]?.at).toBe(h.clock.t - 800);
  });

  it('does not record a sample older than about a flush (a minute-old total is not current)', () => {
    const h = harness();
    h.set({ asOf: h.clock.t - 60_000 });
    expect(h.recorder.observe()).toEqual({ recorded: false, reason: 'not-live' });
    expect(h.store.points).toHaveLength(0);
  });

  it('never records the same data twice when time moves on but the sample does not', () => {
    const h = harness();
    h.recorder.observe();
    h.clock.t += 120_000;
    // The same (old) sample: past the cadence, but its data is not newer than the last point.
    expect(h.recorder.observe()).toMatchObject({ recorded: false });
    expect(h.store.points).toHaveLength(1);
  });

  it('records every minute and on a significant move, never closer than the minimum gap', () => {
    const h = harness();
    h.recorder.observe();
    h.clock.t += 5_000;
    h.set({ total: '2000' });
    expect(h.recorder.observe()).toEqual({ recorded: false, reason: 'too-soon' });
    h.clock.t += 10_000;
    h.set({ total: '1005' }); // +0.5 %: not significant
    expect(h.recorder.observe()).toEqual({ recorded: false, reason: 'unchanged' });
    h.set({ total: '1020' }); // +2 %: significant
    expect(h.recorder.observe()).toMatchObject({ recorded: true, point: { total: '1020' } });
    h.clock.t += 30_000;
    h.set({ total: '1021' });
    expect(h.recorder.observe()).toEqual({ recorded: false, reason: 'unchanged' });
    h.clock.t += 30_000; // a minute after the last point
    h.set({ total: '1021' }); // a current sample (the recorder records only fresh figures)
    expect(h.recorder.observe()).toMatchObject({ recorded: true, point: { total: '1021' } });
    expect(h.store.points.map((p) => p.total)).toEqual(['1000', '1020', '1021']);
  });

  it('continues the cadence from the database after a restart', () => {
    const h = harness();
    h.store.insert({ at: h.clock.t - 20_000, environment: 'demo', quote: 'USDT', total: '1000' });
    expect(h.recorder.observe()).toEqual({ recorded: false, reason: 'unchanged' });
  });

  it('keeps separate series per environment and quote', () => {
    const h = harness();
    h.recorder.observe();
    h.clock.t += 15_000;
    h.set({ quote: 'BTC', total: '0.01' });
    expect(h.recorder.observe()).toMatchObject({ recorded: true, point: { quote: 'BTC' } });
    expect(h.recorder.range({ environment: 'demo', quote: 'USDT', from: 0, to: h.clock.t })).toHaveLength(1);
  });

  it('records on its own timer while the market is quiet, and stops', () => {
    const h = harness();
    h.recorder.start();
    expect(h.timers).toHaveLength(1);
    h.timers[0]!();
    h.clock.t += 60_000;
    h.set({});
    h.timers[0]!();
    expect(h.store.points).toHaveLength(2);
    h.recorder.stop();
    expect(h.timers).toHaveLength(0);
  });

  it('answers range queries, downsampled for charts', () => {
    const h = harness();
    for (let i = 0; i < 100; i++) h.store.insert({ at: i * 1000, environment: 'demo', quote: 'USDT', total: String(i) });
    const all = h.recorder.range({ environment: 'demo', quote: 'USDT', from: 0, to: 99_000 });
    expect(all).toHaveLength(100);
    const ten = h.recorder.range({ environment: 'demo', quote: 'USDT', from: 0, to: 99_999, maxPoints: 10 });
    expect(ten.map((p) => p.total)).toEqual(['9', '19', '29', '39', '49', '59', '69', '79', '89', '99']);
    expect(h.recorder.latest({ environment: 'demo', quote: 'USDT' })?.total).toBe('99');
  });
});

describe('downsample', () => {
  it('returns the input when it is small enough', () => {
    const pts: ValuePoint[] = [{ at: 1, environment: 'demo', quote: 'USDT', total: '1' }];
    expect(downsample(pts, 5, 0, 10)).toEqual(pts);
  });
});

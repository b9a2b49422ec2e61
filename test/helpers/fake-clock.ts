import type { Clock } from '../../src/main/exchange/backoff';

export interface FakeTimer {
  readonly at: number;
  readonly fn: () => void;
}

export interface FakeClock extends Clock {
  /** Timers set and neither fired nor cleared, in the order they were set. */
  timers(): readonly FakeTimer[];
  pending(): number;
  /** How many timers were cleared before they fired. */
  cleared(): number;
  /** Move time forward by `ms`, firing the timers due by then, earliest first (synchronously). */
  advance(ms: number): void;
  /**
   * Fire timers earliest first, letting promise continuations and I/O callbacks run after each,
   * until `done()` or the clock passes `limitMs`.
   */
  runUntil(done: () => boolean, limitMs: number): Promise<void>;
}

/** A `Clock` whose time moves only when the test moves it: no real waiting, no timings. */
export function fakeClock(start = 0): FakeClock {
  let t = start;
  let cleared = 0;
  const timers: FakeTimer[] = [];
  const earliest = (): FakeTimer | undefined => {
    // stable: timers due at the same moment fire in the order they were set
    timers.sort((a, b) => a.at - b.at);
    return timers[0];
  };
  const flush = async (): Promise<void> => {
    for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
  };
  return {
    now: () => t,
    setTimeout(fn, ms) {
      const timer: FakeTimer = { at: t + ms, fn };
      timers.push(timer);
      return timer;
    },
    clearTimeout(handle) {
      const i = timers.indexOf(handle as FakeTimer);
      if (i >= 0) {
        timers.splice(i, 1);
        cleared++;
      }
    },
    timers: () => [...timers],
    pending: () => timers.length,
    cleared: () => cleared,
    advance(ms) {
      const end = t + ms;
      for (let next = earliest(); next !== undefined && next.at <= end; next = earliest()) {
        timers.shift();
        t = next.at;
        next.fn();
      }
      t = end;
    },
    async runUntil(done, limitMs) {
      await flush();
      for (let next = earliest(); !done() && t <= limitMs && next !== undefined; next = earliest()) {
        timers.shift();
        t = Math.max(t, next.at);
        next.fn();
        await flush();
      }
    },
  };
}

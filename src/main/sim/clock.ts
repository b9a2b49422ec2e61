/**
 * The simulator's own clock. Every timing rule (recvWindow, 24 h lifetimes, kline buckets,
 * order times) reads this clock, never Date.now(), so tests can skew it or jump it.
 */
export interface SimClock {
  /** Server time in epoch ms. */
  now(): number;
  /** Server time = real time + offsetMs. */
  setOffset(offsetMs: number): void;
  /** Fix the clock at epochMs; it keeps advancing in real time from there. */
  setFixed(epochMs: number): void;
  /** Move the clock by deltaMs (positive or negative) from where it is now. */
  jump(deltaMs: number): void;
  /** Current difference server time − real time, in ms. */
  offset(): number;
}

export function createClock(opts: { offsetMs?: number; fixedAtMs?: number; realNow?: () => number } = {}): SimClock {
  const realNow = opts.realNow ?? Date.now;
  let offset = opts.offsetMs ?? 0;
  if (opts.fixedAtMs !== undefined) offset = opts.fixedAtMs - realNow();
  return {
    now: () => Math.floor(realNow() + offset),
    setOffset: (ms) => {
      offset = ms;
    },
    setFixed: (epochMs) => {
      offset = epochMs - realNow();
    },
    jump: (deltaMs) => {
      offset += deltaMs;
    },
    offset: () => offset,
  };
}

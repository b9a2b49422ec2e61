/**
 * Reconnect pacing (B9): exponential backoff with full jitter that never gives up, and one
 * connection budget shared by every socket of the app so that, together, they stay well under
 * Binance's 300 connection attempts per 5 minutes per IP.
 */

/** The time and timer seams every streams module takes, so tests can drive them. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface BackoffOptions {
  /** Upper bound of the first delay, ms. */
  readonly baseMs?: number;
  /** Upper bound of any delay, ms. */
  readonly capMs?: number;
  /** Lower bound of any delay, ms (full jitter may otherwise pick 0). */
  readonly minMs?: number;
  /** Random source in [0, 1). */
  readonly random?: () => number;
}

export interface Backoff {
  /** Delay before the next attempt; every call counts as one more failure. */
  next(): number;
  /** Back to the first step, after a connection proved healthy. */
  reset(): void;
  readonly failures: number;
}

export function createBackoff(options: BackoffOptions = {}): Backoff {
  const baseMs = options.baseMs ?? 500;
  const capMs = options.capMs ?? 30_000;
  const minMs = options.minMs ?? 0;
  const random = options.random ?? Math.random;
  let failures = 0;
  return {
    next(): number {
      // 2^failures overflows to Infinity long before it matters; min() keeps it at the cap.
      const ceiling = Math.min(capMs, baseMs * 2 ** failures);
      failures += 1;
      return Math.max(minMs, Math.floor(random() * ceiling));
    },
    reset(): void {
      failures = 0;
    },
    get failures(): number {
      return failures;
    },
  };
}

export interface ConnectionBudgetOptions {
  /** Attempts allowed per window, all sockets together. Binance allows 300; we stay well under. */
  readonly maxAttempts?: number;
  readonly windowMs?: number;
  readonly clock?: Pick<Clock, 'now'>;
}

export interface ConnectionBudget {
  /** ms to wait before an attempt may be made (0: now). Does not consume. */
  delayMs(): number;
  /** Record an attempt that is being made now. */
  record(): void;
  /** Attempts recorded within the current window. */
  used(): number;
  readonly maxAttempts: number;
}

export function createConnectionBudget(options: ConnectionBudgetOptions = {}): ConnectionBudget {
  const maxAttempts = options.maxAttempts ?? 200;
  const windowMs = options.windowMs ?? 5 * 60_000;
  const clock = options.clock ?? systemClock;
  // Attempt times in ascending order; never longer than maxAttempts.
  const attempts: number[] = [];

  const prune = (now: number): void => {
    while (attempts.length > 0 && (attempts[0] as number) <= now - windowMs) attempts.shift();
  };

  return {
    maxAttempts,
    delayMs(): number {
      const now = clock.now();
      prune(now);
      if (attempts.length < maxAttempts) return 0;
      return (attempts[0] as number) + windowMs - now;
    },
    record(): void {
      const now = clock.now();
      prune(now);
      attempts.push(now);
      if (attempts.length > maxAttempts) attempts.shift();
    },
    used(): number {
      prune(clock.now());
      return attempts.length;
    },
  };
}

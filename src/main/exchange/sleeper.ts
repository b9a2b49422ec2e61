/**
 * A cancellable sleep on an injectable clock, shared by the order API, the reconciler and the
 * OCO placer: their retry loops wait between looks, and disposing the owner must neither leave
 * a timer running (it would keep the process alive, or fire into a dead component) nor leave a
 * loop hanging on a sleep that never ends.
 */
import type { Clock } from './backoff';

export interface Sleeper {
  /** Resolves after `ms`, or at once when the sleeper is (or gets) disposed. Never rejects. */
  sleep(ms: number): Promise<void>;
  /** Clears every pending timer and resolves its sleep; later sleeps resolve at once. Idempotent. */
  dispose(): void;
}

export function createSleeper(clock: Pick<Clock, 'setTimeout' | 'clearTimeout'>): Sleeper {
  const sleepers = new Set<{ handle: unknown; wake: () => void }>();
  let disposed = false;

  return {
    sleep: (ms) =>
      new Promise<void>((resolve) => {
        if (disposed) {
          resolve();
          return;
        }
        const entry = {
          handle: undefined as unknown,
          wake: () => {
            sleepers.delete(entry);
            resolve();
          },
        };
        entry.handle = clock.setTimeout(entry.wake, ms);
        sleepers.add(entry);
      }),
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const s of [...sleepers]) {
        clock.clearTimeout(s.handle);
        s.wake();
      }
    },
  };
}

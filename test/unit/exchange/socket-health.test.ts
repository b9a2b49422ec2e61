/**
 * Seam: startHeartbeat with a manual clock. The two modes a socket can be in, at the WS API's
 * real settings (ping after 15 s, pong within 10 s, stale after 30 s):
 * - frame-driven (the account socket): silence is normal; a ping answered keeps it fresh; only a
 *   ping left unanswered makes it stale, then dead;
 * - data-driven (an always-on market stream): data stopping is stale even while pongs come.
 */
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../../src/main/exchange/backoff';
import { startHeartbeat } from '../../../src/main/exchange/socket-health';

function manualClock() {
  let t = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  let id = 0;
  const clock: Clock = {
    now: () => t,
    setTimeout: (fn, ms) => {
      timers.set(++id, { at: t + ms, fn });
      return id;
    },
    clearTimeout: (h) => {
      timers.delete(h as number);
    },
  };
  /** Moves time on, firing due timers in order. */
  const advance = (ms: number): void => {
    const end = t + ms;
    for (;;) {
      const due = [...timers.entries()].filter(([, v]) => v.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (due === undefined) break;
      timers.delete(due[0]);
      t = due[1].at;
      due[1].fn();
    }
    t = end;
  };
  return { clock, advance, now: () => t };
}

const REAL = { pingIntervalMs: 15_000, pongTimeoutMs: 10_000, staleAfterMs: 30_000 };

function socket(dataDriven: boolean, answersPings: () => boolean) {
  const c = manualClock();
  const seen: string[] = [];
  const hb = startHeartbeat({
    clock: c.clock,
    ...REAL,
    dataDriven: () => dataDriven,
    ping: () => {
      seen.push('ping');
      // the pong arrives 50 ms later
      if (answersPings()) c.clock.setTimeout(() => hb.frame(c.now()), 50);
      return true;
    },
    onStale: () => seen.push('stale'),
    onFresh: () => seen.push('fresh'),
    onDead: () => seen.push('dead'),
  });
  return { hb, seen, advance: c.advance };
}

describe('heartbeat modes', () => {
  it('frame-driven: an idle socket that answers pings stays fresh for an hour', () => {
    const s = socket(false, () => true);
    s.advance(60 * 60_000);
    expect(s.hb.isStale()).toBe(false);
    expect(s.seen.filter((e) => e !== 'ping')).toEqual([]);
    expect(s.seen.length).toBeGreaterThan(100);
  });

  it('frame-driven: an unanswered ping is stale within the pong timeout, then dead', () => {
    let answering = true;
    const s = socket(false, () => answering);
    s.advance(60_000);
    answering = false;
    s.advance(REAL.pingIntervalMs + REAL.pongTimeoutMs / 2 + 5_000);
    expect(s.seen).toContain('stale');
    s.advance(REAL.pongTimeoutMs);
    expect(s.seen.at(-1)).toBe('dead');
  });

  it('data-driven: no data for the stale threshold is stale even though pongs come', () => {
    const s = socket(true, () => true);
    s.advance(REAL.staleAfterMs + 1_000);
    expect(s.seen).toContain('stale');
  });
});

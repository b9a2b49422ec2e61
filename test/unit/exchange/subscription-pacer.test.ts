// SUBSCRIBE pacing without a socket (B8, B9): batches, the control-frame throttle, and the
// bisection of rejected batches down to the names the server refuses.
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../../src/main/exchange/backoff';
import { createControlThrottle } from '../../../src/main/exchange/socket-health';
import { createSubscriptionPacer, type PacedConnection } from '../../../src/main/exchange/subscription-pacer';

interface ManualClock extends Clock {
  advance(ms: number): void;
}

function manualClock(): ManualClock {
  let now = 1_000_000;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => now,
    setTimeout: (fn, ms) => {
      const id = ++seq;
      timers.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout: (h) => void timers.delete(h as number),
    advance(ms) {
      const end = now + ms;
      for (;;) {
        let next: [number, { at: number; fn: () => void }] | undefined;
        for (const e of timers) if (e[1].at <= end && (next === undefined || e[1].at < next[1].at)) next = e;
        if (next === undefined) break;
        timers.delete(next[0]);
        now = next[1].at;
        next[1].fn();
      }
      now = end;
    },
  };
}

function setup(wanted: string[], perWindow = 4, batchSize = 3) {
  const clock = manualClock();
  const sent: { at: number; method: string; params: string[]; id: number }[] = [];
  const errors: string[] = [];
  const refused: string[] = [];
  let id = 0;
  const conn: PacedConnection = {
    n: 1,
    phase: 'open',
    wanted: new Set(wanted),
    suspect: new Set(),
    subscribed: new Set(),
    pending: new Map(),
    retry: [],
    retrying: new Set(),
    rejected: new Set(),
    throttle: createControlThrottle(clock, perWindow),
    flushTimer: null,
    flushWaitsForRetry: false,
    send: (text) => {
      const m = JSON.parse(text) as { method: string; params: string[]; id: number };
      sent.push({ at: clock.now(), ...m });
    },
  };
  const pacer = createSubscriptionPacer({
    clock,
    batchSize,
    retryBaseMs: 1000,
    nextId: () => ++id,
    onError: (_c, e) => errors.push(e.message),
    onRejected: (s) => refused.push(s),
  });
  return { clock, conn, pacer, sent, errors, refused };
}

describe('subscription pacer', () => {
  it('sends the wanted streams in batches, never more control frames per window than the throttle allows', () => {
    const names = Array.from({ length: 20 }, (_, i) => `s${i}usdt@bookTicker`);
    const { clock, conn, pacer, sent } = setup(names);
    pacer.flush(conn);
    expect(sent.length).toBe(4); // the throttle's window is full
    clock.advance(10_000);
    expect(sent.length).toBe(7); // 20 names in batches of 3
    expect(sent.every((m) => m.method === 'SUBSCRIBE' && m.params.length <= 3)).toBe(true);
    expect(new Set(sent.flatMap((m) => m.params))).toEqual(new Set(names));
    expect(conn.subscribed).toEqual(new Set(names));
    // no window of 1.2 s holds more than 4 frames
    for (const m of sent) expect(sent.filter((o) => o.at >= m.at && o.at < m.at + 1200).length).toBeLessThanOrEqual(4);
  });

  it('unsubscribes what is no longer wanted before subscribing anything new', () => {
    const { conn, pacer, sent } = setup(['a@bookTicker']);
    conn.subscribed.add('old@bookTicker');
    pacer.flush(conn);
    expect(sent.map((m) => [m.method, m.params])).toEqual([
      ['UNSUBSCRIBE', ['old@bookTicker']],
      ['SUBSCRIBE', ['a@bookTicker']],
    ]);
  });

  it('sends nothing on a connection that is not open', () => {
    const { conn, pacer, sent } = setup(['a@bookTicker']);
    pacer.flush({ ...conn, phase: 'connecting' });
    pacer.flush({ ...conn, phase: 'closed' });
    expect(sent).toEqual([]);
  });

  it('a rejected batch is retried in halves, after a doubling delay, until the bad name stands alone', () => {
    const { clock, conn, pacer, sent, refused, errors } = setup(['a@x', 'b@x', 'bad@x', 'c@x'], 5, 4);
    pacer.flush(conn);
    expect(sent).toHaveLength(1);
    const first = sent[0]!;
    pacer.rejected(conn, first.params, 0, 'Invalid request (2)');
    expect(conn.subscribed.size).toBe(0);
    clock.advance(999);
    expect(sent).toHaveLength(1); // 1 s before the first retry
    clock.advance(1);
    expect(sent.slice(1).map((m) => m.params)).toEqual([
      ['a@x', 'b@x'],
      ['bad@x', 'c@x'],
    ]);
    // the second half fails again: halves of it after 2 s
    pacer.rejected(conn, ['bad@x', 'c@x'], 1, 'Invalid request (2)');
    clock.advance(2000);
    expect(sent.slice(3).map((m) => m.params)).toEqual([['bad@x'], ['c@x']]);
    pacer.rejected(conn, ['bad@x'], 2, 'Invalid request (2)');
    expect(refused).toEqual(['bad@x']);
    expect(conn.rejected.has('bad@x') && conn.suspect.has('bad@x')).toBe(true);
    expect(errors.at(-1)).toContain('SUBSCRIBE rejected for "bad@x"');
    const asked = sent.filter((m) => m.params.includes('bad@x')).length;
    expect(asked).toBe(3); // in the batch, in its half, alone
    clock.advance(60_000);
    pacer.flush(conn);
    // never asked for again on this connection; the good names are all subscribed
    expect(sent.filter((m) => m.params.includes('bad@x'))).toHaveLength(asked);
    expect(conn.subscribed).toEqual(new Set(['a@x', 'b@x', 'c@x']));
  });
});

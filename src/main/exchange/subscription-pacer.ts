/**
 * SUBSCRIBE / UNSUBSCRIBE pacing for one market-stream connection (B8, B9): the difference
 * between the streams wanted and the streams the server has goes out in batches, never faster
 * than the connection's control-frame throttle (Binance allows 5 control frames a second, pings
 * and pongs included). A rejected batch is retried in halves, after a delay that doubles per
 * split, until the names the server refuses stand alone; those are set aside (and reported) so
 * one bad name never costs its neighbours.
 *
 * No socket here: the connection is whatever can `send` text, so the pacing is tested alone.
 */
import type { Clock } from './backoff';
import type { ControlThrottle } from './socket-health';

const SUBSCRIBE_RETRY_CAP_MS = 30_000;

export type ControlMethod = 'SUBSCRIBE' | 'UNSUBSCRIBE';

/** What the pacer reads and keeps on each connection. */
export interface PacedConnection {
  /** Connection number, for onControlFrame. */
  readonly n: number;
  /** Only an open connection sends; a closed one never again. */
  readonly phase: 'connecting' | 'open' | 'closed';
  /** The streams this connection's shard wants, and the ones a server rejected on their own before. */
  readonly wanted: ReadonlySet<string>;
  readonly suspect: Set<string>;
  /** Streams the server has (or will have, per the messages already sent). */
  readonly subscribed: Set<string>;
  readonly pending: Map<number, { method: ControlMethod; params: string[]; depth: number }>;
  /** Halves of rejected SUBSCRIBEs waiting for their retry. */
  readonly retry: { params: string[]; dueAt: number; depth: number }[];
  /** Streams queued in `retry`; the normal SUBSCRIBE batches leave them alone. */
  readonly retrying: Set<string>;
  /** Streams the server rejected on their own on this connection; not asked for again here. */
  readonly rejected: Set<string>;
  readonly throttle: ControlThrottle;
  flushTimer: unknown;
  /** The flush timer only waits for a retry to fall due (not for the throttle): new work may go now. */
  flushWaitsForRetry: boolean;
  send(text: string): void;
}

export interface SubscriptionPacerOptions {
  readonly clock: Clock;
  /** Streams per SUBSCRIBE message. */
  readonly batchSize: number;
  /** First delay before a rejected SUBSCRIBE is retried in halves; doubles per split, capped at 30 s. */
  readonly retryBaseMs: number;
  /** Request ids, unique across the connections of one client. */
  readonly nextId: () => number;
  readonly onControlFrame?: (kind: 'subscribe' | 'unsubscribe', connection: number) => void;
  /** A problem worth showing as the connection's last error. */
  readonly onError: (conn: PacedConnection, error: Error) => void;
  /** A stream the server refused on its own. */
  readonly onRejected?: (stream: string) => void;
}

export interface SubscriptionPacer {
  /** Send what can be sent now; schedule the rest. */
  flush(conn: PacedConnection): void;
  /** The server refused a SUBSCRIBE of `params` (sent at retry `depth`). */
  rejected(conn: PacedConnection, params: readonly string[], depth: number, detail: string): void;
}

export function createSubscriptionPacer(options: SubscriptionPacerOptions): SubscriptionPacer {
  const { clock, batchSize, retryBaseMs } = options;

  const flush = (conn: PacedConnection): void => {
    if (conn.phase !== 'open') return;
    if (conn.flushTimer !== null) {
      if (!conn.flushWaitsForRetry) return;
      clock.clearTimeout(conn.flushTimer);
      conn.flushTimer = null;
    }
    const later = (ms: number, forRetry: boolean): void => {
      conn.flushWaitsForRetry = forRetry;
      conn.flushTimer = clock.setTimeout(() => {
        conn.flushTimer = null;
        flush(conn);
      }, ms);
    };
    const wanted = conn.wanted;
    for (;;) {
      const removes: string[] = [];
      for (const s of conn.subscribed)
        if (!wanted.has(s)) {
          removes.push(s);
          if (removes.length >= batchSize) break;
        }
      let adds: string[] = [];
      let depth = 0;
      let retryIndex = -1;
      let nextRetryAt = Infinity;
      if (removes.length === 0) {
        const now = clock.now();
        for (let i = 0; i < conn.retry.length; i++) {
          const r = conn.retry[i]!;
          if (r.dueAt <= now) {
            retryIndex = i;
            break;
          }
          nextRetryAt = Math.min(nextRetryAt, r.dueAt);
        }
        if (retryIndex >= 0) {
          const r = conn.retry[retryIndex]!;
          adds = r.params.filter((s) => wanted.has(s) && !conn.subscribed.has(s));
          depth = r.depth;
        } else {
          const fresh = (s: string): boolean => !conn.subscribed.has(s) && !conn.retrying.has(s) && !conn.rejected.has(s);
          for (const s of wanted)
            if (fresh(s) && !conn.suspect.has(s)) {
              adds.push(s);
              if (adds.length >= batchSize) break;
            }
          // Names rejected before go last, together, so they cannot take good ones down with them.
          if (adds.length === 0)
            for (const s of conn.suspect)
              if (wanted.has(s) && fresh(s)) {
                adds.push(s);
                if (adds.length >= batchSize) break;
              }
        }
      }
      if (retryIndex >= 0 && adds.length === 0) {
        // Everything in it was unwatched (or subscribed anew) meanwhile.
        for (const s of conn.retry[retryIndex]!.params) conn.retrying.delete(s);
        conn.retry.splice(retryIndex, 1);
        continue;
      }
      if (removes.length === 0 && adds.length === 0) {
        if (nextRetryAt !== Infinity) later(Math.max(1, nextRetryAt - clock.now()), true);
        return;
      }
      if (!conn.throttle.tryTake()) {
        later(conn.throttle.waitMs(), false);
        return;
      }
      if (retryIndex >= 0) {
        for (const s of conn.retry[retryIndex]!.params) conn.retrying.delete(s);
        conn.retry.splice(retryIndex, 1);
      }
      const method: ControlMethod = removes.length > 0 ? 'UNSUBSCRIBE' : 'SUBSCRIBE';
      const params = removes.length > 0 ? removes : adds;
      const id = options.nextId();
      conn.pending.set(id, { method, params, depth });
      if (method === 'SUBSCRIBE') for (const s of params) conn.subscribed.add(s);
      else for (const s of params) conn.subscribed.delete(s);
      options.onControlFrame?.(method === 'SUBSCRIBE' ? 'subscribe' : 'unsubscribe', conn.n);
      conn.send(JSON.stringify({ method, params, id }));
    }
  };

  const rejected = (conn: PacedConnection, params: readonly string[], depth: number, detail: string): void => {
    for (const s of params) conn.subscribed.delete(s);
    if (params.length === 1) {
      const stream = params[0] as string;
      conn.rejected.add(stream);
      conn.suspect.add(stream);
      options.onError(conn, new Error(`SUBSCRIBE rejected for ${JSON.stringify(stream)}: ${detail}`));
      options.onRejected?.(stream);
    } else {
      options.onError(conn, new Error(`SUBSCRIBE of ${params.length} streams rejected: ${detail}; retrying in halves`));
      const dueAt = clock.now() + Math.min(SUBSCRIBE_RETRY_CAP_MS, retryBaseMs * 2 ** depth);
      const half = Math.ceil(params.length / 2);
      for (const part of [params.slice(0, half), params.slice(half)]) {
        conn.retry.push({ params: part, dueAt, depth: depth + 1 });
        for (const s of part) conn.retrying.add(s);
      }
    }
    flush(conn);
  };

  return { flush, rejected };
}

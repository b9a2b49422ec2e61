/**
 * Per-socket helpers shared by the market streams and the WS API connection:
 * - a control-frame throttle (Binance counts pings, pongs and JSON control messages towards
 *   5 incoming messages per second per connection; exceeding it disconnects, repeated
 *   offenders get banned), and
 * - a heartbeat (B8): any inbound frame proves liveness; silence first marks the socket stale,
 *   then a ping probes it and no answer within the pong timeout declares it dead.
 *
 * What "stale" means depends on what the socket carries. A socket with a stream that always
 * sends (data-driven) is stale when its data stops, even if pongs still come: the feed stalled.
 * A socket whose streams send only on change (per-symbol tickers of a quiet market, a testnet
 * account) may carry no data for hours while perfectly healthy; there any frame, a pong to our
 * ping included, keeps it fresh, and it goes stale only when a ping stays unanswered. Whether a
 * quiet symbol's price is still right is the REST re-check's business, not the socket's.
 */
import type { Clock } from './backoff';

export interface ControlThrottle {
  /** true and counted if a control frame may be sent now. */
  tryTake(): boolean;
  /** Count a frame sent without asking (ws answers server pings by itself). */
  note(): void;
  /** ms until tryTake() can succeed. */
  waitMs(): number;
}

/**
 * `perWindow` frames per `windowMs`. The window is longer than Binance's second on purpose:
 * frames sent 1 s apart can arrive closer together after network jitter.
 */
export function createControlThrottle(clock: Pick<Clock, 'now'>, perWindow: number, windowMs = 1200): ControlThrottle {
  const sent: number[] = [];
  const prune = (now: number): void => {
    while (sent.length > 0 && (sent[0] as number) <= now - windowMs) sent.shift();
  };
  return {
    tryTake(): boolean {
      const now = clock.now();
      prune(now);
      if (sent.length >= perWindow) return false;
      sent.push(now);
      return true;
    },
    note(): void {
      const now = clock.now();
      prune(now);
      sent.push(now);
    },
    waitMs(): number {
      const now = clock.now();
      prune(now);
      if (sent.length < perWindow) return 0;
      // The frame that leaves the window first frees the slot we need.
      return Math.max(1, (sent[sent.length - perWindow] as number) + windowMs - now + 1);
    },
  };
}

export interface HeartbeatOptions {
  readonly clock: Clock;
  /** Send a ping after this much silence (no inbound frame at all). */
  readonly pingIntervalMs: number;
  /** Dead if nothing arrives within this long after a ping. */
  readonly pongTimeoutMs: number;
  /** No data frame for this long: stale (UI), and probe with a ping. */
  readonly staleAfterMs: number;
  /** Optional, data-driven sockets only: dead after this long without data even if pongs come. */
  readonly dataSilenceLimitMs?: () => number | undefined;
  /**
   * Whether data frames alone prove the feed is alive (an always-on stream is subscribed).
   * Asked at every check, so it may change with the subscriptions. Required, with no default:
   * the wrong mode either hides a stalled feed or shows a healthy quiet socket (an account that
   * answers pings) as stale, so every socket must say which it is.
   */
  readonly dataDriven: () => boolean;
  /** Tries to send a ping; false when the throttle refused it (retried on the next check). */
  readonly ping: () => boolean;
  readonly onStale: () => void;
  readonly onFresh: () => void;
  readonly onDead: (reason: string) => void;
}

export interface Heartbeat {
  /** Any inbound frame (data, pong, ping, control response). */
  frame(now: number): void;
  /** A data frame (also counts as a frame). */
  data(now: number): void;
  isStale(): boolean;
  stop(): void;
}

export function startHeartbeat(options: HeartbeatOptions): Heartbeat {
  const { clock } = options;
  const start = clock.now();
  let lastFrameAt = start;
  let lastDataAt = start;
  let pingSentAt: number | null = null;
  let stale = false;
  let stopped = false;
  let timer: unknown = null;
  let dataDriven = options.dataDriven();
  const checkEveryMs = Math.max(10, Math.floor(Math.min(options.pingIntervalMs, options.pongTimeoutMs, options.staleAfterMs) / 4));
  // Frame-driven: a ping unanswered for half the pong timeout is worth showing as stale.
  const unansweredStaleMs = Math.max(1, Math.floor(options.pongTimeoutMs / 2));

  const setFresh = (): void => {
    if (!stale) return;
    stale = false;
    options.onFresh();
  };

  const check = (): void => {
    timer = null;
    if (stopped) return;
    const now = clock.now();
    if (pingSentAt !== null && lastFrameAt >= pingSentAt) pingSentAt = null;
    if (pingSentAt !== null && now - pingSentAt >= options.pongTimeoutMs) {
      stopped = true;
      options.onDead(`no frame within ${options.pongTimeoutMs} ms after a ping`);
      return;
    }
    const nowDataDriven = options.dataDriven();
    // Data only started to count now: the silence before did not mean anything.
    if (nowDataDriven && !dataDriven) lastDataAt = now;
    dataDriven = nowDataDriven;
    if (dataDriven) {
      const silenceLimit = options.dataSilenceLimitMs?.();
      if (silenceLimit !== undefined && now - lastDataAt >= silenceLimit) {
        stopped = true;
        options.onDead(`no data for ${silenceLimit} ms`);
        return;
      }
      if (!stale && now - lastDataAt >= options.staleAfterMs) {
        stale = true;
        options.onStale();
        if (stopped) return;
      }
    } else {
      const unanswered = pingSentAt !== null && now - pingSentAt >= unansweredStaleMs;
      // Also when pings could not go out (throttle) for as long as a probe would have taken.
      const silent = now - lastFrameAt >= options.staleAfterMs + options.pongTimeoutMs;
      if (unanswered || silent) {
        if (!stale) {
          stale = true;
          options.onStale();
          if (stopped) return;
        }
      } else if (pingSentAt === null) {
        setFresh();
        if (stopped) return;
      }
    }
    // Frame-driven sockets have nothing else to tell them apart from a dead one: probe sooner.
    const probeAfterMs = dataDriven ? options.pingIntervalMs : Math.min(options.pingIntervalMs, options.staleAfterMs);
    const wantPing = now - lastFrameAt >= probeAfterMs || (stale && now - lastFrameAt >= options.staleAfterMs);
    if (pingSentAt === null && wantPing && options.ping()) pingSentAt = now;
    timer = clock.setTimeout(check, checkEveryMs);
  };
  timer = clock.setTimeout(check, checkEveryMs);

  return {
    frame(now) {
      lastFrameAt = now;
      if (!dataDriven) setFresh();
    },
    data(now) {
      lastFrameAt = now;
      lastDataAt = now;
      setFresh();
    },
    isStale: () => stale,
    stop() {
      stopped = true;
      if (timer !== null) clock.clearTimeout(timer);
      timer = null;
    },
  };
}

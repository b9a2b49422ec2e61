/**
 * Market data over Binance's combined-stream WebSocket (docs/ARCHITECTURE.md §4, §8; B8, B9, B10, B15, B16).
 *
 * One connection carries every stream the app watches (a second one only above 1,024 streams).
 * The watched set changes through SUBSCRIBE/UNSUBSCRIBE, paced under 5 control frames per
 * second together with pings and pongs. A connection that goes silent is probed and replaced;
 * reconnects back off with full jitter under a budget shared with every other socket. Before
 * the 24 h cut, and on `serverShutdown`, a replacement connection is opened and the old one is
 * closed only once the new one delivers; updates carry their event time (or book update id), so
 * the overlap can never move a value backwards or report the same event twice.
 *
 * Hot path: each frame is parsed once and written into per-symbol records in place
 * (market-frames.ts); with a focus set, an all-market frame is not even parsed whole. The caller
 * reads the coalesced latest values (`drainChanged()`, `version()`) at its own pace. SUBSCRIBE
 * pacing is subscription-pacer.ts.
 *
 * Why this file is still over 500 lines: connections, shards, reconnects and the rollover hand-over
 * all read and change the same connection records, and are only understood together.
 */
import WebSocket from 'ws';
import type { Backoff, BackoffOptions, Clock, ConnectionBudget } from './backoff';
import { createBackoff, createConnectionBudget, systemClock } from './backoff';
import type { ConnectionInfo, ConnectionReporter, ConnectionStateRegistry } from './connection-state';
import { createConnectionState } from './connection-state';
import type { Heartbeat } from './socket-health';
import { createControlThrottle, startHeartbeat } from './socket-health';
import { createMarketData, frameKey, type BookTop, type KlineBar, type MarketUpdate, type MiniTicker } from './market-frames';
import { createSubscriptionPacer, type PacedConnection } from './subscription-pacer';

export type { BookTop, KlineBar, MarketUpdate, MiniTicker } from './market-frames';

export interface MarketStreamsOptions {
  /** Base stream URL, e.g. wss://stream.binance.com:9443 or the simulator's ws://127.0.0.1:P. */
  readonly streamUrl: string;
  readonly clock?: Clock;
  /** Shared by every socket of the app (B9). */
  readonly budget?: ConnectionBudget;
  readonly backoff?: BackoffOptions;
  /** Reset the backoff after a connection stayed up this long, ms. */
  readonly healthyAfterMs?: number;
  readonly connectionState?: ConnectionStateRegistry;
  /** Registry id prefix; connections are `${id}#0`, `${id}#1`, ... */
  readonly id?: string;
  readonly staleAfterMs?: number;
  readonly pingIntervalMs?: number;
  readonly pongTimeoutMs?: number;
  /**
   * Reconnect when an always-on stream (the all-market `!…@arr` arrays) sent nothing for this
   * long, even if pings are answered (B8: 10 s).
   */
  readonly dataSilenceLimitMs?: number;
  /** Proactive rollover age; Binance cuts at 24 h. */
  readonly maxLifetimeMs?: number;
  /** A replacement that has not caught up after this long takes over anyway if open, else is retried. */
  readonly rolloverTimeoutMs?: number;
  readonly maxStreamsPerConnection?: number;
  /** Control frames per second per connection, pongs and pings included; Binance allows 5. */
  readonly controlMessagesPerSecond?: number;
  /** Streams per SUBSCRIBE message. */
  readonly subscribeBatchSize?: number;
  /** First delay before a rejected SUBSCRIBE is retried in halves; doubles per split, capped at 30 s. */
  readonly subscribeRetryBaseMs?: number;
  /** Longest stream list put into the connection URL; the rest goes by SUBSCRIBE. */
  readonly maxUrlLength?: number;
  readonly handshakeTimeoutMs?: number;
  /** Diagnostics/tests: called for every applied (new, not duplicate) update. Keep it cheap. */
  readonly onApply?: (update: MarketUpdate) => void;
  /**
   * A stream that was not watched: its name is malformed (skipped by watch()), or the server
   * rejected a SUBSCRIBE for it alone (kept watched; tried again on the next connection).
   * Also reported as the connection's last error.
   */
  readonly onStreamProblem?: (stream: string, problem: 'invalid-name' | 'rejected') => void;
  /** Tests: observe every control frame the client sends (SUBSCRIBE, UNSUBSCRIBE, ping). */
  readonly onControlFrame?: (kind: 'subscribe' | 'unsubscribe' | 'ping', connection: number) => void;
}

export interface MarketStreams {
  /**
   * Add streams (e.g. "!miniTicker@arr", "btcusdt@bookTicker", "ethusdt@kline_1m"). A malformed
   * name is skipped and reported (onStreamProblem, lastError); the others are still added.
   */
  watch(streams: Iterable<string>): void;
  unwatch(streams: Iterable<string>): void;
  watched(): ReadonlySet<string>;
  /** Latest values; the records are live (updated in place): copy what you keep. */
  tickers(): ReadonlyMap<string, Readonly<MiniTicker>>;
  bookTickers(): ReadonlyMap<string, Readonly<BookTop>>;
  /** Keyed `${SYMBOL}@${interval}`. */
  klines(): ReadonlyMap<string, Readonly<KlineBar>>;
  /** Tickers changed since the previous drain, each once; consuming clears the set. */
  drainChanged(): IterableIterator<[string, Readonly<MiniTicker>]>;
  /** The same drain as one array of the live records (the app's flush: 2,500 a second at most). */
  takeChangedTickers(): Readonly<MiniTicker>[];
  drainChangedBookTickers(): IterableIterator<[string, Readonly<BookTop>]>;
  drainChangedKlines(): IterableIterator<[string, Readonly<KlineBar>]>;
  /** Increases whenever any value changed. */
  version(): number;
  /**
   * While an all-market array is watched, apply only these symbols' tickers from it (null: all).
   * The records of other symbols are dropped; see MarketData.setFocus.
   */
  focus(symbols: ReadonlySet<string> | null): void;
  connections(): readonly ConnectionInfo[];
  /** Close sockets and timers; state is kept. */
  suspend(): void;
  /** Reconnect now (after sleep), skipping the backoff. */
  resume(): void;
  /** The network changed: the sockets may be dead without knowing it; replace them now. */
  networkChanged(): void;
  dispose(): void;
}

/**
 * Symbols in stream names are lower case; the stream kinds are not (miniTicker, bookTicker).
 * Symbols may be any Unicode letters and digits (testnet lists `这是测试币456`); only ASCII
 * letters have a case to lower, so only A-Z is refused in the symbol part.
 */
const STREAM_NAME = /^(?:![A-Za-z0-9@_]+|(?:(?![A-Z])[\p{L}\p{M}\p{N}])+@[A-Za-z0-9@_.:+-]+)$/u;
const MAX_HELD = 1000;
/**
 * Streams that send every second in practice, so their silence means a stalled feed: the
 * all-market arrays list the symbols that changed in the last second, and across the whole
 * exchange something always changes. Per-symbol streams (tickers, book tops, klines) send only
 * when their symbol changes and may be silent for hours on a quiet or testnet symbol: a
 * connection carrying only those proves liveness by pongs, not by data.
 */
const ALWAYS_ON: readonly string[] = ['!miniTicker@arr', '!ticker_1h@arr', '!ticker_4h@arr', '!ticker_1d@arr'];
const hasAlwaysOn = (streams: ReadonlySet<string>): boolean => {
  for (const s of ALWAYS_ON) if (streams.has(s)) return true;
  return false;
};
/** Non-ASCII symbol characters go percent-encoded in the URL (accepted since 2025-12-02). */
const urlName = (stream: string): string => stream.replace(/[^\p{ASCII}]+/gu, (m) => encodeURIComponent(m));

type Role = 'current' | 'candidate' | 'retiring';

/**
 * One socket. Its life is one state (`phase`: connecting → open → closed, never back) and its
 * place in the shard one role; the pacer's bookkeeping is PacedConnection's.
 */
interface Conn extends PacedConnection {
  readonly ws: WebSocket;
  readonly shard: Shard;
  role: Role;
  phase: 'connecting' | 'open' | 'closed';
  /** Frames a replacement received before taking over; applied if it takes over early. */
  held: { stream: string; data: unknown }[];
  lifetimeDue: boolean;
  /** Per stream, the event time (or book update id) of the last frame this connection received. */
  readonly lastKey: Map<string, number>;
  heartbeat: Heartbeat | null;
  lifetimeTimer: unknown;
  rolloverTimer: unknown;
  retryAfterMs: number;
}

interface Shard {
  readonly index: number;
  readonly streams: Set<string>;
  /**
   * Streams a server rejected on their own. Kept out of connection URLs (one bad name must not
   * cost a connection) and subscribed after the others, so a new rejection stays in its batch.
   */
  readonly suspect: Set<string>;
  readonly reporter: ConnectionReporter;
  readonly backoff: Backoff;
  current: Conn | null;
  candidate: Conn | null;
  reconnectTimer: unknown;
  rolloverRetryTimer: unknown;
  lastOpenedAt: number | null;
  everOpened: boolean;
  retryAfterMs: number;
}

export function createMarketStreams(options: MarketStreamsOptions): MarketStreams {
  const clock = options.clock ?? systemClock;
  const budget = options.budget ?? createConnectionBudget({ clock });
  const registry = options.connectionState ?? createConnectionState({ clock });
  const idPrefix = options.id ?? 'market-streams';
  const staleAfterMs = options.staleAfterMs ?? 10_000;
  const pingIntervalMs = options.pingIntervalMs ?? 15_000;
  const pongTimeoutMs = options.pongTimeoutMs ?? 10_000;
  const dataSilenceLimitMs = options.dataSilenceLimitMs ?? 10_000;
  const maxLifetimeMs = options.maxLifetimeMs ?? 23 * 60 * 60_000;
  const rolloverTimeoutMs = options.rolloverTimeoutMs ?? 30_000;
  const healthyAfterMs = options.healthyAfterMs ?? 60_000;
  const maxStreams = Math.min(1024, options.maxStreamsPerConnection ?? 1024);
  const controlPerSecond = Math.min(5, options.controlMessagesPerSecond ?? 4);
  const batchSize = options.subscribeBatchSize ?? 200;
  const subscribeRetryBaseMs = options.subscribeRetryBaseMs ?? 1000;
  const maxUrlLength = options.maxUrlLength ?? 6000;
  const handshakeTimeoutMs = options.handshakeTimeoutMs ?? 10_000;
  const base = options.streamUrl.replace(/\/+$/, '');
  const onApply = options.onApply;

  const watchedSet = new Set<string>();
  const shardOf = new Map<string, Shard>();
  const shards: Shard[] = [];
  const book = createMarketData(onApply);
  let connCounter = 0;
  let requestId = 0;
  /** The client's life: running, suspended (asleep; state kept) or disposed (for good). */
  let life: 'running' | 'suspended' | 'disposed' = 'running';
  const pacer = createSubscriptionPacer({
    clock,
    batchSize,
    retryBaseMs: subscribeRetryBaseMs,
    nextId: () => ++requestId,
    onControlFrame: options.onControlFrame,
    onError: (conn, error) => (conn as Conn).shard.reporter.error(error),
    onRejected: (stream) => options.onStreamProblem?.(stream, 'rejected'),
  });
  const flush = (conn: Conn): void => pacer.flush(conn);

  /** Returns true for a data frame (as opposed to a control response or shutdown notice). */
  const onFrame = (conn: Conn, raw: WebSocket.RawData): void => {
    const now = clock.now();
    if (conn.phase === 'closed') return;
    if (conn.role === 'current' && Buffer.isBuffer(raw)) {
      // The all-market mini-ticker frame, on the socket's bytes (market-frames.ts): a small focus
      // parses only its own elements, a large one or none is read without parsing. Null: not
      // such a frame; the whole parse follows.
      const f = book.ingestAllMarket(raw);
      if (f !== null) {
        conn.heartbeat?.data(now);
        if (f.key !== undefined) conn.lastKey.set(f.stream, f.key);
        conn.shard.reporter.messageAt(now);
        if (conn.shard.candidate !== null) maybeSwitch(conn.shard);
        return;
      }
    }
    let msg: unknown;
    try {
      msg = JSON.parse(typeof raw === 'string' ? raw : raw.toString());
    } catch {
      conn.shard.reporter.error(new Error('unparseable stream frame'));
      return;
    }
    if (typeof msg !== 'object' || msg === null) return;
    const frame = msg as Record<string, unknown>;
    const stream = frame.stream;
    if (typeof stream === 'string') {
      const data = frame.data;
      if (
        stream === '!serverShutdown' ||
        (typeof data === 'object' && data !== null && (data as Record<string, unknown>).e === 'serverShutdown')
      ) {
        conn.heartbeat?.frame(now);
        startRollover(conn.shard, 'serverShutdown');
        return;
      }
      conn.heartbeat?.data(now);
      const key = frameKey(data);
      if (key !== undefined) conn.lastKey.set(stream, key);
      if (conn.role === 'candidate') {
        // Not applied: the current connection still delivers these; switch once it caught up.
        if (conn.held.length >= MAX_HELD) conn.held.shift();
        conn.held.push({ stream, data });
        maybeSwitch(conn.shard);
        return;
      }
      if (conn.role !== 'current') return;
      conn.shard.reporter.messageAt(now);
      book.applyFrame(stream, data);
      if (conn.shard.candidate !== null) maybeSwitch(conn.shard);
      return;
    }
    conn.heartbeat?.frame(now);
    if (frame.e === 'serverShutdown') {
      startRollover(conn.shard, 'serverShutdown');
      return;
    }
    const id = frame.id;
    if (typeof id === 'number') {
      const req = conn.pending.get(id);
      conn.pending.delete(id);
      const err = frame.error as { code?: unknown; msg?: unknown } | undefined;
      if (err !== undefined && err !== null) {
        const detail = `${String(err.msg ?? 'error')} (${String(err.code ?? '?')})`;
        if (req?.method === 'SUBSCRIBE') pacer.rejected(conn, req.params, req.depth, detail);
        else conn.shard.reporter.error(new Error(`${req?.method ?? 'control'} rejected: ${detail}`));
      } else if (req?.method === 'SUBSCRIBE') {
        for (const s of req.params) conn.shard.suspect.delete(s);
      }
      if (conn.role === 'candidate' && req !== undefined) maybeSwitch(conn.shard);
    }
  };

  // ---------------------------------------------------------------- shards

  const shardStatusAfterLoss = (shard: Shard): void => {
    if (life !== 'running') shard.reporter.setStatus('offline');
    else if (shard.streams.size === 0) shard.reporter.setStatus('offline');
    else shard.reporter.setStatus(shard.everOpened ? 'reconnecting' : 'connecting');
  };

  const newShard = (): Shard => {
    const index = shards.length;
    const shard: Shard = {
      index,
      streams: new Set(),
      suspect: new Set(),
      reporter: registry.register(`${idPrefix}#${index}`, 'offline'),
      backoff: createBackoff({
        random: options.backoff?.random,
        baseMs: options.backoff?.baseMs,
        capMs: options.backoff?.capMs,
        minMs: options.backoff?.minMs,
      }),
      current: null,
      candidate: null,
      reconnectTimer: null,
      rolloverRetryTimer: null,
      lastOpenedAt: null,
      everOpened: false,
      retryAfterMs: 0,
    };
    shards.push(shard);
    return shard;
  };

  /** The connection URL with as many streams as fit; the rest follows by SUBSCRIBE. */
  const urlFor = (shard: Shard): { url: string; streams: string[] } => {
    const streams: string[] = [];
    const parts: string[] = [];
    let length = base.length + '/stream?streams='.length;
    for (const s of shard.streams) {
      if (shard.suspect.has(s)) continue;
      const part = urlName(s);
      if (length + part.length + 1 > maxUrlLength) break;
      streams.push(s);
      parts.push(part);
      length += part.length + 1;
    }
    return { url: `${base}/stream?streams=${parts.join('/')}`, streams };
  };

  const clearConnTimers = (conn: Conn): void => {
    if (conn.flushTimer !== null) clock.clearTimeout(conn.flushTimer);
    if (conn.lifetimeTimer !== null) clock.clearTimeout(conn.lifetimeTimer);
    if (conn.rolloverTimer !== null) clock.clearTimeout(conn.rolloverTimer);
    conn.flushTimer = conn.lifetimeTimer = conn.rolloverTimer = null;
    conn.heartbeat?.stop();
    conn.heartbeat = null;
  };

  /** Tear a connection down for good (idempotent); does not decide what happens next. */
  const kill = (conn: Conn): void => {
    if (conn.phase === 'closed') return;
    conn.phase = 'closed';
    clearConnTimers(conn);
    conn.pending.clear();
    conn.retry.length = 0;
    conn.retrying.clear();
    conn.ws.removeAllListeners();
    // terminate() may still emit 'error' (e.g. during the handshake); nobody must see it.
    conn.ws.on('error', noop);
    conn.ws.terminate();
  };

  const openConn = (shard: Shard, role: 'current' | 'candidate'): Conn | null => {
    const wait = budget.delayMs();
    if (wait > 0) {
      // Over the shared budget: come back when a slot frees up.
      if (role === 'current') scheduleReconnect(shard, wait);
      else scheduleRolloverRetry(shard, wait);
      return null;
    }
    budget.record();
    const { url, streams: inUrl } = urlFor(shard);
    const ws = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: handshakeTimeoutMs });
    const conn: Conn = {
      n: ++connCounter,
      ws,
      shard,
      role,
      phase: 'connecting',
      held: [],
      lifetimeDue: false,
      wanted: shard.streams,
      suspect: shard.suspect,
      send: (text) => ws.send(text),
      subscribed: new Set(inUrl),
      pending: new Map(),
      retry: [],
      retrying: new Set(),
      rejected: new Set(),
      lastKey: new Map(),
      throttle: createControlThrottle(clock, controlPerSecond),
      heartbeat: null,
      flushTimer: null,
      flushWaitsForRetry: false,
      lifetimeTimer: null,
      rolloverTimer: null,
      retryAfterMs: 0,
    };

    ws.on('unexpected-response', (_req, res) => {
      // Upgrade refused (503, 429, 418): honour Retry-After before the next attempt.
      const retryAfter = Number(res.headers['retry-after']);
      if (Number.isFinite(retryAfter) && retryAfter > 0) conn.retryAfterMs = retryAfter * 1000;
      res.resume();
      lost(conn, new Error(`stream upgrade refused: HTTP ${res.statusCode ?? '?'}`));
    });
    ws.on('open', () => onOpen(conn));
    ws.on('message', (data) => onFrame(conn, data));
    ws.on('ping', () => {
      conn.throttle.note();
      conn.heartbeat?.frame(clock.now());
    });
    ws.on('pong', () => conn.heartbeat?.frame(clock.now()));
    ws.on('error', (err) => lost(conn, err));
    ws.on('close', (code, reason) => lost(conn, new Error(`stream closed (${code}${reason.length > 0 ? `: ${reason.toString()}` : ''})`)));
    if (role === 'candidate') {
      conn.rolloverTimer = clock.setTimeout(() => {
        conn.rolloverTimer = null;
        if (conn.role !== 'candidate') return;
        // Quiet streams never show an overlap: an open, subscribed replacement is good enough.
        if (conn.phase === 'open') promote(conn);
        else lost(conn, new Error('replacement connection did not open'));
      }, rolloverTimeoutMs);
    }
    return conn;
  };

  const onOpen = (conn: Conn): void => {
    if (conn.phase === 'closed') return;
    const shard = conn.shard;
    conn.phase = 'open';
    const now = clock.now();
    conn.heartbeat = startHeartbeat({
      clock,
      pingIntervalMs,
      pongTimeoutMs,
      staleAfterMs,
      dataDriven: () => hasAlwaysOn(conn.subscribed),
      dataSilenceLimitMs: () => dataSilenceLimitMs,
      ping: () => {
        if (!conn.throttle.tryTake()) return false;
        options.onControlFrame?.('ping', conn.n);
        conn.ws.ping();
        return true;
      },
      onStale: () => {
        if (conn.role === 'current') shard.reporter.setStatus('stale');
      },
      onFresh: () => {
        if (conn.role === 'current') shard.reporter.setStatus('live');
      },
      onDead: (reason) => lost(conn, new Error(`stream connection dead: ${reason}`)),
    });
    conn.lifetimeTimer = clock.setTimeout(() => {
      conn.lifetimeTimer = null;
      // A replacement that has not taken over yet rolls over as soon as it does.
      if (conn.role === 'candidate') conn.lifetimeDue = true;
      else startRollover(shard, 'lifetime');
    }, maxLifetimeMs);
    if (conn.role === 'current') {
      if (shard.everOpened) shard.reporter.reconnected();
      shard.everOpened = true;
      shard.lastOpenedAt = now;
      shard.reporter.setStatus('live');
    }
    flush(conn);
  };

  /**
   * Switch when the replacement carries every stream and has caught up: the server acknowledged
   * all its SUBSCRIBEs (streams beyond the URL follow by SUBSCRIBE, a few per second), and every
   * stream it delivered has, on the current connection, reached at least the same event.
   * Everything before came from the old connection, everything after comes from the new one:
   * no gap, no repeat.
   */
  const maybeSwitch = (shard: Shard): void => {
    const cand = shard.candidate;
    const cur = shard.current;
    if (cand === null || cur === null || cand.lastKey.size === 0) return;
    if (cand.phase !== 'open' || cand.pending.size > 0 || cand.retry.length > 0) return;
    for (const s of shard.streams) if (!cand.subscribed.has(s) && !cand.rejected.has(s)) return;
    for (const [stream, key] of cand.lastKey) {
      const seen = cur.lastKey.get(stream);
      if (seen === undefined || key > seen) return;
    }
    promote(cand);
  };

  /** The replacement becomes current, the old connection (if any) goes. */
  const promote = (conn: Conn): void => {
    const shard = conn.shard;
    if (shard.candidate !== conn) return;
    const old = shard.current;
    shard.candidate = null;
    conn.role = 'current';
    if (conn.rolloverTimer !== null) clock.clearTimeout(conn.rolloverTimer);
    conn.rolloverTimer = null;
    shard.current = conn;
    if (old !== null) {
      old.role = 'retiring';
      kill(old);
    }
    // What it held back and the old connection did not deliver (event-time checks drop the rest).
    const held = conn.held;
    conn.held = [];
    for (const h of held) book.applyFrame(h.stream, h.data);
    if (conn.phase === 'open') {
      shard.lastOpenedAt = clock.now();
      shard.everOpened = true;
      shard.reporter.setStatus('live');
    } else shard.reporter.setStatus('reconnecting');
    if (conn.lifetimeDue) {
      conn.lifetimeDue = false;
      startRollover(shard, 'lifetime');
    }
  };

  const lost = (conn: Conn, err: unknown): void => {
    if (conn.phase === 'closed') return;
    const shard = conn.shard;
    const role = conn.role;
    const retryAfterMs = conn.retryAfterMs;
    kill(conn);
    if (life !== 'running') return;
    if (role === 'retiring') return;
    shard.reporter.error(err);
    if (retryAfterMs > 0) shard.retryAfterMs = Math.max(shard.retryAfterMs, retryAfterMs);
    if (role === 'candidate') {
      shard.candidate = null;
      if (shard.current === null) scheduleReconnect(shard);
      else scheduleRolloverRetry(shard);
      return;
    }
    shard.current = null;
    if (shard.candidate !== null) {
      // The old one went first (serverShutdown): the replacement is what we have.
      promote(shard.candidate);
      return;
    }
    if (shard.lastOpenedAt !== null && clock.now() - shard.lastOpenedAt >= healthyAfterMs) shard.backoff.reset();
    shardStatusAfterLoss(shard);
    scheduleReconnect(shard);
  };

  const scheduleReconnect = (shard: Shard, minDelayMs = 0): void => {
    if (life !== 'running' || shard.streams.size === 0 || shard.current !== null) return;
    if (shard.reconnectTimer !== null) return;
    const delay = Math.max(minDelayMs, shard.backoff.next(), shard.retryAfterMs);
    shard.retryAfterMs = 0;
    shard.reconnectTimer = clock.setTimeout(() => {
      shard.reconnectTimer = null;
      connectNow(shard);
    }, delay);
  };

  const connectNow = (shard: Shard): void => {
    if (life !== 'running' || shard.streams.size === 0 || shard.current !== null) return;
    if (shard.reconnectTimer !== null) {
      clock.clearTimeout(shard.reconnectTimer);
      shard.reconnectTimer = null;
    }
    shardStatusAfterLoss(shard);
    const conn = openConn(shard, 'current');
    if (conn !== null) shard.current = conn;
  };

  const scheduleRolloverRetry = (shard: Shard, minDelayMs = 0): void => {
    if (life !== 'running' || shard.rolloverRetryTimer !== null) return;
    const delay = Math.max(minDelayMs, shard.backoff.next(), shard.retryAfterMs);
    shard.retryAfterMs = 0;
    shard.rolloverRetryTimer = clock.setTimeout(() => {
      shard.rolloverRetryTimer = null;
      startRollover(shard, 'retry');
    }, delay);
  };

  const startRollover = (shard: Shard, _reason: string): void => {
    if (life !== 'running' || shard.candidate !== null) return;
    if (shard.current === null || shard.current.phase !== 'open') return;
    if (shard.streams.size === 0) return;
    const conn = openConn(shard, 'candidate');
    if (conn !== null) shard.candidate = conn;
  };

  const closeShard = (shard: Shard): void => {
    if (shard.reconnectTimer !== null) clock.clearTimeout(shard.reconnectTimer);
    if (shard.rolloverRetryTimer !== null) clock.clearTimeout(shard.rolloverRetryTimer);
    shard.reconnectTimer = shard.rolloverRetryTimer = null;
    if (shard.candidate !== null) kill(shard.candidate);
    if (shard.current !== null) kill(shard.current);
    shard.candidate = shard.current = null;
  };

  const syncShard = (shard: Shard): void => {
    if (shard.streams.size === 0) {
      closeShard(shard);
      shard.reporter.setStatus('offline');
      return;
    }
    if (life !== 'running') return;
    if (shard.current === null) {
      if (shard.reconnectTimer === null) connectNow(shard);
      return;
    }
    flush(shard.current);
    if (shard.candidate !== null) flush(shard.candidate);
  };

  const assertUsable = (): void => {
    if (life === 'disposed') throw new Error('market streams disposed');
  };

  return {
    watch(streams) {
      assertUsable();
      // Sorted out first: nothing below throws, so the state never changes half-way.
      const valid: string[] = [];
      const invalid: unknown[] = [];
      for (const stream of streams as Iterable<unknown>) {
        if (typeof stream === 'string' && STREAM_NAME.test(stream)) valid.push(stream);
        else invalid.push(stream);
      }
      const touched = new Set<Shard>();
      for (const stream of valid) {
        if (watchedSet.has(stream)) continue;
        let shard = shards.find((s) => s.streams.size < maxStreams);
        if (shard === undefined) shard = newShard();
        shard.streams.add(stream);
        // Watched anew: whatever a server said about it before gets a fresh chance.
        shard.suspect.delete(stream);
        shard.current?.rejected.delete(stream);
        shard.candidate?.rejected.delete(stream);
        shardOf.set(stream, shard);
        watchedSet.add(stream);
        touched.add(shard);
      }
      for (const stream of invalid) {
        const name = typeof stream === 'string' ? stream : String(stream);
        shards[0]?.reporter.error(new Error(`invalid stream name skipped: ${JSON.stringify(name)}`));
        options.onStreamProblem?.(name, 'invalid-name');
      }
      for (const shard of touched) syncShard(shard);
    },
    unwatch(streams) {
      assertUsable();
      const touched = new Set<Shard>();
      for (const stream of streams) {
        const shard = shardOf.get(stream);
        if (shard === undefined) continue;
        shard.streams.delete(stream);
        shardOf.delete(stream);
        watchedSet.delete(stream);
        touched.add(shard);
      }
      for (const shard of touched) syncShard(shard);
    },
    watched: () => watchedSet,
    tickers: book.tickers,
    bookTickers: book.bookTickers,
    klines: book.klines,
    drainChanged: book.drainChanged,
    takeChangedTickers: book.takeChangedTickers,
    drainChangedBookTickers: book.drainChangedBookTickers,
    drainChangedKlines: book.drainChangedKlines,
    version: book.version,
    focus: (symbols) => book.setFocus(symbols),
    connections: () => shards.map((s) => s.reporter.info()),
    suspend() {
      if (life === 'disposed') return;
      life = 'suspended';
      for (const shard of shards) {
        closeShard(shard);
        shard.reporter.setStatus('offline');
      }
    },
    resume() {
      if (life === 'disposed') return;
      life = 'running';
      for (const shard of shards) {
        shard.backoff.reset();
        if (shard.streams.size > 0 && shard.current === null) connectNow(shard);
      }
    },
    networkChanged() {
      if (life !== 'running') return;
      for (const shard of shards) {
        closeShard(shard);
        shard.backoff.reset();
        if (shard.streams.size > 0) connectNow(shard);
      }
    },
    dispose() {
      if (life === 'disposed') return;
      life = 'suspended';
      for (const shard of shards) {
        closeShard(shard);
        shard.reporter.release();
      }
      life = 'disposed';
      shards.length = 0;
      shardOf.clear();
      watchedSet.clear();
      book.clearChanged();
    },
  };
}

function noop(): void {
  // swallow
}

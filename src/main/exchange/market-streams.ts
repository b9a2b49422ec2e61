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
 * Hot path: each frame is parsed once and written into per-symbol records in place. The caller
 * reads the coalesced latest values (`drainChanged()`, `version()`) at its own pace.
 */
import WebSocket from 'ws';
import type { Backoff, BackoffOptions, Clock, ConnectionBudget } from './backoff';
import { createBackoff, createConnectionBudget, systemClock } from './backoff';
import type { ConnectionInfo, ConnectionReporter, ConnectionStateRegistry } from './connection-state';
import { createConnectionState } from './connection-state';
import type { ControlThrottle, Heartbeat } from './socket-health';
import { createControlThrottle, startHeartbeat } from './socket-health';

export interface MiniTicker {
  readonly symbol: string;
  last: string;
  open: string;
  high: string;
  low: string;
  volume: string;
  quoteVolume: string;
  /** Exchange event time, ms. */
  eventTime: number;
}

export interface BookTop {
  readonly symbol: string;
  bidPrice: string;
  bidQty: string;
  askPrice: string;
  askQty: string;
  /** Order book update id; only ever increases. */
  updateId: number;
}

export interface KlineBar {
  readonly symbol: string;
  readonly interval: string;
  openTime: number;
  closeTime: number;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: string;
  quoteVolume: string;
  closed: boolean;
  eventTime: number;
}

export type MarketUpdate =
  | { readonly kind: 'miniTicker'; readonly value: Readonly<MiniTicker> }
  | { readonly kind: 'bookTicker'; readonly value: Readonly<BookTop> }
  | { readonly kind: 'kline'; readonly value: Readonly<KlineBar> };

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
  drainChangedBookTickers(): IterableIterator<[string, Readonly<BookTop>]>;
  drainChangedKlines(): IterableIterator<[string, Readonly<KlineBar>]>;
  /** Increases whenever any value changed. */
  version(): number;
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
const SUBSCRIBE_RETRY_CAP_MS = 30_000;

type Role = 'current' | 'candidate' | 'retiring';

interface Conn {
  readonly n: number;
  readonly ws: WebSocket;
  readonly shard: Shard;
  role: Role;
  open: boolean;
  /** Frames a replacement received before taking over; applied if it takes over early. */
  held: { stream: string; data: unknown }[];
  lifetimeDue: boolean;
  closed: boolean;
  /** Streams the server has (or will have, per the messages already sent). */
  readonly subscribed: Set<string>;
  readonly pending: Map<number, { method: 'SUBSCRIBE' | 'UNSUBSCRIBE'; params: string[]; depth: number }>;
  /** Halves of rejected SUBSCRIBEs waiting for their retry (bisection isolates the bad names). */
  readonly retry: { params: string[]; dueAt: number; depth: number }[];
  /** Streams queued in `retry`; the normal SUBSCRIBE batches leave them alone. */
  readonly retrying: Set<string>;
  /** Streams the server rejected on their own on this connection; not asked for again here. */
  readonly rejected: Set<string>;
  /** Per stream, the event time (or book update id) of the last frame this connection received. */
  readonly lastKey: Map<string, number>;
  readonly throttle: ControlThrottle;
  heartbeat: Heartbeat | null;
  flushTimer: unknown;
  /** The flush timer only waits for a retry to fall due (not for the throttle): new work may go now. */
  flushWaitsForRetry: boolean;
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

/** The latest market values and what changed since the last drain; the hot path lives here. */
export interface MarketData {
  /** Apply one combined-stream payload (`data` of {"stream","data"}); true if anything changed. */
  applyFrame(stream: string, data: unknown): boolean;
  /** Parse a combined-stream frame once and apply it (benchmarks, replay); true if anything changed. */
  ingest(text: string): boolean;
  tickers(): ReadonlyMap<string, Readonly<MiniTicker>>;
  bookTickers(): ReadonlyMap<string, Readonly<BookTop>>;
  klines(): ReadonlyMap<string, Readonly<KlineBar>>;
  drainChanged(): IterableIterator<[string, Readonly<MiniTicker>]>;
  drainChangedBookTickers(): IterableIterator<[string, Readonly<BookTop>]>;
  drainChangedKlines(): IterableIterator<[string, Readonly<KlineBar>]>;
  version(): number;
  clearChanged(): void;
}

/**
 * One symbol's record plus the drain epoch it was last listed in. Kept apart from the record so
 * the records callers read keep exactly their documented fields.
 */
interface Slot<T> {
  readonly key: string;
  readonly value: T;
  mark: number;
}

/**
 * "Changed since the last drain" without allocating per frame: a slot is listed once per epoch
 * (its mark), into an array that is reused from drain to drain (written by index, never
 * shrunk). A drain starts a new epoch, so every slot can be listed again.
 */
interface ChangeList<T> {
  readonly slots: Map<string, Slot<T>>;
  readonly map: Map<string, T>;
  list: Slot<T>[];
  count: number;
  epoch: number;
  /** The array the last finished drain walked; null while a drain is still walking it. */
  spare: Slot<T>[] | null;
}

function createChangeList<T>(): ChangeList<T> {
  return { slots: new Map(), map: new Map(), list: [], count: 0, epoch: 1, spare: [] };
}

function addSlot<T>(c: ChangeList<T>, key: string, value: T): Slot<T> {
  const slot: Slot<T> = { key, value, mark: 0 };
  c.slots.set(key, slot);
  c.map.set(key, value);
  return slot;
}

function markChanged<T>(c: ChangeList<T>, slot: Slot<T>): void {
  if (slot.mark === c.epoch) return;
  slot.mark = c.epoch;
  c.list[c.count++] = slot;
}

function clearChangeList<T>(c: ChangeList<T>): void {
  c.count = 0;
  c.epoch++;
}

function* drainChangeList<T>(c: ChangeList<T>): IterableIterator<[string, T]> {
  // Taken at the first next(), like the set this replaces: changes from here on go to the next drain.
  const batch = c.list;
  const count = c.count;
  // A drain abandoned without return() never hands its array back: start a fresh one then.
  c.list = c.spare ?? [];
  c.spare = null;
  c.count = 0;
  c.epoch++;
  try {
    for (let i = 0; i < count; i++) {
      const slot = batch[i]!;
      yield [slot.key, slot.value];
    }
  } finally {
    c.spare = batch;
  }
}

export function createMarketData(onApply?: (update: MarketUpdate) => void): MarketData {
  const tickers = createChangeList<MiniTicker>();
  const books = createChangeList<BookTop>();
  const klines = createChangeList<KlineBar>();
  let versionCounter = 0;

  const applyMini = (el: Record<string, unknown>): boolean => {
    const s = el.s, E = el.E, c = el.c, o = el.o, h = el.h, l = el.l, v = el.v, q = el.q;
    if (typeof s !== 'string' || typeof E !== 'number' || typeof c !== 'string' || typeof o !== 'string'
      || typeof h !== 'string' || typeof l !== 'string' || typeof v !== 'string' || typeof q !== 'string') return false;
    let slot = tickers.slots.get(s);
    if (slot === undefined) {
      slot = addSlot(tickers, s, { symbol: s, last: c, open: o, high: h, low: l, volume: v, quoteVolume: q, eventTime: E });
    } else {
      const t = slot.value;
      // Older or the same event (reordering, rollover overlap): never move backwards or repeat.
      if (E <= t.eventTime) return false;
      t.last = c; t.open = o; t.high = h; t.low = l; t.volume = v; t.quoteVolume = q; t.eventTime = E;
    }
    markChanged(tickers, slot);
    if (onApply !== undefined) onApply({ kind: 'miniTicker', value: slot.value });
    return true;
  };

  const applyBook = (d: Record<string, unknown>): boolean => {
    const s = d.s, u = d.u, b = d.b, B = d.B, a = d.a, A = d.A;
    if (typeof s !== 'string' || typeof u !== 'number' || typeof b !== 'string' || typeof B !== 'string'
      || typeof a !== 'string' || typeof A !== 'string') return false;
    let slot = books.slots.get(s);
    if (slot === undefined) {
      slot = addSlot(books, s, { symbol: s, bidPrice: b, bidQty: B, askPrice: a, askQty: A, updateId: u });
    } else {
      const t = slot.value;
      if (u <= t.updateId) return false;
      t.bidPrice = b; t.bidQty = B; t.askPrice = a; t.askQty = A; t.updateId = u;
    }
    markChanged(books, slot);
    if (onApply !== undefined) onApply({ kind: 'bookTicker', value: slot.value });
    return true;
  };

  const applyKline = (d: Record<string, unknown>): boolean => {
    const E = d.E, k = d.k as Record<string, unknown> | null | undefined;
    if (typeof E !== 'number' || typeof k !== 'object' || k === null) return false;
    const s = k.s, i = k.i, t0 = k.t, t1 = k.T, o = k.o, c = k.c, h = k.h, l = k.l, v = k.v, q = k.q, x = k.x;
    if (typeof s !== 'string' || typeof i !== 'string' || typeof t0 !== 'number' || typeof t1 !== 'number'
      || typeof o !== 'string' || typeof c !== 'string' || typeof h !== 'string' || typeof l !== 'string'
      || typeof v !== 'string' || typeof q !== 'string' || typeof x !== 'boolean') return false;
    const key = `${s}@${i}`;
    let slot = klines.slots.get(key);
    if (slot === undefined) {
      slot = addSlot(klines, key, { symbol: s, interval: i, openTime: t0, closeTime: t1, open: o, high: h, low: l, close: c, volume: v, quoteVolume: q, closed: x, eventTime: E });
    } else {
      const bar = slot.value;
      if (t0 < bar.openTime || (t0 === bar.openTime && E <= bar.eventTime)) return false;
      bar.openTime = t0; bar.closeTime = t1; bar.open = o; bar.high = h; bar.low = l; bar.close = c;
      bar.volume = v; bar.quoteVolume = q; bar.closed = x; bar.eventTime = E;
    }
    markChanged(klines, slot);
    if (onApply !== undefined) onApply({ kind: 'kline', value: slot.value });
    return true;
  };

  const applyData = (stream: string, data: unknown): boolean => {
    let changed = false;
    if (Array.isArray(data)) {
      // !miniTicker@arr (and any other array of miniTickers)
      for (let idx = 0; idx < data.length; idx++) {
        const el = data[idx] as Record<string, unknown> | null;
        if (el !== null && typeof el === 'object' && el.e === '24hrMiniTicker' && applyMini(el)) changed = true;
      }
    } else if (typeof data === 'object' && data !== null) {
      const d = data as Record<string, unknown>;
      const e = d.e;
      if (e === '24hrMiniTicker') changed = applyMini(d);
      else if (e === 'kline') changed = applyKline(d);
      else if (e === undefined && stream.endsWith('@bookTicker')) changed = applyBook(d);
    }
    return changed;
  };

  return {
    applyFrame(stream, data) {
      const changed = applyData(stream, data);
      if (changed) versionCounter++;
      return changed;
    },
    ingest(text) {
      const frame = JSON.parse(text) as { stream?: unknown; data?: unknown } | null;
      if (frame === null || typeof frame !== 'object' || typeof frame.stream !== 'string') return false;
      const changed = applyData(frame.stream, frame.data);
      if (changed) versionCounter++;
      return changed;
    },
    tickers: () => tickers.map,
    bookTickers: () => books.map,
    klines: () => klines.map,
    drainChanged: () => drainChangeList(tickers),
    drainChangedBookTickers: () => drainChangeList(books),
    drainChangedKlines: () => drainChangeList(klines),
    version: () => versionCounter,
    clearChanged() {
      clearChangeList(tickers);
      clearChangeList(books);
      clearChangeList(klines);
    },
  };
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
  let suspended = false;
  let disposed = false;

  /** Returns true for a data frame (as opposed to a control response or shutdown notice). */
  const onFrame = (conn: Conn, raw: WebSocket.RawData): void => {
    const now = clock.now();
    if (conn.closed) return;
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
      if (stream === '!serverShutdown' || (typeof data === 'object' && data !== null && (data as Record<string, unknown>).e === 'serverShutdown')) {
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
        if (req?.method === 'SUBSCRIBE') subscribeRejected(conn, req.params, req.depth, detail);
        else conn.shard.reporter.error(new Error(`${req?.method ?? 'control'} rejected: ${detail}`));
      } else if (req?.method === 'SUBSCRIBE') {
        for (const s of req.params) conn.shard.suspect.delete(s);
      }
      if (conn.role === 'candidate' && req !== undefined) maybeSwitch(conn.shard);
    }
  };

  /**
   * One rejected name must not cost its whole batch: retry the batch in halves, after a delay
   * that doubles per split, until the names the server refuses stand alone.
   */
  const subscribeRejected = (conn: Conn, params: readonly string[], depth: number, detail: string): void => {
    const shard = conn.shard;
    for (const s of params) conn.subscribed.delete(s);
    if (params.length === 1) {
      const stream = params[0] as string;
      conn.rejected.add(stream);
      shard.suspect.add(stream);
      shard.reporter.error(new Error(`SUBSCRIBE rejected for ${JSON.stringify(stream)}: ${detail}`));
      options.onStreamProblem?.(stream, 'rejected');
    } else {
      shard.reporter.error(new Error(`SUBSCRIBE of ${params.length} streams rejected: ${detail}; retrying in halves`));
      const dueAt = clock.now() + Math.min(SUBSCRIBE_RETRY_CAP_MS, subscribeRetryBaseMs * 2 ** depth);
      const half = Math.ceil(params.length / 2);
      for (const part of [params.slice(0, half), params.slice(half)]) {
        conn.retry.push({ params: part, dueAt, depth: depth + 1 });
        for (const s of part) conn.retrying.add(s);
      }
    }
    flush(conn);
  };

  // ---------------------------------------------------------------- shards

  const shardStatusAfterLoss = (shard: Shard): void => {
    if (suspended || disposed) shard.reporter.setStatus('offline');
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
      backoff: createBackoff({ random: options.backoff?.random, baseMs: options.backoff?.baseMs, capMs: options.backoff?.capMs, minMs: options.backoff?.minMs }),
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
    if (conn.closed) return;
    conn.closed = true;
    conn.open = false;
    clearConnTimers(conn);
    conn.pending.clear();
    conn.retry.length = 0;
    conn.retrying.clear();
    conn.ws.removeAllListeners();
    // terminate() may still emit 'error' (e.g. during the handshake); nobody must see it.
    conn.ws.on('error', noop);
    conn.ws.terminate();
  };

  const flush = (conn: Conn): void => {
    if (conn.closed || !conn.open) return;
    if (conn.flushTimer !== null) {
      if (!conn.flushWaitsForRetry) return;
      clock.clearTimeout(conn.flushTimer);
      conn.flushTimer = null;
    }
    const shard = conn.shard;
    const later = (ms: number, forRetry: boolean): void => {
      conn.flushWaitsForRetry = forRetry;
      conn.flushTimer = clock.setTimeout(() => {
        conn.flushTimer = null;
        flush(conn);
      }, ms);
    };
    for (;;) {
      const removes: string[] = [];
      for (const s of conn.subscribed) if (!shard.streams.has(s)) { removes.push(s); if (removes.length >= batchSize) break; }
      let adds: string[] = [];
      let depth = 0;
      let retryIndex = -1;
      let nextRetryAt = Infinity;
      if (removes.length === 0) {
        const now = clock.now();
        for (let i = 0; i < conn.retry.length; i++) {
          const r = conn.retry[i]!;
          if (r.dueAt <= now) { retryIndex = i; break; }
          nextRetryAt = Math.min(nextRetryAt, r.dueAt);
        }
        if (retryIndex >= 0) {
          const r = conn.retry[retryIndex]!;
          adds = r.params.filter((s) => shard.streams.has(s) && !conn.subscribed.has(s));
          depth = r.depth;
        } else {
          const fresh = (s: string): boolean => !conn.subscribed.has(s) && !conn.retrying.has(s) && !conn.rejected.has(s);
          for (const s of shard.streams) if (fresh(s) && !shard.suspect.has(s)) { adds.push(s); if (adds.length >= batchSize) break; }
          // Names rejected before go last, together, so they cannot take good ones down with them.
          if (adds.length === 0) for (const s of shard.suspect) if (shard.streams.has(s) && fresh(s)) { adds.push(s); if (adds.length >= batchSize) break; }
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
      const method = removes.length > 0 ? 'UNSUBSCRIBE' : 'SUBSCRIBE';
      const params = removes.length > 0 ? removes : adds;
      const id = ++requestId;
      conn.pending.set(id, { method, params, depth });
      if (method === 'SUBSCRIBE') for (const s of params) conn.subscribed.add(s);
      else for (const s of params) conn.subscribed.delete(s);
      options.onControlFrame?.(method === 'SUBSCRIBE' ? 'subscribe' : 'unsubscribe', conn.n);
      conn.ws.send(JSON.stringify({ method, params, id }));
    }
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
      n: ++connCounter, ws, shard, role, open: false, held: [], lifetimeDue: false, closed: false,
      subscribed: new Set(inUrl), pending: new Map(), retry: [], retrying: new Set(), rejected: new Set(), lastKey: new Map(),
      throttle: createControlThrottle(clock, controlPerSecond),
      heartbeat: null, flushTimer: null, flushWaitsForRetry: false, lifetimeTimer: null, rolloverTimer: null, retryAfterMs: 0,
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
        if (conn.open) promote(conn);
        else lost(conn, new Error('replacement connection did not open'));
      }, rolloverTimeoutMs);
    }
    return conn;
  };

  const onOpen = (conn: Conn): void => {
    if (conn.closed) return;
    const shard = conn.shard;
    conn.open = true;
    const now = clock.now();
    conn.heartbeat = startHeartbeat({
      clock, pingIntervalMs, pongTimeoutMs, staleAfterMs,
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
    if (!cand.open || cand.pending.size > 0 || cand.retry.length > 0) return;
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
    if (conn.open) {
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
    if (conn.closed) return;
    const shard = conn.shard;
    const role = conn.role;
    const retryAfterMs = conn.retryAfterMs;
    kill(conn);
    if (suspended || disposed) return;
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
    if (suspended || disposed || shard.streams.size === 0 || shard.current !== null) return;
    if (shard.reconnectTimer !== null) return;
    const delay = Math.max(minDelayMs, shard.backoff.next(), shard.retryAfterMs);
    shard.retryAfterMs = 0;
    shard.reconnectTimer = clock.setTimeout(() => {
      shard.reconnectTimer = null;
      connectNow(shard);
    }, delay);
  };

  const connectNow = (shard: Shard): void => {
    if (suspended || disposed || shard.streams.size === 0 || shard.current !== null) return;
    if (shard.reconnectTimer !== null) {
      clock.clearTimeout(shard.reconnectTimer);
      shard.reconnectTimer = null;
    }
    shardStatusAfterLoss(shard);
    const conn = openConn(shard, 'current');
    if (conn !== null) shard.current = conn;
  };

  const scheduleRolloverRetry = (shard: Shard, minDelayMs = 0): void => {
    if (suspended || disposed || shard.rolloverRetryTimer !== null) return;
    const delay = Math.max(minDelayMs, shard.backoff.next(), shard.retryAfterMs);
    shard.retryAfterMs = 0;
    shard.rolloverRetryTimer = clock.setTimeout(() => {
      shard.rolloverRetryTimer = null;
      startRollover(shard, 'retry');
    }, delay);
  };

  const startRollover = (shard: Shard, _reason: string): void => {
    if (suspended || disposed || shard.candidate !== null) return;
    if (shard.current === null || !shard.current.open) return;
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
    if (suspended || disposed) return;
    if (shard.current === null) {
      if (shard.reconnectTimer === null) connectNow(shard);
      return;
    }
    flush(shard.current);
    if (shard.candidate !== null) flush(shard.candidate);
  };

  const assertUsable = (): void => {
    if (disposed) throw new Error('market streams disposed');
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
    drainChangedBookTickers: book.drainChangedBookTickers,
    drainChangedKlines: book.drainChangedKlines,
    version: book.version,
    connections: () => shards.map((s) => s.reporter.info()),
    suspend() {
      if (disposed) return;
      suspended = true;
      for (const shard of shards) {
        closeShard(shard);
        shard.reporter.setStatus('offline');
      }
    },
    resume() {
      if (disposed) return;
      suspended = false;
      for (const shard of shards) {
        shard.backoff.reset();
        if (shard.streams.size > 0 && shard.current === null) connectNow(shard);
      }
    },
    networkChanged() {
      if (disposed || suspended) return;
      for (const shard of shards) {
        closeShard(shard);
        shard.backoff.reset();
        if (shard.streams.size > 0) connectNow(shard);
      }
    },
    dispose() {
      if (disposed) return;
      suspended = true;
      for (const shard of shards) {
        closeShard(shard);
        shard.reporter.release();
      }
      disposed = true;
      shards.length = 0;
      shardOf.clear();
      watchedSet.clear();
      book.clearChanged();
    },
  };
}

/** Event time of a combined-stream payload (first element of an array), or a book update id. */
function frameKey(data: unknown): number | undefined {
  const d = (Array.isArray(data) ? data[0] : data) as Record<string, unknown> | null | undefined;
  if (typeof d !== 'object' || d === null) return undefined;
  const E = d.E;
  if (typeof E === 'number') return E;
  const u = d.u;
  return typeof u === 'number' ? u : undefined;
}

function noop(): void {
  // swallow
}

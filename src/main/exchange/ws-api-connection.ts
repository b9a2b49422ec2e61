/**
 * A Binance WebSocket API connection (https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/web-socket-api.md): requests correlated to responses by id,
 * a deadline per request, server pings answered (ws does) plus our own heartbeat (B8),
 * reconnect with backoff under the shared budget (B9), proactive rollover before 24 h and on
 * `serverShutdown` (B10), and a clear fate for requests pending when a socket dies (B18):
 * state-changing ones become 'unknown-outcome' (they may have executed), the rest a retryable
 * 'network' error.
 *
 * Whoever needs per-connection setup (the user data subscription, B11) registers a session
 * initializer: it runs on every new socket before that socket becomes the current one, so a
 * rollover switches over only once the replacement is subscribed.
 *
 * Over 500 lines on purpose: the socket lifecycle (reconnect, rollover, heartbeat) and the pending
 * requests' fate are one state machine; pieces that stand alone (backoff, rate limit, socket
 * health) already live in their own modules.
 */
import WebSocket from 'ws';
import type { BackoffOptions, Clock, ConnectionBudget } from './backoff';
import { createBackoff, createConnectionBudget, systemClock } from './backoff';
import type { ConnectionInfo, ConnectionStateRegistry } from './connection-state';
import { createConnectionState, errorMessage } from './connection-state';
import { ExchangeError, classifyHttpFailure } from './errors';
import { parseJson } from './json';
import type { Heartbeat } from './socket-health';
import { createControlThrottle, startHeartbeat } from './socket-health';

export type WsParams = Readonly<Record<string, string | number | boolean>>;

export interface WsRequestOptions {
  readonly timeoutMs?: number;
  /** Default: true for placing, cancelling and amending methods (not for order.test or queries). */
  readonly changesState?: boolean;
}

export interface WsApiRateLimit {
  readonly rateLimitType: string;
  readonly interval: string;
  readonly intervalNum: number;
  readonly limit: number;
  readonly count: number;
}

/** One socket. Requests sent through it die with it. */
export interface WsApiSession {
  readonly generation: number;
  request<T = unknown>(method: string, params?: WsParams, options?: WsRequestOptions): Promise<T>;
  isOpen(): boolean;
  /**
   * Give this socket up as if it had died (reconnect or rollover retry follows, with backoff).
   * For when its server-side state is no longer known, e.g. a subscribe whose answer was lost:
   * a fresh socket starts from a known state, a guess on this one may be wrong for good.
   */
  discard(why: string): void;
}

export interface WsApiEventMeta {
  readonly generation: number;
  readonly subscriptionId?: number;
}

export type SessionInitializer = (session: WsApiSession, reason: 'connect' | 'rollover') => Promise<void>;

export interface WsApiConnectionOptions {
  /** e.g. wss://ws-api.binance.com:443/ws-api/v3 or the simulator's ws://127.0.0.1:P/ws-api/v3 */
  readonly url: string;
  readonly clock?: Clock;
  readonly budget?: ConnectionBudget;
  readonly backoff?: BackoffOptions;
  readonly healthyAfterMs?: number;
  readonly connectionState?: ConnectionStateRegistry;
  readonly id?: string;
  readonly requestTimeoutMs?: number;
  readonly pingIntervalMs?: number;
  readonly pongTimeoutMs?: number;
  readonly staleAfterMs?: number;
  readonly maxLifetimeMs?: number;
  /**
   * How long a replaced socket may stay to finish its pending requests. Default and floor:
   * requestTimeoutMs + 1 s, and never shorter than the deadline of a request it still carries,
   * so a request that would have been answered in time is not failed by the switch-over.
   */
  readonly drainMs?: number;
  readonly handshakeTimeoutMs?: number;
  readonly onRateLimits?: (limits: readonly WsApiRateLimit[]) => void;
}

export interface WsApiConnection {
  start(): void;
  /** On the current socket; rejects at once ('network', not sent) when there is none. */
  request<T = unknown>(method: string, params?: WsParams, options?: WsRequestOptions): Promise<T>;
  addSessionInitializer(init: SessionInitializer): () => void;
  /** User data events (and any other `event` frame); meta tells which socket and subscription. */
  onEvent(listener: (event: Readonly<Record<string, unknown>>, meta: WsApiEventMeta) => void): () => void;
  /** A socket (by generation) is gone; its subscriptions are gone with it. */
  onSessionClosed(listener: (generation: number) => void): () => void;
  currentGeneration(): number | null;
  info(): ConnectionInfo;
  /** Start a rollover now (tests, and the app on demand). */
  rollover(): void;
  suspend(): void;
  resume(): void;
  networkChanged(): void;
  dispose(): void;
  listenerCount(): number;
}

/** Time for an answer already on its way when a request's deadline passes. */
const DRAIN_MARGIN_MS = 1_000;

// Methods that can change an account: placing, cancelling, amending (https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/web-socket-api.md § Trading requests).
const STATE_CHANGING =
  /^(v3\/)?(order\.(place|cancel|cancelReplace|amend)|orderList\.(place|cancel)|sor\.order\.place|openOrders\.cancelAll)/;

interface Pending {
  readonly method: string;
  readonly changesState: boolean;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  readonly timer: unknown;
  /** When its own timeout fires, clock ms. */
  readonly deadline: number;
}

interface Sock {
  readonly generation: number;
  readonly ws: WebSocket;
  role: 'current' | 'candidate' | 'retiring';
  open: boolean;
  closed: boolean;
  heartbeat: Heartbeat | null;
  lifetimeTimer: unknown;
  drainTimer: unknown;
  lifetimeDue: boolean;
  readonly pending: Map<number, Pending>;
  readonly session: WsApiSession;
}

export function createWsApiConnection(options: WsApiConnectionOptions): WsApiConnection {
  const clock = options.clock ?? systemClock;
  const budget = options.budget ?? createConnectionBudget({ clock });
  const registry = options.connectionState ?? createConnectionState({ clock });
  const reporter = registry.register(options.id ?? 'ws-api', 'offline');
  const backoff = createBackoff(options.backoff);
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  const pingIntervalMs = options.pingIntervalMs ?? 15_000;
  const pongTimeoutMs = options.pongTimeoutMs ?? 10_000;
  const staleAfterMs = options.staleAfterMs ?? 30_000;
  const maxLifetimeMs = options.maxLifetimeMs ?? 23 * 60 * 60_000;
  // A replaced socket closes as soon as its last request is answered; until then it stays at
  // least as long as a request may take, plus a margin for the answer already on its way.
  const drainMs = Math.max(options.drainMs ?? 0, requestTimeoutMs + DRAIN_MARGIN_MS);
  const healthyAfterMs = options.healthyAfterMs ?? 60_000;
  const handshakeTimeoutMs = options.handshakeTimeoutMs ?? 10_000;

  const initializers = new Set<SessionInitializer>();
  const eventListeners = new Set<(event: Readonly<Record<string, unknown>>, meta: WsApiEventMeta) => void>();
  const closedListeners = new Set<(generation: number) => void>();
  let current: Sock | null = null;
  let candidate: Sock | null = null;
  const retiring = new Set<Sock>();
  let generationCounter = 0;
  let requestCounter = 0;
  let started = false;
  let suspended = false;
  let disposed = false;
  let everOpened = false;
  let lastOpenedAt: number | null = null;
  let reconnectTimer: unknown = null;
  let rolloverRetryTimer: unknown = null;
  let retryAfterMs = 0;

  const notSent = (method: string, why: string): ExchangeError =>
    new ExchangeError({
      kind: 'network',
      method,
      path: method,
      mayHaveExecuted: false,
      message: `The request ${method} was not sent: ${why}. It is safe to try again.`,
    });

  const sendRequest = <T>(sock: Sock, method: string, params: WsParams | undefined, opts: WsRequestOptions = {}): Promise<T> => {
    if (!sock.open || sock.closed) return Promise.reject(notSent(method, 'the WebSocket API connection is not open'));
    // A replaced socket only finishes what it carries: a new request would outlive its drain.
    if (sock.role === 'retiring') return Promise.reject(notSent(method, 'the WebSocket API connection is being replaced'));
    const changesState = opts.changesState ?? STATE_CHANGING.test(method);
    const id = ++requestCounter;
    return new Promise<T>((resolve, reject) => {
      const timeoutMs = opts.timeoutMs ?? requestTimeoutMs;
      const timer = clock.setTimeout(() => {
        sock.pending.delete(id);
        reject(
          changesState
            ? new ExchangeError({
                kind: 'unknown-outcome',
                method,
                path: method,
                message: `Binance did not answer ${method} within ${timeoutMs / 1000} s: it may or may not have been carried out. Check before trying again.`,
              })
            : new ExchangeError({
                kind: 'timeout',
                method,
                path: method,
                mayHaveExecuted: false,
                message: `Binance did not answer ${method} within ${timeoutMs / 1000} s; try again.`,
              }),
        );
        maybeFinishRetiring(sock);
      }, timeoutMs);
      sock.pending.set(id, {
        method,
        changesState,
        resolve: resolve as (v: unknown) => void,
        reject,
        timer,
        deadline: clock.now() + timeoutMs,
      });
      const frame = params === undefined ? { id, method } : { id, method, params };
      try {
        sock.ws.send(JSON.stringify(frame));
      } catch (e) {
        clock.clearTimeout(timer);
        sock.pending.delete(id);
        reject(notSent(method, errorMessage(e)));
      }
    });
  };

  const failPending = (sock: Sock, why: string): void => {
    for (const [id, p] of sock.pending) {
      clock.clearTimeout(p.timer);
      sock.pending.delete(id);
      p.reject(
        p.changesState
          ? new ExchangeError({
              kind: 'unknown-outcome',
              method: p.method,
              path: p.method,
              message: `The connection to Binance closed before ${p.method} was answered (${why}): it may or may not have been carried out. Check before trying again.`,
            })
          : new ExchangeError({
              kind: 'network',
              method: p.method,
              path: p.method,
              mayHaveExecuted: false,
              message: `The connection to Binance closed before ${p.method} was answered (${why}); it is safe to try again.`,
            }),
      );
    }
  };

  const onFrame = (sock: Sock, raw: WebSocket.RawData): void => {
    if (sock.closed) return;
    const now = clock.now();
    sock.heartbeat?.data(now);
    if (sock.role !== 'retiring') reporter.messageAt(now);
    let msg: unknown;
    try {
      msg = parseJson(raw.toString());
    } catch {
      reporter.error(new Error('unparseable WebSocket API frame'));
      return;
    }
    if (typeof msg !== 'object' || msg === null) return;
    const frame = msg as Record<string, unknown>;
    const event = frame.event;
    if (typeof event === 'object' && event !== null && !('id' in frame && frame.id !== null && frame.id !== undefined)) {
      const ev = event as Record<string, unknown>;
      if (ev.e === 'serverShutdown') {
        if (sock.role === 'current') startRollover();
        return;
      }
      const sub = frame.subscriptionId;
      const meta: WsApiEventMeta =
        typeof sub === 'number' ? { generation: sock.generation, subscriptionId: sub } : { generation: sock.generation };
      for (const listener of [...eventListeners]) {
        try {
          listener(ev, meta);
        } catch (e) {
          reporter.error(e);
        }
      }
      return;
    }
    const limits = frame.rateLimits;
    if (Array.isArray(limits) && options.onRateLimits !== undefined) options.onRateLimits(limits as WsApiRateLimit[]);
    const id = frame.id;
    if (typeof id !== 'number') {
      // id null: a session-level error (e.g. -2015 revocation); nothing to correlate.
      if (frame.error !== undefined) reporter.error(new Error(describeError(frame)));
      return;
    }
    const p = sock.pending.get(id);
    if (p === undefined) return;
    sock.pending.delete(id);
    clock.clearTimeout(p.timer);
    const status = typeof frame.status === 'number' ? frame.status : 0;
    if (status === 200 && 'result' in frame) p.resolve(frame.result);
    else {
      const err = (frame.error ?? {}) as { code?: unknown; msg?: unknown; data?: { retryAfter?: unknown } };
      const headers: Record<string, string> = {};
      const ra = err.data?.retryAfter;
      if (typeof ra === 'number') {
        // The WS API gives retryAfter as an epoch ms (https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/web-socket-api.md § Rate limits); the taxonomy wants seconds.
        headers['retry-after'] = String(Math.max(0, Math.ceil((ra - clock.now()) / 1000)));
      }
      p.reject(
        classifyHttpFailure({
          httpStatus: status,
          binanceCode: typeof err.code === 'number' ? err.code : undefined,
          binanceMsg: typeof err.msg === 'string' ? err.msg : undefined,
          headers,
          method: 'WS',
          path: p.method,
          changesState: p.changesState,
        }),
      );
    }
    maybeFinishRetiring(sock);
  };

  const maybeFinishRetiring = (sock: Sock): void => {
    if (sock.role === 'retiring' && sock.pending.size === 0) kill(sock, 'replaced');
  };

  const kill = (sock: Sock, why: string): void => {
    if (sock.closed) return;
    sock.closed = true;
    sock.open = false;
    sock.heartbeat?.stop();
    sock.heartbeat = null;
    if (sock.lifetimeTimer !== null) clock.clearTimeout(sock.lifetimeTimer);
    if (sock.drainTimer !== null) clock.clearTimeout(sock.drainTimer);
    sock.lifetimeTimer = sock.drainTimer = null;
    failPending(sock, why);
    sock.ws.removeAllListeners();
    sock.ws.on('error', noop);
    sock.ws.terminate();
    retiring.delete(sock);
    for (const listener of [...closedListeners]) {
      try {
        listener(sock.generation);
      } catch (e) {
        reporter.error(e);
      }
    }
  };

  const openSock = (role: 'current' | 'candidate'): Sock | null => {
    const wait = budget.delayMs();
    if (wait > 0) {
      if (role === 'current') scheduleReconnect(wait);
      else scheduleRolloverRetry(wait);
      return null;
    }
    budget.record();
    const ws = new WebSocket(options.url, { perMessageDeflate: false, handshakeTimeout: handshakeTimeoutMs });
    const generation = ++generationCounter;
    const sock: Sock = {
      generation,
      ws,
      role,
      open: false,
      closed: false,
      heartbeat: null,
      lifetimeTimer: null,
      drainTimer: null,
      lifetimeDue: false,
      pending: new Map(),
      session: {
        generation,
        request: <T>(method: string, params?: WsParams, opts?: WsRequestOptions) => sendRequest<T>(sock, method, params, opts),
        isOpen: () => sock.open && !sock.closed,
        discard: (why: string) => lost(sock, new Error(why)),
      },
    };
    const throttle = createControlThrottle(clock, 4);
    ws.on('unexpected-response', (_req, res) => {
      const ra = Number(res.headers['retry-after']);
      if (Number.isFinite(ra) && ra > 0) retryAfterMs = Math.max(retryAfterMs, ra * 1000);
      res.resume();
      lost(sock, new Error(`WebSocket API upgrade refused: HTTP ${res.statusCode ?? '?'}`));
    });
    ws.on('open', () => {
      if (sock.closed) return;
      sock.open = true;
      sock.heartbeat = startHeartbeat({
        clock,
        pingIntervalMs,
        pongTimeoutMs,
        staleAfterMs,
        // The account stream sends only on change: an account can be quiet for hours. The socket
        // is live while it answers pings; only an unanswered ping (or no frame at all) is stale.
        dataDriven: () => false,
        ping: () => {
          if (!throttle.tryTake()) return false;
          ws.ping();
          return true;
        },
        onStale: () => {
          if (sock.role === 'current') reporter.setStatus('stale');
        },
        onFresh: () => {
          if (sock.role === 'current') reporter.setStatus('live');
        },
        onDead: (reason) => lost(sock, new Error(`WebSocket API connection dead: ${reason}`)),
      });
      sock.lifetimeTimer = clock.setTimeout(() => {
        sock.lifetimeTimer = null;
        // A replacement still being set up rolls over as soon as it takes over.
        if (sock.role === 'candidate') sock.lifetimeDue = true;
        else if (sock.role === 'current') startRollover();
      }, maxLifetimeMs);
      void runInitializers(sock);
    });
    ws.on('message', (data) => onFrame(sock, data));
    ws.on('ping', () => {
      throttle.note();
      sock.heartbeat?.frame(clock.now());
    });
    ws.on('pong', () => sock.heartbeat?.frame(clock.now()));
    ws.on('error', (err) => lost(sock, err));
    ws.on('close', (code) => lost(sock, new Error(`WebSocket API connection closed (${code})`)));
    return sock;
  };

  const runInitializers = async (sock: Sock): Promise<void> => {
    const reason = sock.role === 'candidate' ? 'rollover' : 'connect';
    try {
      for (const init of [...initializers]) {
        if (sock.closed) return;
        await init(sock.session, reason);
      }
    } catch (e) {
      if (sock.closed) return;
      // A socket whose set-up failed is not ready, whatever the reason: a replacement is
      // dropped (the old socket carries on), a fresh connection is given up and reconnects with
      // backoff, so the state says so and the initializers get a fresh socket to try again.
      // (The user data stream handles its own subscribe failures on a fresh socket and does not
      // throw there; if it ever did, it resubscribes on the next socket like after any loss.)
      lost(sock, e);
      return;
    }
    if (sock.closed) return;
    if (sock.role === 'candidate') promote(sock);
    else if (sock.role === 'current') {
      if (everOpened) reporter.reconnected();
      everOpened = true;
      lastOpenedAt = clock.now();
      reporter.setStatus('live');
    }
  };

  const promote = (sock: Sock): void => {
    if (candidate !== sock) return;
    const old = current;
    candidate = null;
    sock.role = 'current';
    current = sock;
    lastOpenedAt = clock.now();
    reporter.setStatus('live');
    if (old !== null) retire(old);
    if (sock.lifetimeDue) {
      sock.lifetimeDue = false;
      startRollover();
    }
  };

  const retire = (sock: Sock): void => {
    sock.role = 'retiring';
    if (sock.pending.size === 0) {
      kill(sock, 'replaced');
      return;
    }
    retiring.add(sock);
    let lastDeadline = 0;
    for (const p of sock.pending.values()) lastDeadline = Math.max(lastDeadline, p.deadline);
    // Each pending request still ends at its own deadline (and the socket with the last one);
    // this only bounds the overlap should that fail.
    const wait = Math.max(drainMs, lastDeadline - clock.now() + DRAIN_MARGIN_MS);
    sock.drainTimer = clock.setTimeout(() => {
      sock.drainTimer = null;
      kill(sock, 'replaced');
    }, wait);
  };

  const lost = (sock: Sock, err: unknown): void => {
    if (sock.closed) return;
    const role = sock.role;
    kill(sock, errorMessage(err));
    if (suspended || disposed || role === 'retiring') return;
    reporter.error(err);
    if (role === 'candidate') {
      candidate = null;
      if (current === null) scheduleReconnect();
      else scheduleRolloverRetry();
      return;
    }
    current = null;
    if (candidate !== null) {
      // The old socket went first (serverShutdown); the replacement takes over as it is.
      const next = candidate;
      candidate = null;
      next.role = 'current';
      current = next;
      reporter.setStatus('reconnecting');
      return;
    }
    if (lastOpenedAt !== null && clock.now() - lastOpenedAt >= healthyAfterMs) backoff.reset();
    reporter.setStatus(everOpened ? 'reconnecting' : 'connecting');
    scheduleReconnect();
  };

  const scheduleReconnect = (minDelayMs = 0): void => {
    if (suspended || disposed || !started || current !== null || reconnectTimer !== null) return;
    const delay = Math.max(minDelayMs, backoff.next(), retryAfterMs);
    retryAfterMs = 0;
    reconnectTimer = clock.setTimeout(() => {
      reconnectTimer = null;
      connectNow();
    }, delay);
  };

  const connectNow = (): void => {
    if (suspended || disposed || !started || current !== null) return;
    if (reconnectTimer !== null) clock.clearTimeout(reconnectTimer);
    reconnectTimer = null;
    reporter.setStatus(everOpened ? 'reconnecting' : 'connecting');
    current = openSock('current');
  };

  const scheduleRolloverRetry = (minDelayMs = 0): void => {
    if (suspended || disposed || rolloverRetryTimer !== null) return;
    const delay = Math.max(minDelayMs, backoff.next(), retryAfterMs);
    retryAfterMs = 0;
    rolloverRetryTimer = clock.setTimeout(() => {
      rolloverRetryTimer = null;
      startRollover();
    }, delay);
  };

  const startRollover = (): void => {
    if (suspended || disposed || candidate !== null || current === null || !current.open) return;
    candidate = openSock('candidate');
  };

  const closeAll = (why: string): void => {
    if (reconnectTimer !== null) clock.clearTimeout(reconnectTimer);
    if (rolloverRetryTimer !== null) clock.clearTimeout(rolloverRetryTimer);
    reconnectTimer = rolloverRetryTimer = null;
    const socks = [current, candidate, ...retiring];
    current = candidate = null;
    for (const s of socks) if (s !== null) kill(s, why);
  };

  return {
    start() {
      if (disposed || started) return;
      started = true;
      if (!suspended) connectNow();
    },
    request<T>(method: string, params?: WsParams, opts?: WsRequestOptions): Promise<T> {
      const sock = current;
      if (sock === null || !sock.open) return Promise.reject(notSent(method, 'there is no open WebSocket API connection'));
      return sendRequest<T>(sock, method, params, opts);
    },
    addSessionInitializer(init) {
      initializers.add(init);
      return () => {
        initializers.delete(init);
      };
    },
    onEvent(listener) {
      eventListeners.add(listener);
      return () => {
        eventListeners.delete(listener);
      };
    },
    onSessionClosed(listener) {
      closedListeners.add(listener);
      return () => {
        closedListeners.delete(listener);
      };
    },
    currentGeneration: () => (current !== null && current.open ? current.generation : null),
    info: () => reporter.info(),
    rollover: () => startRollover(),
    suspend() {
      if (disposed) return;
      suspended = true;
      closeAll('suspended');
      reporter.setStatus('offline');
    },
    resume() {
      if (disposed) return;
      suspended = false;
      backoff.reset();
      if (started && current === null) connectNow();
    },
    networkChanged() {
      if (disposed || suspended || !started) return;
      closeAll('network changed');
      backoff.reset();
      connectNow();
    },
    dispose() {
      if (disposed) return;
      suspended = true;
      closeAll('disposed');
      disposed = true;
      reporter.release();
      initializers.clear();
      eventListeners.clear();
      closedListeners.clear();
    },
    listenerCount: () => initializers.size + eventListeners.size + closedListeners.size,
  };
}

function describeError(frame: Record<string, unknown>): string {
  const err = frame.error as { code?: unknown; msg?: unknown } | undefined;
  return `WebSocket API error ${String(err?.code ?? '?')}: ${String(err?.msg ?? '')}`;
}

function noop(): void {
  // swallow
}

/**
 * The WebSocket API (/ws-api/v3): ping, time, session.logon/status/logout, session.subscriptions,
 * userDataStream.subscribe(.signature)/unsubscribe here; every method with a REST twin (market
 * data, account reads, trading) through ws-api-methods.ts on the REST handlers; user data events
 * delivered as {"subscriptionId":N,"event":{...}}, serverShutdown, server pings, pong timeout and
 * the 24 h connection lifetime (https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/web-socket-api.md; https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/user-data-stream.md).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { RawData } from 'ws';
import type { SimClock } from '../clock';
import { errors, SimError } from '../errors';
import { toJson } from '../json';
import type { ApiKeyRecord, Faults, FaultAction, UpgradeHandler, UserDataBus, UserDataEvent } from '../types';
import { authenticateSigned, paramToString, wsSignaturePayload } from './auth';
import type { KeyRegistry } from './auth';
import { checkAllRead } from './params';
import type { RateLimiter } from './rate-limit';
import type { RestRoute } from '../types';
import { createWsRestBridge } from './ws-api-methods';

export const WS_API_PATH = '/ws-api/v3';
const DAY_MS = 86_400_000;
const MAX_ACTIVE_SUBSCRIPTIONS = 1000;
const MAX_LIFETIME_SUBSCRIPTIONS = 65535;

export interface WsApiOptions {
  readonly clock: SimClock;
  readonly faults: Faults;
  readonly keys: KeyRegistry;
  readonly limiter: RateLimiter;
  /** The exchange part's bus; a function so the composition can bind it late. */
  readonly userData: UserDataBus | (() => UserDataBus | undefined);
  /** Connection lifetime, default 24 h. */
  readonly lifetimeMs?: number;
  /** Server ping interval, default 20 s. */
  readonly pingIntervalMs?: number;
  /** Close when no pong arrives this long after a ping, default 60 s. */
  readonly pongTimeoutMs?: number;
  /** With reorderUserEvents, a lone held event is released after this long (default 200 ms). */
  readonly reorderFlushMs?: number;
  /** After the serverShutdown event, connections are closed this much later (default 1 s). */
  readonly shutdownCloseDelayMs?: number;
  /** The REST routes; methods with a REST twin run these handlers (ws-api-methods.ts). */
  readonly routes?: () => readonly RestRoute[];
}

export interface WsApi extends UpgradeHandler {
  /** Stop listening to fault actions and close every connection. */
  dispose(): void;
}

interface Subscription {
  readonly id: number;
  readonly accountId: string;
  readonly viaLogon: boolean;
  off: () => void;
  held: UserDataEvent | undefined;
  heldTimer: NodeJS.Timeout | undefined;
}

interface Connection {
  readonly ws: WebSocket;
  readonly ip: string;
  readonly connectedSince: number;
  readonly returnRateLimitsDefault: boolean;
  key: ApiKeyRecord | undefined;
  authorizedSince: number | undefined;
  readonly subs: Map<number, Subscription>;
  subsCreated: number;
  pingTimer: NodeJS.Timeout | undefined;
  pongTimer: NodeJS.Timeout | undefined;
  lifetimeTimer: NodeJS.Timeout | undefined;
  readonly pending: Set<NodeJS.Timeout>;
}

type Params = Record<string, unknown>;
type MethodResult = { readonly result: unknown; readonly after?: () => void };

const METHOD_WEIGHTS: Readonly<Record<string, number>> = {
  ping: 1,
  time: 1,
  'session.logon': 2,
  'session.status': 2,
  'session.logout': 2,
  'session.subscriptions': 2,
  'userDataStream.subscribe': 2,
  'userDataStream.subscribe.signature': 2,
  'userDataStream.unsubscribe': 2,
};

const SIGNED = ['apiKey', 'timestamp', 'signature', 'recvWindow'];
/**
 * The parameters each method reads (https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/web-socket-api.md parameter tables; `returnRateLimits` is
 * accepted by every method). Any other name is -1104, as on REST.
 */
const METHOD_PARAMS: Readonly<Record<string, ReadonlySet<string>>> = Object.fromEntries(
  Object.entries({
    ping: [],
    time: [],
    'session.logon': SIGNED,
    'session.status': [],
    'session.logout': [],
    'session.subscriptions': [],
    'userDataStream.subscribe': [],
    'userDataStream.subscribe.signature': SIGNED,
    'userDataStream.unsubscribe': ['subscriptionId'],
  }).map(([method, names]) => [method, new Set([...names, 'returnRateLimits'])]),
);

const subscriptionActive = (): SimError => new SimError(400, -2035, 'User Data Stream subscription already active.');
const subscriptionInactive = (): SimError => new SimError(400, -2036, 'User Data Stream subscription not active.');
const maxSubscriptionIds = (): SimError => new SimError(400, -2042, 'Maximum subscription ID reached for this connection.');

export function createWsApi(opts: WsApiOptions): WsApi {
  const { clock, faults, keys, limiter } = opts;
  const lifetimeMs = opts.lifetimeMs ?? DAY_MS;
  const pingIntervalMs = opts.pingIntervalMs ?? 20_000;
  const pongTimeoutMs = opts.pongTimeoutMs ?? 60_000;
  const reorderFlushMs = opts.reorderFlushMs ?? 200;
  const shutdownCloseDelayMs = opts.shutdownCloseDelayMs ?? 1000;
  const wss = new WebSocketServer({ noServer: true, autoPong: false, perMessageDeflate: false });
  const connections = new Set<Connection>();
  const bridge = createWsRestBridge({ clock, keys, limiter, routes: opts.routes ?? (() => []) });

  const bus = (): UserDataBus | undefined => (typeof opts.userData === 'function' ? opts.userData() : opts.userData);

  const sendText = (conn: Connection, text: string): void => {
    if (faults.state.silentSockets) return;
    if (conn.ws.readyState === WebSocket.OPEN) conn.ws.send(text);
  };

  const emitEvent = (conn: Connection, sub: Subscription, event: UserDataEvent): void => {
    const text = toJson({ subscriptionId: sub.id, event });
    sendText(conn, text);
    if (faults.state.duplicateUserEvents) sendText(conn, text);
  };

  const flushHeld = (conn: Connection, sub: Subscription): void => {
    if (sub.heldTimer !== undefined) clearTimeout(sub.heldTimer);
    sub.heldTimer = undefined;
    const held = sub.held;
    sub.held = undefined;
    if (held !== undefined) emitEvent(conn, sub, held);
  };

  const deliver = (conn: Connection, sub: Subscription, event: UserDataEvent): void => {
    if (!conn.subs.has(sub.id)) return;
    if (!faults.state.reorderUserEvents) {
      flushHeld(conn, sub);
      emitEvent(conn, sub, event);
      return;
    }
    if (sub.held === undefined) {
      // Swap adjacent pairs: hold this one until the next arrives (or a short while passes).
      sub.held = event;
      sub.heldTimer = setTimeout(() => flushHeld(conn, sub), reorderFlushMs);
      return;
    }
    const held = sub.held;
    if (sub.heldTimer !== undefined) clearTimeout(sub.heldTimer);
    sub.held = undefined;
    sub.heldTimer = undefined;
    emitEvent(conn, sub, event);
    emitEvent(conn, sub, held);
  };

  const endSubscription = (conn: Connection, sub: Subscription, notify: boolean): void => {
    flushHeld(conn, sub);
    sub.off();
    conn.subs.delete(sub.id);
    if (notify) sendText(conn, terminatedText(sub.id));
  };

  const terminatedText = (subscriptionId: number): string =>
    toJson({ subscriptionId, event: { e: 'eventStreamTerminated', E: clock.now() } });

  const startSubscription = (conn: Connection, accountId: string, viaLogon: boolean): number => {
    for (const s of conn.subs.values()) if (s.accountId === accountId) throw subscriptionActive();
    if (conn.subs.size >= MAX_ACTIVE_SUBSCRIPTIONS || conn.subsCreated >= MAX_LIFETIME_SUBSCRIPTIONS) throw maxSubscriptionIds();
    const b = bus();
    if (b === undefined) throw errors.disconnected();
    const id = conn.subsCreated;
    conn.subsCreated += 1;
    const sub: Subscription = { id, accountId, viaLogon, off: () => undefined, held: undefined, heldTimer: undefined };
    conn.subs.set(id, sub);
    sub.off = b.subscribe(accountId, (event) => deliver(conn, sub, event));
    return id;
  };

  const sessionStatus = (conn: Connection, returnRateLimits: boolean): Record<string, unknown> => ({
    apiKey: conn.key?.apiKey ?? null,
    authorizedSince: conn.authorizedSince ?? null,
    connectedSince: conn.connectedSince,
    returnRateLimits,
    serverTime: clock.now(),
    userDataStream: conn.subs.size > 0,
  });

  const signedKey = (params: Params): ApiKeyRecord => {
    const str = (name: string): string | undefined => (params[name] === undefined ? undefined : paramToString(params[name]));
    // On the WS API the key is a request parameter, so a missing one is a missing parameter.
    if (params.apiKey === undefined) throw errors.mandatoryParamMissing('apiKey');
    return authenticateSigned({
      keys,
      apiKey: str('apiKey'),
      timestamp: str('timestamp'),
      recvWindow: str('recvWindow'),
      signature: str('signature'),
      payload: wsSignaturePayload(params),
      serverTime: clock.now(),
    }).key;
  };

  /** The logged-on key, revoked (-2015, session forgotten) if it became invalid meanwhile. */
  const sessionKey = (conn: Connection): ApiKeyRecord | undefined => {
    if (conn.key !== undefined && keys.get(conn.key.apiKey) !== conn.key) {
      conn.key = undefined;
      conn.authorizedSince = undefined;
      throw errors.rejectedMbxKey();
    }
    return conn.key;
  };

  const runMethod = (conn: Connection, method: string, params: Params, returnRateLimits: boolean): MethodResult => {
    const known = Object.hasOwn(METHOD_PARAMS, method) ? METHOD_PARAMS[method] : undefined;
    if (known !== undefined) checkAllRead(Object.keys(params), known);
    switch (method) {
      case 'ping':
        return { result: {} };
      case 'time':
        return { result: { serverTime: clock.now() } };
      case 'session.logon': {
        const key = signedKey(params);
        // Session authentication is for Ed25519 keys only (https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/web-socket-api.md § Session Authentication).
        if (key.type !== 'ED25519') throw errors.rejectedMbxKey();
        conn.key = key;
        conn.authorizedSince = clock.now();
        return { result: sessionStatus(conn, returnRateLimits) };
      }
      case 'session.status':
        sessionKey(conn);
        return { result: sessionStatus(conn, returnRateLimits) };
      case 'session.logout': {
        // Only the logon subscription ends; signature subscriptions stay (https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/web-socket-api.md).
        const ended = [...conn.subs.values()].filter((sub) => sub.viaLogon);
        for (const sub of ended) endSubscription(conn, sub, false);
        conn.key = undefined;
        conn.authorizedSince = undefined;
        return {
          result: sessionStatus(conn, returnRateLimits),
          after: () => ended.forEach((sub) => sendText(conn, terminatedText(sub.id))),
        };
      }
      case 'session.subscriptions':
        return { result: [...conn.subs.keys()].map((subscriptionId) => ({ subscriptionId })) };
      case 'userDataStream.subscribe': {
        const key = sessionKey(conn);
        if (key === undefined) throw errors.unauthorized();
        return { result: { subscriptionId: startSubscription(conn, key.accountId, true) } };
      }
      case 'userDataStream.subscribe.signature': {
        const key = signedKey(params);
        return { result: { subscriptionId: startSubscription(conn, key.accountId, false) } };
      }
      case 'userDataStream.unsubscribe': {
        const raw = params.subscriptionId;
        if (raw === undefined) {
          if (conn.subs.size === 0) throw subscriptionInactive();
          const all = [...conn.subs.values()];
          return { result: {}, after: () => all.forEach((s) => endSubscription(conn, s, true)) };
        }
        const id = typeof raw === 'number' ? raw : Number(paramToString(raw));
        const sub = Number.isInteger(id) ? conn.subs.get(id) : undefined;
        if (sub === undefined) throw subscriptionInactive();
        // The reply goes first, then eventStreamTerminated for the subscription it stopped.
        return { result: {}, after: () => endSubscription(conn, sub, true) };
      }
      default:
        throw new SimError(400, -1020, 'This operation is not supported.');
    }
  };

  const reply = (conn: Connection, text: string, after?: () => void): void => {
    const latency = faults.state.latencyMs;
    if (latency <= 0) {
      sendText(conn, text);
      after?.();
      return;
    }
    const t = setTimeout(() => {
      conn.pending.delete(t);
      sendText(conn, text);
      after?.();
    }, latency);
    conn.pending.add(t);
  };

  const onMessage = (conn: Connection, data: RawData, isBinary: boolean): void => {
    let id: unknown = null;
    let returnRateLimits = conn.returnRateLimitsDefault;
    const rateLimits = (): unknown[] => [limiter.weightRateLimit(conn.ip)];
    const fail = (err: SimError, disconnect = false): void => {
      // toJSON: the code and message, and the `data` some errors carry (cancel-replace outcomes).
      const body: Record<string, unknown> = { ...err.toJSON() };
      if (err.httpStatus === 429 || err.httpStatus === 418) {
        const retry = err.headers['Retry-After'];
        const now = clock.now();
        body.data = { serverTime: now, retryAfter: now + Number(retry ?? '1') * 1000 };
      }
      const msg: Record<string, unknown> = { id, status: err.httpStatus, error: body };
      if (returnRateLimits) msg.rateLimits = rateLimits();
      reply(conn, toJson(msg), disconnect ? () => conn.ws.terminate() : undefined);
    };
    let request: unknown;
    try {
      if (isBinary) throw new Error('binary');
      request = JSON.parse(data.toString());
    } catch {
      fail(new SimError(400, -1135, 'Invalid JSON Request'));
      return;
    }
    if (typeof request !== 'object' || request === null || Array.isArray(request)) {
      fail(new SimError(400, -1135, 'Invalid JSON Request'));
      return;
    }
    const r = request as Record<string, unknown>;
    if (typeof r.id === 'string' || typeof r.id === 'number') id = r.id;
    const params: Params = typeof r.params === 'object' && r.params !== null && !Array.isArray(r.params) ? { ...(r.params as Params) } : {};
    if (typeof params.returnRateLimits === 'boolean') returnRateLimits = params.returnRateLimits;
    if (typeof r.method !== 'string' || r.method === '') {
      fail(errors.mandatoryParamMissing('method'));
      return;
    }
    const method = r.method.startsWith('v3/') ? r.method.slice(3) : r.method;
    try {
      limiter.admit(conn.ip, { bannedUntil: faults.state.banUntil });
    } catch (err) {
      if (err instanceof SimError) {
        // A banned IP is disconnected (https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/web-socket-api.md § IP limits).
        fail(err, err.httpStatus === 418);
        return;
      }
      throw err;
    }
    if (!Object.hasOwn(METHOD_PARAMS, method) && bridge.routeOf(method) !== undefined) {
      let key: ApiKeyRecord | undefined;
      try {
        key = sessionKey(conn);
      } catch (err) {
        fail(err instanceof SimError ? err : errors.unknown());
        return;
      }
      bridge.call(method, params, { ip: conn.ip, sessionKey: key }).then(
        ({ result, orderAccount }) => {
          const msg: Record<string, unknown> = { id, status: 200, result };
          if (returnRateLimits)
            msg.rateLimits = [...rateLimits(), ...(orderAccount !== undefined ? limiter.orderRateUsage(orderAccount) : [])];
          reply(conn, toJson(msg));
        },
        (err: unknown) => fail(err instanceof SimError ? err : errors.unknown()),
      );
      return;
    }
    limiter.addWeight(conn.ip, METHOD_WEIGHTS[method] ?? 1);
    try {
      const { result, after } = runMethod(conn, method, params, returnRateLimits);
      const msg: Record<string, unknown> = { id, status: 200, result };
      if (returnRateLimits) msg.rateLimits = rateLimits();
      reply(conn, toJson(msg), after);
    } catch (err) {
      fail(err instanceof SimError ? err : errors.unknown());
    }
  };

  const clearTimers = (conn: Connection): void => {
    if (conn.pingTimer !== undefined) clearInterval(conn.pingTimer);
    if (conn.pongTimer !== undefined) clearTimeout(conn.pongTimer);
    if (conn.lifetimeTimer !== undefined) clearTimeout(conn.lifetimeTimer);
    for (const t of conn.pending) clearTimeout(t);
    conn.pending.clear();
  };

  const expire = (conn: Connection): void => {
    if (conn.ws.readyState !== WebSocket.OPEN) return;
    conn.ws.close(1000, 'Connection lifetime expired');
    // A client that never answers the close frame is dropped.
    const t = setTimeout(() => conn.ws.terminate(), 2000);
    conn.pending.add(t);
  };

  const setup = (ws: WebSocket, req: IncomingMessage, url: URL): void => {
    const rrl = url.searchParams.get('returnRateLimits');
    const conn: Connection = {
      ws,
      ip: req.socket.remoteAddress ?? 'unknown',
      connectedSince: clock.now(),
      returnRateLimitsDefault: rrl !== 'false',
      key: undefined,
      authorizedSince: undefined,
      subs: new Map(),
      subsCreated: 0,
      pingTimer: undefined,
      pongTimer: undefined,
      lifetimeTimer: undefined,
      pending: new Set(),
    };
    connections.add(conn);
    ws.on('message', (data, isBinary) => onMessage(conn, data, isBinary));
    ws.on('ping', (payload) => {
      if (faults.state.silentSockets || faults.state.noPongs) return;
      if (ws.readyState === WebSocket.OPEN) ws.pong(payload);
    });
    ws.on('pong', () => {
      if (conn.pongTimer !== undefined) clearTimeout(conn.pongTimer);
      conn.pongTimer = undefined;
    });
    ws.on('error', () => ws.terminate());
    ws.on('close', () => {
      clearTimers(conn);
      for (const sub of [...conn.subs.values()]) {
        if (sub.heldTimer !== undefined) clearTimeout(sub.heldTimer);
        sub.off();
      }
      conn.subs.clear();
      connections.delete(conn);
    });
    conn.pingTimer = setInterval(() => {
      if (clock.now() - conn.connectedSince >= lifetimeMs) {
        expire(conn);
        return;
      }
      if (faults.state.silentSockets || ws.readyState !== WebSocket.OPEN) return;
      ws.ping();
      if (conn.pongTimer === undefined) {
        conn.pongTimer = setTimeout(() => {
          conn.pongTimer = undefined;
          ws.terminate();
        }, pongTimeoutMs);
      }
    }, pingIntervalMs);
    conn.lifetimeTimer = setTimeout(() => expire(conn), lifetimeMs);
  };

  const onAction = (action: FaultAction): void => {
    const now = clock.now();
    if (action.type === 'closeAll') {
      if (action.kind === 'ws-api' || action.kind === 'all') for (const c of [...connections]) c.ws.terminate();
    } else if (action.type === 'serverShutdown') {
      const text = toJson({ event: { e: 'serverShutdown', E: now } });
      for (const c of connections) {
        sendText(c, text);
        // "...resulting in disconnection" (https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/web-socket-api.md § General API Information).
        const t = setTimeout(() => {
          if (c.ws.readyState === WebSocket.OPEN) c.ws.close(1001, 'Server shutdown');
        }, shutdownCloseDelayMs);
        c.pending.add(t);
      }
    } else {
      for (const c of connections) {
        for (const sub of [...c.subs.values()]) {
          if (action.accountId === undefined || sub.accountId === action.accountId) endSubscription(c, sub, true);
        }
      }
    }
  };
  const offAction = faults.onAction(onAction);

  const closeAll = (): void => {
    for (const c of [...connections]) {
      clearTimers(c);
      c.ws.terminate();
    }
  };

  return {
    handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): boolean {
      if (url.pathname !== WS_API_PATH) return false;
      wss.handleUpgrade(req, socket, head, (ws) => setup(ws, req, url));
      return true;
    },
    closeAll,
    connectionCount: () => connections.size,
    dispose() {
      offAction();
      closeAll();
      wss.close();
    },
  };
}

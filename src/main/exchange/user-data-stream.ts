// Over 500 lines on purpose: subscribe, buffer, REST snapshot and replay are one gap-free sequence per socket.
/**
 * The user data stream over the WebSocket API (https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/user-data-stream.md; B11, B12, B13). No listenKey: those
 * endpoints were retired on 2026-02-20.
 *
 * On every new WS API socket (first connect, reconnect, rollover) and after
 * `eventStreamTerminated`, it subscribes again - `userDataStream.subscribe.signature` (any key
 * type) or `session.logon` + `userDataStream.subscribe` (Ed25519, when asked) - and then runs a
 * gap-free resync: events are buffered from before the subscribe request, the REST snapshot
 * (account + open orders) is applied, then the buffered events; balances keep the newest account
 * update time `u`, orders go through the monotonic merge of order-state.ts. Orders the store
 * thought open that the snapshot no longer lists are queried one by one.
 *
 * A subscribe that gets no clean answer (timeout, lost reply, -2035 "already active") leaves the
 * socket's subscription state unknown; that socket is given up and a fresh one subscribes, so
 * the stream never retries into a subscription it cannot see.
 *
 * Events are validated with zod (user events are few; the market hot path is elsewhere).
 */
import { z } from 'zod';
import type { BackoffOptions, Clock } from './backoff';
import { createBackoff, systemClock } from './backoff';
import type { ConnectionInfo, ConnectionStateRegistry } from './connection-state';
import { createConnectionState } from './connection-state';
import type { Credentials } from './credentials';
import { isExchangeError } from './errors';
import type { OrderState, OrderStateStore } from './order-state';
import {
  createOrderStateStore,
  executionReportSchema,
  idSchema,
  isTerminalStatus,
  orderUpdateFromExecutionReport,
  orderUpdateFromRest,
  restOrderSchema,
} from './order-state';
import type { RestClient } from './rest-client';
import { wsApiSignaturePayload } from './signing';
import type { WsApiConnection, WsApiEventMeta, WsApiSession } from './ws-api-connection';

export interface Balance {
  readonly asset: string;
  readonly free: string;
  readonly locked: string;
  /** Account update time this value comes from (event `u`, account `updateTime`). */
  readonly updateTime: number;
}

const decimalString = z.string().regex(/^-?\d+(\.\d+)?$/);

const accountPositionSchema = z.object({
  e: z.literal('outboundAccountPosition'),
  E: z.number(),
  u: z.number(),
  B: z.array(z.object({ a: z.string(), f: decimalString, l: decimalString })),
});
const balanceUpdateSchema = z.object({ e: z.literal('balanceUpdate'), E: z.number(), a: z.string(), d: decimalString, T: z.number() });
const externalLockSchema = z.object({ e: z.literal('externalLockUpdate'), E: z.number(), a: z.string(), d: decimalString, T: z.number() });
const listStatusSchema = z.object({
  e: z.literal('listStatus'),
  E: z.number(),
  s: z.string(),
  g: idSchema,
  c: z.string(),
  l: z.string(),
  L: z.string(),
  r: z.string(),
  C: z.string(),
  T: z.number(),
  O: z.array(z.object({ s: z.string(), i: idSchema, c: z.string() })),
});

const accountSchema = z.object({
  updateTime: z.number(),
  balances: z.array(z.object({ asset: z.string(), free: decimalString, locked: decimalString })),
});
const openOrdersSchema = z.array(restOrderSchema);
const subscribeResultSchema = z.object({ subscriptionId: z.number().int() });
/** -2035 "User Data Stream subscription already active" (https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/errors.md). */
const SUBSCRIPTION_ACTIVE = -2035;

export type UserDataEvent =
  | { readonly type: 'balances'; readonly eventTime: number; readonly changed: readonly Balance[] }
  | {
      readonly type: 'balanceDelta';
      readonly eventTime: number;
      readonly asset: string;
      readonly delta: string;
      readonly clearTime: number;
    }
  | { readonly type: 'externalLock'; readonly eventTime: number; readonly asset: string; readonly delta: string; readonly time: number }
  | { readonly type: 'order'; readonly order: Readonly<OrderState> }
  | {
      readonly type: 'listStatus';
      readonly eventTime: number;
      readonly symbol: string;
      readonly orderListId: string;
      readonly listClientOrderId: string;
      readonly listStatusType: string;
      readonly listOrderStatus: string;
      readonly orders: readonly { symbol: string; orderId: string; clientOrderId: string }[];
    }
  | { readonly type: 'resynced'; readonly at: number; readonly reason: string };

type Validated =
  | { readonly kind: 'position'; readonly ev: z.infer<typeof accountPositionSchema> }
  | { readonly kind: 'delta'; readonly ev: z.infer<typeof balanceUpdateSchema> }
  | { readonly kind: 'lock'; readonly ev: z.infer<typeof externalLockSchema> }
  | { readonly kind: 'order'; readonly ev: z.infer<typeof executionReportSchema> }
  | { readonly kind: 'list'; readonly ev: z.infer<typeof listStatusSchema> };

export interface UserDataStreamOptions {
  readonly wsApi: WsApiConnection;
  readonly rest: Pick<RestClient, 'request'>;
  readonly credentials: Credentials;
  /** The time sync shared with REST: timestamps come from here; resynced once on -1021. */
  readonly timeSync: { now(): number; sync(reason: string): Promise<void> };
  readonly orders?: OrderStateStore;
  readonly connectionState?: ConnectionStateRegistry;
  readonly id?: string;
  readonly clock?: Clock;
  /** Backoff for subscribe and snapshot retries. */
  readonly backoff?: BackoffOptions;
  /** 'logon' (Ed25519 keys only): session.logon + userDataStream.subscribe. Default 'signature'. */
  readonly method?: 'signature' | 'logon';
  readonly recvWindowMs?: number;
  /** Per resync, at most this many orders are queried individually. */
  readonly maxOrderQueries?: number;
}

export interface UserDataStream {
  start(): void;
  balances(): ReadonlyMap<string, Readonly<Balance>>;
  readonly orders: OrderStateStore;
  onEvent(listener: (event: UserDataEvent) => void): () => void;
  /** Subscription id on the current socket, null while not subscribed. */
  subscriptionId(): number | null;
  /** true once a resync completed and no other is pending. */
  isSynced(): boolean;
  info(): ConnectionInfo;
  /** Force a snapshot resync now (e.g. after resume). */
  resync(reason: string): Promise<void>;
  dispose(): void;
  listenerCount(): number;
}

export function createUserDataStream(options: UserDataStreamOptions): UserDataStream {
  const { wsApi, rest, credentials, timeSync } = options;
  const clock = options.clock ?? systemClock;
  const registry = options.connectionState ?? createConnectionState({ clock });
  const reporter = registry.register(options.id ?? 'user-data', 'offline');
  const orders = options.orders ?? createOrderStateStore();
  const method = options.method ?? 'signature';
  const maxOrderQueries = options.maxOrderQueries ?? 20;
  if (method === 'logon' && credentials.type !== 'ED25519') throw new TypeError('session.logon needs an Ed25519 key');

  const balanceMap = new Map<string, Balance>();
  const listeners = new Set<(event: UserDataEvent) => void>();
  /** generation -> subscription id on that socket */
  const subs = new Map<number, number>();
  const buffer: Validated[] = [];
  const subscribeBackoff = createBackoff(options.backoff);
  const resyncBackoff = createBackoff(options.backoff);
  const subscribeTimers = new Map<number, unknown>();
  /** Generations with a subscribe request in flight. */
  const subscribing = new Set<number>();
  let buffering = true;
  let synced = false;
  let resyncRunning: Promise<void> | null = null;
  let resyncAgain: string | null = null;
  let resyncTimer: unknown = null;
  let started = false;
  let disposed = false;
  const unsubscribers: (() => void)[] = [];

  const emit = (event: UserDataEvent): void => {
    for (const listener of [...listeners]) {
      try {
        listener(event);
      } catch (e) {
        reporter.error(e);
      }
    }
  };
  unsubscribers.push(orders.onOrderUpdate((n) => emit({ type: 'order', order: n.order })));

  // ------------------------------------------------------------ applying

  const setBalance = (asset: string, free: string, locked: string, updateTime: number, changed: Balance[]): void => {
    const cur = balanceMap.get(asset);
    // Older account states lose; the same one again changes nothing.
    if (cur !== undefined && updateTime < cur.updateTime) return;
    if (cur !== undefined && cur.free === free && cur.locked === locked) {
      if (updateTime > cur.updateTime) balanceMap.set(asset, { ...cur, updateTime });
      return;
    }
    const next: Balance = { asset, free, locked, updateTime };
    balanceMap.set(asset, next);
    changed.push(next);
  };

  const applyEvent = (v: Validated): void => {
    switch (v.kind) {
      case 'position': {
        const changed: Balance[] = [];
        for (const b of v.ev.B) setBalance(b.a, b.f, b.l, v.ev.u, changed);
        if (changed.length > 0) emit({ type: 'balances', eventTime: v.ev.E, changed });
        return;
      }
      case 'delta':
        // Informational: the absolute balance follows in outboundAccountPosition.
        emit({ type: 'balanceDelta', eventTime: v.ev.E, asset: v.ev.a, delta: v.ev.d, clearTime: v.ev.T });
        return;
      case 'lock':
        emit({ type: 'externalLock', eventTime: v.ev.E, asset: v.ev.a, delta: v.ev.d, time: v.ev.T });
        return;
      case 'order':
        orders.apply(orderUpdateFromExecutionReport(v.ev), 'event');
        return;
      case 'list':
        emit({
          type: 'listStatus',
          eventTime: v.ev.E,
          symbol: v.ev.s,
          orderListId: v.ev.g,
          listClientOrderId: v.ev.C,
          listStatusType: v.ev.l,
          listOrderStatus: v.ev.L,
          orders: v.ev.O.map((o) => ({ symbol: o.s, orderId: o.i, clientOrderId: o.c })),
        });
        return;
    }
  };

  const validate = (ev: Readonly<Record<string, unknown>>): Validated | null => {
    const parse = <T>(schema: z.ZodType<T>): T | null => {
      const r = schema.safeParse(ev);
      if (r.success) return r.data;
      reporter.error(
        new Error(`invalid ${String(ev.e)} event: ${r.error.issues[0]?.path.join('.') ?? ''} ${r.error.issues[0]?.message ?? ''}`),
      );
      return null;
    };
    switch (ev.e) {
      case 'outboundAccountPosition': {
        const p = parse(accountPositionSchema);
        return p && { kind: 'position', ev: p };
      }
      case 'balanceUpdate': {
        const p = parse(balanceUpdateSchema);
        return p && { kind: 'delta', ev: p };
      }
      case 'externalLockUpdate': {
        const p = parse(externalLockSchema);
        return p && { kind: 'lock', ev: p };
      }
      case 'executionReport': {
        const p = parse(executionReportSchema);
        return p && { kind: 'order', ev: p };
      }
      case 'listStatus': {
        const p = parse(listStatusSchema);
        return p && { kind: 'list', ev: p };
      }
      default:
        return null;
    }
  };

  const onEvent = (ev: Readonly<Record<string, unknown>>, meta: WsApiEventMeta): void => {
    const sub = subs.get(meta.generation);
    // An event may overtake the subscribe response: keep it (it is buffered) rather than lose it.
    if (sub === undefined && !subscribing.has(meta.generation)) return;
    if (sub !== undefined && meta.subscriptionId !== undefined && meta.subscriptionId !== sub) return;
    if (ev.e === 'eventStreamTerminated') {
      subs.delete(meta.generation);
      synced = false;
      buffering = true;
      reporter.setStatus('reconnecting');
      reporter.error(new Error('the exchange ended the user data subscription (eventStreamTerminated)'));
      scheduleSubscribe(meta.generation, 0);
      return;
    }
    const v = validate(ev);
    if (v === null) return;
    if (buffering) buffer.push(v);
    else applyEvent(v);
  };

  // ------------------------------------------------------------ subscribing

  const signed = (params: Record<string, string | number>): Record<string, string | number> => {
    const payload = wsApiSignaturePayload(params);
    return { ...params, signature: credentials.sign(payload) };
  };

  const baseParams = (): Record<string, string | number> => {
    const p: Record<string, string | number> = { apiKey: credentials.apiKey, timestamp: Math.floor(timeSync.now()) };
    if (options.recvWindowMs !== undefined) p.recvWindow = options.recvWindowMs;
    return p;
  };

  const subscribeOn = async (session: WsApiSession): Promise<number> => {
    const attempt = async (): Promise<unknown> => {
      if (method === 'logon') {
        await session.request('session.logon', signed(baseParams()));
        return session.request('userDataStream.subscribe');
      }
      return session.request('userDataStream.subscribe.signature', signed(baseParams()));
    };
    let result: unknown;
    try {
      result = await attempt();
    } catch (e) {
      // A clock rejection is clean: resync the offset once and sign again (B1).
      if (!isExchangeError(e) || e.kind !== 'clock') throw e;
      await timeSync.sync('-1021 on user data subscribe');
      result = await attempt();
    }
    return subscribeResultSchema.parse(result).subscriptionId;
  };

  /**
   * Only a clean refusal (the exchange answered with an error, and not "already active") proves
   * that no subscription was started; a lost or unreadable answer proves nothing.
   */
  const subscriptionStateUnknown = (e: unknown): boolean => {
    if (!isExchangeError(e)) return true; // e.g. a 200 whose result we could not read
    if (e.binanceCode === SUBSCRIPTION_ACTIVE) return true;
    if (e.kind === 'timeout' || e.kind === 'unknown-outcome' || e.kind === 'bad-response') return true;
    // 'network' is either "not sent" / "socket closed" (nothing to keep anyway) or a 5xx-like
    // answer (-1006 and friends) whose effect is unknown.
    if (e.kind === 'network') return true;
    return false;
  };

  const initializer = async (session: WsApiSession, reason: 'connect' | 'rollover'): Promise<void> => {
    if (disposed) return;
    if (subs.size === 0) {
      // Nothing is subscribed: buffer from before the subscription exists, so nothing slips
      // between subscribe and snapshot. (On a rollover the old socket is still subscribed and
      // keeps the state live until the resync below starts buffering.)
      buffering = true;
      synced = false;
      reporter.setStatus(reason === 'connect' ? 'connecting' : 'resyncing');
    }
    subscribing.add(session.generation);
    try {
      const id = await subscribeOn(session);
      subs.set(session.generation, id);
      subscribeBackoff.reset();
    } catch (e) {
      reporter.error(e);
      // A replacement socket that failed is dropped by the connection, whatever the error.
      if (reason === 'rollover') throw e;
      if (subscriptionStateUnknown(e)) {
        // The subscription may exist on this socket without us knowing its id: retrying here
        // would only get -2035 for as long as the socket lives (and session.subscriptions
        // does not say which account an id belongs to). A fresh socket has none, so give this
        // one up; the new one subscribes and resyncs (B12) like any reconnect.
        if (subs.size === 0) reporter.setStatus('reconnecting');
        session.discard('user data subscription state unknown after an unanswered or unexpected subscribe');
        return;
      }
      scheduleSubscribeFor(session);
      return;
    } finally {
      subscribing.delete(session.generation);
    }
    requestResync(reason === 'connect' ? 'subscribed' : 'rollover');
  };

  const scheduleSubscribeFor = (session: WsApiSession): void => {
    const gen = session.generation;
    if (disposed || subscribeTimers.has(gen) || !session.isOpen()) return;
    const delay = subscribeBackoff.next();
    subscribeTimers.set(
      gen,
      clock.setTimeout(() => {
        subscribeTimers.delete(gen);
        if (disposed || !session.isOpen() || subs.has(gen)) return;
        void initializer(session, 'connect');
      }, delay),
    );
  };

  // Resubscribe on the socket that carried eventStreamTerminated.
  const sessions = new Map<number, WsApiSession>();
  const scheduleSubscribe = (generation: number, _minDelay: number): void => {
    const session = sessions.get(generation);
    if (session === undefined) return;
    scheduleSubscribeFor(session);
  };

  // ------------------------------------------------------------ resync

  const fetchSnapshot = async (): Promise<{ account: z.infer<typeof accountSchema>; open: z.infer<typeof openOrdersSchema> }> => {
    const [account, open] = await Promise.all([
      rest.request({
        method: 'GET',
        path: '/api/v3/account',
        security: 'USER_DATA',
        weight: 20,
        priority: 'critical',
        schema: accountSchema,
      }),
      rest.request({
        method: 'GET',
        path: '/api/v3/openOrders',
        security: 'USER_DATA',
        weight: 80,
        priority: 'critical',
        schema: openOrdersSchema,
      }),
    ]);
    return { account, open };
  };

  const runResync = async (reason: string): Promise<void> => {
    reporter.setStatus('resyncing');
    buffering = true;
    synced = false;
    const { account, open } = await fetchSnapshot();
    if (disposed) return;
    // Snapshot first, at its own update time...
    const changed: Balance[] = [];
    const listed = new Set<string>();
    for (const b of account.balances) {
      listed.add(b.asset);
      setBalance(b.asset, b.free, b.locked, account.updateTime, changed);
    }
    for (const [asset, cur] of balanceMap) {
      if (!listed.has(asset) && cur.updateTime <= account.updateTime) setBalance(asset, '0', '0', account.updateTime, changed);
    }
    if (changed.length > 0) emit({ type: 'balances', eventTime: account.updateTime, changed });
    const missing = orders.applyOpenOrdersSnapshot(open.map(orderUpdateFromRest));
    // ...then everything that arrived meanwhile; older balance states and stale order updates lose.
    // With no subscription left (the socket died during the snapshot), events from now on would
    // come from a socket whose subscribe is still in flight, before its own snapshot: they stay
    // buffered, with everything already held, for the resync that follows that subscription.
    const subscribed = subs.size > 0;
    if (subscribed) {
      while (buffer.length > 0) applyEvent(buffer.shift() as Validated);
      buffering = false;
    }
    // Orders that ended while we were away: ask how they ended.
    let queried = 0;
    for (const o of missing) {
      if (queried >= maxOrderQueries) break;
      const now = orders.get(o.orderId);
      if (now !== undefined && isTerminalStatus(now.status)) continue;
      queried++;
      try {
        const r = await rest.request({
          method: 'GET',
          path: '/api/v3/order',
          security: 'USER_DATA',
          weight: 4,
          priority: 'normal',
          params: { symbol: o.symbol, orderId: o.orderId },
          schema: restOrderSchema,
        });
        orders.apply(orderUpdateFromRest(r), 'query');
      } catch (e) {
        reporter.error(e);
      }
    }
    if (disposed) return;
    if (!subscribed || subs.size === 0) {
      // Not synced: nothing guarantees the events from here on. The next subscription asks for
      // a resync of its own; should one have arrived meanwhile without it, ask here.
      buffering = true;
      synced = false;
      if (subs.size === 0) reporter.setStatus('reconnecting');
      else resyncAgain ??= reason;
      return;
    }
    synced = true;
    resyncBackoff.reset();
    reporter.setStatus('live');
    emit({ type: 'resynced', at: clock.now(), reason });
  };

  const requestResync = (reason: string): Promise<void> => {
    if (disposed) return Promise.resolve();
    if (resyncRunning !== null) {
      resyncAgain = reason;
      return resyncRunning;
    }
    if (resyncTimer !== null) {
      clock.clearTimeout(resyncTimer);
      resyncTimer = null;
    }
    const run = runResync(reason)
      .catch((e: unknown) => {
        if (disposed) return;
        reporter.error(e);
        // Keep buffering (never drop user events) and try again later.
        const delay = resyncBackoff.next();
        resyncTimer = clock.setTimeout(() => {
          resyncTimer = null;
          void requestResync(`retry: ${reason}`);
        }, delay);
      })
      .finally(() => {
        resyncRunning = null;
        if (resyncAgain !== null && !disposed) {
          const again = resyncAgain;
          resyncAgain = null;
          void requestResync(again);
        }
      });
    resyncRunning = run;
    return run;
  };

  return {
    orders,
    start() {
      if (started || disposed) return;
      started = true;
      unsubscribers.push(
        wsApi.addSessionInitializer(async (session, reason) => {
          sessions.set(session.generation, session);
          await initializer(session, reason);
        }),
      );
      unsubscribers.push(wsApi.onEvent(onEvent));
      unsubscribers.push(
        wsApi.onSessionClosed((generation) => {
          sessions.delete(generation);
          subscribing.delete(generation);
          const t = subscribeTimers.get(generation);
          if (t !== undefined) clock.clearTimeout(t);
          subscribeTimers.delete(generation);
          if (subs.delete(generation) && subs.size === 0 && !disposed) {
            synced = false;
            buffering = true;
            reporter.setStatus('reconnecting');
          }
        }),
      );
      reporter.setStatus('connecting');
      wsApi.start();
    },
    balances: () => balanceMap,
    onEvent(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    subscriptionId() {
      const gen = wsApi.currentGeneration();
      return gen === null ? null : (subs.get(gen) ?? null);
    },
    isSynced: () => synced && resyncRunning === null,
    info: () => reporter.info(),
    resync: (reason) => requestResync(reason),
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const u of unsubscribers.splice(0)) u();
      for (const t of subscribeTimers.values()) clock.clearTimeout(t);
      subscribeTimers.clear();
      if (resyncTimer !== null) clock.clearTimeout(resyncTimer);
      resyncTimer = null;
      sessions.clear();
      subs.clear();
      buffer.length = 0;
      listeners.clear();
      reporter.release();
    },
    listenerCount: () => listeners.size,
  };
}

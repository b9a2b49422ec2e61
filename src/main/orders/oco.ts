// Over 500 lines on purpose: placing a list and resolving its unknown outcome (grace window, two looks, follow-up) are one protocol.
/**
 * OCO placement (POST /api/v3/orderList/oco) with the same discipline as the order API (B4): the
 * list is sent once under our own listClientOrderId (and leg ids derived from it), never retried
 * blindly; an unknown outcome is resolved by GET /api/v3/orderList?origClientOrderId=..., with the
 * rules of the order reconciler (reconciler.ts): the grace window (90 s) counts from the send,
 * -2013 inside it means "not visible yet", absence needs two looks after it (each a -2013 and an
 * allOrders list showing neither leg) at least ~10 s apart, and a 'not-placed' list is still
 * looked for in the background for a while (corrected if it shows up). Failures that are not
 * exchange answers prove nothing either: they are logged and retried.
 *
 * The order API has no order-list placement, so this lives here; it reads and writes the same
 * order-state store, so the legs show up in open orders and move with the user data stream.
 */
import { z } from 'zod';
import type { BackoffOptions, Clock } from '../exchange/backoff';
import { createBackoff, systemClock } from '../exchange/backoff';
import { createSleeper } from '../exchange/sleeper';
import { isExchangeError } from '../exchange/errors';
import { isDuplicateOrderError, notPlacedReason, rejectionFields, UNKNOWN_MESSAGES, unknownCauseOf } from '../exchange/order-outcome';
import { DEFAULT_FOLLOW_UP_BACKOFF, DEFAULT_FOLLOW_UP_MS, DEFAULT_GRACE_MS, defaultConfirmGap } from '../exchange/reconciler';
import type { OrderState, OrderStateStore } from '../exchange/order-state';
import { idSchema, isTerminalStatus, orderUpdateFromRest, restOrderSchema } from '../exchange/order-state';
import type { RestClient } from '../exchange/rest-client';
import { isSettledStatus } from '../../shared/domain/order-status';
import type { ConfirmedOrder } from '../../shared/domain/orders';
import { cmp } from '../../shared/money';
import { formatAmount } from '../../shared/money/format';

export type OcoStatus =
  'sending' | 'unknown' | 'accepted' | 'partially-filled' | 'filled' | 'canceled' | 'expired' | 'rejected' | 'not-placed';

export interface OcoOutcome {
  readonly listClientOrderId: string;
  readonly symbol: string;
  readonly status: OcoStatus;
  readonly message: string;
  readonly orderListId: string | null;
  readonly legs: readonly Readonly<OrderState>[];
  readonly code?: number;
  readonly binanceMessage?: string;
  readonly corrected?: boolean;
  /** On 'not-placed': true when inferred from Binance having no record (false: nothing was sent). */
  readonly verified?: boolean;
  readonly at: number;
}

export interface OcoPlacer {
  /** Send once; a second call for the same id returns the outcome in force (or the in-flight promise). */
  place(listClientOrderId: string, order: ConfirmedOrder): Promise<OcoOutcome>;
  /**
   * Find out what happened to a list (after a restart, or an unknown outcome); resolves when settled.
   * `sentAt`: when its request was sent (the journal's createdAt); the grace window counts from it.
   */
  reconcile(listClientOrderId: string, symbol: string, sentAt?: number): Promise<OcoOutcome>;
  get(listClientOrderId: string): OcoOutcome | undefined;
  /** Cancel a whole list (any leg's orderListId). */
  cancelList(symbol: string, orderListId: string): Promise<{ status: 'canceled' | 'not-canceled' | 'unknown'; message: string }>;
  subscribe(listener: (o: OcoOutcome) => void): () => void;
  dispose(): void;
}

export interface OcoPlacerOptions {
  readonly rest: Pick<RestClient, 'request'>;
  readonly orders: OrderStateStore;
  readonly clock?: Clock;
  /** Default 90 s from the send (see reconciler.ts). */
  readonly graceMs?: number;
  /** Default 10 s, or a ninth of graceMs when shorter. */
  readonly confirmGapMs?: number;
  readonly backoff?: BackoffOptions;
  /** Background looks after 'not-placed': how long (default 10 min) and how paced. */
  readonly followUpMs?: number;
  readonly followUpBackoff?: BackoffOptions;
  readonly placeTimeoutMs?: number;
  /** Diagnostics (ids and error texts only). */
  readonly log?: (event: {
    readonly type: 'oco-query-error' | 'oco-reconcile-failed';
    readonly listClientOrderId: string;
    readonly detail: string;
  }) => void;
}

export const legIds = (listClientOrderId: string): { limit: string; stop: string } => ({
  limit: `${listClientOrderId}-l`,
  stop: `${listClientOrderId}-s`,
});

/** Order reports inside a list answer: no updateTime there, transactTime instead. */
const reportSchema = restOrderSchema.partial({ updateTime: true }).extend({ transactTime: z.number().optional() });
const reportsSchema = z.array(reportSchema);

const listSchema = z.object({
  orderListId: idSchema,
  listClientOrderId: z.string(),
  listOrderStatus: z.string(),
  symbol: z.string(),
  orders: z.array(z.object({ symbol: z.string(), orderId: idSchema, clientOrderId: z.string() })),
  orderReports: z.array(z.unknown()).optional(),
});

const SETTLED: ReadonlySet<OcoStatus> = new Set([
  'accepted',
  'partially-filled',
  'filled',
  'canceled',
  'expired',
  'rejected',
  'not-placed',
]);
const RANK: Record<OcoStatus, number> = {
  sending: 0,
  unknown: 1,
  'not-placed': 1,
  accepted: 2,
  'partially-filled': 3,
  filled: 4,
  canceled: 4,
  expired: 4,
  rejected: 4,
};

export function createOcoPlacer(opts: OcoPlacerOptions): OcoPlacer {
  const clock = opts.clock ?? systemClock;
  const graceMs = opts.graceMs ?? DEFAULT_GRACE_MS;
  const confirmGapMs = opts.confirmGapMs ?? defaultConfirmGap(graceMs);
  const followUpMs = opts.followUpMs ?? DEFAULT_FOLLOW_UP_MS;
  const followUpBackoff = opts.followUpBackoff ?? DEFAULT_FOLLOW_UP_BACKOFF;
  const log = opts.log ?? (() => undefined);
  const backoffOptions = opts.backoff ?? { baseMs: 250, capMs: 5_000, minMs: 100 };
  /** When each list's request was sent: the grace window counts from there. */
  const sentAtById = new Map<string, number>();
  const followUps = new Set<string>();
  const book = new Map<string, OcoOutcome>();
  const byListId = new Map<string, string>();
  const inFlight = new Map<string, Promise<OcoOutcome>>();
  const running = new Map<string, Promise<OcoOutcome>>();
  const listeners = new Set<(o: OcoOutcome) => void>();
  const sleeper = createSleeper(clock);
  let disposed = false;

  const put = (next: OcoOutcome): OcoOutcome => {
    const cur = book.get(next.listClientOrderId);
    if (cur !== undefined) {
      if (RANK[cur.status] === 4) return cur;
      if (cur.status === 'not-placed' && next.legs.length === 0) return cur;
      const forward =
        RANK[next.status] > RANK[cur.status] ||
        // Same rank, but a conclusion: without this an absent list stayed 'unknown' for good.
        (next.status === 'not-placed' && !isSettledStatus(cur.status)) ||
        (next.status === cur.status && next.legs.length > 0 && legsChanged(cur.legs, next.legs)) ||
        (cur.status === 'not-placed' && next.legs.length > 0);
      if (!forward) return cur;
      // Once corrected, later updates of the same list stay marked as such.
      if (cur.status === 'not-placed' || cur.corrected === true) next = { ...next, corrected: true };
    }
    book.set(next.listClientOrderId, next);
    if (next.orderListId !== null) byListId.set(next.orderListId, next.listClientOrderId);
    for (const l of [...listeners]) {
      try {
        l(next);
      } catch {
        // A faulty listener must not break the bookkeeping.
      }
    }
    return next;
  };

  /** The list's state from its legs in the store. */
  const fromLegs = (id: string, symbol: string, orderListId: string): OcoOutcome => {
    const ids = legIds(id);
    const legs = [opts.orders.get(ids.limit), opts.orders.get(ids.stop)].filter(
      (o): o is Readonly<OrderState> => o !== undefined && o.symbol === symbol,
    );
    const base = { listClientOrderId: id, symbol, orderListId, legs, at: clock.now() };
    const filledLeg = legs.find((l) => l.status === 'FILLED');
    if (filledLeg !== undefined)
      return {
        ...base,
        status: 'filled',
        message: `Binance filled the ${filledLeg.type === 'LIMIT_MAKER' ? 'limit' : 'stop-limit'} leg (${formatAmount(filledLeg.executedQty)}) and canceled the other.`,
      };
    const traded = legs.find((l) => cmp(l.executedQty, '0') > 0);
    if (traded !== undefined) {
      return isTerminalStatus(traded.status)
        ? {
            ...base,
            status: 'filled',
            message: `Binance filled part (${formatAmount(traded.executedQty)} of ${formatAmount(traded.origQty)}), then the list ended.`,
          }
        : {
            ...base,
            status: 'partially-filled',
            message: `Binance filled part of the OCO: ${formatAmount(traded.executedQty)} of ${formatAmount(traded.origQty)}.`,
          };
    }
    if (legs.length > 0 && legs.every((l) => isTerminalStatus(l.status))) {
      return legs.every((l) => l.status.startsWith('EXPIRED'))
        ? { ...base, status: 'expired', message: 'The OCO expired on Binance without trading.' }
        : { ...base, status: 'canceled', message: 'The OCO was canceled on Binance without trading.' };
    }
    return { ...base, status: 'accepted', message: 'Binance accepted the OCO; both legs are open.' };
  };

  /** Lists whose legs are being read in now: their outcome is put once, with every leg. */
  const applying = new Set<string>();

  const unsubscribe = opts.orders.onOrderUpdate(({ order }) => {
    if (order.orderListId === '-1') return;
    const id = byListId.get(order.orderListId);
    if (id === undefined || applying.has(id)) return;
    const cur = book.get(id);
    if (cur !== undefined) put(fromLegs(id, cur.symbol, order.orderListId));
  });

  const applyReports = (raw: readonly unknown[] | undefined): boolean => {
    const reports = reportsSchema.safeParse(raw ?? []);
    if (!reports.success || reports.data.length === 0) return false;
    for (const r of reports.data)
      opts.orders.apply(orderUpdateFromRest({ ...r, updateTime: r.updateTime ?? r.transactTime ?? clock.now() }), 'query');
    return true;
  };

  const queryLegs = async (symbol: string, orders: readonly { orderId: string }[]): Promise<void> => {
    for (const o of orders) {
      try {
        const r = await opts.rest.request({
          method: 'GET',
          path: '/api/v3/order',
          security: 'USER_DATA',
          weight: 4,
          priority: 'critical',
          params: { symbol, orderId: o.orderId },
          schema: restOrderSchema,
        });
        opts.orders.apply(orderUpdateFromRest(r), 'query');
      } catch {
        // The user data stream or a later look fills it in.
      }
    }
  };

  const applyList = async (id: string, symbol: string, list: z.infer<typeof listSchema>): Promise<OcoOutcome> => {
    byListId.set(list.orderListId, id);
    // Not an OCO with one leg while the other is still being read: one outcome, with both.
    applying.add(id);
    try {
      applyReports(list.orderReports);
      const known = list.orders.filter((o) => opts.orders.get(o.orderId) !== undefined).length;
      if (known < list.orders.length) await queryLegs(symbol, list.orders);
    } finally {
      applying.delete(id);
    }
    return put(fromLegs(id, symbol, list.orderListId));
  };

  const settled = (id: string): boolean => {
    const cur = book.get(id);
    return disposed || (cur !== undefined && SETTLED.has(cur.status));
  };

  const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e)).slice(0, 200);

  /** One GET orderList: 'found' when the list was read and applied. */
  const queryList = async (id: string, symbol: string): Promise<{ result: 'found' | 'not-found' | 'error'; retryAfterMs?: number }> => {
    try {
      const list = await opts.rest.request({
        method: 'GET',
        path: '/api/v3/orderList',
        security: 'USER_DATA',
        weight: 4,
        priority: 'critical',
        params: { origClientOrderId: id },
        schema: listSchema,
      });
      await applyList(id, symbol, list);
      return { result: 'found' };
    } catch (e) {
      if (isExchangeError(e) && e.kind === 'not-found') return { result: 'not-found' };
      // Transport, 5xx, rate limit - or a bug: none of it says anything about the list. Ask again.
      if (!isExchangeError(e)) log({ type: 'oco-query-error', listClientOrderId: id, detail: errorText(e) });
      return { result: 'error', ...(isExchangeError(e) && e.retryAfterMs !== undefined ? { retryAfterMs: e.retryAfterMs } : {}) };
    }
  };

  /** After 'not-placed': keep looking for a while; the list showing up corrects the outcome. */
  const followUp = async (id: string, symbol: string): Promise<void> => {
    const started = clock.now();
    const backoff = createBackoff(followUpBackoff);
    const stillAbsent = (): boolean => !disposed && book.get(id)?.status === 'not-placed';
    while (stillAbsent() && clock.now() - started < followUpMs) {
      await sleeper.sleep(backoff.next());
      if (!stillAbsent()) return;
      const q = await queryList(id, symbol);
      if (!stillAbsent()) return;
      if (q.result === 'not-found') await listCheck(id, symbol);
    }
  };

  const startFollowUp = (id: string, symbol: string): void => {
    if (followUps.has(id) || disposed || followUpMs <= 0) return;
    followUps.add(id);
    void followUp(id, symbol)
      .catch((e: unknown) => log({ type: 'oco-reconcile-failed', listClientOrderId: id, detail: errorText(e) }))
      .finally(() => followUps.delete(id));
  };

  const run = async (id: string, symbol: string): Promise<OcoOutcome> => {
    const backoff = createBackoff(backoffOptions);
    const since = sentAtById.get(id) ?? clock.now();
    let firstAbsentAt: number | undefined;
    for (;;) {
      if (settled(id)) break;
      let delay: number;
      const q = await queryList(id, symbol);
      if (q.result === 'found' || settled(id)) break;
      if (q.result === 'not-found') {
        const lookedAt = clock.now();
        if (lookedAt - since >= graceMs && (firstAbsentAt === undefined || lookedAt - firstAbsentAt >= confirmGapMs)) {
          const listed = await listCheck(id, symbol);
          if (listed === 'found' || settled(id)) break;
          if (listed === 'absent') {
            if (firstAbsentAt === undefined) {
              firstAbsentAt = lookedAt;
            } else {
              put({
                listClientOrderId: id,
                symbol,
                status: 'not-placed',
                orderListId: null,
                legs: [],
                at: clock.now(),
                verified: true,
                message: notPlacedReason('oco', clock.now() - since),
              });
              startFollowUp(id, symbol);
              break;
            }
          }
        }
        const target = firstAbsentAt !== undefined ? firstAbsentAt + confirmGapMs : since + graceMs;
        const untilTarget = target - clock.now();
        delay = untilTarget > 0 ? Math.min(backoff.next(), untilTarget + 1) : backoff.next();
      } else {
        const next = backoff.next();
        delay = q.retryAfterMs !== undefined ? Math.max(q.retryAfterMs, next) : next;
      }
      if (disposed) break;
      await sleeper.sleep(delay);
    }
    return book.get(id) as OcoOutcome;
  };

  const listCheck = async (id: string, symbol: string): Promise<'found' | 'absent' | 'error'> => {
    try {
      const all = await opts.rest.request({
        method: 'GET',
        path: '/api/v3/allOrders',
        security: 'USER_DATA',
        weight: 20,
        priority: 'critical',
        params: { symbol, limit: 1000 },
        schema: z.array(restOrderSchema),
      });
      const ids = legIds(id);
      const legs = all.filter((o) => o.clientOrderId === ids.limit || o.clientOrderId === ids.stop);
      if (legs.length === 0) return 'absent';
      for (const l of legs) opts.orders.apply(orderUpdateFromRest(l), 'query');
      const listId = legs[0]?.orderListId ?? '-1';
      put(fromLegs(id, symbol, listId));
      return 'found';
    } catch {
      return 'error';
    }
  };

  const reconcile = (id: string, symbol: string, sentAt?: number): Promise<OcoOutcome> => {
    const cur = book.get(id);
    if (cur !== undefined && SETTLED.has(cur.status)) return Promise.resolve(cur);
    if (sentAt !== undefined && !sentAtById.has(id)) sentAtById.set(id, Math.min(sentAt, clock.now()));
    if (cur === undefined || cur.status === 'sending') {
      put({
        listClientOrderId: id,
        symbol,
        status: 'unknown',
        orderListId: null,
        legs: [],
        at: clock.now(),
        message: UNKNOWN_MESSAGES.restart,
      });
    }
    let r = running.get(id);
    if (r === undefined) {
      r = run(id, symbol)
        .catch((e: unknown) => {
          // run() treats every query failure as transient; this is a last guard against a bug.
          log({ type: 'oco-reconcile-failed', listClientOrderId: id, detail: errorText(e) });
          return book.get(id) as OcoOutcome;
        })
        .finally(() => running.delete(id));
      running.set(id, r);
    }
    return r;
  };

  const send = async (id: string, order: ConfirmedOrder): Promise<OcoOutcome> => {
    const { symbol, side } = order;
    const ids = legIds(id);
    const limitLeg = { Type: 'LIMIT_MAKER', Price: order.price, ClientOrderId: ids.limit };
    const stopLeg = {
      Type: 'STOP_LOSS_LIMIT',
      Price: order.stopLimitPrice,
      StopPrice: order.stopPrice,
      TimeInForce: order.stopLimitTimeInForce ?? 'GTC',
      ClientOrderId: ids.stop,
    };
    // SELL: the limit leg is above the market and the stop below; BUY: the other way round.
    const [above, below] = side === 'SELL' ? [limitLeg, stopLeg] : [stopLeg, limitLeg];
    const params: Record<string, string> = {
      symbol,
      side,
      quantity: order.quantity ?? '',
      listClientOrderId: id,
      newOrderRespType: 'RESULT',
    };
    for (const [prefix, leg] of [
      ['above', above],
      ['below', below],
    ] as const) {
      for (const [k, v] of Object.entries(leg)) if (v !== undefined) params[`${prefix}${k}`] = v;
    }
    const sentAt = clock.now();
    sentAtById.set(id, sentAt);
    put({
      listClientOrderId: id,
      symbol,
      status: 'sending',
      orderListId: null,
      legs: [],
      at: sentAt,
      message: 'Sending the OCO to Binance.',
    });
    try {
      const list = await opts.rest.request({
        method: 'POST',
        path: '/api/v3/orderList/oco',
        security: 'TRADE',
        weight: 1,
        priority: 'critical',
        changesState: true,
        params,
        schema: listSchema,
        ...(opts.placeTimeoutMs !== undefined ? { timeoutMs: opts.placeTimeoutMs } : {}),
      });
      return await applyList(id, symbol, list);
    } catch (e) {
      if (isDuplicateOrderError(e) || (isExchangeError(e) && e.mayHaveExecuted) || !isExchangeError(e)) {
        const cause = unknownCauseOf(e);
        put({
          listClientOrderId: id,
          symbol,
          status: 'unknown',
          orderListId: null,
          legs: [],
          at: clock.now(),
          message: UNKNOWN_MESSAGES[cause],
        });
        void reconcile(id, symbol, sentAt).catch(() => undefined);
        return book.get(id) as OcoOutcome;
      }
      if (e.kind === 'network') {
        return put({
          listClientOrderId: id,
          symbol,
          status: 'not-placed',
          orderListId: null,
          legs: [],
          at: clock.now(),
          verified: false,
          message: `${e.message} Nothing was sent, so no order was placed.`,
        });
      }
      const f = rejectionFields(e);
      return put({
        listClientOrderId: id,
        symbol,
        status: 'rejected',
        orderListId: null,
        legs: [],
        at: clock.now(),
        message: f.reason,
        ...(f.code !== undefined ? { code: f.code } : {}),
        ...(f.binanceMessage !== undefined ? { binanceMessage: f.binanceMessage } : {}),
      });
    }
  };

  return {
    place(id, order) {
      if (disposed) return Promise.reject(new Error('OCO placer disposed'));
      const pending = inFlight.get(id);
      if (pending !== undefined) return pending;
      const cur = book.get(id);
      if (cur !== undefined) return Promise.resolve(cur);
      const p = send(id, order).finally(() => inFlight.delete(id));
      inFlight.set(id, p);
      return p;
    },
    reconcile,
    get: (id) => book.get(id),
    async cancelList(symbol, orderListId) {
      try {
        const list = await opts.rest.request({
          method: 'DELETE',
          path: '/api/v3/orderList',
          security: 'TRADE',
          weight: 1,
          priority: 'critical',
          changesState: true,
          params: { symbol, orderListId },
          schema: listSchema,
        });
        if (!applyReports(list.orderReports)) await queryLegs(symbol, list.orders);
        return { status: 'canceled', message: 'Binance canceled the OCO (both legs).' };
      } catch (e) {
        if (!isExchangeError(e)) throw e;
        if (e.mayHaveExecuted)
          return { status: 'unknown', message: 'Binance did not confirm the cancel; check the order before trying again.' };
        if (e.kind === 'not-found')
          return { status: 'not-canceled', message: 'The OCO is no longer open (it filled or was already canceled).' };
        return { status: 'not-canceled', message: rejectionFields(e).reason };
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      unsubscribe();
      sleeper.dispose();
      listeners.clear();
    },
  };
}

function legsChanged(a: readonly Readonly<OrderState>[], b: readonly Readonly<OrderState>[]): boolean {
  if (a.length !== b.length) return true;
  return a.some((x, i) => x.status !== b[i]?.status || x.executedQty !== b[i]?.executedQty);
}

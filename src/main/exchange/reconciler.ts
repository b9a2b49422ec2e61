/**
 * Keeps the outcome of every order intent (by clientOrderId) and resolves unknown ones (B4, B18).
 *
 * Evidence comes from two places, whichever is first:
 *  - the order-state store, fed by the user data stream (executionReport) - and by our own
 *    query answers and order responses, so one monotonic merge (B13) orders them all;
 *  - GET /api/v3/order?origClientOrderId=... polled with backoff.
 * Binance may answer -2013 "Order does not exist." for an order that does exist but is not yet
 * visible (research F9: 20-60 s reported), and allOrders can lag as well; in the same incident the
 * user data stream is often down and its events are not replayed. So:
 *  - the grace window (default 90 s) counts from when the request was SENT (the journal's
 *    createdAt after a restart), and inside it -2013 means "not known yet";
 *  - 'not-placed' needs, after the window, two "absent" looks at least confirmGapMs apart, each a
 *    -2013 from GET order followed by an allOrders list that does not show the id;
 *  - even then it stays an inference: the intent is checked again in the background (default
 *    10 min, with backoff) and moves to the order's real state (`corrected`) if it shows up.
 * Any other failure of a query (network, 5xx, rate limit) proves nothing: it is retried with
 * backoff and never turns into a conclusion.
 *
 * Nothing here ever sends an order: reconciliation only reads.
 */
import type { BackoffOptions, Clock } from './backoff';
import { createBackoff, systemClock } from './backoff';
import { createSleeper } from './sleeper';
import { isExchangeError } from './errors';
import {
  advanceOutcome,
  isSettled,
  notPlacedReason,
  outcomeFromOrder,
  resubmittable,
  UNKNOWN_MESSAGES,
  type OrderOutcome,
  type UnknownCause,
} from './order-outcome';
import type { OrderState, OrderStateStore, OrderUpdateInput, OrderUpdateSource } from './order-state';
import { createOrderStateStore, orderUpdateFromRest, restOrderSchema } from './order-state';
import type { RestClient } from './rest-client';
import { z } from 'zod';

export interface ReconcilerOptions {
  readonly rest: Pick<RestClient, 'request'>;
  /** The user data stream's store (userData.orders); a private one when absent (no events then). */
  readonly orders?: OrderStateStore;
  readonly clock?: Clock;
  /** How long after the send -2013 means "not known yet". Default 90 s (research F9: 20-60 s seen). */
  readonly graceMs?: number;
  /**
   * Minimum time between the two absent looks that conclude 'not-placed'. Default 10 s, or a
   * ninth of graceMs when that is shorter (tests shorten the window).
   */
  readonly confirmGapMs?: number;
  /** How long a 'not-placed' intent is still looked for in the background. Default 10 min. */
  readonly followUpMs?: number;
  /** Pacing of those background looks. Default: 5 s doubling to 60 s, at least 2 s. */
  readonly followUpBackoff?: BackoffOptions;
  /** Pacing of the order queries. Default: 250 ms doubling to 5 s, at least 100 ms. */
  readonly backoff?: BackoffOptions;
  /** Timeout of each query; default the REST client's. */
  readonly queryTimeoutMs?: number;
  /** Diagnostics (no secrets: ids, statuses and error kinds only). */
  readonly log?: (event: ReconcileLogEvent) => void;
}

export type ReconcileLogEvent =
  | { readonly type: 'transition'; readonly clientOrderId: string; readonly from?: string; readonly to: string }
  | {
      readonly type: 'query';
      readonly clientOrderId: string;
      readonly result: 'found' | 'not-found' | 'error';
      readonly errorKind?: string;
      readonly detail?: string;
      readonly elapsedMs: number;
    }
  | {
      readonly type: 'list-check';
      readonly clientOrderId: string;
      readonly result: 'found' | 'absent' | 'error';
      readonly detail?: string;
    };

export type OutcomeListener = (outcome: OrderOutcome, previous: OrderOutcome | undefined) => void;

/** Read side of the outcomes, for the app and the UI. */
export interface OrderOutcomes {
  get(clientOrderId: string): OrderOutcome | undefined;
  all(): readonly OrderOutcome[];
  /** Intents whose outcome is not settled yet (sending or unknown). */
  pending(): readonly OrderOutcome[];
  /** Every transition, in order. Returns unsubscribe. */
  subscribe(listener: OutcomeListener): () => void;
  listenerCount(): number;
}

export interface Reconciler {
  readonly outcomes: OrderOutcomes;
  readonly orders: OrderStateStore;
  /** Apply a transition if the state machine allows it; returns the outcome in force afterwards. */
  record(next: OrderOutcome): OrderOutcome;
  /** Start a new attempt of an intent (state 'sending'); false if that could create a second order. */
  beginAttempt(clientOrderId: string, symbol: string): boolean;
  /** Put an exchange order state into the store and advance the intent it belongs to. */
  applyOrder(update: OrderUpdateInput, source: OrderUpdateSource): Readonly<OrderState> | undefined;
  /**
   * Resolve an intent whose outcome is (or may be) unknown. Registers it when this process has
   * not seen it (after a restart). Resolves once the outcome is settled (or on dispose).
   * `sentAt`: when the request was sent (epoch ms; the journal's createdAt after a restart) - the
   * grace window counts from there. Default: now.
   */
  reconcile(clientOrderId: string, symbol: string, cause?: UnknownCause, sentAt?: number): Promise<OrderOutcome>;
  /** Resolves with the first settled outcome of this intent (at once if already settled). */
  whenSettled(clientOrderId: string): Promise<OrderOutcome>;
  /**
   * After a restart: an intent concluded 'not-placed' at `concludedAt` (the journal's time) is
   * looked for again until its follow-up window (counted from then) ends. Emits nothing until
   * there is evidence; false when the window is already over or the intent is known otherwise.
   */
  resumeFollowUp(clientOrderId: string, symbol: string, concludedAt: number, reason: string): boolean;
  dispose(): void;
}

const allOrdersSchema = z.array(restOrderSchema);

export const DEFAULT_GRACE_MS = 90_000;
export const DEFAULT_FOLLOW_UP_MS = 10 * 60_000;
export const DEFAULT_FOLLOW_UP_BACKOFF: BackoffOptions = { baseMs: 5_000, capMs: 60_000, minMs: 2_000 };

/** ~10 s between the two absent looks; proportionally less when the window is shortened. */
export function defaultConfirmGap(graceMs: number): number {
  return Math.min(10_000, Math.max(0, Math.ceil(graceMs / 9)));
}

export function createReconciler(opts: ReconcilerOptions): Reconciler {
  const clock = opts.clock ?? systemClock;
  const orders = opts.orders ?? createOrderStateStore();
  const graceMs = opts.graceMs ?? DEFAULT_GRACE_MS;
  const confirmGapMs = opts.confirmGapMs ?? defaultConfirmGap(graceMs);
  const followUpMs = opts.followUpMs ?? DEFAULT_FOLLOW_UP_MS;
  const followUpBackoff: BackoffOptions = opts.followUpBackoff ?? DEFAULT_FOLLOW_UP_BACKOFF;
  const backoffOptions: BackoffOptions = opts.backoff ?? { baseMs: 250, capMs: 5_000, minMs: 100 };
  const log = opts.log ?? (() => undefined);

  const book = new Map<string, OrderOutcome>();
  const listeners = new Set<OutcomeListener>();
  const waiters = new Map<string, Set<(o: OrderOutcome) => void>>();
  const running = new Map<string, Promise<OrderOutcome>>();
  const followUps = new Set<string>();
  const sleeper = createSleeper(clock);
  let disposed = false;

  const emit = (outcome: OrderOutcome, previous: OrderOutcome | undefined): void => {
    for (const l of [...listeners]) {
      try {
        l(outcome, previous);
      } catch {
        // A faulty listener must not break the bookkeeping of the others.
      }
    }
  };

  const settle = (outcome: OrderOutcome): void => {
    const ws = waiters.get(outcome.clientOrderId);
    if (ws === undefined) return;
    waiters.delete(outcome.clientOrderId);
    for (const w of ws) w(outcome);
  };

  const put = (outcome: OrderOutcome, previous: OrderOutcome | undefined): OrderOutcome => {
    book.set(outcome.clientOrderId, outcome);
    log({ type: 'transition', clientOrderId: outcome.clientOrderId, from: previous?.status, to: outcome.status });
    emit(outcome, previous);
    if (isSettled(outcome)) settle(outcome);
    return outcome;
  };

  const record = (next: OrderOutcome): OrderOutcome => {
    const cur = book.get(next.clientOrderId);
    const advanced = advanceOutcome(cur, next);
    if (advanced === undefined) return cur ?? next;
    return put(advanced, cur);
  };

  /** Move the intent behind this order (if we track it) to the order's state. */
  const advanceFromOrder = (order: Readonly<OrderState>): void => {
    const cur = book.get(order.clientOrderId);
    if (cur === undefined || cur.symbol !== order.symbol) return;
    record(outcomeFromOrder(order, clock.now()));
  };

  const unsubscribeStore = orders.onOrderUpdate((notice) => advanceFromOrder(notice.order));

  const applyOrder = (update: OrderUpdateInput, source: OrderUpdateSource): Readonly<OrderState> | undefined => {
    orders.apply(update, source);
    // Also when the store already knew better (apply returned nothing): the intent may lag behind.
    const state = orders.get(update.orderId);
    if (state !== undefined) advanceFromOrder(state);
    return state;
  };

  const whenSettled = (clientOrderId: string): Promise<OrderOutcome> => {
    const cur = book.get(clientOrderId);
    if (cur !== undefined && isSettled(cur)) return Promise.resolve(cur);
    if (disposed) {
      return cur !== undefined ? Promise.resolve(cur) : Promise.reject(new Error(`no order intent ${clientOrderId}`));
    }
    return new Promise((resolve) => {
      let set = waiters.get(clientOrderId);
      if (set === undefined) {
        set = new Set();
        waiters.set(clientOrderId, set);
      }
      set.add(resolve);
    });
  };

  const settledOrCurrent = (id: string): boolean => {
    const cur = book.get(id);
    return disposed || (cur !== undefined && isSettled(cur));
  };

  /** Last look before concluding absence: does the symbol's recent order list show the id? */
  const listCheck = async (id: string, symbol: string): Promise<'found' | 'absent' | 'error'> => {
    try {
      const list = await opts.rest.request({
        method: 'GET',
        path: '/api/v3/allOrders',
        security: 'USER_DATA',
        weight: 20,
        priority: 'critical',
        params: { symbol, limit: 1000 },
        schema: allOrdersSchema,
        ...(opts.queryTimeoutMs !== undefined ? { timeoutMs: opts.queryTimeoutMs } : {}),
      });
      // The newest order with this id, as GET /api/v3/order would return it.
      let found: (typeof list)[number] | undefined;
      for (const o of list) if (o.clientOrderId === id && (found === undefined || BigInt(o.orderId) > BigInt(found.orderId))) found = o;
      if (found === undefined) {
        log({ type: 'list-check', clientOrderId: id, result: 'absent' });
        return 'absent';
      }
      applyOrder(orderUpdateFromRest(found), 'query');
      log({ type: 'list-check', clientOrderId: id, result: 'found' });
      return 'found';
    } catch (e) {
      log({
        type: 'list-check',
        clientOrderId: id,
        result: 'error',
        ...(isExchangeError(e) ? {} : { detail: e instanceof Error ? e.message : String(e) }),
      });
      return 'error';
    }
  };

  /** One GET order; 'found' when it settled (or corrected) the intent. */
  const queryOnce = async (
    id: string,
    symbol: string,
    since: number,
  ): Promise<{ result: 'found' | 'not-found' | 'error'; error?: unknown }> => {
    try {
      const o = await opts.rest.request({
        method: 'GET',
        path: '/api/v3/order',
        security: 'USER_DATA',
        weight: 4,
        priority: 'critical',
        params: { symbol, origClientOrderId: id },
        schema: restOrderSchema,
        ...(opts.queryTimeoutMs !== undefined ? { timeoutMs: opts.queryTimeoutMs } : {}),
      });
      log({ type: 'query', clientOrderId: id, result: 'found', elapsedMs: clock.now() - since });
      applyOrder(orderUpdateFromRest(o), 'query');
      return { result: 'found' };
    } catch (e) {
      const elapsed = clock.now() - since;
      if (isExchangeError(e) && e.kind === 'not-found') {
        log({ type: 'query', clientOrderId: id, result: 'not-found', elapsedMs: elapsed });
        return { result: 'not-found' };
      }
      const kind = isExchangeError(e) ? e.kind : 'error';
      log({
        type: 'query',
        clientOrderId: id,
        result: 'error',
        errorKind: kind,
        elapsedMs: elapsed,
        ...(isExchangeError(e) ? {} : { detail: e instanceof Error ? e.message.slice(0, 200) : String(e) }),
      });
      return { result: 'error', error: e };
    }
  };

  /**
   * After 'not-placed': keep looking for a while, because an order Binance could not show for a
   * minute or two may still be there. Evidence moves the intent on with `corrected: true`.
   */
  const followUp = async (id: string, symbol: string, deadline: number): Promise<void> => {
    const started = clock.now();
    const backoff = createBackoff(followUpBackoff);
    const stillAbsent = (): boolean => !disposed && book.get(id)?.status === 'not-placed';
    while (stillAbsent() && clock.now() < deadline) {
      await sleeper.sleep(backoff.next());
      if (!stillAbsent() || clock.now() >= deadline) return;
      const known = orders.get(id);
      if (known !== undefined && known.symbol === symbol) advanceFromOrder(known);
      if (!stillAbsent()) return;
      const q = await queryOnce(id, symbol, started);
      if (!stillAbsent()) return;
      // allOrders can show an order that GET order still denies.
      if (q.result === 'not-found') await listCheck(id, symbol);
    }
  };

  const startFollowUp = (id: string, symbol: string, concludedAt = clock.now()): void => {
    if (followUps.has(id) || disposed || followUpMs <= 0) return;
    followUps.add(id);
    void followUp(id, symbol, concludedAt + followUpMs)
      .catch((e: unknown) =>
        log({
          type: 'query',
          clientOrderId: id,
          result: 'error',
          errorKind: 'error',
          detail: e instanceof Error ? e.message.slice(0, 200) : String(e),
          elapsedMs: 0,
        }),
      )
      .finally(() => followUps.delete(id));
  };

  const run = async (id: string, symbol: string): Promise<void> => {
    const backoff = createBackoff(backoffOptions);
    /** When the first absent look (after the window) was made. */
    let firstAbsentAt: number | undefined;
    for (;;) {
      if (settledOrCurrent(id)) return;
      const cur = book.get(id);
      const since = cur?.status === 'unknown' ? cur.since : clock.now();
      // The user data stream may already have told us.
      const known = orders.get(id);
      if (known !== undefined && known.symbol === symbol) {
        advanceFromOrder(known);
        if (settledOrCurrent(id)) return;
      }
      let delay: number;
      const q = await queryOnce(id, symbol, since);
      if (settledOrCurrent(id)) return;
      if (q.result === 'found') {
        // The answer was for another order (cannot happen with origClientOrderId) - keep looking.
        delay = backoff.next();
      } else if (q.result === 'not-found') {
        const elapsed = clock.now() - since;
        const lookedAt = clock.now();
        if (elapsed >= graceMs && (firstAbsentAt === undefined || lookedAt - firstAbsentAt >= confirmGapMs)) {
          const listed = await listCheck(id, symbol);
          if (settledOrCurrent(id)) return;
          if (listed === 'absent') {
            if (firstAbsentAt === undefined) {
              firstAbsentAt = lookedAt;
            } else {
              record({
                clientOrderId: id,
                symbol,
                at: clock.now(),
                status: 'not-placed',
                verified: true,
                reason: notPlacedReason('order', clock.now() - since),
              });
              startFollowUp(id, symbol);
              return;
            }
          }
        }
        // Make sure one query lands just after the window ends, and one just after the gap.
        const target = firstAbsentAt !== undefined ? firstAbsentAt + confirmGapMs : since + graceMs;
        const untilTarget = target - clock.now();
        delay = untilTarget > 0 ? Math.min(backoff.next(), untilTarget + 1) : backoff.next();
      } else {
        // Anything else (transport, 5xx, rate limit, even a bug) proves nothing: ask again later.
        const next = backoff.next();
        const retryAfter = isExchangeError(q.error) ? q.error.retryAfterMs : undefined;
        delay = retryAfter !== undefined ? Math.max(retryAfter, next) : next;
      }
      if (disposed) return;
      await sleeper.sleep(delay);
    }
  };

  const reconcile = (clientOrderId: string, symbol: string, cause: UnknownCause = 'restart', sentAt?: number): Promise<OrderOutcome> => {
    if (disposed) return whenSettled(clientOrderId);
    const cur = book.get(clientOrderId);
    if (cur !== undefined && cur.symbol !== symbol) {
      return Promise.reject(new TypeError(`order intent ${clientOrderId} is for ${cur.symbol}, not ${symbol}`));
    }
    if (cur === undefined || cur.status === 'sending') {
      const now = clock.now();
      if (cur === undefined) {
        book.set(clientOrderId, { clientOrderId, symbol, at: now, status: 'sending' });
      }
      record({
        clientOrderId,
        symbol,
        at: now,
        status: 'unknown',
        cause,
        message: UNKNOWN_MESSAGES[cause],
        since: Math.min(sentAt ?? now, now),
      });
    }
    const settled = whenSettled(clientOrderId);
    const now = book.get(clientOrderId);
    // A placed order that is still open needs no polling: the store keeps it moving.
    if (now !== undefined && now.status === 'unknown' && !running.has(clientOrderId)) {
      const loop = run(clientOrderId, symbol)
        .catch(() => undefined)
        .then(() => book.get(clientOrderId) as OrderOutcome)
        .finally(() => running.delete(clientOrderId));
      running.set(clientOrderId, loop);
    }
    return settled;
  };

  return {
    orders,
    outcomes: {
      get: (id) => book.get(id),
      all: () => [...book.values()],
      pending: () => [...book.values()].filter((o) => !isSettled(o)),
      subscribe(listener) {
        listeners.add(listener);
        return () => {
          listeners.delete(listener);
        };
      },
      listenerCount: () => listeners.size,
    },
    record,
    beginAttempt(clientOrderId, symbol) {
      const cur = book.get(clientOrderId);
      if (!resubmittable(cur)) return false;
      if (cur !== undefined && cur.symbol !== symbol) return false;
      put({ clientOrderId, symbol, at: clock.now(), status: 'sending' }, cur);
      return true;
    },
    applyOrder,
    reconcile,
    whenSettled,
    resumeFollowUp(clientOrderId, symbol, concludedAt, reason) {
      if (disposed || followUpMs <= 0 || clock.now() >= concludedAt + followUpMs) return false;
      const cur = book.get(clientOrderId);
      if (cur !== undefined && cur.status !== 'not-placed') return false;
      if (cur === undefined)
        book.set(clientOrderId, { clientOrderId, symbol, at: concludedAt, status: 'not-placed', verified: true, reason });
      startFollowUp(clientOrderId, symbol, concludedAt);
      return true;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      unsubscribeStore();
      sleeper.dispose();
      // Waiters get what is known now; callers see an unsettled outcome and can reconcile later.
      for (const [id, ws] of waiters) {
        const cur = book.get(id);
        for (const w of ws) if (cur !== undefined) w(cur);
      }
      waiters.clear();
      listeners.clear();
    },
  };
}

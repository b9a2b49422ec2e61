// Over 500 lines on purpose: place, cancel and cancel-all share the send-once rules and the hand-off to the reconciler.
/**
 * The order API the orders feature uses (B4, B7, B18): place, cancel and cancel-all over signed
 * REST, each sent exactly once and never retried blindly, with unknown outcomes resolved by the
 * reconciler.
 *
 * place(intent): the intent is an already validated and formatted draft (decimal strings from
 * filters.ts) plus its clientOrderId (client-order-id.ts), generated once per intent. Then:
 *  - a clean answer            -> the order's state (accepted / partially-filled / filled / ...);
 *  - a clear rejection (4xx)   -> 'rejected' with Binance's code and message and an explanation;
 *    -1021 (clock): the REST client has resynchronised the clock; nothing was placed, the
 *    caller may resubmit the same intent;
 *  - -2010 "Duplicate order sent." -> an open order already has this id: 'unknown' and reconcile
 *    (it is the same intent, already placed) - never a failure;
 *  - 5xx, -1006, -1007, a timeout after the request was written, a connection dropped with the
 *    request pending, an unreadable 2xx -> 'unknown', and reconciliation starts;
 *  - the request could not be sent at all (connection refused, ...) -> 'not-placed'.
 * A second place() of an intent that is in flight, unknown or placed sends nothing: it returns the
 * outcome in force (or the in-flight promise). Only after 'rejected' (nothing placed) or
 * 'not-placed' does a resubmission go to the wire, with the same clientOrderId. Binance rejects a
 * duplicate id only while the first order is open (https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/rest-api.md § New order: newClientOrderId), so this guard - not the exchange -
 * is what prevents a second order after the first one filled.
 *
 * Ids: orderId values stay decimal strings end to end (B7); cancels send them as strings.
 * Placement may go over the WebSocket API instead (`placeTransport`, ws-order-transport.ts): the
 * same parameters, the same single send, and the same outcomes - its errors are classified like
 * REST's (a dropped socket or a missed deadline with the request pending is 'unknown'), and the
 * reconciliation that follows is the same query by clientOrderId over REST.
 */
import { z } from 'zod';
import type { BackoffOptions } from './backoff';
import { createBackoff, systemClock } from './backoff';
import { createSleeper } from './sleeper';
import { isValidClientOrderId, newClientOrderId } from './client-order-id';
import { isExchangeError, type ExchangeError } from './errors';
import type { OrderDraft } from './filters';
import { isDuplicateOrderError, rejectionFields, unknownCauseOf, UNKNOWN_MESSAGES, type OrderOutcome } from './order-outcome';
import type { OrderState, OrderStatus, OrderUpdateInput } from './order-state';
import { idSchema, isTerminalStatus, orderStatusSchema, orderUpdateFromRest, restOrderSchema } from './order-state';
import { createReconciler, type OrderOutcomes, type Reconciler, type ReconcilerOptions } from './reconciler';
import type { PlaceTransport } from './ws-order-transport';

export interface OrderIntent {
  /** From newClientOrderId(), stored with the intent before the first send. */
  readonly clientOrderId: string;
  /** Validated and formatted by filters.ts (ValidationResult.order). */
  readonly order: OrderDraft;
}

export type OrderRef = { readonly orderId: string } | { readonly clientOrderId: string };

export type CancelOutcome =
  | { readonly status: 'canceled'; readonly order: Readonly<OrderState> }
  | {
      readonly status: 'not-canceled';
      /** Plain-language explanation. */
      readonly reason: string;
      readonly code?: number;
      readonly binanceMessage?: string;
      /** The order's true state when it could be read (e.g. FILLED for a cancel that came too late). */
      readonly order?: Readonly<OrderState>;
    }
  | { readonly status: 'unknown'; readonly reason: string };

export type CancelAllOutcome =
  | {
      readonly status: 'done';
      /** Orders Binance reports canceled by this request (or, after an unknown outcome, found canceled). */
      readonly canceled: readonly Readonly<OrderState>[];
      /** Orders of the symbol still open afterwards, when that was checked. */
      readonly stillOpen: readonly Readonly<OrderState>[];
      /** false when the request's own answer was lost and the result comes from queries. */
      readonly confirmed: boolean;
    }
  | { readonly status: 'rejected'; readonly reason: string; readonly code?: number; readonly binanceMessage?: string }
  | { readonly status: 'unknown'; readonly reason: string };

export interface OrderApiOptions extends ReconcilerOptions {
  /** Timeout of a placement or cancel request. Default: the REST client's (10 s). */
  readonly placeTimeoutMs?: number;
  /** RESULT or FULL (FULL adds the fills). Default FULL. */
  readonly respType?: 'RESULT' | 'FULL';
  /** How long a cancel with an unknown outcome is checked by query. Default 10 s. */
  readonly cancelCheckMs?: number;
  /** Pacing of those checks. */
  readonly cancelBackoff?: BackoffOptions;
  /** Id source (tests). */
  readonly newId?: () => string;
  /** Share a reconciler (and its outcomes) instead of creating one from these options. */
  readonly reconciler?: Reconciler;
  /** Place over this transport (the WebSocket API) instead of POST /api/v3/order. */
  readonly placeTransport?: PlaceTransport;
}

export interface OrderApi {
  /** A fresh clientOrderId for a new intent (store it with the intent before calling place). */
  newClientOrderId(): string;
  /** Send the intent once; see the module comment for what each answer becomes. */
  place(intent: OrderIntent): Promise<OrderOutcome>;
  cancel(symbol: string, ref: OrderRef): Promise<CancelOutcome>;
  cancelAll(symbol: string): Promise<CancelAllOutcome>;
  /**
   * Find out what happened to an intent (e.g. after a restart); resolves when settled.
   * `sentAt`: when its request was sent (the journal's createdAt); the grace window counts from it.
   */
  reconcile(clientOrderId: string, symbol: string, sentAt?: number): Promise<OrderOutcome>;
  /** Reconcile many intents (the app's unfinished ones after a restart) before anything else. */
  reconcileAll(
    intents: readonly { readonly clientOrderId: string; readonly symbol: string; readonly sentAt?: number }[],
  ): Promise<readonly OrderOutcome[]>;
  /** Resolves with the first settled outcome of the intent. */
  whenSettled(clientOrderId: string): Promise<OrderOutcome>;
  /** Intents in this process whose outcome is not settled (persist them; reconcile them on start). */
  pending(): readonly OrderOutcome[];
  readonly outcomes: OrderOutcomes;
  readonly reconciler: Reconciler;
  dispose(): void;
}

const decimalString = z.string().regex(/^-?\d+(\.\d+)?$/);

/** POST /api/v3/order with RESULT / FULL (https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/rest-api.md § New order). */
const newOrderResponseSchema = z.object({
  symbol: z.string(),
  orderId: idSchema,
  orderListId: idSchema.optional(),
  clientOrderId: z.string(),
  transactTime: z.number(),
  price: decimalString.optional(),
  origQty: decimalString.optional(),
  executedQty: decimalString.optional(),
  cummulativeQuoteQty: decimalString.optional(),
  status: orderStatusSchema.optional(),
  timeInForce: z.string().optional(),
  type: z.string().optional(),
  side: z.string().optional(),
  stopPrice: decimalString.optional(),
  workingTime: z.number().optional(),
});

/** DELETE /api/v3/order (https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/rest-api.md § Cancel order). */
const cancelResponseSchema = z.object({
  symbol: z.string(),
  origClientOrderId: z.string(),
  orderId: idSchema,
  orderListId: idSchema.optional(),
  clientOrderId: z.string(),
  transactTime: z.number().optional(),
  price: decimalString,
  origQty: decimalString,
  executedQty: decimalString,
  cummulativeQuoteQty: decimalString,
  status: orderStatusSchema,
  timeInForce: z.string(),
  type: z.string(),
  side: z.string(),
  stopPrice: decimalString.optional(),
});
type CancelResponse = z.infer<typeof cancelResponseSchema>;

/** DELETE /api/v3/openOrders: plain cancels and, for order lists, a list report with orderReports. */
const cancelAllResponseSchema = z.array(
  z.union([z.object({ orderListId: idSchema, orderReports: z.array(cancelResponseSchema) }), cancelResponseSchema]),
);
const openOrdersSchema = z.array(restOrderSchema);

const PLAIN_DECIMAL = /^\d+(\.\d+)?$/;

export function createOrderApi(opts: OrderApiOptions): OrderApi {
  const reconciler = opts.reconciler ?? createReconciler(opts);
  const clock = opts.clock ?? systemClock;
  const respType = opts.respType ?? 'FULL';
  const cancelCheckMs = opts.cancelCheckMs ?? 10_000;
  const cancelBackoffOptions = opts.cancelBackoff ?? { baseMs: 200, capMs: 2_000, minMs: 100 };
  const newId = opts.newId ?? (() => newClientOrderId());
  const inFlight = new Map<string, Promise<OrderOutcome>>();
  const sleeper = createSleeper(clock);
  let disposed = false;
  const timeout = opts.placeTimeoutMs !== undefined ? { timeoutMs: opts.placeTimeoutMs } : {};

  /** `sentAt`: when the request left; the grace window counts from there, not from the error. */
  const startUnknown = (clientOrderId: string, symbol: string, e: unknown, sentAt: number): OrderOutcome => {
    const cause = unknownCauseOf(e);
    const now = clock.now();
    reconciler.record({
      clientOrderId,
      symbol,
      at: now,
      status: 'unknown',
      cause,
      message: UNKNOWN_MESSAGES[cause],
      since: Math.min(sentAt, now),
      ...(isExchangeError(e) && e.httpStatus !== undefined ? { httpStatus: e.httpStatus } : {}),
      ...(isExchangeError(e) && e.binanceCode !== undefined ? { code: e.binanceCode } : {}),
    });
    void reconciler.reconcile(clientOrderId, symbol, cause, sentAt).catch(() => undefined);
    return current(clientOrderId);
  };

  const current = (clientOrderId: string): OrderOutcome => {
    const o = reconciler.outcomes.get(clientOrderId);
    if (o === undefined) throw new Error(`no outcome for ${clientOrderId}`);
    return o;
  };

  const send = async (intent: OrderIntent): Promise<OrderOutcome> => {
    const { clientOrderId, order } = intent;
    const symbol = order.symbol;
    let res: z.infer<typeof newOrderResponseSchema>;
    const sentAt = clock.now();
    const params = {
      symbol,
      side: order.side,
      type: order.type,
      timeInForce: order.timeInForce,
      quantity: order.quantity,
      quoteOrderQty: order.quoteOrderQty,
      price: order.price,
      stopPrice: order.stopPrice,
      icebergQty: order.icebergQty,
      trailingDelta: order.trailingDelta,
      newClientOrderId: clientOrderId,
      newOrderRespType: respType,
    };
    try {
      if (opts.placeTransport !== undefined) {
        const raw = await opts.placeTransport(params, timeout);
        const parsed = newOrderResponseSchema.safeParse(raw);
        // An unreadable answer to a placement that was sent: the order may exist. Find out.
        if (!parsed.success) return startUnknown(clientOrderId, symbol, undefined, sentAt);
        res = parsed.data;
      } else {
        res = await opts.rest.request({
          method: 'POST',
          path: '/api/v3/order',
          security: 'TRADE',
          weight: 1,
          priority: 'critical',
          changesState: true,
          params,
          schema: newOrderResponseSchema,
          ...timeout,
        });
      }
    } catch (e) {
      if (isDuplicateOrderError(e)) return startUnknown(clientOrderId, symbol, e, sentAt);
      if (isExchangeError(e)) {
        if (e.mayHaveExecuted) return startUnknown(clientOrderId, symbol, e, sentAt);
        if (e.kind === 'network') {
          // Proven not written to the wire (connection refused, DNS, ...).
          return reconciler.record({
            clientOrderId,
            symbol,
            at: clock.now(),
            status: 'not-placed',
            verified: false,
            reason: `${e.message} Nothing was sent, so no order was placed.`,
          });
        }
        return reconciler.record({ clientOrderId, symbol, at: clock.now(), status: 'rejected', ...rejectionFields(e) });
      }
      // Not from the transport: we cannot prove the request was not written. Find out.
      return startUnknown(clientOrderId, symbol, e, sentAt);
    }
    if (res.clientOrderId !== clientOrderId || res.symbol !== symbol) {
      // An answer for another order would be a protocol fault; the truth is in the query.
      return startUnknown(clientOrderId, symbol, undefined, sentAt);
    }
    const status: OrderStatus = res.status ?? 'NEW';
    const update: OrderUpdateInput = {
      symbol: res.symbol,
      orderId: res.orderId,
      clientOrderId: res.clientOrderId,
      side: res.side ?? order.side,
      type: res.type ?? order.type,
      timeInForce: res.timeInForce ?? order.timeInForce ?? '',
      price: res.price ?? order.price ?? '0',
      origQty: res.origQty ?? order.quantity ?? '0',
      stopPrice: res.stopPrice ?? order.stopPrice ?? '0',
      status,
      executedQty: res.executedQty ?? '0',
      cumulativeQuoteQty: res.cummulativeQuoteQty ?? '0',
      orderListId: res.orderListId ?? '-1',
      createdAt: res.transactTime,
      updateTime: res.transactTime,
    };
    reconciler.applyOrder(update, 'query');
    return current(clientOrderId);
  };

  const place = (intent: OrderIntent): Promise<OrderOutcome> => {
    const { clientOrderId, order } = intent;
    if (disposed) return Promise.reject(new Error('order API disposed'));
    if (!isValidClientOrderId(clientOrderId)) {
      return Promise.reject(new TypeError(`clientOrderId must match ^[a-zA-Z0-9-_.]{1,36}$: ${JSON.stringify(clientOrderId)}`));
    }
    for (const field of ['quantity', 'quoteOrderQty', 'price', 'stopPrice', 'icebergQty'] as const) {
      const v = order[field];
      if (v !== undefined && !PLAIN_DECIMAL.test(v)) {
        return Promise.reject(
          new TypeError(`${field} must be a plain decimal string (validate the draft with filters.ts first): ${JSON.stringify(v)}`),
        );
      }
    }
    const pending = inFlight.get(clientOrderId);
    if (pending !== undefined) return pending;
    if (!reconciler.beginAttempt(clientOrderId, order.symbol)) {
      // In flight, unknown or placed: a second send could create a second order.
      return Promise.resolve(current(clientOrderId));
    }
    const p = send(intent).finally(() => inFlight.delete(clientOrderId));
    inFlight.set(clientOrderId, p);
    return p;
  };

  // ---------------------------------------------------------------- cancels

  const applyCancel = (c: CancelResponse): Readonly<OrderState> | undefined =>
    reconciler.applyOrder(
      {
        symbol: c.symbol,
        orderId: c.orderId,
        clientOrderId: c.origClientOrderId,
        side: c.side,
        type: c.type,
        timeInForce: c.timeInForce,
        price: c.price,
        origQty: c.origQty,
        stopPrice: c.stopPrice ?? '0',
        status: c.status,
        executedQty: c.executedQty,
        cumulativeQuoteQty: c.cummulativeQuoteQty,
        orderListId: c.orderListId ?? '-1',
        createdAt: null,
        updateTime: c.transactTime ?? clock.now(),
      },
      'query',
    );

  const refParams = (ref: OrderRef): { orderId: string } | { origClientOrderId: string } =>
    'orderId' in ref ? { orderId: ref.orderId } : { origClientOrderId: ref.clientOrderId };

  /** The order as Binance has it now; undefined for -2013; throws on other failures. */
  const queryOrder = async (symbol: string, ref: OrderRef): Promise<Readonly<OrderState> | undefined> => {
    try {
      const o = await opts.rest.request({
        method: 'GET',
        path: '/api/v3/order',
        security: 'USER_DATA',
        weight: 4,
        priority: 'critical',
        params: { symbol, ...refParams(ref) },
        schema: restOrderSchema,
        ...(opts.queryTimeoutMs !== undefined ? { timeoutMs: opts.queryTimeoutMs } : {}),
      });
      const update = orderUpdateFromRest(o);
      return reconciler.applyOrder(update, 'query') ?? { ...update, fills: [], source: 'query' };
    } catch (e) {
      if (isExchangeError(e) && e.kind === 'not-found') return undefined;
      throw e;
    }
  };

  const whyNotCanceled = (order: Readonly<OrderState>): string => {
    switch (order.status) {
      case 'FILLED':
        return 'The order had already been filled, so there was nothing left to cancel.';
      case 'CANCELED':
        return 'The order was already canceled.';
      case 'EXPIRED':
      case 'EXPIRED_IN_MATCH':
        return 'The order had already expired.';
      case 'REJECTED':
        return 'The order had been rejected; there was nothing to cancel.';
      default:
        return 'Binance did not cancel the order; it is still open. You can try to cancel it again.';
    }
  };

  const fromQuery = (order: Readonly<OrderState> | undefined, e?: ExchangeError): CancelOutcome => {
    if (order === undefined) {
      return {
        status: 'not-canceled',
        reason: 'Binance does not know this order (it may never have been placed, or it was archived).',
        ...(e?.binanceCode !== undefined ? { code: e.binanceCode } : {}),
        ...(e?.binanceMsg !== undefined ? { binanceMessage: e.binanceMsg } : {}),
      };
    }
    if (order.status === 'CANCELED') return { status: 'canceled', order };
    return {
      status: 'not-canceled',
      reason: whyNotCanceled(order),
      order,
      ...(e?.binanceCode !== undefined ? { code: e.binanceCode } : {}),
      ...(e?.binanceMsg !== undefined ? { binanceMessage: e.binanceMsg } : {}),
    };
  };

  /** After a cancel whose answer was lost: look until the order is terminal or the check time is over. */
  const checkCancel = async (symbol: string, ref: OrderRef): Promise<CancelOutcome> => {
    const backoff = createBackoff(cancelBackoffOptions);
    const started = clock.now();
    let last: Readonly<OrderState> | undefined;
    let seen = false;
    let lastError = '';
    for (;;) {
      try {
        last = await queryOrder(symbol, ref);
        seen = true;
        if (last === undefined || isTerminalStatus(last.status)) return fromQuery(last);
      } catch (e) {
        lastError = e instanceof Error ? e.message : String(e);
      }
      if (clock.now() - started >= cancelCheckMs) break;
      await sleeper.sleep(backoff.next());
      // Disposed (during the look or the wait): no further request from a dead component.
      if (disposed) break;
    }
    if (seen) return fromQuery(last);
    return {
      status: 'unknown',
      reason: `Binance did not confirm the cancel and the order could not be checked (${lastError}). Check the order before trying again.`,
    };
  };

  const cancel = async (symbol: string, ref: OrderRef): Promise<CancelOutcome> => {
    if (disposed) throw new Error('order API disposed');
    try {
      const res = await opts.rest.request({
        method: 'DELETE',
        path: '/api/v3/order',
        security: 'TRADE',
        weight: 1,
        priority: 'critical',
        changesState: true,
        params: { symbol, ...refParams(ref) },
        schema: cancelResponseSchema,
        ...timeout,
      });
      const order = applyCancel(res);
      if (order !== undefined && order.status === 'CANCELED') return { status: 'canceled', order };
      // The store knows a later state (e.g. an event said FILLED first); report that truth.
      return order !== undefined
        ? fromQuery(order)
        : { status: 'canceled', order: { ...orderUpdateFromCancel(res), fills: [], source: 'query' } };
    } catch (e) {
      if (!isExchangeError(e)) throw e;
      if (e.mayHaveExecuted) return checkCancel(symbol, ref);
      if (e.kind === 'not-found') {
        // -2011 "Unknown order sent.": usually the order just filled or was already canceled.
        try {
          return fromQuery(await queryOrder(symbol, ref), e);
        } catch (qe) {
          return {
            status: 'not-canceled',
            reason: `${e.message} Its current state could not be read: ${qe instanceof Error ? qe.message : String(qe)}`,
            ...codeOf(e),
          };
        }
      }
      const f = rejectionFields(e);
      return { status: 'not-canceled', reason: f.reason, ...codeOf(e) };
    }
  };

  const openOrdersOf = async (symbol: string): Promise<readonly Readonly<OrderState>[]> => {
    const list = await opts.rest.request({
      method: 'GET',
      path: '/api/v3/openOrders',
      security: 'USER_DATA',
      weight: 6,
      priority: 'critical',
      params: { symbol },
      schema: openOrdersSchema,
      ...(opts.queryTimeoutMs !== undefined ? { timeoutMs: opts.queryTimeoutMs } : {}),
    });
    return list.map((o) => {
      const u = orderUpdateFromRest(o);
      return reconciler.applyOrder(u, 'query') ?? { ...u, fills: [], source: 'query' as const };
    });
  };

  const cancelAll = async (symbol: string): Promise<CancelAllOutcome> => {
    if (disposed) throw new Error('order API disposed');
    // What we believed open, so that after a lost answer we can tell what was canceled.
    const before = reconciler.orders.open().filter((o) => o.symbol === symbol);
    try {
      const res = await opts.rest.request({
        method: 'DELETE',
        path: '/api/v3/openOrders',
        security: 'TRADE',
        weight: 1,
        priority: 'critical',
        changesState: true,
        params: { symbol },
        schema: cancelAllResponseSchema,
        ...timeout,
      });
      const canceled: Readonly<OrderState>[] = [];
      for (const item of res) {
        const reports = 'orderReports' in item ? item.orderReports : [item];
        for (const r of reports) canceled.push(applyCancel(r) ?? { ...orderUpdateFromCancel(r), fills: [], source: 'query' });
      }
      return { status: 'done', canceled, stillOpen: [], confirmed: true };
    } catch (e) {
      if (!isExchangeError(e)) throw e;
      if (e.kind === 'not-found') {
        // -2011 on cancel-all: there was no open order on the symbol. Check, cheaply.
        try {
          return { status: 'done', canceled: [], stillOpen: await openOrdersOf(symbol), confirmed: true };
        } catch (qe) {
          // Unchecked, "nothing canceled" must not read as "nothing open": say we do not know.
          return {
            status: 'unknown',
            reason: `Binance reported no open order to cancel on ${symbol}, but the open orders could not be checked (${qe instanceof Error ? qe.message : String(qe)}). Check Open orders.`,
          };
        }
      }
      if (!e.mayHaveExecuted) {
        return { status: 'rejected', reason: rejectionFields(e).reason, ...codeOf(e) };
      }
      return checkCancelAll(symbol, before);
    }
  };

  const checkCancelAll = async (symbol: string, before: readonly Readonly<OrderState>[]): Promise<CancelAllOutcome> => {
    const backoff = createBackoff(cancelBackoffOptions);
    const started = clock.now();
    let lastError: string;
    for (;;) {
      try {
        const stillOpen = await openOrdersOf(symbol);
        const open = new Set(stillOpen.map((o) => o.orderId));
        const canceled: Readonly<OrderState>[] = [];
        for (const o of before) {
          if (open.has(o.orderId)) continue;
          const now = await queryOrder(symbol, { orderId: o.orderId }).catch(() => undefined);
          if (now !== undefined && now.status === 'CANCELED') canceled.push(now);
        }
        return { status: 'done', canceled, stillOpen, confirmed: false };
      } catch (e) {
        lastError = e instanceof Error ? e.message : String(e);
      }
      if (clock.now() - started >= cancelCheckMs) break;
      await sleeper.sleep(backoff.next());
      // Disposed (during the look or the wait): no further request from a dead component.
      if (disposed) break;
    }
    return {
      status: 'unknown',
      reason: `Binance did not confirm the cancel and the open orders could not be read (${lastError}). Check your open orders.`,
    };
  };

  return {
    newClientOrderId: newId,
    place,
    cancel,
    cancelAll,
    reconcile: (clientOrderId, symbol, sentAt) => reconciler.reconcile(clientOrderId, symbol, 'restart', sentAt),
    reconcileAll: (intents) => Promise.all(intents.map((i) => reconciler.reconcile(i.clientOrderId, i.symbol, 'restart', i.sentAt))),
    whenSettled: (id) => reconciler.whenSettled(id),
    pending: () => reconciler.outcomes.pending(),
    outcomes: reconciler.outcomes,
    reconciler,
    dispose() {
      if (disposed) return;
      disposed = true;
      sleeper.dispose();
      reconciler.dispose();
    },
  };
}

function orderUpdateFromCancel(c: CancelResponse): Omit<OrderState, 'fills' | 'source'> {
  return {
    symbol: c.symbol,
    orderId: c.orderId,
    clientOrderId: c.origClientOrderId,
    side: c.side,
    type: c.type,
    timeInForce: c.timeInForce,
    price: c.price,
    origQty: c.origQty,
    stopPrice: c.stopPrice ?? '0',
    status: c.status,
    executedQty: c.executedQty,
    cumulativeQuoteQty: c.cummulativeQuoteQty,
    orderListId: c.orderListId ?? '-1',
    createdAt: null,
    updateTime: c.transactTime ?? 0,
  };
}

function codeOf(e: ExchangeError): { code?: number; binanceMessage?: string } {
  return {
    ...(e.binanceCode !== undefined ? { code: e.binanceCode } : {}),
    ...(e.binanceMsg !== undefined ? { binanceMessage: e.binanceMsg } : {}),
  };
}

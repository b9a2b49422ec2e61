/**
 * The outcome of one order intent (one clientOrderId) and the only transitions it may take (B4).
 *
 *   sending ──> unknown ──> accepted ──> partially-filled ──> filled | canceled | expired | rejected
 *      │           │  └──────────────────────────────────────> (any of the above, skipping steps)
 *      │           └──> not-placed
 *      └──> rejected (a clear 4xx) | not-placed (never written to the wire) | any placed state
 *
 * Outcomes only move forward. Two deliberate exceptions, both explicit:
 *  - `not-placed` is an inference (no trace of the order after the grace window and two looks). If the exchange
 *    later shows the order after all, that evidence wins and the outcome moves to the order's real
 *    state with `corrected: true`: reporting a live order as absent would be the worse error.
 *  - After `rejected` (nothing was placed) or `not-placed`, the caller may resubmit the SAME intent
 *    (same clientOrderId); that starts a new attempt at `sending` (see `resubmittable`).
 * Everything else that arrives late or twice (a query answer older than an event, a duplicate
 * event) is ignored.
 */
import { isExchangeError, type ExchangeError, type ExchangeErrorKind } from './errors';
import type { OrderState } from './order-state';
import { cmp } from '../../shared/money';
import { isSettledStatus } from '../../shared/domain/order-status';

export type PlacedStatus = 'accepted' | 'partially-filled' | 'filled' | 'canceled' | 'expired';
export type OrderOutcomeStatus = 'sending' | 'unknown' | PlacedStatus | 'rejected' | 'not-placed';

/** Why the outcome of a placement is unknown. */
export type UnknownCause =
  | 'server-error' // HTTP 5xx, -1006, -1007
  | 'timeout' // no answer within the client timeout, after the request was written
  | 'connection' // connection dropped with the request pending
  | 'bad-response' // a 2xx we could not read
  | 'duplicate' // -2010 "Duplicate order sent.": an open order already has this id
  | 'restart' // reconciliation asked for by the caller (e.g. after an app restart)
  | 'other';

interface OutcomeBase {
  readonly clientOrderId: string;
  readonly symbol: string;
  /** Local epoch ms of this transition. */
  readonly at: number;
}

export type OrderOutcome =
  | (OutcomeBase & { readonly status: 'sending' })
  | (OutcomeBase & {
      readonly status: 'unknown';
      readonly cause: UnknownCause;
      /** Plain-language explanation for the UI. */
      readonly message: string;
      /** When the outcome became unknown (the grace window counts from here). */
      readonly since: number;
      readonly httpStatus?: number;
      readonly code?: number;
    })
  | (OutcomeBase & {
      readonly status: PlacedStatus;
      readonly order: Readonly<OrderState>;
      /** The order showed up after it had been concluded not placed. */
      readonly corrected?: boolean;
    })
  | (OutcomeBase & {
      readonly status: 'rejected';
      /** Binance error code, when Binance refused the request (absent when the order itself ended REJECTED). */
      readonly code?: number;
      /** Binance's own message, verbatim. */
      readonly binanceMessage?: string;
      /** Plain-language explanation (what happened, what to do). */
      readonly reason: string;
      readonly kind?: ExchangeErrorKind;
      readonly filter?: string;
      readonly retryAfterMs?: number;
      /** The order, when the exchange accepted it and then rejected it (status REJECTED). */
      readonly order?: Readonly<OrderState>;
      /** -1021: the request was not processed; the clock was resynchronised; resubmitting is safe. */
      readonly clockResynced?: boolean;
    })
  | (OutcomeBase & {
      readonly status: 'not-placed';
      readonly reason: string;
      /** The exchange was asked and had no such order (false: the request was never sent). */
      readonly verified: boolean;
    });

/** An outcome in which the exchange has (or had) the order. */
export type PlacedOutcome = Extract<OrderOutcome, { status: PlacedStatus }>;
/** The outcome variant of one status, e.g. OutcomeOf<'unknown'>. */
export type OutcomeOf<S extends OrderOutcomeStatus> = S extends PlacedStatus ? PlacedOutcome : Extract<OrderOutcome, { status: S }>;

const RANK: Readonly<Record<OrderOutcomeStatus, number>> = {
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

export function outcomeRank(status: OrderOutcomeStatus): number {
  return RANK[status];
}

/** No longer waiting for an answer: the caller can show a definite result. */
export function isSettled(o: OrderOutcome): boolean {
  return isSettledStatus(o.status);
}

/** The exchange has (or had) an order for this intent. */
export function isPlaced(o: OrderOutcome): boolean {
  return (
    o.status === 'accepted' ||
    o.status === 'partially-filled' ||
    o.status === 'filled' ||
    o.status === 'canceled' ||
    o.status === 'expired' ||
    (o.status === 'rejected' && o.order !== undefined)
  );
}

/** A new attempt with the same clientOrderId cannot create a second order from this state. */
export function resubmittable(o: OrderOutcome | undefined): boolean {
  if (o === undefined) return true;
  if (o.status === 'not-placed') return true;
  return o.status === 'rejected' && o.order === undefined;
}

/**
 * The outcome that results from `next` arriving while `cur` is in force, or undefined when
 * `next` must be ignored (it would move backwards, or changes nothing).
 */
export function advanceOutcome(cur: OrderOutcome | undefined, next: OrderOutcome): OrderOutcome | undefined {
  if (cur === undefined) return next;
  if (cur.clientOrderId !== next.clientOrderId) throw new Error('advanceOutcome: different intents');
  if (next.status === 'sending') return undefined; // only resubmit() starts a new attempt
  const rc = RANK[cur.status];
  const rn = RANK[next.status];
  if (rc === 4) return undefined;
  if (cur.status === 'not-placed') {
    // Only evidence from the exchange overrides the inference.
    return rn >= 2 && 'order' in next && next.order !== undefined ? ({ ...next, corrected: true } as OrderOutcome) : undefined;
  }
  if (next.status === 'not-placed') return isSettled(cur) ? undefined : next;
  if (rn > rc) return next;
  if (
    rn === rc &&
    (next.status === 'accepted' || next.status === 'partially-filled') &&
    (cur.status === 'accepted' || cur.status === 'partially-filled')
  ) {
    // Same stage: only a fuller (or, at the same fill, later) picture of the order.
    const filled = cmp(next.order.executedQty, cur.order.executedQty);
    if (filled > 0 || (filled === 0 && next.order.updateTime > cur.order.updateTime)) return next;
  }
  return undefined;
}

/** The outcome an exchange order state stands for. */
export function outcomeFromOrder(order: Readonly<OrderState>, at: number): OrderOutcome {
  const base = { clientOrderId: order.clientOrderId, symbol: order.symbol, at };
  switch (order.status) {
    case 'NEW':
    case 'PENDING_NEW':
    case 'PENDING_CANCEL':
      return { ...base, status: 'accepted', order };
    case 'PARTIALLY_FILLED':
      return { ...base, status: 'partially-filled', order };
    case 'FILLED':
      return { ...base, status: 'filled', order };
    case 'CANCELED':
      return { ...base, status: 'canceled', order };
    case 'EXPIRED':
    case 'EXPIRED_IN_MATCH':
      return { ...base, status: 'expired', order };
    case 'REJECTED':
      return { ...base, status: 'rejected', order, reason: 'Binance accepted the order and then rejected it; nothing was traded.' };
  }
}

// ------------------------------------------------------------------ explanations

const MESSAGE_HELP: readonly (readonly [RegExp, string])[] = [
  [/insufficient balance/i, 'Your free balance is not enough for this order (funds held by open orders do not count).'],
  [
    /immediately match and take/i,
    'A post-only (limit maker) order would have traded at once, so Binance refused it. Move the price away from the market.',
  ],
  [/trigger immediately/i, 'The stop price has already been reached, so the stop order would trigger at once. Adjust the stop price.'],
  [/market is closed/i, 'Trading on this pair is paused right now; try again when it reopens.'],
  [/not supported for this symbol|not support for this symbol/i, 'This order type is not available on this pair.'],
  [/liquidity is less than/i, 'There is not enough volume in the order book to fill this market order.'],
  [/disabled on this account|may not place or cancel/i, 'This account is not allowed to trade right now; check your Binance account.'],
  [/not permitted for this account|restricted for this account/i, 'This pair is not available to your account.'],
  [/trading is not enabled/i, 'API trading is not enabled for this key; enable "Spot & Margin trading" for it on Binance.'],
  [/cancel restrictions/i, 'The order was not canceled because it is no longer in the state the cancel was restricted to.'],
  [/price \* qty is zero/i, 'The order value is zero; check the price and the quantity.'],
];

export const CLOCK_REJECTION_REASON =
  "Binance refused the order because your computer's clock was out of step with Binance's; nothing was placed. Perch has resynchronised its clock: you can send the order again.";

/** A sentence for the user about why Binance refused a request. */
export function explainRejection(e: ExchangeError): string {
  if (e.binanceCode === -1021 || e.kind === 'clock') return CLOCK_REJECTION_REASON;
  const msg = e.binanceMsg ?? '';
  for (const [pattern, help] of MESSAGE_HELP) if (pattern.test(msg)) return help;
  // The taxonomy's messages are already written for people (filters, keys, bans, rate limits).
  return e.message;
}

/** Rejection fields for an outcome, from the error that caused it. */
export function rejectionFields(e: ExchangeError): {
  reason: string;
  code?: number;
  binanceMessage?: string;
  kind: ExchangeErrorKind;
  filter?: string;
  retryAfterMs?: number;
  clockResynced?: boolean;
} {
  return {
    reason: explainRejection(e),
    kind: e.kind,
    ...(e.binanceCode !== undefined ? { code: e.binanceCode } : {}),
    ...(e.binanceMsg !== undefined ? { binanceMessage: e.binanceMsg } : {}),
    ...(e.filter !== undefined ? { filter: e.filter } : {}),
    ...(e.retryAfterMs !== undefined ? { retryAfterMs: e.retryAfterMs } : {}),
    ...(e.kind === 'clock' ? { clockResynced: true } : {}),
  };
}

/** -2010 "Duplicate order sent.": an open order already carries this clientOrderId. */
export function isDuplicateOrderError(e: unknown): boolean {
  return isExchangeError(e) && e.binanceCode === -2010 && /duplicate/i.test(e.binanceMsg ?? '');
}

/** Why a placement's outcome is unknown, from the error that left it so. */
export function unknownCauseOf(e: unknown): UnknownCause {
  if (!isExchangeError(e)) return 'other';
  if (isDuplicateOrderError(e)) return 'duplicate';
  if (e.kind === 'bad-response') return 'bad-response';
  if (e.httpStatus !== undefined && e.httpStatus >= 500) return 'server-error';
  if (e.binanceCode === -1006 || e.binanceCode === -1007) return 'server-error';
  if (e.code === 'exchange.unknown-outcome.connection') return 'connection';
  if (e.kind === 'unknown-outcome') return /within|answer/i.test(e.message) ? 'timeout' : 'connection';
  return 'other';
}

/** How long ago, in words: "95 s" or "4 min". */
function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 120 ? `${s} s` : `${Math.round(s / 60)} min`;
}

/**
 * Why an intent is concluded 'not-placed' after reconciliation. It is an inference, so it never
 * invites an immediate resend: a second order with a new id would not be caught as a duplicate.
 */
export function notPlacedReason(kind: 'order' | 'oco', elapsedMs: number): string {
  const what = kind === 'oco' ? 'this OCO' : 'this order';
  return `Probably not placed: Binance has no record of ${what} ${ago(elapsedMs)} after it was sent. Check Open orders before placing it again; Perch keeps checking for a few more minutes.`;
}

export const UNKNOWN_MESSAGES: Readonly<Record<UnknownCause, string>> = {
  'server-error':
    'Binance reported an internal problem and could not confirm the order; it may or may not have been placed. Perch is checking with Binance.',
  timeout: 'Binance did not answer in time; the order may or may not have been placed. Perch is checking with Binance.',
  connection: 'The connection dropped before Binance answered; the order may or may not have been placed. Perch is checking with Binance.',
  'bad-response': 'Binance answered with something Perch could not read; the order was probably placed. Perch is checking with Binance.',
  duplicate: 'Binance already has an open order from this same request; Perch is looking it up.',
  restart: 'Perch is checking with Binance what happened to this order.',
  other: 'Perch could not tell whether the order reached Binance. Perch is checking with Binance.',
};

import { z } from 'zod';
import { EnvironmentId } from './environment';
import {
  AssetCode,
  CODE_MAX_LENGTH,
  DECIMAL_MAX_LENGTH,
  DecimalString,
  NonNegativeDecimalString,
  TEXT_MAX_LENGTH,
  TimestampMs,
} from './primitives';

/**
 * Manual orders: the form's draft, the pre-flight verdict, the confirmation, open orders, history
 * and outcomes. Every amount is a decimal string; what a person typed stays a string until main
 * has checked it, so pre-flight can explain a bad value instead of the schema refusing it.
 */

export const SymbolCode = z
  .string()
  .max(30)
  .regex(/^[A-Z0-9]{2,30}$/, 'must be an upper-case symbol like "BTCUSDT"');
export type SymbolCode = z.infer<typeof SymbolCode>;

/**
 * 64-bit exchange ids travel as decimal strings (they may exceed 2^53). Order and trade ids are
 * never negative: the same pattern the orders repository keys them by, so an id the contract
 * lets through is one the repository takes.
 */
export const EXCHANGE_ID_PATTERN = /^\d{1,20}$/;
export const ExchangeId = z.string().max(20).regex(EXCHANGE_ID_PATTERN, 'must be a decimal id');
export type ExchangeId = z.infer<typeof ExchangeId>;

/** An order list id, or "-1" for an order that is not part of a list (Binance's convention). */
export const OrderListId = z
  .string()
  .max(21)
  .regex(/^(-1|\d{1,20})$/, 'must be a decimal id or -1');
export type OrderListId = z.infer<typeof OrderListId>;

export const ClientOrderId = z
  .string()
  .max(36)
  .regex(/^[a-zA-Z0-9\-_.]{1,36}$/, 'must be a client order id');
export type ClientOrderId = z.infer<typeof ClientOrderId>;

export const OrderSide = z.enum(['BUY', 'SELL']);
export type OrderSide = z.infer<typeof OrderSide>;

/** What the form offers. OCO is one order list of two legs (a limit maker and a stop-limit). */
export const FormOrderType = z.enum(['LIMIT', 'MARKET', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT_LIMIT', 'LIMIT_MAKER', 'OCO']);
export type FormOrderType = z.infer<typeof FormOrderType>;

export const TimeInForce = z.enum(['GTC', 'IOC', 'FOK']);
export type TimeInForce = z.infer<typeof TimeInForce>;

/** A value as typed; bounded in length, checked by pre-flight (which can explain what is wrong). */
const Typed = z.string().max(DECIMAL_MAX_LENGTH);

/**
 * The form's draft. Fields by type:
 *  - LIMIT / LIMIT_MAKER: quantity, price (+ timeInForce for LIMIT, default GTC);
 *  - MARKET: quantity (amount of the base asset) or quoteOrderQty (amount of the quote asset);
 *  - STOP_LOSS_LIMIT / TAKE_PROFIT_LIMIT: quantity, price, stopPrice (+ timeInForce);
 *  - OCO: quantity, price (the limit-maker leg), stopPrice and stopLimitPrice (the stop-limit
 *    leg) and stopLimitTimeInForce (default GTC).
 */
export const OrderDraftInput = z
  .object({
    symbol: SymbolCode,
    side: OrderSide,
    type: FormOrderType,
    quantity: Typed.optional(),
    quoteOrderQty: Typed.optional(),
    price: Typed.optional(),
    stopPrice: Typed.optional(),
    timeInForce: TimeInForce.optional(),
    stopLimitPrice: Typed.optional(),
    stopLimitTimeInForce: TimeInForce.optional(),
  })
  .strict();
export type OrderDraftInput = z.infer<typeof OrderDraftInput>;

/** The exact order that is sent: canonical decimal strings, every field the type needs and no other. */
export const ConfirmedOrder = z
  .object({
    symbol: SymbolCode,
    side: OrderSide,
    type: FormOrderType,
    quantity: NonNegativeDecimalString.optional(),
    quoteOrderQty: NonNegativeDecimalString.optional(),
    price: NonNegativeDecimalString.optional(),
    stopPrice: NonNegativeDecimalString.optional(),
    timeInForce: TimeInForce.optional(),
    stopLimitPrice: NonNegativeDecimalString.optional(),
    stopLimitTimeInForce: TimeInForce.optional(),
  })
  .strict();
export type ConfirmedOrder = z.infer<typeof ConfirmedOrder>;

export const DraftField = z.enum([
  'symbol',
  'side',
  'type',
  'quantity',
  'quoteOrderQty',
  'price',
  'stopPrice',
  'timeInForce',
  'stopLimitPrice',
  'stopLimitTimeInForce',
]);
export type DraftField = z.infer<typeof DraftField>;

/** A one-click fix: set `field` to `value`. Never applied by main on its own. */
export const Correction = z.object({
  field: DraftField,
  value: z.string().max(DECIMAL_MAX_LENGTH),
  /** e.g. "Use 0.00123" */
  label: z.string().max(TEXT_MAX_LENGTH),
});
export type Correction = z.infer<typeof Correction>;

export const PreflightIssue = z.object({
  /** The filter or rule: LOT_SIZE, NOTIONAL, PRICE_FILTER, BALANCE, PARAMETERS, SYMBOL_STATUS, OCO_PRICES ... */
  code: z.string().max(CODE_MAX_LENGTH),
  field: DraftField,
  /** What is wrong, in plain words. */
  message: z.string().max(TEXT_MAX_LENGTH),
  correction: Correction.nullable(),
});
export type PreflightIssue = z.infer<typeof PreflightIssue>;

export const PreflightWarningCode = z.enum([
  'far-from-market', // a limit price far from the best bid/ask
  'immediate-fill', // a limit that would trade at once as taker
  'most-of-balance', // the order uses most of the free balance
  'symbol-not-trading', // the symbol is halted, in a break, cancel-only ...
  'no-market-data', // no live bid/ask: estimates use the last known price
  'market-estimate', // a market order's price is an estimate
  // the same order was recently concluded "probably not placed" and may still show up on Binance:
  // submitting needs acknowledgePossibleDuplicate: true
  'possible-duplicate',
]);
export type PreflightWarningCode = z.infer<typeof PreflightWarningCode>;

export const PreflightWarning = z.object({ code: PreflightWarningCode, message: z.string().max(TEXT_MAX_LENGTH) });
export type PreflightWarning = z.infer<typeof PreflightWarning>;

export const OrderEstimate = z.object({
  /** price × quantity (or the quote amount) in the quote asset */
  notional: NonNegativeDecimalString,
  /** the price the estimate uses (limit price, or best ask/bid for market orders) */
  price: NonNegativeDecimalString,
  liquidity: z.enum(['maker', 'taker']),
  /** commission rate for this account, side and liquidity ("0.001" = 0.1 %) */
  feeRate: NonNegativeDecimalString,
  fee: NonNegativeDecimalString,
  feeAsset: AssetCode,
  /** BUY: the quote you pay. SELL: the quote you receive after the fee. */
  total: NonNegativeDecimalString,
  totalAsset: AssetCode,
  /** What lands in the account after the fee (base for a buy, quote for a sell). */
  receive: NonNegativeDecimalString,
  receiveAsset: AssetCode,
  /** true when the fee may instead be paid in BNB at a discount */
  bnbDiscount: z.boolean(),
});
export type OrderEstimate = z.infer<typeof OrderEstimate>;

export const AmountPreset = z.object({
  percent: z.union([z.literal(25), z.literal(50), z.literal(75), z.literal(100)]),
  field: z.enum(['quantity', 'quoteOrderQty']),
  /** null when this share is below the symbol's minimum */
  value: NonNegativeDecimalString.nullable(),
  /** what stays in the account, unusable because of step rounding */
  dust: NonNegativeDecimalString,
  dustAsset: AssetCode,
  note: z.string().max(TEXT_MAX_LENGTH).nullable(),
});
export type AmountPreset = z.infer<typeof AmountPreset>;

export const MarketQuote = z.object({
  bid: NonNegativeDecimalString.nullable(),
  ask: NonNegativeDecimalString.nullable(),
  last: NonNegativeDecimalString.nullable(),
  at: TimestampMs.nullable(),
});
export type MarketQuote = z.infer<typeof MarketQuote>;

export const SymbolRules = z.object({
  symbol: SymbolCode,
  baseAsset: AssetCode,
  quoteAsset: AssetCode,
  status: z.string().max(CODE_MAX_LENGTH),
  tickSize: NonNegativeDecimalString.nullable(),
  stepSize: NonNegativeDecimalString.nullable(),
  minQty: NonNegativeDecimalString.nullable(),
  minNotional: NonNegativeDecimalString.nullable(),
  orderTypes: z.array(z.string().max(CODE_MAX_LENGTH)),
  quoteOrderQtyMarketAllowed: z.boolean(),
});
export type SymbolRules = z.infer<typeof SymbolRules>;

/** The lines of the confirmation, exactly as they will be sent. */
export const ConfirmationSummary = z.object({
  token: z.string().max(CODE_MAX_LENGTH),
  expiresAt: TimestampMs,
  order: ConfirmedOrder,
  lines: z.array(z.object({ label: z.string().max(TEXT_MAX_LENGTH), value: z.string().max(TEXT_MAX_LENGTH) })),
});
export type ConfirmationSummary = z.infer<typeof ConfirmationSummary>;

export const PreflightResult = z.object({
  /** No issue and trading allowed: the submit control may enable. */
  ok: z.boolean(),
  /** Why the form is disabled (read-only mode), null when trading is allowed. */
  disabledReason: z.string().max(TEXT_MAX_LENGTH).nullable(),
  rules: SymbolRules.nullable(),
  market: MarketQuote.nullable(),
  /** What would be sent when ok (canonical strings); null otherwise. */
  order: ConfirmedOrder.nullable(),
  issues: z.array(PreflightIssue),
  warnings: z.array(PreflightWarning),
  estimate: OrderEstimate.nullable(),
  /** Free balance the order draws on. */
  available: z.object({ asset: AssetCode, free: NonNegativeDecimalString }).nullable(),
  presets: z.array(AmountPreset),
  /** Present when asked for (confirm: true) and ok. */
  confirmation: ConfirmationSummary.nullable(),
});
export type PreflightResult = z.infer<typeof PreflightResult>;

// ------------------------------------------------------------------ orders as shown

export const OrderView = z.object({
  symbol: SymbolCode,
  orderId: ExchangeId,
  clientOrderId: z.string().max(CODE_MAX_LENGTH),
  /** "-1" when not part of an order list */
  orderListId: OrderListId,
  side: OrderSide,
  type: z.string().max(CODE_MAX_LENGTH),
  timeInForce: z.string().max(CODE_MAX_LENGTH),
  price: NonNegativeDecimalString,
  stopPrice: NonNegativeDecimalString,
  origQty: NonNegativeDecimalString,
  executedQty: NonNegativeDecimalString,
  /** may be negative on old history rows ("not available") */
  cumulativeQuoteQty: DecimalString,
  status: z.string().max(CODE_MAX_LENGTH),
  time: TimestampMs.nullable(),
  updateTime: TimestampMs,
});
export type OrderView = z.infer<typeof OrderView>;

export const OpenOrdersEvent = z.object({
  orders: z.array(OrderView),
  /** OCO legs shown together: list id -> the legs' order ids */
  lists: z.array(z.object({ orderListId: OrderListId, symbol: SymbolCode, orderIds: z.array(ExchangeId) })),
  asOf: TimestampMs,
});
export type OpenOrdersEvent = z.infer<typeof OpenOrdersEvent>;

export const OutcomeStatus = z.enum([
  'sending',
  'unknown',
  'accepted',
  'partially-filled',
  'filled',
  'canceled',
  'expired',
  'rejected',
  'not-placed',
]);
export type OutcomeStatus = z.infer<typeof OutcomeStatus>;

export const OrderOutcomeView = z.object({
  /** the intent: clientOrderId (or listClientOrderId for OCO) */
  clientOrderId: ClientOrderId,
  kind: z.enum(['order', 'oco']),
  symbol: SymbolCode,
  status: OutcomeStatus,
  /** plain words for the person: what happened, what to do */
  message: z.string().max(TEXT_MAX_LENGTH),
  binanceCode: z.number().int().nullable(),
  binanceMessage: z.string().max(TEXT_MAX_LENGTH).nullable(),
  /** the exchange order(s), when known */
  orders: z.array(OrderView),
  orderListId: OrderListId.nullable(),
  /** true when the order showed up after it had been concluded not placed */
  corrected: z.boolean(),
  at: TimestampMs,
});
export type OrderOutcomeView = z.infer<typeof OrderOutcomeView>;

/**
 * An order whose outcome Perch is still finding out (unknown, or "probably not placed" and still
 * looked for): what a switch of environment or key warns about.
 */
export const UnresolvedOrder = z.object({
  clientOrderId: ClientOrderId,
  environment: EnvironmentId,
  symbol: SymbolCode,
  side: z.enum(['BUY', 'SELL']),
  type: z.string().max(40),
  /** base quantity, or the quote amount with quoteOrderQty */
  quantity: z.string().max(60),
  status: z.enum(['unknown', 'not-placed']),
  /** when it was sent */
  at: TimestampMs,
  /** true while a checker of an earlier session (its own environment and key) follows it */
  checkedInBackground: z.boolean(),
});
export type UnresolvedOrder = z.infer<typeof UnresolvedOrder>;

export const FillView = z.object({
  symbol: SymbolCode,
  tradeId: ExchangeId,
  orderId: ExchangeId,
  side: OrderSide,
  price: NonNegativeDecimalString,
  qty: NonNegativeDecimalString,
  quoteQty: NonNegativeDecimalString,
  commission: NonNegativeDecimalString,
  commissionAsset: z.string().max(CODE_MAX_LENGTH),
  time: TimestampMs,
  isMaker: z.boolean(),
});
export type FillView = z.infer<typeof FillView>;

export const OrderHistoryPage = z.object({
  symbol: SymbolCode,
  orders: z.array(OrderView),
  fills: z.array(FillView),
  /** pass as `beforeOrderId` for the next (older) page; null at the end */
  nextBeforeOrderId: ExchangeId.nullable(),
  lastSyncedAt: TimestampMs.nullable(),
});
export type OrderHistoryPage = z.infer<typeof OrderHistoryPage>;

export const SyncProgress = z.object({
  running: z.boolean(),
  done: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  /** the symbol being synced now */
  symbol: SymbolCode.nullable(),
  /** request weight spent by this sync so far */
  weightCost: z.number().int().nonnegative(),
  /** X-MBX-USED-WEIGHT-1M after the last request (of 6,000 per minute on Binance) */
  weightUsed: z.number().int().nonnegative().nullable(),
  ordersAdded: z.number().int().nonnegative(),
  fillsAdded: z.number().int().nonnegative(),
  error: z.string().max(TEXT_MAX_LENGTH).nullable(),
});
export type SyncProgress = z.infer<typeof SyncProgress>;

export const TradableSymbol = z.object({
  symbol: SymbolCode,
  baseAsset: AssetCode,
  quoteAsset: AssetCode,
});
export type TradableSymbol = z.infer<typeof TradableSymbol>;

/** The engine's own records: orders, order lists, trades, and the funds an open order holds. */
import type { SymbolInfo } from '../types';
import type { Decimal } from '../account/money';

export type Side = 'BUY' | 'SELL';
export type OrderType = 'LIMIT' | 'MARKET' | 'STOP_LOSS' | 'STOP_LOSS_LIMIT' | 'TAKE_PROFIT' | 'TAKE_PROFIT_LIMIT' | 'LIMIT_MAKER';
export type TimeInForce = 'GTC' | 'IOC' | 'FOK';
/** PENDING_NEW: the pending order(s) of an OTO / OTOCO list, until its working order fills. */
export type OrderStatus = 'PENDING_NEW' | 'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'REJECTED' | 'EXPIRED';
export type RespType = 'ACK' | 'RESULT' | 'FULL';
export type ExpiryReason =
  'OCO_TRIGGER' | 'UNFILLED_IOC_QUANTITY_EXPIRED' | 'UNFILLED_FOK_ORDER_EXPIRED' | 'INSUFFICIENT_LIQUIDITY' | 'EXCHANGE_CANCELED';

export const ORDER_TYPES: readonly OrderType[] = [
  'LIMIT',
  'MARKET',
  'STOP_LOSS',
  'STOP_LOSS_LIMIT',
  'TAKE_PROFIT',
  'TAKE_PROFIT_LIMIT',
  'LIMIT_MAKER',
];
export const STP_MODES = ['NONE', 'EXPIRE_MAKER', 'EXPIRE_TAKER', 'EXPIRE_BOTH', 'DECREMENT', 'TRANSFER'] as const;

/**
 * Funds reserved for open orders. The two legs of an OCO share one lock (Binance locks the
 * list's quantity once); `perUnit` is what one unit of base quantity holds (price for BUY, 1 for SELL).
 */
export interface Lock {
  readonly asset: string;
  amount: Decimal;
  readonly perUnit: Decimal;
  holders: number;
}

export interface SimOrder {
  readonly accountId: string;
  readonly info: SymbolInfo;
  readonly symbol: string;
  readonly orderId: bigint;
  list: SimOrderList | undefined;
  /** Changes only when the order is amended (amend keep priority takes a new client id). */
  clientOrderId: string;
  readonly side: Side;
  readonly type: OrderType;
  readonly timeInForce: TimeInForce;
  readonly price: Decimal;
  origQty: Decimal;
  readonly quoteOrderQty: Decimal;
  readonly stopPrice: Decimal;
  readonly icebergQty: Decimal | undefined;
  executedQty: Decimal;
  cumQuote: Decimal;
  status: OrderStatus;
  readonly time: number;
  updateTime: number;
  /** -1 until the order works (stop orders before their trigger). */
  workingTime: number;
  readonly stp: string;
  readonly strategyId: string | undefined;
  readonly strategyType: string | undefined;
  expiryReason: ExpiryReason | undefined;
  lock: Lock | undefined;
  /** Stop/take-profit orders wait for their trigger; everything else works at once. */
  triggered: boolean;
}

export interface SimOrderList {
  readonly accountId: string;
  readonly symbol: string;
  readonly orderListId: bigint;
  readonly listClientOrderId: string;
  listStatusType: 'EXEC_STARTED' | 'ALL_DONE';
  listOrderStatus: 'EXECUTING' | 'ALL_DONE';
  /** Absent: OCO. OTO / OTOCO lists: orders[0] is the working order, the rest are pending. */
  readonly contingencyType?: 'OCO' | 'OTO' | 'OTOCO';
  transactionTime: number;
  readonly orders: SimOrder[];
}

export interface SimTrade {
  readonly symbol: string;
  readonly id: bigint;
  readonly orderId: bigint;
  readonly orderListId: bigint | -1;
  readonly price: Decimal;
  readonly qty: Decimal;
  readonly quoteQty: Decimal;
  readonly commission: Decimal;
  readonly commissionAsset: string;
  readonly time: number;
  readonly isBuyer: boolean;
  readonly isMaker: boolean;
}

/** One amend-keep-priority of an order (GET /api/v3/order/amendments). */
export interface Amendment {
  readonly symbol: string;
  readonly orderId: bigint;
  readonly executionId: number;
  readonly origClientOrderId: string;
  readonly newClientOrderId: string;
  readonly origQty: Decimal;
  readonly newQty: Decimal;
  readonly time: number;
}

export interface Fill {
  readonly price: Decimal;
  readonly qty: Decimal;
  readonly commission: Decimal;
  readonly commissionAsset: string;
  readonly tradeId: bigint;
}

export const isStopType = (t: OrderType): boolean =>
  t === 'STOP_LOSS' || t === 'STOP_LOSS_LIMIT' || t === 'TAKE_PROFIT' || t === 'TAKE_PROFIT_LIMIT';
export const hasLimitPrice = (t: OrderType): boolean =>
  t === 'LIMIT' || t === 'LIMIT_MAKER' || t === 'STOP_LOSS_LIMIT' || t === 'TAKE_PROFIT_LIMIT';
export const isOpen = (o: SimOrder): boolean => o.status === 'NEW' || o.status === 'PARTIALLY_FILLED';
/** Open, or pending in an OTO / OTOCO list: counted as open, cancellable. */
export const isLive = (o: SimOrder): boolean => isOpen(o) || o.status === 'PENDING_NEW';

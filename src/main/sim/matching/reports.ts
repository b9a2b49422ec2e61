/**
 * Wire shapes: order responses (ACK / RESULT / FULL, cancel, query), order list responses,
 * executionReport and listStatus events, field for field as https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/rest-api.md and
 * https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/user-data-stream.md show them.
 */
import type { UserDataEvent } from '../types';
import { ZERO, fmt8 } from '../account/money';
import type { Decimal } from '../account/money';
import { isStopType, type Fill, type RespType, type SimOrder, type SimOrderList } from './model';

export const listIdOf = (o: SimOrder): bigint | -1 => o.list?.orderListId ?? -1;

function conditional(o: SimOrder, target: Record<string, unknown>): void {
  if (isStopType(o.type)) target['stopPrice'] = fmt8(o.stopPrice);
  if (o.icebergQty) target['icebergQty'] = fmt8(o.icebergQty);
  if (o.strategyId !== undefined) target['strategyId'] = Number(o.strategyId);
  if (o.strategyType !== undefined) target['strategyType'] = Number(o.strategyType);
}

export function orderAck(o: SimOrder, transactTime: number): Record<string, unknown> {
  return { symbol: o.symbol, orderId: o.orderId, orderListId: listIdOf(o), clientOrderId: o.clientOrderId, transactTime };
}

export function orderResult(o: SimOrder, transactTime: number): Record<string, unknown> {
  const r: Record<string, unknown> = {
    ...orderAck(o, transactTime),
    price: fmt8(o.price),
    origQty: fmt8(o.origQty),
    executedQty: fmt8(o.executedQty),
    origQuoteOrderQty: fmt8(o.quoteOrderQty),
    cummulativeQuoteQty: fmt8(o.cumQuote),
    status: o.status,
    timeInForce: o.timeInForce,
    type: o.type,
    side: o.side,
  };
  conditional(o, r);
  r['workingTime'] = o.workingTime;
  r['selfTradePreventionMode'] = o.stp;
  if (o.expiryReason) r['expiryReason'] = o.expiryReason;
  return r;
}

export function orderReply(o: SimOrder, transactTime: number, respType: RespType, fills: readonly Fill[]): Record<string, unknown> {
  if (respType === 'ACK') return orderAck(o, transactTime);
  const r = orderResult(o, transactTime);
  if (respType === 'FULL') {
    r['fills'] = fills.map((f) => ({
      price: fmt8(f.price),
      qty: fmt8(f.qty),
      commission: fmt8(f.commission),
      commissionAsset: f.commissionAsset,
      tradeId: f.tradeId,
    }));
  }
  return r;
}

export function cancelReply(o: SimOrder, cancelClientOrderId: string, transactTime: number): Record<string, unknown> {
  const r: Record<string, unknown> = {
    symbol: o.symbol,
    origClientOrderId: o.clientOrderId,
    orderId: o.orderId,
    orderListId: listIdOf(o),
    clientOrderId: cancelClientOrderId,
    transactTime,
    price: fmt8(o.price),
    origQty: fmt8(o.origQty),
    executedQty: fmt8(o.executedQty),
    origQuoteOrderQty: fmt8(o.quoteOrderQty),
    cummulativeQuoteQty: fmt8(o.cumQuote),
    status: o.status,
    timeInForce: o.timeInForce,
    type: o.type,
    side: o.side,
  };
  conditional(o, r);
  r['selfTradePreventionMode'] = o.stp;
  return r;
}

/** GET /api/v3/order, openOrders, allOrders. */
export function orderQuery(o: SimOrder): Record<string, unknown> {
  const r: Record<string, unknown> = {
    symbol: o.symbol,
    orderId: o.orderId,
    orderListId: listIdOf(o),
    clientOrderId: o.clientOrderId,
    price: fmt8(o.price),
    origQty: fmt8(o.origQty),
    executedQty: fmt8(o.executedQty),
    cummulativeQuoteQty: fmt8(o.cumQuote),
    status: o.status,
    timeInForce: o.timeInForce,
    type: o.type,
    side: o.side,
    stopPrice: fmt8(o.stopPrice),
    icebergQty: fmt8(o.icebergQty ?? ZERO),
    time: o.time,
    updateTime: o.updateTime,
    isWorking: o.workingTime !== -1 && (o.status === 'NEW' || o.status === 'PARTIALLY_FILLED'),
    workingTime: o.workingTime,
    origQuoteOrderQty: fmt8(o.quoteOrderQty),
    selfTradePreventionMode: o.stp,
  };
  if (o.strategyId !== undefined) r['strategyId'] = Number(o.strategyId);
  if (o.strategyType !== undefined) r['strategyType'] = Number(o.strategyType);
  if (o.expiryReason) r['expiryReason'] = o.expiryReason;
  return r;
}

export function listReply(list: SimOrderList, extra?: { orderReports: Record<string, unknown>[] }): Record<string, unknown> {
  const r: Record<string, unknown> = {
    orderListId: list.orderListId,
    contingencyType: list.contingencyType ?? 'OCO',
    listStatusType: list.listStatusType,
    listOrderStatus: list.listOrderStatus,
    listClientOrderId: list.listClientOrderId,
    transactionTime: list.transactionTime,
    symbol: list.symbol,
    orders: list.orders.map((o) => ({ symbol: o.symbol, orderId: o.orderId, clientOrderId: o.clientOrderId })),
  };
  if (extra) r['orderReports'] = extra.orderReports;
  return r;
}

export interface ReportFields {
  readonly x: 'NEW' | 'CANCELED' | 'TRADE' | 'EXPIRED' | 'REPLACED';
  readonly now: number;
  readonly executionId: number;
  /** The cancel's client id (`c`) and the cancelled order's id (`C`). */
  readonly cancelClientOrderId?: string;
  readonly last?: { qty: Decimal; price: Decimal; commission: Decimal; commissionAsset: string; tradeId: bigint; isMaker: boolean };
}

export function executionReport(o: SimOrder, f: ReportFields): UserDataEvent {
  const last = f.last;
  const marketLike = o.type === 'MARKET' || o.type === 'STOP_LOSS' || o.type === 'TAKE_PROFIT';
  const working = o.workingTime !== -1;
  const onBook = f.x === 'NEW' ? working : working && !marketLike && (o.status === 'NEW' || o.status === 'PARTIALLY_FILLED');
  const ev: Record<string, unknown> & { e: string } = {
    e: 'executionReport',
    E: f.now,
    s: o.symbol,
    c: f.cancelClientOrderId ?? o.clientOrderId,
    S: o.side,
    o: o.type,
    f: o.timeInForce,
    q: fmt8(o.origQty),
    p: fmt8(o.price),
    P: fmt8(o.stopPrice),
    F: fmt8(o.icebergQty ?? ZERO),
    g: listIdOf(o),
    C: f.cancelClientOrderId !== undefined ? o.clientOrderId : '',
    x: f.x,
    X: o.status,
    r: 'NONE',
    i: o.orderId,
    l: fmt8(last?.qty ?? ZERO),
    z: fmt8(o.executedQty),
    L: fmt8(last?.price ?? ZERO),
    n: last ? fmt8(last.commission) : '0',
    N: last ? last.commissionAsset : null,
    T: f.now,
    t: last ? last.tradeId : -1,
    I: f.executionId,
    w: onBook,
    m: last ? last.isMaker : false,
    M: last !== undefined,
    O: o.time,
    Z: fmt8(o.cumQuote),
    Y: fmt8(last ? last.price.mul(last.qty) : ZERO),
    Q: fmt8(o.quoteOrderQty),
  };
  if (o.workingTime !== -1) ev['W'] = o.workingTime;
  ev['V'] = o.stp;
  if (o.strategyId !== undefined) ev['j'] = Number(o.strategyId);
  if (o.strategyType !== undefined) ev['J'] = Number(o.strategyType);
  if (f.x === 'EXPIRED' && o.expiryReason) ev['eR'] = o.expiryReason;
  return ev;
}

export function listStatusEvent(list: SimOrderList, now: number): UserDataEvent {
  return {
    e: 'listStatus',
    E: now,
    s: list.symbol,
    g: list.orderListId,
    c: list.contingencyType ?? 'OCO',
    l: list.listStatusType,
    L: list.listOrderStatus,
    r: 'NONE',
    C: list.listClientOrderId,
    T: list.transactionTime,
    O: list.orders.map((o) => ({ s: o.symbol, i: o.orderId, c: o.clientOrderId })),
  };
}

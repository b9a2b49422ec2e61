/**
 * What a person and the renderer see of an order: the plain views of orders and outcomes, the
 * sentence each outcome shows, the notice a transition raises, and the journal state an outcome
 * is written as. Pure mappers (no I/O): the orders service and the background reconciler use them.
 */
import type { Notice } from '../../shared/domain/notice';
import type { OrderOutcomeView, OrderView } from '../../shared/domain/orders';
import { dec, formatDecimal, Decimal } from '../../shared/money';
import { formatAmount } from '../../shared/money/format';
import type { OrderOutcome } from '../exchange/order-outcome';
import type { OrderState } from '../exchange/order-state';
import type { IntentState } from '../storage/database';
import type { OcoOutcome } from './oco';

export function toOrderView(o: Readonly<OrderState>): OrderView {
  return {
    symbol: o.symbol,
    orderId: o.orderId,
    clientOrderId: o.clientOrderId,
    orderListId: o.orderListId,
    side: o.side === 'SELL' ? 'SELL' : 'BUY',
    type: o.type,
    timeInForce: o.timeInForce,
    price: formatDecimal(o.price),
    stopPrice: formatDecimal(o.stopPrice),
    origQty: formatDecimal(o.origQty),
    executedQty: formatDecimal(o.executedQty),
    cumulativeQuoteQty: formatDecimal(o.cumulativeQuoteQty),
    status: o.status,
    time: o.createdAt,
    updateTime: o.updateTime,
  };
}

function avgPrice(o: Readonly<OrderState>): string | null {
  const q = dec(o.executedQty);
  if (q.isZero()) return null;
  // For a person: separators, like every figure on screen.
  return formatAmount(dec(o.cumulativeQuoteQty).div(q).toDecimalPlaces(8, Decimal.ROUND_HALF_UP));
}

function outcomeMessage(o: OrderOutcome): string {
  switch (o.status) {
    case 'sending':
      return 'Sending the order to Binance.';
    case 'unknown':
      return o.message;
    case 'accepted':
      return 'Binance accepted the order; it is open.';
    case 'partially-filled':
      return `Binance filled part of the order: ${formatDecimal(o.order.executedQty)} of ${formatDecimal(o.order.origQty)}.`;
    case 'filled': {
      const avg = avgPrice(o.order);
      return `Binance filled the order: ${formatDecimal(o.order.executedQty)}${avg !== null ? ` at an average price of ${avg}` : ''}.`;
    }
    case 'canceled':
      return dec(o.order.executedQty).gt(0)
        ? `Canceled on Binance after ${formatDecimal(o.order.executedQty)} filled.`
        : 'Canceled on Binance.';
    case 'expired':
      return dec(o.order.executedQty).gt(0)
        ? `Expired on Binance after ${formatDecimal(o.order.executedQty)} filled.`
        : 'Expired on Binance without trading (time in force).';
    case 'rejected':
      return o.binanceMessage !== undefined && !o.reason.includes(o.binanceMessage)
        ? `${o.reason} Binance said: "${o.binanceMessage}".`
        : o.reason;
    case 'not-placed':
      return o.reason;
  }
}

export function orderOutcomeView(o: OrderOutcome): OrderOutcomeView {
  const order = 'order' in o && o.order !== undefined ? o.order : undefined;
  return {
    clientOrderId: o.clientOrderId,
    kind: 'order',
    symbol: o.symbol,
    status: o.status,
    message: outcomeMessage(o),
    binanceCode: o.status === 'rejected' && o.code !== undefined ? o.code : o.status === 'unknown' && o.code !== undefined ? o.code : null,
    binanceMessage: o.status === 'rejected' && o.binanceMessage !== undefined ? o.binanceMessage : null,
    orders: order !== undefined ? [toOrderView(order)] : [],
    orderListId: order !== undefined && order.orderListId !== '-1' ? order.orderListId : null,
    corrected: 'corrected' in o && o.corrected === true,
    at: o.at,
  };
}

export function ocoOutcomeView(o: OcoOutcome): OrderOutcomeView {
  return {
    clientOrderId: o.listClientOrderId,
    kind: 'oco',
    symbol: o.symbol,
    status: o.status,
    message: o.message,
    binanceCode: o.code ?? null,
    binanceMessage: o.binanceMessage ?? null,
    orders: o.legs.map(toOrderView),
    orderListId: o.orderListId,
    corrected: o.corrected === true,
    at: o.at,
  };
}

/** The notice an outcome transition raises (fills, rejections, "not placed", "placed after all"), if any. */
export function outcomeNotice(view: OrderOutcomeView, previous: string | undefined): Omit<Notice, 'at'> | null {
  if (view.status === previous) return null;
  const what =
    view.orders[0] !== undefined
      ? `${view.orders[0].side} ${view.orders[0].origQty} ${view.symbol}${view.kind === 'oco' ? ' (OCO)' : ''}`
      : `${view.kind === 'oco' ? 'OCO' : 'Order'} on ${view.symbol}`;
  if (view.corrected && previous === 'not-placed')
    return {
      id: `order-${view.clientOrderId}-corrected`,
      level: 'warning',
      code: 'order-placed-after-all',
      message: `Order placed after all: ${what}. Binance now shows this order, which Perch had reported as probably not placed. ${view.message}`,
    };
  if (view.status === 'filled')
    return {
      id: `order-${view.clientOrderId}-filled`,
      level: 'info',
      code: 'order-filled',
      message: `Order filled: ${what}. ${view.message}`,
    };
  if (view.status === 'rejected')
    return {
      id: `order-${view.clientOrderId}-rejected`,
      level: 'error',
      code: 'order-rejected',
      message: `Order rejected: ${what}. ${view.message}`,
    };
  if (view.status === 'not-placed' && previous === 'unknown')
    return {
      id: `order-${view.clientOrderId}-not-placed`,
      level: 'warning',
      code: 'order-not-placed',
      message: `Order probably not placed: ${what}. ${view.message}`,
    };
  return null;
}

/**
 * The journal's state for an outcome. An inferred "not placed" keeps its own state (with its
 * concluded time in updated_at) so that a restart resumes the follow-up and the duplicate guard;
 * "never sent" (nothing left Perch) is final.
 */
export function journalState(status: OrderOutcomeView['status'], inferred = true): IntentState {
  switch (status) {
    case 'sending':
      return 'sent';
    case 'unknown':
      return 'unknown';
    case 'rejected':
      return 'rejected';
    case 'not-placed':
      return inferred ? 'not-placed' : 'failed';
    default:
      return 'accepted';
  }
}

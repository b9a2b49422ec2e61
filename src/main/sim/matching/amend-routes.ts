/**
 * PUT /api/v3/order/amend/keepPriority (https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/rest-api.md § Order Amend Keep Priority): reduce an
 * order's quantity in place with a new client id; the order keeps its place (the engine's
 * resting orders have no queue behind other users, so nothing else moves). Adds no order count.
 */
import { errors } from '../errors';
import type { MarketModel, RestRoute } from '../types';
import { ZERO, fmt8 } from '../account/money';
import { accountIdOf } from '../account/routes';
import type { Engine } from './engine';
import { findOrder } from './find-order';
import { lookupSymbol } from './order-input';
import { clientIdParam, decimalParam } from './params';
import { listIdOf } from './reports';

export function amendRoute(deps: { market: MarketModel; engine: Engine; newClientId: () => string }): RestRoute {
  const { market, engine } = deps;

  return {
    method: 'PUT',
    path: '/api/v3/order/amend/keepPriority',
    security: 'TRADE',
    weight: 4,
    params: ['symbol', 'orderId', 'origClientOrderId', 'newClientOrderId', 'newQty'],
    handler(req) {
      const p = req.params;
      const accountId = accountIdOf(req);
      const info = lookupSymbol(market, p);
      if (p['newQty'] === undefined || p['newQty'] === '') throw errors.mandatoryParamMissing('newQty');
      const newQty = decimalParam(p, 'newQty', info.baseAssetPrecision)!;
      if (!newQty.gt(0)) throw errors.invalidParamValue("Data sent for parameter 'newQty' is not valid.");
      const newClientOrderId = clientIdParam(p, 'newClientOrderId') ?? deps.newClientId();
      const order = findOrder(engine, accountId, info.symbol, p);
      if (!order) throw errors.noSuchOrder();
      const origClientOrderId = order.clientOrderId;
      const { transactTime, executionId } = engine.amend(accountId, order, newQty, newClientOrderId);
      const amendedOrder: Record<string, unknown> = {
        symbol: order.symbol,
        orderId: order.orderId,
        orderListId: listIdOf(order),
        origClientOrderId,
        clientOrderId: order.clientOrderId,
        price: fmt8(order.price),
        qty: fmt8(order.origQty),
        executedQty: fmt8(order.executedQty),
        preventedQty: fmt8(ZERO),
        quoteOrderQty: fmt8(order.quoteOrderQty),
        cumulativeQuoteQty: fmt8(order.cumQuote),
        status: order.status,
        timeInForce: order.timeInForce,
        type: order.type,
        side: order.side,
      };
      if (order.workingTime !== -1) amendedOrder['workingTime'] = order.workingTime;
      amendedOrder['selfTradePreventionMode'] = order.stp;
      const out: Record<string, unknown> = { transactTime, executionId, amendedOrder };
      const list = order.list;
      if (list) {
        out['listStatus'] = {
          orderListId: list.orderListId,
          contingencyType: list.contingencyType ?? 'OCO',
          listOrderStatus: list.listOrderStatus,
          listClientOrderId: list.listClientOrderId,
          symbol: list.symbol,
          orders: list.orders.map((o) => ({ symbol: o.symbol, orderId: o.orderId, clientOrderId: o.clientOrderId })),
        };
      }
      return out;
    },
  };
}

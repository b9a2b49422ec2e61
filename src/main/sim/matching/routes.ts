/** REST routes for orders, order lists and trades (https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/rest-api.md § Trading / Account endpoints). */
import { SimError, errors } from '../errors';
import type { Faults, MarketModel, OrderFault, RestRoute } from '../types';
import type { CommissionBook } from '../account/commission';
import { fmt8 } from '../account/money';
import { accountIdOf } from '../account/routes';
import type { Engine } from './engine';
import { isLive, type SimOrderList } from './model';
import { findOrder } from './find-order';
import { lookupSymbol, parseOcoRequest, parseOrderRequest } from './order-input';
import {
  badCombo,
  boolParam,
  clientIdParam,
  eitherMissing,
  enumParam,
  intParam,
  longParam,
  optional,
  origClientIdParam,
  timeParam,
  timeWindowError,
  type Params,
} from './params';
import { cancelReply, listReply, orderQuery, orderReply } from './reports';

const DAY = 86_400_000;

/** Parameter tables of https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/rest-api.md (SIGNED routes: the dispatcher adds timestamp, recvWindow, signature). */
export const NEW_ORDER_PARAMS = [
  'symbol',
  'side',
  'type',
  'timeInForce',
  'quantity',
  'quoteOrderQty',
  'price',
  'newClientOrderId',
  'strategyId',
  'strategyType',
  'stopPrice',
  'trailingDelta',
  'icebergQty',
  'newOrderRespType',
  'selfTradePreventionMode',
  'pegPriceType',
  'pegOffsetValue',
  'pegOffsetType',
];
const OCO_LEG_PARAMS = [
  'Type',
  'ClientOrderId',
  'IcebergQty',
  'Price',
  'StopPrice',
  'TrailingDelta',
  'TimeInForce',
  'StrategyId',
  'StrategyType',
  'PegPriceType',
  'PegOffsetType',
  'PegOffsetValue',
];
const OCO_PARAMS = [
  'symbol',
  'listClientOrderId',
  'side',
  'quantity',
  'newOrderRespType',
  'selfTradePreventionMode',
  ...OCO_LEG_PARAMS.map((p) => `above${p}`),
  ...OCO_LEG_PARAMS.map((p) => `below${p}`),
];

/** The reply an injected order fault produces (the order may or may not have executed). */
function faultReply(fault: OrderFault): Promise<never> {
  switch (fault.kind) {
    case 'http500':
      throw errors.unknown();
    case 'http503':
      throw new SimError(503, -1000, 'An unknown error occurred while processing the request.');
    case 'code-1006':
      throw errors.unexpectedResp();
    case 'code-1007':
      throw errors.timeout();
    case 'timeout-hang':
      return new Promise<never>(() => undefined);
  }
}

export function tradingRoutes(deps: {
  market: MarketModel;
  faults: Faults;
  engine: Engine;
  commission: CommissionBook;
  newClientId: () => string;
}): RestRoute[] {
  const { market, faults, engine, commission } = deps;

  /** Placement under the order-fault knob: parse errors come first, then the fault decides. */
  const placeWithFaults = (run: () => unknown): unknown => {
    const fault = faults.takeOrderFault();
    if (!fault) return run();
    if (fault.execute) {
      try {
        run();
      } catch {
        // The client sees the fault either way; a rejected order simply did not execute.
      }
    }
    return faultReply(fault);
  };

  const checkCancelAllowed = (symbol: string): void => {
    const info = market.symbol(symbol);
    if (info && info.status !== 'TRADING' && info.status !== 'CANCEL_ONLY') throw errors.cancelRejected('Market is closed.');
  };

  const limitParam = (params: Params): number => intParam(params, 'limit', { min: 1, max: 1000 }) ?? 500;

  /** 24 h windows of allOrders / myTrades: a missing bound is derived from the other. */
  const dayWindow = (params: Params): { start?: number; end?: number } => {
    const start = timeParam(params, 'startTime');
    const end = timeParam(params, 'endTime');
    if (start !== undefined && end !== undefined) {
      if (end - start > DAY) throw timeWindowError(24);
      return { start, end };
    }
    if (start !== undefined) return { start, end: start + DAY };
    if (end !== undefined) return { start: end - DAY, end };
    return {};
  };

  const newOrder: RestRoute = {
    method: 'POST',
    path: '/api/v3/order',
    security: 'TRADE',
    weight: 1,
    countsAsOrder: true,
    params: NEW_ORDER_PARAMS,
    handler(req) {
      const accountId = accountIdOf(req);
      const parsed = parseOrderRequest(market, req.params);
      return placeWithFaults(() => {
        const r = engine.place(accountId, parsed, false);
        if (!r) throw errors.unknown();
        return orderReply(r.order, r.transactTime, parsed.respType, r.fills);
      });
    },
  };

  const testOrder: RestRoute = {
    method: 'POST',
    path: '/api/v3/order/test',
    security: 'TRADE',
    params: [...NEW_ORDER_PARAMS, 'computeCommissionRates'],
    weight: (p) => (p['computeCommissionRates'] === 'true' ? 20 : 1),
    handler(req) {
      const accountId = accountIdOf(req);
      const compute = boolParam(req.params, 'computeCommissionRates') ?? false;
      const parsed = parseOrderRequest(market, req.params);
      engine.place(accountId, parsed, true);
      return compute ? commission.testOrderReply(accountId, parsed.side) : {};
    },
  };

  const queryOrder: RestRoute = {
    method: 'GET',
    path: '/api/v3/order',
    security: 'USER_DATA',
    weight: 4,
    params: ['symbol', 'orderId', 'origClientOrderId'],
    handler(req) {
      const accountId = accountIdOf(req);
      const info = lookupSymbol(market, req.params);
      const o = findOrder(engine, accountId, info.symbol, req.params);
      const keys = o
        ? [o.clientOrderId, o.orderId.toString()]
        : [req.params['origClientOrderId'] ?? '', req.params['orderId'] ?? ''].filter((k) => k !== '');
      if (faults.takeUnknownOrderQuery(keys) || !o) throw errors.noSuchOrder();
      return orderQuery(o);
    },
  };

  const cancelOrder: RestRoute = {
    method: 'DELETE',
    path: '/api/v3/order',
    security: 'TRADE',
    weight: 1,
    params: ['symbol', 'orderId', 'origClientOrderId', 'newClientOrderId', 'cancelRestrictions'],
    handler(req) {
      const accountId = accountIdOf(req);
      const info = lookupSymbol(market, req.params);
      const cancelId = clientIdParam(req.params, 'newClientOrderId') ?? deps.newClientId();
      const restriction = enumParam(
        req.params,
        'cancelRestrictions',
        ['ONLY_NEW', 'ONLY_PARTIALLY_FILLED'] as const,
        () => new SimError(400, -1145, 'Invalid cancelRestrictions'),
      );
      const o = findOrder(engine, accountId, info.symbol, req.params);
      checkCancelAllowed(info.symbol);
      if (!o || !isLive(o)) throw errors.cancelRejected('Unknown order sent.');
      if (
        (restriction === 'ONLY_NEW' && o.status !== 'NEW') ||
        (restriction === 'ONLY_PARTIALLY_FILLED' && o.status !== 'PARTIALLY_FILLED')
      ) {
        throw errors.cancelRejected('Order was not canceled due to cancel restrictions.');
      }
      const { transactTime } = engine.cancel(accountId, o, cancelId);
      return cancelReply(o, cancelId, transactTime);
    },
  };

  const cancelOpen: RestRoute = {
    method: 'DELETE',
    path: '/api/v3/openOrders',
    security: 'TRADE',
    weight: 1,
    params: ['symbol'],
    handler(req) {
      const accountId = accountIdOf(req);
      const info = lookupSymbol(market, req.params);
      checkCancelAllowed(info.symbol);
      const open = engine.openOrders(accountId, info.symbol);
      if (open.length === 0) throw errors.cancelRejected('Unknown order sent.');
      const cancelId = deps.newClientId();
      const out: unknown[] = [];
      const doneLists = new Set<SimOrderList>();
      for (const o of open) {
        if (!isLive(o)) continue;
        if (o.list) {
          if (doneLists.has(o.list)) continue;
          doneLists.add(o.list);
          const legs = o.list.orders.filter(isLive);
          const { transactTime } = engine.cancelList(accountId, o.list, cancelId);
          out.push(listReply(o.list, { orderReports: legs.map((l) => cancelReply(l, cancelId, transactTime)) }));
        } else {
          const { transactTime } = engine.cancel(accountId, o, cancelId);
          out.push(cancelReply(o, cancelId, transactTime));
        }
      }
      return out;
    },
  };

  const openOrders: RestRoute = {
    method: 'GET',
    path: '/api/v3/openOrders',
    security: 'USER_DATA',
    params: ['symbol'],
    weight: (p) => (p['symbol'] !== undefined ? 6 : 80),
    handler(req) {
      const accountId = accountIdOf(req);
      // `symbol=` is -1105, not "all symbols" (which would cost 80 and answer something else).
      const symbol = optional(req.params, 'symbol') !== undefined ? lookupSymbol(market, req.params).symbol : undefined;
      return engine.openOrders(accountId, symbol).map(orderQuery);
    },
  };

  const allOrders: RestRoute = {
    method: 'GET',
    path: '/api/v3/allOrders',
    security: 'USER_DATA',
    weight: 20,
    params: ['symbol', 'orderId', 'startTime', 'endTime', 'limit'],
    handler(req) {
      const accountId = accountIdOf(req);
      const info = lookupSymbol(market, req.params);
      const orderId = longParam(req.params, 'orderId');
      const limit = limitParam(req.params);
      const { start, end } = dayWindow(req.params);
      let orders = [...engine.book(accountId).orders.values()].filter((o) => o.symbol === info.symbol);
      orders.sort((a, b) => (a.orderId < b.orderId ? -1 : 1));
      if (start !== undefined && end !== undefined) orders = orders.filter((o) => o.time >= start && o.time <= end);
      if (orderId !== undefined) orders = orders.filter((o) => o.orderId >= orderId).slice(0, limit);
      else orders = start !== undefined ? orders.slice(0, limit) : orders.slice(-limit);
      return orders.map(orderQuery);
    },
  };

  const myTrades: RestRoute = {
    method: 'GET',
    path: '/api/v3/myTrades',
    security: 'USER_DATA',
    weight: (p) => (p['orderId'] ? 5 : 20),
    params: ['symbol', 'orderId', 'startTime', 'endTime', 'fromId', 'limit'],
    handler(req) {
      const accountId = accountIdOf(req);
      const info = lookupSymbol(market, req.params);
      const p = req.params;
      const orderId = longParam(p, 'orderId');
      const fromId = longParam(p, 'fromId');
      const limit = limitParam(p);
      const hasTime = p['startTime'] !== undefined || p['endTime'] !== undefined;
      if (hasTime && (orderId !== undefined || fromId !== undefined)) throw badCombo();
      const { start, end } = dayWindow(p);
      let trades = engine.book(accountId).trades.filter((t) => t.symbol === info.symbol);
      if (orderId !== undefined) trades = trades.filter((t) => t.orderId === orderId);
      if (start !== undefined && end !== undefined) trades = trades.filter((t) => t.time >= start && t.time <= end);
      if (fromId !== undefined) trades = trades.filter((t) => t.id >= fromId).slice(0, limit);
      else trades = start !== undefined ? trades.slice(0, limit) : trades.slice(-limit);
      return trades.map((t) => ({
        symbol: t.symbol,
        id: t.id,
        orderId: t.orderId,
        orderListId: t.orderListId,
        price: fmt8(t.price),
        qty: fmt8(t.qty),
        quoteQty: fmt8(t.quoteQty),
        commission: fmt8(t.commission),
        commissionAsset: t.commissionAsset,
        time: t.time,
        isBuyer: t.isBuyer,
        isMaker: t.isMaker,
        isBestMatch: true,
      }));
    },
  };

  const newOco: RestRoute = {
    method: 'POST',
    path: '/api/v3/orderList/oco',
    security: 'TRADE',
    weight: 1,
    countsAsOrder: true,
    params: OCO_PARAMS,
    handler(req) {
      const accountId = accountIdOf(req);
      const parsed = parseOcoRequest(market, req.params);
      return placeWithFaults(() => {
        const { list, transactTime } = engine.placeOco(accountId, parsed);
        return listReply(list, { orderReports: list.orders.map((o) => orderReply(o, transactTime, parsed.respType, [])) });
      });
    },
  };

  const findList = (accountId: string, params: Params, idName: string, clientName: string): SimOrderList | undefined => {
    const id = longParam(params, idName);
    const clientId = origClientIdParam(params, clientName);
    if (id === undefined && clientId === undefined) throw eitherMissing(idName, clientName);
    const lists = engine.book(accountId).lists;
    if (id !== undefined) {
      const list = lists.get(id);
      if (list && clientId !== undefined && list.listClientOrderId !== clientId) {
        throw new SimError(400, -2039, 'Client order ID is not correct for this order ID.');
      }
      return list;
    }
    let found: SimOrderList | undefined;
    for (const l of lists.values()) if (l.listClientOrderId === clientId && (!found || l.orderListId > found.orderListId)) found = l;
    return found;
  };

  const queryList: RestRoute = {
    method: 'GET',
    path: '/api/v3/orderList',
    security: 'USER_DATA',
    weight: 4,
    params: ['orderListId', 'origClientOrderId'],
    handler(req) {
      const list = findList(accountIdOf(req), req.params, 'orderListId', 'origClientOrderId');
      if (!list) throw errors.noSuchOrder();
      return listReply(list);
    },
  };

  const cancelList: RestRoute = {
    method: 'DELETE',
    path: '/api/v3/orderList',
    security: 'TRADE',
    weight: 1,
    params: ['symbol', 'orderListId', 'listClientOrderId', 'newClientOrderId'],
    handler(req) {
      const accountId = accountIdOf(req);
      const info = lookupSymbol(market, req.params);
      const cancelId = clientIdParam(req.params, 'newClientOrderId') ?? deps.newClientId();
      const list = findList(accountId, req.params, 'orderListId', 'listClientOrderId');
      checkCancelAllowed(info.symbol);
      if (!list || list.symbol !== info.symbol || !list.orders.some(isLive)) throw errors.cancelRejected('Unknown order sent.');
      const legs = list.orders.filter(isLive);
      const { transactTime } = engine.cancelList(accountId, list, cancelId);
      return listReply(list, { orderReports: legs.map((l) => cancelReply(l, cancelId, transactTime)) });
    },
  };

  const openLists: RestRoute = {
    method: 'GET',
    path: '/api/v3/openOrderList',
    security: 'USER_DATA',
    weight: 6,
    params: [],
    handler(req) {
      return [...engine.book(accountIdOf(req)).lists.values()].filter((l) => l.listOrderStatus === 'EXECUTING').map((l) => listReply(l));
    },
  };

  return [
    newOrder,
    testOrder,
    queryOrder,
    cancelOrder,
    cancelOpen,
    openOrders,
    allOrders,
    myTrades,
    newOco,
    queryList,
    cancelList,
    openLists,
  ];
}

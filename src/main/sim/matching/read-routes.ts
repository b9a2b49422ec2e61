/**
 * Account reads beyond routes.ts (https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/rest-api.md § Account endpoints): all order
 * lists, prevented matches, SOR allocations, order amendments and the account's filters.
 *
 * The simulator's own orders never meet each other (they trade against the simulated book) and it
 * has no smart order routing, so prevented matches and allocations are always empty lists: the
 * truthful answer for this exchange, with the documented parameters, weights and errors.
 */
import { errors } from '../errors';
import type { MarketModel, RestRoute } from '../types';
import { accountIdOf } from '../account/routes';
import { fmt8 } from '../account/money';
import { EXCHANGE_FILTERS } from '../market/symbols';
import type { Engine } from './engine';
import { lookupSymbol } from './order-input';
import { badCombo, intParam, longParam, required, timeParam, timeWindowError, type Params } from './params';
import { listReply } from './reports';

const DAY = 86_400_000;
/** Symbol filters that limit what one account may hold open (the rest apply to every order). */
const ACCOUNT_SYMBOL_FILTERS = new Set([
  'MAX_NUM_ORDERS',
  'MAX_NUM_ALGO_ORDERS',
  'MAX_NUM_ICEBERG_ORDERS',
  'MAX_NUM_ORDER_LISTS',
  'MAX_NUM_ORDER_AMENDS',
  'MAX_POSITION',
]);

export function accountReadRoutes(deps: { market: MarketModel; engine: Engine }): RestRoute[] {
  const { market, engine } = deps;
  const limitParam = (params: Params): number => intParam(params, 'limit', { min: 1, max: 1000 }) ?? 500;

  const allOrderList: RestRoute = {
    method: 'GET',
    path: '/api/v3/allOrderList',
    security: 'USER_DATA',
    weight: 20,
    params: ['fromId', 'startTime', 'endTime', 'limit'],
    handler(req) {
      const p = req.params;
      const fromId = longParam(p, 'fromId');
      const start = timeParam(p, 'startTime');
      const end = timeParam(p, 'endTime');
      const limit = limitParam(p);
      if (fromId !== undefined && (start !== undefined || end !== undefined)) throw badCombo();
      if (start !== undefined && end !== undefined && end - start > DAY) throw timeWindowError(24);
      let lists = [...engine.book(accountIdOf(req)).lists.values()].sort((a, b) => (a.orderListId < b.orderListId ? -1 : 1));
      if (fromId !== undefined) lists = lists.filter((l) => l.orderListId >= fromId).slice(0, limit);
      else if (start !== undefined || end !== undefined) {
        const lo = start ?? (end as number) - DAY;
        const hi = end ?? lo + DAY;
        lists = lists.filter((l) => l.transactionTime >= lo && l.transactionTime <= hi).slice(0, limit);
      } else lists = lists.slice(-limit);
      return lists.map((l) => listReply(l));
    },
  };

  const myPreventedMatches: RestRoute = {
    method: 'GET',
    path: '/api/v3/myPreventedMatches',
    security: 'USER_DATA',
    weight: (p) => (p['orderId'] !== undefined && p['preventedMatchId'] === undefined ? 20 : 2),
    params: ['symbol', 'preventedMatchId', 'orderId', 'fromPreventedMatchId', 'limit'],
    handler(req) {
      const p = req.params;
      lookupSymbol(market, p);
      const byMatch = longParam(p, 'preventedMatchId');
      const orderId = longParam(p, 'orderId');
      const from = longParam(p, 'fromPreventedMatchId');
      limitParam(p);
      // The supported combinations: symbol + preventedMatchId, or symbol + orderId (+ from, + limit).
      if ((byMatch === undefined) === (orderId === undefined)) throw badCombo();
      if (byMatch !== undefined && (from !== undefined || p['limit'] !== undefined)) throw badCombo();
      return [];
    },
  };

  const myAllocations: RestRoute = {
    method: 'GET',
    path: '/api/v3/myAllocations',
    security: 'USER_DATA',
    weight: 20,
    params: ['symbol', 'startTime', 'endTime', 'fromAllocationId', 'limit', 'orderId'],
    handler(req) {
      const p = req.params;
      lookupSymbol(market, p);
      const start = timeParam(p, 'startTime');
      const end = timeParam(p, 'endTime');
      intParam(p, 'fromAllocationId', { min: 0 });
      longParam(p, 'orderId');
      limitParam(p);
      if (start !== undefined && end !== undefined && end - start > DAY) throw timeWindowError(24);
      return [];
    },
  };

  const amendments: RestRoute = {
    method: 'GET',
    path: '/api/v3/order/amendments',
    security: 'USER_DATA',
    weight: 4,
    params: ['symbol', 'orderId', 'fromExecutionId', 'limit'],
    handler(req) {
      const p = req.params;
      const info = lookupSymbol(market, p);
      const orderId = longParam(p, 'orderId');
      if (orderId === undefined) throw errors.mandatoryParamMissing('orderId');
      const accountId = accountIdOf(req);
      const from = longParam(p, 'fromExecutionId');
      const limit = limitParam(p);
      const o = engine.book(accountId).orders.get(orderId);
      if (!o || o.symbol !== info.symbol) throw errors.noSuchOrder();
      return engine
        .amendments(accountId, orderId)
        .filter((a) => from === undefined || BigInt(a.executionId) >= from)
        .slice(0, limit)
        .map((a) => ({
          symbol: a.symbol,
          orderId: a.orderId,
          executionId: a.executionId,
          origClientOrderId: a.origClientOrderId,
          newClientOrderId: a.newClientOrderId,
          origQty: fmt8(a.origQty),
          newQty: fmt8(a.newQty),
          time: a.time,
        }));
    },
  };

  const myFilters: RestRoute = {
    method: 'GET',
    path: '/api/v3/myFilters',
    security: 'USER_DATA',
    weight: 40,
    params: ['symbol'],
    handler(req) {
      required(req.params, 'symbol');
      const info = lookupSymbol(market, req.params);
      return {
        exchangeFilters: EXCHANGE_FILTERS,
        symbolFilters: info.filters.filter((f) => ACCOUNT_SYMBOL_FILTERS.has(String(f['filterType']))),
        // No MAX_ASSET filter is applied to simulated accounts.
        assetFilters: [],
      };
    },
  };

  return [allOrderList, myPreventedMatches, myAllocations, amendments, myFilters];
}

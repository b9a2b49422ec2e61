/**
 * WebSocket API methods that have a REST twin run the REST route's own handler: one table maps
 * each method to its route (https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/web-socket-api.md names the twins), so parameters,
 * weights, errors, the matching engine and the user data events are the REST ones by
 * construction, not a second implementation.
 *
 * What differs on the WebSocket API is only the envelope and the authentication
 * (https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/web-socket-api.md § Request security):
 * - parameters are JSON values (a `symbols` array is the REST JSON list);
 * - a SIGNED method carries `apiKey`, `timestamp`, `signature` (and `recvWindow`) as parameters,
 *   signed over the sorted parameters; after `session.logon` it may omit `apiKey` and
 *   `signature` and is authenticated as the session's key (timestamp still checked);
 * - an unknown parameter is -1104 as on REST; `returnRateLimits` is accepted everywhere.
 */
import type { SimClock } from '../clock';
import { errors } from '../errors';
import type { ApiKeyRecord, RestRequest, RestRoute } from '../types';
import {
  authenticateSigned,
  checkPermission,
  checkTiming,
  lookupKey,
  paramToString,
  parseRecvWindow,
  parseTimestamp,
  wsSignaturePayload,
} from './auth';
import type { KeyRegistry } from './auth';
import { ZERO_WEIGHT_ON_SUCCESS } from './http';
import { checkAllRead } from './params';
import type { RateLimiter } from './rate-limit';

/** WebSocket API method → the REST route ("METHOD /path") whose handler serves it. */
export const WS_REST_METHODS: Readonly<Record<string, string>> = {
  // Market data
  exchangeInfo: 'GET /api/v3/exchangeInfo',
  executionRules: 'GET /api/v3/executionRules',
  depth: 'GET /api/v3/depth',
  'trades.recent': 'GET /api/v3/trades',
  'trades.historical': 'GET /api/v3/historicalTrades',
  'blockTrades.historical': 'GET /api/v3/historicalBlockTrades',
  'trades.aggregate': 'GET /api/v3/aggTrades',
  klines: 'GET /api/v3/klines',
  uiKlines: 'GET /api/v3/uiKlines',
  avgPrice: 'GET /api/v3/avgPrice',
  'ticker.24hr': 'GET /api/v3/ticker/24hr',
  'ticker.tradingDay': 'GET /api/v3/ticker/tradingDay',
  ticker: 'GET /api/v3/ticker',
  'ticker.price': 'GET /api/v3/ticker/price',
  'ticker.book': 'GET /api/v3/ticker/bookTicker',
  referencePrice: 'GET /api/v3/referencePrice',
  'referencePrice.calculation': 'GET /api/v3/referencePrice/calculation',
  // Account
  'account.status': 'GET /api/v3/account',
  'account.commission': 'GET /api/v3/account/commission',
  'account.rateLimits.orders': 'GET /api/v3/rateLimit/order',
  'order.status': 'GET /api/v3/order',
  'openOrders.status': 'GET /api/v3/openOrders',
  allOrders: 'GET /api/v3/allOrders',
  myTrades: 'GET /api/v3/myTrades',
  'orderList.status': 'GET /api/v3/orderList',
  'openOrderLists.status': 'GET /api/v3/openOrderList',
  allOrderLists: 'GET /api/v3/allOrderList',
  myPreventedMatches: 'GET /api/v3/myPreventedMatches',
  myAllocations: 'GET /api/v3/myAllocations',
  myFilters: 'GET /api/v3/myFilters',
  'order.amendments': 'GET /api/v3/order/amendments',
  // Trading
  'order.place': 'POST /api/v3/order',
  'order.test': 'POST /api/v3/order/test',
  'order.cancel': 'DELETE /api/v3/order',
  'order.cancelReplace': 'POST /api/v3/order/cancelReplace',
  'order.amend.keepPriority': 'PUT /api/v3/order/amend/keepPriority',
  'openOrders.cancelAll': 'DELETE /api/v3/openOrders',
  'orderList.place': 'POST /api/v3/order/oco',
  'orderList.place.oco': 'POST /api/v3/orderList/oco',
  'orderList.place.oto': 'POST /api/v3/orderList/oto',
  'orderList.place.otoco': 'POST /api/v3/orderList/otoco',
  'orderList.place.opo': 'POST /api/v3/orderList/opo',
  'orderList.place.opoco': 'POST /api/v3/orderList/opoco',
  'orderList.cancel': 'DELETE /api/v3/orderList',
  'sor.order.place': 'POST /api/v3/sor/order',
  'sor.order.test': 'POST /api/v3/sor/order/test',
};

const WS_SIGNING = ['apiKey', 'timestamp', 'signature', 'recvWindow'];

export interface WsCallContext {
  readonly ip: string;
  /** The key the connection logged on with (session.logon), if any. */
  readonly sessionKey: ApiKeyRecord | undefined;
}

export interface WsCallResult {
  readonly result: unknown;
  /** The account whose order counts the reply's rateLimits should show (order methods). */
  readonly orderAccount?: string;
}

export interface WsRestBridge {
  /** The route serving this method, undefined when the method has no served REST twin. */
  routeOf(method: string): RestRoute | undefined;
  /** Runs the method through its REST route: auth, -1104, weight, order counts, handler. */
  call(method: string, rawParams: Readonly<Record<string, unknown>>, ctx: WsCallContext): Promise<WsCallResult>;
}

export function createWsRestBridge(opts: {
  readonly clock: SimClock;
  readonly keys: KeyRegistry;
  readonly limiter: RateLimiter;
  readonly routes: () => readonly RestRoute[];
}): WsRestBridge {
  const { clock, keys, limiter } = opts;
  let index: Map<string, RestRoute> | undefined;
  let indexedFrom: readonly RestRoute[] | undefined;
  const byKey = (): Map<string, RestRoute> => {
    const list = opts.routes();
    if (index === undefined || indexedFrom !== list) {
      index = new Map(list.map((r) => [`${r.method} ${r.path}`, r]));
      indexedFrom = list;
    }
    return index;
  };
  const routeOf = (method: string): RestRoute | undefined => {
    const key = Object.hasOwn(WS_REST_METHODS, method) ? WS_REST_METHODS[method] : undefined;
    return key === undefined ? undefined : byKey().get(key);
  };

  return {
    routeOf,
    async call(method, rawParams, ctx) {
      const route = routeOf(method);
      if (route === undefined) throw errors.unsupportedOperation();
      const receivedAt = clock.now();
      const params: Record<string, string> = {};
      for (const [k, v] of Object.entries(rawParams)) if (k !== 'returnRateLimits' && v !== undefined) params[k] = paramToString(v);
      const routeKey = `${route.method} ${route.path}`;
      const zeroOnSuccess = ZERO_WEIGHT_ON_SUCCESS.has(routeKey);
      const weight = typeof route.weight === 'function' ? route.weight(params) : route.weight;
      if (!zeroOnSuccess) limiter.addWeight(ctx.ip, weight);
      try {
        let key: ApiKeyRecord | undefined;
        let timing: { timestampMs: number; recvWindowMs: number } | undefined;
        const signedRoute = route.security === 'USER_DATA' || route.security === 'TRADE';
        if (route.security === 'MARKET_DATA' || route.security === 'USER_STREAM') {
          key = params.apiKey === undefined && ctx.sessionKey !== undefined ? ctx.sessionKey : lookupKey(keys, params.apiKey);
        } else if (signedRoute) {
          if (params.signature === undefined && params.apiKey === undefined && ctx.sessionKey !== undefined) {
            // Authenticated by the session: the request still carries a timestamp (and recvWindow).
            key = ctx.sessionKey;
            timing = { timestampMs: parseTimestamp(params.timestamp), recvWindowMs: parseRecvWindow(params.recvWindow) };
            checkTiming(timing.timestampMs, timing.recvWindowMs, clock.now());
          } else {
            if (params.apiKey === undefined) throw errors.mandatoryParamMissing('apiKey');
            const signedParams: Record<string, unknown> = { ...rawParams };
            const result = authenticateSigned({
              keys,
              apiKey: params.apiKey,
              timestamp: params.timestamp,
              recvWindow: params.recvWindow,
              signature: params.signature,
              payload: wsSignaturePayload(signedParams),
              serverTime: clock.now(),
            });
            key = result.key;
            timing = result;
          }
          checkPermission(key, route.security === 'TRADE' ? 'TRADE' : 'USER_DATA');
        }
        const accepted = new Set([
          ...(route.params ?? Object.keys(params)),
          ...(signedRoute ? WS_SIGNING : route.security === 'NONE' ? [] : ['apiKey']),
        ]);
        checkAllRead(Object.keys(params), accepted);
        for (const name of WS_SIGNING) delete params[name];
        let orderAccount: string | undefined;
        if (route.countsAsOrder === true && key !== undefined) {
          orderAccount = key.accountId;
          limiter.admitOrder(orderAccount);
          if (timing !== undefined) checkTiming(timing.timestampMs, timing.recvWindowMs, clock.now());
        }
        const request: RestRequest = { method: route.method, path: route.path, params, ...(key !== undefined ? { key } : {}), receivedAt };
        const result = await route.handler(request);
        if (orderAccount !== undefined)
          limiter.addOrders(
            orderAccount,
            route.path.endsWith('/orderList/otoco') ? 3 : route.path.includes('/orderList/') || route.path.endsWith('/order/oco') ? 2 : 1,
          );
        return orderAccount !== undefined ? { result, orderAccount } : { result };
      } catch (err) {
        if (zeroOnSuccess) limiter.addWeight(ctx.ip, weight);
        throw err;
      }
    },
  };
}

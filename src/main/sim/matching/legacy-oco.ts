/**
 * POST /api/v3/order/oco, deprecated by Binance but still served
 * (https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/rest-api.md § New OCO - Deprecated): its limit / stop parameters are the two
 * legs of an orderList/oco - the LIMIT_MAKER leg at `price` and a STOP_LOSS (or STOP_LOSS_LIMIT
 * with `stopLimitPrice`) leg at `stopPrice`, above or below as the side puts them - and the OCO
 * route's own parser and engine do the rest.
 */
import { SimError } from '../errors';
import type { RestRoute } from '../types';

const LEGACY_PARAMS = [
  'symbol',
  'listClientOrderId',
  'side',
  'quantity',
  'limitClientOrderId',
  'price',
  'limitStrategyId',
  'limitStrategyType',
  'limitIcebergQty',
  'trailingDelta',
  'stopClientOrderId',
  'stopPrice',
  'stopStrategyId',
  'stopStrategyType',
  'stopLimitPrice',
  'stopIcebergQty',
  'stopLimitTimeInForce',
  'newOrderRespType',
  'selfTradePreventionMode',
];

/** Legacy name -> orderList/oco leg suffix, for the limit leg and the stop leg. */
const LIMIT_LEG: Readonly<Record<string, string>> = {
  limitClientOrderId: 'ClientOrderId',
  price: 'Price',
  limitStrategyId: 'StrategyId',
  limitStrategyType: 'StrategyType',
  limitIcebergQty: 'IcebergQty',
};
const STOP_LEG: Readonly<Record<string, string>> = {
  stopClientOrderId: 'ClientOrderId',
  stopPrice: 'StopPrice',
  stopStrategyId: 'StrategyId',
  stopStrategyType: 'StrategyType',
  stopLimitPrice: 'Price',
  stopIcebergQty: 'IcebergQty',
  stopLimitTimeInForce: 'TimeInForce',
  trailingDelta: 'TrailingDelta',
};

export function legacyOcoRoute(oco: RestRoute): RestRoute {
  return {
    method: 'POST',
    path: '/api/v3/order/oco',
    security: 'TRADE',
    weight: 1,
    countsAsOrder: true,
    params: LEGACY_PARAMS,
    handler(req) {
      const p = req.params;
      const side = p['side'];
      // SELL: the limit leg above the last price, the stop leg below; BUY the other way round.
      const limitAt = side === 'BUY' ? 'below' : 'above';
      const stopAt = side === 'BUY' ? 'above' : 'below';
      if (p['stopLimitPrice'] !== undefined && p['stopLimitTimeInForce'] === undefined) {
        throw new SimError(400, -1102, "Mandatory parameter 'stopLimitTimeInForce' was not sent, was empty/null, or malformed.");
      }
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(p)) {
        if (LIMIT_LEG[k] !== undefined) out[`${limitAt}${LIMIT_LEG[k]}`] = v;
        else if (STOP_LEG[k] !== undefined) out[`${stopAt}${STOP_LEG[k]}`] = v;
        else out[k] = v;
      }
      out[`${limitAt}Type`] = 'LIMIT_MAKER';
      out[`${stopAt}Type`] = p['stopLimitPrice'] !== undefined ? 'STOP_LOSS_LIMIT' : 'STOP_LOSS';
      return oco.handler({ ...req, path: oco.path, params: out });
    },
  };
}

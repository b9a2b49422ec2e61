/**
 * New-order parameters -> a checked order request, with the codes Binance uses for each
 * mistake (https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/rest-api.md § New order, https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/errors.md). Filters and matching-engine checks
 * (balance, duplicates, triggers) happen later in the engine.
 */
import { SimError, errors } from '../errors';
import type { MarketModel, SymbolInfo } from '../types';
import type { Decimal } from '../account/money';
import { ORDER_TYPES, STP_MODES, hasLimitPrice, isStopType, type OrderType, type RespType, type Side, type TimeInForce } from './model';
import {
  clientIdParam,
  decimalParam,
  eitherMissing,
  enumParam,
  intParam,
  longParam,
  notRequired,
  optional,
  required,
  type Params,
} from './params';

export interface OrderRequest {
  readonly info: SymbolInfo;
  readonly side: Side;
  readonly type: OrderType;
  readonly timeInForce: TimeInForce;
  readonly quantity?: Decimal;
  readonly quoteOrderQty?: Decimal;
  readonly price?: Decimal;
  readonly stopPrice?: Decimal;
  readonly icebergQty?: Decimal;
  readonly clientOrderId?: string;
  readonly respType: RespType;
  readonly stp: string;
  readonly strategyId?: string;
  readonly strategyType?: string;
}

export const rejected = (msg: string): SimError => errors.newOrderRejected(msg);

const UNSUPPORTED_TYPE: Partial<Record<OrderType, string>> = {
  MARKET: 'Market orders are not supported for this symbol.',
  STOP_LOSS: 'Stop loss orders are not supported for this symbol.',
  STOP_LOSS_LIMIT: 'Stop loss limit orders are not supported for this symbol.',
  TAKE_PROFIT: 'Take profit orders are not supported for this symbol.',
  TAKE_PROFIT_LIMIT: 'Take profit limit orders are not supported for this symbol.',
};

export function lookupSymbol(market: MarketModel, params: Params): SymbolInfo {
  const symbol = required(params, 'symbol');
  const info = market.symbol(symbol);
  if (!info) throw errors.badSymbol();
  return info;
}

export function stpMode(info: SymbolInfo, params: Params, name = 'selfTradePreventionMode'): string {
  const mode = enumParam(params, name, STP_MODES);
  const allowed = info.allowedSelfTradePreventionModes;
  if (mode && allowed !== undefined && !allowed.includes(mode)) {
    throw errors.invalidParamValue(`Data sent for parameter '${name}' is not valid.`);
  }
  if (mode) return mode;
  return info.defaultSelfTradePreventionMode ?? 'EXPIRE_MAKER';
}

export function strategy(params: Params, idName: string, typeName: string): { strategyId?: string; strategyType?: string } {
  const id = longParam(params, idName);
  const type = intParam(params, typeName);
  if (type !== undefined && type < 1_000_000) throw new SimError(400, -1134, 'strategyType was less than 1000000.');
  return {
    ...(id !== undefined ? { strategyId: id.toString() } : {}),
    ...(type !== undefined ? { strategyType: String(type) } : {}),
  };
}

export function refuseUnsupportedFeatures(params: Params, prefix = ''): void {
  const name = (n: string) => (prefix ? prefix + n[0]!.toUpperCase() + n.slice(1) : n);
  if (optional(params, name('trailingDelta')) !== undefined) throw rejected('Trailing stop orders are not supported for this symbol.');
  if (optional(params, name('pegPriceType')) !== undefined) throw rejected('Pegged orders are not supported for this symbol.');
}

export function parseOrderRequest(market: MarketModel, params: Params): OrderRequest {
  required(params, 'symbol');
  const sideRaw = required(params, 'side');
  const typeRaw = required(params, 'type');
  const info = lookupSymbol(market, params);
  if (sideRaw !== 'BUY' && sideRaw !== 'SELL') throw errors.invalidSide();
  if (!(ORDER_TYPES as readonly string[]).includes(typeRaw)) throw errors.invalidOrderType();
  const side = sideRaw as Side;
  const type = typeRaw as OrderType;
  if (!info.orderTypes.includes(type)) throw rejected(UNSUPPORTED_TYPE[type] ?? 'Unsupported order combination');

  const tif = enumParam(params, 'timeInForce', ['GTC', 'IOC', 'FOK'] as const, errors.invalidTif);
  const quantity = decimalParam(params, 'quantity', info.baseAssetPrecision);
  const quoteOrderQty = decimalParam(params, 'quoteOrderQty', info.quoteAssetPrecision);
  const price = decimalParam(params, 'price', info.quoteAssetPrecision);
  const stopPrice = decimalParam(params, 'stopPrice', info.quoteAssetPrecision);
  const icebergQty = decimalParam(params, 'icebergQty', info.baseAssetPrecision);
  refuseUnsupportedFeatures(params);

  // Mandatory parameters per type (https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/rest-api.md table), then parameters this type must not carry.
  const needsTif = type === 'LIMIT' || type === 'STOP_LOSS_LIMIT' || type === 'TAKE_PROFIT_LIMIT';
  if (needsTif && !tif) throw errors.mandatoryParamMissing('timeInForce');
  if (type === 'MARKET') {
    if (!quantity && !quoteOrderQty) throw eitherMissing('quantity', 'quoteOrderQty');
    if (quantity && quoteOrderQty) throw notRequired('quoteOrderQty');
  } else {
    if (!quantity) throw errors.mandatoryParamMissing('quantity');
    if (quoteOrderQty) throw notRequired('quoteOrderQty');
  }
  if (hasLimitPrice(type) && !price) throw errors.mandatoryParamMissing('price');
  if (isStopType(type) && !stopPrice) throw errors.mandatoryParamMissing('stopPrice');
  if (!needsTif && tif) throw notRequired('timeInForce');
  if (!hasLimitPrice(type) && price) throw notRequired('price');
  if (!isStopType(type) && stopPrice) throw notRequired('stopPrice');
  if (icebergQty) {
    if (!hasLimitPrice(type)) throw notRequired('icebergQty');
    if ((tif ?? 'GTC') !== 'GTC') throw rejected('Unsupported order combination');
    if (quantity && icebergQty.greaterThanOrEqualTo(quantity)) throw rejected('IcebergQty exceeds QTY.');
  }

  const clientOrderId = clientIdParam(params, 'newClientOrderId');
  const defaultResp: RespType = type === 'MARKET' || type === 'LIMIT' ? 'FULL' : 'ACK';
  const respType = enumParam(params, 'newOrderRespType', ['ACK', 'RESULT', 'FULL'] as const) ?? defaultResp;
  const stp = stpMode(info, params);
  return {
    info,
    side,
    type,
    timeInForce: tif ?? 'GTC',
    ...(quantity ? { quantity } : {}),
    ...(quoteOrderQty ? { quoteOrderQty } : {}),
    ...(price ? { price } : {}),
    ...(stopPrice ? { stopPrice } : {}),
    ...(icebergQty ? { icebergQty } : {}),
    ...(clientOrderId ? { clientOrderId } : {}),
    respType,
    stp,
    ...strategy(params, 'strategyId', 'strategyType'),
  };
}

const OCO_ABOVE: readonly OrderType[] = ['STOP_LOSS_LIMIT', 'STOP_LOSS', 'LIMIT_MAKER', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT'];
// https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/rest-api.md lists belowType without LIMIT_MAKER but documents belowPrice for LIMIT_MAKER and
// its WS API example sends belowType=LIMIT_MAKER (the usual BUY OCO), so it is accepted.
const OCO_BELOW: readonly OrderType[] = ['STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT', 'LIMIT_MAKER'];
export const isLimitLeg = (t: OrderType): boolean => t === 'LIMIT_MAKER' || t === 'TAKE_PROFIT' || t === 'TAKE_PROFIT_LIMIT';

export interface OcoRequest {
  readonly info: SymbolInfo;
  readonly side: Side;
  readonly quantity: Decimal;
  readonly listClientOrderId?: string;
  readonly respType: RespType;
  readonly above: OrderRequest;
  readonly below: OrderRequest;
}

function parseLeg(
  params: Params,
  info: SymbolInfo,
  side: Side,
  quantity: Decimal,
  prefix: 'above' | 'below',
  stp: string,
  respType: RespType,
): OrderRequest {
  const n = (s: string) => prefix + s;
  const type = params[n('Type')] as OrderType;
  const tif = enumParam(params, n('TimeInForce'), ['GTC', 'IOC', 'FOK'] as const, errors.invalidTif);
  const price = decimalParam(params, n('Price'), info.quoteAssetPrecision);
  const stopPrice = decimalParam(params, n('StopPrice'), info.quoteAssetPrecision);
  const icebergQty = decimalParam(params, n('IcebergQty'), info.baseAssetPrecision);
  refuseUnsupportedFeatures(params, prefix);
  const needsTif = type === 'STOP_LOSS_LIMIT' || type === 'TAKE_PROFIT_LIMIT';
  if (hasLimitPrice(type) && !price) throw errors.mandatoryParamMissing(n('Price'));
  if (isStopType(type) && !stopPrice) throw errors.mandatoryParamMissing(n('StopPrice'));
  if (needsTif && !tif) throw errors.mandatoryParamMissing(n('TimeInForce'));
  if (!needsTif && tif) throw notRequired(n('TimeInForce'));
  if (!hasLimitPrice(type) && price) throw notRequired(n('Price'));
  if (!isStopType(type) && stopPrice) throw notRequired(n('StopPrice'));
  if (icebergQty) {
    if (!hasLimitPrice(type)) throw notRequired(n('IcebergQty'));
    if ((tif ?? 'GTC') !== 'GTC') {
      throw new SimError(400, -1160, `Parameter '${n('IcebergQty')}' is not supported if '${n('TimeInForce')}' is not GTC.`);
    }
  }
  if (!info.orderTypes.includes(type)) throw rejected(UNSUPPORTED_TYPE[type] ?? 'Unsupported order combination');
  const clientOrderId = clientIdParam(params, n('ClientOrderId'));
  return {
    info,
    side,
    type,
    timeInForce: tif ?? 'GTC',
    quantity,
    ...(price ? { price } : {}),
    ...(stopPrice ? { stopPrice } : {}),
    ...(icebergQty ? { icebergQty } : {}),
    ...(clientOrderId ? { clientOrderId } : {}),
    respType,
    stp,
    ...strategy(params, n('StrategyId'), n('StrategyType')),
  };
}

export function parseOcoRequest(market: MarketModel, params: Params): OcoRequest {
  required(params, 'symbol');
  const sideRaw = required(params, 'side');
  required(params, 'quantity');
  const aboveType = required(params, 'aboveType');
  const belowType = required(params, 'belowType');
  const info = lookupSymbol(market, params);
  if (sideRaw !== 'BUY' && sideRaw !== 'SELL') throw errors.invalidSide();
  const side = sideRaw as Side;
  if (!(OCO_ABOVE as readonly string[]).includes(aboveType) || !(OCO_BELOW as readonly string[]).includes(belowType)) {
    throw new SimError(400, -1158, 'Order type not supported in OCO.');
  }
  const aboveLimit = isLimitLeg(aboveType as OrderType);
  const belowLimit = isLimitLeg(belowType as OrderType);
  if (aboveLimit && belowLimit) throw new SimError(400, -1168, 'At least one OCO order must be contingent.');
  if (!aboveLimit && !belowLimit) throw errors.unknownOrderComposition();
  if (side === 'SELL' && !aboveLimit) throw new SimError(400, -1166, 'A limit order in a sell OCO must be above.');
  if (side === 'BUY' && aboveLimit) throw new SimError(400, -1165, 'A limit order in a buy OCO must be below.');
  const quantity = decimalParam(params, 'quantity', info.baseAssetPrecision);
  if (!quantity) throw errors.mandatoryParamMissing('quantity');
  const listClientOrderId = clientIdParam(params, 'listClientOrderId');
  const respType = enumParam(params, 'newOrderRespType', ['ACK', 'RESULT', 'FULL'] as const) ?? 'RESULT';
  const stp = stpMode(info, params);
  return {
    info,
    side,
    quantity,
    respType,
    ...(listClientOrderId ? { listClientOrderId } : {}),
    above: parseLeg(params, info, side, quantity, 'above', stp, respType),
    below: parseLeg(params, info, side, quantity, 'below', stp, respType),
  };
}

/**
 * POST /api/v3/orderList/oto and /otoco (https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/rest-api.md § New Order list - OTO / OTOCO): a
 * LIMIT / LIMIT_MAKER working order and one pending order (OTO) or a pending OCO pair (OTOCO),
 * placed on the book when the working order fills completely. The prefixed parameters
 * (workingPrice, pendingAboveType, ...) are parsed by the plain order and OCO parsers, and their
 * errors name the prefixed parameter the client sent.
 */
import { SimError } from '../errors';
import type { Faults, MarketModel, RestRoute } from '../types';
import { accountIdOf } from '../account/routes';
import type { Engine } from './engine';
import { lookupSymbol, parseOcoRequest, parseOrderRequest, type OrderRequest } from './order-input';
import { clientIdParam, enumParam, type Params } from './params';
import { listReply, orderReply } from './reports';

const LEG = [
  'Type',
  'Side',
  'ClientOrderId',
  'Price',
  'StopPrice',
  'TrailingDelta',
  'Quantity',
  'IcebergQty',
  'TimeInForce',
  'StrategyId',
  'StrategyType',
  'PegPriceType',
  'PegOffsetType',
  'PegOffsetValue',
];
const OCO_LEG = [
  'Type',
  'ClientOrderId',
  'Price',
  'StopPrice',
  'TrailingDelta',
  'IcebergQty',
  'TimeInForce',
  'StrategyId',
  'StrategyType',
  'PegPriceType',
  'PegOffsetType',
  'PegOffsetValue',
];
const COMMON = ['symbol', 'listClientOrderId', 'newOrderRespType', 'selfTradePreventionMode'];
const WORKING = LEG.filter((n) => n !== 'StopPrice' && n !== 'TrailingDelta').map((n) => `working${n}`);
export const OTO_PARAMS = [...COMMON, ...WORKING, ...LEG.map((n) => `pending${n}`)];
export const OTOCO_PARAMS = [
  ...COMMON,
  ...WORKING,
  'pendingSide',
  'pendingQuantity',
  ...OCO_LEG.map((n) => `pendingAbove${n}`),
  ...OCO_LEG.map((n) => `pendingBelow${n}`),
];

/** Plain name -> the prefixed name the client sent, e.g. price -> workingPrice. */
const plain = (prefix: string, name: string): string => {
  const rest = name.slice(prefix.length);
  if (rest === 'ClientOrderId') return 'newClientOrderId';
  return rest[0]!.toLowerCase() + rest.slice(1);
};

/** Run a parser on renamed parameters; its errors name the parameters the client sent. */
function parsePrefixed<T>(params: Params, mapping: ReadonlyMap<string, string>, parse: (p: Params) => T): T {
  const renamed: Record<string, string> = {};
  for (const [from, to] of mapping) if (params[from] !== undefined) renamed[to] = params[from];
  try {
    return parse(renamed);
  } catch (err) {
    if (!(err instanceof SimError)) throw err;
    let msg = err.message;
    for (const [from, to] of mapping) msg = msg.split(`'${to}'`).join(`'${from}'`);
    throw new SimError(err.httpStatus, err.code, msg, err.headers);
  }
}

function legMapping(prefix: string, names: readonly string[]): Map<string, string> {
  const m = new Map<string, string>([
    ['symbol', 'symbol'],
    ['selfTradePreventionMode', 'selfTradePreventionMode'],
  ]);
  for (const n of names) m.set(`${prefix}${n}`, plain(prefix, `${prefix}${n}`));
  return m;
}

export function otoRoutes(deps: { market: MarketModel; faults: Faults; engine: Engine }): RestRoute[] {
  const { market, engine } = deps;

  const working = (p: Params): OrderRequest => {
    const type = p['workingType'];
    if (type !== undefined && type !== 'LIMIT' && type !== 'LIMIT_MAKER') throw new SimError(400, -1116, 'Invalid orderType.');
    return parsePrefixed(
      p,
      legMapping(
        'working',
        LEG.filter((n) => n !== 'StopPrice' && n !== 'TrailingDelta'),
      ),
      (q) => parseOrderRequest(market, q),
    );
  };
  const common = (p: Params) => {
    lookupSymbol(market, p);
    const listClientOrderId = clientIdParam(p, 'listClientOrderId');
    const respType = enumParam(p, 'newOrderRespType', ['ACK', 'RESULT', 'FULL'] as const) ?? 'RESULT';
    return { listClientOrderId, respType };
  };
  const reply = (accountId: string, run: () => ReturnType<Engine['placeOtoList']>, respType: 'ACK' | 'RESULT' | 'FULL') => {
    const { list, transactTime } = run();
    return listReply(list, { orderReports: list.orders.map((o) => orderReply(o, transactTime, respType, [])) });
  };

  return [
    {
      method: 'POST',
      path: '/api/v3/orderList/oto',
      security: 'TRADE',
      weight: 1,
      countsAsOrder: true,
      params: OTO_PARAMS,
      handler(req) {
        const p = req.params;
        const accountId = accountIdOf(req);
        const { listClientOrderId, respType } = common(p);
        const w = working(p);
        const pending = parsePrefixed(p, legMapping('pending', LEG), (q) => parseOrderRequest(market, q));
        if (pending.quoteOrderQty) throw new SimError(400, -1106, "Parameter 'pendingQuoteOrderQty' sent when not required.");
        return reply(
          accountId,
          () =>
            engine.placeOtoList(accountId, {
              info: w.info,
              working: w,
              pending: { kind: 'OTO', order: pending },
              ...(listClientOrderId ? { listClientOrderId } : {}),
            }),
          respType,
        );
      },
    },
    {
      method: 'POST',
      path: '/api/v3/orderList/otoco',
      security: 'TRADE',
      weight: 1,
      countsAsOrder: true,
      params: OTOCO_PARAMS,
      handler(req) {
        const p = req.params;
        const accountId = accountIdOf(req);
        const { listClientOrderId, respType } = common(p);
        const w = working(p);
        const mapping = new Map<string, string>([
          ['symbol', 'symbol'],
          ['selfTradePreventionMode', 'selfTradePreventionMode'],
          ['pendingSide', 'side'],
          ['pendingQuantity', 'quantity'],
        ]);
        for (const n of OCO_LEG) {
          mapping.set(`pendingAbove${n}`, `above${n}`);
          mapping.set(`pendingBelow${n}`, `below${n}`);
        }
        const pair = parsePrefixed(p, mapping, (q) => parseOcoRequest(market, q));
        return reply(
          accountId,
          () =>
            engine.placeOtoList(accountId, {
              info: w.info,
              working: w,
              pending: { kind: 'OTOCO', pair },
              ...(listClientOrderId ? { listClientOrderId } : {}),
            }),
          respType,
        );
      },
    },
  ];
}

/**
 * Market data REST endpoints (https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/rest-api.md § General endpoints, § Market Data endpoints) with
 * Binance's weights, parameter rules, error codes and messages.
 */
import type { SimClock } from '../clock';
import { errors, SimError } from '../errors';
import type { MarketModel, RestRoute, SymbolInfo, SymbolStatus } from '../types';
import { isKlineInterval, parseTimeZone } from './intervals';
import type { KlineQuery, WindowTicker } from './model';
import { EXCHANGE_FILTERS, exchangeInfoSymbol, RATE_LIMITS } from './symbols';

type Params = Readonly<Record<string, string>>;

const SYMBOL_RE = /^[A-Z0-9\-_.\u0080-\uffff]{1,20}$/;
const SYMBOLS_RE = /^\[("[A-Z0-9\-_.\u0080-\uffff]{1,20}"(,"[A-Z0-9\-_.\u0080-\uffff]{1,20}")*)?\]$/;
const SYMBOLS_RANGE = '^\\[("[A-Z0-9-_.]{1,20}"(,"[A-Z0-9-_.]{1,20}"){0,}){0,1}\\]$';
const NUMBER_RANGE = '^[0-9]{1,20}$';
const STATUS_FILTERS: readonly string[] = ['TRADING', 'HALT', 'BREAK'];
const DEFAULT_PERMISSIONS: readonly string[] = ['SPOT', 'MARGIN', 'LEVERAGED'];

export const marketErrors = {
  illegal: (param: string, range: string) =>
    new SimError(400, -1100, `Illegal characters found in parameter '${param}'; legal range is '${range}'.`),
  badCombo: () => new SimError(400, -1128, 'Combination of optional parameters invalid.'),
  invalidSymbolStatus: () => new SimError(400, -1122, 'Invalid symbolStatus.'),
  statusMismatch: () => new SimError(400, -1220, "The symbol's status does not match the requested symbolStatus."),
  invalidData: (param: string) => new SimError(400, -1130, `Data sent for parameter '${param}' is not valid.`),
};

export const has = (p: Params, k: string): boolean => p[k] !== undefined;

export function mandatory(p: Params, k: string): string {
  const v = p[k];
  if (v === undefined || v === '') throw errors.mandatoryParamMissing(k);
  return v;
}

export function lookup(market: MarketModel, symbol: string): SymbolInfo {
  if (!SYMBOL_RE.test(symbol)) throw marketErrors.illegal('symbol', '^[A-Z0-9-_.]{1,20}$');
  const info = market.symbol(symbol);
  if (!info) throw errors.badSymbol();
  return info;
}

export function parseSymbols(market: MarketModel, raw: string): SymbolInfo[] {
  if (!SYMBOLS_RE.test(raw)) throw marketErrors.illegal('symbols', SYMBOLS_RANGE);
  const names = JSON.parse(raw) as string[];
  return names.map((n) => {
    const info = market.symbol(n);
    if (!info) throw errors.badSymbol();
    return info;
  });
}

/** Number of symbols in a `symbols` parameter, for weights (0 when malformed: the request fails anyway). */
export function symbolsCount(raw: string | undefined): number {
  if (raw === undefined || !SYMBOLS_RE.test(raw)) return 0;
  return raw === '[]' ? 0 : raw.split(',').length;
}

function parseSymbolStatus(p: Params): SymbolStatus | undefined {
  const s = p['symbolStatus'];
  if (s === undefined) return undefined;
  if (!STATUS_FILTERS.includes(s)) throw marketErrors.invalidSymbolStatus();
  return s as SymbolStatus;
}

export function parseLong(p: Params, k: string): number | undefined {
  const v = p[k];
  if (v === undefined) return undefined;
  if (!/^[0-9]{1,20}$/.test(v)) throw marketErrors.illegal(k, NUMBER_RANGE);
  const n = Number(v);
  // Timestamps may be sent in microseconds (https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/rest-api.md § General API Information).
  return n > 1e14 ? Math.floor(n / 1000) : n;
}

export function parseInt32(p: Params, k: string): number | undefined {
  const v = p[k];
  if (v === undefined) return undefined;
  if (!/^[0-9]{1,20}$/.test(v)) throw marketErrors.illegal(k, NUMBER_RANGE);
  return Number(v);
}

/**
 * The symbol selection of ticker-like endpoints: one symbol (object reply), a `symbols` list or
 * all (array reply); `symbolStatus` errors for one symbol, filters the others.
 */
export function selectSymbols(market: MarketModel, p: Params): { single: SymbolInfo | undefined; list: SymbolInfo[] } {
  if (has(p, 'symbol') && has(p, 'symbols')) throw marketErrors.badCombo();
  const status = parseSymbolStatus(p);
  if (has(p, 'symbol')) {
    const info = lookup(market, mandatory(p, 'symbol'));
    if (status !== undefined && info.status !== status) throw marketErrors.statusMismatch();
    return { single: info, list: [info] };
  }
  const list = has(p, 'symbols') ? parseSymbols(market, p['symbols']!) : [...market.symbols()];
  return { single: undefined, list: status === undefined ? list : list.filter((s) => s.status === status) };
}

function parsePermissions(raw: string): string[] {
  if (raw.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(raw);
      if (Array.isArray(parsed) && parsed.every((x) => typeof x === 'string')) return parsed as string[];
    } catch {
      // falls through to the error below
    }
    throw marketErrors.illegal('permissions', '^\\[("[A-Z0-9_]{1,20}"(,"[A-Z0-9_]{1,20}"){0,}){0,1}\\]$');
  }
  if (!/^[A-Z0-9_]{1,20}$/.test(raw)) throw marketErrors.illegal('permissions', '^[A-Z0-9_]{1,20}$');
  return [raw];
}

function klinesHandler(market: MarketModel) {
  return (req: { params: Params }) => {
    const p = req.params;
    const symbol = mandatory(p, 'symbol');
    const interval = mandatory(p, 'interval');
    const info = lookup(market, symbol);
    if (!isKlineInterval(interval)) throw errors.invalidInterval();
    const limit = parseInt32(p, 'limit') ?? 500;
    if (limit < 1) throw marketErrors.invalidData('limit');
    const startTime = parseLong(p, 'startTime');
    const endTime = parseLong(p, 'endTime');
    const timeZoneMs = timeZoneParam(p);
    if (startTime !== undefined && endTime !== undefined && startTime > endTime) return [];
    const q: KlineQuery = { limit: Math.min(limit, 1000), timeZoneMs };
    if (startTime !== undefined) q.startTime = startTime;
    if (endTime !== undefined) q.endTime = endTime;
    return market.klines(info.symbol, interval, q);
  };
}

export function depthWeight(limit: number): number {
  if (limit <= 100) return 5;
  if (limit <= 500) return 25;
  if (limit <= 1000) return 50;
  return 250;
}

export function ticker24hWeight(p: Params): number {
  if (has(p, 'symbol')) return 2;
  if (!has(p, 'symbols')) return 80;
  const n = symbolsCount(p['symbols']);
  if (n <= 20) return 2;
  if (n <= 100) return 40;
  return 80;
}

/** `timeZone` as an offset in ms (0 when absent); one that does not parse is -1130. */
export function timeZoneParam(p: Params): number {
  if (p['timeZone'] === undefined) return 0;
  const tz = parseTimeZone(p['timeZone']);
  if (tz === undefined) throw marketErrors.invalidData('timeZone');
  return tz;
}

/** `type` of the ticker endpoints: FULL (the default) or MINI. */
export function tickerType(p: Params): 'FULL' | 'MINI' {
  const type = p['type'] ?? 'FULL';
  if (type !== 'FULL' && type !== 'MINI') throw marketErrors.illegal('type', 'FULL, MINI');
  return type;
}

/** A ticker as `type` asks for it: MINI leaves out the change, average and book fields. */
export function tickerShape(t: WindowTicker, type: 'FULL' | 'MINI'): object {
  if (type === 'FULL') return t;
  return {
    symbol: t.symbol,
    openPrice: t.openPrice,
    highPrice: t.highPrice,
    lowPrice: t.lowPrice,
    lastPrice: t.lastPrice,
    volume: t.volume,
    quoteVolume: t.quoteVolume,
    openTime: t.openTime,
    closeTime: t.closeTime,
    firstId: t.firstId,
    lastId: t.lastId,
    count: t.count,
  };
}

/**
 * A public GET endpoint. `params`: the names in the endpoint's parameter table (https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/rest-api.md);
 * any other is -1104. An empty optional parameter is -1105; an empty mandatory one (`mandatory()`) is -1102.
 */
export function publicGet(
  path: string,
  params: readonly string[],
  weight: RestRoute['weight'],
  handler: RestRoute['handler'],
  required: readonly string[] = [],
): RestRoute {
  return {
    method: 'GET',
    path,
    security: 'NONE',
    weight,
    params,
    handler: (req) => {
      for (const name of params) if (!required.includes(name) && req.params[name] === '') throw errors.paramEmpty(name);
      return handler(req);
    },
  };
}

export function marketRoutes(market: MarketModel, clock: SimClock): RestRoute[] {
  const get = publicGet;
  const SELECT = ['symbol', 'symbols', 'symbolStatus'];
  const KLINES = ['symbol', 'interval', 'startTime', 'endTime', 'timeZone', 'limit'];

  const priceOf = (s: SymbolInfo) => ({ symbol: s.symbol, price: market.lastPrice(s.symbol) });
  const bookOf = (s: SymbolInfo) => ({ symbol: s.symbol, ...market.bookTicker(s.symbol) });

  return [
    get('/api/v3/ping', [], 1, () => ({})),
    get('/api/v3/time', [], 1, () => ({ serverTime: clock.now() })),
    get('/api/v3/exchangeInfo', ['symbol', 'symbols', 'permissions', 'showPermissionSets', 'symbolStatus'], 20, (req) => {
      const p = req.params;
      const hasSel = has(p, 'symbol') || has(p, 'symbols');
      if (has(p, 'symbol') && has(p, 'symbols')) throw marketErrors.badCombo();
      if (hasSel && (has(p, 'permissions') || has(p, 'symbolStatus'))) throw marketErrors.badCombo();
      const show = p['showPermissionSets'];
      if (show !== undefined && show !== 'true' && show !== 'false') throw marketErrors.illegal('showPermissionSets', 'true, false');
      let list: SymbolInfo[];
      if (has(p, 'symbol')) list = [lookup(market, mandatory(p, 'symbol'))];
      else if (has(p, 'symbols')) list = parseSymbols(market, p['symbols']!);
      else {
        const perms = p['permissions'] !== undefined ? parsePermissions(p['permissions']) : DEFAULT_PERMISSIONS;
        const status = parseSymbolStatus(p);
        list = market
          .symbols()
          .filter(
            (s) => s.permissionSets.some((set) => set.some((x) => perms.includes(x))) && (status === undefined || s.status === status),
          );
      }
      return {
        timezone: 'UTC',
        serverTime: clock.now(),
        rateLimits: RATE_LIMITS,
        exchangeFilters: EXCHANGE_FILTERS,
        symbols: list.map((s) => exchangeInfoSymbol(s, show !== 'false')),
      };
    }),
    get(
      '/api/v3/depth',
      ['symbol', 'limit', 'symbolStatus'],
      (p) => depthWeight(Number(p['limit'] ?? 100) || 100),
      (req) => {
        const p = req.params;
        const info = lookup(market, mandatory(p, 'symbol'));
        const status = parseSymbolStatus(p);
        if (status !== undefined && info.status !== status) throw marketErrors.statusMismatch();
        const limit = parseInt32(p, 'limit') ?? 100;
        if (limit < 1) throw marketErrors.invalidData('limit');
        return market.depth(info.symbol, Math.min(limit, 5000));
      },
      ['symbol'],
    ),
    get('/api/v3/klines', KLINES, 2, klinesHandler(market), ['symbol', 'interval']),
    // uiKlines: same candles; ours have no outliers to trim for presentation.
    get('/api/v3/uiKlines', KLINES, 2, klinesHandler(market), ['symbol', 'interval']),
    get(
      '/api/v3/avgPrice',
      ['symbol'],
      2,
      (req) => {
        const info = lookup(market, mandatory(req.params, 'symbol'));
        return market.avgPrice(info.symbol);
      },
      ['symbol'],
    ),
    get('/api/v3/ticker/24hr', [...SELECT, 'type'], ticker24hWeight, (req) => {
      const p = req.params;
      const type = tickerType(p);
      const { single, list } = selectSymbols(market, p);
      const one = (s: SymbolInfo) => tickerShape(market.ticker24h(s.symbol), type);
      return single ? one(single) : list.map(one);
    }),
    get(
      '/api/v3/ticker/price',
      SELECT,
      (p) => (has(p, 'symbol') ? 2 : 4),
      (req) => {
        const { single, list } = selectSymbols(market, req.params);
        return single ? priceOf(single) : list.map(priceOf);
      },
    ),
    get(
      '/api/v3/ticker/bookTicker',
      SELECT,
      (p) => (has(p, 'symbol') ? 2 : 4),
      (req) => {
        const { single, list } = selectSymbols(market, req.params);
        return single ? bookOf(single) : list.map(bookOf);
      },
    ),
  ];
}

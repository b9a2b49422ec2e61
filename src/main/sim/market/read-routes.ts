/**
 * The market data reads beyond the basics in routes.ts: public trades (recent, historical,
 * aggregate, block), the rolling-window and trading-day tickers, execution rules and reference
 * prices (https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/rest-api.md § General endpoints, § Market Data endpoints), with the
 * documented weights and parameter tables.
 */
import type { SimClock } from '../clock';
import { errors, SimError } from '../errors';
import type { RestRoute, SymbolInfo } from '../types';
import type { SimMarket, WindowTicker } from './model';
import {
  has,
  lookup,
  mandatory,
  marketErrors,
  parseInt32,
  parseLong,
  parseSymbols,
  publicGet,
  selectSymbols,
  symbolsCount,
  tickerShape,
  tickerType,
  timeZoneParam,
} from './routes';
import { toAggTrade, type TradeTape } from './trades';

type Params = Readonly<Record<string, string>>;

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const MAX_TICKER_SYMBOLS = 100;

/** -2043: the simulator sets no reference prices, so every symbol answers this (documented reply). */
export const noReferencePrice = (): SimError => new SimError(400, -2043, "This symbol doesn't have a reference price.");

/** `limit` of the trade lists: default 500, at most 1000 (larger is capped, as Binance does). */
function tradeLimit(p: Params): number {
  const limit = parseInt32(p, 'limit') ?? 500;
  if (limit < 1) throw marketErrors.invalidData('limit');
  return Math.min(limit, 1000);
}

/** Ticker endpoints whose weight is 4 per symbol, capped at 200 beyond 50 symbols. */
export function perSymbolWeight(p: Params): number {
  if (has(p, 'symbol')) return 4;
  const n = symbolsCount(p['symbols']);
  return n > 50 ? 200 : Math.max(4, 4 * n);
}

/** `windowSize`: 1m..59m, 1h..23h, 1d..7d; units cannot be combined. */
export function parseWindowSize(raw: string | undefined): number {
  if (raw === undefined) return DAY;
  const m = /^([0-9]{1,2})([mhd])$/.exec(raw);
  const n = m ? Number(m[1]) : 0;
  const unit = m?.[2];
  const ok = (unit === 'm' && n >= 1 && n <= 59) || (unit === 'h' && n >= 1 && n <= 23) || (unit === 'd' && n >= 1 && n <= 7);
  if (!ok) throw marketErrors.invalidData('windowSize');
  return n * (unit === 'm' ? MIN : unit === 'h' ? HOUR : DAY);
}

/** symbol or symbols, one of them mandatory, at most 100 symbols. */
function requireSelection(market: SimMarket, p: Params): { single: SymbolInfo | undefined; list: SymbolInfo[] } {
  if (!has(p, 'symbol') && !has(p, 'symbols')) throw errors.mandatoryParamMissing('symbol');
  if (has(p, 'symbols') && symbolsCount(p['symbols']) > MAX_TICKER_SYMBOLS) {
    parseSymbols(market, p['symbols']!);
    throw new SimError(400, -1101, `Too many values sent for parameter 'symbols', quantity must be less than ${MAX_TICKER_SYMBOLS + 1}.`);
  }
  return selectSymbols(market, p);
}

export function marketReadRoutes(market: SimMarket, tape: TradeTape, clock: SimClock): RestRoute[] {
  const get = publicGet;
  const sym = (p: Params): SymbolInfo => lookup(market, mandatory(p, 'symbol'));

  const aggTrades = (p: Params): unknown[] => {
    const info = sym(p);
    const limit = tradeLimit(p);
    const fromId = parseLong(p, 'fromId');
    const startTime = parseLong(p, 'startTime');
    const endTime = parseLong(p, 'endTime');
    if (fromId !== undefined && (startTime !== undefined || endTime !== undefined)) throw marketErrors.badCombo();
    if (fromId !== undefined) return tape.from(info.symbol, fromId, limit).map(toAggTrade);
    if (startTime !== undefined) {
      if (endTime !== undefined && endTime < startTime) return [];
      const trades = tape.from(info.symbol, tape.firstIdAtOrAfter(info.symbol, startTime), limit);
      return (endTime === undefined ? trades : trades.filter((t) => t.time <= endTime)).map(toAggTrade);
    }
    if (endTime !== undefined) {
      const lastAtEnd = tape.firstIdAtOrAfter(info.symbol, endTime + 1) - 1;
      return tape
        .from(info.symbol, lastAtEnd - limit + 1, limit)
        .filter((t) => t.id <= lastAtEnd)
        .map(toAggTrade);
    }
    return tape.recent(info.symbol, limit).map(toAggTrade);
  };

  const windowTickers = (p: Params, window: (s: SymbolInfo) => WindowTicker): unknown => {
    const type = tickerType(p);
    const { single, list } = requireSelection(market, p);
    const one = (s: SymbolInfo) => tickerShape(window(s), type);
    return single ? one(single) : list.map(one);
  };

  return [
    get(
      '/api/v3/trades',
      ['symbol', 'limit'],
      25,
      (req) => {
        const info = sym(req.params);
        return tape.recent(info.symbol, tradeLimit(req.params));
      },
      ['symbol'],
    ),
    get(
      '/api/v3/historicalTrades',
      ['symbol', 'limit', 'fromId'],
      25,
      (req) => {
        const p = req.params;
        const info = sym(p);
        const limit = tradeLimit(p);
        const fromId = parseLong(p, 'fromId');
        return fromId === undefined ? tape.recent(info.symbol, limit) : tape.from(info.symbol, fromId, limit);
      },
      ['symbol'],
    ),
    // The simulator has no block trades (they are negotiated off the book): always an empty list.
    get(
      '/api/v3/historicalBlockTrades',
      ['symbol', 'fromId', 'limit'],
      25,
      (req) => {
        sym(req.params);
        mandatory(req.params, 'fromId');
        parseLong(req.params, 'fromId');
        tradeLimit(req.params);
        return [];
      },
      ['symbol', 'fromId'],
    ),
    get('/api/v3/aggTrades', ['symbol', 'fromId', 'startTime', 'endTime', 'limit'], 4, (req) => aggTrades(req.params), ['symbol']),
    get('/api/v3/ticker', ['symbol', 'symbols', 'windowSize', 'type', 'symbolStatus'], perSymbolWeight, (req) => {
      const size = parseWindowSize(req.params['windowSize']);
      const now = clock.now();
      // openTime starts on a minute; the window is up to 59999 ms wider than windowSize.
      const openTime = Math.floor((now - size) / MIN) * MIN;
      return windowTickers(req.params, (s) => market.windowTicker(s.symbol, openTime));
    }),
    get('/api/v3/ticker/tradingDay', ['symbol', 'symbols', 'timeZone', 'type', 'symbolStatus'], perSymbolWeight, (req) => {
      const p = req.params;
      const tz = timeZoneParam(p);
      const now = clock.now();
      const openTime = Math.floor((now + tz) / DAY) * DAY - tz;
      return windowTickers(p, (s) => market.windowTicker(s.symbol, openTime, openTime + DAY - 1));
    }),
    get(
      '/api/v3/executionRules',
      ['symbol', 'symbols', 'symbolStatus'],
      (p) => {
        if (has(p, 'symbol')) return 2;
        if (has(p, 'symbols')) return Math.min(40, 2 * symbolsCount(p['symbols']));
        return 40;
      },
      (req) => {
        const p = req.params;
        const n = ['symbol', 'symbols', 'symbolStatus'].filter((k) => has(p, k)).length;
        if (n > 1) throw marketErrors.badCombo();
        const { list } = selectSymbols(market, p);
        // The simulator enforces no PRICE_RANGE execution rules, so it lists none.
        return { symbolRules: list.map((s) => ({ symbol: s.symbol, rules: [] })) };
      },
    ),
    get(
      '/api/v3/referencePrice',
      ['symbol'],
      2,
      (req) => {
        sym(req.params);
        throw noReferencePrice();
      },
      ['symbol'],
    ),
    get(
      '/api/v3/referencePrice/calculation',
      ['symbol', 'symbolStatus'],
      2,
      (req) => {
        const { single } = selectSymbols(market, { ...req.params, symbol: mandatory(req.params, 'symbol') });
        if (single === undefined) throw errors.badSymbol();
        throw noReferencePrice();
      },
      ['symbol'],
    ),
  ];
}

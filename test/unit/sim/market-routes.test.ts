import { describe, expect, it } from 'vitest';
import { createClock } from '../../../src/main/sim/clock';
import { SimError } from '../../../src/main/sim/errors';
import { createMarket } from '../../../src/main/sim/market/model';
import { marketRoutes } from '../../../src/main/sim/market/routes';
import type { RestRoute } from '../../../src/main/sim/types';

const T0 = Date.UTC(2026, 4, 20, 9, 15, 30, 500);

function setup() {
  const clock = createClock({ fixedAtMs: T0, realNow: () => 5_000_000 });
  const market = createMarket({ clock, seed: 11, speed: 1 });
  const routes = marketRoutes(market, clock);
  const route = (path: string): RestRoute => {
    const r = routes.find((x) => x.path === path);
    if (!r) throw new Error(`no route ${path}`);
    return r;
  };
  const call = (path: string, params: Record<string, string> = {}): unknown =>
    route(path).handler({ method: 'GET', path, params, receivedAt: clock.now() });
  const weight = (path: string, params: Record<string, string> = {}): number => {
    const w = route(path).weight;
    return typeof w === 'function' ? w(params) : w;
  };
  const fails = (path: string, params: Record<string, string>): { code: number; msg: string; status: number } => {
    try {
      call(path, params);
    } catch (e) {
      if (e instanceof SimError) return { code: e.code, msg: e.message, status: e.httpStatus };
      throw e;
    }
    throw new Error('expected an error');
  };
  return { clock, market, routes, call, weight, fails };
}

type Obj = Record<string, unknown>;

describe('market routes: general endpoints', () => {
  it('serves ping, time and the documented set of GET routes, all public', () => {
    const { routes, call } = setup();
    expect(routes.map((r) => r.path).sort()).toEqual([
      '/api/v3/avgPrice',
      '/api/v3/depth',
      '/api/v3/exchangeInfo',
      '/api/v3/klines',
      '/api/v3/ping',
      '/api/v3/ticker/24hr',
      '/api/v3/ticker/bookTicker',
      '/api/v3/ticker/price',
      '/api/v3/time',
      '/api/v3/uiKlines',
    ]);
    for (const r of routes) {
      expect(r.method).toBe('GET');
      expect(r.security).toBe('NONE');
    }
    expect(call('/api/v3/ping')).toEqual({});
    expect(call('/api/v3/time')).toEqual({ serverTime: T0 });
  });

  it('charges the documented weights', () => {
    const { weight } = setup();
    expect(weight('/api/v3/ping')).toBe(1);
    expect(weight('/api/v3/time')).toBe(1);
    expect(weight('/api/v3/exchangeInfo')).toBe(20);
    expect(weight('/api/v3/klines')).toBe(2);
    expect(weight('/api/v3/uiKlines')).toBe(2);
    expect(weight('/api/v3/avgPrice')).toBe(2);
    expect([
      weight('/api/v3/depth'),
      weight('/api/v3/depth', { limit: '100' }),
      weight('/api/v3/depth', { limit: '101' }),
      weight('/api/v3/depth', { limit: '500' }),
      weight('/api/v3/depth', { limit: '1000' }),
      weight('/api/v3/depth', { limit: '5000' }),
    ]).toEqual([5, 5, 25, 25, 50, 250]);
    const list = (n: number) => JSON.stringify(Array.from({ length: n }, (_, i) => `S${i}`));
    expect([
      weight('/api/v3/ticker/24hr', { symbol: 'BTCUSDT' }),
      weight('/api/v3/ticker/24hr'),
      weight('/api/v3/ticker/24hr', { symbols: list(20) }),
      weight('/api/v3/ticker/24hr', { symbols: list(21) }),
      weight('/api/v3/ticker/24hr', { symbols: list(100) }),
      weight('/api/v3/ticker/24hr', { symbols: list(101) }),
    ]).toEqual([2, 80, 2, 40, 40, 80]);
    expect([
      weight('/api/v3/ticker/price', { symbol: 'BTCUSDT' }),
      weight('/api/v3/ticker/price'),
      weight('/api/v3/ticker/price', { symbols: list(3) }),
    ]).toEqual([2, 4, 4]);
    expect([weight('/api/v3/ticker/bookTicker', { symbol: 'BTCUSDT' }), weight('/api/v3/ticker/bookTicker')]).toEqual([2, 4]);
  });
});

describe('market routes: exchangeInfo', () => {
  it('lists every symbol with the documented fields, rate limits and exchange filters', () => {
    const { call, market } = setup();
    const info = call('/api/v3/exchangeInfo') as Obj;
    expect(Object.keys(info)).toEqual(['timezone', 'serverTime', 'rateLimits', 'exchangeFilters', 'symbols']);
    expect(info['timezone']).toBe('UTC');
    expect(info['serverTime']).toBe(T0);
    expect(info['rateLimits']).toContainEqual({ rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 });
    expect(info['exchangeFilters']).toContainEqual({ filterType: 'EXCHANGE_MAX_NUM_ORDERS', maxNumOrders: 1000 });
    const symbols = info['symbols'] as Obj[];
    expect(symbols).toHaveLength(market.symbols().length);
    expect(Object.keys(symbols[0]!)).toEqual([
      'symbol',
      'status',
      'baseAsset',
      'baseAssetPrecision',
      'quoteAsset',
      'quotePrecision',
      'quoteAssetPrecision',
      'baseCommissionPrecision',
      'quoteCommissionPrecision',
      'orderTypes',
      'icebergAllowed',
      'ocoAllowed',
      'otoAllowed',
      'opoAllowed',
      'quoteOrderQtyMarketAllowed',
      'allowTrailingStop',
      'cancelReplaceAllowed',
      'amendAllowed',
      'pegInstructionsAllowed',
      'isSpotTradingAllowed',
      'isMarginTradingAllowed',
      'filters',
      'permissions',
      'permissionSets',
      'defaultSelfTradePreventionMode',
      'allowedSelfTradePreventionModes',
    ]);
    const btc = symbols.find((s) => s['symbol'] === 'BTCUSDT')!;
    expect(btc['permissions']).toEqual([]);
    expect(btc['permissionSets']).toEqual([['SPOT', 'MARGIN', 'TRD_GRP_004', 'TRD_GRP_005', 'TRD_GRP_006']]);
    expect(btc['isMarginTradingAllowed']).toBe(true);
    expect(btc['orderTypes']).toEqual([
      'LIMIT',
      'LIMIT_MAKER',
      'MARKET',
      'STOP_LOSS',
      'STOP_LOSS_LIMIT',
      'TAKE_PROFIT',
      'TAKE_PROFIT_LIMIT',
    ]);
    expect(btc['filters']).toContainEqual({
      filterType: 'PRICE_FILTER',
      minPrice: '0.01000000',
      maxPrice: '10000000.00000000',
      tickSize: '0.01000000',
    });
    expect(btc['filters']).toContainEqual({
      filterType: 'LOT_SIZE',
      minQty: '0.00001000',
      maxQty: '9000.00000000',
      stepSize: '0.00001000',
    });
    expect(btc['filters']).toContainEqual({
      filterType: 'NOTIONAL',
      minNotional: '5.00000000',
      applyMinToMarket: true,
      maxNotional: '9000000.00000000',
      applyMaxToMarket: false,
      avgPriceMins: 5,
    });
  });

  it('selects by symbol, symbols, permissions and symbolStatus', () => {
    const { call, market } = setup();
    const names = (r: unknown) => ((r as Obj)['symbols'] as Obj[]).map((s) => s['symbol']);
    expect(names(call('/api/v3/exchangeInfo', { symbol: 'ETHBTC' }))).toEqual(['ETHBTC']);
    expect(names(call('/api/v3/exchangeInfo', { symbols: '["BTCUSDT","ARDRBTC"]' }))).toEqual(['BTCUSDT', 'ARDRBTC']);
    const margin = names(call('/api/v3/exchangeInfo', { permissions: '["MARGIN"]' }));
    expect(margin).toContain('BTCUSDT');
    expect(margin).not.toContain('ARDRBTC');
    expect(names(call('/api/v3/exchangeInfo', { permissions: 'SPOT' }))).toHaveLength(market.symbols().length);
    market.setStatus('XRPEUR', 'HALT');
    expect(names(call('/api/v3/exchangeInfo', { symbolStatus: 'HALT' }))).toEqual(['XRPEUR']);
    const hidden = (call('/api/v3/exchangeInfo', { symbol: 'BTCUSDT', showPermissionSets: 'false' }) as Obj)['symbols'] as Obj[];
    expect(hidden[0]!['permissionSets']).toEqual([]);
  });

  it('rejects bad selections with Binance errors', () => {
    const { fails } = setup();
    expect(fails('/api/v3/exchangeInfo', { symbol: 'NOPEUSDT' })).toEqual({ code: -1121, msg: 'Invalid symbol.', status: 400 });
    expect(fails('/api/v3/exchangeInfo', { symbol: 'btcusdt' }).code).toBe(-1100);
    expect(fails('/api/v3/exchangeInfo', { symbols: '["BTCUSDT", "ETHBTC"]' }).code).toBe(-1100);
    expect(fails('/api/v3/exchangeInfo', { symbols: '["BTCUSDT","NOPE"]' }).code).toBe(-1121);
    expect(fails('/api/v3/exchangeInfo', { symbol: 'BTCUSDT', symbols: '["ETHBTC"]' }).code).toBe(-1128);
    expect(fails('/api/v3/exchangeInfo', { symbol: 'BTCUSDT', permissions: 'SPOT' }).code).toBe(-1128);
    expect(fails('/api/v3/exchangeInfo', { symbolStatus: 'SLEEPING' })).toEqual({ code: -1122, msg: 'Invalid symbolStatus.', status: 400 });
  });
});

describe('market routes: klines and uiKlines', () => {
  it('validate parameters exactly', () => {
    const { fails } = setup();
    for (const path of ['/api/v3/klines', '/api/v3/uiKlines']) {
      expect(fails(path, { interval: '1m' })).toEqual({
        code: -1102,
        msg: "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.",
        status: 400,
      });
      expect(fails(path, { symbol: 'BTCUSDT' })).toEqual({
        code: -1102,
        msg: "Mandatory parameter 'interval' was not sent, was empty/null, or malformed.",
        status: 400,
      });
      expect(fails(path, { symbol: 'BTCUSDT', interval: '1H' })).toEqual({ code: -1120, msg: 'Invalid interval.', status: 400 });
      expect(fails(path, { symbol: 'NOPE', interval: '1m' }).code).toBe(-1121);
      expect(fails(path, { symbol: 'BTCUSDT', interval: '1m', limit: 'ten' }).code).toBe(-1100);
      expect(fails(path, { symbol: 'BTCUSDT', interval: '1m', timeZone: '15' }).code).toBe(-1130);
    }
  });

  it('default to 500, cap at 1000 and honour start/end times (ms or µs) and timeZone', () => {
    const { call } = setup();
    type K = [number, ...unknown[]][];
    expect(call('/api/v3/klines', { symbol: 'BTCUSDT', interval: '1m' }) as K).toHaveLength(500);
    expect(call('/api/v3/klines', { symbol: 'BTCUSDT', interval: '1m', limit: '5000' }) as K).toHaveLength(1000);
    const start = Date.UTC(2026, 0, 1);
    const ms = call('/api/v3/klines', { symbol: 'BTCUSDT', interval: '1h', startTime: String(start), limit: '3' }) as K;
    expect(ms.map((k) => k[0])).toEqual([start, start + 3_600_000, start + 7_200_000]);
    expect(call('/api/v3/klines', { symbol: 'BTCUSDT', interval: '1h', startTime: String(start * 1000), limit: '3' })).toEqual(ms);
    const end = call('/api/v3/klines', { symbol: 'BTCUSDT', interval: '1h', endTime: String(start), limit: '2' }) as K;
    expect(end.map((k) => k[0])).toEqual([start - 3_600_000, start]);
    const tz = call('/api/v3/klines', { symbol: 'BTCUSDT', interval: '1d', timeZone: '-1:00', limit: '1' }) as K;
    expect(new Date(tz[0]![0]).getUTCHours()).toBe(1);
    expect(call('/api/v3/uiKlines', { symbol: 'BTCUSDT', interval: '1h', startTime: String(start), limit: '3' })).toEqual(ms);
    expect(call('/api/v3/klines', { symbol: 'BTCUSDT', interval: '1h', startTime: String(start + 1), endTime: String(start) })).toEqual([]);
    const row = ms[0]!;
    expect(row).toHaveLength(12);
    expect(row.map((x) => typeof x)).toEqual([
      'number',
      'string',
      'string',
      'string',
      'string',
      'string',
      'number',
      'string',
      'number',
      'string',
      'string',
      'string',
    ]);
  });
});

describe('market routes: depth, avgPrice, tickers', () => {
  it('depth defaults to 100 levels, caps at 5000 and checks symbolStatus', () => {
    const { call, fails, market } = setup();
    const d = call('/api/v3/depth', { symbol: 'ETHUSDT' }) as { lastUpdateId: number; bids: unknown[]; asks: unknown[] };
    expect(Object.keys(d)).toEqual(['lastUpdateId', 'bids', 'asks']);
    expect(d.bids).toHaveLength(100);
    expect(d.asks).toHaveLength(100);
    expect((call('/api/v3/depth', { symbol: 'ETHUSDT', limit: '6000' }) as typeof d).bids).toHaveLength(5000);
    expect(fails('/api/v3/depth', {}).code).toBe(-1102);
    market.setStatus('ETHUSDT', 'BREAK');
    expect(fails('/api/v3/depth', { symbol: 'ETHUSDT', symbolStatus: 'TRADING' })).toEqual({
      code: -1220,
      msg: "The symbol's status does not match the requested symbolStatus.",
      status: 400,
    });
  });

  it('avgPrice has mins, price, closeTime', () => {
    const { call, fails } = setup();
    const a = call('/api/v3/avgPrice', { symbol: 'BNBBTC' }) as Obj;
    expect(Object.keys(a)).toEqual(['mins', 'price', 'closeTime']);
    expect(a['mins']).toBe(5);
    expect(a['closeTime']).toBe(T0);
    expect(fails('/api/v3/avgPrice', {}).code).toBe(-1102);
  });

  it('ticker/24hr serves FULL and MINI for one, some or all symbols', () => {
    const { call, fails, market } = setup();
    const full = call('/api/v3/ticker/24hr', { symbol: 'BTCUSDT' }) as Obj;
    expect(Object.keys(full)).toEqual([
      'symbol',
      'priceChange',
      'priceChangePercent',
      'weightedAvgPrice',
      'prevClosePrice',
      'lastPrice',
      'lastQty',
      'bidPrice',
      'bidQty',
      'askPrice',
      'askQty',
      'openPrice',
      'highPrice',
      'lowPrice',
      'volume',
      'quoteVolume',
      'openTime',
      'closeTime',
      'firstId',
      'lastId',
      'count',
    ]);
    const mini = call('/api/v3/ticker/24hr', { symbol: 'BTCUSDT', type: 'MINI' }) as Obj;
    expect(Object.keys(mini)).toEqual([
      'symbol',
      'openPrice',
      'highPrice',
      'lowPrice',
      'lastPrice',
      'volume',
      'quoteVolume',
      'openTime',
      'closeTime',
      'firstId',
      'lastId',
      'count',
    ]);
    expect(mini['lastPrice']).toBe(full['lastPrice']);
    const some = call('/api/v3/ticker/24hr', { symbols: '["ETHBTC","BTCUSDT"]' }) as Obj[];
    expect(some.map((t) => t['symbol'])).toEqual(['ETHBTC', 'BTCUSDT']);
    expect(call('/api/v3/ticker/24hr', { type: 'MINI' }) as Obj[]).toHaveLength(market.symbols().length);
    expect(fails('/api/v3/ticker/24hr', { type: 'HUGE' }).code).toBe(-1100);
    expect(fails('/api/v3/ticker/24hr', { symbol: 'BTCUSDT', symbols: '["ETHBTC"]' }).code).toBe(-1128);
    market.setStatus('ETHBTC', 'HALT');
    expect(
      (call('/api/v3/ticker/24hr', { symbols: '["ETHBTC","BTCUSDT"]', symbolStatus: 'TRADING' }) as Obj[]).map((t) => t['symbol']),
    ).toEqual(['BTCUSDT']);
    expect(fails('/api/v3/ticker/24hr', { symbol: 'ETHBTC', symbolStatus: 'TRADING' }).code).toBe(-1220);
  });

  it('ticker/price and ticker/bookTicker answer an object for one symbol, an array otherwise', () => {
    const { call, fails, market } = setup();
    expect(call('/api/v3/ticker/price', { symbol: 'SOLUSDT' })).toEqual({ symbol: 'SOLUSDT', price: market.lastPrice('SOLUSDT') });
    const all = call('/api/v3/ticker/price') as Obj[];
    expect(all).toHaveLength(market.symbols().length);
    expect(all.every((p) => typeof p['price'] === 'string')).toBe(true);
    expect(call('/api/v3/ticker/bookTicker', { symbol: 'SOLUSDT' })).toEqual({ symbol: 'SOLUSDT', ...market.bookTicker('SOLUSDT') });
    expect((call('/api/v3/ticker/bookTicker', { symbols: '["SOLUSDT","ETHBTC"]' }) as Obj[]).map((b) => b['symbol'])).toEqual([
      'SOLUSDT',
      'ETHBTC',
    ]);
    expect(fails('/api/v3/ticker/price', { symbol: 'DUSTXUSDT' })).toEqual({ code: -1121, msg: 'Invalid symbol.', status: 400 });
  });
});

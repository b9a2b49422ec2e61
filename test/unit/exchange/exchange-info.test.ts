import { afterEach, describe, expect, it, vi } from 'vitest';
import { ExchangeError } from '../../../src/main/exchange/errors';
import { createExchangeInfo, isPermitted } from '../../../src/main/exchange/exchange-info';
import { createRateLimitGovernor } from '../../../src/main/exchange/rate-limit';
import type { RestClient, RestRequest } from '../../../src/main/exchange/rest-client';
import { simulatorEnvironment } from '../../../src/main/exchange/environments';

function symbol(name: string, status = 'TRADING', tick = '0.01000000') {
  return {
    symbol: name,
    status,
    baseAsset: name.replace(/USDT$/, ''),
    quoteAsset: 'USDT',
    baseAssetPrecision: 8,
    quoteAssetPrecision: 8,
    orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT_LIMIT'],
    quoteOrderQtyMarketAllowed: true,
    isSpotTradingAllowed: true,
    permissions: [],
    permissionSets: [['SPOT', 'MARGIN']],
    filters: [
      { filterType: 'PRICE_FILTER', minPrice: tick, maxPrice: '1000000.00000000', tickSize: tick },
      { filterType: 'LOT_SIZE', minQty: '0.00001000', maxQty: '9000.00000000', stepSize: '0.00001000' },
      {
        filterType: 'NOTIONAL',
        minNotional: '5.00000000',
        applyMinToMarket: true,
        maxNotional: '9000000.00000000',
        applyMaxToMarket: false,
        avgPriceMins: 5,
      },
    ],
  };
}

function stubRest(respond: (req: RestRequest<unknown>) => unknown): { rest: RestClient; calls: RestRequest<unknown>[] } {
  const calls: RestRequest<unknown>[] = [];
  const rest: RestClient = {
    env: simulatorEnvironment({ restUrl: 'http://127.0.0.1:9', streamUrl: 'ws://127.0.0.1:9', wsApiUrl: 'ws://127.0.0.1:9' }),
    async request<T>(req: RestRequest<T>): Promise<T> {
      calls.push(req as RestRequest<unknown>);
      const raw = respond(req as RestRequest<unknown>);
      return (req.schema ? req.schema.parse(raw) : raw) as T;
    },
    async requestWithMeta<T>(req: RestRequest<T>) {
      return { data: await this.request(req), httpStatus: 200, headers: {}, durationMs: 0 };
    },
  };
  return { rest, calls };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('exchangeInfo cache', () => {
  it('loads, parses filters and permissionSets, feeds rate limits to the governor', async () => {
    const governor = createRateLimitGovernor();
    const { rest, calls } = stubRest(() => ({
      timezone: 'UTC',
      serverTime: 1,
      rateLimits: [{ rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 1200 }],
      exchangeFilters: [{ filterType: 'EXCHANGE_MAX_NUM_ORDERS', maxNumOrders: 1000 }],
      symbols: [symbol('BTCUSDT'), symbol('ETHUSDT', 'HALT')],
    }));
    const info = createExchangeInfo({ rest, governor });
    await info.start();
    info.stop();
    expect(calls[0]).toMatchObject({ method: 'GET', path: '/api/v3/exchangeInfo', security: 'NONE', weight: 20 });
    expect(info.symbol('BTCUSDT')?.filters.lotSize?.stepSize).toBe('0.00001000');
    expect(info.symbol('BTCUSDT')?.permissionSets).toEqual([['SPOT', 'MARGIN']]);
    expect(info.symbol('ETHUSDT')?.status).toBe('HALT');
    expect(info.exchangeFilters().maxNumOrders?.maxNumOrders).toBe(1000);
    expect(governor.state().weightLimit).toBe(1200);
    expect(info.validate({ symbol: 'ETHUSDT', side: 'BUY', type: 'LIMIT', quantity: '1', price: '10' }).issues[0]?.filter).toBe(
      'SYMBOL_STATUS',
    );
    expect(info.validate({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '0.0012345', price: '50000.019' }).order).toMatchObject(
      { quantity: '0.00123', price: '50000.01' },
    );
    expect(info.validate({ symbol: 'NOPE', side: 'BUY', type: 'MARKET', quantity: '1' }).issues[0]?.filter).toBe('SYMBOL');
  });

  it('markStale batches symbols into one symbols=[...] request and reports changes', async () => {
    let tick = '0.01000000';
    let status = 'TRADING';
    const { rest, calls } = stubRest((req) => {
      const wanted = req.params?.symbols as readonly string[] | undefined;
      const all = [symbol('BTCUSDT', status, tick), symbol('ETHUSDT', status, tick), symbol('BNBUSDT')];
      return { rateLimits: [], exchangeFilters: [], symbols: wanted ? all.filter((s) => wanted.includes(s.symbol)) : all };
    });
    const info = createExchangeInfo({ rest, staleDebounceMs: 10 });
    await info.start();
    const changes: string[][] = [];
    info.onChange((c) => changes.push([...c]));
    tick = '0.10000000';
    status = 'CANCEL_ONLY';
    info.markStale('BTCUSDT');
    info.markStale('ETHUSDT');
    info.markStale('BTCUSDT');
    await info.flushStale();
    info.stop();
    expect(calls).toHaveLength(2);
    expect(calls[1]?.params).toEqual({ symbols: ['BTCUSDT', 'ETHUSDT'] });
    expect(changes).toEqual([['BTCUSDT', 'ETHUSDT']]);
    expect(info.symbol('BTCUSDT')?.filters.price?.tickSize).toBe('0.10000000');
    expect(info.symbol('BTCUSDT')?.status).toBe('CANCEL_ONLY');
    expect(info.symbols()).toHaveLength(3);
  });

  it('refreshes on its schedule and releases its timers on stop()', async () => {
    vi.useFakeTimers();
    const { rest, calls } = stubRest(() => ({ rateLimits: [], exchangeFilters: [], symbols: [symbol('BTCUSDT')] }));
    const info = createExchangeInfo({ rest, refreshIntervalMs: 1000, staleDebounceMs: 50 });
    await info.start();
    await vi.advanceTimersByTimeAsync(3000);
    expect(calls).toHaveLength(4);
    expect(calls[1]?.priority).toBe('optional');
    info.markStale('BTCUSDT');
    info.stop();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(5000);
    expect(calls).toHaveLength(4);
  });

  it('a filter with an unexpected shape is a bad-response, not a crash later', async () => {
    const bad = symbol('BTCUSDT');
    bad.filters[1] = { filterType: 'LOT_SIZE', minQty: '0.001', maxQty: '1', stepSize: 0.001 } as unknown as (typeof bad.filters)[number];
    const { rest } = stubRest(() => ({ rateLimits: [], exchangeFilters: [], symbols: [bad] }));
    const info = createExchangeInfo({ rest });
    const e = await info.refresh('test').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ExchangeError);
    expect((e as ExchangeError).kind).toBe('bad-response');
    expect(info.isLoaded()).toBe(false);
  });

  it('isPermitted: OR inside a set, AND across sets', () => {
    expect(isPermitted([['SPOT', 'MARGIN']], ['MARGIN'])).toBe(true);
    expect(isPermitted([['SPOT'], ['TRD_GRP_004', 'TRD_GRP_005']], ['SPOT'])).toBe(false);
    expect(isPermitted([['SPOT'], ['TRD_GRP_004', 'TRD_GRP_005']], ['SPOT', 'TRD_GRP_005'])).toBe(true);
    expect(isPermitted([], [])).toBe(true);
  });
});

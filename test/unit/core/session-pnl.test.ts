import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSessionPnl } from '../../../src/main/core/session-pnl';
import { createOrderStateStore, type OrderUpdateInput } from '../../../src/main/exchange/order-state';
import type { RestRequest } from '../../../src/main/exchange/rest-client';

afterEach(() => {
  vi.useRealTimers();
});

const order = (status: OrderUpdateInput['status'], executedQty: string): OrderUpdateInput => ({
  symbol: 'ETHUSDT',
  orderId: '7',
  clientOrderId: 'c7',
  side: 'BUY',
  type: 'LIMIT',
  timeInForce: 'GTC',
  price: '3000',
  origQty: '1',
  stopPrice: '0',
  status,
  executedQty,
  cumulativeQuoteQty: '0',
  orderListId: '-1',
  createdAt: 1,
  updateTime: executedQty === '0' ? 1 : 2,
});

describe('session P&L', () => {
  it('a fill on the user data stream reads that symbol’s new trades', async () => {
    vi.useFakeTimers();
    const asked: RestRequest[] = [];
    const rest = {
      env: undefined as never,
      request: async () => [] as never,
      requestWithMeta: async (req: RestRequest) => {
        asked.push(req);
        return {
          data: (req.path === '/sapi/v1/asset/dribblet' ? { total: 0, userAssetDribblets: [] } : []) as never,
          httpStatus: 200,
          headers: {},
          durationMs: 1,
        };
      },
    };
    const orders = createOrderStateStore();
    const pnl = createSessionPnl({
      session: {
        rest,
        orders,
        freeBalances: () => ({}),
        ready: () => new Promise(() => undefined),
        exchangeInfo: { symbols: () => [{ symbol: 'ETHUSDT', baseAsset: 'ETH', quoteAsset: 'USDT' }] } as never,
      },
      environment: 'testnet',
      db: new DatabaseSync(':memory:'),
      quote: () => 'USDT',
      now: () => 1_000,
      emit: () => undefined,
    });
    orders.apply(order('NEW', '0'), 'event');
    orders.apply(order('PARTIALLY_FILLED', '0.4'), 'event');
    await vi.advanceTimersByTimeAsync(2000);
    expect(asked.filter((r) => r.path === '/api/v3/myTrades').map((r) => (r.params as Record<string, unknown>)['symbol'])).toEqual([
      'ETHUSDT',
    ]);
    pnl.stop();
  });
});

/**
 * OCO reconciliation on a fake clock: a failure that is not an exchange answer (a bug, a parse
 * error) proves nothing and must not leave the list stuck 'unknown' or raise an unhandled
 * rejection; absence needs the window (from the send) and two looks; a late list corrects it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ExchangeError } from '../../../src/main/exchange/errors';
import { createOrderStateStore } from '../../../src/main/exchange/order-state';
import type { RestRequest } from '../../../src/main/exchange/rest-client';
import { createOcoPlacer, legIds, type OcoOutcome, type OcoPlacer } from '../../../src/main/orders/oco';
import type { ConfirmedOrder } from '../../../src/shared/domain/orders';
import { fakeClock } from '../../helpers/fake-clock';

const LIST = 'perch-oco-1';
const ids = legIds(LIST);
const order: ConfirmedOrder = {
  symbol: 'BTCUSDT',
  side: 'SELL',
  type: 'OCO',
  quantity: '0.001',
  price: '70000',
  stopPrice: '50000',
  stopLimitPrice: '49900',
};
const leg = (clientOrderId: string, orderId: number, type: string) => ({
  symbol: 'BTCUSDT',
  orderId,
  orderListId: 7,
  clientOrderId,
  price: '70000',
  origQty: '0.001',
  executedQty: '0',
  cummulativeQuoteQty: '0',
  status: 'NEW',
  timeInForce: 'GTC',
  type,
  side: 'SELL',
  stopPrice: '0',
  updateTime: 1,
});
const legs = [leg(ids.limit, 101, 'LIMIT_MAKER'), leg(ids.stop, 102, 'STOP_LOSS_LIMIT')];
const list = {
  orderListId: 7,
  listClientOrderId: LIST,
  listOrderStatus: 'EXECUTING',
  symbol: 'BTCUSDT',
  orders: legs.map((l) => ({ symbol: l.symbol, orderId: l.orderId, clientOrderId: l.clientOrderId })),
  orderReports: legs,
};
const notFound = (): ExchangeError =>
  new ExchangeError({ kind: 'not-found', httpStatus: 400, binanceCode: -2013, binanceMsg: 'Order list does not exist.', message: 'x' });

const placers: OcoPlacer[] = [];
afterEach(() => {
  for (const p of placers.splice(0)) p.dispose();
});

describe('OCO reconciliation', () => {
  it('non-exchange errors (on the send and on the queries) are retried, and the list is found', async () => {
    const clock = fakeClock();
    let listQueries = 0;
    const log: string[] = [];
    const rest = {
      async request<T>(req: RestRequest<T>): Promise<T> {
        if (req.method === 'POST') throw new TypeError('response body could not be read');
        if (req.path === '/api/v3/orderList') {
          listQueries += 1;
          if (listQueries <= 2) throw new TypeError('a bug in a parser');
          return req.schema!.parse(list) as T;
        }
        throw new Error(`unexpected ${req.path}`);
      },
    };
    const oco = createOcoPlacer({
      rest,
      orders: createOrderStateStore(),
      clock,
      backoff: { baseMs: 250, capMs: 5_000, minMs: 100, random: () => 0.5 },
      log: (e) => log.push(e.type),
    });
    placers.push(oco);
    const seen: OcoOutcome[] = [];
    oco.subscribe((o) => seen.push(o));
    const first = await oco.place(LIST, order);
    expect(first.status).toBe('unknown');
    await clock.runUntil(() => oco.get(LIST)?.status === 'accepted', 60_000);
    expect(oco.get(LIST)).toMatchObject({ status: 'accepted', orderListId: '7' });
    expect(listQueries).toBe(3);
    expect(log.filter((t) => t === 'oco-query-error')).toHaveLength(2);
  });

  it('a list invisible for 120 s: probably not placed after the window and two looks, then corrected', async () => {
    const clock = fakeClock();
    const calls: { path: string; at: number }[] = [];
    const rest = {
      async request<T>(req: RestRequest<T>): Promise<T> {
        calls.push({ path: req.path, at: clock.now() });
        const visible = clock.now() >= 120_000;
        if (req.method === 'POST') throw new ExchangeError({ kind: 'unknown-outcome', httpStatus: 503, binanceCode: -1007, message: 'x' });
        if (req.path === '/api/v3/orderList') {
          if (!visible) throw notFound();
          return req.schema!.parse(list) as T;
        }
        if (req.path === '/api/v3/allOrders') return req.schema!.parse(visible ? legs : []) as T;
        throw new Error(`unexpected ${req.path}`);
      },
    };
    const oco = createOcoPlacer({
      rest,
      orders: createOrderStateStore(),
      clock,
      backoff: { baseMs: 250, capMs: 5_000, minMs: 100, random: () => 0.5 },
    });
    placers.push(oco);
    const seen: OcoOutcome[] = [];
    oco.subscribe((o) => seen.push(o));
    await oco.place(LIST, order);
    await clock.runUntil(() => oco.get(LIST)?.status === 'accepted', 400_000);
    const np = seen.find((o) => o.status === 'not-placed');
    expect(np).toBeDefined();
    expect(np!.at).toBeGreaterThanOrEqual(100_000);
    expect(np!.verified).toBe(true);
    expect(np!.message).toMatch(/^Probably not placed: .*Check Open orders before placing it again/);
    const lists = calls.filter((c) => c.path === '/api/v3/allOrders' && c.at <= np!.at);
    expect(lists).toHaveLength(2);
    expect(lists[1]!.at - lists[0]!.at).toBeGreaterThanOrEqual(10_000);
    expect(oco.get(LIST)).toMatchObject({ status: 'accepted', corrected: true });
    await clock.runUntil(() => false, 2_000_000);
    expect(clock.pending()).toBe(0);
  });
});

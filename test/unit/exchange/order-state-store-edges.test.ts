/**
 * The order-state store's bookkeeping that the coverage of the money paths showed untested:
 * pruning of finished orders (never an open one), the open-orders snapshot per symbol, and a
 * listener that throws.
 */
import { describe, expect, it } from 'vitest';
import { createOrderStateStore, type OrderUpdateInput } from '../../../src/main/exchange/order-state';

function upd(orderId: string, status: OrderUpdateInput['status'], over: Partial<OrderUpdateInput> = {}): OrderUpdateInput {
  return {
    symbol: 'BTCUSDT', orderId, clientOrderId: `c-${orderId}`, side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', price: '100', origQty: '1',
    stopPrice: '0', status, executedQty: status === 'FILLED' ? '1' : '0', cumulativeQuoteQty: status === 'FILLED' ? '100' : '0',
    orderListId: '-1', createdAt: 1, updateTime: Number(orderId), ...over,
  };
}

describe('order-state store bookkeeping', () => {
  it('keeps at most maxTerminalOrders finished orders, oldest first out, and never drops an open one', () => {
    const store = createOrderStateStore({ maxTerminalOrders: 2 });
    store.apply(upd('1', 'FILLED'), 'event');
    store.apply(upd('2', 'NEW'), 'event');
    store.apply(upd('3', 'CANCELED'), 'event');
    store.apply(upd('4', 'FILLED'), 'event');
    expect(store.get('1')).toBeUndefined();
    expect(store.get('c-1')).toBeUndefined();
    expect(store.get('2')?.status).toBe('NEW');
    expect(store.get('3')?.status).toBe('CANCELED');
    expect(store.get('4')?.status).toBe('FILLED');
    expect(store.all().map((o) => o.orderId).sort()).toEqual(['2', '3', '4']);
    store.apply(upd('5', 'EXPIRED'), 'event');
    expect(store.get('3')).toBeUndefined();
    expect(store.get('2')?.status).toBe('NEW');
  });

  it('pruning an order does not drop a newer order that reuses its client id', () => {
    const store = createOrderStateStore({ maxTerminalOrders: 1 });
    store.apply(upd('1', 'FILLED', { clientOrderId: 'same' }), 'event');
    store.apply(upd('2', 'NEW', { clientOrderId: 'same' }), 'event');
    store.apply(upd('3', 'FILLED'), 'event');
    expect(store.get('1')).toBeUndefined();
    expect(store.get('same')?.orderId).toBe('2');
  });

  it('an open-orders snapshot of one symbol reports only that symbol\'s orders it no longer lists', () => {
    const store = createOrderStateStore();
    store.apply(upd('1', 'NEW'), 'event');
    store.apply(upd('2', 'NEW', { symbol: 'ETHUSDT' }), 'event');
    store.apply(upd('3', 'FILLED'), 'event');
    expect(store.applyOpenOrdersSnapshot([], 'BTCUSDT').map((o) => o.orderId)).toEqual(['1']);
    expect(store.applyOpenOrdersSnapshot([upd('1', 'NEW')]).map((o) => o.orderId)).toEqual(['2']);
  });

  it('a throwing listener neither stops the others nor the merge; unsubscribe removes it', () => {
    const store = createOrderStateStore();
    const seen: string[] = [];
    store.onOrderUpdate(() => {
      throw new Error('boom');
    });
    const off = store.onOrderUpdate((n) => seen.push(n.order.status));
    expect(store.listenerCount()).toBe(2);
    store.apply(upd('1', 'NEW'), 'event');
    store.apply(upd('1', 'FILLED', { updateTime: 9 }), 'event');
    expect(seen).toEqual(['NEW', 'FILLED']);
    off();
    expect(store.listenerCount()).toBe(1);
    store.clear();
    expect(store.all()).toEqual([]);
  });
});

/**
 * The order-state store's bookkeeping that the coverage of the money paths showed untested:
 * pruning of finished orders (never an open one), the open-orders snapshot per symbol, and a
 * listener that throws.
 */
import { describe, expect, it } from 'vitest';
import {
  createOrderStateStore,
  idSchema,
  isTerminalStatus,
  orderUpdateFromRest,
  restOrderSchema,
  type OrderUpdateInput,
} from '../../../src/main/exchange/order-state';

function upd(orderId: string, status: OrderUpdateInput['status'], over: Partial<OrderUpdateInput> = {}): OrderUpdateInput {
  return {
    symbol: 'BTCUSDT',
    orderId,
    clientOrderId: `c-${orderId}`,
    side: 'BUY',
    type: 'LIMIT',
    timeInForce: 'GTC',
    price: '100',
    origQty: '1',
    stopPrice: '0',
    status,
    executedQty: status === 'FILLED' ? '1' : '0',
    cumulativeQuoteQty: status === 'FILLED' ? '100' : '0',
    orderListId: '-1',
    createdAt: 1,
    updateTime: Number(orderId),
    ...over,
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
    expect(
      store
        .all()
        .map((o) => o.orderId)
        .sort(),
    ).toEqual(['2', '3', '4']);
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

  it("an open-orders snapshot of one symbol reports only that symbol's orders it no longer lists", () => {
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

describe('order-state parsing edges', () => {
  it('terminal statuses are exactly the five finished ones', () => {
    for (const s of ['FILLED', 'CANCELED', 'REJECTED', 'EXPIRED', 'EXPIRED_IN_MATCH']) expect(isTerminalStatus(s), s).toBe(true);
    for (const s of ['NEW', 'PENDING_NEW', 'PARTIALLY_FILLED', 'PENDING_CANCEL', '']) expect(isTerminalStatus(s), s).toBe(false);
  });

  it('ids are whole decimal numbers only, kept as text (no prefix, no suffix)', () => {
    expect(idSchema.parse('8389765612825190229')).toBe('8389765612825190229');
    expect(idSchema.parse(-1)).toBe('-1');
    for (const bad of ['x12', '12x', '1.5', '']) expect(idSchema.safeParse(bad).success, bad).toBe(false);
  });

  it('a REST order without the optional fields gets stop price 0, no list and no creation time', () => {
    const o = restOrderSchema.parse({
      symbol: 'BTCUSDT',
      orderId: 7,
      clientOrderId: 'c-7',
      price: '100.00',
      origQty: '1.0',
      executedQty: '0.0',
      cummulativeQuoteQty: '0.0',
      status: 'NEW',
      timeInForce: 'GTC',
      type: 'LIMIT',
      side: 'BUY',
      updateTime: 5,
    });
    expect(orderUpdateFromRest(o)).toMatchObject({ orderId: '7', stopPrice: '0', orderListId: '-1', createdAt: null, updateTime: 5 });
    for (const bad of ['1.0x', 'x1.0', '1.', '.5']) {
      expect(restOrderSchema.safeParse({ ...o, orderId: '7', price: bad }).success, bad).toBe(false);
    }
    const full = restOrderSchema.parse({ ...o, orderId: '7', stopPrice: '90.5', orderListId: 3, time: 4 });
    expect(orderUpdateFromRest(full)).toMatchObject({ stopPrice: '90.5', orderListId: '3', createdAt: 4 });
  });

  it('open() lists only unfinished orders; all() lists every order kept', () => {
    const store = createOrderStateStore();
    store.apply(upd('1', 'NEW'), 'event');
    store.apply(upd('2', 'PARTIALLY_FILLED', { executedQty: '0.5', cumulativeQuoteQty: '50' }), 'event');
    store.apply(upd('3', 'CANCELED'), 'event');
    expect(
      store
        .open()
        .map((o) => o.orderId)
        .sort(),
    ).toEqual(['1', '2']);
    expect(
      store
        .all()
        .map((o) => o.orderId)
        .sort(),
    ).toEqual(['1', '2', '3']);
  });

  it('a cancel never moves a finished order back, and a later stage wins at the same fill', () => {
    const store = createOrderStateStore();
    store.apply(upd('1', 'NEW'), 'event');
    expect(store.apply(upd('1', 'PENDING_CANCEL', { updateTime: 2 }), 'event')?.status).toBe('PENDING_CANCEL');
    expect(store.apply(upd('1', 'CANCELED', { updateTime: 2 }), 'event')?.status).toBe('CANCELED');
    expect(store.apply(upd('1', 'NEW', { updateTime: 9 }), 'event')).toBeUndefined();
    expect(store.get('1')?.status).toBe('CANCELED');
  });
});

describe('order-state merge rules, edge by edge', () => {
  it('a finished order keeps its figures even if a later report claims more filled', () => {
    const store = createOrderStateStore();
    store.apply(upd('1', 'CANCELED', { executedQty: '0.3', cumulativeQuoteQty: '30', updateTime: 5 }), 'event');
    store.apply(upd('1', 'PARTIALLY_FILLED', { executedQty: '0.5', cumulativeQuoteQty: '50', updateTime: 9 }), 'event');
    expect(store.get('1')).toMatchObject({ status: 'CANCELED', executedQty: '0.3' });
  });

  it('at the same fill and stage an older picture is ignored; a later stage wins even with an older time', () => {
    const store = createOrderStateStore();
    store.apply(upd('1', 'PARTIALLY_FILLED', { executedQty: '0.5', updateTime: 5 }), 'event');
    expect(store.apply(upd('1', 'PARTIALLY_FILLED', { executedQty: '0.5', price: '99', updateTime: 3 }), 'event')).toBeUndefined();
    expect(store.get('1')?.price).toBe('100');
    const b = createOrderStateStore();
    b.apply(upd('2', 'NEW', { updateTime: 5 }), 'event');
    expect(b.apply(upd('2', 'PENDING_CANCEL', { updateTime: 3 }), 'event')?.status).toBe('PENDING_CANCEL');
    expect(b.apply(upd('2', 'NEW', { updateTime: 9 }), 'event')).toBeUndefined();
    const c = createOrderStateStore();
    c.apply(upd('3', 'NEW', { updateTime: 5 }), 'event');
    expect(c.apply(upd('3', 'PARTIALLY_FILLED', { updateTime: 3 }), 'event')?.status).toBe('PARTIALLY_FILLED');
  });

  it('more filled wins but never moves the status back a stage; a sparse source keeps the creation time', () => {
    const store = createOrderStateStore();
    store.apply(upd('1', 'PARTIALLY_FILLED', { executedQty: '0.1', createdAt: 7, updateTime: 5 }), 'event');
    const next = store.apply(upd('1', 'NEW', { executedQty: '0.2', createdAt: null, updateTime: 6 }), 'snapshot');
    expect(next).toMatchObject({ status: 'PARTIALLY_FILLED', executedQty: '0.2', createdAt: 7, source: 'snapshot' });
  });

  it('the same execution is applied once, the same trade is recorded once', () => {
    const store = createOrderStateStore();
    store.apply(upd('1', 'NEW', { executionId: '1' }), 'event');
    expect(store.apply(upd('1', 'FILLED', { executionId: '1', updateTime: 9 }), 'event')).toBeUndefined();
    expect(store.get('1')?.status).toBe('NEW');
    expect(store.apply(upd('1', 'PARTIALLY_FILLED', { executionId: '2', executedQty: '0.2', updateTime: 3 }), 'event')?.status).toBe(
      'PARTIALLY_FILLED',
    );
    expect(store.apply(upd('1', 'FILLED', { executionId: '2', updateTime: 9 }), 'event')).toBeUndefined();
    const fill = { tradeId: 't1', qty: '0.5', price: '100', quoteQty: '50', commission: '0', commissionAsset: null, time: 1, maker: false };
    const f = createOrderStateStore();
    f.apply(upd('5', 'PARTIALLY_FILLED', { executionId: '10', executedQty: '0.5', fill }), 'event');
    f.apply(upd('5', 'PARTIALLY_FILLED', { executionId: '11', executedQty: '0.5', fill }), 'event');
    f.apply(upd('5', 'PARTIALLY_FILLED', { executionId: '12', executedQty: '0.5', fill }), 'event');
    expect(f.get('5')?.fills).toHaveLength(1);
    const g = createOrderStateStore();
    g.apply(upd('6', 'NEW', { executionId: '20' }), 'event');
    g.apply(upd('6', 'PARTIALLY_FILLED', { executionId: '21', executedQty: '0.5', fill }), 'event');
    g.apply(upd('6', 'PARTIALLY_FILLED', { executionId: '22', executedQty: '0.5', fill }), 'event');
    expect(g.get('6')?.fills).toHaveLength(1);
  });

  it('an order that finishes by an update counts toward the finished orders kept', () => {
    const store = createOrderStateStore({ maxTerminalOrders: 1 });
    store.apply(upd('1', 'NEW'), 'event');
    store.apply(upd('2', 'NEW'), 'event');
    store.apply(upd('1', 'FILLED', { updateTime: 10 }), 'event');
    store.apply(upd('2', 'FILLED', { updateTime: 11 }), 'event');
    expect(store.get('1')).toBeUndefined();
    expect(store.get('2')?.status).toBe('FILLED');
  });

  it('a new client id for the same order is found by that id too; clear forgets both keys', () => {
    const store = createOrderStateStore();
    store.apply(upd('1', 'NEW'), 'event');
    store.apply(upd('1', 'PARTIALLY_FILLED', { clientOrderId: 'renamed', executedQty: '0.1', updateTime: 4 }), 'event');
    expect(store.get('renamed')?.orderId).toBe('1');
    store.clear();
    expect(store.get('renamed')).toBeUndefined();
    expect(store.get('c-1')).toBeUndefined();
  });

  it('every Binance order status is accepted from REST; a snapshot-only order is marked as such', () => {
    for (const status of [
      'NEW',
      'PENDING_NEW',
      'PARTIALLY_FILLED',
      'PENDING_CANCEL',
      'FILLED',
      'CANCELED',
      'REJECTED',
      'EXPIRED',
      'EXPIRED_IN_MATCH',
    ]) {
      expect(
        restOrderSchema.safeParse({
          symbol: 'BTCUSDT',
          orderId: '1',
          clientOrderId: 'c',
          price: '1',
          origQty: '1',
          executedQty: '0',
          cummulativeQuoteQty: '0',
          status,
          timeInForce: 'GTC',
          type: 'LIMIT',
          side: 'BUY',
          updateTime: 1,
        }).success,
        status,
      ).toBe(true);
    }
    const store = createOrderStateStore();
    store.applyOpenOrdersSnapshot([upd('9', 'NEW')]);
    expect(store.get('9')?.source).toBe('snapshot');
  });
});

describe('order-state merge rules at equal fill', () => {
  it('at the same fill and stage only a strictly later picture replaces the current one; less filled never does', () => {
    const store = createOrderStateStore();
    store.apply(upd('1', 'PARTIALLY_FILLED', { executedQty: '0.5', updateTime: 5 }), 'event');
    expect(store.apply(upd('1', 'PARTIALLY_FILLED', { executedQty: '0.5', price: '98', updateTime: 5 }), 'event')).toBeUndefined();
    expect(store.apply(upd('1', 'PARTIALLY_FILLED', { executedQty: '0.5', price: '99', updateTime: 7 }), 'event')?.price).toBe('99');
    expect(store.apply(upd('1', 'PARTIALLY_FILLED', { executedQty: '0.3', price: '97', updateTime: 8 }), 'event')).toBeUndefined();
    expect(store.apply(upd('1', 'FILLED', { executedQty: '0.4', updateTime: 9 }), 'event')).toBeUndefined();
    expect(store.get('1')).toMatchObject({ status: 'PARTIALLY_FILLED', executedQty: '0.5', price: '99' });
  });

  it('within a stage the newer status is taken (partly filled, then cancel pending)', () => {
    const store = createOrderStateStore();
    store.apply(upd('1', 'PARTIALLY_FILLED', { executedQty: '0.5', updateTime: 5 }), 'event');
    expect(store.apply(upd('1', 'PENDING_CANCEL', { executedQty: '0.5', updateTime: 7 }), 'event')?.status).toBe('PENDING_CANCEL');
  });

  it('an update of an older order with a reused client id does not take that id from the newer order', () => {
    const store = createOrderStateStore();
    store.apply(upd('1', 'NEW', { clientOrderId: 'same' }), 'event');
    store.apply(upd('2', 'NEW', { clientOrderId: 'same' }), 'event');
    store.apply(upd('1', 'PARTIALLY_FILLED', { clientOrderId: 'same', executedQty: '0.1', updateTime: 9 }), 'event');
    expect(store.get('same')?.orderId).toBe('2');
  });

  it('a late fill of a finished order does not count it as finished twice', () => {
    const store = createOrderStateStore({ maxTerminalOrders: 2 });
    store.apply(upd('1', 'FILLED'), 'event');
    const fill = { tradeId: 't9', qty: '1', price: '100', quoteQty: '100', commission: '0', commissionAsset: null, time: 1, maker: false };
    expect(store.apply(upd('1', 'FILLED', { executionId: '77', fill }), 'event')?.fills).toHaveLength(1);
    store.apply(upd('2', 'FILLED'), 'event');
    expect(store.get('1')?.status).toBe('FILLED');
    expect(store.get('2')?.status).toBe('FILLED');
  });
});

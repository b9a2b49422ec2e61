import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  createOrderStateStore,
  executionReportSchema,
  orderUpdateFromExecutionReport,
  orderUpdateFromRest,
  restOrderSchema,
  type OrderUpdateInput,
} from '../../../src/main/exchange/order-state';
import { parseJson } from '../../../src/main/exchange/json';

const BIG_ID = '8389765612825190229';

function report(over: Record<string, unknown>): Record<string, unknown> {
  return {
    e: 'executionReport',
    E: 1000,
    s: 'BTCUSDT',
    c: 'perch-1',
    S: 'BUY',
    o: 'LIMIT',
    f: 'GTC',
    q: '1.00000000',
    p: '100.00000000',
    P: '0.00000000',
    F: '0.00000000',
    g: -1,
    C: '',
    x: 'NEW',
    X: 'NEW',
    r: 'NONE',
    i: 42,
    l: '0.00000000',
    z: '0.00000000',
    L: '0.00000000',
    n: '0',
    N: null,
    T: 1000,
    t: -1,
    I: 1,
    w: true,
    m: false,
    M: false,
    O: 1000,
    Z: '0.00000000',
    Y: '0.00000000',
    Q: '0.00000000',
    W: 1000,
    V: 'NONE',
    ...over,
  };
}
const upd = (over: Record<string, unknown>): OrderUpdateInput => orderUpdateFromExecutionReport(executionReportSchema.parse(report(over)));

// NEW, three partial fills, FILLED: the lifecycle of one order.
const lifecycle = [
  upd({ x: 'NEW', X: 'NEW', I: 1, T: 1000 }),
  upd({ x: 'TRADE', X: 'PARTIALLY_FILLED', I: 2, T: 1001, t: 11, l: '0.2', z: '0.2', L: '100', Z: '20', Y: '20' }),
  upd({ x: 'TRADE', X: 'PARTIALLY_FILLED', I: 3, T: 1002, t: 12, l: '0.3', z: '0.5', L: '100', Z: '50', Y: '30' }),
  upd({ x: 'TRADE', X: 'PARTIALLY_FILLED', I: 4, T: 1003, t: 13, l: '0.1', z: '0.6', L: '100', Z: '60', Y: '10' }),
  upd({ x: 'TRADE', X: 'FILLED', I: 5, T: 1004, t: 14, l: '0.4', z: '1', L: '100', Z: '100', Y: '40' }),
];

describe('order state (B13)', () => {
  it('a shuffled, duplicated sequence with a late NEW ends FILLED with the right totals and each fill once', () => {
    const store = createOrderStateStore();
    const seq = [lifecycle[2]!, lifecycle[4]!, lifecycle[1]!, lifecycle[2]!, lifecycle[0]!, lifecycle[3]!, lifecycle[4]!, lifecycle[0]!];
    for (const u of seq) store.apply(u, 'event');
    const o = store.get('42');
    expect(o).toMatchObject({ status: 'FILLED', executedQty: '1', cumulativeQuoteQty: '100', clientOrderId: 'perch-1' });
    expect(o!.fills.map((f) => f.tradeId).sort()).toEqual(['11', '12', '13', '14']);
    expect(store.get('perch-1')).toBe(o);
  });

  it('property: any order of any duplicates converges to the same final state', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 0, maxLength: 15 }),
        fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 0, maxLength: 8 }),
        (extra, dupes) => {
          const store = createOrderStateStore();
          const items = [...lifecycle, ...extra.map((i) => lifecycle[i]!), ...dupes.map((i) => lifecycle[i]!)];
          // deterministic shuffle driven by the generated arrays
          const order = items.map((u, idx) => ({ u, k: ((idx + 1) * 7919 + (extra[idx % (extra.length || 1)] ?? 0) * 31) % 97 }));
          order.sort((a, b) => a.k - b.k);
          let terminalSeen = false;
          let lastZ = 0;
          store.onOrderUpdate(({ order: o }) => {
            // never moves backwards
            expect(terminalSeen).toBe(false);
            expect(Number(o.executedQty)).toBeGreaterThanOrEqual(lastZ);
            lastZ = Number(o.executedQty);
            if (o.status === 'FILLED') terminalSeen = o.fills.length === 4;
          });
          for (const { u } of order) store.apply(u, 'event');
          const o = store.get('42')!;
          expect(o.status).toBe('FILLED');
          expect(o.executedQty).toBe('1');
          expect(new Set(o.fills.map((f) => f.tradeId)).size).toBe(4);
          expect(o.fills).toHaveLength(4);
        },
      ),
    );
  });

  it('terminal is final: a late PARTIALLY_FILLED after CANCELED does not revive the order', () => {
    const store = createOrderStateStore();
    store.apply(lifecycle[0]!, 'event');
    store.apply(upd({ x: 'CANCELED', X: 'CANCELED', I: 9, T: 1010, c: 'cancel-req-7', C: 'perch-1', z: '0.2', Z: '20' }), 'event');
    expect(store.apply(lifecycle[1]!, 'event')).toBeDefined(); // its fill is new, so recorded...
    const o = store.get('perch-1')!;
    expect(o.status).toBe('CANCELED'); // ...but the status stays final
    expect(o.clientOrderId).toBe('perch-1'); // the order's own id, not the cancel request's
    expect(o.fills).toHaveLength(1);
  });

  it('a REST snapshot older than the events does not move the order back; a newer one moves it on', () => {
    const store = createOrderStateStore();
    store.apply(lifecycle[2]!, 'event');
    const rest = (status: string, executedQty: string, updateTime: number) =>
      orderUpdateFromRest(
        restOrderSchema.parse({
          symbol: 'BTCUSDT',
          orderId: 42,
          orderListId: -1,
          clientOrderId: 'perch-1',
          price: '100.00000000',
          origQty: '1.00000000',
          executedQty,
          cummulativeQuoteQty: '0',
          status,
          timeInForce: 'GTC',
          type: 'LIMIT',
          side: 'BUY',
          stopPrice: '0.00000000',
          time: 1000,
          updateTime,
          isWorking: true,
        }),
      );
    expect(store.apply(rest('NEW', '0.00000000', 1000), 'snapshot')).toBeUndefined();
    expect(store.get('42')!.executedQty).toBe('0.5');
    store.apply(rest('FILLED', '1.00000000', 1100), 'query');
    expect(store.get('42')).toMatchObject({ status: 'FILLED', source: 'query' });
  });

  it('lists orders it believed open that an open-orders snapshot no longer has', () => {
    const store = createOrderStateStore();
    store.apply(lifecycle[0]!, 'event');
    store.apply(upd({ i: 43, c: 'perch-2', I: 20 }), 'event');
    const missing = store.applyOpenOrdersSnapshot([upd({ i: 43, c: 'perch-2', I: 20 })]);
    expect(missing.map((o) => o.orderId)).toEqual(['42']);
  });

  it('keeps ids above 2^53 exact (B7)', () => {
    const text = JSON.stringify(report({})).replace('"i":42', `"i":${BIG_ID}`);
    const parsed = executionReportSchema.parse(parseJson(text));
    const store = createOrderStateStore();
    store.apply(orderUpdateFromExecutionReport(parsed), 'event');
    expect(store.get(BIG_ID)?.orderId).toBe(BIG_ID);
  });

  it('refuses ids that already lost precision', () => {
    expect(() => executionReportSchema.parse(report({ i: 8389765612825190000 }))).toThrow();
  });
});

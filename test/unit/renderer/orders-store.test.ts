import { describe, expect, it } from 'vitest';
import type { ConfirmedOrder, OrderOutcomeView } from '../../../src/shared/domain/orders';
import type { PerchBridge } from '../../../src/shared/ipc/bridge';
import { createOrdersStore, mergeOutcome } from '../../../src/renderer/features/orders/orders-store';

const ORDER: ConfirmedOrder = { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '0.001', price: '60000', timeInForce: 'GTC' };

function view(status: OrderOutcomeView['status'], at: number, id = 'tok1'): OrderOutcomeView {
  return {
    clientOrderId: id,
    kind: 'order',
    symbol: 'BTCUSDT',
    status,
    message: status,
    binanceCode: null,
    binanceMessage: null,
    orders: [],
    orderListId: null,
    corrected: false,
    at,
  };
}

/** A bridge that records calls, answers submits when told, and lets the test emit events. */
function fakeBridge() {
  const calls: { name: string; input: unknown }[] = [];
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const pendingSubmits: Array<(v: OrderOutcomeView) => void> = [];
  const bridge = {
    call: (name: string, input?: unknown) => {
      calls.push({ name, input });
      if (name === 'orders:submit') return new Promise((resolve) => pendingSubmits.push((v) => resolve({ ok: true, value: v })));
      if (name === 'orders:listOpen') return Promise.resolve({ ok: true, value: { orders: [], lists: [], asOf: 1 } });
      if (name === 'orders:outcome') return Promise.resolve({ ok: true, value: null });
      return Promise.resolve({ ok: true, value: null });
    },
    on: (name: string, listener: (p: unknown) => void) => {
      const set = listeners.get(name) ?? new Set();
      set.add(listener);
      listeners.set(name, set);
      return () => set.delete(listener);
    },
  } as unknown as PerchBridge;
  const emit = (name: string, payload: unknown): void => {
    for (const l of listeners.get(name) ?? []) l(payload);
  };
  return { bridge, calls, emit, pendingSubmits, listeners };
}

describe('orders store', () => {
  it('sends a confirmation token once, however often submit is called', async () => {
    const f = fakeBridge();
    const store = createOrdersStore(f.bridge);
    store.start();
    const a = store.submit('tok1', ORDER);
    const b = store.submit('tok1', ORDER);
    expect(store.get().submitting).toBe('tok1');
    expect(f.calls.filter((c) => c.name === 'orders:submit')).toHaveLength(1);
    f.pendingSubmits[0]!(view('accepted', 10));
    const [ra, rb] = await Promise.all([a, b]);
    expect(ra).toBe(rb);
    // after the answer too: the same token is never sent again
    await store.submit('tok1', ORDER);
    expect(f.calls.filter((c) => c.name === 'orders:submit')).toHaveLength(1);
    expect(store.get().submitting).toBeNull();
    expect(store.get().outcomes.map((o) => o.status)).toEqual(['accepted']);
    store.stop();
  });

  it('refuses a second order while one is being sent', async () => {
    const f = fakeBridge();
    const store = createOrdersStore(f.bridge);
    store.start();
    void store.submit('tok1', ORDER);
    const second = await store.submit('tok2', { ...ORDER, price: '61000' });
    expect(second.ok).toBe(false);
    expect(f.calls.filter((c) => c.name === 'orders:submit')).toHaveLength(1);
    f.pendingSubmits[0]!(view('accepted', 10));
    store.stop();
  });

  it('shows "unknown" from the submit answer, then the truth from orders:outcome', async () => {
    const f = fakeBridge();
    const store = createOrdersStore(f.bridge, { pollMs: 60_000 });
    store.start();
    const p = store.submit('tok1', ORDER);
    f.pendingSubmits[0]!(view('unknown', 10));
    await p;
    expect(store.outcomeOf('tok1')?.status).toBe('unknown');
    f.emit('orders:outcome', view('filled', 20));
    expect(store.outcomeOf('tok1')?.status).toBe('filled');
    // a late "unknown" never replaces a known state
    f.emit('orders:outcome', view('unknown', 30));
    expect(store.outcomeOf('tok1')?.status).toBe('filled');
    store.stop();
    expect([...f.listeners.values()].every((s) => s.size === 0)).toBe(true);
  });

  it('keeps the newest open orders and ignores an older snapshot', () => {
    const f = fakeBridge();
    const store = createOrdersStore(f.bridge);
    store.start();
    f.emit('orders:open', { orders: [], lists: [], asOf: 100 });
    f.emit('orders:open', { orders: [], lists: [{ orderListId: '1', symbol: 'BTCUSDT', orderIds: [] }], asOf: 50 });
    expect(store.get().open?.asOf).toBe(100);
    store.stop();
  });
});

describe('mergeOutcome', () => {
  it('prefers known over unknown and later over earlier', () => {
    expect(mergeOutcome(view('accepted', 10), view('unknown', 20)).status).toBe('accepted');
    expect(mergeOutcome(view('unknown', 10), view('accepted', 5)).status).toBe('accepted');
    expect(mergeOutcome(view('accepted', 10), view('filled', 20)).status).toBe('filled');
    expect(mergeOutcome(view('filled', 20), view('accepted', 10)).status).toBe('filled');
  });
});

import { describe, expect, it } from 'vitest';
import type { ConfirmedOrder, OrderOutcomeView } from '../../../src/shared/domain/orders';
import type { PerchBridge } from '../../../src/shared/ipc/bridge';
import { ERROR_CODES, type ResultError } from '../../../src/shared/ipc/result';
import { createOrdersStore } from '../../../src/renderer/features/orders/orders-store';
import { classifySubmitError } from '../../../src/renderer/features/orders/submit-error';

const ORDER: ConfirmedOrder = { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '0.001', price: '60000', timeInForce: 'GTC' };

/** Refusals that provably happen before the intent is journaled and anything is sent. */
const PROVABLY_NOT_SENT = [
  'invalid-input',
  'unknown-command',
  'untrusted-sender',
  'confirmation-required',
  'not-allowed',
  'no-key',
  'keychain-locked',
  'keychain-unavailable',
  'storage',
  'not-sent',
];

describe('classifySubmitError', () => {
  it.each(ERROR_CODES.map((c) => [c]))('%s is mapped on purpose', (code) => {
    expect(classifySubmitError({ code })).toBe(PROVABLY_NOT_SENT.includes(code) ? 'not-sent' : 'unknown');
  });

  it('transport, timeouts, "already submitted" and the bridge lost are unknown, never "not sent"', () => {
    for (const code of ['network', 'not-available', 'internal', 'rate-limited', 'auth', 'clock-skew'] as const)
      expect(classifySubmitError({ code })).toBe('unknown');
  });

  it('"still connecting; nothing was sent" (no session ready, nothing journaled) is not sent', () => {
    expect(classifySubmitError({ code: 'not-sent' })).toBe('not-sent');
  });

  it('a code this build does not know is unknown', () => {
    expect(classifySubmitError({ code: 'bridge-lost' } as unknown as ResultError)).toBe('unknown');
    expect(classifySubmitError({ code: 'toString' } as unknown as ResultError)).toBe('unknown');
  });
});

function bridgeAnswering(submitAnswer: ResultError, outcomes: Array<OrderOutcomeView | null>) {
  const calls: string[] = [];
  const inputs: unknown[] = [];
  const bridge = {
    call: (name: string, input?: unknown) => {
      calls.push(name);
      if (name === 'orders:outcome') inputs.push(input);
      if (name === 'orders:submit') return Promise.resolve({ ok: false, error: submitAnswer });
      if (name === 'orders:outcome') return Promise.resolve({ ok: true, value: outcomes.shift() ?? null });
      if (name === 'orders:listOpen') return Promise.resolve({ ok: true, value: { orders: [], lists: [], asOf: 1 } });
      return Promise.resolve({ ok: true, value: null });
    },
    on: () => () => undefined,
  } as unknown as PerchBridge;
  return { bridge, calls, inputs };
}

describe('orders store after an error answer to submit', () => {
  it('a dropped connection is an unknown outcome that the store keeps following to the truth', async () => {
    const filled: OrderOutcomeView = {
      clientOrderId: 'tok1',
      kind: 'order',
      symbol: 'BTCUSDT',
      status: 'filled',
      message: 'Filled.',
      binanceCode: null,
      binanceMessage: null,
      orders: [],
      orderListId: null,
      corrected: false,
      at: Date.now() + 1,
    };
    const f = bridgeAnswering({ code: 'network', message: 'The connection to Perch was lost.' }, [null, filled]);
    const store = createOrdersStore(f.bridge, { pollMs: 5 });
    store.start();
    await store.submit('tok1', ORDER);
    expect(store.outcomeOf('tok1')).toMatchObject({ status: 'unknown', symbol: 'BTCUSDT' });
    expect(store.outcomeOf('tok1')?.message).toMatch(/could not confirm whether this order reached Binance.*connection to Perch was lost/);
    await expect.poll(() => store.outcomeOf('tok1')?.status).toBe('filled');
    store.stop();
  });

  it('a refusal before sending leaves no outcome to follow', async () => {
    const f = bridgeAnswering({ code: 'confirmation-required', message: 'This confirmation has expired.' }, []);
    const store = createOrdersStore(f.bridge, { pollMs: 5 });
    store.start();
    await store.submit('tok1', ORDER);
    expect(store.outcomeOf('tok1')).toBeUndefined();
    store.stop();
  });

  it('"nothing was sent" because no session was ready yet leaves no outcome to follow', async () => {
    const f = bridgeAnswering(
      { code: 'not-sent', message: 'Perch is still connecting to Binance; nothing was sent. Try again in a moment.' },
      [],
    );
    const store = createOrdersStore(f.bridge, { pollMs: 5 });
    store.start();
    await store.submit('tok1', ORDER);
    expect(store.outcomeOf('tok1')).toBeUndefined();
    store.stop();
  });

  it('the poll says what it shows, so a token main never journaled is answered "not sent" and the checking stops', async () => {
    const notSent: OrderOutcomeView = {
      clientOrderId: 'tok1',
      kind: 'order',
      symbol: 'BTCUSDT',
      status: 'not-placed',
      message: 'Not sent.',
      binanceCode: null,
      binanceMessage: null,
      orders: [],
      orderListId: null,
      corrected: false,
      at: Date.now() + 1,
    };
    const f = bridgeAnswering({ code: 'network', message: 'The connection to Perch was lost.' }, [notSent]);
    const store = createOrdersStore(f.bridge, { pollMs: 5 });
    store.start();
    await store.submit('tok1', ORDER);
    await expect.poll(() => store.outcomeOf('tok1')?.status).toBe('not-placed');
    expect(f.inputs[0]).toEqual({ clientOrderId: 'tok1', symbol: 'BTCUSDT', kind: 'order' });
    store.stop();
  });
});

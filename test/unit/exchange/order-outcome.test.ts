import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExchangeError } from '../../../src/main/exchange/errors';
import {
  advanceOutcome,
  explainRejection,
  isPlaced,
  isSettled,
  outcomeFromOrder,
  outcomeRank,
  resubmittable,
  unknownCauseOf,
  type OrderOutcome,
} from '../../../src/main/exchange/order-outcome';
import type { OrderState, OrderStatus } from '../../../src/main/exchange/order-state';

const ID = 'perch-test-0001';
const base = { clientOrderId: ID, symbol: 'BTCUSDT', at: 0 };

function order(status: OrderStatus, executedQty = '0', updateTime = 1): OrderState {
  return {
    symbol: 'BTCUSDT',
    orderId: '9007199254740993',
    clientOrderId: ID,
    side: 'BUY',
    type: 'LIMIT',
    timeInForce: 'GTC',
    price: '100.00',
    origQty: '1.00000',
    stopPrice: '0',
    status,
    executedQty,
    cumulativeQuoteQty: '0',
    orderListId: '-1',
    createdAt: 1,
    updateTime,
    fills: [],
    source: 'query',
  };
}

const sending: OrderOutcome = { ...base, status: 'sending' };
const unknown: OrderOutcome = { ...base, status: 'unknown', cause: 'timeout', message: 'm', since: 0 };
const notPlaced: OrderOutcome = { ...base, status: 'not-placed', reason: 'r', verified: true };
const rejected: OrderOutcome = { ...base, status: 'rejected', reason: 'r', code: -2010 };
const placed = (status: OrderStatus, executedQty = '0', updateTime = 1): OrderOutcome =>
  outcomeFromOrder(order(status, executedQty, updateTime), 0);

describe('advanceOutcome', () => {
  it('moves forward along the documented path', () => {
    const path = [sending, unknown, placed('NEW'), placed('PARTIALLY_FILLED', '0.4'), placed('FILLED', '1')];
    let cur: OrderOutcome | undefined;
    for (const next of path) {
      const r = advanceOutcome(cur, next);
      expect(r?.status).toBe(next.status);
      cur = r;
    }
  });

  it('ignores anything that would move backwards', () => {
    expect(advanceOutcome(placed('NEW'), unknown)).toBeUndefined();
    expect(advanceOutcome(placed('PARTIALLY_FILLED', '0.5'), placed('NEW'))).toBeUndefined();
    expect(advanceOutcome(placed('FILLED', '1'), placed('PARTIALLY_FILLED', '0.5'))).toBeUndefined();
    expect(advanceOutcome(unknown, sending)).toBeUndefined();
  });

  it('terminal outcomes are final', () => {
    for (const t of [placed('FILLED', '1'), placed('CANCELED'), placed('EXPIRED'), rejected]) {
      for (const next of [placed('NEW'), placed('FILLED', '1'), placed('CANCELED'), notPlaced, unknown]) {
        expect(advanceOutcome(t, next)).toBeUndefined();
      }
    }
  });

  it('a clear rejection or a proven non-send can follow sending directly', () => {
    expect(advanceOutcome(sending, rejected)?.status).toBe('rejected');
    expect(advanceOutcome(sending, notPlaced)?.status).toBe('not-placed');
  });

  it('not-placed comes only from sending/unknown, and exchange evidence corrects it', () => {
    expect(advanceOutcome(unknown, notPlaced)?.status).toBe('not-placed');
    expect(advanceOutcome(placed('NEW'), notPlaced)).toBeUndefined();
    expect(advanceOutcome(notPlaced, unknown)).toBeUndefined();
    expect(advanceOutcome(notPlaced, rejected)).toBeUndefined();
    const corrected = advanceOutcome(notPlaced, placed('NEW'));
    expect(corrected).toMatchObject({ status: 'accepted', corrected: true });
  });

  it('within a stage only a fuller or later picture replaces the current one', () => {
    expect(advanceOutcome(placed('PARTIALLY_FILLED', '0.4'), placed('PARTIALLY_FILLED', '0.6'))?.status).toBe('partially-filled');
    expect(advanceOutcome(placed('PARTIALLY_FILLED', '0.6'), placed('PARTIALLY_FILLED', '0.4'))).toBeUndefined();
    expect(advanceOutcome(placed('NEW', '0', 5), placed('NEW', '0', 5))).toBeUndefined();
    expect(advanceOutcome(placed('NEW', '0', 5), placed('NEW', '0', 6))?.status).toBe('accepted');
  });

  it('refuses to mix intents', () => {
    expect(() => advanceOutcome(unknown, { ...notPlaced, clientOrderId: 'other' })).toThrow();
  });

  it('property: over any sequence, the rank never decreases (except the not-placed correction) and terminal stays terminal', () => {
    const candidates: OrderOutcome[] = [
      unknown,
      notPlaced,
      rejected,
      placed('NEW'),
      placed('PARTIALLY_FILLED', '0.3'),
      placed('PARTIALLY_FILLED', '0.7'),
      placed('FILLED', '1'),
      placed('CANCELED', '0.3'),
      placed('EXPIRED'),
      placed('REJECTED'),
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...candidates), { maxLength: 30 }), (seq) => {
        let cur: OrderOutcome = sending;
        for (const next of seq) {
          const r = advanceOutcome(cur, next);
          if (r === undefined) continue;
          if (outcomeRank(cur.status) === 4) return false;
          if (outcomeRank(r.status) < outcomeRank(cur.status)) return false;
          if (cur.status === 'not-placed' && !isPlaced(r)) return false;
          cur = r;
        }
        return true;
      }),
      { numRuns: 500 },
    );
  });
});

describe('outcome helpers', () => {
  it('maps every exchange status', () => {
    const map: Record<OrderStatus, string> = {
      NEW: 'accepted',
      PENDING_NEW: 'accepted',
      PENDING_CANCEL: 'accepted',
      PARTIALLY_FILLED: 'partially-filled',
      FILLED: 'filled',
      CANCELED: 'canceled',
      EXPIRED: 'expired',
      EXPIRED_IN_MATCH: 'expired',
      REJECTED: 'rejected',
    };
    for (const [s, o] of Object.entries(map)) expect(placed(s as OrderStatus).status).toBe(o);
  });

  it('settled / placed / resubmittable', () => {
    expect([sending, unknown].map(isSettled)).toEqual([false, false]);
    expect([notPlaced, rejected, placed('NEW')].map(isSettled)).toEqual([true, true, true]);
    expect(isPlaced(placed('REJECTED'))).toBe(true);
    expect(isPlaced(rejected)).toBe(false);
    expect(resubmittable(undefined)).toBe(true);
    expect(resubmittable(notPlaced)).toBe(true);
    expect(resubmittable(rejected)).toBe(true);
    expect(resubmittable(placed('REJECTED'))).toBe(false);
    for (const o of [sending, unknown, placed('NEW'), placed('FILLED', '1'), placed('CANCELED')]) expect(resubmittable(o)).toBe(false);
  });

  it('explains rejections in plain language and keeps the fallback message', () => {
    const clock = new ExchangeError({
      kind: 'clock',
      binanceCode: -1021,
      binanceMsg: 'Timestamp for this request is outside of the recvWindow.',
      message: 'x',
    });
    expect(explainRejection(clock)).toMatch(/nothing was placed/);
    const funds = new ExchangeError({
      kind: 'rejected',
      binanceCode: -2010,
      binanceMsg: 'Account has insufficient balance for requested action.',
      message: 'x',
    });
    expect(explainRejection(funds)).toMatch(/balance is not enough/);
    const other = new ExchangeError({
      kind: 'rejected',
      binanceCode: -1100,
      binanceMsg: 'Illegal characters',
      message: 'Binance rejected a parameter.',
    });
    expect(explainRejection(other)).toBe('Binance rejected a parameter.');
  });

  it('classifies why an outcome is unknown', () => {
    expect(unknownCauseOf(new ExchangeError({ kind: 'unknown-outcome', httpStatus: 503, message: 'x' }))).toBe('server-error');
    expect(unknownCauseOf(new ExchangeError({ kind: 'unknown-outcome', httpStatus: 400, binanceCode: -1007, message: 'x' }))).toBe(
      'server-error',
    );
    expect(
      unknownCauseOf(new ExchangeError({ kind: 'unknown-outcome', message: 'Binance did not answer POST /api/v3/order within 1 s' })),
    ).toBe('timeout');
    expect(unknownCauseOf(new ExchangeError({ kind: 'unknown-outcome', code: 'exchange.unknown-outcome.connection', message: 'x' }))).toBe(
      'connection',
    );
    expect(
      unknownCauseOf(new ExchangeError({ kind: 'rejected', binanceCode: -2010, binanceMsg: 'Duplicate order sent.', message: 'x' })),
    ).toBe('duplicate');
    expect(unknownCauseOf(new ExchangeError({ kind: 'bad-response', mayHaveExecuted: true, message: 'x' }))).toBe('bad-response');
    expect(unknownCauseOf(new Error('boom'))).toBe('other');
  });
});

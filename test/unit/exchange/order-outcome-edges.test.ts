/**
 * Edges of the outcome rules that mutation testing (npm run mutate) showed no test noticed:
 * each case below fails if one comparison or branch of order-outcome.ts is changed.
 */
import { describe, expect, it } from 'vitest';
import { ExchangeError } from '../../../src/main/exchange/errors';
import {
  advanceOutcome,
  CLOCK_REJECTION_REASON,
  explainRejection,
  isDuplicateOrderError,
  isPlaced,
  notPlacedReason,
  outcomeFromOrder,
  outcomeRank,
  rejectionFields,
  unknownCauseOf,
  UNKNOWN_MESSAGES,
  type OrderOutcome,
} from '../../../src/main/exchange/order-outcome';
import type { OrderState, OrderStatus } from '../../../src/main/exchange/order-state';

const ID = 'perch-edge-0001';
const base = { clientOrderId: ID, symbol: 'BTCUSDT', at: 0 };

function order(status: OrderStatus, executedQty = '0', updateTime = 1): OrderState {
  return {
    symbol: 'BTCUSDT',
    orderId: '42',
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
const placed = (status: OrderStatus, executedQty = '0', updateTime = 1): OrderOutcome =>
  outcomeFromOrder(order(status, executedQty, updateTime), 0);
const sending: OrderOutcome = { ...base, status: 'sending' };
const unknown: OrderOutcome = { ...base, status: 'unknown', cause: 'timeout', message: 'm', since: 0 };
const notPlaced: OrderOutcome = { ...base, status: 'not-placed', reason: 'r', verified: true };
const rejected: OrderOutcome = { ...base, status: 'rejected', reason: 'r' };

describe('placed', () => {
  it('placed: never for an intent the exchange has no order of', () => {
    for (const o of [sending, unknown, notPlaced, rejected]) expect(isPlaced(o)).toBe(false);
    for (const o of [placed('NEW'), placed('PARTIALLY_FILLED', '0.1'), placed('FILLED', '1'), placed('CANCELED'), placed('EXPIRED')])
      expect(isPlaced(o)).toBe(true);
  });
});

describe('ranks and exchange states', () => {
  it('stages rank sending < unknown = not placed < accepted < partly filled < every terminal state', () => {
    expect(
      ['sending', 'unknown', 'not-placed', 'accepted', 'partially-filled', 'filled', 'canceled', 'expired', 'rejected'].map((s) =>
        outcomeRank(s as OrderOutcome['status']),
      ),
    ).toEqual([0, 1, 1, 2, 3, 4, 4, 4, 4]);
  });

  it('an order the exchange accepted and then rejected says so', () => {
    expect(placed('REJECTED')).toMatchObject({
      status: 'rejected',
      reason: expect.stringMatching(/accepted the order and then rejected it; nothing was traded/),
    });
  });
});

describe('advanceOutcome within and across stages', () => {
  it('a later picture with less filled never replaces a fuller one', () => {
    expect(advanceOutcome(placed('PARTIALLY_FILLED', '0.6', 1), placed('PARTIALLY_FILLED', '0.4', 5))).toBeUndefined();
  });

  it('an earlier stage never replaces a later one, even with more filled and a later time', () => {
    expect(advanceOutcome(placed('PARTIALLY_FILLED', '0.4', 1), placed('NEW', '0.6', 5))).toBeUndefined();
  });
});

describe('rejections', () => {
  it('a clock refusal is recognised by its code alone and by its kind alone', () => {
    expect(explainRejection(new ExchangeError({ kind: 'rejected', binanceCode: -1021, message: 'x' }))).toBe(CLOCK_REJECTION_REASON);
    expect(explainRejection(new ExchangeError({ kind: 'clock', message: 'x' }))).toBe(CLOCK_REJECTION_REASON);
    expect(explainRejection(new ExchangeError({ kind: 'rejected', binanceCode: 1021, message: 'plain' }))).toBe('plain');
  });

  it('rejection fields carry exactly what the error has', () => {
    const full = new ExchangeError({
      kind: 'clock',
      binanceCode: -1021,
      binanceMsg: 'Timestamp outside recvWindow',
      filter: 'PRICE_FILTER',
      retryAfterMs: 1500,
      message: 'x',
    });
    expect(rejectionFields(full)).toEqual({
      reason: CLOCK_REJECTION_REASON,
      kind: 'clock',
      code: -1021,
      binanceMessage: 'Timestamp outside recvWindow',
      filter: 'PRICE_FILTER',
      retryAfterMs: 1500,
      clockResynced: true,
    });
    const bare = new ExchangeError({ kind: 'rejected', message: 'Binance refused it.' });
    expect(rejectionFields(bare)).toEqual({ reason: 'Binance refused it.', kind: 'rejected' });
    expect(Object.keys(rejectionFields(bare))).toEqual(['reason', 'kind']);
  });

  it('only -2010 with "Duplicate" from the exchange is a duplicate order', () => {
    expect(
      isDuplicateOrderError(new ExchangeError({ kind: 'rejected', binanceCode: -2010, binanceMsg: 'Duplicate order sent.', message: 'x' })),
    ).toBe(true);
    expect(
      isDuplicateOrderError(
        new ExchangeError({
          kind: 'rejected',
          binanceCode: -2010,
          binanceMsg: 'Account has insufficient balance for requested action.',
          message: 'x',
        }),
      ),
    ).toBe(false);
    expect(
      isDuplicateOrderError(new ExchangeError({ kind: 'rejected', binanceCode: -2011, binanceMsg: 'Duplicate order sent.', message: 'x' })),
    ).toBe(false);
    expect(isDuplicateOrderError({ binanceCode: -2010, binanceMsg: 'Duplicate order sent.' })).toBe(false);
  });
});

describe('why an outcome is unknown', () => {
  it('only exchange errors are classified; anything else is "other"', () => {
    expect(unknownCauseOf({ kind: 'bad-response', httpStatus: 503, binanceCode: -1006, code: 'exchange.unknown-outcome.connection' })).toBe(
      'other',
    );
  });

  it('5xx from 500 up, and -1006 / -1007 whatever the status, are server errors; a 4xx timeout is a timeout', () => {
    expect(unknownCauseOf(new ExchangeError({ kind: 'unknown-outcome', httpStatus: 500, message: 'x' }))).toBe('server-error');
    expect(unknownCauseOf(new ExchangeError({ kind: 'unknown-outcome', binanceCode: -1006, message: 'x' }))).toBe('server-error');
    expect(unknownCauseOf(new ExchangeError({ kind: 'unknown-outcome', binanceCode: 1006, message: 'x' }))).toBe('connection');
    expect(
      unknownCauseOf(new ExchangeError({ kind: 'unknown-outcome', httpStatus: 408, message: 'Binance did not answer within 10 s' })),
    ).toBe('timeout');
    expect(unknownCauseOf(new ExchangeError({ kind: 'unknown-outcome', message: 'The connection closed' }))).toBe('connection');
  });

  it('a connection code wins over the timeout wording; other kinds are "other"', () => {
    expect(
      unknownCauseOf(
        new ExchangeError({ kind: 'unknown-outcome', code: 'exchange.unknown-outcome.connection', message: 'no answer within 1 s' }),
      ),
    ).toBe('connection');
    expect(unknownCauseOf(new ExchangeError({ kind: 'network', message: 'did not answer within 1 s' }))).toBe('other');
  });

  it('each cause has its own sentence', () => {
    const causes = ['server-error', 'timeout', 'connection', 'bad-response', 'duplicate', 'restart', 'other'] as const;
    expect(Object.keys(UNKNOWN_MESSAGES).sort()).toEqual([...causes].sort());
    const sentences = causes.map((c) => UNKNOWN_MESSAGES[c]);
    expect(new Set(sentences).size).toBe(causes.length);
    for (const s of sentences) expect(s).toMatch(/Binance|Perch/);
  });
});

describe('"probably not placed" wording', () => {
  it('names the kind and how long ago, in seconds under two minutes and minutes after', () => {
    expect(notPlacedReason('order', 95_000)).toContain('this order 95 s after');
    expect(notPlacedReason('oco', 119_400)).toContain('this OCO 119 s after');
    expect(notPlacedReason('order', 120_000)).toContain('2 min after');
    expect(notPlacedReason('order', 240_000)).toContain('4 min after');
    expect(notPlacedReason('order', -5_000)).toContain('0 s after');
  });
});

describe('Binance refusals in plain words', () => {
  it.each([
    ['Account has insufficient balance for requested action.', /free balance is not enough/],
    ['Order would immediately match and take.', /post-only \(limit maker\) order would have traded at once/],
    ['Stop price would trigger immediately.', /stop price has already been reached/],
    ['Market is closed.', /paused right now/],
    ['This order type is not supported for this symbol.', /order type is not available on this pair/],
    ['Quantity greater than market liquidity: liquidity is less than the quantity.', /not enough volume in the order book/],
    ['This action is disabled on this account.', /account is not allowed to trade right now/],
    ['This symbol is not permitted for this account.', /pair is not available to your account/],
    ['Trading is not enabled for this API key.', /enable "Spot & Margin trading"/],
    ['Order was not canceled due to cancel restrictions.', /no longer in the state the cancel was restricted to/],
    ['Price * QTY is zero or less.', /order value is zero/],
  ])('"%s"', (binanceMsg, sentence) => {
    expect(explainRejection(new ExchangeError({ kind: 'rejected', binanceCode: -2010, binanceMsg, message: 'fallback' }))).toMatch(
      sentence,
    );
  });

  it('outcomes of two intents are never merged', () => {
    expect(() => advanceOutcome(unknown, { ...notPlaced, clientOrderId: 'other' })).toThrow(/different intents/);
  });
});

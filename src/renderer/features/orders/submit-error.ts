/**
 * What an error answer to orders:submit says about the order. Only a refusal that provably
 * happened before anything left Perch may be shown as "Not sent"; every other answer (a lost
 * connection to main, a timeout, an exchange error, "already submitted", a code this build does
 * not know) leaves the order's fate open, and the UI keeps following it.
 */
import type { OrderOutcomeView, ConfirmedOrder } from '../../../shared/domain/orders';
import type { ErrorCode, ResultError } from '../../../shared/ipc/result';

export type SubmitErrorClass = 'not-sent' | 'unknown';

/** Every code, decided on purpose: a new code is a type error here until someone decides. */
const SUBMIT_ERROR_CLASS: Readonly<Record<ErrorCode, SubmitErrorClass>> = {
  'invalid-input': 'not-sent', // the input or the re-check refused it before the journal entry
  'unknown-command': 'not-sent',
  'untrusted-sender': 'not-sent',
  'confirmation-required': 'not-sent', // expired token, changed order, unacknowledged duplicate
  'not-allowed': 'not-sent', // trading off, a key that cannot trade, another order in flight
  'no-key': 'not-sent',
  'keychain-locked': 'not-sent',
  'keychain-unavailable': 'not-sent',
  storage: 'not-sent', // the journal entry could not be written, so nothing was sent
  'not-sent': 'not-sent', // refused before the journal entry (no session ready yet)
  // Transport and exchange errors may come from after the request left; "not-available" is also
  // "already submitted, still finding out".
  network: 'unknown',
  auth: 'unknown',
  'rate-limited': 'unknown',
  'clock-skew': 'unknown',
  'not-available': 'unknown',
  internal: 'unknown',
};

export function classifySubmitError(error: Pick<ResultError, 'code'>): SubmitErrorClass {
  const code: string = error.code;
  return Object.hasOwn(SUBMIT_ERROR_CLASS, code) ? SUBMIT_ERROR_CLASS[code as ErrorCode] : 'unknown';
}

export const UNKNOWN_OUTCOME_MESSAGE =
  'Perch could not confirm whether this order reached Binance. It keeps checking; until then, look at Open orders before placing it again.';

/** The "outcome unknown" view shown (and followed) when submit answered with an error of unknown fate. */
export function unknownOutcomeView(
  token: string,
  order: ConfirmedOrder,
  error: Pick<ResultError, 'message'>,
  at: number,
): OrderOutcomeView {
  return {
    clientOrderId: token,
    kind: order.type === 'OCO' ? 'oco' : 'order',
    symbol: order.symbol,
    status: 'unknown',
    message: `${UNKNOWN_OUTCOME_MESSAGE} (${error.message})`,
    binanceCode: null,
    binanceMessage: null,
    orders: [],
    orderListId: null,
    corrected: false,
    at,
  };
}

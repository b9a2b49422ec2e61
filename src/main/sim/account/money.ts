/**
 * Decimal helpers for balances, prices and quantities. Binance writes every amount as a string
 * with 8 decimals ("0.00100000"); inside the simulator amounts stay exact decimal.js values.
 */
import Decimal from 'decimal.js';

export { Decimal };

export const ZERO = new Decimal(0);

export function dec(value: string | number | Decimal): Decimal {
  return new Decimal(value);
}

/** Binance's wire format: fixed 8 decimals, never exponent notation. */
export function fmt8(value: Decimal): string {
  return value.toFixed(8, Decimal.ROUND_DOWN);
}

/** Amounts credited/debited are kept to 8 decimals like the exchange's ledger. */
export function round8(value: Decimal, mode: Decimal.Rounding = Decimal.ROUND_DOWN): Decimal {
  return value.toDecimalPlaces(8, mode);
}

/** Floor to a multiple of step (step 0 = no rounding). */
export function floorToStep(value: Decimal, step: Decimal): Decimal {
  if (step.isZero()) return value;
  return value.div(step).floor().mul(step);
}

export function roundToStep(value: Decimal, step: Decimal): Decimal {
  if (step.isZero()) return value;
  return value.div(step).toDecimalPlaces(0, Decimal.ROUND_HALF_UP).mul(step);
}

export function minDec(a: Decimal, b: Decimal): Decimal {
  return a.lessThan(b) ? a : b;
}

export function maxDec(a: Decimal, b: Decimal): Decimal {
  return a.greaterThan(b) ? a : b;
}

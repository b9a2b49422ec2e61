/**
 * Decimal helpers over decimal.js. Money and quantities are decimal strings end to end; these
 * helpers parse them, do exact arithmetic, and format them back without an exponent or float
 * artefacts. A private Decimal clone is used so nothing depends on (or changes) the global config.
 */
import DecimalJs from 'decimal.js';

// 60 significant digits: far beyond any Binance price x quantity (prices up to ~1e9 with 8
// decimals times quantities up to ~1e10 with 8 decimals), so products and quotients of exchange
// values are exact; exponent formatting is pushed out of reach so toString() stays plain.
export const Decimal = DecimalJs.clone({ precision: 60, rounding: DecimalJs.ROUND_HALF_UP, toExpNeg: -9e15, toExpPos: 9e15 });
export type Decimal = InstanceType<typeof Decimal>;
export type DecimalInput = string | Decimal;

const STRICT = /^-?(0|[1-9]\d*)(\.\d+)?$/;
// What a person may type: optional sign, digits with at most one dot, no exponent, no grouping.
const LENIENT = /^[+-]?(\d+\.?\d*|\.\d+)$/;

/** A canonical exchange decimal string ("0.00100000", "-12.5"): digits, optional fraction, no exponent. */
export function isDecimalString(value: unknown): value is string {
  return typeof value === 'string' && STRICT.test(value);
}

/** Parses a decimal typed by a person or sent by the exchange; undefined when it is not one. */
export function parseDecimal(input: string): Decimal | undefined {
  const text = input.trim();
  if (!LENIENT.test(text)) return undefined;
  const d = new Decimal(text);
  return d.isFinite() ? d : undefined;
}

// Programmatic values may arrive in exponent form ("1e-7" from a number's text); accepted here
// so they can be formatted plainly, but never from a person (parseDecimal refuses them).
const PROGRAMMATIC = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** A Decimal from exchange or program data; throws a plain-words error when it is not a number. */
export function dec(value: DecimalInput): Decimal {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (!PROGRAMMATIC.test(text)) throw new RangeError(`"${value}" is not a decimal number`);
  return new Decimal(text);
}

/** Plain decimal text: no exponent, no trailing zeros, never "-0". */
export function formatDecimal(value: DecimalInput, maxDecimals?: number): string {
  let d = dec(value);
  if (maxDecimals !== undefined) d = d.toDecimalPlaces(maxDecimals, Decimal.ROUND_DOWN);
  if (d.isZero()) return '0';
  return d.toFixed();
}

/** Fixed number of decimals (e.g. "0.10000000"), truncating, no exponent. */
export function formatFixed(value: DecimalInput, decimals: number): string {
  const d = dec(value).toDecimalPlaces(decimals, Decimal.ROUND_DOWN);
  return (d.isZero() ? new Decimal(0) : d).toFixed(decimals);
}

/** Number of decimals a step or tick carries ("0.00100000" -> 3, "1.00000000" -> 0). */
export function decimalsOf(step: DecimalInput): number {
  return dec(step).decimalPlaces();
}

/** Largest multiple of step that is <= value. A zero step means "no step": value unchanged. */
export function floorToStep(value: DecimalInput, step: DecimalInput): Decimal {
  const v = dec(value);
  const s = dec(step);
  if (s.isZero()) return v;
  return v.div(s).floor().mul(s);
}

/** Smallest multiple of step that is >= value. */
export function ceilToStep(value: DecimalInput, step: DecimalInput): Decimal {
  const v = dec(value);
  const s = dec(step);
  if (s.isZero()) return v;
  return v.div(s).ceil().mul(s);
}

export type SnapDirection = 'down' | 'up' | 'nearest';

/** Snap to a multiple of tick in the given direction (nearest: halves go up). */
export function snapToTick(value: DecimalInput, tick: DecimalInput, direction: SnapDirection): Decimal {
  if (direction === 'down') return floorToStep(value, tick);
  if (direction === 'up') return ceilToStep(value, tick);
  const v = dec(value);
  const t = dec(tick);
  if (t.isZero()) return v;
  return v.div(t).toDecimalPlaces(0, Decimal.ROUND_HALF_UP).mul(t);
}

/** Exact "value % step == 0"; a zero step accepts everything. */
export function isMultipleOf(value: DecimalInput, step: DecimalInput): boolean {
  const s = dec(step);
  if (s.isZero()) return true;
  return dec(value).mod(s).isZero();
}

export function add(a: DecimalInput, b: DecimalInput): string {
  return formatDecimal(dec(a).plus(dec(b)));
}
export function sub(a: DecimalInput, b: DecimalInput): string {
  return formatDecimal(dec(a).minus(dec(b)));
}
export function mul(a: DecimalInput, b: DecimalInput): string {
  return formatDecimal(dec(a).mul(dec(b)));
}
/** a / b rounded down to maxDecimals (default 18). */
export function div(a: DecimalInput, b: DecimalInput, maxDecimals = 18): string {
  return formatDecimal(dec(a).div(dec(b)), maxDecimals);
}
export function cmp(a: DecimalInput, b: DecimalInput): -1 | 0 | 1 {
  return dec(a).comparedTo(dec(b)) as -1 | 0 | 1;
}

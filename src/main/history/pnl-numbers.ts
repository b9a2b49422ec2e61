/**
 * The arithmetic the P&L ledger runs on, in two interchangeable kinds with the same results:
 *
 * - `decimalNumbers`: decimal.js (60 significant digits), the reference.
 * - `scaledNumbers()`: integers scaled by 10^18 (BigInt), several times faster (no Decimal object per
 *   operation, no digit arrays, no parsing through decimal.js). Exact, never a float: a value it cannot
 *   hold exactly, or a result decimal.js would round differently, throws `Unrepresentable`, and
 *   the ledger is then run again with decimal.js (computePnl does this).
 *
 * Why the results are the same: decimal.js rounds a result only beyond 60 significant digits. A
 * scaled integer below 10^60 has at most 60 digits, so every sum, difference and product the scaled
 * kind accepts (each is checked against 10^60) is also exact in decimal.js. A product must also fit
 * 18 decimals (otherwise Unrepresentable). The one rounding step, a lot's cost share (cost × taken /
 * held, rounded to 18 decimals half-even after decimal.js's own 60-digit division), is reproduced:
 * the exact quotient is rounded half-even, which agrees with the two-step rounding unless the exact
 * quotient lies within 10^-22 of a unit of the 18th decimal from a half; only then that one share is
 * computed with decimal.js.
 */
import { Decimal } from '../../shared/money';

/** The arithmetic of the ledger; N is the number type (Decimal or a scaled bigint). */
export interface Numbers<N> {
  readonly zero: N;
  /** An event's amount (a decimal string). */
  parse(text: string): N;
  /** A price from the price function. */
  fromDecimal(d: Decimal): N;
  toDecimal(x: N): Decimal;
  add(a: N, b: N): N;
  sub(a: N, b: N): N;
  mul(a: N, b: N): N;
  /** cost × take / held rounded to COST_DECIMALS half-even; exactly cost when take = held. */
  share(cost: N, take: N, held: N): N;
  /** x > 0. */
  pos(x: N): boolean;
  isZero(x: N): boolean;
  /** x < 0. */
  neg(x: N): boolean;
  lt(a: N, b: N): boolean;
  eq(a: N, b: N): boolean;
}

/**
 * A share of a lot's cost (cost × taken / held) is rounded to this many decimals of the valuation
 * currency: far below anything shown, and it keeps every later sum exact (the same rounded share
 * leaves the lot and enters the disposal, so cost basis = net invested + realized holds exactly)
 * and the figures short.
 */
export const COST_DECIMALS = 18;

const decimalShare = (cost: Decimal, take: Decimal, held: Decimal): Decimal =>
  take.eq(held) ? cost : cost.mul(take).div(held).toDecimalPlaces(COST_DECIMALS, Decimal.ROUND_HALF_EVEN);

const DECIMAL_ZERO = new Decimal(0);

export const decimalNumbers: Numbers<Decimal> = {
  zero: DECIMAL_ZERO,
  parse: (text) => new Decimal(text),
  fromDecimal: (d) => d,
  toDecimal: (x) => x,
  add: (a, b) => a.plus(b),
  sub: (a, b) => a.minus(b),
  mul: (a, b) => a.mul(b),
  share: decimalShare,
  // isPositive() is true for +0 as well; comparing with a Decimal 0 would build one per call.
  pos: (x) => x.isPositive() && !x.isZero(),
  isZero: (x) => x.isZero(),
  neg: (x) => x.isNegative(),
  lt: (a, b) => a.lt(b),
  eq: (a, b) => a.eq(b),
};

/** A value the scaled arithmetic cannot carry exactly: the ledger is run with decimal.js instead. */
export class Unrepresentable extends Error {
  constructor(what: string) {
    super(`not representable with ${COST_DECIMALS} decimals: ${what}`);
  }
}

const SCALE = 10n ** BigInt(COST_DECIMALS);
/** Below this (in absolute value) a scaled integer has at most 60 digits: decimal.js is exact on it. */
const LIMIT = 10n ** 60n;
/** A share's quotient below this (10^20 units) leaves 40 decimals of decimal.js's 60 digits beyond the 18th. */
const SHARE_LIMIT = 10n ** 38n;
/** 10^22: the distance from a half (in units of the 18th decimal) that decimal.js's 60-digit division cannot cross. */
const NEAR_HALF = 10n ** 22n;
const PLAIN = /^(\d+)(?:\.(\d*?)0*)?$/;

const fit = (x: bigint): bigint => {
  if (x >= LIMIT || x <= -LIMIT) throw new Unrepresentable('more than 60 digits');
  return x;
};

/** "12.3400" -> 12340000000000000000n; negative or exponent forms, or more than 18 decimals: Unrepresentable. */
function parseScaled(text: string): bigint {
  const m = PLAIN.exec(text);
  const frac = m?.[2] ?? '';
  if (!m || frac.length > COST_DECIMALS) throw new Unrepresentable(text);
  return fit(BigInt(m[1]! + frac.padEnd(COST_DECIMALS, '0')));
}

export function scaledToDecimal(x: bigint): Decimal {
  const negative = x < 0n;
  const digits = (negative ? -x : x).toString().padStart(COST_DECIMALS + 1, '0');
  const point = digits.length - COST_DECIMALS;
  return new Decimal(`${negative ? '-' : ''}${digits.slice(0, point)}.${digits.slice(point)}`);
}

/** A Decimal of at most 18 decimals, either sign (a zero's sign is not kept). */
const decimalToScaled = (d: Decimal): bigint => (d.isNegative() ? -parseScaled(d.neg().toFixed()) : parseScaled(d.toFixed()));

function scaledShare(cost: bigint, take: bigint, held: bigint): bigint {
  if (take === held) return cost;
  // decimal.js first multiplies cost × take; it is exact (≤ 60 digits) only below LIMIT at scale 36.
  const n = cost * take;
  if (n >= LIMIT || n <= -LIMIT || held <= 0n) throw new Unrepresentable('a cost share beyond 60 digits');
  const negative = n < 0n;
  const a = negative ? -n : n;
  let q = a / held;
  const twice = 2n * (a - q * held);
  if (twice === held) {
    // An exact half: half-even, as decimal.js does (the quotient has well under 60 digits).
    if ((q & 1n) === 1n) q += 1n;
  } else {
    const off = twice > held ? twice - held : held - twice;
    if (q >= SHARE_LIMIT || off * NEAR_HALF <= held) {
      // So close to a half that decimal.js's 60-digit quotient may round onto or across it.
      return decimalToScaled(decimalShare(scaledToDecimal(cost), scaledToDecimal(take), scaledToDecimal(held)));
    }
    if (twice > held) q += 1n;
  }
  return negative ? -q : q;
}

/** The scaled arithmetic. Prices are converted once per Decimal object (a price function often returns the same one). */
export function scaledNumbers(): Numbers<bigint> {
  const prices = new WeakMap<Decimal, bigint>();
  return {
    zero: 0n,
    parse: parseScaled,
    fromDecimal: (d) => {
      let x = prices.get(d);
      if (x === undefined) {
        if (d.isNegative() || !d.isFinite()) throw new Unrepresentable(d.toString());
        x = parseScaled(d.toFixed());
        prices.set(d, x);
      }
      return x;
    },
    toDecimal: scaledToDecimal,
    add: (a, b) => fit(a + b),
    sub: (a, b) => fit(a - b),
    mul: (a, b) => {
      const p = a * b;
      if (p % SCALE !== 0n) throw new Unrepresentable('a product with more than 18 decimals');
      return fit(p / SCALE);
    },
    share: scaledShare,
    pos: (x) => x > 0n,
    isZero: (x) => x === 0n,
    neg: (x) => x < 0n,
    lt: (a, b) => a < b,
    eq: (a, b) => a === b,
  };
}

import { z } from 'zod';

/**
 * Money and quantities travel as decimal strings ("0.00100000", "-12.5"): a float never crosses
 * the wire, so no rounding happens before decimal.js sees the value.
 */
/**
 * Longest decimal string anywhere in the contract. Binance figures have at most 20 integer digits
 * and 8 decimals; derived figures (prices to 12 significant digits, values to 8 decimals) stay
 * well inside too. The bound is what keeps a pasted megabyte out of settings and events.
 */
export const DECIMAL_MAX_LENGTH = 40;
/** Human text that crosses the contract (messages, errors, labels). */
export const TEXT_MAX_LENGTH = 4000;
/** Short machine words: codes, statuses, order types, ids of notices. */
export const CODE_MAX_LENGTH = 64;

export const DecimalString = z
  .string()
  .max(DECIMAL_MAX_LENGTH, `must be at most ${DECIMAL_MAX_LENGTH} characters`)
  .regex(/^-?(0|[1-9]\d*)(\.\d+)?$/, 'must be a decimal string like "12.34"');
export type DecimalString = z.infer<typeof DecimalString>;

export const NonNegativeDecimalString = z
  .string()
  .max(DECIMAL_MAX_LENGTH, `must be at most ${DECIMAL_MAX_LENGTH} characters`)
  .regex(/^(0|[1-9]\d*)(\.\d+)?$/, 'must be a non-negative decimal string like "12.34"');
export type NonNegativeDecimalString = z.infer<typeof NonNegativeDecimalString>;

/** Binance asset codes are upper-case letters and digits (BTC, USDT, 1INCH). */
export const AssetCode = z
  .string()
  .max(20)
  .regex(/^[A-Z0-9]{1,20}$/, 'must be an upper-case asset code like "USDT"');
export type AssetCode = z.infer<typeof AssetCode>;

/** Milliseconds since the Unix epoch. */
export const TimestampMs = z.number().int().nonnegative();
export type TimestampMs = z.infer<typeof TimestampMs>;

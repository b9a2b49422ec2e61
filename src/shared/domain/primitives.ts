import { z } from 'zod';

/**
 * Money and quantities travel as decimal strings ("0.00100000", "-12.5"): a float never crosses
 * the wire, so no rounding happens before decimal.js sees the value.
 */
export const DecimalString = z.string().regex(/^-?(0|[1-9]\d*)(\.\d+)?$/, 'must be a decimal string like "12.34"');
export type DecimalString = z.infer<typeof DecimalString>;

export const NonNegativeDecimalString = z.string().regex(/^(0|[1-9]\d*)(\.\d+)?$/, 'must be a non-negative decimal string like "12.34"');
export type NonNegativeDecimalString = z.infer<typeof NonNegativeDecimalString>;

/** Binance asset codes are upper-case letters and digits (BTC, USDT, 1INCH). */
export const AssetCode = z.string().regex(/^[A-Z0-9]{1,20}$/, 'must be an upper-case asset code like "USDT"');
export type AssetCode = z.infer<typeof AssetCode>;

/** Milliseconds since the Unix epoch. */
export const TimestampMs = z.number().int().nonnegative();
export type TimestampMs = z.infer<typeof TimestampMs>;

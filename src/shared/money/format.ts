/**
 * The one formatter for figures a person reads (issue 8, B17): prices at the symbol's tick,
 * quantities at its step, amounts of an asset at a sensible precision, always with thousands
 * separators and never with an exponent or float noise. Main's messages and the renderer both use
 * it, so "64,098.00" in a message and "64,098.00" on the form are the same text.
 *
 * Pure: decimal strings in, strings out. Values that are not numbers are returned unchanged (a
 * figure the exchange sent oddly is shown as sent rather than hidden).
 */
import { Decimal, dec, type DecimalInput } from './index';

/** Most decimals shown for an amount when nothing says otherwise (Binance's asset precision). */
export const DEFAULT_DECIMALS = 8;

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function toDecimal(value: DecimalInput): Decimal | undefined {
  if (typeof value !== 'string') return value.isFinite() ? value : undefined;
  const t = value.trim();
  if (!NUMBER.test(t)) return undefined;
  const d = dec(t);
  return d.isFinite() ? d : undefined;
}

/** "1234567.5" -> "1,234,567.5". */
export function groupDigits(plain: string): string {
  const m = /^(-?)(\d+)(\.\d+)?$/.exec(plain);
  if (!m) return plain;
  return `${m[1]}${(m[2] ?? '').replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${m[3] ?? ''}`;
}

export interface FigureOptions {
  /** Round to at most this many decimals (half up). */
  readonly maxDecimals?: number;
  /** Pad with zeros to at least this many decimals (so figures of one kind line up). */
  readonly minDecimals?: number;
  /** How to round beyond maxDecimals; default half up (a displayed figure, not an order). */
  readonly rounding?: 'down' | 'up' | 'half-up';
}

/** A figure with separators: rounded to maxDecimals, trailing zeros trimmed down to minDecimals. */
export function formatFigure(value: DecimalInput, opts: FigureOptions = {}): string {
  const d0 = toDecimal(value);
  if (d0 === undefined) return typeof value === 'string' ? value : String(value);
  const max = opts.maxDecimals ?? DEFAULT_DECIMALS;
  const mode = opts.rounding === 'down' ? Decimal.ROUND_DOWN : opts.rounding === 'up' ? Decimal.ROUND_UP : Decimal.ROUND_HALF_UP;
  let d = d0.toDecimalPlaces(max, mode);
  if (d.isZero()) d = new Decimal(0); // never "-0"
  const min = Math.min(opts.minDecimals ?? 0, max);
  let text = d.toFixed(Math.max(d.decimalPlaces(), min));
  if (text.includes('.')) {
    const [int, frac = ''] = text.split('.');
    let f = frac;
    while (f.length > min && f.endsWith('0')) f = f.slice(0, -1);
    text = f.length > 0 ? `${int}.${f}` : (int ?? '0');
  }
  return groupDigits(text);
}

/** Decimals of a tick or step ("0.01000000" -> 2); undefined when there is none (absent or zero). */
export function gridDecimals(grid: DecimalInput | null | undefined): number | undefined {
  if (grid === null || grid === undefined) return undefined;
  const g = toDecimal(grid);
  if (g === undefined || g.isZero()) return undefined;
  return g.decimalPlaces();
}

/**
 * A price at the symbol's tick: exactly the tick's decimals, so a bid of 64,098.00 sits next to an
 * ask of 64,098.01. Without a tick: up to 8 decimals, trimmed.
 */
export function formatPrice(value: DecimalInput, tick?: DecimalInput | null): string {
  const n = gridDecimals(tick);
  return n === undefined ? formatFigure(value) : formatFigure(value, { maxDecimals: n, minDecimals: n });
}

/** A quantity at the symbol's step: never more decimals than the step has, trailing zeros trimmed. */
export function formatQuantity(value: DecimalInput, step?: DecimalInput | null): string {
  const n = gridDecimals(step);
  return formatFigure(value, { maxDecimals: n ?? DEFAULT_DECIMALS, rounding: 'down' });
}

/**
 * An amount of an asset (an order value, a balance, a fee): up to `decimals` (default 8), trimmed,
 * with the asset after it when given: "5,999,940,000 USDT", "0.000002 BTC".
 */
export function formatAmount(value: DecimalInput, asset?: string, decimals = DEFAULT_DECIMALS): string {
  const text = formatFigure(value, { maxDecimals: decimals });
  return asset ? `${text} ${asset}` : text;
}

/** A share as a percentage with up to `decimals` decimals: "12.5 %". */
export function formatPercentOf(fraction: DecimalInput, decimals = 2): string {
  const f = toDecimal(fraction);
  if (f === undefined) return String(fraction);
  return `${formatFigure(f.mul(100), { maxDecimals: decimals, rounding: 'down' })} %`;
}

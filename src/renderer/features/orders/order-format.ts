import { formatAmount, formatPrice } from '../../../shared/money/format';
import { formatClock, MASK } from '../../app/format';

/** An amount (quantity, total, fee, balance), with separators: masked in privacy mode. */
export function amount(privacy: boolean, value: string | null | undefined, asset?: string): string {
  if (value === null || value === undefined) return '—';
  if (privacy) return asset ? `${MASK} ${asset}` : MASK;
  return formatAmount(value, asset);
}

/**
 * A price at the symbol's tick when it is known (so bid 64,098.00 sits next to ask 64,098.01),
 * else without trailing zeros; "—" for Binance's "0" (none).
 */
export function priceText(value: string | null | undefined, tick?: string | null): string {
  if (value === null || value === undefined) return '—';
  if (/^0*(\.0*)?$/.test(value)) return '—';
  return formatPrice(value, tick);
}

/** A time with its date unless it is today; "—" when unknown. */
export function timeText(ms: number | null, now?: number): string {
  return ms === null ? '—' : formatClock(ms, now);
}

/** Confirmation lines that carry an amount (masked in privacy mode until revealed). */
export function isAmountLine(label: string): boolean {
  return /quantity|amount|cost|proceeds|fee|total/i.test(label);
}

export { maskFigures } from '../../app/format';

/** Issues and warnings whose text quotes a balance. */
export function quotesBalance(code: string): boolean {
  return code === 'BALANCE' || code === 'most-of-balance';
}

import { formatAmount, formatPrice } from '../../../shared/money/format';
import { MASK } from '../../app/format';

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

export function timeText(ms: number | null): string {
  if (ms === null) return '—';
  const d = new Date(ms);
  const pad = (n: number): string => String(n).padStart(2, '0');
  const today = new Date();
  const hms = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  if (d.toDateString() === today.toDateString()) return hms;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${hms}`;
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

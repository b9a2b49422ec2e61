import { formatClock, formatQuantity, MASK } from '../../app/format';

/** An amount (quantity, total, fee, balance): masked in privacy mode. */
export function amount(privacy: boolean, value: string | null | undefined, asset?: string): string {
  if (value === null || value === undefined) return '—';
  if (privacy) return asset ? `${MASK} ${asset}` : MASK;
  return asset ? `${formatQuantity(value)} ${asset}` : formatQuantity(value);
}

/** A price as the exchange sent it, without trailing zeros; "—" for Binance's "0" (none). */
export function priceText(value: string | null | undefined): string {
  if (value === null || value === undefined) return '—';
  if (/^0*(\.0*)?$/.test(value)) return '—';
  return formatQuantity(value);
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

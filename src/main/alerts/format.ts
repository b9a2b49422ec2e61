/**
 * Numbers and times in alert messages, written in main (a notification has no renderer to format
 * it): a price keeps the decimals it came with (the symbol's own precision, trailing zeros
 * dropped) and gets thousands separators; a time that is not today carries its date.
 */
import { formatDecimal } from '../../shared/money';

/** "70000.50000000" -> "70,000.5". */
export function groupDecimal(value: string): string {
  const plain = formatDecimal(value);
  const negative = plain.startsWith('-');
  const [int = '0', frac] = (negative ? plain.slice(1) : plain).split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}${grouped}${frac !== undefined ? `.${frac}` : ''}`;
}

/** A percent with sign and two decimals at most: "+5.12 %". */
export function signedPercent(value: string): string {
  const d = formatDecimal(value, 2);
  return `${d.startsWith('-') || d === '0' ? '' : '+'}${d} %`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** "03:12" today, "3 Dec 03:12" on another day (local time, or the offset given for tests). */
export function clockText(at: number, now: number, offsetMinutes: (t: number) => number): string {
  const local = (t: number): Date => new Date(t + offsetMinutes(t) * 60_000);
  const a = local(at);
  const n = local(now);
  const hm = `${pad(a.getUTCHours())}:${pad(a.getUTCMinutes())}`;
  const sameDay = a.getUTCFullYear() === n.getUTCFullYear() && a.getUTCMonth() === n.getUTCMonth() && a.getUTCDate() === n.getUTCDate();
  if (sameDay) return hm;
  const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][a.getUTCMonth()] ?? '';
  return `${a.getUTCDate()} ${month} ${hm}`;
}

/** The machine's UTC offset at t, in minutes (positive east of Greenwich). */
export function systemOffsetMinutes(t: number): number {
  return -new Date(t).getTimezoneOffset();
}

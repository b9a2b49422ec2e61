/**
 * Integer-unit formatting for market data: a price is an integer number of ticks, a quantity an
 * integer number of steps, so the decimal string is exact (no float rounding on the wire).
 */

/** Writes `units` × 10^-decimals with exactly 8 fraction digits (decimals ≤ 8). */
export function formatUnits(units: number, decimals: number): string {
  const neg = units < 0;
  let s = Math.abs(Math.round(units)).toString();
  if (decimals > 0 && s.length <= decimals) s = s.padStart(decimals + 1, '0');
  const int = decimals > 0 ? s.slice(0, s.length - decimals) : s;
  const frac = decimals > 0 ? s.slice(s.length - decimals) : '';
  return `${neg && s.replace(/[0.]/g, '') !== '' ? '-' : ''}${int}.${frac.padEnd(8, '0')}`;
}

/** Number of fraction digits of a size like "0.001" (0 for "1"). */
export function decimalsOfSize(size: string): number {
  const i = size.indexOf('.');
  if (i < 0) return 0;
  return size.slice(i + 1).replace(/0+$/, '').length;
}

/** A float with 8 fraction digits (volumes in quote units, averages): a display figure only. */
export function fixed8(x: number): string {
  return (Number.isFinite(x) ? x : 0).toFixed(8);
}

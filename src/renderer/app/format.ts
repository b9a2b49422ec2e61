/**
 * Display formatting of decimal strings. Everything here works on the strings main sends, so a
 * figure is never rounded twice or turned into a float before it reaches the screen. This is
 * presentation only: no money is computed here.
 */
import { groupDigits } from '../../shared/money/format';

export const MASK = '•••••';

interface Parsed {
  readonly negative: boolean;
  readonly int: string;
  readonly frac: string;
}

function parse(value: string): Parsed | null {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(value.trim());
  if (!m) return null;
  return { negative: m[1] === '-', int: (m[2] ?? '0').replace(/^0+(?=\d)/, ''), frac: m[3] ?? '' };
}

/** Exact comparison of two decimal strings (for sorting and thresholds). */
export function compareDecimal(a: string, b: string): number {
  const pa = parse(a);
  const pb = parse(b);
  if (!pa || !pb) return 0;
  const zero = (p: Parsed): boolean => /^0*$/.test(p.int) && /^0*$/.test(p.frac);
  const sa = zero(pa) ? 0 : pa.negative ? -1 : 1;
  const sb = zero(pb) ? 0 : pb.negative ? -1 : 1;
  if (sa !== sb) return sa < sb ? -1 : 1;
  if (sa === 0) return 0;
  let mag: number;
  if (pa.int.length !== pb.int.length) mag = pa.int.length < pb.int.length ? -1 : 1;
  else if (pa.int !== pb.int) mag = pa.int < pb.int ? -1 : 1;
  else {
    const len = Math.max(pa.frac.length, pb.frac.length);
    const fa = pa.frac.padEnd(len, '0');
    const fb = pb.frac.padEnd(len, '0');
    mag = fa === fb ? 0 : fa < fb ? -1 : 1;
  }
  return sa < 0 ? -mag : mag;
}

/** Round half away from zero to `dp` decimals, on the string. */
export function roundDecimal(value: string, dp: number): string {
  const p = parse(value);
  if (!p) return value;
  if (p.frac.length <= dp) return `${p.negative ? '-' : ''}${p.int}${dp > 0 ? `.${p.frac.padEnd(dp, '0')}` : ''}`;
  const digits = (p.int + p.frac.slice(0, dp)).split('').map(Number);
  const roundUp = Number(p.frac[dp]) >= 5;
  if (roundUp) {
    let i = digits.length - 1;
    while (i >= 0) {
      const d = (digits[i] ?? 0) + 1;
      if (d < 10) {
        digits[i] = d;
        break;
      }
      digits[i] = 0;
      i--;
    }
    if (i < 0) digits.unshift(1);
  }
  const all = digits.join('');
  const intPart = all.slice(0, all.length - dp) || '0';
  const fracPart = dp > 0 ? all.slice(all.length - dp) : '';
  const isZero = /^0*$/.test(intPart) && /^0*$/.test(fracPart);
  return `${p.negative && !isZero ? '-' : ''}${intPart}${dp > 0 ? `.${fracPart}` : ''}`;
}

// One grouping for every figure on screen (src/shared/money/format is the one formatter).
function group(int: string): string {
  return groupDigits(int);
}

function render(value: string, opts: { trimZeros: boolean; sign?: boolean }): string {
  const p = parse(value);
  if (!p) return value;
  let frac = p.frac;
  if (opts.trimZeros) frac = frac.replace(/0+$/, '');
  const isZero = /^0*$/.test(p.int) && /^0*$/.test(frac);
  const sign = p.negative && !isZero ? '−' : opts.sign && !isZero ? '+' : '';
  return `${sign}${group(p.int)}${frac ? `.${frac}` : ''}`;
}

/** Decimals a value in this quote currency is shown with. */
export function quoteDecimals(quote: string): number {
  if (quote === 'BTC') return 8;
  if (quote === 'ETH') return 6;
  if (quote === 'BNB') return 4;
  return 2;
}

/** A quantity of an asset: as precise as the exchange sent it, without trailing zeros. */
export function formatQuantity(value: string): string {
  return render(roundDecimal(value, 8), { trimZeros: true });
}

/** A value in the quote currency, e.g. 12,345.68. */
export function formatValue(value: string, quote: string): string {
  return render(roundDecimal(value, quoteDecimals(quote)), { trimZeros: false });
}

export function formatSignedValue(value: string, quote: string): string {
  return render(roundDecimal(value, quoteDecimals(quote)), { trimZeros: false, sign: true });
}

/** A unit price: enough decimals to show four significant digits of small prices. */
export function formatPrice(value: string, quote: string): string {
  const p = parse(value);
  if (!p) return value;
  let dp = quoteDecimals(quote);
  if (/^0*$/.test(p.int)) {
    const leadingZeros = /^0*/.exec(p.frac)?.[0].length ?? 0;
    dp = Math.min(12, Math.max(dp, leadingZeros + 4));
  } else if (p.int.length === 1) {
    dp = Math.max(dp, 4);
  }
  return render(roundDecimal(value, dp), { trimZeros: false });
}

/** "+1.25 %" / "−0.40 %". */
export function formatPercent(value: string, opts: { sign?: boolean } = { sign: true }): string {
  return `${render(roundDecimal(value, 2), { trimZeros: false, sign: opts.sign ?? true })} %`;
}

export function signOf(value: string | null): 'up' | 'down' | 'flat' {
  if (value === null) return 'flat';
  const c = compareDecimal(value, '0');
  return c > 0 ? 'up' : c < 0 ? 'down' : 'flat';
}

/** "14:05:09" today; "2026-12-03 14:05:09" on any other day (a time alone would mislead). */
export function formatClock(ms: number, now: number = Date.now()): string {
  const d = new Date(ms);
  const pad = (n: number): string => String(n).padStart(2, '0');
  const hms = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  if (d.toDateString() === new Date(now).toDateString()) return hms;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${hms}`;
}

/** "0.4 s", "12 s", "3 min", "2 h". */
export function formatAge(ms: number): string {
  if (ms < 0) ms = 0;
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 3_600_000)} h`;
}

export function formatOffset(ms: number): string {
  const sign = ms > 0 ? '+' : ms < 0 ? '−' : '±';
  return `${sign}${Math.abs(ms)} ms`;
}

/** Hide the figures of a message about the person's balance or orders (privacy mode). */
export function maskFigures(privacy: boolean, text: string): string {
  return privacy ? text.replace(/\d[\d,.]*/g, MASK) : text;
}

/**
 * A money figure, or the mask in privacy mode.
 * @public used by the alerts feature (landing on another branch); drop this tag once it has.
 */
export function money(privacy: boolean, text: string): string {
  return privacy ? MASK : text;
}

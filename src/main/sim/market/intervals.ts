/**
 * Kline intervals (https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/rest-api.md § Kline/Candlestick data): bucket boundaries in UTC or in a
 * timeZone offset, and the `timeZone` parameter format.
 */

export const KLINE_INTERVALS = ['1s', '1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '6h', '8h', '12h', '1d', '3d', '1w', '1M'] as const;
export type KlineInterval = (typeof KLINE_INTERVALS)[number];

const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

const FIXED: Readonly<Record<string, number>> = {
  '1s': SEC,
  '1m': MIN,
  '3m': 3 * MIN,
  '5m': 5 * MIN,
  '15m': 15 * MIN,
  '30m': 30 * MIN,
  '1h': HOUR,
  '2h': 2 * HOUR,
  '4h': 4 * HOUR,
  '6h': 6 * HOUR,
  '8h': 8 * HOUR,
  '12h': 12 * HOUR,
  '1d': DAY,
  '3d': 3 * DAY,
};
// 1970-01-01 was a Thursday; weekly candles open on Monday 00:00.
const WEEK_ORIGIN = 4 * DAY;

export function isKlineInterval(s: string): s is KlineInterval {
  return (KLINE_INTERVALS as readonly string[]).includes(s);
}

/** Open time of the candle containing t (epoch ms), for a timezone offset of tzMs. */
export function bucketStart(interval: KlineInterval, t: number, tzMs = 0): number {
  const local = t + tzMs;
  if (interval === '1w') return Math.floor((local - WEEK_ORIGIN) / (7 * DAY)) * 7 * DAY + WEEK_ORIGIN - tzMs;
  if (interval === '1M') {
    const d = new Date(local);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) - tzMs;
  }
  const size = FIXED[interval]!;
  return Math.floor(local / size) * size - tzMs;
}

/** Open time of the candle after the one opening at `start`. */
export function bucketEnd(interval: KlineInterval, start: number, tzMs = 0): number {
  if (interval === '1w') return start + 7 * DAY;
  if (interval === '1M') {
    const d = new Date(start + tzMs);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) - tzMs;
  }
  return start + FIXED[interval]!;
}

/**
 * Parses `timeZone` ("0", "8", "-1:00", "05:45", "+08:00") into an offset in ms; undefined when
 * malformed or outside [-12:00, +14:00].
 */
export function parseTimeZone(s: string): number | undefined {
  const m = /^([+-]?)(\d{1,2})(?::(\d{2}))?$/.exec(s);
  if (!m) return undefined;
  const sign = m[1] === '-' ? -1 : 1;
  const hours = Number(m[2]);
  const minutes = m[3] === undefined ? 0 : Number(m[3]);
  if (minutes >= 60) return undefined;
  const total = sign * (hours * 60 + minutes);
  if (total < -12 * 60 || total > 14 * 60) return undefined;
  return total * MIN;
}

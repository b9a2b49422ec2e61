/**
 * One symbol's deterministic log-price path in "market time" (integer seconds since epoch),
 * generated on demand and never stored whole. The path is a random walk built top-down:
 * a daily walk, then Brownian bridges for the hours inside a day, the minutes inside an hour
 * and the seconds inside a minute. Each level is seeded from (seed, symbol, level, index), so a
 * candle of any interval is the same whenever it is asked for, and a coarse candle is exactly
 * the aggregate of the finer ones inside it (an hour's high is the highest of its minutes' highs).
 *
 * Volumes and trade counts are cumulative closed forms (cum(t) = rate·t + bounded jitter), so the
 * trades between any two instants, and hence trade ids, cost O(1) without any prefix sums.
 */
import { createRng, type Rng } from '../rng';

const SEC_PER_YEAR = 365 * 86400;

/** Raw aggregate of a range: log prices (without the symbol's shift), base volume, raw quote volume. */
export interface RawAgg {
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
  q: number;
  tb: number;
  tq: number;
}

interface MinuteData {
  /** 61 boundary log prices of the hour's minutes */
  p: Float64Array;
  hi: Float64Array;
  lo: Float64Array;
  v: Float64Array;
  /** taker-buy fraction */
  f: Float64Array;
}

interface SecondData {
  p: Float64Array;
  hi: Float64Array;
  lo: Float64Array;
  /** cumulative weight of the minute's volume at each second boundary, w[0]=0, w[60]=1 */
  w: Float64Array;
}

/** Two-generation cache: O(1) get/set, keeps between cap and 2·cap recent entries. */
class GenCache<T> {
  private young = new Map<number, T>();
  private old = new Map<number, T>();
  constructor(private readonly cap: number) {}
  get(key: number): T | undefined {
    const v = this.young.get(key);
    if (v !== undefined) return v;
    const o = this.old.get(key);
    if (o !== undefined) this.set(key, o);
    return o;
  }
  get size(): number {
    return this.young.size + this.old.size;
  }
  set(key: number, value: T): void {
    this.young.set(key, value);
    if (this.young.size >= this.cap) {
      this.old = this.young;
      this.young = new Map();
    }
  }
}

/**
 * Least-recently-used cache of exactly at most `cap` entries (a Map keeps insertion order; a hit
 * moves the entry to the end). For the hour summaries: the rolling 24 h window reads the same 23
 * every tick, so a fixed size reaches its steady state within hours, where the two-generation
 * cache kept growing up to twice its size.
 */
class LruCache<T> {
  private readonly map = new Map<number, T>();
  constructor(private readonly cap: number) {}
  get size(): number {
    return this.map.size;
  }
  get(key: number): T | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }
  set(key: number, value: T): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.cap) this.map.delete(this.map.keys().next().value as number);
  }
}

/** 32-bit mix of three integers (murmur3 finaliser style); inputs may be up to 2^32. */
export function mix32(a: number, b: number, c: number): number {
  let h = Math.imul((a ^ 0x9e3779b9) >>> 0, 0x85ebca6b) ^ (b >>> 0);
  h = Math.imul(h ^ (h >>> 15), 0xc2b2ae35) ^ (c >>> 0);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function unit(h: number): number {
  return h / 4294967296;
}

function bridge(rng: Rng, n: number, start: number, end: number, sigma: number): Float64Array {
  const x = new Float64Array(n + 1);
  for (let i = 1; i <= n; i++) x[i] = x[i - 1]! + sigma * rng.normal();
  const xn = x[n]!;
  for (let i = 0; i <= n; i++) {
    const f = i / n;
    x[i] = start + x[i]! - f * xn + f * (end - start);
  }
  x[0] = start;
  x[n] = end;
  return x;
}

export interface PricePathOpts {
  seed: number;
  annualVol: number;
  baseVolPerMin: number;
  tradesPerMin: number;
  /** Day index the daily walk is anchored at (its value there is 0). */
  anchorDay: number;
}

export interface PricePath {
  /** Log price (raw, unshifted) at the boundary of market second `sec`. */
  valueAt(sec: number): number;
  /** Aggregate seconds [a, b) into acc (which must already be initialised), shifting prices by `off`. */
  aggregate(a: number, b: number, off: number, acc: RawAgg & { empty: boolean }): void;
  /** Number of trades before market second `sec` (trade ids are 0-based positions in this count). */
  tradesBefore(sec: number): number;
  /** Number of order book updates before market second `sec`. */
  bookUpdatesBefore(sec: number): number;
  /** Entries held by the caches (diagnostics and tests: they stay bounded over any run). */
  cachedEntries(): { readonly seconds: number; readonly minutes: number; readonly hours: number; readonly days: number };
}

export function createPricePath(o: PricePathOpts): PricePath {
  const sigmaSec = o.annualVol / Math.sqrt(SEC_PER_YEAR);
  const sigmaDay = sigmaSec * Math.sqrt(86400);
  const sigmaHour = sigmaSec * Math.sqrt(3600);
  const sigmaMin = sigmaSec * Math.sqrt(60);
  const seed = o.seed >>> 0;
  const rateV = o.baseVolPerMin;
  const rateN = o.tradesPerMin;
  const rateU = Math.max(10, Math.round(o.tradesPerMin / 6));

  const forward: number[] = [0];
  const backward: number[] = [0];
  const dayInc = (d: number): number => sigmaDay * createRng(mix32(seed, 1, d)).normal();
  const dayValue = (d: number): number => {
    const i = d - o.anchorDay;
    if (i >= 0) {
      while (forward.length <= i) forward.push(forward[forward.length - 1]! + dayInc(o.anchorDay + forward.length - 1));
      return forward[i]!;
    }
    const j = -i;
    while (backward.length <= j) backward.push(backward[backward.length - 1]! - dayInc(o.anchorDay - backward.length));
    return backward[j]!;
  };

  const hourPaths = new GenCache<Float64Array>(64);
  const hourPath = (d: number): Float64Array => {
    let p = hourPaths.get(d);
    if (!p) {
      p = bridge(createRng(mix32(seed, 2, d)), 24, dayValue(d), dayValue(d + 1), sigmaHour);
      hourPaths.set(d, p);
    }
    return p;
  };

  const cumV = (m: number): number => rateV * (m + 0.9 * unit(mix32(seed, 4, m)));
  const cumN = (m: number): number => Math.floor(rateN * (m + 0.9 * unit(mix32(seed, 6, m))));

  // Cache sizes: what streaming touches (the current minute and hour, the rolling 24 h window of
  // hour summaries) plus a little. Anything older is recomputed on demand (it is deterministic):
  // larger caches filled with every simulated hour of a long run (4 days of minute data per
  // symbol, years of hour summaries), which a memory soak showed as steady growth.
  const minuteCache = new GenCache<MinuteData>(4);
  const minuteData = (hour: number): MinuteData => {
    let md = minuteCache.get(hour);
    if (md) return md;
    const d = Math.floor(hour / 24);
    const hh = hour - d * 24;
    const hp = hourPath(d);
    const rng = createRng(mix32(seed, 3, hour));
    const p = bridge(rng, 60, hp[hh]!, hp[hh + 1]!, sigmaMin);
    const hi = new Float64Array(60);
    const lo = new Float64Array(60);
    const v = new Float64Array(60);
    const f = new Float64Array(60);
    const m0 = hour * 60;
    let prevCum = cumV(m0);
    for (let i = 0; i < 60; i++) {
      const a = p[i]!;
      const b = p[i + 1]!;
      hi[i] = Math.max(a, b) + Math.abs(rng.normal()) * sigmaMin * 0.6;
      lo[i] = Math.min(a, b) - Math.abs(rng.normal()) * sigmaMin * 0.6;
      const nextCum = cumV(m0 + i + 1);
      v[i] = nextCum - prevCum;
      prevCum = nextCum;
      f[i] = 0.35 + 0.3 * rng.next();
    }
    md = { p, hi, lo, v, f };
    minuteCache.set(hour, md);
    return md;
  };

  const secondCache = new GenCache<SecondData>(4);
  const secondData = (minute: number): SecondData => {
    let sd = secondCache.get(minute);
    if (sd) return sd;
    const hour = Math.floor(minute / 60);
    const i = minute - hour * 60;
    const md = minuteData(hour);
    const high = md.hi[i]!;
    const low = md.lo[i]!;
    const rng = createRng(mix32(seed, 7, minute));
    const p = bridge(rng, 60, md.p[i]!, md.p[i + 1]!, sigmaSec);
    for (let j = 1; j < 60; j++) p[j] = Math.min(high, Math.max(low, p[j]!));
    const hi = new Float64Array(60);
    const lo = new Float64Array(60);
    for (let j = 0; j < 60; j++) {
      const a = p[j]!;
      const b = p[j + 1]!;
      hi[j] = Math.min(high, Math.max(a, b) + Math.abs(rng.normal()) * sigmaSec * 0.5);
      lo[j] = Math.max(low, Math.min(a, b) - Math.abs(rng.normal()) * sigmaSec * 0.5);
    }
    // The minute's extremes are reached in one second each, so the seconds aggregate to the minute.
    hi[Math.floor(rng.next() * 60)] = high;
    lo[Math.floor(rng.next() * 60)] = low;
    const w = new Float64Array(61);
    for (let j = 1; j < 60; j++) w[j] = (j - 0.45 + 0.9 * unit(mix32(seed, 5, minute * 60 + j))) / 60;
    w[60] = 1;
    sd = { p, hi, lo, w };
    secondCache.set(minute, sd);
    return sd;
  };

  // The rolling 24 h window reads 23 full hours on every tick: 26 holds them plus the hour rolling in.
  const hourSummaries = new LruCache<RawAgg>(26);
  const daySummaries = new GenCache<RawAgg>(64);

  const emptyAgg = (): RawAgg & { empty: boolean } => ({ empty: true, o: 0, h: -Infinity, l: Infinity, c: 0, v: 0, q: 0, tb: 0, tq: 0 });

  const merge = (acc: RawAgg & { empty: boolean }, s: RawAgg, off: number, eoff: number): void => {
    if (acc.empty) {
      acc.o = s.o + off;
      acc.empty = false;
    }
    const h = s.h + off;
    const l = s.l + off;
    if (h > acc.h) acc.h = h;
    if (l < acc.l) acc.l = l;
    acc.c = s.c + off;
    acc.v += s.v;
    acc.q += s.q * eoff;
    acc.tb += s.tb;
    acc.tq += s.tq * eoff;
  };

  const minuteAgg = (acc: RawAgg & { empty: boolean }, md: MinuteData, i: number, off: number, eoff: number): void => {
    const a = md.p[i]!;
    const b = md.p[i + 1]!;
    if (acc.empty) {
      acc.o = a + off;
      acc.empty = false;
    }
    const h = md.hi[i]! + off;
    const l = md.lo[i]! + off;
    if (h > acc.h) acc.h = h;
    if (l < acc.l) acc.l = l;
    acc.c = b + off;
    const v = md.v[i]!;
    const q = v * Math.exp((a + b) / 2) * eoff;
    const f = md.f[i]!;
    acc.v += v;
    acc.q += q;
    acc.tb += v * f;
    acc.tq += q * f;
  };

  const hourSummary = (hour: number): RawAgg => {
    let s = hourSummaries.get(hour);
    if (s) return s;
    const acc = emptyAgg();
    const md = minuteData(hour);
    for (let i = 0; i < 60; i++) minuteAgg(acc, md, i, 0, 1);
    s = { o: acc.o, h: acc.h, l: acc.l, c: acc.c, v: acc.v, q: acc.q, tb: acc.tb, tq: acc.tq };
    hourSummaries.set(hour, s);
    return s;
  };

  const daySummary = (day: number): RawAgg => {
    let s = daySummaries.get(day);
    if (s) return s;
    const acc = emptyAgg();
    for (let h = 0; h < 24; h++) merge(acc, hourSummary(day * 24 + h), 0, 1);
    s = { o: acc.o, h: acc.h, l: acc.l, c: acc.c, v: acc.v, q: acc.q, tb: acc.tb, tq: acc.tq };
    daySummaries.set(day, s);
    return s;
  };

  const valueAt = (sec: number): number => {
    const minute = Math.floor(sec / 60);
    const j = sec - minute * 60;
    if (j === 0) {
      const hour = Math.floor(minute / 60);
      return minuteData(hour).p[minute - hour * 60]!;
    }
    return secondData(minute).p[j]!;
  };

  const aggregate = (a: number, b: number, off: number, acc: RawAgg & { empty: boolean }): void => {
    const eoff = Math.exp(off);
    let x = a;
    let md: MinuteData | undefined;
    let mdHour = NaN;
    let sd: SecondData | undefined;
    let sdMinute = NaN;
    while (x < b) {
      if (x % 86400 === 0 && x + 86400 <= b) {
        merge(acc, daySummary(x / 86400), off, eoff);
        x += 86400;
      } else if (x % 3600 === 0 && x + 3600 <= b) {
        merge(acc, hourSummary(x / 3600), off, eoff);
        x += 3600;
      } else if (x % 60 === 0 && x + 60 <= b) {
        const minute = x / 60;
        const hour = Math.floor(minute / 60);
        if (hour !== mdHour) {
          md = minuteData(hour);
          mdHour = hour;
        }
        minuteAgg(acc, md!, minute - hour * 60, off, eoff);
        x += 60;
      } else {
        const minute = Math.floor(x / 60);
        if (minute !== sdMinute) {
          sd = secondData(minute);
          sdMinute = minute;
          const hour = Math.floor(minute / 60);
          if (hour !== mdHour) {
            md = minuteData(hour);
            mdHour = hour;
          }
        }
        const j = x - minute * 60;
        const s = sd!;
        const i = minute - mdHour * 60;
        const pa = s.p[j]!;
        const pb = s.p[j + 1]!;
        if (acc.empty) {
          acc.o = pa + off;
          acc.empty = false;
        }
        const h = s.hi[j]! + off;
        const l = s.lo[j]! + off;
        if (h > acc.h) acc.h = h;
        if (l < acc.l) acc.l = l;
        acc.c = pb + off;
        const v = md!.v[i]! * (s.w[j + 1]! - s.w[j]!);
        const q = v * Math.exp((pa + pb) / 2) * eoff;
        const f = md!.f[i]!;
        acc.v += v;
        acc.q += q;
        acc.tb += v * f;
        acc.tq += q * f;
        x += 1;
      }
    }
  };

  const tradesBefore = (sec: number): number => {
    const minute = Math.floor(sec / 60);
    const j = sec - minute * 60;
    const base = cumN(minute);
    if (j === 0) return base;
    const n = cumN(minute + 1) - base;
    if (n === 0) return base;
    return base + Math.floor(n * secondData(minute).w[j]!);
  };

  const bookUpdatesBefore = (sec: number): number => Math.floor(rateU * (sec + 0.9 * unit(mix32(seed, 8, sec))));

  const cachedEntries = (): ReturnType<PricePath['cachedEntries']> => ({
    seconds: secondCache.size,
    minutes: minuteCache.size,
    hours: hourSummaries.size,
    days: daySummaries.size,
  });
  return { valueAt, aggregate, tradesBefore, bookUpdatesBefore, cachedEntries };
}

export function newAgg(): RawAgg & { empty: boolean } {
  return { empty: true, o: 0, h: -Infinity, l: Infinity, c: 0, v: 0, q: 0, tb: 0, tq: 0 };
}

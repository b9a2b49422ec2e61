/**
 * Records the portfolio's total value over time, for the P&L charts.
 *
 * A point is written at a steady cadence (every minute by default) and, between those, when
 * the value moved significantly, so a sharp move is on the chart without waiting for the next
 * minute. A point is never written while the figures are not live (stale prices, resyncing
 * balances) or while some holding still waits for its first price: a chart shows what was
 * true, and a stale or partial total would draw a drop that never happened.
 */
import Decimal from 'decimal.js';
import type { EnvironmentId, Freshness } from '../../shared/domain';

/** One stored point. Totals are decimal strings in the quote currency. */
export interface ValuePoint {
  readonly at: number;
  readonly environment: EnvironmentId;
  readonly quote: string;
  readonly total: string;
}

/**
 * Where points go: the database's value_snapshots repository, through an adapter the core
 * builds (the repository itself belongs to storage).
 */
export interface ValuePointStore {
  insert(point: ValuePoint): void;
  /** Points with from <= at <= to, oldest first. */
  range(query: {
    readonly environment: EnvironmentId;
    readonly quote: string;
    readonly from: number;
    readonly to: number;
  }): readonly ValuePoint[];
  latest(query: { readonly environment: EnvironmentId; readonly quote: string }): ValuePoint | null;
}

/** What the recorder needs to know about the portfolio right now. */
export interface ValueSample {
  readonly environment: EnvironmentId;
  readonly quote: string;
  readonly total: string;
  /** holdings that have a route but no price yet */
  readonly pending: number;
  readonly holdings: number;
  readonly freshness: Freshness;
  /** when the figures were computed from exchange data */
  readonly asOf: number;
}

export type SkipReason = 'not-live' | 'pending-prices' | 'empty' | 'too-soon' | 'unchanged' | 'no-sample';

export interface ValueRecorderOptions {
  readonly store: ValuePointStore;
  /** The latest sample (the portfolio state's committed totals). */
  readonly sample: () => ValueSample | null;
  readonly now?: () => number;
  /** Cadence of regular points, ms. */
  readonly intervalMs?: number;
  /** A move of at least this many percent is recorded before the next regular point. */
  readonly significantChangePct?: number;
  /** Never two points closer than this, ms (a volatile market must not flood the database). */
  readonly minGapMs?: number;
  /**
   * Figures older than this are not recorded even if the feeds say live, ms. The core observes
   * right after each portfolio flush, so a current sample is at most a flush or two old; an older
   * one is a portfolio that has not moved (nothing new to record) or a feed that stopped.
   */
  readonly maxSampleAgeMs?: number;
  readonly setInterval?: (fn: () => void, ms: number) => unknown;
  readonly clearInterval?: (handle: unknown) => void;
  readonly onError?: (error: unknown) => void;
}

export interface RangeQuery {
  readonly environment: EnvironmentId;
  readonly quote: string;
  readonly from: number;
  readonly to: number;
  /** Downsample to at most this many points (last point of each bucket), for charts. */
  readonly maxPoints?: number;
}

export interface ValueRecorder {
  /** Check now whether a point is due (called by the core after each portfolio change). */
  observe(): { readonly recorded: true; readonly point: ValuePoint } | { readonly recorded: false; readonly reason: SkipReason };
  /** Query API for the P&L feature. */
  range(query: RangeQuery): readonly ValuePoint[];
  latest(query: { readonly environment: EnvironmentId; readonly quote: string }): ValuePoint | null;
  start(): void;
  stop(): void;
}

/** Keep at most maxPoints: the last point of each equal time bucket (what the value closed at). */
export function downsample(points: readonly ValuePoint[], maxPoints: number, from: number, to: number): ValuePoint[] {
  if (maxPoints <= 0) return [];
  if (points.length <= maxPoints) return [...points];
  const span = Math.max(1, to - from + 1);
  const buckets = new Map<number, ValuePoint>();
  for (const p of points) {
    const b = Math.min(maxPoints - 1, Math.floor(((p.at - from) * maxPoints) / span));
    buckets.set(b, p);
  }
  return [...buckets.entries()].sort((a, b) => a[0] - b[0]).map(([, p]) => p);
}

export function createValueRecorder(options: ValueRecorderOptions): ValueRecorder {
  const now = options.now ?? Date.now;
  const intervalMs = options.intervalMs ?? 60_000;
  const significant = new Decimal(options.significantChangePct ?? 1);
  const minGapMs = options.minGapMs ?? 10_000;
  const maxSampleAgeMs = options.maxSampleAgeMs ?? 1_000;
  const setTimer = options.setInterval ?? ((fn: () => void, ms: number) => setInterval(fn, ms));
  const clearTimer = options.clearInterval ?? ((h: unknown) => clearInterval(h as ReturnType<typeof setInterval>));

  /** Last point per environment+quote, so a switch back does not lose the cadence. */
  const last = new Map<string, ValuePoint>();
  let timer: unknown = null;

  const lastFor = (environment: EnvironmentId, quote: string): ValuePoint | null => {
    const key = `${environment}/${quote}`;
    const cached = last.get(key);
    if (cached !== undefined) return cached;
    const stored = options.store.latest({ environment, quote });
    if (stored !== null) last.set(key, stored);
    return stored;
  };

  const observe: ValueRecorder['observe'] = () => {
    const s = options.sample();
    if (s === null) return { recorded: false, reason: 'no-sample' };
    if (s.freshness.state !== 'live' || now() - s.asOf > maxSampleAgeMs) return { recorded: false, reason: 'not-live' };
    if (s.pending > 0) return { recorded: false, reason: 'pending-prices' };
    if (s.holdings === 0) return { recorded: false, reason: 'empty' };
    // A point is dated by the data it was computed from, never by when it was looked at.
    const t = s.asOf;
    const prev = lastFor(s.environment, s.quote);
    if (prev !== null) {
      const age = t - prev.at;
      if (age < minGapMs) return { recorded: false, reason: 'too-soon' };
      if (age < intervalMs) {
        const before = new Decimal(prev.total);
        const moved = before.isZero()
          ? !new Decimal(s.total).isZero()
          : new Decimal(s.total).minus(before).abs().div(before).times(100).gte(significant);
        if (!moved) return { recorded: false, reason: 'unchanged' };
      }
    }
    const point: ValuePoint = { at: t, environment: s.environment, quote: s.quote, total: s.total };
    options.store.insert(point);
    last.set(`${s.environment}/${s.quote}`, point);
    return { recorded: true, point };
  };

  return {
    observe,
    range(query) {
      const points = options.store.range(query);
      return query.maxPoints === undefined ? points : downsample(points, query.maxPoints, query.from, query.to);
    },
    latest: (query) => options.store.latest(query),
    start() {
      if (timer !== null) return;
      // The regular point: without it a quiet market (no events) would leave gaps.
      timer = setTimer(
        () => {
          try {
            observe();
          } catch (e) {
            options.onError?.(e);
          }
        },
        Math.max(1_000, Math.floor(intervalMs / 4)),
      );
    },
    stop() {
      if (timer === null) return;
      clearTimer(timer);
      timer = null;
    },
  };
}

/** An in-memory store (tests, and the web host when no database is wired). */
export function createMemoryValuePointStore(): ValuePointStore & { readonly points: ValuePoint[] } {
  const points: ValuePoint[] = [];
  return {
    points,
    insert(p) {
      points.push(p);
    },
    range(q) {
      return points.filter((p) => p.environment === q.environment && p.quote === q.quote && p.at >= q.from && p.at <= q.to);
    },
    latest(q) {
      for (let i = points.length - 1; i >= 0; i--) {
        const p = points[i] as ValuePoint;
        if (p.environment === q.environment && p.quote === q.quote) return p;
      }
      return null;
    },
  };
}

/** The storage module's value_snapshots repository, as far as the recorder needs it. */
export interface ValueSnapshotRepositoryLike {
  record(snapshot: { ts: number; environment: EnvironmentId; quote: string; total: string }): void;
  range(query: {
    environment: EnvironmentId;
    quote: string;
    from: number;
    to: number;
    limit?: number;
  }): ReadonlyArray<{ ts: number; environment: EnvironmentId; quote: string; total: string }>;
  latest(environment: EnvironmentId, quote: string): { ts: number; environment: EnvironmentId; quote: string; total: string } | null;
}

/** Adapts the database repository (ts) to the recorder's store (at). */
export function valuePointStoreFromRepository(repo: ValueSnapshotRepositoryLike): ValuePointStore {
  const toPoint = (s: { ts: number; environment: EnvironmentId; quote: string; total: string }): ValuePoint => ({
    at: s.ts,
    environment: s.environment,
    quote: s.quote,
    total: s.total,
  });
  return {
    insert: (p) => repo.record({ ts: p.at, environment: p.environment, quote: p.quote, total: p.total }),
    range: (q) => repo.range({ environment: q.environment, quote: q.quote, from: q.from, to: q.to }).map(toPoint),
    latest: (q) => {
      const s = repo.latest(q.environment, q.quote);
      return s === null ? null : toPoint(s);
    },
  };
}

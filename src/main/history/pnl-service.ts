/**
 * Turns the stored history into the engine's input and the engine's result into what the views
 * show: the stored trades and transfers become events, daily klines become the historical price
 * function (the last close known at each moment, never a later one; a missing candle is a gap),
 * and the result is summarised per holding and per period.
 */
import { z } from 'zod';
import { Decimal } from '../../shared/money';
import type { PnlSummaryView } from '../../shared/domain/pnl';
import type { HistoryRepository } from '../storage/history-repository';
import {
  computePnl,
  dailyPnl,
  realizedBetween,
  type CostMethod,
  type DepositCost,
  type EventPriceAt,
  type HistoryEvent,
  type PnlResult,
  type PriceAt,
  type PriceSource,
} from './pnl-engine';
import type { SymbolPair } from './account-history-sync';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** [openTime, close, closeTime] of one daily candle. */
export type DailyCandle = readonly [number, string, number];

/**
 * Candles of a symbol from `startTime` on (oldest first); [] when the symbol does not exist.
 * `limit`: at most this many per request (1,000 when absent).
 */
export type FetchDaily = (symbol: string, startTime: number, limit?: number) => Promise<readonly DailyCandle[]>;

const klineSchema = z.array(z.tuple([z.number(), z.string(), z.string(), z.string(), z.string()]).rest(z.unknown()));

type KlineRest = {
  request<T>(r: {
    method: 'GET';
    path: string;
    security: 'NONE';
    weight: number;
    priority: 'optional';
    params: Record<string, string | number>;
    schema: z.ZodType<T>;
  }): Promise<T>;
};

/** GET /api/v3/klines, 1,000 candles per request (weight 2), at most `pages` requests. */
export function restCandleFetcher(rest: KlineRest, interval: '1d' | '1h' | '1m', pages: number): FetchDaily {
  const span = interval === '1d' ? DAY : interval === '1h' ? HOUR : MINUTE;
  return async (symbol, startTime, limit = 1000) => {
    const out: DailyCandle[] = [];
    let from = startTime;
    for (let i = 0; i < pages; i++) {
      const rows = await rest.request({
        method: 'GET',
        path: '/api/v3/klines',
        security: 'NONE',
        weight: 2,
        priority: 'optional',
        params: { symbol, interval, startTime: from, limit },
        schema: klineSchema,
      });
      for (const r of rows) out.push([r[0], r[4], r[0] + span - 1]);
      if (rows.length < limit) break;
      from = rows[rows.length - 1]![0] + span;
    }
    return out;
  };
}

/** Daily candles (1,000 days per request, five requests at most). */
export function restDailyFetcher(rest: KlineRest): FetchDaily {
  return restCandleFetcher(rest, '1d', 5);
}

/** Hourly candles of the last year (nine requests): where a minute's price is missing, the hour's is next best. */
export function restHourlyFetcher(rest: KlineRest): FetchDaily {
  return restCandleFetcher(rest, '1h', 10);
}

/** 1-minute candles: one request of up to 1,000 (about 16 hours) from `startTime`; the same weight for fewer. */
export function restMinuteFetcher(rest: KlineRest): FetchDaily {
  return restCandleFetcher(rest, '1m', 1);
}

/**
 * Where minute closes are kept between computations (the history database), so a recompute never
 * asks the exchange again: null is a minute known to have had no candle (the symbol was not
 * trading), which falls back to the hour, then the day.
 */
export interface MinuteCloseCache {
  get(symbol: string): ReadonlyMap<number, string | null>;
  put(symbol: string, rows: ReadonlyArray<{ readonly minute: number; readonly close: string | null }>): void;
}

/** A price needed at an event's time; with `unless`, only when that asset has no market (the engine's fallback). */
export interface MinuteNeed {
  readonly asset: string;
  readonly time: number;
  readonly unless?: string;
}

export interface MinuteLoadResult {
  /** klines requests sent (weight 2 each). */
  readonly requests: number;
  /** Minutes still without a stored answer (budget spent, a request failed, or the minute is not over yet). */
  readonly pending: number;
}

export interface PriceBook {
  priceAt: PriceAt;
  /** The price at an event's time: its minute's close where known, else its hour's, else its day's. */
  eventPriceAt: EventPriceAt;
  /** The asset has a market to price it by (after load). */
  covers(asset: string): boolean;
  /** Loads the candles the assets need (direct pair, inverse pair, or through BTC). */
  load(assets: Iterable<string>, since: number): Promise<void>;
  /**
   * Loads the 1-minute closes at the events' times (after `load` for their assets): from the cache,
   * else one klines request per symbol and window of 1,000 minutes that holds needed minutes, at
   * most `maxRequests` of them; what is fetched is stored in the cache. A failed request (weight
   * budget spent, network) ends the loading: the rest is valued at the hour or the day until a
   * later computation fetches it.
   */
  loadMinutes(needs: Iterable<MinuteNeed>, o: { readonly now: number; readonly maxRequests: number }): Promise<MinuteLoadResult>;
}

export function createPriceBook(o: {
  quote: string;
  symbols: () => readonly SymbolPair[];
  fetchDaily: FetchDaily;
  /** Hourly candles for the recent past (`hourlySince`), preferred where they exist. */
  fetchHourly?: FetchDaily;
  hourlySince?: number;
  /** 1-minute candles and where to keep them: prices at events' times. */
  fetchMinute?: FetchDaily;
  minuteCache?: MinuteCloseCache;
}): PriceBook {
  const candles = new Map<string, readonly DailyCandle[]>();
  const hourly = new Map<string, readonly DailyCandle[]>();
  const minutes = new Map<string, ReadonlyMap<number, string | null>>();
  const routes = new Map<string, Array<{ symbol: string; invert: boolean }>>();
  const has = (s: string): boolean => o.symbols().some((x) => x.symbol === s);
  const route = (asset: string): Array<{ symbol: string; invert: boolean }> | null => {
    if (has(asset + o.quote)) return [{ symbol: asset + o.quote, invert: false }];
    if (has(o.quote + asset)) return [{ symbol: o.quote + asset, invert: true }];
    if (asset !== 'BTC' && has(`${asset}BTC`) && has(`BTC${o.quote}`))
      return [
        { symbol: `${asset}BTC`, invert: false },
        { symbol: `BTC${o.quote}`, invert: false },
      ];
    return null;
  };
  const closeAt = (symbol: string, time: number): { close: Decimal; source: 'hour' | 'day' } | undefined => {
    const fine = hourly.get(symbol);
    if (fine && fine.length > 1 && time >= fine[1]![0]) {
      const c = closeIn(fine, time);
      return c === undefined ? undefined : { close: c, source: 'hour' };
    }
    const c = closeIn(candles.get(symbol), time);
    return c === undefined ? undefined : { close: c, source: 'day' };
  };
  const closeIn = (list: readonly DailyCandle[] | undefined, time: number): Decimal | undefined => {
    if (!list || list.length === 0) return undefined;
    // The last close known at `time`: the candle that closed before it, or the running candle's latest.
    let lo = 0;
    let hi = list.length - 1;
    if (time < list[0]![0]) return undefined;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (list[mid]![0] <= time) lo = mid;
      else hi = mid - 1;
    }
    const c = list[lo]!;
    if (lo === list.length - 1 || time >= c[2]) return new Decimal(c[1]);
    return lo > 0 ? new Decimal(list[lo - 1]![1]) : undefined;
  };
  const cached = (symbol: string): ReadonlyMap<number, string | null> => {
    let m = minutes.get(symbol);
    if (!m) {
      m = o.minuteCache?.get(symbol) ?? new Map<number, string | null>();
      minutes.set(symbol, m);
    }
    return m;
  };
  const RANK = { minute: 0, hour: 1, day: 2 } as const;
  // An asset counts as covered only once its candles are in: a second computation asking while the
  // first is still fetching waits for the same fetch (else it would price the asset at nothing and
  // draw a gap where prices exist).
  const loading = new Map<string, Promise<void>>();
  const loadAsset = async (asset: string, r: Array<{ symbol: string; invert: boolean }>, since: number): Promise<void> => {
    for (const leg of r) {
      if (!candles.has(leg.symbol)) candles.set(leg.symbol, await o.fetchDaily(leg.symbol, since - DAY));
      if (o.fetchHourly && !hourly.has(leg.symbol))
        hourly.set(leg.symbol, await o.fetchHourly(leg.symbol, Math.max(since, o.hourlySince ?? since) - HOUR));
    }
    routes.set(asset, r);
  };
  return {
    async load(assets, since) {
      for (const asset of assets) {
        if (asset === o.quote || routes.has(asset)) continue;
        let pending = loading.get(asset);
        if (pending === undefined) {
          const r = route(asset);
          if (!r) continue;
          pending = loadAsset(asset, r, since).finally(() => loading.delete(asset));
          loading.set(asset, pending);
        }
        await pending;
      }
    },
    async loadMinutes(needs, lo) {
      const want = new Map<string, Set<number>>();
      for (const n of needs) {
        if (n.unless !== undefined && routes.has(n.unless)) continue;
        for (const leg of routes.get(n.asset) ?? []) {
          let set = want.get(leg.symbol);
          if (!set) want.set(leg.symbol, (set = new Set()));
          set.add(Math.floor(n.time / MINUTE) * MINUTE);
        }
      }
      let requests = 0;
      let pending = 0;
      let stop = !o.fetchMinute;
      for (const [symbol, set] of [...want].sort(([a], [b]) => (a < b ? -1 : 1))) {
        const known = cached(symbol);
        const missing = [...set].filter((m) => !known.has(m)).sort((a, b) => a - b);
        const merged = new Map(known);
        const stored: Array<{ minute: number; close: string | null }> = [];
        let i = 0;
        while (i < missing.length) {
          if (stop || requests >= lo.maxRequests) {
            pending += missing.length - i;
            break;
          }
          // One request covers the 1,000 minutes from the earliest missing one: every needed minute in
          // them. It asks only up to the last of those (the weight is the same, the reply shorter).
          const start = missing[i]!;
          let j = i;
          while (j < missing.length && missing[j]! < start + 1000 * MINUTE) j++;
          const limit = (missing[j - 1]! - start) / MINUTE + 1;
          let rows: readonly DailyCandle[];
          try {
            requests += 1;
            rows = await o.fetchMinute!(symbol, start, limit);
          } catch {
            stop = true;
            continue;
          }
          const byOpen = new Map(rows.map((r) => [r[0], r[1]]));
          const lastOpen = rows.at(-1)?.[0] ?? -Infinity;
          for (const m of missing.slice(i, j)) {
            // Only a finished minute is stored: the running one's close still moves.
            if (m + MINUTE > lo.now) {
              pending += 1;
              continue;
            }
            const close = byOpen.get(m);
            if (close !== undefined) stored.push({ minute: m, close });
            else if (rows.length < limit || m <= lastOpen) stored.push({ minute: m, close: null });
            else pending += 1;
          }
          i = j;
        }
        if (stored.length > 0) {
          for (const r of stored) merged.set(r.minute, r.close);
          minutes.set(symbol, merged);
          o.minuteCache?.put(symbol, stored);
        }
      }
      return { requests, pending };
    },
    covers: (asset) => asset === o.quote || routes.has(asset),
    priceAt(asset, time) {
      if (asset === o.quote) return new Decimal(1);
      const r = routes.get(asset);
      if (!r) return undefined;
      let p = new Decimal(1);
      for (const leg of r) {
        const c = closeAt(leg.symbol, time);
        if (c === undefined || c.close.isZero()) return undefined;
        p = leg.invert ? p.div(c.close) : p.mul(c.close);
      }
      return p;
    },
    eventPriceAt(asset, time) {
      if (asset === o.quote) return { price: new Decimal(1), source: 'minute' };
      const r = routes.get(asset);
      if (!r) return undefined;
      const minute = Math.floor(time / MINUTE) * MINUTE;
      let p = new Decimal(1);
      let source: PriceSource = 'minute';
      for (const leg of r) {
        // The close of the minute the event happened in (a 1-minute candle); else the hour's, the day's.
        const m = minutes.get(leg.symbol)?.get(minute);
        let close: Decimal | undefined = m ? new Decimal(m) : undefined;
        if (close === undefined || close.isZero()) {
          const c = closeAt(leg.symbol, time);
          if (c === undefined) return undefined;
          close = c.close;
          if (RANK[c.source] > RANK[source]) source = c.source;
        }
        if (close.isZero()) return undefined;
        p = leg.invert ? p.div(close) : p.mul(close);
      }
      return { price: p, source };
    },
  };
}

/**
 * The (asset, time) pairs the engine will value at an event's time (see computePnl): a fee in an
 * asset other than the one bought, a trade or conversion with no side in the valuation currency,
 * a deposit of unentered cost, a withdrawal. What loadMinutes should fetch, before the engine runs.
 */
export function eventValuations(events: readonly HistoryEvent[], quote: string): MinuteNeed[] {
  const out: MinuteNeed[] = [];
  const need = (asset: string, time: number, unless?: string): void => {
    if (asset !== quote) out.push(unless === undefined ? { asset, time } : { asset, time, unless });
  };
  for (const e of events) {
    if (e.kind === 'trade') {
      const bought = e.side === 'BUY' ? e.base : e.quote;
      const sold = e.side === 'BUY' ? e.quote : e.base;
      if (e.base !== quote && e.quote !== quote) {
        // The engine values what was sold, and what was bought only when the sold asset has no price.
        need(sold, e.time);
        need(bought, e.time, sold);
      }
      // Number() only tells zero from not zero here (exact for that); no Decimal per trade.
      if (e.feeAsset !== bought && Number(e.fee) !== 0) need(e.feeAsset, e.time);
    } else if (e.kind === 'convert') {
      if (e.from !== quote && e.to !== quote) {
        need(e.from, e.time);
        need(e.to, e.time, e.from);
      }
    } else if (e.kind === 'withdrawal') need(e.asset, e.time);
    else if (e.cost?.kind !== 'entered') need(e.asset, e.time);
  }
  return out;
}

/** The stored history as engine events. Deposit costs the user chose are applied by id. */
export function historyEvents(
  repo: HistoryRepository,
  environment: string,
  symbols: readonly SymbolPair[],
  costs: Readonly<Record<string, DepositCost>> = {},
): HistoryEvent[] {
  const bySymbol = new Map(symbols.map((s) => [s.symbol, s]));
  const events: HistoryEvent[] = [];
  for (const t of repo.trades(environment)) {
    const info = bySymbol.get(t.symbol);
    if (!info) continue;
    events.push({
      kind: 'trade',
      id: t.tradeId,
      time: t.time,
      symbol: t.symbol,
      base: info.baseAsset,
      quote: info.quoteAsset,
      side: t.isBuyer ? 'BUY' : 'SELL',
      qty: t.qty,
      quoteQty: t.quoteQty,
      fee: t.commission,
      feeAsset: t.commissionAsset || info.quoteAsset,
    });
  }
  for (const x of repo.transfers(environment)) {
    if (x.kind === 'deposit') {
      const cost = costs[x.id];
      events.push({ kind: 'deposit', id: x.id, time: x.time, asset: x.asset, amount: x.amount, ...(cost ? { cost } : {}) });
    } else if (x.kind === 'withdrawal')
      events.push({ kind: 'withdrawal', id: x.id, time: x.time, asset: x.asset, amount: x.amount, fee: x.fee });
    else
      events.push({
        kind: 'convert',
        id: x.id,
        time: x.time,
        from: x.asset,
        fromAmount: x.amount,
        to: x.toAsset ?? 'BNB',
        toAmount: x.toAmount ?? '0',
        fee: x.fee,
      });
  }
  return events;
}

/** Day ends (UTC) from the first event's day to now, and now itself. */
export function dailySampleTimes(first: number, now: number): number[] {
  const out: number[] = [];
  for (let t = Math.floor(first / DAY) * DAY + DAY - 1; t < now; t += DAY) out.push(t);
  out.push(now);
  return out;
}

const s = (d: Decimal): string => (d.isZero() ? '0' : d.toFixed());
const s8 = (d: Decimal): string => {
  const r = d.toDecimalPlaces(8, Decimal.ROUND_HALF_EVEN);
  return r.isZero() ? '0' : r.toFixed();
};

/** What the P&L view shows (amounts rounded to 8 decimals for display; the engine keeps them exact). */
export function summarise(
  r: PnlResult,
  o: { asOf: number; firstEventAt: number | null; tradeCount: number; coveredSymbols: readonly string[]; minutesPending?: number },
): PnlSummaryView {
  const periods: Array<[string, number]> = [
    ['24 h', DAY],
    ['7 d', 7 * DAY],
    ['30 d', 30 * DAY],
    ['90 d', 90 * DAY],
    ['1 y', 365 * DAY],
    ['All', Infinity],
  ];
  const pnlAt = (t: number): Decimal | null => {
    // The sample at or just before t (samples are day ends and now); before the first event nothing
    // was invested and nothing gained, so a period longer than the history starts from zero.
    const firstSample = r.samples[0];
    if (firstSample === undefined || o.firstEventAt === null || t < o.firstEventAt) return new Decimal(0);
    let found: Decimal | null = null;
    for (const x of r.samples) if (x.time <= t) found = x.pnl;
    return found;
  };
  const nowPnl = r.samples.at(-1)?.pnl ?? null;
  return {
    quote: r.quote,
    method: r.method,
    asOf: o.asOf,
    value: s8(r.value),
    valueComplete: r.valueComplete,
    realized: s8(r.realized),
    unrealized: s8(r.unrealized),
    deposits: s8(r.deposits),
    withdrawals: s8(r.withdrawals),
    netInvested: s8(r.netInvested),
    totalReturn: s8(r.totalReturn),
    assumedDepositCost: s8(r.assumedDepositCost),
    firstEventAt: o.firstEventAt,
    tradeCount: o.tradeCount,
    holdings: r.holdings.map((h) => ({
      asset: h.asset,
      qty: s(h.qty),
      costBasis: s8(h.costBasis),
      averageCost: h.averageCost ? s8(h.averageCost) : null,
      price: h.price ? s(h.price) : null,
      value: h.value ? s8(h.value) : null,
      unrealized: h.unrealized ? s8(h.unrealized) : null,
      unrealizedPct: h.unrealizedPct ? h.unrealizedPct.toFixed(2) : null,
      realized: s8(h.realized),
      costAssumed: h.costAssumed,
      missingHistory: h.missingHistory,
    })),
    periods: periods.map(([label, span]) => {
      const from = span === Infinity ? 0 : o.asOf - span;
      const before = span === Infinity ? new Decimal(0) : pnlAt(from);
      return {
        label,
        realized: s8(realizedBetween(r.disposals, from, o.asOf + 1).total),
        pnl: nowPnl !== null && before !== null ? s8(nowPnl.minus(before)) : null,
      };
    }),
    coveredSymbols: [...o.coveredSymbols],
    issues: r.issues.length,
    priceSources: { ...r.priceSources, pending: o.minutesPending ?? 0 },
  };
}

export interface PnlComputation {
  readonly result: PnlResult;
  readonly summary: PnlSummaryView;
  readonly daily: ReturnType<typeof dailyPnl>;
}

/** Loads prices and runs the engine over the stored history. */
export async function computeAccountPnl(o: {
  repo: HistoryRepository;
  environment: string;
  symbols: readonly SymbolPair[];
  quote: string;
  method: CostMethod;
  now: number;
  prices: PriceBook;
  coveredSymbols: readonly string[];
  costs?: Readonly<Record<string, DepositCost>>;
  /** klines requests for minute prices one computation may send (weight 2 each); the rest wait for the next. */
  maxMinuteRequests?: number;
}): Promise<PnlComputation> {
  const events = historyEvents(o.repo, o.environment, o.symbols, o.costs);
  const first = events.reduce<number | null>((m, e) => (m === null || e.time < m ? e.time : m), null);
  const assets = new Set<string>();
  for (const e of events) {
    if (e.kind === 'trade') assets.add(e.base).add(e.quote).add(e.feeAsset);
    else if (e.kind === 'convert') assets.add(e.from).add(e.to);
    else assets.add(e.asset);
  }
  await o.prices.load(assets, first ?? o.now);
  // Prices at the events' minutes: from the cache, the rest fetched within this computation's budget.
  const minutes = await o.prices.loadMinutes(eventValuations(events, o.quote), { now: o.now, maxRequests: o.maxMinuteRequests ?? 150 });
  const result = computePnl({
    quote: o.quote,
    method: o.method,
    events,
    priceAt: o.prices.priceAt,
    eventPriceAt: o.prices.eventPriceAt,
    asOf: o.now,
    hasPriceSource: o.prices.covers,
    sampleTimes: first === null ? [o.now] : dailySampleTimes(first, o.now),
  });
  const summary = summarise(result, {
    asOf: o.now,
    firstEventAt: first,
    tradeCount: events.filter((e) => e.kind === 'trade').length,
    coveredSymbols: o.coveredSymbols,
    minutesPending: minutes.pending,
  });
  return { result, summary, daily: dailyPnl(result.samples) };
}

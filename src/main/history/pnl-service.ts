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
  type HistoryEvent,
  type PnlResult,
  type PriceAt,
} from './pnl-engine';
import type { SymbolPair } from './account-history-sync';

const DAY = 86_400_000;
/** [openTime, close, closeTime] of one daily candle. */
export type DailyCandle = readonly [number, string, number];

/** Daily candles of a symbol from `startTime` on (oldest first); [] when the symbol does not exist. */
export type FetchDaily = (symbol: string, startTime: number) => Promise<readonly DailyCandle[]>;

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
export function restCandleFetcher(rest: KlineRest, interval: '1d' | '1h', pages: number): FetchDaily {
  const span = interval === '1d' ? DAY : 3_600_000;
  return async (symbol, startTime) => {
    const out: DailyCandle[] = [];
    let from = startTime;
    for (let i = 0; i < pages; i++) {
      const rows = await rest.request({
        method: 'GET',
        path: '/api/v3/klines',
        security: 'NONE',
        weight: 2,
        priority: 'optional',
        params: { symbol, interval, startTime: from, limit: 1000 },
        schema: klineSchema,
      });
      for (const r of rows) out.push([r[0], r[4], r[0] + span - 1]);
      if (rows.length < 1000) break;
      from = rows[rows.length - 1]![0] + span;
    }
    return out;
  };
}

/** Daily candles (1,000 days per request, five requests at most). */
export function restDailyFetcher(rest: KlineRest): FetchDaily {
  return restCandleFetcher(rest, '1d', 5);
}

/** Hourly candles of the last year (nine requests): a trade's fee is valued at its hour, not its day. */
export function restHourlyFetcher(rest: KlineRest): FetchDaily {
  return restCandleFetcher(rest, '1h', 10);
}

export interface PriceBook {
  priceAt: PriceAt;
  /** The asset has a market to price it by (after load). */
  covers(asset: string): boolean;
  /** Loads the candles the assets need (direct pair, inverse pair, or through BTC). */
  load(assets: Iterable<string>, since: number): Promise<void>;
}

export function createPriceBook(o: {
  quote: string;
  symbols: () => readonly SymbolPair[];
  fetchDaily: FetchDaily;
  /** Hourly candles for the recent past (`hourlySince`), preferred where they exist. */
  fetchHourly?: FetchDaily;
  hourlySince?: number;
}): PriceBook {
  const candles = new Map<string, readonly DailyCandle[]>();
  const hourly = new Map<string, readonly DailyCandle[]>();
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
  const closeAt = (symbol: string, time: number): Decimal | undefined => {
    const fine = hourly.get(symbol);
    if (fine && fine.length > 1 && time >= fine[1]![0]) return closeIn(fine, time);
    return closeIn(candles.get(symbol), time);
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
  // An asset counts as covered only once its candles are in: a second computation asking while the
  // first is still fetching waits for the same fetch (else it would price the asset at nothing and
  // draw a gap where prices exist).
  const loading = new Map<string, Promise<void>>();
  const loadAsset = async (asset: string, r: Array<{ symbol: string; invert: boolean }>, since: number): Promise<void> => {
    for (const leg of r) {
      if (!candles.has(leg.symbol)) candles.set(leg.symbol, await o.fetchDaily(leg.symbol, since - DAY));
      if (o.fetchHourly && !hourly.has(leg.symbol))
        hourly.set(leg.symbol, await o.fetchHourly(leg.symbol, Math.max(since, o.hourlySince ?? since) - 3_600_000));
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
    covers: (asset) => asset === o.quote || routes.has(asset),
    priceAt(asset, time) {
      if (asset === o.quote) return new Decimal(1);
      const r = routes.get(asset);
      if (!r) return undefined;
      let p = new Decimal(1);
      for (const leg of r) {
        const c = closeAt(leg.symbol, time);
        if (c === undefined || c.isZero()) return undefined;
        p = leg.invert ? p.div(c) : p.mul(c);
      }
      return p;
    },
  };
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
  o: { asOf: number; firstEventAt: number | null; tradeCount: number; coveredSymbols: readonly string[] },
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
  const result = computePnl({
    quote: o.quote,
    method: o.method,
    events,
    priceAt: o.prices.priceAt,
    asOf: o.now,
    hasPriceSource: o.prices.covers,
    sampleTimes: first === null ? [o.now] : dailySampleTimes(first, o.now),
  });
  const summary = summarise(result, {
    asOf: o.now,
    firstEventAt: first,
    tradeCount: events.filter((e) => e.kind === 'trade').length,
    coveredSymbols: o.coveredSymbols,
  });
  return { result, summary, daily: dailyPnl(result.samples) };
}

// Over 500 lines on purpose: every view of a price (last, klines, tickers, average, book) reads the same market-time mapping and caches.
/**
 * The market model: every symbol's price follows its deterministic path (price-path.ts) in
 * "market time", which runs `speed` times faster than the server clock from the moment the model
 * is created (before that, market time is clock time, so history is ordinary). Everything a
 * client can see - last price, klines, 24 h tickers, average price, the book - is a pure function
 * of the clock time asked about, the seed and the test knobs (setPrice offsets, halts), so closed
 * candles never change and nothing but caches is stored.
 */
import type { BookTicker, Kline, MarketModel, SymbolStatus, Ticker24h } from '../types';
import type { SimClock } from '../clock';
import { hash32 } from '../rng';
import { buildCatalogue, type MarketSymbol } from './symbols';
import { createPricePath, mix32, newAgg, unit, type PricePath, type RawAgg } from './price-path';
import { bucketEnd, bucketStart, isKlineInterval } from './intervals';
import { decimalsOfSize, fixed8, formatUnits } from './format';

const MIN = 60_000;
const DAY = 86_400_000;
/** Levels near the top of the book whose quantities change every second. */
const BUSY_LEVELS = 20;

export interface KlineQuery {
  startTime?: number;
  endTime?: number;
  limit: number;
  /** Bucket candles in this timezone offset (the `timeZone` parameter); times stay UTC. */
  timeZoneMs?: number;
}

/** The model createMarket returns: MarketModel plus what the routes and streams use. */
export interface SimMarket extends MarketModel {
  symbols(): readonly MarketSymbol[];
  symbol(symbol: string): MarketSymbol | undefined;
  klines(symbol: string, interval: string, opts: KlineQuery): Kline[];
  /** Epoch ms of the symbol's first candle (at least a year ago). */
  listingTime(symbol: string): number;
  /** Id of the symbol's latest trade, -1 before the first. */
  lastTradeId(symbol: string): number;
  /** The MINI 24 h ticker (no book fields): what miniTicker streams carry, cheaper than ticker24h. */
  miniTicker24h(symbol: string): MiniTicker24h;
  /** Runs one market step now (what the timer does every stepMs). */
  step(): void;
  /**
   * Statistics of the window [openTime, now] (rolling-window and trading-day tickers); the reply's
   * closeTime is `closeTime` (default now).
   */
  windowTicker(symbol: string, openTime: number, closeTime?: number): WindowTicker;
  /** What market/trades.ts needs to derive the public trade tape from the price path. */
  tapeSource(symbol: string): TapeSource;
}

export type WindowTicker = Omit<Ticker24h, 'prevClosePrice' | 'lastQty' | 'bidPrice' | 'bidQty' | 'askPrice' | 'askQty'>;

/** A symbol's price path seen second by second, for the public trade tape. */
export interface TapeSource {
  readonly seed: number;
  readonly listingSec: number;
  /** Market second now (trades of earlier seconds are public). */
  nowSec(): number;
  /** Synthetic trades before market second `sec` (ids 0..n-1 in time order). */
  tradesBefore(sec: number): number;
  /** Market second of the first trade after `tradeCount` trades (binary search). */
  secondOfTrade(index: number): number;
  /** Log price at the boundary of market second `sec`. */
  logAt(sec: number): number;
  fmtPrice(logPrice: number): string;
  /** A quantity of `steps` step sizes, formatted. */
  fmtSteps(steps: number): string;
  /** Typical trade size in steps. */
  readonly tradeSteps: number;
  /** Server clock time (epoch ms) at which market time reached `tauMs`. */
  clockMsAt(tauMs: number): number;
  /** Market time (ms) at server clock time `t`. */
  tauMsAt(t: number): number;
}

export type MiniTicker24h = Pick<
  Ticker24h,
  | 'symbol'
  | 'openPrice'
  | 'highPrice'
  | 'lowPrice'
  | 'lastPrice'
  | 'volume'
  | 'quoteVolume'
  | 'openTime'
  | 'closeTime'
  | 'firstId'
  | 'lastId'
  | 'count'
>;

interface Segment {
  readonly t: number;
  readonly tau: number;
  readonly rate: number;
}
interface Offset {
  readonly sec: number;
  readonly off: number;
}

interface SymState {
  readonly info: MarketSymbol;
  readonly seed: number;
  readonly path: PricePath;
  shift: number;
  readonly listingSec: number;
  readonly tick: number;
  readonly tickUnit: number;
  readonly tickDec: number;
  readonly step: number;
  readonly stepUnit: number;
  readonly stepDec: number;
  readonly levelBase: number;
  readonly tradeQty: number;
  offsets: Offset[];
  segs: Segment[] | null;
  setCount: number;
  prevSec: number;
  prevPrice: string;
  prevTrades: number;
}

function sizeUnits(size: string): { value: number; unit: number; dec: number } {
  const dec = decimalsOfSize(size);
  const value = Number(size);
  return { value, unit: Math.round(value * 10 ** dec), dec };
}

export function createMarket(opts: { clock: SimClock; seed: number; speed: number; symbolCount?: number; stepMs?: number }): SimMarket {
  const { clock } = opts;
  const speed = opts.speed > 0 ? opts.speed : 1;
  const stepMs = opts.stepMs ?? 1000;
  const startedAt = clock.now();
  const anchorDay = Math.floor(startedAt / DAY);
  const globalSegs: Segment[] = [
    { t: -8.64e15, tau: -8.64e15, rate: 1 },
    { t: startedAt, tau: startedAt, rate: speed },
  ];

  const catalogue = buildCatalogue(opts.symbolCount ?? 0);
  const states = new Map<string, SymState>();
  const order: SymState[] = [];

  const tauMs = (st: SymState, t: number): number => {
    const segs = st.segs ?? globalSegs;
    for (let i = segs.length - 1; i >= 0; i--) {
      const s = segs[i]!;
      if (s.t <= t) return s.tau + (t - s.t) * s.rate;
    }
    return t;
  };
  const tauSec = (st: SymState, t: number): number => Math.floor(tauMs(st, t) / 1000);
  const offAt = (st: SymState, sec: number): number => {
    const o = st.offsets;
    for (let i = o.length - 1; i >= 0; i--) if (o[i]!.sec <= sec) return o[i]!.off;
    return 0;
  };
  const logAt = (st: SymState, sec: number): number => st.path.valueAt(Math.max(sec, st.listingSec)) + st.shift + offAt(st, sec);
  const ticksOf = (st: SymState, logPrice: number): number => Math.max(1, Math.round(Math.exp(logPrice) / st.tick));
  const fmtTicks = (st: SymState, ticks: number): string => formatUnits(ticks * st.tickUnit, st.tickDec);
  const fmtPrice = (st: SymState, logPrice: number): string => fmtTicks(st, ticksOf(st, logPrice));
  const fmtQty = (st: SymState, qty: number): string => formatUnits(Math.round(qty / st.step) * st.stepUnit, st.stepDec);

  for (const info of catalogue) {
    const seed = mix32(opts.seed >>> 0, hash32(info.symbol), 0x5eed);
    const path = createPricePath({
      seed,
      annualVol: info.annualVol,
      baseVolPerMin: info.baseVolPerMin,
      tradesPerMin: info.tradesPerMin,
      anchorDay,
    });
    const listingDays = 400 + (seed % 330);
    const tick = sizeUnits(info.tickSize);
    const step = sizeUnits(info.stepSize);
    const st: SymState = {
      info,
      seed,
      path,
      shift: 0,
      listingSec: (anchorDay - listingDays) * 86400,
      tick: tick.value,
      tickUnit: tick.unit,
      tickDec: tick.dec,
      step: step.value,
      stepUnit: step.unit,
      stepDec: step.dec,
      levelBase: Math.max(step.value, info.baseVolPerMin / 15),
      tradeQty: Math.max(step.value, info.baseVolPerMin / Math.max(1, info.tradesPerMin)),
      offsets: [],
      segs: null,
      setCount: 0,
      prevSec: 0,
      prevPrice: '',
      prevTrades: 0,
    };
    const sec0 = Math.floor(startedAt / 1000);
    // Anchor the path so the market opens at the catalogue price.
    st.shift = Math.log(Number(info.initialPrice)) - path.valueAt(sec0);
    st.prevSec = sec0;
    st.prevPrice = fmtPrice(st, logAt(st, sec0));
    st.prevTrades = path.tradesBefore(sec0);
    states.set(info.symbol, st);
    order.push(st);
  }

  const need = (symbol: string): SymState => {
    const st = states.get(symbol);
    if (!st) throw new Error(`unknown symbol ${symbol}`);
    return st;
  };

  /** Aggregate market seconds [a, b]; `partial` = the range ends now (close is the live price). */
  const aggregate = (st: SymState, a0: number, b0: number, partial: boolean): RawAgg => {
    const a = Math.max(a0, st.listingSec);
    const b = Math.max(b0, a);
    const acc = newAgg();
    if (a === b) {
      const v = st.path.valueAt(a) + st.shift + offAt(st, partial ? a : a - 1);
      acc.o = acc.h = acc.l = acc.c = v;
      return acc;
    }
    let x = a;
    let off = offAt(st, a);
    for (const e of st.offsets) {
      if (e.sec > a && e.sec < b) {
        st.path.aggregate(x, e.sec, st.shift + off, acc);
        x = e.sec;
        off = e.off;
      }
    }
    st.path.aggregate(x, b, st.shift + off, acc);
    if (partial) {
      const c = st.path.valueAt(b) + st.shift + offAt(st, b);
      acc.c = c;
      if (c > acc.h) acc.h = c;
      if (c < acc.l) acc.l = c;
    }
    return acc;
  };

  const candle = (st: SymState, start: number, end: number, now: number): Kline => {
    const closed = end <= now;
    const a = Math.max(tauSec(st, start), st.listingSec);
    const b = Math.max(tauSec(st, closed ? end : now), a);
    const g = aggregate(st, a, b, !closed);
    const n = st.path.tradesBefore(b) - st.path.tradesBefore(a);
    return [
      start,
      fmtPrice(st, g.o),
      fmtPrice(st, g.h),
      fmtPrice(st, g.l),
      fmtPrice(st, g.c),
      fmtQty(st, g.v),
      end - 1,
      fixed8(g.q),
      n,
      fmtQty(st, g.tb),
      fixed8(g.tq),
      '0',
    ];
  };

  const bookTop = (st: SymState, sec: number): { bid: number; ask: number } => {
    const p = ticksOf(st, logAt(st, sec));
    const spread = st.info.spreadTicks;
    const k = Math.floor(unit(mix32(st.seed, 9, sec)) * (spread + 1));
    const bid = Math.max(1, p - k);
    return { bid, ask: bid + spread };
  };
  const levelExists = (st: SymState, x: number): boolean => (mix32(st.seed, 14, x) & 7) !== 0;
  const levelQty = (st: SymState, side: number, x: number, rank: number, sec: number): string => {
    let q = st.levelBase * (0.1 + 2.9 * unit(mix32(st.seed, 10 + side, x)));
    if (rank < BUSY_LEVELS) q *= 0.5 + unit(mix32(st.seed ^ x, 12 + side, sec));
    return formatUnits(Math.max(1, Math.round(q / st.step)) * st.stepUnit, st.stepDec);
  };
  const updateId = (st: SymState, sec: number): number => st.path.bookUpdatesBefore(sec) + st.setCount;

  const depthAt = (st: SymState, limit: number, now: number) => {
    const sec = tauSec(st, now);
    const { bid, ask } = bookTop(st, sec);
    const bids: [string, string][] = [];
    const asks: [string, string][] = [];
    for (let x = bid, rank = 0; bids.length < limit && x >= 1; x--) {
      if (rank === 0 || levelExists(st, x)) {
        bids.push([fmtTicks(st, x), levelQty(st, 0, x, rank, sec)]);
        rank++;
      }
    }
    for (let x = ask, rank = 0; asks.length < limit; x++) {
      if (rank === 0 || levelExists(st, x)) {
        asks.push([fmtTicks(st, x), levelQty(st, 1, x, rank, sec)]);
        rank++;
      }
    }
    return { lastUpdateId: updateId(st, sec), bids, asks };
  };

  /** The 24 h rolling window: from the first whole minute after now − 24 h up to now. */
  const window24 = (st: SymState, now: number) => windowAt(st, Math.ceil((now - DAY) / MIN) * MIN, now);
  const windowAt = (st: SymState, openTime: number, now: number) => {
    const a = Math.max(tauSec(st, openTime), st.listingSec);
    const b = Math.max(tauSec(st, now), a);
    const g = aggregate(st, a, b, true);
    const first = st.path.tradesBefore(a);
    const count = st.path.tradesBefore(b) - first;
    return { openTime, a, b, g, first, count, openTicks: ticksOf(st, g.o), lastTicks: ticksOf(st, g.c) };
  };

  const mini = (st: SymState, now: number): MiniTicker24h => {
    const { openTime, g, first, count, openTicks, lastTicks } = window24(st, now);
    return {
      symbol: st.info.symbol,
      openPrice: fmtTicks(st, openTicks),
      highPrice: fmtPrice(st, g.h),
      lowPrice: fmtPrice(st, g.l),
      lastPrice: fmtTicks(st, lastTicks),
      volume: fmtQty(st, g.v),
      quoteVolume: fixed8(g.q),
      openTime,
      closeTime: now,
      firstId: count > 0 ? first : -1,
      lastId: count > 0 ? first + count - 1 : -1,
      count,
    };
  };

  const ticker = (st: SymState, now: number): Ticker24h => {
    const { openTime, a, b, g, first, count, openTicks, lastTicks } = window24(st, now);
    const prevClose = st.path.valueAt(a) + st.shift + offAt(st, a - 1);
    const top = depthAt(st, 1, now);
    const qtyUnits = Math.max(1, Math.round((st.tradeQty * (0.2 + 1.6 * unit(mix32(st.seed, 15, b)))) / st.step));
    return {
      symbol: st.info.symbol,
      priceChange: fmtTicks(st, lastTicks - openTicks),
      priceChangePercent: (((lastTicks - openTicks) / openTicks) * 100).toFixed(3),
      weightedAvgPrice: g.v > 0 ? fixed8(g.q / g.v) : fmtTicks(st, lastTicks),
      prevClosePrice: fmtPrice(st, prevClose),
      lastPrice: fmtTicks(st, lastTicks),
      lastQty: formatUnits(qtyUnits * st.stepUnit, st.stepDec),
      bidPrice: top.bids[0]![0],
      bidQty: top.bids[0]![1],
      askPrice: top.asks[0]![0],
      askQty: top.asks[0]![1],
      openPrice: fmtTicks(st, openTicks),
      highPrice: fmtPrice(st, g.h),
      lowPrice: fmtPrice(st, g.l),
      volume: fmtQty(st, g.v),
      quoteVolume: fixed8(g.q),
      openTime,
      closeTime: now,
      firstId: count > 0 ? first : -1,
      lastId: count > 0 ? first + count - 1 : -1,
      count,
    };
  };

  const windowTicker = (st: SymState, openTime: number, now: number, closeTime: number): WindowTicker => {
    const { g, first, count, openTicks, lastTicks } = windowAt(st, openTime, now);
    return {
      symbol: st.info.symbol,
      priceChange: fmtTicks(st, lastTicks - openTicks),
      priceChangePercent: (((lastTicks - openTicks) / openTicks) * 100).toFixed(3),
      weightedAvgPrice: g.v > 0 ? fixed8(g.q / g.v) : fmtTicks(st, lastTicks),
      openPrice: fmtTicks(st, openTicks),
      highPrice: fmtPrice(st, g.h),
      lowPrice: fmtPrice(st, g.l),
      lastPrice: fmtTicks(st, lastTicks),
      volume: fmtQty(st, g.v),
      quoteVolume: fixed8(g.q),
      openTime,
      closeTime,
      firstId: count > 0 ? first : -1,
      lastId: count > 0 ? first + count - 1 : -1,
      count,
    };
  };

  /** Inverse of tauMs: the clock time at which the symbol's market time reached `tau`. */
  const clockMsAt = (st: SymState, tau: number): number => {
    const segs = st.segs ?? globalSegs;
    for (let i = segs.length - 1; i >= 0; i--) {
      const s = segs[i]!;
      if (s.tau <= tau) return s.rate > 0 ? s.t + (tau - s.tau) / s.rate : s.t;
    }
    return tau;
  };

  const tapeSource = (st: SymState): TapeSource => ({
    seed: st.seed,
    listingSec: st.listingSec,
    nowSec: () => tauSec(st, clock.now()),
    tradesBefore: (sec) => st.path.tradesBefore(Math.max(sec, st.listingSec)),
    secondOfTrade(index) {
      // The first second s with tradesBefore(s + 1) > index.
      let lo = st.listingSec;
      let hi = Math.max(lo, tauSec(st, clock.now()));
      while (lo < hi) {
        const mid = Math.floor((lo + hi) / 2);
        if (st.path.tradesBefore(mid + 1) > index) hi = mid;
        else lo = mid + 1;
      }
      return lo;
    },
    logAt: (sec) => logAt(st, sec),
    fmtPrice: (logPrice) => fmtPrice(st, logPrice),
    fmtSteps: (steps) => formatUnits(Math.max(1, Math.round(steps)) * st.stepUnit, st.stepDec),
    tradeSteps: Math.max(1, st.tradeQty / st.step),
    clockMsAt: (tau) => clockMsAt(st, tau),
    tauMsAt: (t) => tauMs(st, t),
  });

  const listeners = new Set<(changed: readonly string[]) => void>();
  const emit = (changed: readonly string[]): void => {
    for (const l of [...listeners]) {
      try {
        l(changed);
      } catch {
        // One failing listener (a closed connection server, a test) must not stop the market.
      }
    }
  };

  const step = (): void => {
    const now = clock.now();
    const changed: string[] = [];
    for (const st of order) {
      const sec = tauSec(st, now);
      if (sec === st.prevSec) continue;
      const price = fmtPrice(st, logAt(st, sec));
      const trades = st.path.tradesBefore(sec);
      if (price !== st.prevPrice || trades !== st.prevTrades) changed.push(st.info.symbol);
      st.prevSec = sec;
      st.prevPrice = price;
      st.prevTrades = trades;
    }
    emit(changed);
  };

  let timer: ReturnType<typeof setInterval> | undefined;

  return {
    symbols: () => catalogue,
    symbol: (symbol) => states.get(symbol)?.info,
    setStatus(symbol, status: SymbolStatus) {
      const st = need(symbol);
      const wasTrading = st.info.status === 'TRADING';
      st.info.status = status;
      const trading = status === 'TRADING';
      if (wasTrading !== trading) {
        // A market that does not trade stands still: its market time stops until it trades again.
        const now = clock.now();
        st.segs = [...(st.segs ?? globalSegs), { t: now, tau: tauMs(st, now), rate: trading ? speed : 0 }];
      }
    },
    lastPrice(symbol) {
      const st = need(symbol);
      return fmtPrice(st, logAt(st, tauSec(st, clock.now())));
    },
    bookTicker(symbol): BookTicker {
      const d = depthAt(need(symbol), 1, clock.now());
      return { bidPrice: d.bids[0]![0], bidQty: d.bids[0]![1], askPrice: d.asks[0]![0], askQty: d.asks[0]![1] };
    },
    ticker24h: (symbol) => ticker(need(symbol), clock.now()),
    avgPrice(symbol) {
      const st = need(symbol);
      const now = clock.now();
      const g = aggregate(st, tauSec(st, now - 5 * MIN), tauSec(st, now), true);
      return { mins: 5, price: g.v > 0 ? fixed8(g.q / g.v) : fmtPrice(st, g.c), closeTime: now };
    },
    klines(symbol, interval, q: KlineQuery): Kline[] {
      const st = states.get(symbol);
      if (!st || !isKlineInterval(interval)) return [];
      const now = clock.now();
      const tz = q.timeZoneMs ?? 0;
      const limit = Math.max(1, Math.min(1000, Math.floor(q.limit)));
      const listingMs = st.listingSec * 1000;
      const firstOpen = bucketStart(interval, listingMs, tz);
      const lastOpen = bucketStart(interval, now, tz);
      const starts: number[] = [];
      if (q.startTime !== undefined) {
        let s = bucketStart(interval, Math.max(q.startTime, firstOpen), tz);
        if (s < q.startTime) s = bucketEnd(interval, s, tz);
        const until = Math.min(lastOpen, q.endTime ?? Infinity);
        while (s <= until && starts.length < limit) {
          starts.push(s);
          s = bucketEnd(interval, s, tz);
        }
      } else {
        let s = q.endTime !== undefined ? bucketStart(interval, Math.min(q.endTime, now), tz) : lastOpen;
        while (s >= firstOpen && starts.length < limit) {
          starts.push(s);
          s = bucketStart(interval, s - 1, tz);
        }
        starts.reverse();
      }
      return starts.map((s) => candle(st, s, bucketEnd(interval, s, tz), now));
    },
    depth: (symbol, limit) => depthAt(need(symbol), Math.max(1, Math.min(5000, Math.floor(limit))), clock.now()),
    setPrice(symbol, price) {
      const st = need(symbol);
      const target = Number(price);
      if (!(target > 0) || !Number.isFinite(target)) throw new Error(`setPrice: bad price ${price}`);
      const now = clock.now();
      const sec = tauSec(st, now);
      const raw = st.path.valueAt(Math.max(sec, st.listingSec)) + st.shift;
      st.offsets = st.offsets.filter((e) => e.sec < sec);
      st.offsets.push({ sec, off: Math.log(target) - raw });
      st.setCount++;
      st.prevSec = sec;
      st.prevPrice = fmtPrice(st, logAt(st, sec));
      st.prevTrades = st.path.tradesBefore(sec);
      emit([symbol]);
    },
    onTick(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    start() {
      if (timer) return;
      timer = setInterval(step, stepMs);
      timer.unref?.();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
    listingTime: (symbol) => need(symbol).listingSec * 1000,
    lastTradeId(symbol) {
      const st = need(symbol);
      return st.path.tradesBefore(tauSec(st, clock.now())) - 1;
    },
    miniTicker24h: (symbol) => mini(need(symbol), clock.now()),
    step,
    windowTicker(symbol, openTime, closeTime) {
      const now = clock.now();
      return windowTicker(need(symbol), openTime, now, closeTime ?? now);
    },
    tapeSource: (symbol) => tapeSource(need(symbol)),
  };
}

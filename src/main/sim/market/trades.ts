/**
 * The public trade tape (GET /api/v3/trades, historicalTrades, aggTrades and their WebSocket API
 * twins), derived from the price path so it agrees with klines and tickers, with the accounts'
 * own fills spliced in where they happened.
 *
 * Synthetic trades: the price path says how many trades happened before each market second
 * (tradesBefore); the trades of second s are those in [tradesBefore(s), tradesBefore(s+1)). They
 * become public when second s is over, stamped with the clock time at which it ended (one taker
 * sweeping the book), prices walking from the path's value at s to its value at s+1, so the last
 * trade of a second is the price klines close at. Quantities and sides are seeded per trade, so the
 * same id always shows the same trade.
 *
 * Own fills are recorded when the engine fills an order. Each one is placed after the synthetic
 * trades that were public at that moment; ids are positions in this merged order, so an id never
 * changes once handed out. Aggregate trades are one per trade (a = f = l = the trade's id), as the
 * simulator's aggTrade stream sends them.
 */
import { mix32, unit } from './price-path';
import type { TapeSource } from './model';

export interface PublicTrade {
  readonly id: number;
  readonly price: string;
  readonly qty: string;
  readonly quoteQty: string;
  readonly time: number;
  readonly isBuyerMaker: boolean;
  readonly isBestMatch: true;
}

export interface AggTrade {
  readonly a: number;
  readonly p: string;
  readonly q: string;
  readonly f: number;
  readonly l: number;
  readonly T: number;
  readonly m: boolean;
  readonly M: true;
}

export interface OwnFill {
  readonly price: string;
  readonly qty: string;
  readonly quoteQty: string;
  readonly time: number;
  readonly isBuyerMaker: boolean;
}

interface RecordedFill extends OwnFill {
  /** Synthetic trades that were public when the fill happened (it comes right after them). */
  readonly syntheticBefore: number;
}

export interface TradeTape {
  /** The engine calls this for every fill of an account's order. */
  recordFill(symbol: string, fill: OwnFill): void;
  /** Id of the newest public trade, -1 when there is none. */
  lastId(symbol: string): number;
  /** The newest `limit` trades, oldest first. */
  recent(symbol: string, limit: number): PublicTrade[];
  /** Up to `limit` trades from id `fromId` on (inclusive), oldest first. */
  from(symbol: string, fromId: number, limit: number): PublicTrade[];
  /** Id of the first trade at or after `time` (lastId + 1 when none). */
  firstIdAtOrAfter(symbol: string, time: number): number;
}

/** Trades of one second walk the price from its start to its end value. */
function syntheticTrade(src: TapeSource, index: number): PublicTrade & { readonly sec: number } {
  const sec = src.secondOfTrade(index);
  const first = src.tradesBefore(sec);
  const n = Math.max(1, src.tradesBefore(sec + 1) - first);
  const i = index - first;
  const a = src.logAt(sec);
  const b = src.logAt(sec + 1);
  const price = src.fmtPrice(a + ((b - a) * (i + 1)) / n);
  const h = mix32(src.seed, 21, index);
  const qty = src.fmtSteps(src.tradeSteps * (0.2 + 1.6 * unit(h)));
  // A rising second is mostly takers buying (the buyer is not the maker), a falling one selling.
  const bias = b > a ? 0.3 : b < a ? 0.7 : 0.5;
  const isBuyerMaker = unit(mix32(src.seed, 22, index)) < bias;
  const time = Math.floor(src.clockMsAt((sec + 1) * 1000));
  return { id: index, price, qty, quoteQty: quoteOf(price, qty), time, isBuyerMaker, isBestMatch: true, sec };
}

/** price × qty with 8 decimals, exact in integer units (both have at most 8 decimals). */
export function quoteOf(price: string, qty: string): string {
  const units = (s: string): bigint => {
    const [int = '0', frac = ''] = s.split('.');
    return BigInt(int + frac.padEnd(8, '0').slice(0, 8));
  };
  const product = units(price) * units(qty);
  // product has 16 decimals; truncate to 8.
  const scaled = product / 100000000n;
  const str = scaled.toString().padStart(9, '0');
  return `${str.slice(0, -8)}.${str.slice(-8)}`;
}

export function createTradeTape(source: (symbol: string) => TapeSource): TradeTape {
  const own = new Map<string, RecordedFill[]>();
  const ownOf = (symbol: string): readonly RecordedFill[] => own.get(symbol) ?? [];

  /** Number of own fills placed before synthetic trade k. */
  const ownBefore = (fills: readonly RecordedFill[], k: number): number => {
    let lo = 0;
    let hi = fills.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (fills[mid]!.syntheticBefore <= k) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };

  const publicSynthetic = (src: TapeSource): number => src.tradesBefore(src.nowSec());
  const lastId = (symbol: string): number => publicSynthetic(source(symbol)) + ownOf(symbol).length - 1;

  const at = (src: TapeSource, fills: readonly RecordedFill[], id: number): PublicTrade => {
    // Own fill j has id syntheticBefore_j + j; otherwise the id is a synthetic trade's.
    let lo = 0;
    let hi = fills.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (fills[mid]!.syntheticBefore + mid < id) lo = mid + 1;
      else hi = mid;
    }
    const f = fills[lo];
    if (f !== undefined && f.syntheticBefore + lo === id) {
      return { id, price: f.price, qty: f.qty, quoteQty: f.quoteQty, time: f.time, isBuyerMaker: f.isBuyerMaker, isBestMatch: true };
    }
    const k = id - lo;
    const t = syntheticTrade(src, k);
    return { id, price: t.price, qty: t.qty, quoteQty: t.quoteQty, time: t.time, isBuyerMaker: t.isBuyerMaker, isBestMatch: true };
  };

  const range = (symbol: string, fromId: number, limit: number): PublicTrade[] => {
    const src = source(symbol);
    const fills = ownOf(symbol);
    const last = lastId(symbol);
    const out: PublicTrade[] = [];
    const first = src.tradesBefore(src.listingSec);
    for (let id = Math.max(first, fromId); id <= last && out.length < limit; id++) out.push(at(src, fills, id));
    return out;
  };

  return {
    recordFill(symbol, fill) {
      const src = source(symbol);
      let list = own.get(symbol);
      if (list === undefined) {
        list = [];
        own.set(symbol, list);
      }
      list.push({ ...fill, syntheticBefore: publicSynthetic(src) });
    },
    lastId,
    recent(symbol, limit) {
      const last = lastId(symbol);
      return range(symbol, last - limit + 1, limit);
    },
    from: range,
    firstIdAtOrAfter(symbol, time) {
      const src = source(symbol);
      const fills = ownOf(symbol);
      // Synthetic trades of second s are stamped when s ends: the first second ending at/after `time`.
      const sec = Math.max(src.listingSec, Math.ceil(src.tauMsAt(time) / 1000) - 1);
      const k = Math.min(src.tradesBefore(sec), publicSynthetic(src));
      let id = k + ownBefore(fills, k - 1);
      // Step back over trades (own fills stamped earlier, rounding) that are still at/after `time`.
      const first = src.tradesBefore(src.listingSec);
      while (id > first && at(src, fills, id - 1).time >= time) id--;
      const last = lastId(symbol);
      while (id <= last && at(src, fills, id).time < time) id++;
      return id;
    },
  };
}

export function toAggTrade(t: PublicTrade): AggTrade {
  return { a: t.id, p: t.price, q: t.qty, f: t.id, l: t.id, T: t.time, m: t.isBuyerMaker, M: true };
}

/**
 * Fees and cross-pair trades are valued at the trade's minute (1-minute candles), fetched in
 * batches and kept in the history database; where the minute is not available the hour's price
 * applies, then the day's, and the result says which.
 */
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { computeAccountPnl, createPriceBook, type DailyCandle, type FetchDaily } from '../../../src/main/history/pnl-service';
import { createHistoryRepository, type HistoryRepository, type TradeRow } from '../../../src/main/storage/history-repository';

const M = 60_000;
const H = 60 * M;
const D = 24 * H;
const symbols = [
  { symbol: 'BNBUSDT', baseAsset: 'BNB', quoteAsset: 'USDT' },
  { symbol: 'BTCUSDT', baseAsset: 'BTC', quoteAsset: 'USDT' },
  { symbol: 'ETHBTC', baseAsset: 'ETH', quoteAsset: 'BTC' },
  { symbol: 'ETHUSDT', baseAsset: 'ETH', quoteAsset: 'USDT' },
];

/** Daily closes: BNB 200, BTC 50,000, ETH 3,000 on every day. */
const daily: FetchDaily = async (symbol, start) => {
  const close = symbol === 'BNBUSDT' ? '200' : symbol === 'BTCUSDT' ? '50000' : symbol === 'ETHUSDT' ? '3000' : '0.06';
  const out: DailyCandle[] = [];
  for (let t = Math.max(0, Math.floor(start / D) * D); t < 10 * D; t += D) out.push([t, close, t + D - 1]);
  return out;
};
/** Hourly closes from day 2 on: BNB 300 + the hour of the day (so 04:00-04:59 closes at 304). */
const hourly: FetchDaily = async (symbol, start) => {
  const out: DailyCandle[] = [];
  for (let t = Math.max(2 * D, Math.floor(start / H) * H); t < 10 * D; t += H) {
    const close = symbol === 'BNBUSDT' ? String(300 + ((t / H) % 24)) : symbol === 'BTCUSDT' ? '60000' : '3100';
    out.push([t, close, t + H - 1]);
  }
  return out;
};

/** Minute candles: BNB's close at minute m is 312.34 at 05:30 on day 2, else 310; a gap for minutes in `missing`. */
function minuteFeed(missing: ReadonlySet<number> = new Set()) {
  const calls: Array<{ symbol: string; start: number; limit?: number }> = [];
  const fetch: FetchDaily = async (symbol, start, limit = 1000) => {
    calls.push({ symbol, start, limit });
    const out: DailyCandle[] = [];
    for (let t = start; out.length < limit && t < 10 * D; t += M) {
      if (missing.has(t)) continue;
      const close = symbol === 'BNBUSDT' ? (t === 2 * D + 5 * H + 30 * M ? '312.34' : '310') : symbol === 'BTCUSDT' ? '61000' : '3150';
      out.push([t, close, t + M - 1]);
    }
    return out;
  };
  return { fetch, calls };
}

const buyBtcWithBnbFee = (id: string, time: number, fee = '0.01'): TradeRow => ({
  symbol: 'BTCUSDT',
  tradeId: id,
  orderId: id,
  time,
  isBuyer: true,
  isMaker: false,
  price: '60000',
  qty: '0.01',
  quoteQty: '600',
  commission: fee,
  commissionAsset: 'BNB',
});

function repoWith(trades: TradeRow[]): HistoryRepository {
  const repo = createHistoryRepository(new DatabaseSync(':memory:'));
  repo.insertTransfers('env', [
    { kind: 'deposit', id: 'u', time: 1000, asset: 'USDT', amount: '10000', fee: '0', toAsset: null, toAmount: null },
    { kind: 'deposit', id: 'b', time: 1000, asset: 'BNB', amount: '1', fee: '0', toAsset: null, toAmount: null },
  ]);
  repo.insertTrades('env', trades);
  return repo;
}

async function run(repo: HistoryRepository, fetchMinute: FetchDaily | undefined, maxMinuteRequests?: number) {
  const prices = createPriceBook({
    quote: 'USDT',
    symbols: () => symbols,
    fetchDaily: daily,
    fetchHourly: hourly,
    hourlySince: 2 * D,
    ...(fetchMinute ? { fetchMinute } : {}),
    minuteCache: { get: (s) => repo.minuteCloses('env', s), put: (s, rows) => repo.putMinuteCloses('env', s, rows) },
  });
  return computeAccountPnl({
    repo,
    environment: 'env',
    symbols,
    quote: 'USDT',
    method: 'fifo',
    now: 9 * D,
    prices,
    coveredSymbols: ['BTCUSDT'],
    costs: { b: { kind: 'entered', total: '250' } },
    ...(maxMinuteRequests !== undefined ? { maxMinuteRequests } : {}),
  });
}

describe('prices at the trade’s minute', () => {
  const T = 2 * D + 5 * H + 30 * M + 20_000; // day 2, 05:30:20

  it('golden: a BNB fee is valued at the close of the trade’s minute (312.34), not the hour’s (304) nor the day’s (200)', async () => {
    const feed = minuteFeed();
    const { result, summary } = await run(repoWith([buyBtcWithBnbFee('1', T)]), feed.fetch);
    const fee = result.disposals.find((d) => d.kind === 'fee')!;
    // 0.01 BNB × 312.34 = 3.1234 (the hour would give 3.04, the day 2).
    expect(fee.proceeds.toString()).toBe('3.1234');
    expect(fee.priceSource).toBe('minute');
    // The fee is part of the BTC bought: 600 + 3.1234.
    expect(result.holdings.find((h) => h.asset === 'BTC')!.costBasis.toString()).toBe('603.1234');
    expect(summary.priceSources).toEqual({ minute: 1, hour: 0, day: 0, pending: 0 });
    // One request, for that one minute (the weight of a klines request does not depend on its length).
    expect(feed.calls).toEqual([{ symbol: 'BNBUSDT', start: 2 * D + 5 * H + 30 * M, limit: 1 }]);
  });

  it('a cross-pair trade (ETH bought with BTC) is valued at its minute: the disposal of BTC and the ETH’s cost', async () => {
    const feed = minuteFeed();
    const repo = repoWith([
      buyBtcWithBnbFee('1', T, '0'),
      { ...buyBtcWithBnbFee('2', T + 2 * H, '0'), symbol: 'ETHBTC', qty: '0.1', quoteQty: '0.005', price: '0.05', commissionAsset: 'ETH' },
    ]);
    const { result } = await run(repo, feed.fetch);
    const btcOut = result.disposals.find((d) => d.asset === 'BTC')!;
    // 0.005 BTC × 61,000 (the minute's BTCUSDT close) = 305; the hour would say 300.
    expect(btcOut.proceeds.toString()).toBe('305');
    expect(btcOut.priceSource).toBe('minute');
    expect(result.holdings.find((h) => h.asset === 'ETH')!.costBasis.toString()).toBe('305');
    // Only what the engine values is fetched: BTC's minute, not ETH's (its fallback), nor a zero fee's.
    expect(feed.calls.map((c) => c.symbol)).toEqual(['BTCUSDT']);
  });

  it('no minute candle then: the hour’s price, then the day’s, and the result says which', async () => {
    const minute = 2 * D + 5 * H + 30 * M;
    const early = 1 * D + 7 * H + 3 * M + 5_000; // before the hourly candles (day 1): the day's close applies
    const feed = minuteFeed(new Set([minute, Math.floor(early / M) * M]));
    const { result, summary } = await run(repoWith([buyBtcWithBnbFee('1', T), buyBtcWithBnbFee('2', early)]), feed.fetch);
    const fees = result.disposals.filter((d) => d.kind === 'fee');
    expect(fees.map((d) => [d.time, d.proceeds.toString(), d.priceSource])).toEqual([
      // Day 1: the close of day 0 (200) × 0.01.
      [early, '2', 'day'],
      // 05:30 on day 2: the close of the 04:00 hour (304) × 0.01.
      [T, '3.04', 'hour'],
    ]);
    expect(summary.priceSources).toEqual({ minute: 0, hour: 1, day: 1, pending: 0 });
  });

  it('batches: trades of a symbol within 1,000 minutes share one request; a recompute asks nothing (the history database keeps them)', async () => {
    const repo = repoWith([buyBtcWithBnbFee('1', T), buyBtcWithBnbFee('2', T + 3 * H), buyBtcWithBnbFee('3', T + 20 * H)]);
    const first = minuteFeed();
    const a = await run(repo, first.fetch);
    // 05:30 and 08:30 in one window of 1,000 minutes; 20 hours later is the next.
    expect(first.calls.map((c) => [c.start, c.limit])).toEqual([
      [2 * D + 5 * H + 30 * M, 181],
      [Math.floor((T + 20 * H) / M) * M, 1],
    ]);
    const again = minuteFeed();
    const b = await run(repo, again.fetch);
    expect(again.calls).toEqual([]);
    expect(b.result.disposals.map((d) => d.proceeds.toString())).toEqual(a.result.disposals.map((d) => d.proceeds.toString()));
    expect(b.summary.priceSources.minute).toBe(3);
  });

  it('a spent request budget leaves the rest at the hour for now (said as pending), and the next computation fetches them', async () => {
    const repo = repoWith([buyBtcWithBnbFee('1', T), buyBtcWithBnbFee('2', T + 20 * H)]);
    const feed = minuteFeed();
    const a = await run(repo, feed.fetch, 1);
    expect(a.summary.priceSources).toEqual({ minute: 1, hour: 1, day: 0, pending: 1 });
    const b = await run(repo, feed.fetch, 1);
    expect(b.summary.priceSources).toEqual({ minute: 2, hour: 0, day: 0, pending: 0 });
    expect(feed.calls).toHaveLength(2);
  });

  it('a failed request (weight budget, network) does not fail the computation: hour prices apply', async () => {
    const failing: FetchDaily = async () => {
      throw new Error('Perch is holding back optional requests');
    };
    const { result, summary } = await run(repoWith([buyBtcWithBnbFee('1', T)]), failing);
    expect(result.disposals.find((d) => d.kind === 'fee')!.proceeds.toString()).toBe('3.04');
    expect(summary.priceSources).toEqual({ minute: 0, hour: 1, day: 0, pending: 1 });
  });
});

import { describe, expect, it } from 'vitest';
import { createPriceBook, type DailyCandle } from '../../../src/main/history/pnl-service';

const H = 3_600_000;
const D = 24 * H;
const symbols = () => [
  { symbol: 'BNBUSDT', baseAsset: 'BNB', quoteAsset: 'USDT' },
  { symbol: 'ARDRBTC', baseAsset: 'ARDR', quoteAsset: 'BTC' },
  { symbol: 'BTCUSDT', baseAsset: 'BTC', quoteAsset: 'USDT' },
];

describe('price book', () => {
  it('the last close known at a time: hourly where there are hourly candles, daily before; never a later close', async () => {
    const daily = async (symbol: string): Promise<DailyCandle[]> =>
      symbol === 'BNBUSDT'
        ? [
            [0, '100', D - 1],
            [D, '200', 2 * D - 1],
            [2 * D, '300', 3 * D - 1],
          ]
        : [
            [0, '50000', D - 1],
            [D, '60000', 2 * D - 1],
            [2 * D, '70000', 3 * D - 1],
          ];
    const hourly = async (symbol: string, start: number): Promise<DailyCandle[]> => {
      const out: DailyCandle[] = [];
      for (let t = Math.max(start, 2 * D); t < 3 * D; t += H)
        out.push([t, String(symbol === 'BNBUSDT' ? 300 + (t - 2 * D) / H : 70000), t + H - 1]);
      return out;
    };
    const book = createPriceBook({ quote: 'USDT', symbols, fetchDaily: daily, fetchHourly: hourly, hourlySince: 2 * D });
    await book.load(['BNB', 'USDT', 'DUSTX'], 0);
    // Day 1 (only daily candles): the close of day 0.
    expect(book.priceAt('BNB', D + 5 * H)?.toString()).toBe('100');
    // Day 2, 05:30: the close of the 04:00 hour (hour index 4 -> 304), not the day's close.
    expect(book.priceAt('BNB', 2 * D + 5 * H + 30 * 60_000)?.toString()).toBe('304');
    // Before any candle: unknown.
    expect(book.priceAt('BNB', -1)).toBeUndefined();
    expect(book.priceAt('USDT', 5)?.toString()).toBe('1');
    expect(book.covers('DUSTX')).toBe(false);
    expect(book.priceAt('DUSTX', D)).toBeUndefined();
  });

  it('an asset traded only against BTC is priced through BTC', async () => {
    const daily = async (symbol: string): Promise<DailyCandle[]> =>
      symbol === 'ARDRBTC'
        ? [
            [0, '0.000001', D - 1],
            [D, '0.000002', 2 * D - 1],
            [2 * D, '0.000003', 3 * D - 1],
          ]
        : [
            [0, '50000', D - 1],
            [D, '60000', 2 * D - 1],
            [2 * D, '65000', 3 * D - 1],
          ];
    const book = createPriceBook({ quote: 'USDT', symbols, fetchDaily: daily });
    await book.load(['ARDR'], 0);
    // 0.000001 BTC × 50,000 USDT (day 0's closes), exactly.
    expect(book.priceAt('ARDR', D + H)?.toString()).toBe('0.05');
    // In the running (last) candle its close is the latest price: 0.000003 × 65,000.
    expect(book.priceAt('ARDR', 2 * D + H)?.toString()).toBe('0.195');
  });

  it('a second load while the first is still fetching waits for its candles (no price of nothing, no gap)', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const daily = async (): Promise<DailyCandle[]> => {
      await gate;
      return [[0, '100', D - 1]];
    };
    const book = createPriceBook({ quote: 'USDT', symbols, fetchDaily: daily });
    const first = book.load(['BNB'], 0);
    let secondDone = false;
    const second = book.load(['BNB'], 0).then(() => (secondDone = true));
    await new Promise((r) => setTimeout(r, 10));
    // Still fetching: the second computation has not gone on without BNB's prices.
    expect(secondDone).toBe(false);
    expect(book.covers('BNB')).toBe(false);
    release();
    await Promise.all([first, second]);
    expect(book.covers('BNB')).toBe(true);
    expect(book.priceAt('BNB', 2 * D)?.toString()).toBe('100');
  });
});

import Decimal from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { createClock, type SimClock } from '../../../src/main/sim/clock';
import { createMarket, type SimMarket } from '../../../src/main/sim/market/model';
import { KLINE_INTERVALS } from '../../../src/main/sim/market/intervals';
import { BRIDGE_ASSET, NO_MARKET_ASSET } from '../../../src/main/sim/market/symbols';
import type { Kline } from '../../../src/main/sim/types';

const T0 = Date.UTC(2026, 2, 10, 13, 27, 41, 250);
const DAY = 86_400_000;

function fakeClock(start = T0): { clock: SimClock; advance(ms: number): void } {
  let real = 1_000_000;
  const clock = createClock({ fixedAtMs: start, realNow: () => real });
  return {
    clock,
    advance: (ms) => {
      real += ms;
    },
  };
}

function market(seed = 7, speed = 1, symbolCount?: number): { m: SimMarket; advance(ms: number): void; clock: SimClock } {
  const { clock, advance } = fakeClock();
  const m = createMarket({ clock, seed, speed, ...(symbolCount !== undefined ? { symbolCount } : {}) });
  return { m, advance, clock };
}

const num = (s: string) => Number(s);

describe('market model: determinism', () => {
  it('same seed and clock give identical data; another seed differs', () => {
    const a = market(7).m;
    const b = market(7).m;
    const c = market(8).m;
    for (const sym of ['BTCUSDT', 'ETHBTC', 'SHIBUSDT']) {
      expect(a.klines(sym, '1h', { limit: 300 })).toEqual(b.klines(sym, '1h', { limit: 300 }));
      expect(a.ticker24h(sym)).toEqual(b.ticker24h(sym));
      expect(a.depth(sym, 50)).toEqual(b.depth(sym, 50));
    }
    expect(a.klines('BTCUSDT', '1h', { limit: 300 })).not.toEqual(c.klines('BTCUSDT', '1h', { limit: 300 }));
  });

  it('opens every symbol at its catalogue price', () => {
    const { m } = market(3);
    for (const s of m.symbols()) expect(new Decimal(m.lastPrice(s.symbol)).eq(s.initialPrice)).toBe(true);
  });
});

describe('market model: klines', () => {
  it('are contiguous in time and price, and the current candle closes at the last price', () => {
    const { m } = market();
    for (const interval of ['1s', '1m', '15m', '1h', '1d'] as const) {
      const k = m.klines('ETHUSDT', interval, { limit: 1000 });
      expect(k.length).toBeGreaterThan(100);
      for (let i = 1; i < k.length; i++) {
        expect(k[i]![0]).toBe(k[i - 1]![6] + 1);
        expect(k[i]![1]).toBe(k[i - 1]![4]);
      }
      const last = k[k.length - 1]!;
      expect(last[4]).toBe(m.lastPrice('ETHUSDT'));
      for (const c of k) {
        expect(num(c[2])).toBeGreaterThanOrEqual(Math.max(num(c[1]), num(c[4])));
        expect(num(c[3])).toBeLessThanOrEqual(Math.min(num(c[1]), num(c[4])));
      }
    }
  });

  it('never change once closed, while the open candle follows the market', () => {
    const { m, advance } = market();
    const before = m.klines('BTCUSDT', '1m', { limit: 30 });
    const lastOpen = before[before.length - 1]!;
    advance(5 * 60_000);
    const after = m.klines('BTCUSDT', '1m', { startTime: before[0]![0], limit: 30 });
    expect(after.slice(0, 29)).toEqual(before.slice(0, 29));
    // the candle that was open then is closed now: same open, trades until its end
    expect(after[29]![0]).toBe(lastOpen[0]);
    expect(after[29]![1]).toBe(lastOpen[1]);
    expect(after[29]![8]).toBeGreaterThanOrEqual(lastOpen[8]);
    expect(after[29]![6]).toBe(lastOpen[6]);
  });

  it('coarse candles are the aggregate of the finer ones', () => {
    const { m } = market();
    const [hour] = m.klines('SOLUSDT', '1h', { startTime: T0 - 10 * 3_600_000, limit: 1 }) as [Kline];
    const mins = m.klines('SOLUSDT', '1m', { startTime: hour[0], endTime: hour[6], limit: 1000 });
    expect(mins).toHaveLength(60);
    expect(mins[0]![1]).toBe(hour[1]);
    expect(mins[59]![4]).toBe(hour[4]);
    expect(Math.max(...mins.map((k) => num(k[2])))).toBe(num(hour[2]));
    expect(Math.min(...mins.map((k) => num(k[3])))).toBe(num(hour[3]));
    expect(mins.reduce((s, k) => s + k[8], 0)).toBe(hour[8]);
    const vol = mins.reduce((s, k) => s + num(k[5]), 0);
    expect(Math.abs(vol - num(hour[5]))).toBeLessThan(num(hour[5]) * 1e-6 + 0.01);

    const [minute] = m.klines('SOLUSDT', '1m', { startTime: T0 - 3_600_000, limit: 1 }) as [Kline];
    const secs = m.klines('SOLUSDT', '1s', { startTime: minute[0], endTime: minute[6], limit: 1000 });
    expect(secs).toHaveLength(60);
    expect(Math.max(...secs.map((k) => num(k[2])))).toBe(num(minute[2]));
    expect(Math.min(...secs.map((k) => num(k[3])))).toBe(num(minute[3]));
    expect(secs.reduce((s, k) => s + k[8], 0)).toBe(minute[8]);
  });

  it('reach back at least a year for every symbol and every interval', () => {
    const { m } = market();
    const yearAgo = T0 - 366 * DAY;
    for (const s of m.symbols()) {
      expect(m.listingTime(s.symbol)).toBeLessThanOrEqual(T0 - 366 * DAY);
      for (const interval of KLINE_INTERVALS) {
        const k = m.klines(s.symbol, interval, { startTime: yearAgo, limit: 2 });
        expect(k.length, `${s.symbol} ${interval}`).toBe(2);
        expect(k[0]![0]).toBeGreaterThanOrEqual(yearAgo);
        expect(k[0]![0]).toBeLessThan(yearAgo + 32 * DAY);
        expect(num(k[0]![4])).toBeGreaterThan(0);
      }
    }
  });

  it('apply Binance startTime/endTime/limit semantics and calendar buckets', () => {
    const { m } = market();
    const latest = m.klines('BTCUSDT', '1m', { limit: 3 });
    expect(latest[2]![0]).toBe(Math.floor(T0 / 60_000) * 60_000);
    const from = m.klines('BTCUSDT', '1m', { startTime: T0 - 10 * 60_000 + 1, limit: 3 });
    expect(from[0]![0]).toBe(Math.ceil((T0 - 10 * 60_000 + 1) / 60_000) * 60_000);
    const until = m.klines('BTCUSDT', '1m', { endTime: T0 - 10 * 60_000, limit: 3 });
    expect(until[2]![0]).toBeLessThanOrEqual(T0 - 10 * 60_000);
    expect(until[2]![0]).toBeGreaterThan(T0 - 11 * 60_000);
    const both = m.klines('BTCUSDT', '1m', { startTime: T0 - 10 * 60_000, endTime: T0 - 8 * 60_000, limit: 100 });
    // open times in [start, end]: start is mid-minute, so the first candle is the next minute's
    expect(both.map((k) => k[0])).toEqual([1, 2].map((i) => Math.floor((T0 - 10 * 60_000) / 60_000) * 60_000 + i * 60_000));
    const months = m.klines('BTCUSDT', '1M', { limit: 3 });
    expect(months.map((k) => new Date(k[0]).toISOString())).toEqual([
      '2026-01-01T00:00:00.000Z',
      '2026-02-01T00:00:00.000Z',
      '2026-03-01T00:00:00.000Z',
    ]);
    expect(months[1]![6]).toBe(Date.UTC(2026, 2, 1) - 1);
    const weeks = m.klines('BTCUSDT', '1w', { limit: 2 });
    expect(new Date(weeks[0]![0]).getUTCDay()).toBe(1);
    const tz = m.klines('BTCUSDT', '1d', { limit: 1, timeZoneMs: 8 * 3_600_000 });
    expect(new Date(tz[0]![0]).getUTCHours()).toBe(16);
  });
});

describe('market model: tickers, book, average price', () => {
  it('the 24 h ticker agrees with the 1 m candles of its window', () => {
    const { m, advance } = market();
    advance(37_000);
    const t = m.ticker24h('BNBUSDT');
    const first = m.klines('BNBUSDT', '1m', { startTime: t.openTime, limit: 1000 });
    const rest = m.klines('BNBUSDT', '1m', { startTime: first[first.length - 1]![0] + 60_000, limit: 1000 });
    const all = [...first, ...rest];
    expect(all[0]![0]).toBe(t.openTime);
    // the window opens at the first whole minute after now − 24 h
    expect(all).toHaveLength(1440);
    expect(t.openPrice).toBe(all[0]![1]);
    expect(t.lastPrice).toBe(all[all.length - 1]![4]);
    expect(t.lastPrice).toBe(m.lastPrice('BNBUSDT'));
    expect(num(t.highPrice)).toBe(Math.max(...all.map((k) => num(k[2]))));
    expect(num(t.lowPrice)).toBe(Math.min(...all.map((k) => num(k[3]))));
    expect(t.count).toBe(all.reduce((s, k) => s + k[8], 0));
    const vol = all.reduce((s, k) => s + num(k[5]), 0);
    expect(Math.abs(vol - num(t.volume)) / num(t.volume)).toBeLessThan(1e-6);
    expect(t.lastId - t.firstId + 1).toBe(t.count);
    expect(new Decimal(t.priceChange).eq(new Decimal(t.lastPrice).minus(t.openPrice))).toBe(true);
    expect(num(t.bidPrice)).toBeLessThan(num(t.askPrice));
    expect(t.closeTime).toBe(T0 + 37_000);
    const mini = m.miniTicker24h('BNBUSDT');
    expect(mini).toEqual({
      symbol: t.symbol,
      openPrice: t.openPrice,
      highPrice: t.highPrice,
      lowPrice: t.lowPrice,
      lastPrice: t.lastPrice,
      volume: t.volume,
      quoteVolume: t.quoteVolume,
      openTime: t.openTime,
      closeTime: t.closeTime,
      firstId: t.firstId,
      lastId: t.lastId,
      count: t.count,
    });
  });

  it('serves a sorted synthetic book whose update id grows', () => {
    const { m, advance } = market();
    const d = m.depth('BTCUSDT', 5000);
    expect(d.bids).toHaveLength(5000);
    expect(d.asks).toHaveLength(5000);
    for (let i = 1; i < 5000; i++) {
      expect(num(d.bids[i]![0])).toBeLessThan(num(d.bids[i - 1]![0]));
      expect(num(d.asks[i]![0])).toBeGreaterThan(num(d.asks[i - 1]![0]));
    }
    expect(num(d.bids[0]![0])).toBeLessThan(num(d.asks[0]![0]));
    expect(num(d.bids[0]![0])).toBeLessThanOrEqual(num(m.lastPrice('BTCUSDT')));
    expect(num(d.asks[0]![0])).toBeGreaterThanOrEqual(num(m.lastPrice('BTCUSDT')));
    const bt = m.bookTicker('BTCUSDT');
    expect([bt.bidPrice, bt.bidQty, bt.askPrice, bt.askQty]).toEqual([...d.bids[0]!, ...d.asks[0]!]);
    advance(1000);
    const d2 = m.depth('BTCUSDT', 10);
    expect(d2.lastUpdateId).toBeGreaterThan(d.lastUpdateId);
    for (const [p, q] of [...d2.bids, ...d2.asks]) {
      expect(p).toMatch(/^\d+\.\d{8}$/);
      expect(num(q)).toBeGreaterThan(0);
    }
  });

  it('average price is the 5-minute VWAP', () => {
    const { m } = market();
    const a = m.avgPrice('ETHUSDT');
    expect(a.mins).toBe(5);
    expect(a.price).toMatch(/^\d+\.\d{8}$/);
    const k = m.klines('ETHUSDT', '1m', { startTime: T0 - 6 * 60_000, limit: 10 });
    expect(num(a.price)).toBeLessThanOrEqual(Math.max(...k.map((x) => num(x[2]))));
    expect(num(a.price)).toBeGreaterThanOrEqual(Math.min(...k.map((x) => num(x[3]))));
  });
});

describe('market model: catalogue', () => {
  it('has at least 40 symbols over USDT, USDC, FDUSD, BTC, ETH and a fiat quote', () => {
    const { m } = market();
    const syms = m.symbols();
    expect(syms.length).toBeGreaterThanOrEqual(40);
    const quotes = new Set(syms.map((s) => s.quoteAsset));
    for (const q of ['USDT', 'USDC', 'FDUSD', 'BTC', 'ETH']) expect(quotes.has(q)).toBe(true);
    expect(quotes.has('EUR') || quotes.has('TRY')).toBe(true);
    expect(new Set(syms.map((s) => s.symbol)).size).toBe(syms.length);
  });

  it('prices the bridge asset only against BTC and lists no market for the no-market asset', () => {
    const { m } = market();
    const bridge = m.symbols().filter((s) => s.baseAsset === BRIDGE_ASSET || s.quoteAsset === BRIDGE_ASSET);
    expect(bridge.map((s) => s.symbol)).toEqual([`${BRIDGE_ASSET}BTC`]);
    expect(num(m.lastPrice(`${BRIDGE_ASSET}BTC`))).toBeGreaterThan(0);
    expect(m.klines(`${BRIDGE_ASSET}BTC`, '1d', { limit: 400 })).toHaveLength(400);
    expect(m.symbols().some((s) => s.baseAsset === NO_MARKET_ASSET || s.quoteAsset === NO_MARKET_ASSET)).toBe(false);
  });

  it('carries every filter type with the documented fields', () => {
    const { m } = market();
    const expected: Record<string, string[]> = {
      PRICE_FILTER: ['minPrice', 'maxPrice', 'tickSize'],
      LOT_SIZE: ['minQty', 'maxQty', 'stepSize'],
      MARKET_LOT_SIZE: ['minQty', 'maxQty', 'stepSize'],
      ICEBERG_PARTS: ['limit'],
      TRAILING_DELTA: ['minTrailingAboveDelta', 'maxTrailingAboveDelta', 'minTrailingBelowDelta', 'maxTrailingBelowDelta'],
      PERCENT_PRICE_BY_SIDE: ['bidMultiplierUp', 'bidMultiplierDown', 'askMultiplierUp', 'askMultiplierDown', 'avgPriceMins'],
      NOTIONAL: ['minNotional', 'applyMinToMarket', 'maxNotional', 'applyMaxToMarket', 'avgPriceMins'],
      MIN_NOTIONAL: ['minNotional', 'applyToMarket', 'avgPriceMins'],
      MAX_NUM_ORDERS: ['maxNumOrders'],
      MAX_NUM_ALGO_ORDERS: ['maxNumAlgoOrders'],
      MAX_NUM_ORDER_LISTS: ['maxNumOrderLists'],
      MAX_NUM_ORDER_AMENDS: ['maxNumOrderAmends'],
    };
    const seen = new Set<string>();
    for (const s of m.symbols()) {
      const types = s.filters.map((f) => String(f['filterType']));
      expect(types.includes('NOTIONAL') !== types.includes('MIN_NOTIONAL')).toBe(true);
      for (const f of s.filters) {
        const type = String(f['filterType']);
        seen.add(type);
        expect(Object.keys(f).sort()).toEqual(['filterType', ...expected[type]!].sort());
      }
      const pf = s.filters.find((f) => f['filterType'] === 'PRICE_FILTER')!;
      const lot = s.filters.find((f) => f['filterType'] === 'LOT_SIZE')!;
      for (const v of [pf['minPrice'], pf['maxPrice'], pf['tickSize'], lot['minQty'], lot['maxQty'], lot['stepSize']])
        expect(v).toMatch(/^\d+\.\d{8}$/);
      const tick = new Decimal(String(pf['tickSize']));
      const last = new Decimal(m.lastPrice(s.symbol));
      expect(last.mod(tick).isZero()).toBe(true);
      expect(last.gte(String(pf['minPrice'])) && last.lte(String(pf['maxPrice']))).toBe(true);
      expect(new Decimal(String(lot['maxQty'])).mod(String(lot['stepSize'])).isZero()).toBe(true);
      expect(tick.eq(s.tickSize)).toBe(true);
      expect(s.priceDecimals).toBe(Math.max(0, tick.decimalPlaces()));
      expect(s.permissionSets[0]).toContain('SPOT');
    }
    expect([...seen].sort()).toEqual(Object.keys(expected).sort());
  });

  it('pads with synthetic symbols up to symbolCount', () => {
    const { m } = market(1, 1, 2500);
    const syms = m.symbols();
    expect(syms).toHaveLength(2500);
    expect(new Set(syms.map((s) => s.symbol)).size).toBe(2500);
    expect(syms.some((s) => s.symbol === 'SYN0001USDT')).toBe(true);
    const syn = syms.find((s) => s.synthetic)!;
    expect(num(m.lastPrice(syn.symbol))).toBeGreaterThan(0);
    expect(m.klines(syn.symbol, '1d', { limit: 5 })).toHaveLength(5);
  });
});

describe('market model: knobs and time', () => {
  it('setPrice moves the market now, emits a tick and leaves closed candles alone', () => {
    const { m, advance } = market();
    advance(61_000);
    const before = m.klines('BTCUSDT', '1m', { limit: 10 });
    const seen: string[][] = [];
    m.onTick((c) => seen.push([...c]));
    m.setPrice('BTCUSDT', '70000.00');
    expect(m.lastPrice('BTCUSDT')).toBe('70000.00000000');
    expect(seen).toEqual([['BTCUSDT']]);
    const after = m.klines('BTCUSDT', '1m', { limit: 10 });
    expect(after.slice(0, 9)).toEqual(before.slice(0, 9));
    expect(after[9]![4]).toBe('70000.00000000');
    expect(num(after[9]![2])).toBeGreaterThanOrEqual(70000);
    advance(3000);
    // the walk continues from the new level
    expect(Math.abs(num(m.lastPrice('BTCUSDT')) / 70000 - 1)).toBeLessThan(0.01);
    expect(m.klines('BTCUSDT', '1m', { limit: 10 }).slice(0, 9)).toEqual(before.slice(0, 9));
  });

  it('compresses time by speed', () => {
    const slow = market(5, 1);
    const fast = market(5, 60);
    slow.advance(60_000);
    fast.advance(1000);
    expect(fast.m.lastPrice('ETHUSDT')).toBe(slow.m.lastPrice('ETHUSDT'));
  });

  it('a halted symbol stands still and resumes when trading again', () => {
    const { m, advance } = market();
    advance(5000);
    m.setStatus('SOLUSDT', 'HALT');
    expect(m.symbol('SOLUSDT')!.status).toBe('HALT');
    const p = m.lastPrice('SOLUSDT');
    const id = m.depth('SOLUSDT', 1).lastUpdateId;
    advance(120_000);
    expect(m.lastPrice('SOLUSDT')).toBe(p);
    expect(m.depth('SOLUSDT', 1).lastUpdateId).toBe(id);
    const k = m.klines('SOLUSDT', '1m', { limit: 1 })[0]!;
    expect(k[8]).toBe(0);
    m.setStatus('SOLUSDT', 'TRADING');
    advance(30_000);
    expect(m.depth('SOLUSDT', 1).lastUpdateId).toBeGreaterThan(id);
  });

  it('steps report changed symbols; start/stop own the timer', async () => {
    const { m, advance } = market();
    const ticks: (readonly string[])[] = [];
    const off = m.onTick((c) => ticks.push(c));
    advance(1000);
    m.step();
    expect(ticks).toHaveLength(1);
    expect(ticks[0]!.length).toBeGreaterThan(10);
    m.step();
    expect(ticks[1]).toEqual([]);
    off();

    const real = createMarket({ clock: createClock(), seed: 1, speed: 1, stepMs: 20 });
    let n = 0;
    real.onTick(() => {
      n++;
    });
    real.start();
    await expect.poll(() => n, { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
    real.stop();
    const stoppedAt = n;
    await new Promise((r) => setTimeout(r, 100));
    expect(n).toBe(stoppedAt);
  });
});

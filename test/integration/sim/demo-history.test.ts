/**
 * The demo account's year of history: it adds up to the opening balances, never spends what was
 * not held, uses the market's own past prices, and is served by the history endpoints with the
 * documented parameters, limits and weights.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../../src/shared/money';
import { DEMO_BALANCES, startSimulator, type Simulator } from '../../../src/main/sim/simulator';
import type { DemoHistory } from '../../../src/main/sim/account/demo-history';

const DAY = 86_400_000;
let sim: Simulator;
let history: DemoHistory;

beforeAll(async () => {
  sim = await startSimulator({ seed: 3, demoHistory: true });
  history = sim.demoHistory!;
});
afterAll(async () => {
  await sim.stop();
});

async function rest(path: string, params: Record<string, string>): Promise<{ status: number; weight: number; body: unknown }> {
  const query = new URLSearchParams({ ...params, timestamp: String(sim.clock.now()) }).toString();
  const signature = createHmac('sha256', sim.apiSecret).update(query).digest('hex');
  const res = await fetch(`${sim.restUrl}${path}?${query}&signature=${signature}`, { headers: { 'X-MBX-APIKEY': sim.apiKey } });
  return { status: res.status, weight: Number(res.headers.get('x-mbx-used-weight-1m')), body: JSON.parse(await res.text()) as unknown };
}

type Move = { time: number; asset: string; delta: Decimal };

/** Every balance change the history records, from its own fields only. */
function moves(h: DemoHistory): Move[] {
  const out: Move[] = [];
  const symbols = new Map(sim.market.symbols().map((s) => [s.symbol, s]));
  for (const d of h.deposits) if (d.status === 1) out.push({ time: d.insertTime, asset: d.coin, delta: new Decimal(d.amount) });
  for (const w of h.withdrawals) {
    if (w.status !== 6) continue;
    out.push({
      time: Date.parse(`${w.applyTime.replace(' ', 'T')}Z`),
      asset: w.coin,
      delta: new Decimal(w.amount).plus(w.transactionFee).neg(),
    });
  }
  for (const t of h.trades) {
    const s = symbols.get(t.symbol)!;
    const sign = t.isBuyer ? 1 : -1;
    out.push({ time: t.time, asset: s.baseAsset, delta: new Decimal(t.qty.toString()).mul(sign) });
    out.push({ time: t.time, asset: s.quoteAsset, delta: new Decimal(t.quoteQty.toString()).mul(-sign) });
    out.push({ time: t.time, asset: t.commissionAsset, delta: new Decimal(t.commission.toString()).neg() });
  }
  for (const c of h.converts) {
    out.push({ time: c.createTime, asset: c.fromAsset, delta: new Decimal(c.fromAmount).neg() });
    out.push({ time: c.createTime, asset: c.toAsset, delta: new Decimal(c.toAmount) });
  }
  for (const d of h.dribblets) {
    for (const x of d.userAssetDribbletDetails) {
      out.push({ time: x.operateTime, asset: x.fromAsset, delta: new Decimal(x.amount).neg() });
      out.push({ time: x.operateTime, asset: 'BNB', delta: new Decimal(x.transferedAmount) });
    }
  }
  return out.sort((a, b) => a.time - b.time || (a.delta.gt(0) ? -1 : 1));
}

describe('demo history', () => {
  it('adds up to the opening balances exactly, and never spends what was not held', () => {
    const held = new Map<string, Decimal>();
    for (const m of moves(history)) {
      const next = (held.get(m.asset) ?? new Decimal(0)).plus(m.delta);
      expect(next.gte(0), `${m.asset} at ${new Date(m.time).toISOString()}`).toBe(true);
      held.set(m.asset, next);
    }
    for (const [asset, amount] of Object.entries(DEMO_BALANCES))
      expect(held.get(asset)?.toString(), asset).toBe(new Decimal(amount).toString());
    for (const [asset, amount] of held) if (!(asset in DEMO_BALANCES)) expect(amount.isZero(), asset).toBe(true);
  });

  it('is about a year of believable activity: trades across assets, fees in BNB, a dust conversion', () => {
    const now = sim.clock.now();
    const first = Math.min(...history.deposits.map((d) => d.insertTime), ...history.trades.map((t) => t.time));
    expect(now - first).toBeGreaterThan(360 * DAY);
    expect(Math.max(...history.trades.map((t) => t.time))).toBeLessThan(now);
    expect(history.trades.length).toBeGreaterThan(80);
    expect(new Set(history.trades.map((t) => t.symbol)).size).toBeGreaterThanOrEqual(6);
    expect(history.trades.filter((t) => t.commissionAsset === 'BNB').length).toBeGreaterThan(history.trades.length / 2);
    expect(history.trades.filter((t) => !t.isBuyer).length).toBeGreaterThan(15);
    expect(history.dribblets).toHaveLength(1);
    expect(history.dribblets[0]!.userAssetDribbletDetails.map((d) => d.fromAsset).sort()).toEqual(['ADA', 'SOL']);
    expect(history.withdrawals.length).toBeGreaterThan(0);
    // Two Convert trades: ETH bought with USDT, then ETH converted to BTC (no side in USDT).
    expect(history.converts.map((c) => `${c.fromAsset}>${c.toAsset}`)).toEqual(['USDT>ETH', 'ETH>BTC']);
  });

  it('serves 1-minute candles over the whole demo year that agree with the hourly and daily ones', async () => {
    for (const t of history.trades.filter((_, i) => i % 25 === 0)) {
      const hour = Math.floor(t.time / 3_600_000) * 3_600_000;
      const query = new URLSearchParams({ symbol: 'BNBUSDT', interval: '1m', startTime: String(hour), limit: '60' });
      const minutes = (await (await fetch(`${sim.restUrl}/api/v3/klines?${query}`)).json()) as Array<
        [number, string, string, string, string]
      >;
      expect(minutes).toHaveLength(60);
      const h = sim.market.klines('BNBUSDT', '1h', { startTime: hour, limit: 1 })[0]!;
      // The hour opens at its first minute's open and closes at its last minute's close.
      expect([minutes[0]![1], minutes[59]![4]]).toEqual([h[1], h[4]]);
      const day = Math.floor(t.time / DAY) * DAY;
      const lastMinute = sim.market.klines('BNBUSDT', '1m', { startTime: day + DAY - 60_000, limit: 1 })[0]!;
      expect(sim.market.klines('BNBUSDT', '1d', { startTime: day, limit: 1 })[0]![4]).toBe(lastMinute[4]);
    }
  });

  it('converts at the market’s price of that minute, less a small spread', () => {
    for (const c of history.converts) {
      const symbol = c.fromAsset === 'USDT' ? 'ETHUSDT' : 'ETHBTC';
      const k = sim.market.klines(symbol, '1m', { startTime: Math.floor(c.createTime / 60_000) * 60_000, limit: 1 })[0]!;
      const atMarket = c.fromAsset === 'USDT' ? new Decimal(c.fromAmount).div(k[4]) : new Decimal(c.fromAmount).mul(k[4]);
      const ratio = new Decimal(c.toAmount).div(atMarket);
      expect(ratio.lt(1) && ratio.gt('0.99')).toBe(true);
    }
  });

  it('ends without settling transfers: its last month has no deposit or withdrawal, so the value runs into the opening balances without a dip', () => {
    const now = sim.clock.now();
    const lastMonth = now - 30 * DAY;
    expect(history.deposits.filter((d) => d.insertTime >= lastMonth)).toEqual([]);
    expect(history.withdrawals.filter((w) => Date.parse(`${w.applyTime.replace(' ', 'T')}Z`) >= lastMonth)).toEqual([]);
    // Day-end value (priced assets at the minute's close) over the last month: no drop of a fifth
    // from one day to the next, as the top-ups that came after the withdrawals of the excess drew.
    const price = (asset: string, t: number): number => {
      if (asset === 'USDT' || asset === 'USDC') return 1;
      const k = sim.market.klines(`${asset}USDT`, '1m', { startTime: Math.floor(t / 60_000) * 60_000, limit: 1 })[0];
      return k ? Number(k[4]) : 0;
    };
    const all = moves(history);
    const held = new Map<string, Decimal>();
    let i = 0;
    const values: number[] = [];
    for (let t = now - 40 * DAY; t <= now; t += DAY) {
      for (; i < all.length && all[i]!.time <= t; i++)
        held.set(all[i]!.asset, (held.get(all[i]!.asset) ?? new Decimal(0)).plus(all[i]!.delta));
      values.push([...held].reduce((v, [asset, q]) => v + q.toNumber() * price(asset, t), 0));
    }
    for (let d = 1; d < values.length; d++) expect(values[d]! / values[d - 1]!, `day ${d - 40}`).toBeGreaterThan(0.8);
  });

  it('trades at the market’s own price of that minute (the klines)', () => {
    for (const t of history.trades.filter((_, i) => i % 10 === 0)) {
      const k = sim.market.klines(t.symbol, '1m', { startTime: Math.floor(t.time / 60_000) * 60_000, limit: 1 })[0]!;
      expect(t.price.toString()).toBe(new Decimal(k[4]).toString());
    }
  });
});

describe('history endpoints for the demo account', () => {
  it('myTrades: every trade of a symbol page by page with fromId, limit ≤ 1000, weight 20', async () => {
    const expected = history.trades.filter((t) => t.symbol === 'BTCUSDT');
    const got: Array<Record<string, unknown>> = [];
    let fromId = '0';
    let before = (await rest('/api/v3/myTrades', { symbol: 'BTCUSDT', fromId, limit: '7' })).weight;
    for (;;) {
      const r = await rest('/api/v3/myTrades', { symbol: 'BTCUSDT', fromId, limit: '7' });
      expect(r.weight - before).toBe(20);
      before = r.weight;
      const page = r.body as Array<Record<string, unknown>>;
      got.push(...page);
      if (page.length < 7) break;
      fromId = String(Number(page[page.length - 1]!['id']) + 1);
    }
    expect(got.length).toBe(expected.length);
    expect(got.map((t) => t['qty'])).toEqual(expected.map((t) => t.qty.toFixed(8)));
    expect(got[0]).toMatchObject({ symbol: 'BTCUSDT', commissionAsset: expect.any(String), isBuyer: expect.any(Boolean) });
    expect((await rest('/api/v3/myTrades', { symbol: 'BTCUSDT', limit: '1001' })).status).toBe(400);
  });

  it('deposit and withdrawal history: the 90-day window, older records by startTime/endTime', async () => {
    const now = sim.clock.now();
    const recent = (await rest('/sapi/v1/capital/deposit/hisrec', {})).body as Array<Record<string, unknown>>;
    expect(recent.every((d) => Number(d['insertTime']) >= now - 90 * DAY)).toBe(true);
    const old = (await rest('/sapi/v1/capital/deposit/hisrec', { startTime: String(now - 366 * DAY), endTime: String(now - 276 * DAY) }))
      .body as Array<Record<string, unknown>>;
    expect(old.map((d) => d['coin'])).toContain('USDT');
    const w = (await rest('/sapi/v1/capital/withdraw/history', { startTime: String(now - 89 * DAY), endTime: String(now) })).body as Array<
      Record<string, unknown>
    >;
    expect(w.length).toBeGreaterThan(0);
  });

  it('convert/tradeFlow: startTime and endTime required, at most 30 days apart, limit ≤ 1000, moreData, ids above 2^53 as digits', async () => {
    const now = sim.clock.now();
    const all: Array<Record<string, unknown>> = [];
    for (let start = now - 366 * DAY; start < now; start += 30 * DAY) {
      const r = await rest('/sapi/v1/convert/tradeFlow', { startTime: String(start), endTime: String(Math.min(now, start + 30 * DAY)) });
      expect(r.status).toBe(200);
      const body = r.body as { list: Array<Record<string, unknown>>; moreData: boolean; limit: number };
      expect(body.limit).toBe(100);
      all.push(...body.list);
    }
    expect(all.map((c) => c['toAmount']).sort()).toEqual(history.converts.map((c) => c.toAmount).sort());
    expect(Object.keys(all[0]!).sort()).toEqual([
      'createTime',
      'fromAmount',
      'fromAsset',
      'inverseRatio',
      'orderId',
      'orderStatus',
      'quoteId',
      'ratio',
      'toAmount',
      'toAsset',
    ]);
    // orderId is a JSON number beyond 2^53, as Binance sends it.
    const first = history.converts[0]!;
    const raw = await (async () => {
      const query = new URLSearchParams({
        startTime: String(first.createTime - DAY),
        endTime: String(first.createTime + DAY),
        timestamp: String(sim.clock.now()),
      }).toString();
      const signature = createHmac('sha256', sim.apiSecret).update(query).digest('hex');
      return (
        await fetch(`${sim.restUrl}/sapi/v1/convert/tradeFlow?${query}&signature=${signature}`, { headers: { 'X-MBX-APIKEY': sim.apiKey } })
      ).text();
    })();
    expect(raw).toContain(`"orderId":${first.orderId.toString()}`);
    // Both within 30 days: limit 1 gives the newer and says there is more.
    const both = { startTime: String(history.converts[0]!.createTime), endTime: String(history.converts[1]!.createTime) };
    const one = (await rest('/sapi/v1/convert/tradeFlow', { ...both, limit: '1' })).body as {
      list: Array<Record<string, unknown>>;
      moreData: boolean;
    };
    expect(one.list.map((c) => c['toAmount'])).toEqual([history.converts[1]!.toAmount]);
    expect(one.moreData).toBe(true);
    expect((await rest('/sapi/v1/convert/tradeFlow', { startTime: String(now - 31 * DAY), endTime: String(now) })).status).toBe(400);
    expect((await rest('/sapi/v1/convert/tradeFlow', { startTime: String(now - DAY) })).status).toBe(400);
    expect((await rest('/sapi/v1/convert/tradeFlow', { startTime: String(now - DAY), endTime: String(now), limit: '1001' })).status).toBe(
      400,
    );
  });

  it('dribblet: the dust log in the documented shape', async () => {
    const r = await rest('/sapi/v1/asset/dribblet', {});
    const body = r.body as { total: number; userAssetDribblets: Array<Record<string, unknown>> };
    expect(body.total).toBe(1);
    expect(Object.keys(body.userAssetDribblets[0]!).sort()).toEqual([
      'operateTime',
      'totalServiceChargeAmount',
      'totalTransferedAmount',
      'transId',
      'userAssetDribbletDetails',
    ]);
    expect((await rest('/sapi/v1/asset/dribblet', { accountType: 'FUTURES' })).status).toBe(400);
  });
});

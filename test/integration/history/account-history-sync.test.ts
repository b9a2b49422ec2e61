/**
 * The whole-history sync against the simulator's demo account (a year of trades, deposits,
 * withdrawals and a dust conversion): what it stores equals the simulator's own ledger, the P&L
 * engine over it ends at the account's balances, and it resumes, pauses and continues incrementally.
 */
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCredentials } from '../../../src/main/exchange/credentials';
import { simulatorEnvironment } from '../../../src/main/exchange/environments';
import { createRateLimitGovernor } from '../../../src/main/exchange/rate-limit';
import { createRestClient, type RestClient } from '../../../src/main/exchange/rest-client';
import { createTimeSync } from '../../../src/main/exchange/time-sync';
import {
  createAccountHistorySync,
  type AccountHistorySync,
  type AccountHistorySyncOptions,
} from '../../../src/main/history/account-history-sync';
import {
  computeAccountPnl,
  createPriceBook,
  restDailyFetcher,
  restHourlyFetcher,
  restMinuteFetcher,
} from '../../../src/main/history/pnl-service';
import { DEMO_BALANCES, startSimulator, type Simulator } from '../../../src/main/sim/simulator';
import { createHistoryRepository, type HistoryRepository } from '../../../src/main/storage/history-repository';
import type { HistorySyncProgress } from '../../../src/shared/domain/pnl';
import { Decimal } from '../../../src/shared/money';

let sim: Simulator;
let rest: RestClient;

beforeAll(async () => {
  sim = await startSimulator({ seed: 5, demoHistory: true, rateLimits: { weight: 1_000_000 } });
  const env = simulatorEnvironment({ restUrl: sim.restUrl, streamUrl: sim.streamUrl, wsApiUrl: sim.wsApiUrl });
  const governor = createRateLimitGovernor();
  const timeSync = createTimeSync({ env, governor });
  rest = createRestClient({
    env,
    timeSync,
    governor,
    credentials: createCredentials({ type: 'HMAC', apiKey: sim.apiKey, secret: sim.apiSecret }),
  });
});
afterAll(async () => {
  await sim.stop();
});

const symbols = () => sim.market.symbols().map((s) => ({ symbol: s.symbol, baseAsset: s.baseAsset, quoteAsset: s.quoteAsset }));
const held = () =>
  Object.entries(DEMO_BALANCES)
    .filter(([, v]) => new Decimal(v).gt(0))
    .map(([a]) => a);

function makeSync(repo: HistoryRepository, extra: Partial<AccountHistorySyncOptions> = {}) {
  const seen: HistorySyncProgress[] = [];
  const sync = createAccountHistorySync({
    rest,
    repo,
    environment: 'demo',
    symbols,
    heldAssets: held,
    transfersAvailable: true,
    now: () => sim.clock.now(),
    sleep: async () => undefined,
    onProgress: (p) => seen.push(p),
    ...extra,
  });
  return { sync, seen };
}

describe('whole-history sync against the simulator', () => {
  it('stores exactly the simulator’s trades and transfers, and the P&L engine ends at the account’s balances', async () => {
    const repo = createHistoryRepository(new DatabaseSync(':memory:'));
    const { sync, seen } = makeSync(repo);
    const p = await sync.sync();
    expect(p.phase).toBe('done');
    expect(p.error).toBeNull();
    const demo = sim.demoHistory!;
    const stored = repo.trades('demo');
    expect(stored.length).toBe(demo.trades.length);
    expect(stored.map((t) => `${t.symbol}:${t.time}:${t.qty}`).sort()).toEqual(
      demo.trades.map((t) => `${t.symbol}:${t.time}:${t.qty.toFixed(8)}`).sort(),
    );
    const transfers = repo.transfers('demo');
    expect(transfers.filter((t) => t.kind === 'deposit').length).toBe(demo.deposits.filter((d) => d.status === 1).length);
    expect(transfers.filter((t) => t.kind === 'withdrawal').length).toBe(demo.withdrawals.filter((w) => w.status === 6).length);
    expect(transfers.filter((t) => t.kind === 'convert').length).toBe(
      demo.dribblets[0]!.userAssetDribbletDetails.length + demo.converts.length,
    );
    // Binance Convert trades, as what left and what arrived (no fee apart: the spread is in the amounts).
    expect(
      transfers.filter((t) => t.id.startsWith('convert-')).map((t) => [t.id, t.time, t.asset, t.amount, t.toAsset, t.toAmount, t.fee]),
    ).toEqual(demo.converts.map((c) => [`convert-${c.orderId}`, c.createTime, c.fromAsset, c.fromAmount, c.toAsset, c.toAmount, '0']));
    // Progress was reported as it went: symbols done of total, trades found, weight used.
    expect(seen.some((s) => s.phase === 'trades' && s.symbolsDone > 0 && s.symbolsDone < s.symbolsTotal)).toBe(true);
    expect(p.tradesFound).toBe(demo.trades.length);
    expect(p.weightCost).toBeGreaterThanOrEqual(p.symbolsTotal * 20);
    // Not every pair on the exchange: the held/deposited/dusted assets against the common quotes.
    expect(p.symbolsTotal).toBeLessThan(60);
    expect(sync.coveredSymbols()).toEqual(expect.arrayContaining(['BTCUSDT', 'ETHBTC', 'SOLUSDT', 'ADAUSDT', 'ARDRBTC']));

    const prices = createPriceBook({ quote: 'USDT', symbols, fetchDaily: restDailyFetcher(rest) });
    for (const method of ['fifo', 'average'] as const) {
      const { result, summary } = await computeAccountPnl({
        repo,
        environment: 'demo',
        symbols: symbols(),
        quote: 'USDT',
        method,
        now: sim.clock.now(),
        prices,
        coveredSymbols: sync.coveredSymbols(),
      });
      for (const [asset, amount] of Object.entries(DEMO_BALANCES)) {
        expect(result.holdings.find((h) => h.asset === asset)?.qty.toString(), asset).toBe(new Decimal(amount).toString());
      }
      expect(
        result.holdings
          .filter((h) => h.qty.gt(0))
          .map((h) => h.asset)
          .sort(),
      ).toEqual(Object.keys(DEMO_BALANCES).sort());
      // DUSTX has no market: its value is unknown, said so, never guessed.
      expect(result.valueComplete).toBe(false);
      expect(result.holdings.find((h) => h.asset === 'DUSTX')!.value).toBeNull();
      const priced = result.holdings.filter((h) => h.value !== null && h.asset !== 'USDT');
      expect(priced.length).toBeGreaterThan(4);
      expect(result.disposals.some((d) => d.kind === 'fee' && d.asset === 'BNB')).toBe(true);
      expect(result.disposals.some((d) => d.kind === 'convert')).toBe(true);
      // The Convert of ETH to BTC: a disposal of the ETH at its value then (neither side is USDT).
      const ethToBtc = sim.demoHistory!.converts.find((c) => c.fromAsset === 'ETH')!;
      const out = result.disposals.find((d) => d.kind === 'convert' && d.asset === 'ETH')!;
      expect([out.time, out.qty.toString()]).toEqual([ethToBtc.createTime, new Decimal(ethToBtc.fromAmount).toString()]);
      expect(out.proceeds.gt(0)).toBe(true);
      expect(summary.tradeCount).toBe(demo.trades.length);
      expect(Date.now() - summary.firstEventAt!).toBeGreaterThan(360 * 86_400_000);
      // Daily samples back to the first event.
      expect(result.samples.length).toBeGreaterThan(360);
    }
  });

  it('values every BNB fee at the simulator’s 1-minute close of its trade’s minute, fetched once and kept in the history database', async () => {
    const repo = createHistoryRepository(new DatabaseSync(':memory:'));
    const { sync } = makeSync(repo);
    await sync.sync();
    let minuteRequests = 0;
    const counting = {
      request: <T>(req: Parameters<typeof rest.request<T>>[0]) => {
        if ((req.params as Record<string, unknown>)['interval'] === '1m') minuteRequests += 1;
        return rest.request(req);
      },
    };
    const book = () =>
      createPriceBook({
        quote: 'USDT',
        symbols,
        fetchDaily: restDailyFetcher(rest),
        fetchHourly: restHourlyFetcher(rest),
        hourlySince: sim.clock.now() - 365 * 86_400_000,
        fetchMinute: restMinuteFetcher(counting),
        minuteCache: { get: (s) => repo.minuteCloses('demo', s), put: (s, rows) => repo.putMinuteCloses('demo', s, rows) },
      });
    const compute = () =>
      computeAccountPnl({
        repo,
        environment: 'demo',
        symbols: symbols(),
        quote: 'USDT',
        method: 'fifo',
        now: sim.clock.now(),
        prices: book(),
        coveredSymbols: sync.coveredSymbols(),
        maxMinuteRequests: 2000,
      });
    const { result, summary } = await compute();
    const trades = new Map(sim.demoHistory!.trades.map((t) => [t.time, t]));
    // Fees are matched to their trade by time: no two demo trades share a millisecond.
    expect(trades.size).toBe(sim.demoHistory!.trades.length);
    const fees = result.disposals.filter((d) => d.kind === 'fee' && d.asset === 'BNB' && trades.has(d.time));
    expect(fees.length).toBeGreaterThan(50);
    for (const f of fees) {
      const t = trades.get(f.time)!;
      const k = sim.market.klines('BNBUSDT', '1m', { startTime: Math.floor(f.time / 60_000) * 60_000, limit: 1 })[0]!;
      expect(f.priceSource).toBe('minute');
      expect(f.proceeds.toString()).toBe(new Decimal(t.commission.toString()).mul(k[4]).toString());
    }
    expect(summary.priceSources.pending).toBe(0);
    expect(summary.priceSources.hour + summary.priceSources.day).toBe(0);
    expect(minuteRequests).toBeGreaterThan(0);
    const sent = minuteRequests;
    // A recompute (a new price book, as after an hour) reads the minutes from the database.
    const again = await compute();
    expect(minuteRequests).toBe(sent);
    expect(again.result.realized.toString()).toBe(result.realized.toString());
  }, 120_000);

  it('resumes after a restart where it stopped, without duplicates', async () => {
    const db = new DatabaseSync(':memory:');
    let calls = 0;
    const interrupted: AccountHistorySync = createAccountHistorySync({
      rest: {
        requestWithMeta: async (req) => {
          // Stopped in the middle of the symbols (after the transfers and a few symbols).
          if (req.path === '/api/v3/myTrades' && ++calls === 8) interrupted.cancel();
          return rest.requestWithMeta(req);
        },
      },
      repo: createHistoryRepository(db),
      environment: 'demo',
      symbols,
      heldAssets: held,
      transfersAvailable: true,
      now: () => sim.clock.now(),
      sleep: async () => undefined,
    });
    const p1 = await interrupted.sync();
    expect(p1.phase).toBe('cancelled');
    const partial = createHistoryRepository(db).trades('demo').length;
    expect(partial).toBeLessThan(sim.demoHistory!.trades.length);
    const stoppedAt = createHistoryRepository(db)
      .symbolStates('demo')
      .filter((x) => x.nextFromId !== '0');
    expect(stoppedAt.length).toBeGreaterThan(0);
    // "Restart": a new repository and sync over the same database; symbols already read go on from their cursor.
    const asked = new Map<string, string>();
    const { sync } = makeSync(createHistoryRepository(db), {
      rest: {
        requestWithMeta: (req) => {
          const params = req.params as Record<string, string> | undefined;
          if (req.path === '/api/v3/myTrades' && params && !asked.has(params['symbol']!))
            asked.set(params['symbol']!, String(params['fromId']));
          return rest.requestWithMeta(req);
        },
      },
    });
    const p2 = await sync.sync();
    for (const st of stoppedAt) expect(asked.get(st.symbol)).toBe(st.nextFromId);
    expect(p2.phase).toBe('done');
    expect(createHistoryRepository(db).trades('demo').length).toBe(sim.demoHistory!.trades.length);
  });

  it('where /sapi is not served (testnet, Demo Mode), asks none of it: no deposits, withdrawals, dust or Convert, and says so', async () => {
    const paths = new Set<string>();
    const { sync } = makeSync(createHistoryRepository(new DatabaseSync(':memory:')), {
      transfersAvailable: false,
      rest: {
        requestWithMeta: (req) => {
          paths.add(req.path);
          return rest.requestWithMeta(req);
        },
      },
    });
    const p = await sync.sync();
    expect(p.phase).toBe('done');
    expect(p.transfers).toBe('not-available');
    expect([...paths]).toEqual(['/api/v3/myTrades']);
  });

  it('pauses itself when the request weight runs low, then carries on', async () => {
    const sleeps: number[] = [];
    const { sync, seen } = makeSync(createHistoryRepository(new DatabaseSync(':memory:')), {
      weightLimit: 200,
      pauseAt: 0.5,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    const p = await sync.sync();
    expect(p.phase).toBe('done');
    expect(sleeps.length).toBeGreaterThan(0);
    expect(seen.some((s) => s.phase === 'paused' && s.pausedUntil !== null)).toBe(true);
  });

  it('a later sync fetches only newer trades (fromId), and a user-added symbol is covered', async () => {
    const repo = createHistoryRepository(new DatabaseSync(':memory:'));
    const { sync } = makeSync(repo);
    await sync.sync();
    const before = repo.trades('demo').length;
    const second = await sync.sync();
    expect(second.tradesFound).toBe(0);
    expect(repo.trades('demo').length).toBe(before);
    expect(repo.symbolStates('demo').find((s) => s.symbol === 'BTCUSDT')!.nextFromId).not.toBe('0');
    // A new fill (as the user data stream reports it): that symbol's new trades are read at once.
    const { createHmac } = await import('node:crypto');
    const query = new URLSearchParams({
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'MARKET',
      quoteOrderQty: '100',
      timestamp: String(sim.clock.now()),
    }).toString();
    const sig = createHmac('sha256', sim.apiSecret).update(query).digest('hex');
    const res = await fetch(`${sim.restUrl}/api/v3/order?${query}&signature=${sig}`, {
      method: 'POST',
      headers: { 'X-MBX-APIKEY': sim.apiKey },
    });
    expect(res.status).toBe(200);
    const added = await sync.refreshSymbol('BTCUSDT');
    expect(added).toBeGreaterThan(0);
    expect(repo.trades('demo').length).toBe(before + added);
    expect(sync.addSymbol('dogeusdt')).toBe(true);
    expect(sync.addSymbol('NOPEXYZ')).toBe(false);
    expect(sync.coveredSymbols()).toContain('DOGEUSDT');
  });
});

/**
 * npm run bench:history — first sync of 10,000 trades over 40 symbols from the simulator (time
 * and request weight), P&L recompute for 100,000 trades (target ≤ 500 ms), and the downsampling
 * of a year of 5-minute value samples (~105,000 points) to at most 2,000 for the chart (the IPC
 * payload). A script, not a test: timings depend on the machine.
 */
import { DatabaseSync } from 'node:sqlite';
import { Decimal } from '../src/shared/money';
import { computePnl, type HistoryEvent } from '../src/main/history/pnl-engine';
import { createAccountHistorySync } from '../src/main/history/account-history-sync';
import { downsample } from '../src/main/history/downsample';
import { createCredentials } from '../src/main/exchange/credentials';
import { simulatorEnvironment } from '../src/main/exchange/environments';
import { createRateLimitGovernor } from '../src/main/exchange/rate-limit';
import { createRestClient } from '../src/main/exchange/rest-client';
import { createTimeSync } from '../src/main/exchange/time-sync';
import { startSimulator } from '../src/main/sim/simulator';
import type { DemoTrade } from '../src/main/sim/account/demo-history';
import { createHistoryRepository } from '../src/main/storage/history-repository';

async function syncBench(): Promise<void> {
  const sim = await startSimulator({ seed: 9 });
  try {
    const symbols = sim.market
      .symbols()
      .filter((s) => s.quoteAsset === 'USDT')
      .slice(0, 40);
    const account = 'bench';
    const key = sim.registerKey({ type: 'HMAC', accountId: account, permissions: { reading: true, spotTrading: true } });
    const trades: DemoTrade[] = [];
    const start = sim.clock.now() - 365 * 86_400_000;
    for (let i = 0; i < 10_000; i++) {
      const s = symbols[i % symbols.length]!;
      const price = new Decimal(sim.market.lastPrice(s.symbol));
      const qty = new Decimal('0.001').mul(1 + (i % 7));
      trades.push({
        symbol: s.symbol,
        price,
        qty,
        quoteQty: price.mul(qty),
        commission: new Decimal('0.00001'),
        commissionAsset: 'BNB',
        time: start + i * 3_000_000,
        isBuyer: i % 3 !== 0,
        isMaker: false,
      });
    }
    sim.seedTrades(account, trades);
    const env = simulatorEnvironment({ restUrl: sim.restUrl, streamUrl: sim.streamUrl, wsApiUrl: sim.wsApiUrl });
    const governor = createRateLimitGovernor();
    const timeSync = createTimeSync({ env, governor });
    const rest = createRestClient({
      env,
      timeSync,
      governor,
      credentials: createCredentials({ type: 'HMAC', apiKey: key.apiKey, secret: key.secret! }),
    });
    let maxUsed = 0;
    const sync = createAccountHistorySync({
      rest,
      repo: createHistoryRepository(new DatabaseSync(':memory:')),
      environment: 'bench',
      symbols: () => sim.market.symbols().map((s) => ({ symbol: s.symbol, baseAsset: s.baseAsset, quoteAsset: s.quoteAsset })),
      heldAssets: () => symbols.map((s) => s.baseAsset),
      transfersAvailable: false,
      now: () => sim.clock.now(),
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      onProgress: (p) => {
        maxUsed = Math.max(maxUsed, p.weightUsed ?? 0);
      },
    });
    const t0 = performance.now();
    const p = await sync.sync();
    const ms = performance.now() - t0;
    console.log(
      `First sync: ${p.tradesFound} trades over ${p.symbolsTotal} symbols (40 with trades) in ${(ms / 1000).toFixed(1)} s, request weight ${p.weightCost}, at most ${maxUsed} of 6,000 used in a minute (${p.phase})`,
    );
  } finally {
    await sim.stop();
  }
}

function downsampleBench(): void {
  const n = 365 * 288;
  const points = Array.from({ length: n }, (_, i) => ({
    t: i * 300_000,
    v: 1000 + Math.sin(i / 300) * 50,
    data: { t: i * 300_000, value: String(1000 + Math.sin(i / 300) * 50), pnl: '0' },
  }));
  const t0 = performance.now();
  const out = downsample(points, 2000);
  const ms = performance.now() - t0;
  const bytes = JSON.stringify(out.map((p) => p.data)).length;
  console.log(
    `Downsampling ${n.toLocaleString()} points (1 year of 5-minute samples): ${out.length} points sent, ${Math.round(bytes / 1024)} KiB over IPC, ${ms.toFixed(0)} ms in main`,
  );
}

function pnlBench(): void {
  const assets = ['BTC', 'ETH', 'BNB', 'SOL', 'XRP', 'ADA', 'DOGE', 'LINK'];
  const events: HistoryEvent[] = [{ kind: 'deposit', id: '0', time: 0, asset: 'USDT', amount: '100000000' }];
  let seed = 7;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const held = new Map<string, number>();
  for (let i = 1; i <= 100_000; i++) {
    const asset = assets[i % assets.length]!;
    const h = held.get(asset) ?? 0;
    const sell = h > 10 && rnd() < 0.45;
    const qty = sell ? Math.floor(h * rnd() * 0.5) / 1000 : Math.floor(1 + rnd() * 5000) / 1000;
    if (qty <= 0) continue;
    const price = (100 + Math.floor(rnd() * 1000)) / 10;
    held.set(asset, h + (sell ? -qty * 1000 : qty * 1000));
    const quoteQty = new Decimal(qty).mul(price).toString();
    const bnbFee = i % 3 === 0;
    events.push({
      kind: 'trade',
      id: String(i),
      time: i * 60_000,
      symbol: `${asset}USDT`,
      base: asset,
      quote: 'USDT',
      side: sell ? 'SELL' : 'BUY',
      qty: String(qty),
      quoteQty,
      fee: bnbFee ? '0.0001' : new Decimal(quoteQty).mul('0.001').toString(),
      feeAsset: bnbFee && asset !== 'BNB' ? 'BNB' : sell ? 'USDT' : asset,
    });
  }
  const prices = new Map(assets.map((a, i) => [a, new Decimal(10 + i * 7)]));
  const priceAt = (asset: string): Decimal | undefined => (asset === 'USDT' ? new Decimal(1) : prices.get(asset));
  for (const method of ['average', 'fifo'] as const) {
    // Warm once (JIT), then measure; CPU time is printed too, as wall time suffers on a busy machine.
    computePnl({ quote: 'USDT', method, events: events.slice(0, 5000), priceAt, asOf: Date.now() });
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const r = computePnl({ quote: 'USDT', method, events, priceAt, asOf: Date.now() });
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(c0);
    console.log(
      `P&L recompute, ${events.length - 1} trades, ${method}: ${ms.toFixed(0)} ms wall, ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms CPU (target ≤ 500 ms), ${r.disposals.length} disposals`,
    );
  }
}

await syncBench();
pnlBench();
downsampleBench();

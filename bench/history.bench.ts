/**
 * npm run bench:history — first sync of 10,000 trades over 40 symbols from the simulator (time
 * and request weight), P&L recompute for 100,000 trades (target ≤ 500 ms), and the downsampling
 * of a year of 5-minute value samples (~105,000 points) to at most 2,000 for the chart (the IPC
 * payload). A script, not a test: timings depend on the machine.
 */
import { execFileSync } from 'node:child_process';
import { DatabaseSync } from 'node:sqlite';
import { Decimal } from '../src/shared/money';
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

/**
 * The recompute of 100,000 trades by the engine and by the engine as it was before the
 * scaled-integer ledger, each in its own process, alternating (3 rounds): the ratio is measured
 * side by side, as absolute times depend on what else the machine runs.
 */
function pnlBench(): void {
  type Run = { which: string; method: string; trades: number; disposals: number; cpuMs: number; withSummaryMs: number; withReadMs: number };
  const runs: Run[] = [];
  for (let round = 0; round < 3; round++)
    for (const which of ['before', 'engine']) {
      const out = execFileSync(process.execPath, ['--import', 'tsx', 'bench/pnl-recompute.ts', which], { encoding: 'utf8' });
      for (const line of out.trim().split('\n')) runs.push(JSON.parse(line) as Run);
    }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  for (const method of ['average', 'fifo']) {
    const of = (which: string): Run[] => runs.filter((r) => r.which === which && r.method === method);
    const before = median(of('before').map((r) => r.cpuMs));
    const after = median(of('engine').map((r) => r.cpuMs));
    const beforeSummary = median(of('before').map((r) => r.withSummaryMs));
    const afterSummary = median(of('engine').map((r) => r.withSummaryMs));
    const beforeRead = median(of('before').map((r) => r.withReadMs));
    const afterRead = median(of('engine').map((r) => r.withReadMs));
    const r = of('engine')[0]!;
    console.log(
      `P&L recompute, ${r.trades.toLocaleString()} trades, ${method}: ${after} ms CPU (target ≤ 500 ms; before: ${before} ms, ${(before / after).toFixed(1)}× faster), ${r.disposals.toLocaleString()} disposals; with realized over all time summed: ${afterSummary} ms (before: ${beforeSummary} ms); with every disposal figure read: ${afterRead} ms (before: ${beforeRead} ms). Medians of 3 runs each, alternating.`,
    );
  }
}

await syncBench();
pnlBench();
downsampleBench();

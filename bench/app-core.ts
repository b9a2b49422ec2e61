/**
 * bench/app-core.ts: the main process's cost of streaming a whole exchange.
 *
 * The simulator runs in a child process (so its market model is not billed to "main") with
 * 2,500 symbols and a demo account funded with every base asset, so the portfolio watches all
 * of them (the session switches to !miniTicker@arr). The core runs here, in this process,
 * exactly as the app builds it; we measure this process's CPU over a window and the bytes of
 * the coalesced events that would cross IPC to the renderer.
 *
 * Run: npx tsx bench/app-core.ts [--seconds 20] [--symbols 2500]
 * Target (issue 4): main CPU <= 5 % of one core.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { parseArgs } from 'node:util';
import { createCore } from '../src/main/core/create-core';
import type { DemoSimulator } from '../src/main/core/ports';
import { defaultSettings, type Settings } from '../src/shared/domain';

interface SimInfo {
  restUrl: string;
  streamUrl: string;
  wsApiUrl: string;
  apiKey: string;
  apiSecret: string;
  demoAccountId: string;
  funded: number;
  symbols: number;
}

async function runSimulatorChild(symbolCount: number): Promise<void> {
  const { startSimulator } = await import('../src/main/sim/simulator');
  const sim = await startSimulator({ seed: 5, symbolCount, rateLimits: { weight: 1_000_000 } });
  const bases = new Set(sim.market.symbols().map((s) => s.baseAsset));
  for (const asset of bases) sim.accounts.adjustBalance(sim.demoAccountId, asset, '3');
  const info: SimInfo = {
    restUrl: sim.restUrl,
    streamUrl: sim.streamUrl,
    wsApiUrl: sim.wsApiUrl,
    apiKey: sim.apiKey,
    apiSecret: sim.apiSecret,
    demoAccountId: sim.demoAccountId,
    funded: bases.size,
    symbols: sim.market.symbols().length,
  };
  process.send?.(info);
  process.on('message', (m) => {
    if (m === 'stop') void sim.stop().then(() => process.exit(0));
  });
}

function startChild(symbolCount: number): Promise<{ child: ChildProcess; info: SimInfo }> {
  const child = fork(new URL(import.meta.url).pathname, ['--child', '--symbols', String(symbolCount)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (info) => resolve({ child, info: info as SimInfo }));
    child.once('exit', (code) => reject(new Error(`simulator child exited with ${code}`)));
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      child: { type: 'boolean', default: false },
      seconds: { type: 'string', default: '20' },
      symbols: { type: 'string', default: '2500' },
    },
  });
  const symbolCount = Number(values.symbols);
  if (values.child) {
    await runSimulatorChild(symbolCount);
    return;
  }
  const seconds = Number(values.seconds);
  const { child, info } = await startChild(symbolCount);
  console.log(`simulator (child pid ${child.pid}): ${info.symbols} symbols, demo account holds ${info.funded} assets`);

  const remote: DemoSimulator = {
    restUrl: info.restUrl,
    streamUrl: info.streamUrl,
    wsApiUrl: info.wsApiUrl,
    apiKey: info.apiKey,
    apiSecret: info.apiSecret,
    demoAccountId: info.demoAccountId,
    accounts: { reset: () => undefined },
    stop: async () => {
      child.send('stop');
      await new Promise((r) => child.once('exit', r));
    },
  };
  let settings: Settings = defaultSettings();
  const secrets = new Map<string, string>();
  const core = createCore({
    secrets: {
      get: async (a) => secrets.get(a) ?? null,
      set: async (a, v) => void secrets.set(a, v),
      delete: async (a) => secrets.delete(a),
    },
    settings: { get: () => settings, update: (p) => (settings = { ...settings, ...p }) },
    demo: { startSimulator: async () => remote },
  });

  let bytes = 0;
  let portfolioEvents = 0;
  let statusEvents = 0;
  let changedHoldings = 0;
  let fullEvents = 0;
  let holdings = 0;
  core.onEvent((name, payload) => {
    // What an IPC transport would serialize (structured clone is comparable to JSON in size).
    bytes += JSON.stringify(payload).length;
    if (name === 'portfolio:snapshot') {
      portfolioEvents++;
      const p = payload as { kind: string; changed?: unknown[]; snapshot?: { holdings: unknown[] } };
      if (p.kind === 'full') {
        fullEvents++;
        holdings = p.snapshot?.holdings.length ?? 0;
      } else changedHoldings += p.changed?.length ?? 0;
    }
    if (name === 'status:connections') statusEvents++;
  });

  const t0 = performance.now();
  await core.start();
  const watching = async (): Promise<boolean> => (core.inspect.session()?.portfolio.watchedSymbols().size ?? 0) >= info.symbols * 0.9;
  while (!(await watching()) || core.inspect.session()?.portfolio.snapshot()?.freshness.state !== 'live') {
    if (performance.now() - t0 > 60_000) throw new Error('the core did not get live within 60 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  const readyMs = performance.now() - t0;
  // Warm-up: let the REST seed and the first all-market frames settle.
  await new Promise((r) => setTimeout(r, 3_000));

  bytes = 0;
  portfolioEvents = 0;
  statusEvents = 0;
  changedHoldings = 0;
  const cpu0 = process.cpuUsage();
  const w0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1_000));
  const wallMs = performance.now() - w0;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1_000;
  const watched = core.inspect.session()?.portfolio.watchedSymbols().size ?? 0;

  await core.stop();

  const pct = (cpuMs / wallMs) * 100;
  console.log(`core ready (live, ${watched} markets watched, ${holdings} holdings) after ${readyMs.toFixed(0)} ms`);
  console.log(`window: ${(wallMs / 1000).toFixed(1)} s`);
  console.log(
    `main-process CPU: ${pct.toFixed(2)} % of one core (${cpuMs.toFixed(0)} ms CPU; user ${(cpu.user / 1000).toFixed(0)} ms, system ${(cpu.system / 1000).toFixed(0)} ms)  target <= 5 %  ${pct <= 5 ? 'OK' : 'OVER'}`,
  );
  console.log(
    `events to the renderer: ${(portfolioEvents / (wallMs / 1000)).toFixed(2)} portfolio/s (full ${fullEvents} at start), ${(statusEvents / (wallMs / 1000)).toFixed(2)} status/s`,
  );
  console.log(
    `IPC payload: ${(bytes / (wallMs / 1000) / 1024).toFixed(1)} KiB/s, ${(changedHoldings / Math.max(1, portfolioEvents)).toFixed(0)} changed holdings per delta on average`,
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

/**
 * bench/streams-e2e.ts: CPU per frame of the whole market-data path, end to end, side by side.
 *
 * The simulator runs in its own child process with 2,500 symbols and sends `!miniTicker@arr`
 * once a second. Each client then runs alone, in its own child process, over a real socket:
 *   floor    `ws` + `JSON.parse`, nothing else (what any client must at least spend)
 *   perch    Perch's market streams plus the app's 250 ms drain into the portfolio state, with
 *            the focus the app sets while the all-market stream is on (the watched symbols;
 *            --watched, default 250: the all-market stream is used above 200 watched markets)
 *   perch-all  the same watching every market: the focus lists every symbol of the simulator,
 *            as the app's does when the portfolio's, the alerts' and the forms' markets together
 *            are all of them, so every ticker of every frame is applied and drained
 *   binance  the `binance` npm package, default options, subscribeAllMini24hrTickers('spot')
 *   ccxt     ccxt.pro binance watchTickers() (its default stream is !miniTicker@arr)
 * All clients run at the same time on the same frames, so the load of the moment weighs on each
 * alike; each measures its own process.cpuUsage() over --frames frames after a warm-up (JIT
 * compilation settles in it). The figure includes everything the process spends meanwhile
 * (socket reads, decoding, GC, timers, V8's background threads).
 *
 * The peers are never dependencies of Perch: install them elsewhere, e.g.
 *   mkdir -p /tmp/peers && cd /tmp/peers && npm init -y && npm install binance ccxt
 * and point PERCH_BENCH_PEERS at that folder (default /tmp/peers); missing peers are skipped.
 *
 * Run: npm run bench:streams -- [--frames 60] [--warmup 20] [--watched 250] [--symbols 2500] [--only floor,perch]
 * PERCH_BENCH_NODE_FLAGS="--trace-gc" passes flags to every client's node (the table counts each
 * client's full and young collections over the measured frames either way).
 * Target (issue 9): perch <= 1.25x floor and cheaper than every peer.
 */
import { fork } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants as perfConstants, PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';

const PEERS = process.env.PERCH_BENCH_PEERS ?? '/tmp/peers';
const CLIENTS = ['floor', 'perch', 'perch-all', 'binance', 'ccxt'] as const;
type ClientName = (typeof CLIENTS)[number];

interface SimInfo {
  readonly restUrl: string;
  readonly streamUrl: string;
  readonly symbols: readonly string[];
}

interface Result {
  readonly client: ClientName;
  readonly frames?: number;
  readonly cpuMsPerFrame?: number;
  readonly bytesPerFrame?: number;
  readonly elementsPerFrame?: number;
  readonly rssMb?: number;
  /** Garbage collections during the measured frames: full (mark-compact) and young (scavenge). */
  readonly gcFull?: number;
  readonly gcYoung?: number;
  readonly skipped?: string;
}

interface ClientArgs {
  readonly client: ClientName;
  readonly streamUrl: string;
  readonly restUrl: string;
  readonly frames: number;
  readonly warmup: number;
  readonly watchedFile: string;
}

// ------------------------------------------------------------------ the simulator child

async function runSimulator(symbolCount: number): Promise<void> {
  const { startSimulator } = await import('../src/main/sim/simulator');
  const sim = await startSimulator({ seed: 9, symbolCount, rateLimits: { weight: 1_000_000 } });
  const info: SimInfo = { restUrl: sim.restUrl, streamUrl: sim.streamUrl, symbols: sim.market.symbols().map((s) => s.symbol) };
  process.send?.(info);
  process.on('message', (m) => {
    if (m === 'stop') void sim.stop().then(() => process.exit(0));
  });
}

// ------------------------------------------------------------------ the client children

/** Counts frames, and after the warm-up measures CPU over `frames` of them; then reports. */
function meter(args: ClientArgs, extra: () => Partial<Result> = () => ({})): { frame(): void } {
  let seen = 0;
  let start: NodeJS.CpuUsage | null = null;
  let done = false;
  let gcFull = 0;
  let gcYoung = 0;
  const gc = new PerformanceObserver((list) => {
    if (start === null) return;
    for (const e of list.getEntries()) {
      const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind;
      if (kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR) gcFull++;
      else if (kind === perfConstants.NODE_PERFORMANCE_GC_MINOR) gcYoung++;
    }
  });
  gc.observe({ entryTypes: ['gc'] });
  return {
    frame() {
      if (done) return;
      seen++;
      if (seen === args.warmup) start = process.cpuUsage();
      if (start !== null && seen === args.warmup + args.frames) {
        const used = process.cpuUsage(start);
        done = true;
        const result: Result = {
          client: args.client,
          frames: args.frames,
          cpuMsPerFrame: (used.user + used.system) / 1000 / args.frames,
          rssMb: process.memoryUsage().rss / 2 ** 20,
          gcFull,
          gcYoung,
          ...extra(),
        };
        process.send?.(result, () => process.exit(0));
      }
    },
  };
}

async function runFloor(args: ClientArgs): Promise<void> {
  const { default: WebSocket } = await import('ws');
  let bytes = 0;
  let elements = 0;
  let parsed = 0;
  const m = meter(args, () => ({ bytesPerFrame: bytes / parsed, elementsPerFrame: elements / parsed }));
  const ws = new WebSocket(`${args.streamUrl}/stream?streams=!miniTicker@arr`, { perMessageDeflate: false });
  ws.on('message', (raw: Buffer) => {
    const text = raw.toString();
    const frame = JSON.parse(text) as { data: unknown[] };
    // Bookkeeping for the report only; two additions are in the noise.
    bytes += raw.length;
    elements += frame.data.length;
    parsed++;
    m.frame();
  });
}

async function runPerch(args: ClientArgs, every: boolean): Promise<void> {
  const { createMarketStreams } = await import('../src/main/exchange/market-streams');
  const { createPortfolioState } = await import('../src/main/portfolio/portfolio-state');
  const lists = JSON.parse(readFileSync(args.watchedFile, 'utf8')) as { watched: string[]; all: string[] };
  const market = createMarketStreams({ streamUrl: args.streamUrl, id: 'bench' });
  const portfolio = createPortfolioState({ environment: 'demo', quote: 'USDT' });
  const m = meter(args, () => ({ elementsPerFrame: undefined }));
  market.watch(['!miniTicker@arr']);
  // As exchange-session sets it: the all-market stream always comes with the watched symbols' focus.
  market.focus(new Set(every ? lists.all : lists.watched));
  // The app's drain (exchange-session flush): changed tickers into the portfolio, then commit.
  let lastMessageAt: number | null = null;
  setInterval(() => {
    portfolio.applyTickers(market.takeChangedTickers());
    portfolio.commit();
    // A frame a second and four drains a second: a new message time is a new frame.
    const at = market.connections()[0]?.lastMessageAt ?? null;
    if (at !== null && at !== lastMessageAt) {
      lastMessageAt = at;
      m.frame();
    }
  }, 250);
}

function peer(name: string): unknown {
  const req = createRequire(join(PEERS, 'package.json'));
  return req(name);
}

async function runBinance(args: ClientArgs): Promise<void> {
  const { WebsocketClient } = peer('binance') as {
    WebsocketClient: new (o: object) => {
      on(e: string, f: (d: unknown) => void): void;
      subscribeAllMini24hrTickers(market: 'spot'): Promise<unknown>;
    };
  };
  const m = meter(args);
  const client = new WebsocketClient({ wsUrl: `${args.streamUrl}/ws` });
  client.on('message', () => m.frame());
  client.on('formattedMessage', () => undefined);
  await client.subscribeAllMini24hrTickers('spot');
}

async function runCcxt(args: ClientArgs): Promise<void> {
  const ccxt = peer('ccxt') as {
    pro: {
      binance: new (o: object) => {
        urls: { api: Record<string, unknown> & { ws: Record<string, string> } };
        loadMarkets(): Promise<unknown>;
        loadHttpProxyAgent(): Promise<unknown>;
        watchTickers(): Promise<unknown>;
      };
    };
  };
  const ex = new ccxt.pro.binance({ options: { fetchMarkets: { types: ['spot'] }, fetchCurrencies: false } });
  ex.urls.api.ws.spot = `${args.streamUrl}/ws`;
  ex.urls.api.public = `${args.restUrl}/api/v3`;
  // ccxt refuses a plain ws:// URL until its HTTP agent is loaded (the simulator is not TLS).
  await ex.loadHttpProxyAgent();
  await ex.loadMarkets();
  const m = meter(args);
  for (;;) {
    await ex.watchTickers();
    m.frame();
  }
}

async function runClient(args: ClientArgs): Promise<void> {
  switch (args.client) {
    case 'floor':
      return runFloor(args);
    case 'perch':
      return runPerch(args, false);
    case 'perch-all':
      return runPerch(args, true);
    case 'binance':
      return runBinance(args);
    case 'ccxt':
      return runCcxt(args);
  }
}

// ------------------------------------------------------------------ the parent

function peerMissing(client: ClientName): string | null {
  if (client !== 'binance' && client !== 'ccxt') return null;
  return existsSync(join(PEERS, 'node_modules', client, 'package.json'))
    ? null
    : `not installed in ${PEERS} (cd ${PEERS} && npm install ${client}); skipped`;
}

function runChild(file: string, argv: readonly string[], timeoutMs: number): Promise<unknown> {
  // PERCH_BENCH_PROFILE=<dir>: a V8 CPU profile of each client, to see where its time goes.
  const profile = process.env.PERCH_BENCH_PROFILE;
  const flags = process.env.PERCH_BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? [];
  const execArgv = ['--import', 'tsx', ...flags, ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [])];
  const child = fork(file, [...argv], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no result within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    child.once('message', (m) => {
      clearTimeout(timer);
      resolve(m);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${String(code)} before reporting`));
    });
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sim: { type: 'boolean', default: false },
      client: { type: 'string' },
      'stream-url': { type: 'string' },
      'rest-url': { type: 'string' },
      'watched-file': { type: 'string', default: '' },
      frames: { type: 'string', default: '60' },
      warmup: { type: 'string', default: '20' },
      watched: { type: 'string', default: '250' },
      symbols: { type: 'string', default: '2500' },
      only: { type: 'string', default: CLIENTS.join(',') },
    },
  });
  const frames = Number(values.frames);
  const warmup = Number(values.warmup);
  if (values.sim) return runSimulator(Number(values.symbols));
  if (values.client !== undefined) {
    return runClient({
      client: values.client as ClientName,
      streamUrl: values['stream-url']!,
      restUrl: values['rest-url']!,
      frames,
      warmup,
      watchedFile: values['watched-file'],
    });
  }

  const self = new URL(import.meta.url).pathname;
  const simChild = fork(self, ['--sim', '--symbols', values.symbols], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const sim = await new Promise<SimInfo>((resolve, reject) => {
    simChild.once('message', (m) => resolve(m as SimInfo));
    simChild.once('exit', (code) => reject(new Error(`simulator exited with ${String(code)}`)));
  });
  const dir = mkdtempSync(join(tmpdir(), 'perch-bench-'));
  // The watched markets: spread over the whole list, as a large portfolio's would be.
  const want = Math.min(Number(values.watched), sim.symbols.length);
  const step = sim.symbols.length / want;
  const watched = Array.from({ length: want }, (_, i) => sim.symbols[Math.floor(i * step)]!);
  const watchedFile = join(dir, 'watched.json');
  writeFileSync(watchedFile, JSON.stringify({ watched, all: sim.symbols }));
  const chosen = values.only
    .split(',')
    .map((s) => s.trim())
    .filter((s): s is ClientName => (CLIENTS as readonly string[]).includes(s));
  console.log(
    `simulator: ${sim.symbols.length} symbols, !miniTicker@arr at 1 frame/s; ${warmup} warm-up + ${frames} measured frames; clients ${chosen.join(', ')} at the same time, each in its own process …`,
  );

  // All clients at once, on the same frames: whatever else the machine does meanwhile weighs on
  // every client alike (run one after the other, the load of the moment decided the ranking).
  const results: Result[] = [];
  try {
    const runs = chosen.map(async (client): Promise<Result> => {
      const missing = peerMissing(client);
      if (missing !== null) return { client, skipped: missing };
      try {
        return (await runChild(
          self,
          [
            '--client',
            client,
            '--stream-url',
            sim.streamUrl,
            '--rest-url',
            sim.restUrl,
            '--watched-file',
            watchedFile,
            '--frames',
            String(frames),
            '--warmup',
            String(warmup),
          ],
          (frames + warmup) * 1000 * 3 + 60_000,
        )) as Result;
      } catch (e) {
        return { client, skipped: `failed: ${e instanceof Error ? e.message : String(e)}` };
      }
    });
    results.push(...(await Promise.all(runs)));
  } finally {
    simChild.send('stop');
    rmSync(dir, { recursive: true, force: true });
  }

  const floor = results.find((r) => r.client === 'floor' && r.cpuMsPerFrame !== undefined);
  console.log('');
  if (floor?.bytesPerFrame !== undefined) {
    console.log(
      `frames: ${(floor.bytesPerFrame / 1024).toFixed(0)} KiB, ${floor.elementsPerFrame!.toFixed(0)} tickers each; perch watches ${want} symbols`,
    );
  }
  console.log('| client | CPU ms / frame | × floor | RSS MiB | GCs full / young |');
  console.log('|---|---:|---:|---:|---:|');
  for (const r of results) {
    if (r.cpuMsPerFrame === undefined) {
      console.log(`| ${r.client} | — | — | ${r.skipped ?? ''} |`);
      continue;
    }
    const ratio = floor?.cpuMsPerFrame ? (r.cpuMsPerFrame / floor.cpuMsPerFrame).toFixed(2) : '—';
    console.log(
      `| ${r.client} | ${r.cpuMsPerFrame.toFixed(2)} | ${ratio} | ${r.rssMb!.toFixed(0)} | ${r.gcFull ?? '—'} / ${r.gcYoung ?? '—'} |`,
    );
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

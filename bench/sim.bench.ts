/**
 * `npm run bench:sim`: what the simulator sustains on this machine.
 *  1. Signed REST requests per second: the simulator runs in its own process (the CLI, with the
 *     REQUEST_WEIGHT limit raised so the limiter does not cap the figure); this process signs every
 *     request with HMAC itself and keeps several keep-alive connections busy for ~5 s.
 *  2. The CPU cost of !miniTicker@arr for 2,500 symbols at 1 Hz (bench/sim-streams.ts, written by
 *     the market part, measured here by calling its benchMiniTickerArr).
 * Prints figures; asserts nothing (benchmarks are not tests).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';

const DURATION_MS = Number(process.env.BENCH_SECONDS ?? '5') * 1000;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? '8');
const TARGET_RPS = 500;

interface SimInfo {
  restUrl: string;
  apiKey: string;
  apiSecret: string;
}

function startSimProcess(): Promise<{ child: ChildProcess; info: SimInfo }> {
  const cli = fileURLToPath(new URL('../src/main/sim/cli.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', cli, '--json', '--port', '0', '--request-weight-limit', '1000000000'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout as NonNullable<typeof child.stdout> });
    rl.once('line', (line) => {
      try {
        resolve({ child, info: JSON.parse(line) as SimInfo });
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
    child.once('exit', (code) => reject(new Error(`simulator exited early (${code ?? 'signal'})`)));
  });
}

function cpuSecondsOf(pid: number): number | undefined {
  // utime + stime from /proc/<pid>/stat, in clock ticks (100 Hz on Linux).
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

async function benchSignedRest(): Promise<void> {
  const { child, info } = await startSimProcess();
  const url = new URL(info.restUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const counts = { ok: 0, other: new Map<number, number>() };
  let latencySum = 0;

  const once = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const query = `omitZeroBalances=true&recvWindow=10000&timestamp=${Date.now()}`;
      const signature = createHmac('sha256', info.apiSecret).update(query).digest('hex');
      const started = performance.now();
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: `/api/v3/account?${query}&signature=${signature}`,
          agent,
          headers: { 'X-MBX-APIKEY': info.apiKey },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            latencySum += performance.now() - started;
            if (res.statusCode === 200) counts.ok++;
            else counts.other.set(res.statusCode ?? 0, (counts.other.get(res.statusCode ?? 0) ?? 0) + 1);
            resolve();
          });
        },
      );
      req.on('error', reject);
      req.end();
    });

  try {
    // Warm-up (JIT, connections).
    const warmEnd = Date.now() + 1000;
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        while (Date.now() < warmEnd) await once();
      }),
    );
    counts.ok = 0;
    counts.other.clear();
    latencySum = 0;
    const cpuBefore = child.pid !== undefined ? cpuSecondsOf(child.pid) : undefined;
    const t0 = performance.now();
    const end = Date.now() + DURATION_MS;
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        while (Date.now() < end) await once();
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    const cpuAfter = child.pid !== undefined ? cpuSecondsOf(child.pid) : undefined;
    const total = counts.ok + [...counts.other.values()].reduce((a, b) => a + b, 0);
    const rps = counts.ok / seconds;
    console.log('signed REST (GET /api/v3/account, HMAC signed per request, simulator in its own process)');
    console.log(`  connections          ${CONNECTIONS} keep-alive`);
    console.log(`  duration             ${seconds.toFixed(2)} s`);
    console.log(
      `  200 replies          ${counts.ok} of ${total}${counts.other.size > 0 ? `  (others: ${JSON.stringify(Object.fromEntries(counts.other))})` : ''}`,
    );
    console.log(
      `  sustained            ${rps.toFixed(0)} signed req/s   (target >= ${TARGET_RPS}: ${rps >= TARGET_RPS ? 'met' : 'NOT met'})`,
    );
    console.log(`  mean latency         ${(latencySum / Math.max(1, total)).toFixed(2)} ms`);
    if (cpuBefore !== undefined && cpuAfter !== undefined) {
      console.log(`  simulator CPU        ${(((cpuAfter - cpuBefore) / seconds) * 100).toFixed(0)}% of one core`);
    }
  } finally {
    agent.destroy();
    child.kill('SIGINT');
    await new Promise((r) => child.once('exit', r));
  }
}

async function benchMiniTicker(): Promise<void> {
  // Imported by path so this script runs (and says so) before the market part adds the file.
  const modUrl = pathToFileURL(fileURLToPath(new URL('./sim-streams.ts', import.meta.url))).href;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(modUrl)) as Record<string, unknown>;
  } catch (err) {
    console.log(`!miniTicker@arr: bench/sim-streams.ts not available (${err instanceof Error ? err.message : String(err)})`);
    return;
  }
  const fn = mod.benchMiniTickerArr;
  if (typeof fn !== 'function') {
    console.log('!miniTicker@arr: bench/sim-streams.ts exports no benchMiniTickerArr');
    return;
  }
  const result: unknown = await (fn as (o: { symbols: number; seconds: number }) => unknown)({
    symbols: 2500,
    seconds: DURATION_MS / 1000,
  });
  console.log('!miniTicker@arr, 2,500 symbols at 1 Hz');
  if (result !== undefined && result !== null) {
    if (typeof result === 'object') for (const [k, v] of Object.entries(result)) console.log(`  ${k.padEnd(20)} ${String(v)}`);
    else console.log(`  ${String(result)}`);
  }
}

async function main(): Promise<void> {
  await benchSignedRest();
  console.log('');
  await benchMiniTicker();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);

/**
 * `npm run bench:orders`: placing an order over REST (POST /api/v3/order) against over the
 * WebSocket API (order.place), side by side, through Perch's own order API (same journal-free
 * path: one send, outcome applied), against the simulator in its own process on this machine.
 * Each round places a resting LIMIT buy well under the market and cancels it (cancel not timed).
 * Prints latency percentiles per transport; asserts nothing (benchmarks are not tests).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createCredentials } from '../src/main/exchange/credentials';
import { simulatorEnvironment } from '../src/main/exchange/environments';
import { createOrderApi, type OrderApi } from '../src/main/exchange/order-api';
import { createRateLimitGovernor } from '../src/main/exchange/rate-limit';
import { createRestClient } from '../src/main/exchange/rest-client';
import { createTimeSync } from '../src/main/exchange/time-sync';
import { createWsApiConnection } from '../src/main/exchange/ws-api-connection';
import { createWsPlaceTransport } from '../src/main/exchange/ws-order-transport';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? '200');

interface SimInfo {
  restUrl: string;
  streamUrl: string;
  wsApiUrl: string;
  apiKey: string;
  apiSecret: string;
}

function startSimProcess(): Promise<{ child: ChildProcess; info: SimInfo }> {
  const cli = fileURLToPath(new URL('../src/main/sim/cli.ts', import.meta.url));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', cli, '--json', '--port', '0', '--request-weight-limit', '1000000000', '--orders-limit', '1000000'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout as NonNullable<typeof child.stdout> });
    rl.once('line', (line) => resolve({ child, info: JSON.parse(line) as SimInfo }));
    child.once('exit', (code) => reject(new Error(`simulator exited early (${code ?? 'signal'})`)));
  });
}

const pct = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

async function run(label: string, api: OrderApi, price: () => string): Promise<void> {
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const clientOrderId = api.newClientOrderId();
    const t0 = performance.now();
    const out = await api.place({
      clientOrderId,
      order: { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.00100', price: price() },
    });
    times.push(performance.now() - t0);
    if (out.status !== 'accepted') throw new Error(`${label}: ${out.status} ${JSON.stringify(out)}`);
    await api.cancel('BTCUSDT', { clientOrderId });
  }
  times.sort((a, b) => a - b);
  const f = (x: number): string => x.toFixed(2).padStart(7);
  console.log(`${label.padEnd(22)} n=${ROUNDS}  p50 ${f(pct(times, 50))} ms  p90 ${f(pct(times, 90))} ms  p99 ${f(pct(times, 99))} ms`);
}

async function main(): Promise<void> {
  const { child, info } = await startSimProcess();
  try {
    const env = simulatorEnvironment({ restUrl: info.restUrl, streamUrl: info.streamUrl, wsApiUrl: info.wsApiUrl });
    const credentials = createCredentials({ type: 'HMAC', apiKey: info.apiKey, secret: info.apiSecret });
    const governor = createRateLimitGovernor();
    const timeSync = createTimeSync({ env, governor });
    const rest = createRestClient({ env, timeSync, governor, credentials });
    const ticker = await rest.request<{ price: string }>({
      method: 'GET',
      path: '/api/v3/ticker/price',
      params: { symbol: 'BTCUSDT' },
      security: 'NONE',
      weight: 2,
    });
    const price = (): string => (Math.floor(Number(ticker.price) * 0.8 * 100) / 100).toFixed(2);
    const ws = createWsApiConnection({ url: env.wsApiUrl });
    ws.start();
    for (let i = 0; ; i++) {
      try {
        await ws.request('ping');
        break;
      } catch {
        if (i > 100) throw new Error('no WebSocket API connection');
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    const viaRest = createOrderApi({ rest });
    const viaWs = createOrderApi({ rest, placeTransport: createWsPlaceTransport({ wsApi: ws, credentials, timeSync }) });
    // Warm-up (connections, JIT), then alternate so both see the same machine state.
    await run('warm-up REST', viaRest, price);
    await run('warm-up WS API', viaWs, price);
    await run('REST POST /order', viaRest, price);
    await run('WS API order.place', viaWs, price);
    viaRest.dispose();
    viaWs.dispose();
    ws.dispose();
  } finally {
    child.kill();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});

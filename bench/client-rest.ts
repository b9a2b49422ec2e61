/**
 * Client REST core: the CPU cost of signing one request (HMAC-SHA256, Ed25519, RSA-2048) with a
 * cached KeyObject, median over many iterations, and signed REST requests per second against the
 * simulator (GET /api/v3/account, sequential and with a few in flight). Prints figures; asserts
 * nothing (benchmarks are not tests).
 *
 * Run: npx tsx bench/client-rest.ts   (BENCH_SIGN_ITERATIONS, BENCH_REQUESTS, BENCH_CONCURRENCY)
 */
import { generateKeyPairSync } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createCredentials, type Credentials } from '../src/main/exchange/credentials';
import { simulatorEnvironment } from '../src/main/exchange/environments';
import { createRateLimitGovernor } from '../src/main/exchange/rate-limit';
import { createRestClient } from '../src/main/exchange/rest-client';
import { encodeParams } from '../src/main/exchange/signing';
import { createTimeSync } from '../src/main/exchange/time-sync';
import { startSimulator } from '../src/main/sim/simulator';

const SIGN_ITERATIONS = Number(process.env.BENCH_SIGN_ITERATIONS ?? '20000');
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? '2000');
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? '8');
const SAMPLES = 25;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/** Median over SAMPLES batches of the per-call cost of building + signing a typical order payload. */
function signCost(creds: Credentials, iterations: number): { medianUs: number } {
  const perCall: number[] = [];
  const batch = Math.max(1, Math.floor(iterations / SAMPLES));
  for (let w = 0; w < Math.min(200, batch); w += 1) creds.sign(`warmup=${w}`);
  for (let s = 0; s < SAMPLES; s += 1) {
    const t0 = performance.now();
    for (let i = 0; i < batch; i += 1) {
      const payload = encodeParams({
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'LIMIT',
        timeInForce: 'GTC',
        quantity: '0.00123',
        price: '64250.12',
        newClientOrderId: `perch-${s}-${i}`,
        recvWindow: 5000,
        timestamp: 1_700_000_000_000 + i,
      });
      creds.sign(payload);
    }
    perCall.push(((performance.now() - t0) * 1000) / batch);
  }
  return { medianUs: median(perCall) };
}

async function main(): Promise<void> {
  const ed = generateKeyPairSync('ed25519');
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  // Raise the simulator's weight limit: the bench measures throughput, not Binance's 6000/min budget.
  const sim = await startSimulator({ seed: 1, rateLimits: { weight: 100_000_000 } });
  try {
    const signers: Array<[string, Credentials, number]> = [
      ['HMAC-SHA256', createCredentials({ type: 'HMAC', apiKey: sim.apiKey, secret: sim.apiSecret }), SIGN_ITERATIONS],
      [
        'Ed25519',
        createCredentials({
          type: 'ED25519',
          apiKey: sim.apiKey,
          privateKeyPem: ed.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        }),
        SIGN_ITERATIONS,
      ],
      [
        'RSA-2048',
        createCredentials({
          type: 'RSA',
          apiKey: sim.apiKey,
          privateKeyPem: rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        }),
        Math.max(SAMPLES, Math.floor(SIGN_ITERATIONS / 20)),
      ],
    ];
    console.log('Signing cost per request (encode params + sign, cached KeyObject), median of batches:');
    for (const [name, creds, n] of signers) {
      const { medianUs } = signCost(creds, n);
      console.log(`  ${name.padEnd(12)} ${medianUs.toFixed(2).padStart(8)} µs/request   (${n} iterations)`);
    }

    const env = simulatorEnvironment({ restUrl: sim.restUrl, streamUrl: sim.streamUrl, wsApiUrl: sim.wsApiUrl });
    // The bench measures the client, not the governor: give it the simulator's room.
    const governor = createRateLimitGovernor({ weightLimit: Number.MAX_SAFE_INTEGER });
    const timeSync = createTimeSync({ env });
    await timeSync.sync('bench');
    const rest = createRestClient({ env, timeSync, governor, credentials: signers[0]![1] });
    const one = () =>
      rest.request({ method: 'GET', path: '/api/v3/openOrders', params: { symbol: 'BTCUSDT' }, security: 'USER_DATA', weight: 6 });
    for (let i = 0; i < 50; i += 1) await one();

    const runs: Array<[string, number]> = [];
    for (const concurrency of [1, CONCURRENCY]) {
      const samples: number[] = [];
      for (let round = 0; round < 3; round += 1) {
        let next = 0;
        const t0 = performance.now();
        await Promise.all(
          Array.from({ length: concurrency }, async () => {
            while (next < REQUESTS) {
              next += 1;
              await one();
            }
          }),
        );
        samples.push(REQUESTS / ((performance.now() - t0) / 1000));
      }
      runs.push([`concurrency ${concurrency}`, median(samples)]);
    }
    console.log(`Signed REST requests/s against the simulator (GET /api/v3/openOrders, HMAC, ${REQUESTS} requests x 3 rounds, median):`);
    for (const [label, rate] of runs) console.log(`  ${label.padEnd(15)} ${rate.toFixed(0).padStart(8)} req/s`);
  } finally {
    await sim.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});

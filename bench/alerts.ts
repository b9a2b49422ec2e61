/**
 * Alerts on the hot path: what 200 active alerts add to every 2,500-symbol frame. The alerts
 * service (in-memory SQLite, the real engine) is fed the changed tickers of a frame exactly as the
 * session's flush does; the same frame against a service with no alerts is the floor. Prices
 * random-walk around the levels, so rules fire, re-arm and are written to the database now and
 * then, as in life. Prints median, p99 and the added cost per frame; asserts nothing.
 * Target (issue 11): <= 0.2 ms added per frame.
 *
 * Run: npm run bench:alerts   (BENCH_FRAMES, BENCH_SYMBOLS, BENCH_ALERTS to change it)
 */
import { performance } from 'node:perf_hooks';
import { createAlertsService, type AlertsService, type TickerUpdate } from '../src/main/alerts/alerts-service';
import { createAlertsRepository } from '../src/main/storage/alerts-repository';
import { openDatabase } from '../src/main/storage/database';
import type { AlertKind } from '../src/shared/domain';

const SYMBOLS = Number(process.env.BENCH_SYMBOLS ?? '2500');
const FRAMES = Number(process.env.BENCH_FRAMES ?? '3000');
const ALERTS = Number(process.env.BENCH_ALERTS ?? '200');
const WARMUP = 200;

let seed = 12345;
const rand = (): number => {
  seed = (seed * 1103515245 + 12345) >>> 0;
  return seed / 2 ** 32;
};

let clock = Date.UTC(2026, 11, 4, 12);
let firedSoFar = 0;
function service(alerts: number): AlertsService {
  const s = createAlertsService({
    repo: createAlertsRepository(openDatabase(':memory:').db),
    now: () => clock,
    offsetMinutes: () => 0,
    privacy: () => false,
    notifications: { show: () => undefined },
    onLog: () => {
      firedSoFar++;
    },
    onRulesChanged: () => undefined,
    onWatchlistChanged: () => undefined,
    onError: () => undefined,
  });
  s.setEnvironment('demo');
  const kinds: AlertKind[] = ['price-above', 'price-below', 'change-window', 'change-24h'];
  for (let i = 0; i < alerts; i++) {
    const kind = kinds[i % kinds.length]!;
    const level = kind.startsWith('price') ? '100' : '2';
    s.create({ kind, symbol: `S${i}USDT`, level, repeat: true, cooldownMs: 0, rearmPercent: '0.5', windowMs: 600_000 });
  }
  return s;
}

const prices = Array.from({ length: SYMBOLS }, () => 100);
function frame(): TickerUpdate[] {
  const out: TickerUpdate[] = [];
  for (let i = 0; i < SYMBOLS; i++) {
    prices[i] = Math.max(1, prices[i]! * (1 + (rand() - 0.5) * 0.004));
    out.push({ symbol: `S${i}USDT`, last: prices[i]!.toFixed(4), open: '100' });
  }
  return out;
}

const withAlerts = service(ALERTS);
const floor = service(0);
const a: number[] = [];
const b: number[] = [];
/** frames of the side with alerts in which something fired (a database write and a banner) */
const firing: number[] = [];
const quiet: number[] = [];

const before = withAlerts.log(100_000).length;
for (let f = 0; f < FRAMES + WARMUP; f++) {
  clock += 1000;
  const fr = frame();
  // random order per frame, so collections do not lock onto one side
  const first = rand() < 0.5;
  for (const side of first ? [0, 1] : [1, 0]) {
    const s = side === 0 ? withAlerts : floor;
    const n0 = side === 0 ? firedSoFar : 0;
    const t0 = performance.now();
    s.observeTickers(fr, true, 'stream');
    const dt = performance.now() - t0;
    if (f >= WARMUP) (side === 0 ? a : b).push(dt);
    if (f >= WARMUP && side === 0) (firedSoFar > n0 ? firing : quiet).push(dt);
  }
}
const fired = withAlerts.log(100_000).length - before;
const q = (xs: number[], p: number): number => [...xs].sort((x, y) => x - y)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
const fmt = (x: number): string => `${x.toFixed(4)} ms`;
console.log(`alerts bench: ${ALERTS} alerts, ${SYMBOLS}-symbol frames, ${FRAMES} frames, ${fired} alerts fired and logged`);
console.log(`  with alerts: median ${fmt(q(a, 0.5))}  p99 ${fmt(q(a, 0.99))}  mean ${fmt(mean(a))}`);
console.log(`  no alerts:   median ${fmt(q(b, 0.5))}  p99 ${fmt(q(b, 0.99))}  mean ${fmt(mean(b))}`);
console.log(
  `  frames with alerts where nothing fired (${quiet.length}): median ${fmt(q(quiet, 0.5))}  p99 ${fmt(q(quiet, 0.99))}  mean ${fmt(mean(quiet))}`,
);
console.log(
  `  frames where something fired (${firing.length}; logged in SQLite, banner): median ${fmt(q(firing, 0.5))}  p99 ${fmt(q(firing, 0.99))}`,
);
console.log(
  `  evaluation added per frame (nothing fired): median ${fmt(q(quiet, 0.5) - q(b, 0.5))}  mean ${fmt(mean(quiet) - mean(b))}  (target <= 0.2 ms)`,
);
console.log(`  added per frame: median ${fmt(q(a, 0.5) - q(b, 0.5))}  mean ${fmt(mean(a) - mean(b))}  (target <= 0.2 ms)`);

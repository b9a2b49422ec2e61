/**
 * CPU cost of the simulator emitting !miniTicker@arr for many symbols at 1 Hz to one client.
 * The client runs in a child process, so the figure is the simulator's own cost: the market step,
 * the 24 h windows of the changed symbols, serialising the frame once and writing it.
 *
 *   tsx bench/sim-streams.ts            prints the figures for 2,500 symbols
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { createClock } from '../src/main/sim/clock';
import { createMarket } from '../src/main/sim/market/model';
import { createStreamServer } from '../src/main/sim/market/streams';
import type { FaultAction, Faults } from '../src/main/sim/types';

export interface MiniTickerArrBench {
  framesSent: number;
  bytesPerFrame: number;
  cpuMsPerFrame: number;
  cpuPercentOfCore: number;
  /** Average number of tickers in a frame (only changed symbols are sent). */
  symbolsPerFrame: number;
}

function quietFaults(): Faults {
  const listeners = new Set<(a: FaultAction) => void>();
  return {
    state: {
      latencyMs: 0,
      hangPaths: [],
      orderFaults: [],
      unknownOrderQueries: new Map(),
      force429: 0,
      banUntil: 0,
      silentSockets: false,
      noPongs: false,
      refuseUpgrades: 0,
      reorderUserEvents: false,
      duplicateUserEvents: false,
      bigIds: false,
    },
    takeOrderFault: () => undefined,
    takeUnknownOrderQuery: () => false,
    reset: () => undefined,
    closeAll: () => undefined,
    serverShutdown: () => undefined,
    eventStreamTerminated: () => undefined,
    onAction: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
}

// The client counts frames and bytes and reports each frame on stdout; it never parses JSON.
const CLIENT = `
const WebSocket = require('ws');
const ws = new WebSocket(process.argv[1]);
ws.on('message', (d) => {
  const s = d.toString();
  let n = 0; for (let i = s.indexOf('"e":"24hrMiniTicker"'); i >= 0; i = s.indexOf('"e":"24hrMiniTicker"', i + 1)) n++;
  process.stdout.write('F ' + d.length + ' ' + n + '\\n');
});
ws.on('close', () => process.exit(0));
ws.on('error', () => process.exit(1));
`;

export async function benchMiniTickerArr(opts: { symbols: number; seconds: number }): Promise<MiniTickerArrBench> {
  const clock = createClock();
  const market = createMarket({ clock, seed: 1, speed: 1, symbolCount: opts.symbols, stepMs: 1000 });
  const faults = quietFaults();
  const streams = createStreamServer({ market, clock, faults, lifetimeMs: 86_400_000 });
  const server = createServer((_q, r) => r.end());
  server.on('upgrade', (req, socket, head) => {
    if (!streams.handleUpgrade(req, socket, head, new URL(req.url ?? '/', 'http://127.0.0.1'))) socket.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const child = spawn(process.execPath, ['-e', CLIENT, `ws://127.0.0.1:${port}/ws/!miniTicker@arr`], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
  });

  const frames: { bytes: number; symbols: number }[] = [];
  let buffered = '';
  let onFrame: (() => void) | undefined;
  child.stdout.on('data', (d: Buffer) => {
    buffered += d.toString();
    let i;
    while ((i = buffered.indexOf('\n')) >= 0) {
      const [, bytes, n] = buffered.slice(0, i).split(' ');
      buffered = buffered.slice(i + 1);
      frames.push({ bytes: Number(bytes), symbols: Number(n) });
      onFrame?.();
    }
  });
  const waitFrames = (count: number) =>
    new Promise<void>((resolve) => {
      if (frames.length >= count) return resolve();
      onFrame = () => {
        if (frames.length >= count) {
          onFrame = undefined;
          resolve();
        }
      };
    });

  market.start();
  try {
    // Warm-up: the first frames build the 24 h summaries of every symbol.
    await waitFrames(3);
    const from = frames.length;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, opts.seconds * 1000));
    const cpu = process.cpuUsage(cpu0);
    const wallMs = performance.now() - t0;
    const measured = frames.slice(from);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    const n = Math.max(1, measured.length);
    return {
      framesSent: measured.length,
      bytesPerFrame: Math.round(measured.reduce((s, f) => s + f.bytes, 0) / n),
      cpuMsPerFrame: cpuMs / n,
      cpuPercentOfCore: (cpuMs / wallMs) * 100,
      symbolsPerFrame: Math.round(measured.reduce((s, f) => s + f.symbols, 0) / n),
    };
  } finally {
    market.stop();
    streams.dispose();
    child.kill();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const symbols = 2500;
  const seconds = 15;
  const r = await benchMiniTickerArr({ symbols, seconds });
  console.log(`!miniTicker@arr, ${symbols} symbols at 1 Hz, ${seconds} s measured:`);
  console.log(`  frames sent        ${r.framesSent}`);
  console.log(`  tickers per frame  ${r.symbolsPerFrame}`);
  console.log(`  bytes per frame    ${r.bytesPerFrame}`);
  console.log(`  CPU per frame      ${r.cpuMsPerFrame.toFixed(2)} ms`);
  console.log(`  CPU of one core    ${r.cpuPercentOfCore.toFixed(2)} %`);
}

/**
 * `npm run web`: Perch's real renderer in a browser, against the real core in demo mode.
 * Dev and test only. With --json it prints exactly one JSON line (URLs, token, the simulator's
 * control endpoint and demo key) for test harnesses; otherwise a short human message. Either way
 * the page address it prints carries the access token: only its holder gets the page.
 */
import { parseArgs } from 'node:util';
import { startWebHost, type ExternalSimulator, type WebHostOptions } from './host';

const USAGE = `Usage: npx tsx src/webhost/cli.ts [options]

Serves the built renderer (npx electron-vite build) on 127.0.0.1 with the Perch core in Node,
in demo mode on the built-in simulator.

Options:
  --port N              port (default 0 = pick a free one)
  --data-dir DIR        settings, database and log here (default: a fresh temp dir, removed on exit)
  --renderer-dir DIR    the built renderer (default out/renderer)
  --seed N              simulator seed (default 1)
  --symbols N           simulator symbol count (e.g. 2500 for load tests)
  --holdings N          credit the demo account with N extra synthetic assets
  --local-environments  point Spot Testnet and Binance Demo Mode at the local simulator
  --allow-production    allow Binance's live exchange (refused by default: this is a dev tool)
  --flush-ms N          portfolio event coalescing period (default 250)
  --sim-json JSON       use a simulator running elsewhere: the line \`npm run sim -- --json\` printed
  --json                print one JSON line with URLs and keys, nothing else
  --verbose             log lines to stderr too
  -h, --help
`;

function int(name: string, raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^[0-9]+$/.test(raw)) throw new Error(`--${name} must be a non-negative integer`);
  const n = Number(raw);
  if (n < min || n > max) throw new Error(`--${name} must be between ${min} and ${max}`);
  return n;
}

function parseSimJson(raw: string): ExternalSimulator {
  const v = JSON.parse(raw) as Record<string, unknown>;
  const need = (k: keyof ExternalSimulator): string => {
    const x = v[k];
    if (typeof x !== 'string' || x === '') throw new Error(`--sim-json: missing ${k}`);
    return x;
  };
  return {
    restUrl: need('restUrl'),
    streamUrl: need('streamUrl'),
    wsApiUrl: need('wsApiUrl'),
    controlUrl: need('controlUrl'),
    controlToken: need('controlToken'),
    apiKey: need('apiKey'),
    apiSecret: need('apiSecret'),
  };
}

async function main(argv: readonly string[]): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        'renderer-dir': { type: 'string' },
        seed: { type: 'string' },
        symbols: { type: 'string' },
        holdings: { type: 'string' },
        'local-environments': { type: 'boolean' },
        'allow-production': { type: 'boolean' },
        'flush-ms': { type: 'string' },
        'sim-json': { type: 'string' },
        json: { type: 'boolean' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  let options: WebHostOptions;
  try {
    options = {
      port: int('port', values.port, 0, 65535) ?? 0,
      ...(values['data-dir'] !== undefined ? { dataDir: values['data-dir'] } : {}),
      ...(values['renderer-dir'] !== undefined ? { rendererDir: values['renderer-dir'] } : {}),
      seed: int('seed', values.seed, 0, 2 ** 31) ?? 1,
      ...(values.symbols !== undefined ? { symbolCount: int('symbols', values.symbols, 1, 10_000) } : {}),
      ...(values.holdings !== undefined ? { extraHoldings: int('holdings', values.holdings, 0, 10_000) } : {}),
      ...(values['flush-ms'] !== undefined ? { flushIntervalMs: int('flush-ms', values['flush-ms'], 10, 10_000) } : {}),
      ...(values['sim-json'] !== undefined ? { externalSimulator: parseSimJson(values['sim-json']) } : {}),
      localEnvironments: values['local-environments'] ?? false,
      allowProduction: values['allow-production'] ?? false,
      verbose: values.verbose ?? false,
    };
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n\n${USAGE}`);
    process.exit(2);
  }

  const host = await startWebHost(options);
  if (values.json) {
    const sim = host.simulator;
    process.stdout.write(
      `${JSON.stringify({
        url: host.url,
        origin: host.origin,
        port: host.port,
        token: host.token,
        pid: process.pid,
        dataDir: host.dataDir,
        logFile: host.logFile,
        simulator: {
          restUrl: sim.restUrl,
          streamUrl: sim.streamUrl,
          wsApiUrl: sim.wsApiUrl,
          controlUrl: sim.controlUrl,
          controlToken: sim.controlToken,
          apiKey: sim.apiKey,
          apiSecret: sim.apiSecret,
        },
      })}\n`,
    );
  } else {
    process.stdout.write(
      `Perch web host (demo mode). Open:\n  ${host.url}\n` +
        'That address is the access key to this host (its page can use any key you give it): do not share it.\n' +
        (options.allowProduction ? 'WARNING: --allow-production: the live Binance exchange is reachable from this host.\n' : '') +
        `Data: ${host.dataDir}\nPress Ctrl-C to stop.\n`,
    );
  }

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    host.stop().then(
      () => process.exit(0),
      (e: unknown) => {
        process.stderr.write(`stop failed: ${e instanceof Error ? e.message : String(e)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});

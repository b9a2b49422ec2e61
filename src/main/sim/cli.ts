/**
 * `npm run sim`: the simulator standalone on 127.0.0.1, for manual testing with any Binance client.
 * With --json it prints exactly one line (a JSON object with the URLs and the demo key).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startSimulator } from './simulator';
import type { Simulator, SimulatorOptions } from './simulator';

const USAGE = `Usage: npm run sim -- [options]

Starts a Binance-compatible exchange simulator on 127.0.0.1.

Options:
  --port N                  port to listen on (0 = pick a free one; default 0)
  --seed N                  market model seed (default 1)
  --speed X                 time compression of the market model (default 1)
  --symbols N               number of symbols (default: the built-in catalogue)
  --api-key KEY             HMAC API key of the funded demo account (default random)
  --api-secret SECRET       its secret (default random)
  --ed25519-public-key FILE also register this Ed25519 public key (PEM) for the demo account
  --clock MS                fix the server clock at this epoch ms (it advances from there)
  --clock-offset MS         server clock = real clock + MS
  --control-token TOKEN     bearer token for the control endpoint (default random)
  --request-weight-limit N  REQUEST_WEIGHT per minute per IP (default 6000, as Binance; raise for load tests)
  --orders-limit N          ORDERS per 10 s per account (default 100, as Binance; the daily limit rises with it)
  --market-step-ms N        market model step in ms (a large value keeps prices still; crash tests move them by control)
  --json                    print one JSON line with the URLs and keys, nothing else
  -h, --help                show this help
`;

class UsageError extends Error {}

function int(name: string, raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^-?[0-9]+$/.test(raw)) throw new UsageError(`--${name} must be an integer, got '${raw}'`);
  const n = Number(raw);
  if (n < min || n > max) throw new UsageError(`--${name} must be between ${min} and ${max}, got ${raw}`);
  return n;
}

/** `--clock-offset -2000` is meant as a value; parseArgs would take "-2000" for an option. */
function joinNegativeValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const next = argv[i + 1];
    if (arg.startsWith('--') && !arg.includes('=') && next !== undefined && /^-[0-9]/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

function parseCliArgs(argv: readonly string[]): { help: boolean; json: boolean; options: SimulatorOptions } {
  let parsed;
  try {
    parsed = parseArgs({
      args: joinNegativeValues(argv),
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        seed: { type: 'string' },
        speed: { type: 'string' },
        symbols: { type: 'string' },
        'api-key': { type: 'string' },
        'api-secret': { type: 'string' },
        'ed25519-public-key': { type: 'string' },
        clock: { type: 'string' },
        'clock-offset': { type: 'string' },
        'control-token': { type: 'string' },
        'request-weight-limit': { type: 'string' },
        'orders-limit': { type: 'string' },
        'market-step-ms': { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const v = parsed.values;
  const speedRaw = v.speed;
  let speed: number | undefined;
  if (speedRaw !== undefined) {
    speed = Number(speedRaw);
    if (!/^[0-9]+(\.[0-9]+)?$/.test(speedRaw) || !(speed > 0)) throw new UsageError(`--speed must be a positive number, got '${speedRaw}'`);
  }
  const apiKey = v['api-key'];
  const apiSecret = v['api-secret'];
  if ((apiKey === undefined) !== (apiSecret === undefined)) throw new UsageError('--api-key and --api-secret go together');
  if (apiKey !== undefined && !/^[\x21-\x7e]{1,128}$/.test(apiKey))
    throw new UsageError('--api-key must be 1-128 printable ASCII characters');
  let ed25519PublicKeyPem: string | undefined;
  const edFile = v['ed25519-public-key'];
  if (edFile !== undefined) {
    try {
      ed25519PublicKeyPem = readFileSync(edFile, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read --ed25519-public-key ${edFile}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (v.clock !== undefined && v['clock-offset'] !== undefined) throw new UsageError('use --clock or --clock-offset, not both');
  const port = int('port', v.port, 0, 65535);
  const seed = int('seed', v.seed, 0, 2 ** 32 - 1);
  const symbolCount = int('symbols', v.symbols, 1, 100_000);
  const clockMs = int('clock', v.clock, 1_483_228_800_000, 8_640_000_000_000);
  const clockOffsetMs = int('clock-offset', v['clock-offset'], -1e13, 1e13);
  const weightLimit = int('request-weight-limit', v['request-weight-limit'], 1, 1e12);
  const ordersLimit = int('orders-limit', v['orders-limit'], 1, 1e12);
  const marketStepMs = int('market-step-ms', v['market-step-ms'], 1, 1e10);
  const options: SimulatorOptions = {
    ...(port !== undefined ? { port } : {}),
    ...(seed !== undefined ? { seed } : {}),
    ...(speed !== undefined ? { speed } : {}),
    ...(symbolCount !== undefined ? { symbolCount } : {}),
    ...(apiKey !== undefined ? { apiKey } : {}),
    ...(apiSecret !== undefined ? { apiSecret } : {}),
    ...(ed25519PublicKeyPem !== undefined ? { ed25519PublicKeyPem } : {}),
    ...(clockMs !== undefined ? { clockMs } : {}),
    ...(clockOffsetMs !== undefined ? { clockOffsetMs } : {}),
    ...(v['control-token'] !== undefined ? { controlToken: v['control-token'] } : {}),
    ...(weightLimit !== undefined || ordersLimit !== undefined
      ? {
          rateLimits: {
            ...(weightLimit !== undefined ? { weight: weightLimit } : {}),
            ...(ordersLimit !== undefined ? { orders10s: ordersLimit, orders1d: Math.max(200_000, ordersLimit * 8640) } : {}),
          },
        }
      : {}),
    ...(marketStepMs !== undefined ? { marketStepMs } : {}),
  };
  return { help: v.help === true, json: v.json === true, options };
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseCliArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`sim: ${err.message}\n\n${USAGE}`);
      process.exit(2);
    }
    throw err;
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return;
  }
  // Handlers go in before anything is printed, so a Ctrl-C right after the first line is clean.
  let sim: Simulator | undefined;
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    (sim?.stop() ?? Promise.resolve()).then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`sim: error while stopping: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    sim = await startSimulator(args.options);
    if (stopping) {
      await sim.stop();
      process.exit(0);
    }
  } catch (err) {
    process.stderr.write(`sim: could not start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
  const info = {
    restUrl: sim.restUrl,
    streamUrl: sim.streamUrl,
    wsApiUrl: sim.wsApiUrl,
    controlUrl: sim.controlUrl,
    controlToken: sim.controlToken,
    apiKey: sim.apiKey,
    apiSecret: sim.apiSecret,
    ...(sim.ed25519ApiKey !== undefined ? { ed25519ApiKey: sim.ed25519ApiKey } : {}),
    demoAccountId: sim.demoAccountId,
    port: sim.port,
    serverTime: sim.clock.now(),
  };
  if (args.json) {
    process.stdout.write(`${JSON.stringify(info)}\n`);
  } else {
    const lines = [
      'Perch exchange simulator (Binance Spot API compatible), 127.0.0.1 only',
      `  REST base        ${info.restUrl}        (append /api/v3/...)`,
      `  Market streams   ${info.streamUrl}          (append /ws/<stream> or /stream?streams=...)`,
      `  WebSocket API    ${info.wsApiUrl}`,
      `  Control          ${info.controlUrl}   (Authorization: Bearer ${info.controlToken}; routes: src/main/sim/server/control.ts)`,
      `  Demo account     HMAC apiKey ${info.apiKey}`,
      `                   secret      ${info.apiSecret}`,
      ...(info.ed25519ApiKey !== undefined ? [`                   Ed25519 apiKey ${info.ed25519ApiKey}`] : []),
      `  Server time      ${new Date(info.serverTime).toISOString()}`,
      'Press Ctrl-C to stop.',
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`sim: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

/**
 * The web host (dev and test only, never part of the Electron build): the same core as the app,
 * built with Node adapters, serving the built renderer on 127.0.0.1 and the IPC contract over a
 * loopback WebSocket protected by a per-run token. Playwright drives the real renderer against
 * the real core through it; `npm run web` lets a person click through Perch in a browser.
 *
 * Any local process can connect to a loopback port and send whatever Host and Origin it likes,
 * so those headers only keep out other sites' pages: the per-run token is what admits a
 * WebSocket, and it is never in a cookie (browsers send 127.0.0.1 cookies to every port, so any
 * other local server would get it). The printed URL carries it in the fragment (`/#t=…`), which
 * browsers never send anywhere; the bridge script moves it into sessionStorage (per origin,
 * port included), clears it from the address bar and presents it when opening the WebSocket.
 * The page and its assets hold no secret, so they are served to anyone. Responses forbid
 * framing. Binance's live exchange is refused unless the host was started with `allowProduction`.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { COMMAND_NAMES, type CommandName, type EventName } from '../shared/ipc/channels';
import { AppError } from '../shared/ipc/result';
import { createCore, type Core } from '../main/core/create-core';
import type { DemoSimulator, LoggerPort, LogLevel, SecretStorePort } from '../main/core/ports';
import { describeError } from '../main/core/redacting-logger';
import { toAppError } from '../main/core/errors';
import { simulatorEnvironment } from '../main/exchange/environments';
import { createCommandRouter, type CommandHandler, type CommandHandlers } from '../main/ipc/command-router';
import { createEventBroadcaster, type EventTarget } from '../main/ipc/event-broadcaster';
import { createOriginSenderCheck } from '../main/ipc/sender-check';
import { DEMO_ACCOUNT_ID, startSimulator, type Simulator } from '../main/sim/simulator';
import { openDatabase, type Database } from '../main/storage/database';
import { createMemorySecretStore } from '../main/storage/secret-store';
import { createFileSettingsBackend, createSettingsStore } from '../main/storage/settings';
import { bridgeScript } from './bridge-script';
import { injectBridge, mimeType, readStatic } from './static-files';

export interface WebHostOptions {
  /** 0 or absent: pick a free port. */
  readonly port?: number;
  /** Where settings.json, perch.sqlite and perch.log go; a fresh temp dir when absent. */
  readonly dataDir?: string;
  /** The built renderer (out/renderer after `npx electron-vite build`). */
  readonly rendererDir?: string;
  readonly seed?: number;
  /** Simulator symbols (the catalogue is padded with SYNnnnnUSDT markets). */
  readonly symbolCount?: number;
  /** Credit the demo account with this many extra synthetic assets (benchmarks: many holdings). */
  readonly extraHoldings?: number;
  /**
   * Point 'testnet' and 'demo-mode' at the built-in simulator, so onboarding with a key can be
   * tried (and tested) without the internet. The simulator serves /sapi, so key health works.
   */
  readonly localEnvironments?: boolean;
  /** Portfolio event coalescing period, ms (core default 250). */
  readonly flushIntervalMs?: number;
  /** Also print log lines to stderr. */
  readonly verbose?: boolean;
  /**
   * Use a simulator running in another process (the JSON line of `npm run sim -- --json`)
   * instead of starting one here: benchmarks measure the host's CPU without the exchange's.
   */
  readonly externalSimulator?: ExternalSimulator;
  /**
   * Allow Binance's live exchange ('production'). Off by default: this is a dev tool, and a key
   * given to it could place real orders. Commands naming 'production' answer 'not-allowed'.
   */
  readonly allowProduction?: boolean;
  /** Where keys are kept (default: in memory, gone when the host stops). Tests inject faults. */
  readonly secrets?: SecretStorePort;
}

/** What the host and its tests need to know about the simulator. */
export interface SimulatorInfo {
  readonly restUrl: string;
  readonly streamUrl: string;
  readonly wsApiUrl: string;
  readonly controlUrl: string;
  readonly controlToken: string;
  readonly apiKey: string;
  readonly apiSecret: string;
}

export type ExternalSimulator = SimulatorInfo;

export interface WebHostStats {
  readonly clients: number;
  readonly eventMessages: number;
  readonly eventBytes: number;
  readonly bytesByEvent: Readonly<Record<string, number>>;
  readonly startedAt: number;
  readonly cpu: NodeJS.CpuUsage;
}

export interface WebHost {
  /** What to open: the page address with the per-run token (`/#t=…`). Only for whoever started the host. */
  readonly url: string;
  readonly origin: string;
  readonly port: number;
  readonly token: string;
  readonly dataDir: string;
  readonly logFile: string;
  readonly simulator: SimulatorInfo;
  readonly core: Core;
  stats(): WebHostStats;
  stop(): Promise<void>;
}

const MAX_MESSAGE_BYTES = 1_000_000;

export const PRODUCTION_REFUSED_MESSAGE =
  'The web host is a development and test tool: it does not connect to the live Binance exchange. ' +
  'Use the Perch desktop app, or start the web host with --allow-production if you really mean to.';

/** Every command that names an environment refuses 'production' (switching to it, or any key of it). */
function refuseProduction(handlers: CommandHandlers): CommandHandlers {
  const out: Partial<Record<CommandName, CommandHandler<CommandName>>> = {};
  for (const name of COMMAND_NAMES) {
    const inner = handlers[name] as CommandHandler<CommandName>;
    out[name] = (input, ctx) => {
      if (typeof input === 'object' && input !== null && (input as { environment?: unknown }).environment === 'production') {
        throw new AppError('not-allowed', PRODUCTION_REFUSED_MESSAGE);
      }
      return inner(input, ctx);
    };
  }
  return out as CommandHandlers;
}

const NO_STORE = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' } as const;

/**
 * On every response: no other page may frame this one (clickjacking the order form). As HTTP
 * headers, because a <meta> CSP cannot carry frame-ancestors; X-Frame-Options for old engines.
 */
export const FRAME_HEADERS = { 'Content-Security-Policy': "frame-ancestors 'none'", 'X-Frame-Options': 'DENY' } as const;

function tokenEquals(given: string | null, expected: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function createFileLogger(file: string, verbose: boolean): LoggerPort {
  return {
    log(level: LogLevel, message: string, fields) {
      const line = JSON.stringify({ t: new Date().toISOString(), level, message, ...(fields ?? {}) });
      try {
        appendFileSync(file, `${line}\n`);
      } catch {
        // a log line is not worth crashing the host
      }
      if (verbose) process.stderr.write(`${line}\n`);
    },
  };
}

/** The host owns the simulator; the core may "stop" it when leaving demo, which must not end it. */
function demoFacade(sim: SimulatorInfo, reset: (accountId: string) => void): DemoSimulator {
  return {
    restUrl: sim.restUrl,
    streamUrl: sim.streamUrl,
    wsApiUrl: sim.wsApiUrl,
    apiKey: sim.apiKey,
    apiSecret: sim.apiSecret,
    demoAccountId: DEMO_ACCOUNT_ID,
    accounts: { reset },
    stop: async () => {},
  };
}

/** Benchmarks: give the demo account many priced assets (the simulator's SYNnnnn markets). */
async function creditSyntheticAssets(
  local: Simulator | null,
  info: SimulatorInfo,
  count: number,
  control: (path: string, body: unknown) => Promise<void>,
): Promise<void> {
  let assets: string[];
  if (local !== null) {
    assets = local.market.symbols().map((s) => s.baseAsset);
  } else {
    const res = await fetch(`${info.restUrl}/api/v3/exchangeInfo`);
    const body = (await res.json()) as { symbols: { baseAsset: string }[] };
    assets = body.symbols.map((s) => s.baseAsset);
  }
  const synthetic = [...new Set(assets.filter((a) => a.startsWith('SYN')))].slice(0, count);
  for (const asset of synthetic) {
    if (local !== null) local.accounts.adjustBalance(DEMO_ACCOUNT_ID, asset, '1000');
    else await control('/balance', { asset, delta: '1000' });
  }
}

export async function startWebHost(options: WebHostOptions = {}): Promise<WebHost> {
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'perch-web-'));
  mkdirSync(dataDir, { recursive: true });
  const rendererDir = resolve(options.rendererDir ?? join(import.meta.dirname, '../../out/renderer'));
  const logFile = join(dataDir, 'perch.log');
  const logger = createFileLogger(logFile, options.verbose ?? false);
  const token = randomBytes(32).toString('hex');
  const allowProduction = options.allowProduction ?? false;

  const external = options.externalSimulator;
  const local: Simulator | null =
    external === undefined
      ? await startSimulator({
          seed: options.seed ?? 1,
          demoHistory: true,
          ...(options.symbolCount !== undefined ? { symbolCount: options.symbolCount } : {}),
        })
      : null;
  const simulator: SimulatorInfo = local ?? (external as SimulatorInfo);
  const control = async (path: string, body: unknown): Promise<void> => {
    const res = await fetch(`${simulator.controlUrl}${path}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${simulator.controlToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`simulator control ${path} answered ${res.status}`);
  };
  if (options.extraHoldings !== undefined && options.extraHoldings > 0) {
    await creditSyntheticAssets(local, simulator, options.extraHoldings, control);
  }
  let database: Database | null = null;
  let theCore: Core;
  /** The notification port of the web host: banners become an in-page list (tests read it there). */
  let showNotification: (n: { title: string; body: string; view: 'alerts' | 'orders' | 'holdings' | 'settings' }) => void = () => undefined;
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  try {
    const settings = createSettingsStore(createFileSettingsBackend(join(dataDir, 'settings.json')));
    if (!allowProduction && settings.get().environment === 'production') {
      throw new AppError('not-allowed', `${PRODUCTION_REFUSED_MESSAGE} (The settings in ${dataDir} select it.)`);
    }
    database = openDatabase(join(dataDir, 'perch.sqlite'));
    const facade = demoFacade(
      simulator,
      local
        ? (id) => local.engine.resetAccount(id)
        : (id) =>
            void control('/account/reset', { accountId: id }).catch((e: unknown) =>
              logger.log('warn', 'demo reset failed', { error: String(e) }),
            ),
    );
    const simEnv = simulatorEnvironment(simulator, { label: 'Simulated exchange (local)' });
    theCore = createCore({
      secrets: options.secrets ?? createMemorySecretStore(),
      settings,
      database,
      logger,
      appVersion: '0.1.0-web',
      notifications: { show: (n) => showNotification(n) },
      initialNotices: settings.takeStartupNotices(),
      demo: { seed: options.seed ?? 1, startSimulator: async () => facade },
      ...(options.localEnvironments ? { environmentOverrides: { testnet: simEnv, 'demo-mode': simEnv } } : {}),
      ...(options.flushIntervalMs !== undefined ? { flushIntervalMs: options.flushIntervalMs } : {}),
    });
  } catch (e) {
    database?.close();
    await local?.stop();
    throw e;
  }

  /** The core's redactor (it knows every secret the core has handled) in front of the log file. */
  const redacting = theCore.inspect.logger;

  // ---------------------------------------------------------------- events out
  const clients = new Set<WebSocket>();
  let eventMessages = 0;
  let eventBytes = 0;
  const bytesByEvent: Record<string, number> = {};
  const targets = (): Iterable<EventTarget> =>
    [...clients].map((ws) => ({
      isDestroyed: () => ws.readyState !== ws.OPEN,
      send: (channel: EventName, payload: unknown) => {
        const text = JSON.stringify({ t: 'event', name: channel, payload });
        eventMessages++;
        eventBytes += Buffer.byteLength(text);
        bytesByEvent[channel] = (bytesByEvent[channel] ?? 0) + Buffer.byteLength(text);
        ws.send(text);
      },
    }));
  const broadcast = createEventBroadcaster({
    targets,
    validate: true,
    onError: (event, error) => redacting.error(`event ${event} not sent`, { error: describeError(error, redacting) }),
  });
  theCore.onEvent((name, payload) => broadcast(name, payload));
  showNotification = ({ title, body, view }) => broadcast('notifications:shown', { title, body, view, at: Date.now() });

  // ---------------------------------------------------------------- HTTP + WS
  let origin = '';
  let hostHeader = '';
  let senderCheck: ReturnType<typeof createOriginSenderCheck> = () => false;
  const router = createCommandRouter({
    handlers: allowProduction ? theCore.handlers : refuseProduction(theCore.handlers),
    // Only connections that presented the token exist (checked at upgrade);
    // the frame origin must also be this host's own page.
    isTrustedSender: (sender) => sender.transport === 'websocket' && senderCheck(sender),
    validateOutput: true,
    // An unexpected error's message may quote its input (V8's JSON.parse does): only redacted text is logged.
    onInternalError: (command, error) => redacting.error(`command ${command} failed`, { error: describeError(error, redacting) }),
    // exchange errors become Result codes with a person's message, here for every command
    toPublicError: (error) => toAppError(error, redacting),
  });

  /** The page holds no secret (the bridge takes the token from the URL fragment), so anyone may have it. */
  const html = async (res: ServerResponse): Promise<void> => {
    const file = await readStatic(rendererDir, '/index.html');
    if (file === null) {
      res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`The renderer is not built. Run \`npx electron-vite build\` first (looked in ${rendererDir}).\n`);
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', ...NO_STORE });
    res.end(injectBridge(file.body.toString('utf8')));
  };

  const onRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    for (const [name, value] of Object.entries(FRAME_HEADERS)) res.setHeader(name, value);
    // DNS rebinding: a page on another name that resolves to 127.0.0.1 is not this host.
    if (req.headers.host !== hostHeader) {
      res.writeHead(421, { 'Content-Type': 'text/plain' });
      res.end('wrong host\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' });
      res.end();
      return;
    }
    const url = new URL(req.url ?? '/', origin);
    if (url.pathname === '/__perch/bridge.js') {
      res.writeHead(200, {
        'Content-Type': 'text/javascript; charset=utf-8',
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
      });
      res.end(bridgeScript());
      return;
    }
    if (url.pathname === '/__perch/stats') {
      if (!tokenEquals(req.headers.authorization?.replace(/^Bearer /, '') ?? null, token)) {
        res.writeHead(403, { 'Content-Type': 'application/json' });
        res.end('{"error":"forbidden"}');
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(host.stats()));
      return;
    }
    if (url.pathname === '/favicon.ico') {
      // Chromium asks for it on every page; the app has none
      res.writeHead(204);
      res.end();
      return;
    }
    if (url.pathname === '/' || url.pathname === '/index.html') {
      await html(res);
      return;
    }
    const file = await readStatic(rendererDir, url.pathname);
    if (file === null) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found\n');
      return;
    }
    res.writeHead(200, { 'Content-Type': mimeType(file.path), 'X-Content-Type-Options': 'nosniff' });
    res.end(req.method === 'HEAD' ? undefined : file.body);
  };

  const refuse = (socket: Duplex, status: number, text: string): void => {
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = new URL(req.url ?? '/', origin);
    if (url.pathname !== '/__perch/ws' || req.headers.host !== hostHeader) return refuse(socket, 404, 'Not Found');
    // Browsers always send Origin on WebSocket upgrades; another site's page cannot fake it, but
    // any local program can, so the token is what actually admits a client. Cookies admit nothing:
    // the browser would also send them to every other server on 127.0.0.1.
    const admitted = tokenEquals(url.searchParams.get('token'), token);
    if (req.headers.origin !== origin || !admitted) return refuse(socket, 403, 'Forbidden');
    wss.handleUpgrade(req, socket, head, (ws) => {
      clients.add(ws);
      const sender = { transport: 'websocket' as const, frameUrl: req.headers.origin ?? null, webContentsId: null };
      ws.on('message', (data, isBinary) => {
        if (isBinary) return;
        let msg: { t?: unknown; id?: unknown; name?: unknown; input?: unknown };
        try {
          msg = JSON.parse(data.toString()) as typeof msg;
        } catch {
          return;
        }
        if (msg.t !== 'call' || typeof msg.id !== 'number') return;
        const id = msg.id;
        void router.dispatch(typeof msg.name === 'string' ? msg.name : '', msg.input, sender).then((result) => {
          if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ t: 'result', id, result }));
        });
      });
      ws.on('close', () => clients.delete(ws));
      ws.on('error', () => clients.delete(ws));
    });
  };

  const srv = createServer((req, res) => {
    onRequest(req, res).catch((e: unknown) => {
      redacting.error('web host request failed', { error: describeError(e, redacting) });
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  srv.on('upgrade', onUpgrade);
  await new Promise<void>((ok, fail) => {
    srv.once('error', fail);
    srv.listen(options.port ?? 0, '127.0.0.1', () => {
      srv.off('error', fail);
      ok();
    });
  });
  const address = srv.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  hostHeader = `127.0.0.1:${port}`;
  origin = `http://${hostHeader}`;
  senderCheck = createOriginSenderCheck({ allowedOrigins: [origin] });

  await theCore.start();
  const startedAt = Date.now();

  let stopping: Promise<void> | null = null;
  const host: WebHost = {
    url: `${origin}/#t=${token}`,
    origin,
    port,
    token,
    dataDir,
    logFile,
    simulator,
    core: theCore,
    stats: () => ({
      clients: clients.size,
      eventMessages,
      eventBytes,
      bytesByEvent: { ...bytesByEvent },
      startedAt,
      cpu: process.cpuUsage(),
    }),
    stop() {
      stopping ??= (async () => {
        for (const ws of clients) ws.terminate();
        clients.clear();
        wss.close();
        srv.closeAllConnections();
        await new Promise<void>((ok) => srv.close(() => ok()));
        await theCore.stop();
        await local?.stop();
        database?.close();
        if (ownsDataDir) rmSync(dataDir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
  return host;
}

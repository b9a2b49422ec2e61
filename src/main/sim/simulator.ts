/**
 * The composed simulator: clock, faults, market (model, REST routes, stream server), exchange
 * (accounts, matching, user data), the HTTP server with REST dispatch, the WebSocket API and the
 * control endpoint, all on one 127.0.0.1 port. Used by tests, by the app's demo mode and by the CLI.
 */
import { randomBytes } from 'node:crypto';
import { createClock } from './clock';
import type { SimClock } from './clock';
import { createFaults } from './faults';
import { BRIDGE_ASSET, NO_MARKET_ASSET, createMarket, createStreamServer, marketRoutes } from './market/index';
import { marketReadRoutes } from './market/read-routes';
import { createTradeTape } from './market/trades';
import { createExchangeModel } from './matching/index';
import { ledgerView } from './matching/ledger-view';
import { createKeyRegistry, randomAlnum } from './server/auth';
import { createControlHandler } from './server/control';
import { startHttpServer } from './server/http';
import { createRateLimiter } from './server/rate-limit';
import { serverRoutes } from './server/routes';
import { sapiListingRoutes } from './server/sapi-listing-routes';
import { createWsApi } from './server/ws-api';
import type { DemoHistory, DemoTrade } from './account/demo-history';
import type { AccountsModel, Faults, KeyPermissions, KeyType, MarketModel, MatchingEngine } from './types';

export interface SimulatorOptions {
  /** 0 or absent: pick a free port. */
  readonly port?: number;
  readonly seed?: number;
  /** Time compression of the market model (and of the 24 h connection lifetime). */
  readonly speed?: number;
  readonly symbolCount?: number;
  /** The demo account's HMAC key (random when absent). */
  readonly apiKey?: string;
  readonly apiSecret?: string;
  /** Also register this Ed25519 public key for the demo account. */
  readonly ed25519PublicKeyPem?: string;
  /** Fix the server clock at this epoch ms (it advances from there). */
  readonly clockMs?: number;
  /** Server clock = real clock + offset. */
  readonly clockOffsetMs?: number;
  readonly connectionLifetimeMs?: number;
  readonly pingIntervalMs?: number;
  readonly pongTimeoutMs?: number;
  readonly marketStepMs?: number;
  readonly controlToken?: string;
  /**
   * Override Binance's limits (REQUEST_WEIGHT 6000/min, ORDERS 100/10 s and 200000/day, 300 WebSocket
   * connection attempts per 5 min), e.g. for load tests and time-compressed soaks.
   */
  readonly rateLimits?: {
    readonly weight?: number;
    readonly orders10s?: number;
    readonly orders1d?: number;
    readonly wsConnections5m?: number;
  };
  /** Give the demo account a year of history (trades, deposits, withdrawals, dust) ending at its opening balances. */
  readonly demoHistory?: boolean;
}

export interface RegisterKeyInput {
  readonly type: KeyType;
  readonly secret?: string;
  readonly publicKeyPem?: string;
  readonly permissions?: Partial<KeyPermissions>;
  readonly accountId?: string;
  readonly apiKey?: string;
}

export interface Simulator {
  readonly restUrl: string;
  readonly streamUrl: string;
  readonly wsApiUrl: string;
  readonly controlUrl: string;
  readonly controlToken: string;
  readonly apiKey: string;
  readonly apiSecret: string;
  /** The apiKey of the Ed25519 key registered from ed25519PublicKeyPem, if any. */
  readonly ed25519ApiKey?: string;
  readonly demoAccountId: string;
  readonly port: number;
  readonly clock: SimClock;
  readonly market: MarketModel;
  readonly accounts: AccountsModel;
  readonly faults: Faults;
  readonly engine: MatchingEngine;
  /** The demo account's seeded history (with `demoHistory: true`). */
  readonly demoHistory: DemoHistory | undefined;
  /** Adds past trades to an account's myTrades (benchmarks); balances are not touched. */
  seedTrades(accountId: string, trades: readonly DemoTrade[]): void;
  registerKey(o: RegisterKeyInput): { apiKey: string; secret?: string };
  stop(): Promise<void>;
}

export const DEMO_ACCOUNT_ID = 'demo';
const DAY_MS = 86_400_000;

/** Opening balances of the funded demo account (issue 2: >= 10,000 USDT, some BTC/ETH/BNB, a bridge-only asset, an asset with no market). */
export const DEMO_BALANCES: Readonly<Record<string, string>> = {
  USDT: '25000.00000000',
  BTC: '0.50000000',
  ETH: '4.00000000',
  BNB: '12.00000000',
  USDC: '1500.00000000',
  [BRIDGE_ASSET]: '800.00000000',
  [NO_MARKET_ASSET]: '42.00000000',
};

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const speed = opts.speed ?? 1;
  if (!(speed > 0)) throw new Error('speed must be > 0');
  const clock = createClock({
    ...(opts.clockOffsetMs !== undefined ? { offsetMs: opts.clockOffsetMs } : {}),
    ...(opts.clockMs !== undefined ? { fixedAtMs: opts.clockMs } : {}),
  });
  const faults = createFaults();
  const keys = createKeyRegistry(clock);
  const limiter = createRateLimiter(clock, opts.rateLimits ?? {});
  const lifetimeMs = opts.connectionLifetimeMs ?? Math.max(1000, Math.round(DAY_MS / speed));
  const pingIntervalMs = opts.pingIntervalMs ?? 20_000;
  const pongTimeoutMs = opts.pongTimeoutMs ?? 60_000;

  const market = createMarket({
    clock,
    seed: opts.seed ?? 1,
    speed,
    ...(opts.symbolCount !== undefined ? { symbolCount: opts.symbolCount } : {}),
    ...(opts.marketStepMs !== undefined ? { stepMs: opts.marketStepMs } : {}),
  });
  const tape = createTradeTape((symbol) => market.tapeSource(symbol));
  const exchange = createExchangeModel({
    clock,
    faults,
    market,
    orderRateUsage: (id) => limiter.orderRateUsage(id),
    // Every fill of an account's order is a public trade too.
    onUserEvent: (_accountId, ev) => {
      if (ev.e !== 'executionReport' || ev['x'] !== 'TRADE') return;
      const str = (k: string): string => String(ev[k]);
      tape.recordFill(str('s'), {
        price: str('L'),
        qty: str('l'),
        quoteQty: str('Y'),
        time: Number(ev['T']),
        isBuyerMaker: (ev['S'] === 'BUY') === (ev['m'] === true),
      });
    },
  });
  const { accounts, userData, engine } = exchange;
  accounts.createAccount(DEMO_ACCOUNT_ID, DEMO_BALANCES);
  const demoHistory = opts.demoHistory === true ? exchange.seedDemoHistory(DEMO_ACCOUNT_ID) : undefined;

  const registerKey = (o: RegisterKeyInput): { apiKey: string; secret?: string } => {
    const accountId = o.accountId ?? DEMO_ACCOUNT_ID;
    if (!accounts.has(accountId)) accounts.createAccount(accountId, {});
    const record = keys.register({ ...o, accountId });
    return { apiKey: record.apiKey, ...(record.secret !== undefined ? { secret: record.secret } : {}) };
  };

  const demoKey = keys.register({
    type: 'HMAC',
    accountId: DEMO_ACCOUNT_ID,
    apiKey: opts.apiKey ?? randomAlnum(64),
    secret: opts.apiSecret ?? randomAlnum(64),
  });
  const edKey =
    opts.ed25519PublicKeyPem !== undefined
      ? keys.register({ type: 'ED25519', accountId: DEMO_ACCOUNT_ID, publicKeyPem: opts.ed25519PublicKeyPem })
      : undefined;
  const controlToken = opts.controlToken ?? randomBytes(24).toString('hex');

  const streams = createStreamServer({ market, clock, faults, lifetimeMs, pingIntervalMs, pongTimeoutMs, tape });
  const routes = [
    ...marketRoutes(market, clock),
    ...marketReadRoutes(market, tape, clock),
    ...engine.routes(),
    ...serverRoutes(),
    ...sapiListingRoutes({ market, accounts }),
  ];
  const wsApi = createWsApi({ clock, faults, keys, limiter, userData, lifetimeMs, pingIntervalMs, pongTimeoutMs, routes: () => routes });
  const control = createControlHandler({
    token: controlToken,
    clock,
    faults,
    limiter,
    demoAccountId: DEMO_ACCOUNT_ID,
    market,
    accounts,
    resetAccount: (id) => engine.resetAccount(id),
    ledger: () => ledgerView(exchange.core, accounts, DEMO_ACCOUNT_ID),
    registerKey,
  });

  const http = await startHttpServer({
    clock,
    faults,
    keys,
    limiter,
    routes,
    wsApi,
    streams,
    control,
    ...(opts.port !== undefined ? { port: opts.port } : {}),
  });
  market.start();

  const host = `127.0.0.1:${http.port}`;
  let stopped: Promise<void> | undefined;
  return {
    restUrl: `http://${host}`,
    streamUrl: `ws://${host}`,
    wsApiUrl: `ws://${host}/ws-api/v3`,
    controlUrl: `http://${host}/__control`,
    controlToken,
    apiKey: demoKey.apiKey,
    apiSecret: demoKey.secret ?? '',
    ...(edKey !== undefined ? { ed25519ApiKey: edKey.apiKey } : {}),
    demoAccountId: DEMO_ACCOUNT_ID,
    port: http.port,
    clock,
    market,
    accounts,
    faults,
    engine,
    demoHistory,
    seedTrades: (accountId, trades) => exchange.seedTrades(accountId, trades),
    registerKey,
    stop() {
      stopped ??= (async () => {
        market.stop();
        engine.stop();
        wsApi.dispose();
        streams.dispose();
        await http.close();
      })();
      return stopped;
    },
  };
}

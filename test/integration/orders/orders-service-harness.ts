/**
 * The orders service on the real client modules (REST, exchangeInfo, order API, WS API user data
 * stream) against the real simulator, with a fetch that records every request so tests can count
 * order placements. The database is a real node:sqlite file (restarts reopen it).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { createCredentials } from '../../../src/main/exchange/credentials';
import { simulatorEnvironment } from '../../../src/main/exchange/environments';
import { createExchangeInfo, type ExchangeInfo } from '../../../src/main/exchange/exchange-info';
import { createOrderApi, type OrderApi } from '../../../src/main/exchange/order-api';
import { createOrderStateStore, type OrderStateStore } from '../../../src/main/exchange/order-state';
import { createRateLimitGovernor } from '../../../src/main/exchange/rate-limit';
import { createRestClient, type RestClient } from '../../../src/main/exchange/rest-client';
import { createTimeSync } from '../../../src/main/exchange/time-sync';
import { createUserDataStream, type UserDataStream } from '../../../src/main/exchange/user-data-stream';
import { createWsApiConnection, type WsApiConnection } from '../../../src/main/exchange/ws-api-connection';
import { createOrdersService, type OrdersService } from '../../../src/main/orders/orders-service';
import type { Simulator } from '../../../src/main/sim/simulator';
import { openDatabase, type Database } from '../../../src/main/storage/database';
import type { Notice } from '../../../src/shared/domain/notice';
import type { ConfirmedOrder, OrderDraftInput, OrderOutcomeView, PreflightResult } from '../../../src/shared/domain/orders';
import type { OrderEventName } from '../../../src/shared/ipc/orders-contract';
import { dec, floorToStep, formatDecimal } from '../../../src/shared/money';
import { until } from '../../helpers/until';

export interface SentRequest {
  readonly method: string;
  readonly path: string;
  readonly params: URLSearchParams;
}

export interface Client {
  readonly rest: RestClient;
  readonly exchangeInfo: ExchangeInfo;
  readonly sent: SentRequest[];
  dispose(): void;
}

/** REST client + exchangeInfo shared by the services of one test (a "machine"). */
export async function createClient(sim: Simulator): Promise<Client> {
  const env = simulatorEnvironment({ restUrl: sim.restUrl, streamUrl: sim.streamUrl, wsApiUrl: sim.wsApiUrl });
  const sent: SentRequest[] = [];
  const fetchImpl: typeof fetch = async (input, init) => {
    const url = new URL(String(input));
    const params = new URLSearchParams(url.search);
    if (typeof init?.body === 'string') for (const [k, v] of new URLSearchParams(init.body)) params.append(k, v);
    sent.push({ method: init?.method ?? 'GET', path: url.pathname, params });
    return fetch(input, init);
  };
  const governor = createRateLimitGovernor();
  const timeSync = createTimeSync({ env, fetchImpl, governor });
  const rest = createRestClient({
    env,
    timeSync,
    governor,
    fetchImpl,
    timeoutMs: 15_000,
    credentials: createCredentials({ type: 'HMAC', apiKey: sim.apiKey, secret: sim.apiSecret }),
  });
  const exchangeInfo = createExchangeInfo({ rest, governor });
  await exchangeInfo.start();
  return { rest, exchangeInfo, sent, dispose: () => exchangeInfo.stop() };
}

export interface ServiceOptions {
  readonly tradingEnabled?: boolean;
  readonly canTrade?: boolean | null;
  readonly accountPermissions?: readonly string[];
  /** Live user data stream (WS API); off: outcomes come from answers and queries only. */
  readonly userData?: boolean;
  readonly placeTimeoutMs?: number;
  readonly graceMs?: number;
  /** Pacing of the "placed after all" follow-up looks (default: the app's, 5 s and up). */
  readonly followUpBackoff?: { baseMs: number; capMs: number; minMs: number };
}

export interface Harness {
  readonly service: OrdersService;
  readonly api: OrderApi;
  readonly store: OrderStateStore;
  readonly db: Database;
  readonly events: Array<{ name: OrderEventName; payload: unknown }>;
  readonly notices: Omit<Notice, 'at'>[];
  settings: { tradingEnabled: boolean };
  permissions: { canTrade: boolean | null; accountPermissions?: readonly string[] };
  readonly userData: UserDataStream | null;
  /** Stop the service and everything it was built from (not the database). */
  stop(): void;
}

export function dbFile(): { path: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'perch-orders-'));
  return { path: join(dir, 'history.sqlite'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function buildService(sim: Simulator, client: Client, dbPath: string, o: ServiceOptions = {}): Harness {
  const store = createOrderStateStore();
  const api = createOrderApi({
    rest: client.rest,
    orders: store,
    graceMs: o.graceMs ?? 400,
    backoff: { baseMs: 40, capMs: 160, minMs: 20 },
    placeTimeoutMs: o.placeTimeoutMs ?? 3_000,
    cancelCheckMs: 3_000,
    cancelBackoff: { baseMs: 40, capMs: 160, minMs: 20 },
    ...(o.followUpBackoff !== undefined ? { followUpBackoff: o.followUpBackoff } : {}),
  });
  let wsApi: WsApiConnection | null = null;
  let userData: UserDataStream | null = null;
  if (o.userData === true) {
    const env = simulatorEnvironment({ restUrl: sim.restUrl, streamUrl: sim.streamUrl, wsApiUrl: sim.wsApiUrl });
    const timeSync = createTimeSync({ env });
    wsApi = createWsApiConnection({ url: env.wsApiUrl });
    userData = createUserDataStream({
      wsApi,
      rest: client.rest,
      timeSync,
      orders: store,
      credentials: createCredentials({ type: 'HMAC', apiKey: sim.apiKey, secret: sim.apiSecret }),
    });
    wsApi.start();
    userData.start();
  }
  const db = openDatabase(dbPath);
  const events: Harness['events'] = [];
  const notices: Harness['notices'] = [];
  const h = {
    settings: { tradingEnabled: o.tradingEnabled ?? true },
    permissions: {
      canTrade: o.canTrade === undefined ? true : o.canTrade,
      ...(o.accountPermissions !== undefined ? { accountPermissions: o.accountPermissions } : {}),
    },
  };
  const service = createOrdersService({
    environment: 'demo',
    rest: client.rest,
    exchangeInfo: client.exchangeInfo,
    orderApi: api,
    database: db,
    balances: () => Object.fromEntries(sim.accounts.balances(sim.demoAccountId).map((b) => [b.asset, b.free])),
    market: (symbol) => {
      const t = sim.market.bookTicker(symbol);
      return {
        bid: formatDecimal(t.bidPrice),
        ask: formatDecimal(t.askPrice),
        last: formatDecimal(sim.market.lastPrice(symbol)),
        at: Date.now(),
      };
    },
    settings: () => h.settings,
    permissions: () => h.permissions,
    notify: (n) => notices.push(n),
    tuning: {
      ocoGraceMs: o.graceMs ?? 400,
      ocoBackoff: { baseMs: 40, capMs: 160, minMs: 20 },
      placeTimeoutMs: o.placeTimeoutMs ?? 3_000,
      openCoalesceMs: 20,
    },
  });
  service.onEvent((name, payload) => events.push({ name, payload }));
  return {
    service,
    api,
    store,
    db,
    events,
    notices,
    userData,
    get settings() {
      return h.settings;
    },
    set settings(v) {
      h.settings = v;
    },
    get permissions() {
      return h.permissions;
    },
    set permissions(v) {
      h.permissions = v;
    },
    stop() {
      service.stop();
      api.dispose();
      userData?.dispose();
      wsApi?.dispose();
      db.close();
    },
  };
}

/** Pre-flight with a confirmation; fails the test when the draft is not valid. */
export async function confirm(
  h: Harness,
  draft: OrderDraftInput,
): Promise<{ token: string; order: ConfirmedOrder; result: PreflightResult }> {
  const result = await h.service.handlers['orders:preflight']({ draft, confirm: true });
  if (result.confirmation === null) {
    throw new Error(`draft not confirmable: ${JSON.stringify({ issues: result.issues, disabled: result.disabledReason })}`);
  }
  return { token: result.confirmation.token, order: result.confirmation.order, result };
}

export async function place(h: Harness, draft: OrderDraftInput): Promise<OrderOutcomeView> {
  const c = await confirm(h, draft);
  return h.service.handlers['orders:submit']({ token: c.token, order: c.order, confirmed: true });
}

/** The view in force for this intent, polled until it is settled. */
export async function settled(h: Harness, id: string, timeoutMs = 30_000): Promise<OrderOutcomeView> {
  let last: OrderOutcomeView | null = null;
  await until(
    async () => {
      last = await h.service.handlers['orders:outcome']({ clientOrderId: id });
      return last !== null && last.status !== 'sending' && last.status !== 'unknown';
    },
    `outcome of ${id}`,
    timeoutMs,
  );
  return last as unknown as OrderOutcomeView;
}

const SimOrderRow = z.object({
  orderId: z.union([z.string(), z.number()]).transform(String),
  clientOrderId: z.string(),
  status: z.string(),
});

/** What the simulator has on this symbol (read through a plain signed request). */
export async function simOrders(client: Client, symbol: string): Promise<z.infer<typeof SimOrderRow>[]> {
  return client.rest.request({
    method: 'GET',
    path: '/api/v3/allOrders',
    params: { symbol, limit: 1000 },
    security: 'USER_DATA',
    weight: 20,
    schema: z.array(SimOrderRow),
  });
}

export function posts(client: Client, clientOrderId?: string): number {
  return client.sent.filter(
    (r) =>
      r.method === 'POST' &&
      (r.path === '/api/v3/order' || r.path === '/api/v3/orderList/oco') &&
      (clientOrderId === undefined ||
        r.params.get('newClientOrderId') === clientOrderId ||
        r.params.get('listClientOrderId') === clientOrderId),
  ).length;
}

export { until };

/** A price `factor` times the last price, on the tick. */
export function priceAt(sim: Simulator, symbol: string, factor: string, tick = '0.01'): string {
  return formatDecimal(floorToStep(dec(sim.market.lastPrice(symbol)).mul(factor), tick));
}

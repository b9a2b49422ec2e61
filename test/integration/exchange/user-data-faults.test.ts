/**
 * The user data stream over the simulator's WS API, with the REST CORE client for snapshots
 * (docs/behaviours.md): B11 re-subscribe, B12 gap-free resync, B13 shuffled/duplicated
 * events, B16 resume, B17 every key type, B18 pending-request fate, B19 state.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import Decimal from 'decimal.js';
import { startSimulator, type Simulator } from '../../../src/main/sim/simulator';
import { simulatorEnvironment } from '../../../src/main/exchange/environments';
import { createCredentials, type CredentialMaterial } from '../../../src/main/exchange/credentials';
import { createTimeSync } from '../../../src/main/exchange/time-sync';
import { createRestClient, type RestClient } from '../../../src/main/exchange/rest-client';
import { createConnectionState, type ConnectionStateRegistry } from '../../../src/main/exchange/connection-state';
import { createWsApiConnection, type WsApiConnection } from '../../../src/main/exchange/ws-api-connection';
import { createUserDataStream, type UserDataStream } from '../../../src/main/exchange/user-data-stream';
import { createStreamsLifecycle } from '../../../src/main/exchange/lifecycle';
import { isExchangeError } from '../../../src/main/exchange/errors';
import { until } from '../../helpers/until';

interface Rig {
  sim: Simulator;
  rest: RestClient;
  wsApi: WsApiConnection;
  uds: UserDataStream;
  registry: ConnectionStateRegistry;
  paths: string[];
  timeSync: ReturnType<typeof createTimeSync>;
  log: string[];
}

let rig: Rig | undefined;

afterEach(async () => {
  rig?.uds.dispose();
  rig?.wsApi.dispose();
  await rig?.sim.stop();
  rig = undefined;
});

async function startRig(
  opts: {
    material?: (sim: Simulator) => CredentialMaterial;
    method?: 'signature' | 'logon';
    ed25519PublicKeyPem?: string;
    simLifetimeMs?: number;
    clientLifetimeMs?: number;
  } = {},
): Promise<Rig> {
  const sim = await startSimulator({
    symbolCount: 10,
    marketStepMs: 50,
    rateLimits: { weight: 1_000_000_000 },
    ...(opts.ed25519PublicKeyPem ? { ed25519PublicKeyPem: opts.ed25519PublicKeyPem } : {}),
    ...(opts.simLifetimeMs ? { connectionLifetimeMs: opts.simLifetimeMs } : {}),
  });
  const env = simulatorEnvironment({ restUrl: sim.restUrl, streamUrl: sim.streamUrl, wsApiUrl: sim.wsApiUrl });
  const paths: string[] = [];
  const fetchImpl: typeof fetch = (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    paths.push(new URL(url).pathname);
    return fetch(input, init);
  };
  const timeSync = createTimeSync({ env, fetchImpl });
  await timeSync.sync('start');
  const credentials = createCredentials(opts.material ? opts.material(sim) : { type: 'HMAC', apiKey: sim.apiKey, secret: sim.apiSecret });
  const rest = createRestClient({ env, credentials, timeSync, fetchImpl });
  const registry = createConnectionState();
  const log: string[] = [];
  registry.subscribe((s) => {
    const st = s.connections.find((c) => c.id === 'user-data')?.status;
    if (st !== undefined && log[log.length - 1] !== st) log.push(st);
  });
  const wsApi = createWsApiConnection({
    url: sim.wsApiUrl,
    connectionState: registry,
    backoff: { baseMs: 20, capMs: 100 },
    ...(opts.clientLifetimeMs ? { maxLifetimeMs: opts.clientLifetimeMs } : {}),
  });
  const uds = createUserDataStream({
    wsApi,
    rest,
    credentials,
    timeSync,
    connectionState: registry,
    backoff: { baseMs: 20, capMs: 100 },
    ...(opts.method ? { method: opts.method } : {}),
  });
  uds.start();
  await until(() => uds.isSynced(), 'first resync');
  return { sim, rest, wsApi, uds, registry, paths, timeSync, log };
}

function expectBalancesMatch(r: Rig): void {
  const truth = r.sim.accounts.balances(r.sim.demoAccountId);
  for (const b of truth) {
    const ours = r.uds.balances().get(b.asset);
    expect(ours, b.asset).toBeDefined();
    expect(new Decimal(ours!.free).eq(b.free), `${b.asset} free ${ours!.free} vs ${b.free}`).toBe(true);
    expect(new Decimal(ours!.locked).eq(b.locked), `${b.asset} locked`).toBe(true);
  }
}

const balanceOf = (r: Rig, asset: string): string | undefined => r.uds.balances().get(asset)?.free;

describe('B11: re-subscribe', () => {
  it('(a) after the WS API connection is dropped, subscribes on the new one and events flow again', async () => {
    rig = await startRig();
    const r = rig;
    const firstGen = r.wsApi.currentGeneration();
    r.sim.faults.closeAll('ws-api');
    await until(() => r.wsApi.currentGeneration() !== null && r.wsApi.currentGeneration() !== firstGen, 'new socket');
    await until(() => r.uds.isSynced() && r.uds.subscriptionId() !== null, 'subscribed and resynced');
    r.sim.accounts.adjustBalance(r.sim.demoAccountId, 'USDT', '7.5');
    await until(() => new Decimal(balanceOf(r, 'USDT') ?? '0').eq(new Decimal('25007.5')), 'event on the new socket');
    expect(r.paths.filter((p) => p === '/api/v3/account')).toHaveLength(2);
    // (d) no listenKey code at all
    expect(r.paths.some((p) => p.includes('userDataStream'))).toBe(false);
  });

  it('(b) after eventStreamTerminated, subscribes again on the same connection and resyncs', async () => {
    rig = await startRig();
    const r = rig;
    const gen = r.wsApi.currentGeneration();
    const sub = r.uds.subscriptionId();
    r.sim.faults.eventStreamTerminated(r.sim.demoAccountId);
    await until(() => r.uds.subscriptionId() !== null && r.uds.subscriptionId() !== sub && r.uds.isSynced(), 're-subscribed');
    expect(r.wsApi.currentGeneration()).toBe(gen);
    r.sim.accounts.adjustBalance(r.sim.demoAccountId, 'BTC', '0.25');
    await until(() => new Decimal(balanceOf(r, 'BTC') ?? '0').eq('0.75'), 'events after re-subscribe');
    expect(r.uds.info().lastError).toMatch(/eventStreamTerminated/);
  });
});

describe('B1 on the WS API: clock jump', () => {
  it('a subscribe rejected with -1021 resyncs the shared offset once and succeeds', async () => {
    rig = await startRig();
    const r = rig;
    const timeCalls = r.paths.filter((p) => p === '/api/v3/time').length;
    r.sim.clock.jump(-8_000); // our timestamps are now 8 s ahead of the exchange
    r.sim.faults.closeAll('ws-api');
    await until(() => r.uds.isSynced() && r.paths.filter((p) => p === '/api/v3/account').length === 2, 'resynced');
    expect(r.paths.filter((p) => p === '/api/v3/time').length).toBe(timeCalls + 1);
    expect(Math.abs(r.timeSync.offsetMs() + 8_000)).toBeLessThan(1_000);
  });
});

describe('B10: WS API rollover', () => {
  it("replaces the socket before the server's lifetime cut and on serverShutdown: subscribed first, never reconnecting, no event lost", async () => {
    rig = await startRig({ simLifetimeMs: 1500, clientLifetimeMs: 500 });
    const r = rig;
    const wsLog: string[] = [];
    r.registry.subscribe((s) => {
      const st = s.connections.find((c) => c.id === 'ws-api')?.status;
      if (st !== undefined && wsLog[wsLog.length - 1] !== st) wsLog.push(st);
    });
    let expected = new Decimal(r.sim.accounts.balances(r.sim.demoAccountId).find((b) => b.asset === 'USDT')!.free);
    const start = Date.now();
    let shutdownSent = false;
    // Credit USDT every 50 ms across several rollovers (and one serverShutdown).
    while (Date.now() - start < 2_500) {
      r.sim.accounts.adjustBalance(r.sim.demoAccountId, 'USDT', '1');
      expected = expected.plus(1);
      if (!shutdownSent && Date.now() - start > 1_200) {
        r.sim.faults.serverShutdown();
        shutdownSent = true;
      }
      await new Promise((res) => setTimeout(res, 50));
    }
    await until(() => r.uds.isSynced() && new Decimal(balanceOf(r, 'USDT') ?? '0').eq(expected), 'every credit applied');
    expect(r.wsApi.currentGeneration()!).toBeGreaterThanOrEqual(4);
    expect(wsLog).not.toContain('reconnecting');
    expect(r.wsApi.info().reconnectCount).toBe(0);
    expectBalancesMatch(r);
  });
});

describe('B12: gap-free resync', () => {
  it('balance changes while the snapshot is in flight end equal to the exchange, and the state flips resyncing -> live once', async () => {
    rig = await startRig();
    const r = rig;
    r.sim.faults.state.latencyMs = 400; // REST replies and WS API responses; events are not delayed
    const mark = r.log.length;
    r.sim.faults.closeAll('ws-api');
    await until(() => r.log.slice(mark).includes('resyncing'), 'resync started');
    for (let i = 0; i < 3; i++) {
      r.sim.accounts.adjustBalance(r.sim.demoAccountId, 'USDT', '1.25');
      await new Promise((res) => setTimeout(res, 60));
    }
    await until(() => r.uds.isSynced(), 'resynced');
    r.sim.faults.state.latencyMs = 0;
    expectBalancesMatch(r);
    expect(new Decimal(balanceOf(r, 'USDT')!).eq('25003.75')).toBe(true);
    const after = r.log.slice(mark);
    expect(after.filter((s) => s === 'live')).toHaveLength(1);
    expect(after[after.length - 1]).toBe('live');
  });
});

describe('B13: reordered and duplicated events', () => {
  it("orders end in the exchange's state, fills counted once, balances equal the truth", async () => {
    rig = await startRig();
    const r = rig;
    r.sim.faults.state.reorderUserEvents = true;
    r.sim.faults.state.duplicateUserEvents = true;
    const symbol = r.sim.market.symbols().find((s) => s.symbol === 'BTCUSDT')?.symbol ?? r.sim.market.symbols()[0]!.symbol;
    await r.rest.request({
      method: 'POST',
      path: '/api/v3/order',
      security: 'TRADE',
      params: { symbol, side: 'BUY', type: 'MARKET', quoteOrderQty: '200', newClientOrderId: 'perch-b13-mkt' },
    });
    const price = new Decimal(r.sim.market.lastPrice(symbol)).mul('0.5').toDecimalPlaces(2).toFixed();
    await r.rest.request({
      method: 'POST',
      path: '/api/v3/order',
      security: 'TRADE',
      params: { symbol, side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', price, quantity: '0.001', newClientOrderId: 'perch-b13-lmt' },
    });
    await r.rest.request({
      method: 'DELETE',
      path: '/api/v3/order',
      security: 'TRADE',
      params: { symbol, origClientOrderId: 'perch-b13-lmt' },
    });
    await until(
      () => r.uds.orders.get('perch-b13-mkt')?.status === 'FILLED' && r.uds.orders.get('perch-b13-lmt')?.status === 'CANCELED',
      'terminal states',
    );
    for (const id of ['perch-b13-mkt', 'perch-b13-lmt']) {
      const truth = await r.rest.request<{ status: string; executedQty: string; cummulativeQuoteQty: string }>({
        method: 'GET',
        path: '/api/v3/order',
        security: 'USER_DATA',
        params: { symbol, origClientOrderId: id },
      });
      const ours = r.uds.orders.get(id)!;
      expect(ours.status).toBe(truth.status);
      expect(new Decimal(ours.executedQty).eq(truth.executedQty)).toBe(true);
      expect(new Decimal(ours.cumulativeQuoteQty).eq(truth.cummulativeQuoteQty)).toBe(true);
      const filled = ours.fills.reduce((sum, f) => sum.plus(f.qty), new Decimal(0));
      expect(filled.eq(ours.executedQty), `${id}: fills ${filled.toFixed()} vs ${ours.executedQty}`).toBe(true);
      expect(new Set(ours.fills.map((f) => f.tradeId)).size).toBe(ours.fills.length);
    }
    // Let the held-back events drain, then the balances must equal the exchange.
    await new Promise((res) => setTimeout(res, 400));
    expectBalancesMatch(r);
  });
});

describe('B17: every key type subscribes', () => {
  it('RSA key with userDataStream.subscribe.signature', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    let apiKey = '';
    rig = await startRig({
      material: (sim) => {
        apiKey = sim.registerKey({ type: 'RSA', publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() }).apiKey;
        return { type: 'RSA', apiKey, privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
      },
    });
    const r = rig;
    r.sim.accounts.adjustBalance(r.sim.demoAccountId, 'ETH', '1');
    await until(() => new Decimal(balanceOf(r, 'ETH') ?? '0').eq('5'), 'event with an RSA subscription');
  });

  it('Ed25519 key with session.logon + userDataStream.subscribe', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    rig = await startRig({
      ed25519PublicKeyPem: publicPem,
      method: 'logon',
      material: (sim) => ({
        type: 'ED25519',
        apiKey: sim.ed25519ApiKey!,
        privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      }),
    });
    const r = rig;
    r.sim.accounts.adjustBalance(r.sim.demoAccountId, 'BNB', '3');
    await until(() => new Decimal(balanceOf(r, 'BNB') ?? '0').eq('15'), 'event with an Ed25519 logon subscription');
    // and it survives a reconnect (logon is per connection)
    r.sim.faults.closeAll('ws-api');
    await until(() => r.uds.isSynced() && r.paths.filter((p) => p === '/api/v3/account').length === 2, 'resynced after reconnect');
    r.sim.accounts.adjustBalance(r.sim.demoAccountId, 'BNB', '1');
    await until(() => new Decimal(balanceOf(r, 'BNB') ?? '0').eq('16'), 'event after re-logon');
  });
});

describe('B18: pending requests when the socket drops', () => {
  it('an unanswered order request becomes unknown-outcome, a read becomes retryable; nothing is replayed', async () => {
    rig = await startRig();
    const r = rig;
    r.sim.faults.state.latencyMs = 5_000;
    const order = r.wsApi
      .request('order.place', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.001' })
      .catch((e: unknown) => e);
    const read = r.wsApi.request('session.status').catch((e: unknown) => e);
    await new Promise((res) => setTimeout(res, 100));
    r.sim.faults.closeAll('ws-api');
    const [e1, e2] = await Promise.all([order, read]);
    expect(isExchangeError(e1) && [e1.kind, e1.mayHaveExecuted]).toEqual(['unknown-outcome', true]);
    expect(isExchangeError(e2) && [e2.kind, e2.mayHaveExecuted]).toEqual(['network', false]);
    r.sim.faults.state.latencyMs = 0;
  });
});

describe('B16: resume', () => {
  it('suspend goes offline; resume resyncs the clock once, reconnects, re-subscribes and takes a snapshot', async () => {
    rig = await startRig();
    const r = rig;
    const lifecycle = createStreamsLifecycle({ wsApi: r.wsApi, userData: r.uds, timeSync: r.timeSync });
    lifecycle.suspend();
    await until(() => r.wsApi.info().status === 'offline', 'offline');
    // While asleep the balance changed; the event is lost with the socket.
    r.sim.accounts.adjustBalance(r.sim.demoAccountId, 'USDT', '-100');
    const before = {
      time: r.paths.filter((p) => p === '/api/v3/time').length,
      account: r.paths.filter((p) => p === '/api/v3/account').length,
    };
    await lifecycle.resume();
    await until(() => r.uds.isSynced() && r.paths.filter((p) => p === '/api/v3/account').length === before.account + 1, 'resynced');
    expect(r.paths.filter((p) => p === '/api/v3/time').length).toBe(before.time + 1);
    expectBalancesMatch(r);
    expect(r.wsApi.info().status).toBe('live');
  });
});

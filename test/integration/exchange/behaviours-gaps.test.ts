/**
 * The B1-B20 recipes (docs/behaviours.md) that the other integration files cover only in
 * part, against the simulator on 127.0.0.1 with the fault injected there: B1 skews and a mid-run
 * jump plus a server that keeps rejecting, B2 fresh signatures across 503 retries, B3 the error
 * table on real replies (502 HTML, refused connection, duplicate id), B5 Retry-After honoured then
 * resumed and optional traffic shed on the weight header, B6 random valid drafts never rejected,
 * B7 big ids through the user data stream, B11 a subscribe rejected with -1022 then accepted,
 * B12 an order filled while the snapshot is in flight, B17 non-ASCII parameters signed,
 * B19 weight and clock offset in the observable state, B20 no secret in anything the fault
 * suite leaves behind.
 */
import fc from 'fast-check';
import Decimal from 'decimal.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:net';
import { z } from 'zod';
import { createConnectionBudget, systemClock, type Clock } from '../../../src/main/exchange/backoff';
import { createConnectionState, type ConnectionStateRegistry } from '../../../src/main/exchange/connection-state';
import { createCredentials, type CredentialMaterial } from '../../../src/main/exchange/credentials';
import { simulatorEnvironment, type Environment } from '../../../src/main/exchange/environments';
import { ExchangeError } from '../../../src/main/exchange/errors';
import { createExchangeInfo } from '../../../src/main/exchange/exchange-info';
import { createMarketStreams } from '../../../src/main/exchange/market-streams';
import { createRateLimitGovernor, type RateLimitGovernor } from '../../../src/main/exchange/rate-limit';
import { createRestClient, type RestClient, type RestLogEvent } from '../../../src/main/exchange/rest-client';
import { createTimeSync, type TimeSync } from '../../../src/main/exchange/time-sync';
import { createUserDataStream, type UserDataStream } from '../../../src/main/exchange/user-data-stream';
import { createWsApiConnection, type WsApiConnection } from '../../../src/main/exchange/ws-api-connection';
import { startSimulator, type Simulator } from '../../../src/main/sim/simulator';
import { dec, formatDecimal } from '../../../src/shared/money';
import { until } from '../../helpers/until';

interface Sent {
  method: string;
  path: string;
  params: URLSearchParams;
}

interface RestRig {
  env: Environment;
  rest: RestClient;
  timeSync: TimeSync;
  governor: RateLimitGovernor;
  sent: Sent[];
  log: RestLogEvent[];
}

let sim: Simulator | undefined;
const disposers: (() => void)[] = [];

afterEach(async () => {
  for (const d of disposers.splice(0).reverse()) d();
  vi.restoreAllMocks();
  await sim?.stop();
  sim = undefined;
});

async function failure(p: Promise<unknown>): Promise<ExchangeError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ExchangeError) return e;
    throw e;
  }
  throw new Error('expected the request to fail');
}

async function start(opts: Parameters<typeof startSimulator>[0] = {}): Promise<Simulator> {
  sim = await startSimulator({ symbolCount: 10, marketStepMs: 50, ...opts });
  return sim;
}

function restRig(
  s: Simulator,
  opts: {
    material?: CredentialMaterial;
    restUrl?: string;
    timeoutMs?: number;
    governor?: RateLimitGovernor;
    afterFetch?: (path: string) => void | Promise<void>;
  } = {},
): RestRig {
  const env = simulatorEnvironment({ restUrl: opts.restUrl ?? s.restUrl, streamUrl: s.streamUrl, wsApiUrl: s.wsApiUrl });
  const sent: Sent[] = [];
  const log: RestLogEvent[] = [];
  const fetchImpl: typeof fetch = async (input, init) => {
    const url = new URL(String(input));
    const params = new URLSearchParams(url.search);
    if (typeof init?.body === 'string') for (const [k, v] of new URLSearchParams(init.body)) params.append(k, v);
    sent.push({ method: init?.method ?? 'GET', path: url.pathname, params });
    const res = await fetch(input, init);
    await opts.afterFetch?.(url.pathname);
    return res;
  };
  const governor = opts.governor ?? createRateLimitGovernor();
  const timeSync = createTimeSync({ env, fetchImpl, governor });
  const rest = createRestClient({
    env,
    timeSync,
    governor,
    fetchImpl,
    timeoutMs: opts.timeoutMs ?? 15_000,
    log: (e) => log.push(e),
    credentials: createCredentials(opts.material ?? { type: 'HMAC', apiKey: s.apiKey, secret: s.apiSecret }),
  });
  disposers.push(() => timeSync.stop());
  return { env, rest, timeSync, governor, sent, log };
}

const Account = z.object({ balances: z.array(z.object({ asset: z.string(), free: z.string(), locked: z.string() })) });
const account = (rest: RestClient, priority: 'critical' | 'normal' | 'optional' = 'normal') =>
  rest.request({ method: 'GET', path: '/api/v3/account', security: 'USER_DATA', weight: 20, priority, schema: Account });
const paths = (r: RestRig, path: string): Sent[] => r.sent.filter((s) => s.path === path);

interface UdsRig {
  wsApi: WsApiConnection;
  uds: UserDataStream;
  registry: ConnectionStateRegistry;
}

function udsRig(s: Simulator, r: RestRig, material: CredentialMaterial = { type: 'HMAC', apiKey: s.apiKey, secret: s.apiSecret }): UdsRig {
  const registry = createConnectionState();
  const wsApi = createWsApiConnection({ url: s.wsApiUrl, connectionState: registry, backoff: { baseMs: 20, capMs: 200 } });
  const uds = createUserDataStream({
    wsApi,
    rest: r.rest,
    credentials: createCredentials(material),
    timeSync: r.timeSync,
    connectionState: registry,
    backoff: { baseMs: 20, capMs: 200 },
  });
  disposers.push(() => {
    uds.dispose();
    wsApi.dispose();
  });
  return { wsApi, uds, registry };
}

function restingBuyPrice(s: Simulator, symbol: string, factor = '0.9'): string {
  const tick = s.market.symbol(symbol)!.priceDecimals;
  return dec(s.market.lastPrice(symbol)).mul(factor).toDecimalPlaces(tick, Decimal.ROUND_DOWN).toFixed();
}

describe('B1: clock offset', () => {
  it('skew +3 000, then -8 000, then a +2 500 jump mid-run: every signed call succeeds, one /api/v3/time per -1021', async () => {
    const s = await start();
    const r = restRig(s);
    s.clock.setOffset(3_000);
    await account(r.rest);
    await account(r.rest);
    s.clock.setOffset(-8_000);
    await account(r.rest);
    await account(r.rest);
    s.clock.jump(2_500);
    await account(r.rest);
    await r.rest.request({ method: 'GET', path: '/api/v3/openOrders', security: 'USER_DATA', weight: 6, params: { symbol: 'BTCUSDT' } });
    const clockRejections = r.log.filter((e) => e.binanceCode === -1021).length;
    expect(clockRejections).toBe(1);
    expect(paths(r, '/api/v3/time')).toHaveLength(clockRejections);
    expect(Math.abs(r.timeSync.offsetMs() + 8_000)).toBeLessThan(1_000);
  });

  it('a server that keeps rejecting the timestamp: one resync, one retry, then the clock error surfaces (no loop)', async () => {
    const s = await start();
    // Each time the client learns the server time, the server clock runs away again.
    const r = restRig(s, {
      afterFetch: (path) => {
        if (path === '/api/v3/time') s.clock.jump(-8_000);
      },
    });
    s.clock.setOffset(-8_000);
    const e = await failure(account(r.rest));
    expect(e.kind).toBe('clock');
    expect(e.binanceCode).toBe(-1021);
    // One retry after the resync; the second -1021 resyncs once more (one /time per -1021) and surfaces.
    expect(r.sent.map((x) => x.path)).toEqual(['/api/v3/account', '/api/v3/time', '/api/v3/account', '/api/v3/time']);
    expect(r.log.filter((x) => x.binanceCode === -1021)).toHaveLength(2);
  });
});

describe('B2: a fresh timestamp and signature per attempt', () => {
  it('the first two GET /api/v3/openOrders get 503: the resync retries, each attempt newly signed with an explicit recvWindow', async () => {
    const s = await start({ rateLimits: { weight: 1_000_000_000 } });
    s.faults.state.restFailures = [
      { method: 'GET', path: '/api/v3/openOrders', status: 503, body: '{"code":-1008,"msg":"Service unavailable"}', count: 2 },
    ];
    const r = restRig(s);
    const u = udsRig(s, r);
    u.uds.start();
    await until(() => u.uds.isSynced(), 'resynced despite two 503s');
    const attempts = paths(r, '/api/v3/openOrders');
    expect(attempts).toHaveLength(3);
    expect(s.faults.state.restFailures[0]!.count).toBe(0);
    expect(new Set(attempts.map((a) => a.params.get('timestamp'))).size).toBe(3);
    expect(new Set(attempts.map((a) => a.params.get('signature'))).size).toBe(3);
    for (const a of attempts) expect(a.params.get('recvWindow')).toBe('5000');
  });
});

describe('B3: the error table on real replies', () => {
  it('502 HTML, a refused connection, a duplicate client id, 503 -1008: class and fields kept, nothing secret in them', async () => {
    const s = await start();
    const r = restRig(s);
    const html = '<html><body><h1>502 Bad Gateway</h1></body></html>';
    s.faults.state.restFailures = [
      { method: 'GET', path: '/api/v3/account', status: 502, body: html, contentType: 'text/html', count: 1 },
      { method: 'POST', path: '/api/v3/order', status: 502, body: html, contentType: 'text/html', count: 1 },
    ];
    const read = await failure(account(r.rest));
    expect(read).toMatchObject({ kind: 'network', httpStatus: 502, mayHaveExecuted: false });
    const order = await failure(
      r.rest.request({
        method: 'POST',
        path: '/api/v3/order',
        security: 'TRADE',
        params: { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quoteOrderQty: '20' },
      }),
    );
    expect(order).toMatchObject({ kind: 'unknown-outcome', httpStatus: 502, mayHaveExecuted: true });

    // A port on 127.0.0.1 that nobody listens on: nothing was written, so not even an order is "unknown".
    const closedPort = await new Promise<number>((resolve) => {
      const srv = createServer();
      srv.listen(0, '127.0.0.1', () => {
        const port = (srv.address() as { port: number }).port;
        srv.close(() => resolve(port));
      });
    });
    const refused = restRig(s, { restUrl: `http://127.0.0.1:${closedPort}` });
    const notSent = await failure(
      refused.rest.request({
        method: 'POST',
        path: '/api/v3/order',
        security: 'TRADE',
        params: { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quoteOrderQty: '20' },
      }),
    );
    expect(notSent).toMatchObject({ kind: 'network', mayHaveExecuted: false });
    expect(notSent.message).toMatch(/ECONNREFUSED/);

    const params = {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.001',
      price: restingBuyPrice(s, 'BTCUSDT'),
      newClientOrderId: 'perch-b3-dup',
    };
    await r.rest.request({ method: 'POST', path: '/api/v3/order', security: 'TRADE', params });
    const dup = await failure(r.rest.request({ method: 'POST', path: '/api/v3/order', security: 'TRADE', params }));
    expect(dup).toMatchObject({ kind: 'rejected', httpStatus: 400, binanceCode: -2010, binanceMsg: 'Duplicate order sent.' });

    s.faults.state.orderFaults.push({ kind: 'http503', execute: false });
    const lb = await failure(
      r.rest.request({
        method: 'POST',
        path: '/api/v3/order',
        security: 'TRADE',
        params: { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quoteOrderQty: '20' },
      }),
    );
    expect(lb).toMatchObject({ kind: 'unknown-outcome', httpStatus: 503, mayHaveExecuted: true });
    expect(lb.headers).toBeDefined();

    const signatures = [...r.sent, ...refused.sent].map((x) => x.params.get('signature')).filter((x): x is string => x !== null);
    expect(signatures.length).toBeGreaterThan(0);
    for (const e of [read, order, notSent, dup, lb]) {
      const text = `${e.message} ${JSON.stringify(e)} ${String(e.stack)}`;
      expect(text).not.toContain(s.apiSecret);
      expect(text).not.toContain(s.apiKey);
      expect(text).not.toMatch(/signature=/);
      for (const sig of signatures) expect(text).not.toContain(sig);
    }
  });
});

describe('B5: rate-limit governor', () => {
  it('429 with Retry-After: nothing reaches the exchange until it passes, then requests resume without a ban', async () => {
    const s = await start();
    // Put the simulator 2.5 s before a minute boundary: its Retry-After is then 3 s.
    const now = s.clock.now();
    s.clock.setOffset(s.clock.offset() + (Math.ceil(now / 60_000) * 60_000 - 2_500 - now));
    const r = restRig(s);
    await r.timeSync.sync('test');
    s.faults.state.force429 = 1;
    const e = await failure(account(r.rest, 'critical'));
    expect(e.kind).toBe('rate-limited');
    expect(e.retryAfterMs).toBeGreaterThanOrEqual(1_000);
    const held = r.sent.length;
    for (const p of ['critical', 'normal', 'optional'] as const) expect((await failure(account(r.rest, p))).kind).toBe('rate-limited');
    expect(r.sent.length).toBe(held);
    await until(() => (r.governor.state().pausedUntil ?? 0) <= Date.now(), 'the pause to end', 70_000);
    // The simulator bans a client that comes back before Retry-After: this succeeding proves it waited.
    const acct = await account(r.rest);
    expect(acct.balances.length).toBeGreaterThan(0);
    expect(r.sent.length).toBe(held + 1);
  }, 90_000);

  it('weight header near the limit: optional polling stops (no request sent), critical traffic still goes', async () => {
    const s = await start({ rateLimits: { weight: 200 } });
    // Keep the whole test inside one minute of the simulator (its weight window).
    const now = s.clock.now();
    if (now % 60_000 > 30_000) s.clock.setOffset(s.clock.offset() + (60_000 - (now % 60_000)) + 100);
    const governor = createRateLimitGovernor({ weightLimit: 200, now: () => s.clock.now() });
    const r = restRig(s, { governor });
    await r.timeSync.sync('test');
    // Optional polling every 20 weight until the client holds it back (80 % of 200 by default).
    let shed: ExchangeError | undefined;
    let polls = 0;
    let before = 0;
    while (shed === undefined && polls < 20) {
      before = r.sent.length;
      shed = await account(r.rest, 'optional').then(
        () => undefined,
        (e: unknown) => (e instanceof ExchangeError ? e : undefined),
      );
      polls += 1;
    }
    expect(shed?.kind).toBe('rate-limited');
    // Held back locally, below the exchange's own limit: no request sent, no 429 received.
    expect(r.sent.length).toBe(before);
    expect(r.log.some((e) => e.httpStatus === 429)).toBe(false);
    expect(governor.weightUsed()).toBeGreaterThanOrEqual(120);
    expect(governor.weightUsed()).toBeLessThan(200);
    await account(r.rest, 'critical');
    expect(r.sent.length).toBe(before + 1);
  });
});

describe('B6: random valid drafts are never rejected by the exchange', () => {
  it("drafts with awkward decimals, validated and formatted by the client, pass the simulator's filters", async () => {
    const s = await start({ rateLimits: { weight: 1_000_000_000, orders10s: 1_000_000, orders1d: 1_000_000 } });
    const r = restRig(s);
    const info = createExchangeInfo({ rest: r.rest });
    await info.start();
    disposers.push(() => info.stop());
    const symbols = s.market.symbols().map((x) => x.symbol);
    let checked = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...symbols),
        fc.constantFrom('BUY', 'SELL'),
        fc.integer({ min: 9_000, max: 11_000 }), // price as a fraction of the average, 1/10 000
        fc.integer({ min: 20, max: 400 }), // notional in quote units
        fc.integer({ min: 1, max: 999_999_999 }), // noise digits
        async (symbol, side, bp, notional, noise) => {
          const avg = (
            await r.rest.request<{ price: string }>({
              method: 'GET',
              path: '/api/v3/avgPrice',
              params: { symbol },
              security: 'NONE',
              weight: 2,
            })
          ).price;
          const price = dec(avg)
            .mul(bp)
            .div(10_000)
            .plus(dec(String(noise)).mul('1e-17'));
          const quantity = dec(String(notional))
            .div(price)
            .plus(dec(String(noise)).mul('1e-16'));
          const v = info.validate(
            { symbol, side, type: 'LIMIT', timeInForce: 'GTC', quantity: formatDecimal(quantity), price: formatDecimal(price) },
            { avgPrice: avg },
          );
          if (v.issues.length > 0) return;
          for (const field of ['quantity', 'price'] as const) expect(String(v.order[field])).toMatch(/^\d+(\.\d*[1-9])?$/);
          await r.rest.request({ method: 'POST', path: '/api/v3/order/test', security: 'TRADE', params: { ...v.order } });
          checked += 1;
        },
      ),
      { numRuns: 300, seed: 4242 },
    );
    expect(checked).toBeGreaterThan(200);
  }, 120_000);
});

describe('B7: ids above 2^53 through the user data stream', () => {
  it('executionReport orderId survives parse and storage exactly, and a cancel built from it works', async () => {
    const s = await start({ rateLimits: { weight: 1_000_000_000 } });
    const r = restRig(s);
    const u = udsRig(s, r);
    u.uds.start();
    await until(() => u.uds.isSynced(), 'synced');
    s.faults.state.bigIds = true;
    const placed = await r.rest.request<{ orderId: string }>({
      method: 'POST',
      path: '/api/v3/order',
      security: 'TRADE',
      params: {
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'LIMIT',
        timeInForce: 'GTC',
        quantity: '0.001',
        price: restingBuyPrice(s, 'BTCUSDT'),
        newClientOrderId: 'perch-b7-big',
      },
    });
    expect(BigInt(placed.orderId) > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    await until(() => u.uds.orders.get('perch-b7-big') !== undefined, 'the executionReport');
    const ours = u.uds.orders.get('perch-b7-big')!;
    expect(ours.orderId).toBe(placed.orderId);
    expect(u.uds.orders.get(placed.orderId)?.clientOrderId).toBe('perch-b7-big');
    await r.rest.request({
      method: 'DELETE',
      path: '/api/v3/order',
      security: 'TRADE',
      params: { symbol: 'BTCUSDT', orderId: ours.orderId },
    });
    await until(() => u.uds.orders.get(placed.orderId)?.status === 'CANCELED', 'cancel seen on the stream');
  });
});

describe('B9: the backoff grows', () => {
  it('refused upgrades: with the jitter pinned to its top, the scheduled reconnect delays double up to the cap', async () => {
    const s = await start();
    s.faults.state.refuseUpgrades = 503;
    const inner = createConnectionBudget({ maxAttempts: 100, windowMs: 300_000 });
    let attempts = 0;
    const budget = {
      maxAttempts: inner.maxAttempts,
      delayMs: () => inner.delayMs(),
      record: () => {
        attempts += 1;
        inner.record();
      },
      used: () => inner.used(),
    };
    // Every timer the client asks for, by requested delay (no wall-clock measurement).
    const requested: number[] = [];
    const clock: Clock = {
      ...systemClock,
      setTimeout: (fn, ms) => {
        requested.push(ms);
        return systemClock.setTimeout(fn, ms);
      },
    };
    // random() near 1: each delay is the full-jitter ceiling, min(cap, base x 2^n), floored.
    const market = createMarketStreams({ streamUrl: s.streamUrl, budget, clock, backoff: { baseMs: 50, capMs: 800, random: () => 0.999 } });
    disposers.push(() => market.dispose());
    market.watch(['!miniTicker@arr']);
    await until(() => attempts >= 7, 'seven refused attempts');
    const expected = [49, 99, 199, 399, 799, 799];
    let at = 0;
    for (const ms of requested) if (at < expected.length && ms === expected[at]) at += 1;
    expect(at, `requested delays ${requested.join(', ')}`).toBe(expected.length);
    s.faults.state.refuseUpgrades = 0;
    await until(() => market.connections()[0]!.status === 'live', 'connected after the refusals');
  }, 60_000);
});

describe('B11 (c): a subscribe rejected with -1022, then accepted', () => {
  it('the stream keeps retrying with backoff and subscribes once the exchange accepts the signature', async () => {
    const s = await start({ rateLimits: { weight: 1_000_000_000 } });
    const secret = 'S'.repeat(64);
    // The exchange knows this key with another secret: every signature is rejected (-1022).
    const { apiKey } = s.registerKey({ type: 'HMAC', apiKey: 'perchB11cKey', secret: 'W'.repeat(64) });
    const material: CredentialMaterial = { type: 'HMAC', apiKey, secret };
    const r = restRig(s, { material });
    const u = udsRig(s, r, material);
    u.uds.start();
    await until(() => /-1022|signature/i.test(u.uds.info().lastError ?? ''), 'a -1022 rejection');
    expect(u.uds.isSynced()).toBe(false);
    expect(u.uds.info().lastError).not.toContain(secret);
    s.registerKey({ type: 'HMAC', apiKey, secret });
    await until(() => u.uds.isSynced() && u.uds.subscriptionId() !== null, 'subscribed after the key was fixed');
    s.accounts.adjustBalance(s.demoAccountId, 'USDT', '1.5');
    const truth = s.accounts.balances(s.demoAccountId).find((b) => b.asset === 'USDT')!.free;
    await until(() => new Decimal(u.uds.balances().get('USDT')?.free ?? '0').eq(truth), 'events flow');
  });
});

describe('B12: an order fills and a balance changes while the snapshot is in flight', () => {
  it('events that arrive after the exchange built the snapshot but before the client read it are not lost', async () => {
    const s = await start({ rateLimits: { weight: 1_000_000_000 } });
    // The account and openOrders replies of the next resync are held back after the simulator
    // built them; meanwhile the order fills and USDT is credited, and those events reach the
    // client's socket first. The snapshot is then older than the events the client holds.
    let armed = false;
    let built = 0;
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let onBothBuilt: () => Promise<void> = async () => undefined;
    const r = restRig(s, {
      afterFetch: async (path) => {
        if (!armed || (path !== '/api/v3/account' && path !== '/api/v3/openOrders')) return;
        built += 1;
        if (built === 2) {
          armed = false;
          await onBothBuilt();
          release();
        }
        await released;
      },
    });
    const u = udsRig(s, r);
    const log: string[] = [];
    u.registry.subscribe((st) => {
      const x = st.connections.find((c) => c.id === 'user-data')?.status;
      if (x !== undefined && log[log.length - 1] !== x) log.push(x);
    });
    const seen: string[] = [];
    u.wsApi.onEvent((ev) => {
      if (ev.e === 'executionReport' && ev.c === 'perch-b12-fill') seen.push(`order:${String(ev.X)}`);
      if (ev.e === 'balanceUpdate') seen.push('balance');
    });
    u.uds.start();
    await until(() => u.uds.isSynced(), 'synced');
    const price = restingBuyPrice(s, 'BTCUSDT', '0.95');
    await r.rest.request({
      method: 'POST',
      path: '/api/v3/order',
      security: 'TRADE',
      params: {
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'LIMIT',
        timeInForce: 'GTC',
        quantity: '0.002',
        price,
        newClientOrderId: 'perch-b12-fill',
      },
    });
    await until(() => u.uds.orders.get('perch-b12-fill')?.status === 'NEW', 'order seen');
    onBothBuilt = async () => {
      s.market.setPrice('BTCUSDT', dec(price).mul('0.99').toFixed(2));
      s.accounts.adjustBalance(s.demoAccountId, 'USDT', '2.25');
      await until(
        () => seen.some((x) => x === 'order:FILLED' || x === 'order:PARTIALLY_FILLED') && seen.includes('balance'),
        'the events at the client',
      );
    };
    armed = true;
    const mark = log.length;
    s.faults.closeAll('ws-api');
    await until(() => built === 2, 'the snapshot built');
    await until(() => u.uds.isSynced() && log.slice(mark).includes('live'), 'resynced', 40_000);
    const truth = await r.rest.request<{ status: string; executedQty: string }>({
      method: 'GET',
      path: '/api/v3/order',
      security: 'USER_DATA',
      params: { symbol: 'BTCUSDT', origClientOrderId: 'perch-b12-fill' },
    });
    expect(['FILLED', 'PARTIALLY_FILLED']).toContain(truth.status);
    const ours = u.uds.orders.get('perch-b12-fill')!;
    expect(ours.status).toBe(truth.status);
    expect(new Decimal(ours.executedQty).eq(truth.executedQty)).toBe(true);
    for (const b of s.accounts.balances(s.demoAccountId)) {
      const mine = u.uds.balances().get(b.asset);
      expect(
        mine && new Decimal(mine.free).eq(b.free) && new Decimal(mine.locked).eq(b.locked),
        `${b.asset}: ${mine?.free}/${mine?.locked} vs ${b.free}/${b.locked}`,
      ).toBe(true);
    }
    expect(log.slice(mark).filter((x) => x === 'live')).toHaveLength(1);
  }, 60_000);
});

describe('B17: non-ASCII parameters are signed over the percent-encoded bytes', () => {
  it.each(['HMAC', 'ED25519'] as const)(
    '%s: the simulator verifies the signature (the reply is about the symbol, not -1022)',
    async (type) => {
      const s = await start();
      let material: CredentialMaterial = { type: 'HMAC', apiKey: s.apiKey, secret: s.apiSecret };
      if (type === 'ED25519') {
        const ed = generateKeyPairSync('ed25519');
        const { apiKey } = s.registerKey({
          type: 'ED25519',
          publicKeyPem: ed.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        });
        material = { type: 'ED25519', apiKey, privateKeyPem: ed.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
      }
      const r = restRig(s, { material });
      const e = await failure(
        r.rest.request({
          method: 'GET',
          path: '/api/v3/order',
          security: 'USER_DATA',
          params: { symbol: '１２３４５６', origClientOrderId: 'perch-ünïcödé' },
        }),
      );
      expect(e.kind).not.toBe('auth');
      expect(e.binanceCode).not.toBe(-1022);
      const post = await failure(
        r.rest.request({
          method: 'POST',
          path: '/api/v3/order',
          security: 'TRADE',
          params: { symbol: '币安人生USDT', side: 'BUY', type: 'MARKET', quoteOrderQty: '20' },
        }),
      );
      expect(post.kind).not.toBe('auth');
      expect(post.binanceCode).not.toBe(-1022);
    },
  );
});

describe('B19: weight used and clock offset are observable', () => {
  it('the connection-state snapshot carries the REST weight used and the shared clock offset', async () => {
    const s = await start();
    s.clock.setOffset(-8_000);
    const env = simulatorEnvironment({ restUrl: s.restUrl, streamUrl: s.streamUrl, wsApiUrl: s.wsApiUrl });
    const governor = createRateLimitGovernor();
    const timeSync = createTimeSync({ env, governor });
    disposers.push(() => timeSync.stop());
    const rest = createRestClient({
      env,
      timeSync,
      governor,
      credentials: createCredentials({ type: 'HMAC', apiKey: s.apiKey, secret: s.apiSecret }),
    });
    const registry = createConnectionState({ weightUsed: () => governor.weightUsed(), clockOffsetMs: () => timeSync.offsetMs() });
    await account(rest);
    const snap = registry.get().rest;
    expect(snap.weightUsed).toBeGreaterThanOrEqual(20);
    expect(Math.abs((snap.clockOffsetMs ?? 0) + 8_000)).toBeLessThan(1_000);
  });
});

describe('B20: nothing secret leaves the client under faults', () => {
  it('logs, console output, errors and connection state across the fault suite hold no secret, key or signature', async () => {
    const s = await start({ rateLimits: { weight: 1_000_000_000 } });
    const printed: string[] = [];
    for (const m of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      vi.spyOn(console, m).mockImplementation((...args: unknown[]) => {
        printed.push(
          args.map((a) => (a instanceof Error ? `${a.message} ${a.stack}` : typeof a === 'string' ? a : JSON.stringify(a))).join(' '),
        );
      });
    }
    const r = restRig(s, { timeoutMs: 2_000 });
    const errors: ExchangeError[] = [];
    const attempt = async (p: Promise<unknown>): Promise<void> => {
      try {
        await p;
      } catch (e) {
        if (e instanceof ExchangeError) errors.push(e);
        else throw e;
      }
    };
    const order = { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quoteOrderQty: '20' };
    s.clock.setOffset(-8_000);
    await attempt(account(r.rest));
    s.clock.setOffset(0);
    // The first is refused for its timestamp (an order is never retried), the second for LOT_SIZE.
    await attempt(
      r.rest.request({
        method: 'POST',
        path: '/api/v3/order',
        security: 'TRADE',
        params: { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.000011', price: '50000' },
      }),
    );
    await attempt(
      r.rest.request({
        method: 'POST',
        path: '/api/v3/order',
        security: 'TRADE',
        params: { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.000011', price: '50000' },
      }),
    );
    for (const kind of ['http503', 'code-1007', 'code-1006'] as const) {
      s.faults.state.orderFaults.push({ kind, execute: false });
      await attempt(r.rest.request({ method: 'POST', path: '/api/v3/order', security: 'TRADE', params: order }));
    }
    s.faults.state.hangPaths = ['/api/v3/account'];
    await attempt(account(r.rest));
    s.faults.state.hangPaths = [];
    s.faults.state.restFailures = [
      { path: '/api/v3/openOrders', status: 502, body: '<html>bad gateway</html>', contentType: 'text/html', count: 1 },
    ];
    await attempt(r.rest.request({ method: 'GET', path: '/api/v3/openOrders', security: 'USER_DATA' }));
    const wrong = restRig(s, { material: { type: 'HMAC', apiKey: s.apiKey, secret: 'x'.repeat(64) } });
    await attempt(account(wrong.rest));
    const u = udsRig(s, wrong, { type: 'HMAC', apiKey: s.apiKey, secret: 'x'.repeat(64) });
    u.uds.start();
    await until(() => u.uds.info().lastError !== null, 'a user data error');
    s.faults.state.force429 = 1;
    await attempt(account(r.rest));
    s.faults.state.banUntil = s.clock.now() + 60_000;
    const banned = restRig(s);
    await attempt(account(banned.rest));

    expect(errors.map((e) => e.kind).sort(), errors.map((e) => e.kind).join(' ')).toEqual(
      expect.arrayContaining(['auth', 'banned', 'clock', 'filter', 'network', 'rate-limited', 'timeout', 'unknown-outcome']),
    );
    const signatures = [...r.sent, ...wrong.sent, ...banned.sent]
      .map((x) => x.params.get('signature'))
      .filter((x): x is string => x !== null);
    expect(signatures.length).toBeGreaterThan(5);
    const texts = [
      ...printed,
      ...[...r.log, ...wrong.log, ...banned.log].map((e) => JSON.stringify(e)),
      ...errors.map((e) => `${e.message} ${JSON.stringify(e)} ${String(e.stack)}`),
      JSON.stringify(u.uds.info()),
      JSON.stringify(u.registry.get()),
      JSON.stringify(r.governor.state()),
    ];
    for (const t of texts) {
      expect(t).not.toContain(s.apiSecret);
      expect(t).not.toContain('x'.repeat(64));
      expect(t).not.toContain(s.apiKey);
      expect(t).not.toMatch(/signature=/);
      for (const sig of signatures) expect(t).not.toContain(sig);
    }
  }, 60_000);
});

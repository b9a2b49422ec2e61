/**
 * The REST core against the simulator (real sockets on 127.0.0.1): key types, clock skew (B1),
 * fresh signatures (B2), the error taxonomy over real replies (B3), the governor (B5), bounded
 * timeouts, big ids (B7), /sapi per environment, and filter validation vs the simulator (B6).
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createCredentials, type CredentialMaterial } from '../../../src/main/exchange/credentials';
import { environment, simulatorEnvironment, type Environment } from '../../../src/main/exchange/environments';
import { ExchangeError } from '../../../src/main/exchange/errors';
import { createExchangeInfo } from '../../../src/main/exchange/exchange-info';
import type { OrderDraft } from '../../../src/main/exchange/filters';
import { createRateLimitGovernor, type RateLimitGovernor } from '../../../src/main/exchange/rate-limit';
import { createRestClient, type RestClient } from '../../../src/main/exchange/rest-client';
import { createTimeSync, type TimeSync } from '../../../src/main/exchange/time-sync';
import { startSimulator, type Simulator } from '../../../src/main/sim/simulator';
import { dec, formatDecimal, snapToTick } from '../../../src/shared/money';

let sim: Simulator;
let env: Environment;

interface Sent {
  method: string;
  path: string;
  query: URLSearchParams;
  body: URLSearchParams;
}

function harness(opts: { material?: CredentialMaterial; timeoutMs?: number; env?: Environment } = {}): {
  rest: RestClient;
  timeSync: TimeSync;
  governor: RateLimitGovernor;
  sent: Sent[];
} {
  const sent: Sent[] = [];
  const fetchImpl: typeof fetch = (input, init) => {
    const url = new URL(String(input));
    sent.push({
      method: init?.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      body: new URLSearchParams(typeof init?.body === 'string' ? init.body : ''),
    });
    return fetch(input, init);
  };
  const e = opts.env ?? env;
  const governor = createRateLimitGovernor();
  const timeSync = createTimeSync({ env: e, fetchImpl, governor });
  const rest = createRestClient({
    env: e,
    timeSync,
    governor,
    fetchImpl,
    timeoutMs: opts.timeoutMs ?? 15_000,
    credentials: createCredentials(opts.material ?? { type: 'HMAC', apiKey: sim.apiKey, secret: sim.apiSecret }),
  });
  return { rest, timeSync, governor, sent };
}

async function failure(p: Promise<unknown>): Promise<ExchangeError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ExchangeError) return e;
    throw e;
  }
  throw new Error('expected the request to fail');
}

const Account = z.object({ balances: z.array(z.object({ asset: z.string(), free: z.string(), locked: z.string() })) });
const account = (rest: RestClient) =>
  rest.request({ method: 'GET', path: '/api/v3/account', security: 'USER_DATA', weight: 20, schema: Account });
const Order = z.object({
  symbol: z.string(),
  orderId: z.union([z.string(), z.number()]).transform(String),
  clientOrderId: z.string(),
  status: z.string().optional(),
});

beforeAll(async () => {
  sim = await startSimulator({ seed: 7 });
  env = simulatorEnvironment({ restUrl: sim.restUrl, streamUrl: sim.streamUrl, wsApiUrl: sim.wsApiUrl });
});
afterEach(async () => {
  sim.faults.reset();
  sim.clock.setOffset(0);
  // A 429 arms the simulator's "ignored Retry-After -> ban" rule for the rest of the minute; the
  // next test uses a fresh client that never saw that 429, so start it from a clean limiter.
  const res = await fetch(`${sim.controlUrl}/rate-limits/reset`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${sim.controlToken}` },
  });
  expect(res.status).toBe(200);
});
afterAll(async () => {
  await sim.stop();
});

describe('signed REST against the simulator', () => {
  it('signed GET /api/v3/account works with HMAC, RSA and Ed25519 keys (B17)', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const ed = generateKeyPairSync('ed25519');
    const perms = { reading: true, spotTrading: true };
    const rsaKey = sim.registerKey({
      type: 'RSA',
      publicKeyPem: rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      permissions: perms,
    });
    const edKey = sim.registerKey({
      type: 'ED25519',
      publicKeyPem: ed.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      permissions: perms,
    });
    const materials: CredentialMaterial[] = [
      { type: 'HMAC', apiKey: sim.apiKey, secret: sim.apiSecret },
      { type: 'RSA', apiKey: rsaKey.apiKey, privateKeyPem: rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() },
      { type: 'ED25519', apiKey: edKey.apiKey, privateKeyPem: ed.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() },
    ];
    for (const material of materials) {
      const { rest } = harness({ material });
      const acct = await account(rest);
      expect(acct.balances.find((b) => b.asset === 'USDT')?.free).toMatch(/^\d+\.\d+$/);
    }
  });

  it('a wrong secret is an auth error naming the fix', async () => {
    const { rest } = harness({ material: { type: 'HMAC', apiKey: sim.apiKey, secret: 'x'.repeat(64) } });
    const e = await failure(account(rest));
    expect(e).toMatchObject({ kind: 'auth', binanceCode: -1022 });
  });

  it.each([-8_000, 10_000])('clock skew %i ms: one resync, a fresh timestamp and signature, then success (B1, B2)', async (offset) => {
    const { rest, timeSync, sent } = harness();
    sim.clock.setOffset(offset);
    await account(rest);
    const calls = sent.map((s) => s.path);
    expect(calls).toEqual(['/api/v3/account', '/api/v3/time', '/api/v3/account']);
    const [first, second] = sent.filter((s) => s.path === '/api/v3/account');
    expect(second!.query.get('signature')).not.toBe(first!.query.get('signature'));
    expect(Math.abs(Number(second!.query.get('timestamp')) - Number(first!.query.get('timestamp')) - offset)).toBeLessThan(1500);
    expect(Math.abs(timeSync.offsetMs() - offset)).toBeLessThan(1000);
    // later requests go straight through
    await account(rest);
    expect(sent).toHaveLength(4);
  });

  it('a clock error on an order resyncs but never re-sends the order', async () => {
    const { rest, sent } = harness();
    sim.clock.setOffset(-8_000);
    const e = await failure(
      rest.request({
        method: 'POST',
        path: '/api/v3/order',
        params: { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quoteOrderQty: '20' },
        security: 'TRADE',
        priority: 'critical',
      }),
    );
    expect(e.kind).toBe('clock');
    expect(sent.map((s) => s.path)).toEqual(['/api/v3/order', '/api/v3/time']);
  });

  it('5xx / -1007 / -1006 on an order is unknown-outcome, sent once, and the order may exist (B3)', async () => {
    const { rest, sent } = harness();
    for (const kind of ['http503', 'code-1007', 'code-1006', 'http500'] as const) {
      sim.faults.state.orderFaults.push({ kind, execute: true });
      const clientId = `perch-it-${kind}`;
      const e = await failure(
        rest.request({
          method: 'POST',
          path: '/api/v3/order',
          params: { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quoteOrderQty: '20', newClientOrderId: clientId },
          security: 'TRADE',
          priority: 'critical',
        }),
      );
      expect(e.kind).toBe('unknown-outcome');
      expect(e.mayHaveExecuted).toBe(true);
      expect(e.httpStatus).toBeGreaterThanOrEqual(500);
      if (kind === 'code-1007') expect(e.binanceCode).toBe(-1007);
      if (kind === 'code-1006') expect(e.binanceCode).toBe(-1006);
      const found = await rest.request({
        method: 'GET',
        path: '/api/v3/order',
        params: { symbol: 'BTCUSDT', origClientOrderId: clientId },
        security: 'USER_DATA',
        weight: 4,
        schema: Order,
      });
      expect(found.clientOrderId).toBe(clientId);
    }
    expect(sent.filter((s) => s.method === 'POST')).toHaveLength(4);
  });

  it('-2013, -1013 and parameter errors map to not-found, filter and rejected', async () => {
    const { rest } = harness();
    const nf = await failure(
      rest.request({
        method: 'GET',
        path: '/api/v3/order',
        params: { symbol: 'BTCUSDT', origClientOrderId: 'never-placed' },
        security: 'USER_DATA',
      }),
    );
    expect(nf).toMatchObject({ kind: 'not-found', binanceCode: -2013 });
    const lot = await failure(
      rest.request({
        method: 'POST',
        path: '/api/v3/order',
        params: { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.000011', price: '50000' },
        security: 'TRADE',
      }),
    );
    expect(lot).toMatchObject({ kind: 'filter', binanceCode: -1013, filter: 'LOT_SIZE' });
    const missing = await failure(
      rest.request({
        method: 'POST',
        path: '/api/v3/order',
        params: { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '0.001' },
        security: 'TRADE',
      }),
    );
    expect(missing.kind).toBe('rejected');
    expect(missing.message).toMatch(/parameter/i);
  });

  it('429 with Retry-After: rate-limited, then nothing is sent until it passes (B5)', async () => {
    const { rest, governor, sent } = harness();
    sim.faults.state.force429 = 1;
    const e = await failure(account(rest));
    expect(e.kind).toBe('rate-limited');
    expect(e.httpStatus).toBe(429);
    expect(e.retryAfterMs).toBeGreaterThan(0);
    expect(governor.state().pausedUntil).toBeGreaterThan(Date.now());
    const local = await failure(account(rest));
    expect(local.kind).toBe('rate-limited');
    expect(sent).toHaveLength(1);
  });

  it('418: banned until the stated time, refused locally without a request (B5)', async () => {
    const { rest, governor, sent } = harness();
    sim.faults.state.banUntil = sim.clock.now() + 120_000;
    const e = await failure(account(rest));
    expect(e.kind).toBe('banned');
    expect(e.httpStatus).toBe(418);
    expect(governor.bannedUntil()).toBeGreaterThan(Date.now() + 60_000);
    const local = await failure(rest.request({ method: 'GET', path: '/api/v3/ping', security: 'NONE' }));
    expect(local.kind).toBe('banned');
    expect(sent).toHaveLength(1);
  });

  it('weight headers are tracked', async () => {
    const { rest, governor } = harness();
    await account(rest);
    expect(governor.weightUsed()).toBeGreaterThan(0);
  });

  it('latency is tolerated; a hang is bounded by the timeout (timeout for reads, unknown-outcome for orders)', async () => {
    const { rest } = harness({ timeoutMs: 800 });
    sim.faults.state.latencyMs = 100;
    await account(rest);
    sim.faults.state.latencyMs = 0;
    sim.faults.state.hangPaths = ['/api/v3/account', '/api/v3/order'];
    const read = await failure(account(rest));
    expect(read.kind).toBe('timeout');
    const order = await failure(
      rest.request({
        method: 'POST',
        path: '/api/v3/order',
        params: { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quoteOrderQty: '20' },
        security: 'TRADE',
        priority: 'critical',
      }),
    );
    expect(order.kind).toBe('unknown-outcome');
    sim.faults.state.hangPaths = [];
    sim.faults.state.latencyMs = 3000;
    expect((await failure(account(rest))).kind).toBe('timeout');
  });

  it('ids above 2^53 come back as exact strings and can be used in the next request (B7)', async () => {
    const { rest } = harness();
    sim.faults.state.bigIds = true;
    const placed = await rest.request<{ orderId: string; fills?: Array<{ tradeId: unknown }> }>({
      method: 'POST',
      path: '/api/v3/order',
      params: { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quoteOrderQty: '20' },
      security: 'TRADE',
      priority: 'critical',
    });
    expect(typeof placed.orderId).toBe('string');
    expect(BigInt(placed.orderId) > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    for (const fill of placed.fills ?? []) expect(typeof fill.tradeId).toBe('string');
    const again = await rest.request<{ orderId: string }>({
      method: 'GET',
      path: '/api/v3/order',
      params: { symbol: 'BTCUSDT', orderId: placed.orderId },
      security: 'USER_DATA',
    });
    expect(again.orderId).toBe(placed.orderId);
  });

  it('/sapi is refused locally on a testnet environment and served by the simulator', async () => {
    const testnet: Environment = { ...environment('testnet'), restUrl: sim.restUrl };
    const t = harness({ env: testnet });
    const e = await failure(t.rest.request({ method: 'GET', path: '/sapi/v1/account/apiRestrictions', security: 'USER_DATA' }));
    expect(e.kind).toBe('unavailable');
    expect(e.message).toMatch(/not available on this environment/);
    expect(t.sent).toHaveLength(0);
    const s = harness();
    const restrictions = await s.rest.request<Record<string, unknown>>({
      method: 'GET',
      path: '/sapi/v1/account/apiRestrictions',
      security: 'USER_DATA',
    });
    expect(restrictions).toHaveProperty('enableSpotAndMarginTrading');
  });
});

describe('filters vs the simulator (B6)', () => {
  it('drafts the validator passes are accepted; drafts it rejects are rejected by the simulator for the same filter', async () => {
    const { rest } = harness();
    const info = createExchangeInfo({ rest });
    await info.start();
    info.stop();
    const symbols = ['BTCUSDT', 'ETHUSDT', 'DOGEUSDT', 'SHIBUSDT'];
    const placed: string[] = [];
    for (const symbol of symbols) {
      const s = info.symbol(symbol);
      expect(s, symbol).toBeDefined();
      const avg = await rest.request<{ price: string }>({
        method: 'GET',
        path: '/api/v3/avgPrice',
        params: { symbol },
        security: 'NONE',
        weight: 2,
      });
      const tick = s!.filters.price!.tickSize;
      // A resting buy a little under the market, with deliberately awkward decimals.
      const awkward = formatDecimal(dec(avg.price).mul('0.97').plus('0.000000003'));
      const qty = formatDecimal(dec('12.3456789123').div(dec(avg.price)).plus('0.0000000071'));
      const draft: OrderDraft = { symbol, side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: qty, price: awkward };
      const checked = info.validate(draft, { avgPrice: avg.price });
      expect(checked.issues, symbol).toEqual([]);
      expect(checked.adjustments.length).toBeGreaterThan(0);
      const order = await rest.request({
        method: 'POST',
        path: '/api/v3/order',
        params: { ...checked.order },
        security: 'TRADE',
        schema: Order,
      });
      expect(order.status).toBe('NEW');
      placed.push(symbol);

      // Too small: the validator and the simulator agree on the notional filter.
      const tiny: OrderDraft = {
        symbol,
        side: 'BUY',
        type: 'LIMIT',
        timeInForce: 'GTC',
        quantity: s!.filters.lotSize!.minQty,
        price: formatDecimal(snapToTick(dec(avg.price).mul('0.97'), tick, 'down')),
      };
      const tinyCheck = info.validate(tiny, { avgPrice: avg.price });
      const notionalIssue = tinyCheck.issues.find((i) => i.filter === 'NOTIONAL' || i.filter === 'MIN_NOTIONAL');
      expect(notionalIssue, symbol).toBeDefined();
      const rejected = await failure(
        rest.request({ method: 'POST', path: '/api/v3/order', params: { ...tinyCheck.order }, security: 'TRADE' }),
      );
      expect(rejected).toMatchObject({ kind: 'filter', binanceCode: -1013, filter: notionalIssue!.filter });
      // ...and the suggested quantity is accepted.
      const fixed = info.validate({ ...tiny, quantity: notionalIssue!.suggestion! }, { avgPrice: avg.price });
      expect(fixed.issues).toEqual([]);
      await expect(
        rest.request({ method: 'POST', path: '/api/v3/order', params: { ...fixed.order }, security: 'TRADE', schema: Order }),
      ).resolves.toMatchObject({ symbol });
    }
    expect(placed).toEqual(symbols);
  });
});

describe('exchangeInfo refresh against the simulator', () => {
  it('a -1013 re-fetches that symbol; markStale picks up a status change (CANCEL_ONLY)', async () => {
    const { rest, sent } = harness();
    const info = createExchangeInfo({ rest, staleDebounceMs: 20 });
    await info.start();
    try {
      expect(info.symbol('ETHUSDT')?.status).toBe('TRADING');
      const e = await failure(
        rest.request({
          method: 'POST',
          path: '/api/v3/order',
          params: { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.000011', price: '50000' },
          security: 'TRADE',
        }),
      );
      expect(e.kind).toBe('filter');
      await info.flushStale();
      const refetch = sent.filter((x) => x.path === '/api/v3/exchangeInfo');
      expect(refetch).toHaveLength(2);
      expect(refetch[1]!.query.get('symbols')).toBe('["BTCUSDT"]');

      sim.market.setStatus('ETHUSDT', 'CANCEL_ONLY');
      const changed: string[][] = [];
      info.onChange((c) => changed.push([...c]));
      info.markStale('ETHUSDT');
      await info.flushStale();
      expect(changed).toEqual([['ETHUSDT']]);
      expect(info.symbol('ETHUSDT')?.status).toBe('CANCEL_ONLY');
      expect(info.validate({ symbol: 'ETHUSDT', side: 'BUY', type: 'MARKET', quantity: '0.01' }).issues[0]?.filter).toBe('SYMBOL_STATUS');
    } finally {
      info.stop();
      sim.market.setStatus('ETHUSDT', 'TRADING');
    }
  });
});

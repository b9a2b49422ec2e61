import { createHmac, generateKeyPairSync, sign as cryptoSign } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createClock } from '../../../src/main/sim/clock';
import type { SimClock } from '../../../src/main/sim/clock';
import { errors, SimError } from '../../../src/main/sim/errors';
import { createFaults } from '../../../src/main/sim/faults';
import { createKeyRegistry } from '../../../src/main/sim/server/auth';
import type { KeyRegistry } from '../../../src/main/sim/server/auth';
import { createControlHandler } from '../../../src/main/sim/server/control';
import { startHttpServer } from '../../../src/main/sim/server/http';
import type { SimHttpServer } from '../../../src/main/sim/server/http';
import { createRateLimiter } from '../../../src/main/sim/server/rate-limit';
import type { RateLimiter } from '../../../src/main/sim/server/rate-limit';
import { serverRoutes } from '../../../src/main/sim/server/routes';
import type { ApiKeyRecord, Faults, RestRequest, RestRoute } from '../../../src/main/sim/types';

const TOKEN = 'test-control-token';

/** Test-side signing, written from the docs (not the simulator's code). */
function enc(v: string): string {
  return encodeURIComponent(v);
}
function qs(params: Record<string, string>): string {
  return Object.entries(params)
    .map(([k, v]) => `${enc(k)}=${enc(v)}`)
    .join('&');
}
function hmacHex(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('hex');
}

interface Ctx {
  clock: SimClock;
  faults: Faults;
  keys: KeyRegistry;
  limiter: RateLimiter;
  server: SimHttpServer;
  base: string;
  hmac: ApiKeyRecord;
  seen: RestRequest[];
}

let ctx: Ctx;

function stubRoutes(faults: Faults, clock: SimClock, seen: RestRequest[]): RestRoute[] {
  return [
    { method: 'GET', path: '/api/v3/time', security: 'NONE', weight: 1, handler: () => ({ serverTime: clock.now() }) },
    {
      method: 'GET',
      path: '/api/v3/account',
      security: 'USER_DATA',
      weight: 20,
      handler: (req) => {
        seen.push(req);
        return { accountId: req.key?.accountId, bigId: 9007199254740993n };
      },
    },
    {
      method: 'POST',
      path: '/api/v3/order',
      security: 'TRADE',
      weight: 1,
      countsAsOrder: true,
      handler: (req) => {
        seen.push(req);
        const fault = faults.takeOrderFault();
        if (fault?.kind === 'timeout-hang') return new Promise(() => undefined);
        if (fault?.kind === 'http500') throw new SimError(500, -1000, 'An unknown error occurred while processing the request.');
        if (fault?.kind === 'code-1007') throw errors.timeout();
        if (req.params.symbol === 'BAD') throw errors.badSymbol();
        return { symbol: req.params.symbol, orderId: 1 };
      },
    },
  ];
}

beforeEach(async () => {
  const clock = createClock();
  const faults = createFaults();
  const keys = createKeyRegistry(clock);
  const limiter = createRateLimiter(clock);
  const seen: RestRequest[] = [];
  const hmac = keys.register({ type: 'HMAC', accountId: 'acc-1' });
  const server = await startHttpServer({
    clock,
    faults,
    keys,
    limiter,
    routes: [...stubRoutes(faults, clock, seen), ...serverRoutes()],
    control: createControlHandler({
      token: TOKEN,
      clock,
      faults,
      limiter,
      demoAccountId: 'acc-1',
      registerKey: (o) => {
        const r = keys.register({ ...o, accountId: o.accountId ?? 'acc-1' });
        return { apiKey: r.apiKey, ...(r.secret !== undefined ? { secret: r.secret } : {}) };
      },
    }),
  });
  ctx = { clock, faults, keys, limiter, server, base: `http://127.0.0.1:${server.port}`, hmac, seen };
});

afterEach(async () => {
  await ctx.server.close();
});

function signedQuery(key: ApiKeyRecord, params: Record<string, string>): string {
  const q = qs({ ...params, timestamp: params.timestamp ?? String(ctx.clock.now()) });
  return `${q}&signature=${hmacHex(key.secret ?? '', q)}`;
}

async function json(res: Response): Promise<unknown> {
  return JSON.parse(await res.text());
}

describe('REST dispatch', () => {
  it('unsigned request: JSON reply and weight headers', async () => {
    const res = await fetch(`${ctx.base}/api/v3/time`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(res.headers.get('x-mbx-used-weight-1m')).toBe('1');
    const body = (await json(res)) as { serverTime: number };
    expect(typeof body.serverTime).toBe('number');
    const res2 = await fetch(`${ctx.base}/api/v3/time`);
    expect(res2.headers.get('x-mbx-used-weight-1m')).toBe('2');
  });

  it('signed GET with HMAC: handler sees the key, params without signature; big ids are bare digits', async () => {
    const res = await fetch(`${ctx.base}/api/v3/account?${signedQuery(ctx.hmac, { omitZeroBalances: 'true' })}`, {
      headers: { 'X-MBX-APIKEY': ctx.hmac.apiKey },
    });
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(text).toBe('{"accountId":"acc-1","bigId":9007199254740993}');
    expect(res.headers.get('x-mbx-used-weight-1m')).toBe('20');
    const req = ctx.seen[0];
    expect(req?.key?.apiKey).toBe(ctx.hmac.apiKey);
    expect(req?.params.omitZeroBalances).toBe('true');
    expect(req?.params.signature).toBeUndefined();
    expect(typeof req?.receivedAt).toBe('number');
  });

  it('POST with params in query and body: query wins; signature over query+body; order headers; 0 weight on success', async () => {
    const query = qs({ symbol: 'BTCUSDT', side: 'BUY' });
    const body = qs({ symbol: 'IGNORED', type: 'LIMIT', timestamp: String(ctx.clock.now()) });
    const sig = hmacHex(ctx.hmac.secret ?? '', query + body);
    const res = await fetch(`${ctx.base}/api/v3/order?${query}`, {
      method: 'POST',
      headers: { 'X-MBX-APIKEY': ctx.hmac.apiKey, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `${body}&signature=${sig}`,
    });
    expect(res.status).toBe(200);
    expect(ctx.seen[0]?.params).toMatchObject({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT' });
    expect(res.headers.get('x-mbx-order-count-10s')).toBe('1');
    expect(res.headers.get('x-mbx-order-count-1d')).toBe('1');
    expect(res.headers.get('x-mbx-used-weight-1m')).toBe('0');
    // A failed order pays its weight.
    const bad = await fetch(`${ctx.base}/api/v3/order?${signedQuery(ctx.hmac, { symbol: 'BAD' })}`, {
      method: 'POST',
      headers: { 'X-MBX-APIKEY': ctx.hmac.apiKey },
    });
    expect(bad.status).toBe(400);
    expect(await json(bad)).toEqual({ code: -1121, msg: 'Invalid symbol.' });
    expect(bad.headers.get('x-mbx-used-weight-1m')).toBe('1');
  });

  it('authentication errors as production answers them', async () => {
    const tampered = signedQuery(ctx.hmac, { symbol: 'BTCUSDT' }).replace('BTCUSDT', 'ETHUSDT');
    const r1 = await fetch(`${ctx.base}/api/v3/account?${tampered}`, { headers: { 'X-MBX-APIKEY': ctx.hmac.apiKey } });
    expect([r1.status, await json(r1)]).toEqual([400, { code: -1022, msg: 'Signature for this request is not valid.' }]);

    const old = signedQuery(ctx.hmac, { timestamp: String(ctx.clock.now() - 10_000) });
    const r2 = await fetch(`${ctx.base}/api/v3/account?${old}`, { headers: { 'X-MBX-APIKEY': ctx.hmac.apiKey } });
    expect([r2.status, await json(r2)]).toEqual([400, { code: -1021, msg: 'Timestamp for this request is outside of the recvWindow.' }]);

    const ahead = signedQuery(ctx.hmac, { timestamp: String(ctx.clock.now() + 5_000) });
    const r3 = await fetch(`${ctx.base}/api/v3/account?${ahead}`, { headers: { 'X-MBX-APIKEY': ctx.hmac.apiKey } });
    expect((await json(r3)) as object).toEqual({ code: -1021, msg: "Timestamp for this request was 1000ms ahead of the server's time." });

    const r4 = await fetch(`${ctx.base}/api/v3/account?${signedQuery(ctx.hmac, {})}`);
    expect([r4.status, await json(r4)]).toEqual([401, { code: -2014, msg: 'API-key format invalid.' }]);

    const r5 = await fetch(`${ctx.base}/api/v3/account?${signedQuery(ctx.hmac, {})}`, { headers: { 'X-MBX-APIKEY': 'Z'.repeat(64) } });
    expect([r5.status, await json(r5)]).toEqual([401, { code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' }]);

    const r6 = await fetch(`${ctx.base}/api/v3/account?${qs({ timestamp: String(ctx.clock.now()) })}`, {
      headers: { 'X-MBX-APIKEY': ctx.hmac.apiKey },
    });
    expect((await json(r6)) as { code: number }).toMatchObject({ code: -1102 });

    const dup = `symbol=A&symbol=B&timestamp=${ctx.clock.now()}`;
    const r7 = await fetch(`${ctx.base}/api/v3/account?${dup}&signature=${hmacHex(ctx.hmac.secret ?? '', dup)}`, {
      headers: { 'X-MBX-APIKEY': ctx.hmac.apiKey },
    });
    expect([r7.status, await json(r7)]).toEqual([400, { code: -1101, msg: 'Duplicate values for a parameter detected.' }]);
  });

  it('µs timestamp and fractional recvWindow are accepted', async () => {
    const q = signedQuery(ctx.hmac, { timestamp: `${ctx.clock.now()}123`, recvWindow: '6000.346' });
    const res = await fetch(`${ctx.base}/api/v3/account?${q}`, { headers: { 'X-MBX-APIKEY': ctx.hmac.apiKey } });
    expect(res.status).toBe(200);
  });

  it('read-only key cannot TRADE (-2015) but can read', async () => {
    const ro = ctx.keys.register({ type: 'HMAC', accountId: 'acc-1', permissions: { spotTrading: false } });
    const r1 = await fetch(`${ctx.base}/api/v3/order?${signedQuery(ro, { symbol: 'BTCUSDT' })}`, {
      method: 'POST',
      headers: { 'X-MBX-APIKEY': ro.apiKey },
    });
    expect([r1.status, await json(r1)]).toEqual([401, { code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' }]);
    const r2 = await fetch(`${ctx.base}/api/v3/account?${signedQuery(ro, {})}`, { headers: { 'X-MBX-APIKEY': ro.apiKey } });
    expect(r2.status).toBe(200);
  });

  it('RSA and Ed25519 keys with a non-ASCII parameter (percent-encoded, signature percent-encoded)', async () => {
    const symbol = '\u8fd9\u662f\u6d4b\u8bd5\u5e01456';
    for (const type of ['RSA', 'ED25519'] as const) {
      const pair = type === 'RSA' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ed25519');
      const key = ctx.keys.register({
        type,
        accountId: 'acc-2',
        publicKeyPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      });
      const q = qs({ symbol, timestamp: String(ctx.clock.now()) });
      const sig = cryptoSign(type === 'RSA' ? 'sha256' : null, Buffer.from(q), pair.privateKey).toString('base64');
      const res = await fetch(`${ctx.base}/api/v3/account?${q}&signature=${enc(sig)}`, { headers: { 'X-MBX-APIKEY': key.apiKey } });
      expect(res.status, type).toBe(200);
      expect(ctx.seen.at(-1)?.params.symbol).toBe(symbol);
      // Signed over the un-encoded string: rejected.
      const unencoded = `symbol=${symbol}&timestamp=${ctx.clock.now()}`;
      const bad = cryptoSign(type === 'RSA' ? 'sha256' : null, Buffer.from(unencoded), pair.privateKey).toString('base64');
      const res2 = await fetch(`${ctx.base}/api/v3/account?${qs({ symbol, timestamp: String(ctx.clock.now()) })}&signature=${enc(bad)}`, {
        headers: { 'X-MBX-APIKEY': key.apiKey },
      });
      expect((await json(res2)) as object, type).toEqual({ code: -1022, msg: 'Signature for this request is not valid.' });
    }
  });

  it('GET /sapi/v1/account/apiRestrictions reflects the key', async () => {
    const k = ctx.keys.register({
      type: 'HMAC',
      accountId: 'acc-1',
      permissions: { spotTrading: false, withdrawals: true, ipRestrict: true },
    });
    const res = await fetch(`${ctx.base}/sapi/v1/account/apiRestrictions?${signedQuery(k, {})}`, { headers: { 'X-MBX-APIKEY': k.apiKey } });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({
      ipRestrict: true,
      createTime: k.createdAt,
      enableReading: true,
      enableSpotAndMarginTrading: false,
      enableWithdrawals: true,
    });
  });

  it('unknown routes 404 (HTML only for text/html clients); the retired listenKey endpoints 410', async () => {
    const r1 = await fetch(`${ctx.base}/api/v3/exchangie`);
    expect(r1.status).toBe(404);
    expect(await r1.text()).toBe('');
    const r2 = await fetch(`${ctx.base}/api/v3/exchangie`, { headers: { Accept: 'text/html' } });
    expect(await r2.text()).toBe('<html><body><h2>404 Not found</h2></body></html>');
    for (const path of ['/api/v3/userDataStream', '/api/v1/userDataStream']) {
      for (const method of ['POST', 'PUT', 'DELETE']) {
        const res = await fetch(`${ctx.base}${path}?listenKey=abc`, { method, headers: { 'X-MBX-APIKEY': ctx.hmac.apiKey } });
        expect(res.status, `${method} ${path}`).toBe(410);
        const text = await res.text();
        expect(text).toContain('410 Gone');
        expect(Buffer.byteLength(text)).toBe(136);
      }
    }
  });
});

describe('rate-limit faults', () => {
  it('force429 answers 429 with Retry-After; ignoring it bans (418, Retry-After)', async () => {
    ctx.faults.state.force429 = 1;
    const r1 = await fetch(`${ctx.base}/api/v3/time`);
    expect(r1.status).toBe(429);
    expect(Number(r1.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(r1.headers.get('x-mbx-used-weight-1m')).not.toBeNull();
    expect(((await json(r1)) as { code: number }).code).toBe(-1003);
    const r2 = await fetch(`${ctx.base}/api/v3/time`);
    expect(r2.status).toBe(418);
    expect(Number(r2.headers.get('retry-after'))).toBe(120);
    expect(((await json(r2)) as { msg: string }).msg).toMatch(/^Way too much request weight used; IP banned until \d+\./);
  });

  it('banUntil answers 418 until it passes', async () => {
    ctx.faults.state.banUntil = ctx.clock.now() + 30_000;
    expect((await fetch(`${ctx.base}/api/v3/time`)).status).toBe(418);
    ctx.clock.jump(31_000);
    expect((await fetch(`${ctx.base}/api/v3/time`)).status).toBe(200);
  });
});

describe('latency, hang and order faults', () => {
  it('latency delays processing, so a tight recvWindow fails the second (pre-engine) check', async () => {
    ctx.faults.state.latencyMs = 400;
    const q = signedQuery(ctx.hmac, { symbol: 'BTCUSDT', recvWindow: '100' });
    const res = await fetch(`${ctx.base}/api/v3/order?${q}`, { method: 'POST', headers: { 'X-MBX-APIKEY': ctx.hmac.apiKey } });
    expect(((await json(res)) as { code: number }).code).toBe(-1021);
    expect(ctx.seen).toHaveLength(0);
  });

  it('a hung path never answers (the client gives up), other paths still work', async () => {
    ctx.faults.state.hangPaths = ['/api/v3/time'];
    await expect(fetch(`${ctx.base}/api/v3/time`, { signal: AbortSignal.timeout(300) })).rejects.toThrow();
    const res = await fetch(`${ctx.base}/api/v3/account?${signedQuery(ctx.hmac, {})}`, { headers: { 'X-MBX-APIKEY': ctx.hmac.apiKey } });
    expect(res.status).toBe(200);
  });

  it('a hung request is closed when the server stops', async () => {
    ctx.faults.state.hangPaths = ['/api/v3/time'];
    const outcome = new Promise<string>((resolve) => {
      const req = httpRequest(`${ctx.base}/api/v3/time`, (res) => resolve(`reply ${res.statusCode ?? 0}`));
      req.on('error', (err) => resolve(`error ${err.message}`));
      req.end();
    });
    // Wait until the request reached the server before stopping it.
    const connections = () => new Promise<number>((r) => ctx.server.server.getConnections((_e, n) => r(n)));
    while ((await connections()) === 0) await new Promise((r) => setTimeout(r, 10));
    await ctx.server.close();
    expect(await outcome).toMatch(/^error /);
  });

  it('order faults: timeout-hang keeps the socket open; http500 / -1007 replies', async () => {
    ctx.faults.state.orderFaults.push(
      { kind: 'timeout-hang', execute: false },
      { kind: 'http500', execute: true },
      { kind: 'code-1007', execute: false },
    );
    const post = (signal?: AbortSignal) =>
      fetch(`${ctx.base}/api/v3/order?${signedQuery(ctx.hmac, { symbol: 'BTCUSDT' })}`, {
        method: 'POST',
        headers: { 'X-MBX-APIKEY': ctx.hmac.apiKey },
        ...(signal ? { signal } : {}),
      });
    await expect(post(AbortSignal.timeout(300))).rejects.toThrow();
    const r2 = await post();
    expect([r2.status, await json(r2)]).toEqual([500, { code: -1000, msg: 'An unknown error occurred while processing the request.' }]);
    const r3 = await post();
    expect([r3.status, ((await json(r3)) as { code: number }).code]).toEqual([500, -1007]);
  });
});

describe('control endpoint', () => {
  const control = (path: string, body?: unknown, token: string | null = TOKEN) =>
    fetch(`${ctx.base}/__control${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'Content-Type': 'application/json', ...(token !== null ? { Authorization: `Bearer ${token}` } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });

  it('requires the bearer token (403 otherwise)', async () => {
    expect((await control('/state', undefined, null)).status).toBe(403);
    expect((await control('/state', undefined, 'wrong')).status).toBe(403);
    expect((await control('/faults', { latencyMs: 5 }, 'wrong')).status).toBe(403);
    expect(ctx.faults.state.latencyMs).toBe(0);
    expect((await control('/state')).status).toBe(200);
  });

  it('sets knobs, queues order faults, moves the clock, registers keys', async () => {
    const r1 = await control('/faults', { latencyMs: 7, reorderUserEvents: true, refuseUpgrades: 503 });
    expect(r1.status).toBe(200);
    expect(ctx.faults.state).toMatchObject({ latencyMs: 7, reorderUserEvents: true, refuseUpgrades: 503 });
    expect((await control('/faults', { latencyMs: -1 })).status).toBe(400);
    expect((await control('/faults', { nonsense: 1 })).status).toBe(400);

    await control('/faults/order', { kind: 'code-1007', execute: true, count: 2 });
    expect(ctx.faults.state.orderFaults).toEqual([
      { kind: 'code-1007', execute: true },
      { kind: 'code-1007', execute: true },
    ]);
    await control('/faults/unknown-order', { key: 'my-cid', count: 3 });
    expect(ctx.faults.state.unknownOrderQueries.get('my-cid')).toBe(3);

    const before = ctx.clock.now();
    const r2 = await control('/clock', { jump: 3_600_000 });
    const c = (await json(r2)) as { serverTime: number; offsetMs: number };
    expect(c.serverTime - before).toBeGreaterThanOrEqual(3_600_000);
    const t = (await json(await fetch(`${ctx.base}/api/v3/time`))) as { serverTime: number };
    expect(t.serverTime - before).toBeGreaterThanOrEqual(3_600_000);
    await control('/clock', { set: 1_600_000_000_000 });
    expect(Math.abs(ctx.clock.now() - 1_600_000_000_000)).toBeLessThan(60_000);

    const r3 = await control('/keys', { type: 'HMAC', permissions: { spotTrading: false } });
    const k = (await json(r3)) as { apiKey: string; secret: string };
    expect(ctx.keys.get(k.apiKey)?.permissions.spotTrading).toBe(false);

    const seen: string[] = [];
    ctx.faults.onAction((a) => seen.push(a.type));
    await control('/server-shutdown', {});
    await control('/close-all', { kind: 'ws-api' });
    await control('/event-stream-terminated', { accountId: 'acc-1' });
    expect(seen).toEqual(['serverShutdown', 'closeAll', 'eventStreamTerminated']);

    await control('/faults/reset', {});
    expect(ctx.faults.state).toMatchObject({ latencyMs: 0, reorderUserEvents: false, refuseUpgrades: 0, orderFaults: [] });
    expect((await control('/price', { symbol: 'BTCUSDT', price: '1' })).status).toBe(404);
  });
});

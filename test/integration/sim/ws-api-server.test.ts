import { createHmac, generateKeyPairSync, sign as cryptoSign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createClock } from '../../../src/main/sim/clock';
import type { SimClock } from '../../../src/main/sim/clock';
import { createFaults } from '../../../src/main/sim/faults';
import { createKeyRegistry } from '../../../src/main/sim/server/auth';
import type { KeyRegistry } from '../../../src/main/sim/server/auth';
import { startHttpServer } from '../../../src/main/sim/server/http';
import type { SimHttpServer } from '../../../src/main/sim/server/http';
import { createRateLimiter } from '../../../src/main/sim/server/rate-limit';
import type { RateLimiter } from '../../../src/main/sim/server/rate-limit';
import { createWsApi } from '../../../src/main/sim/server/ws-api';
import type { WsApi, WsApiOptions } from '../../../src/main/sim/server/ws-api';
import type { ApiKeyRecord, Faults, UserDataBus, UserDataEvent } from '../../../src/main/sim/types';

/** A tiny in-memory bus standing in for the exchange part's UserDataBus. */
function createTestBus(): UserDataBus & { listeners: () => number } {
  const subs = new Map<string, Set<(e: UserDataEvent) => void>>();
  return {
    publish(accountId, event) {
      for (const l of [...(subs.get(accountId) ?? [])]) l(event);
    },
    subscribe(accountId, listener) {
      const set = subs.get(accountId) ?? new Set();
      subs.set(accountId, set);
      set.add(listener);
      return () => set.delete(listener);
    },
    listeners: () => [...subs.values()].reduce((n, s) => n + s.size, 0),
  };
}

type Msg = Record<string, unknown>;

interface Client {
  ws: WebSocket;
  next(): Promise<Msg>;
  request(method: string, params?: Msg): Promise<Msg>;
  closed: Promise<number>;
}

const open: WebSocket[] = [];

function connect(url: string, opts: WebSocket.ClientOptions = {}): Promise<Client> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, opts);
    open.push(ws);
    const queue: Msg[] = [];
    const waiters: Array<(m: Msg) => void> = [];
    let seq = 0;
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as Msg;
      const w = waiters.shift();
      if (w) w(m);
      else queue.push(m);
    });
    const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
    const next = (): Promise<Msg> => {
      const m = queue.shift();
      if (m) return Promise.resolve(m);
      return new Promise((r) => waiters.push(r));
    };
    ws.once('open', () =>
      resolve({
        ws,
        next,
        closed,
        request: async (method, params) => {
          const id = `r${++seq}`;
          ws.send(JSON.stringify({ id, method, ...(params ? { params } : {}) }));
          const m = await next();
          expect(m.id).toBe(id);
          return m;
        },
      }),
    );
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`unexpected-response ${res.statusCode ?? 0}`)));
  });
}

interface Ctx {
  clock: SimClock;
  faults: Faults;
  keys: KeyRegistry;
  bus: ReturnType<typeof createTestBus>;
  wsApi: WsApi;
  server: SimHttpServer;
  url: string;
  hmac: ApiKeyRecord;
  ed: ApiKeyRecord;
  edPrivate: KeyObject;
  limiter: RateLimiter;
}
let ctx: Ctx;

async function setup(extra: Partial<WsApiOptions> = {}): Promise<void> {
  const clock = createClock();
  const faults = createFaults();
  const keys = createKeyRegistry(clock);
  const limiter = createRateLimiter(clock);
  const bus = createTestBus();
  const wsApi = createWsApi({ clock, faults, keys, limiter, userData: bus, reorderFlushMs: 5000, shutdownCloseDelayMs: 300, ...extra });
  const server = await startHttpServer({ clock, faults, keys, limiter, routes: [], wsApi });
  const hmac = keys.register({ type: 'HMAC', accountId: 'acc-1' });
  const pair = generateKeyPairSync('ed25519');
  const ed = keys.register({
    type: 'ED25519',
    accountId: 'acc-2',
    publicKeyPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  });
  ctx = {
    clock,
    faults,
    keys,
    bus,
    wsApi,
    server,
    url: `ws://127.0.0.1:${server.port}/ws-api/v3`,
    hmac,
    ed,
    edPrivate: pair.privateKey,
    limiter,
  };
}

beforeEach(async () => {
  await setup();
});

afterEach(async () => {
  for (const ws of open.splice(0)) ws.terminate();
  ctx.wsApi.dispose();
  await ctx.server.close();
});

/** Test-side WS API signing from the docs: sorted params, k=v&..., no percent-encoding. */
function signParams(key: ApiKeyRecord, params: Msg, privateKey?: KeyObject): Msg {
  const payload = Object.keys(params)
    .sort()
    .map((k) => `${k}=${String(params[k])}`)
    .join('&');
  const signature =
    key.type === 'HMAC'
      ? createHmac('sha256', key.secret ?? '')
          .update(payload)
          .digest('hex')
      : cryptoSign(null, Buffer.from(payload, 'utf8'), privateKey as KeyObject).toString('base64');
  return { ...params, signature };
}

const ev = (n: number): UserDataEvent => ({ e: 'balanceUpdate', E: n, a: 'BTC', d: '1.00000000', T: n });

async function waitFor(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(cond()).toBe(true);
}

describe('request/response format', () => {
  it('ping and time with rateLimits (connect costs 2 weight); returnRateLimits=false hides them', async () => {
    const c = await connect(ctx.url);
    const p = await c.request('ping');
    expect(p).toMatchObject({ status: 200, result: {} });
    expect(p.rateLimits).toEqual([{ rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000, count: 3 }]);
    const t = await c.request('time', { returnRateLimits: false });
    expect(typeof (t.result as { serverTime: number }).serverTime).toBe('number');
    expect(t.rateLimits).toBeUndefined();
    const c2 = await connect(`${ctx.url}?returnRateLimits=false`);
    expect((await c2.request('v3/time')).rateLimits).toBeUndefined();
  });

  it('unknown method and malformed JSON are errors with id echo', async () => {
    const c = await connect(ctx.url);
    const r = await c.request('userDataStream.start');
    expect(r.status).toBe(400);
    expect((r.error as { code: number }).code).toBeLessThan(0);
    c.ws.send('{not json');
    const m = await c.next();
    expect(m).toMatchObject({ id: null, status: 400 });
  });
});

describe('userDataStream.subscribe.signature', () => {
  it('HMAC: subscribes, delivers events in the envelope, refuses a second one for the account', async () => {
    const c = await connect(ctx.url);
    const r = await c.request(
      'userDataStream.subscribe.signature',
      signParams(ctx.hmac, { apiKey: ctx.hmac.apiKey, timestamp: ctx.clock.now() }),
    );
    expect(r).toMatchObject({ status: 200, result: { subscriptionId: 0 } });
    ctx.bus.publish('acc-1', ev(1));
    ctx.bus.publish('acc-other', ev(99));
    ctx.bus.publish('acc-1', ev(2));
    expect(await c.next()).toEqual({ subscriptionId: 0, event: ev(1) });
    expect(await c.next()).toEqual({ subscriptionId: 0, event: ev(2) });
    const again = await c.request(
      'userDataStream.subscribe.signature',
      signParams(ctx.hmac, { apiKey: ctx.hmac.apiKey, timestamp: ctx.clock.now(), recvWindow: 5000 }),
    );
    expect(again).toMatchObject({ status: 400, error: { code: -2035, msg: 'User Data Stream subscription already active.' } });
  });

  it('Ed25519 works too, and several accounts share one connection', async () => {
    const c = await connect(ctx.url);
    await c.request('userDataStream.subscribe.signature', signParams(ctx.hmac, { apiKey: ctx.hmac.apiKey, timestamp: ctx.clock.now() }));
    const r = await c.request(
      'userDataStream.subscribe.signature',
      signParams(ctx.ed, { apiKey: ctx.ed.apiKey, timestamp: ctx.clock.now() }, ctx.edPrivate),
    );
    expect(r.result).toEqual({ subscriptionId: 1 });
    ctx.bus.publish('acc-2', ev(5));
    expect(await c.next()).toEqual({ subscriptionId: 1, event: ev(5) });
    expect((await c.request('session.subscriptions')).result).toEqual([{ subscriptionId: 0 }, { subscriptionId: 1 }]);
  });

  it('tampered signature -1022, stale timestamp -1021, unknown key -2015', async () => {
    const c = await connect(ctx.url);
    const signed = signParams(ctx.hmac, { apiKey: ctx.hmac.apiKey, timestamp: ctx.clock.now() });
    const r1 = await c.request('userDataStream.subscribe.signature', { ...signed, timestamp: Number(signed.timestamp) + 1 });
    expect(r1).toMatchObject({ status: 400, error: { code: -1022 } });
    const r2 = await c.request(
      'userDataStream.subscribe.signature',
      signParams(ctx.hmac, { apiKey: ctx.hmac.apiKey, timestamp: ctx.clock.now() - 70_000 }),
    );
    expect(r2).toMatchObject({ status: 400, error: { code: -1021 } });
    const r3 = await c.request('userDataStream.subscribe.signature', {
      apiKey: 'Q'.repeat(64),
      timestamp: ctx.clock.now(),
      signature: 'ab',
    });
    expect(r3).toMatchObject({ status: 401, error: { code: -2015 } });
  });
});

describe('session.logon flow', () => {
  it('logon (Ed25519), status, subscribe, logout ends only the logon subscription', async () => {
    const c = await connect(ctx.url);
    const before = await c.request('session.status');
    expect(before.result).toMatchObject({ apiKey: null, authorizedSince: null, userDataStream: false });
    const logon = await c.request(
      'session.logon',
      signParams(ctx.ed, { apiKey: ctx.ed.apiKey, timestamp: ctx.clock.now() }, ctx.edPrivate),
    );
    expect(logon.result).toMatchObject({ apiKey: ctx.ed.apiKey, userDataStream: false, returnRateLimits: true });
    expect(typeof (logon.result as Msg).authorizedSince).toBe('number');
    const sub = await c.request('userDataStream.subscribe');
    expect(sub.result).toEqual({ subscriptionId: 0 });
    await c.request('userDataStream.subscribe.signature', signParams(ctx.hmac, { apiKey: ctx.hmac.apiKey, timestamp: ctx.clock.now() }));
    expect((await c.request('session.status')).result).toMatchObject({ apiKey: ctx.ed.apiKey, userDataStream: true });
    const out = await c.request('session.logout');
    expect(out.result).toMatchObject({ apiKey: null, authorizedSince: null, userDataStream: true });
    const term = await c.next();
    expect(term).toMatchObject({ subscriptionId: 0, event: { e: 'eventStreamTerminated' } });
    ctx.bus.publish('acc-2', ev(1));
    ctx.bus.publish('acc-1', ev(2));
    expect(await c.next()).toEqual({ subscriptionId: 1, event: ev(2) });
  });

  it('HMAC keys cannot log on; subscribe needs a logged-on session', async () => {
    const c = await connect(ctx.url);
    const r = await c.request('session.logon', signParams(ctx.hmac, { apiKey: ctx.hmac.apiKey, timestamp: ctx.clock.now() }));
    expect(r.status).toBe(401);
    const s = await c.request('userDataStream.subscribe');
    expect(s.status).toBe(401);
  });
});

describe('unsubscribe and terminations', () => {
  it('unsubscribe one id: reply, then eventStreamTerminated; unsubscribe all', async () => {
    const c = await connect(ctx.url);
    await c.request('userDataStream.subscribe.signature', signParams(ctx.hmac, { apiKey: ctx.hmac.apiKey, timestamp: ctx.clock.now() }));
    await c.request(
      'userDataStream.subscribe.signature',
      signParams(ctx.ed, { apiKey: ctx.ed.apiKey, timestamp: ctx.clock.now() }, ctx.edPrivate),
    );
    expect(ctx.bus.listeners()).toBe(2);
    const r = await c.request('userDataStream.unsubscribe', { subscriptionId: 1 });
    expect(r).toMatchObject({ status: 200, result: {} });
    expect(await c.next()).toMatchObject({ subscriptionId: 1, event: { e: 'eventStreamTerminated' } });
    expect(ctx.bus.listeners()).toBe(1);
    expect((await c.request('userDataStream.unsubscribe', { subscriptionId: 7 })).status).toBe(400);
    expect((await c.request('userDataStream.unsubscribe')).status).toBe(200);
    expect(await c.next()).toMatchObject({ subscriptionId: 0, event: { e: 'eventStreamTerminated' } });
    expect(ctx.bus.listeners()).toBe(0);
  });

  it('fault eventStreamTerminated per account and for all; serverShutdown event', async () => {
    const a = await connect(ctx.url);
    const b = await connect(ctx.url);
    await a.request('userDataStream.subscribe.signature', signParams(ctx.hmac, { apiKey: ctx.hmac.apiKey, timestamp: ctx.clock.now() }));
    await b.request(
      'userDataStream.subscribe.signature',
      signParams(ctx.ed, { apiKey: ctx.ed.apiKey, timestamp: ctx.clock.now() }, ctx.edPrivate),
    );
    ctx.faults.eventStreamTerminated('acc-2');
    expect(await b.next()).toMatchObject({ subscriptionId: 0, event: { e: 'eventStreamTerminated' } });
    ctx.faults.serverShutdown();
    const sa = await a.next();
    expect(Object.keys(sa)).toEqual(['event']);
    expect(sa.event).toMatchObject({ e: 'serverShutdown' });
    expect(typeof (sa.event as Msg).E).toBe('number');
    expect((await b.next()).event).toMatchObject({ e: 'serverShutdown' });
    ctx.faults.eventStreamTerminated();
    expect(await a.next()).toMatchObject({ subscriptionId: 0, event: { e: 'eventStreamTerminated' } });
    expect(ctx.bus.listeners()).toBe(0);
    // ...and the shutdown disconnects shortly after the event.
    expect(await a.closed).toBe(1001);
    expect(await b.closed).toBe(1001);
  });
});

describe('delivery faults', () => {
  it('reorderUserEvents swaps adjacent pairs; duplicateUserEvents sends each twice', async () => {
    const c = await connect(ctx.url);
    await c.request('userDataStream.subscribe.signature', signParams(ctx.hmac, { apiKey: ctx.hmac.apiKey, timestamp: ctx.clock.now() }));
    ctx.faults.state.reorderUserEvents = true;
    for (const n of [1, 2, 3, 4]) ctx.bus.publish('acc-1', ev(n));
    const got: number[] = [];
    for (let i = 0; i < 4; i++) got.push(((await c.next()).event as { E: number }).E);
    expect(got).toEqual([2, 1, 4, 3]);
    ctx.faults.state.reorderUserEvents = false;
    ctx.faults.state.duplicateUserEvents = true;
    ctx.bus.publish('acc-1', ev(5));
    ctx.bus.publish('acc-1', ev(6));
    const dup: number[] = [];
    for (let i = 0; i < 4; i++) dup.push(((await c.next()).event as { E: number }).E);
    expect(dup).toEqual([5, 5, 6, 6]);
  });

  it('a lone held event is released when reordering is switched off', async () => {
    const c = await connect(ctx.url);
    await c.request('userDataStream.subscribe.signature', signParams(ctx.hmac, { apiKey: ctx.hmac.apiKey, timestamp: ctx.clock.now() }));
    ctx.faults.state.reorderUserEvents = true;
    ctx.bus.publish('acc-1', ev(1));
    ctx.faults.state.reorderUserEvents = false;
    ctx.bus.publish('acc-1', ev(2));
    expect(((await c.next()).event as { E: number }).E).toBe(1);
    expect(((await c.next()).event as { E: number }).E).toBe(2);
  });

  it('silentSockets: no replies and no pongs; noPongs: replies but no pongs', async () => {
    const c = await connect(ctx.url);
    let pongs = 0;
    c.ws.on('pong', () => pongs++);
    ctx.faults.state.noPongs = true;
    c.ws.ping();
    expect((await c.request('ping')).status).toBe(200);
    ctx.faults.state.noPongs = false;
    c.ws.ping();
    await waitFor(() => pongs === 1);
    ctx.faults.state.silentSockets = true;
    const weight = ctx.limiter.usedWeight('127.0.0.1');
    c.ws.ping();
    c.ws.send(JSON.stringify({ id: 'lost', method: 'time' }));
    // Frames are handled in order: once the request's weight is counted, the ping was seen too.
    await waitFor(() => ctx.limiter.usedWeight('127.0.0.1') > weight);
    ctx.faults.state.silentSockets = false;
    // The next reply is for the request sent after the silence, and only one pong ever came.
    expect((await c.request('time')).status).toBe(200);
    expect(pongs).toBe(1);
  });
});

describe('connection rules', () => {
  it('server pings; a client that never pongs is dropped after pongTimeoutMs', async () => {
    ctx.wsApi.dispose();
    await ctx.server.close();
    await setup({ pingIntervalMs: 100, pongTimeoutMs: 200 });
    const good = await connect(ctx.url);
    let pings = 0;
    good.ws.on('ping', () => pings++);
    const mute = await connect(ctx.url, { autoPong: false });
    await mute.closed;
    await waitFor(() => pings >= 4);
    expect(good.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('connection lifetime closes the socket (real time, and after a clock jump)', async () => {
    ctx.wsApi.dispose();
    await ctx.server.close();
    await setup({ lifetimeMs: 300, pingIntervalMs: 50 });
    const c = await connect(ctx.url);
    expect(await c.closed).toBe(1000);
    ctx.wsApi.dispose();
    await ctx.server.close();
    await setup({ lifetimeMs: 86_400_000, pingIntervalMs: 50 });
    const d = await connect(ctx.url);
    expect((await d.request('ping')).status).toBe(200);
    ctx.clock.jump(86_400_000);
    expect(await d.closed).toBe(1000);
  });

  it('refuseUpgrades and closeAll', async () => {
    ctx.faults.state.refuseUpgrades = 503;
    await expect(connect(ctx.url)).rejects.toThrow('unexpected-response 503');
    ctx.faults.state.refuseUpgrades = 429;
    await expect(connect(ctx.url)).rejects.toThrow('unexpected-response 429');
    ctx.faults.state.refuseUpgrades = 0;
    const c = await connect(ctx.url);
    ctx.faults.closeAll('streams');
    expect((await c.request('ping')).status).toBe(200);
    ctx.faults.closeAll('ws-api');
    await c.closed;
    expect(ctx.wsApi.connectionCount()).toBe(0);
  });
});

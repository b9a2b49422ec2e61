/**
 * WS API connection and user data stream against a tiny WS API server on 127.0.0.1 and a stub
 * REST client (the simulator tests cover the real wire): request correlation and deadlines,
 * the fate of pending requests (B18), re-subscription on every socket and on
 * eventStreamTerminated (B11), gap-free resync with events racing the snapshot (B12).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AddressInfo } from 'node:net';
import { createHmac } from 'node:crypto';
import { createWsApiConnection, type WsApiConnection } from '../../../src/main/exchange/ws-api-connection';
import { createUserDataStream, type UserDataStream } from '../../../src/main/exchange/user-data-stream';
import { createCredentials } from '../../../src/main/exchange/credentials';
import { isExchangeError } from '../../../src/main/exchange/errors';
import type { RestRequest } from '../../../src/main/exchange/rest-client';
import { until } from '../../helpers/until';

const SECRET = 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j';
const API_KEY = 'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A';

interface Req {
  id: number;
  method: string;
  params?: Record<string, unknown>;
}
interface ServerConn {
  ws: WebSocket;
  n: number;
  requests: Req[];
  subscriptionId: number | null;
  open: boolean;
}

interface FakeApi {
  url: string;
  conns: ServerConn[];
  /** Per method: reply (result) or 'hang'. Default: subscribe methods answer with a new id. */
  handlers: Map<string, (req: Req, conn: ServerConn) => unknown>;
  push(event: Record<string, unknown>): void;
  pushTo(conn: ServerConn, frame: Record<string, unknown>): void;
  open(): ServerConn[];
  close(): Promise<void>;
}

const HANG = Symbol('hang');

async function startFakeApi(): Promise<FakeApi> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  let nextSub = 0;
  const api: FakeApi = {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/ws-api/v3`,
    conns: [],
    handlers: new Map(),
    push(event) {
      for (const c of api.conns)
        if (c.open && c.subscriptionId !== null) c.ws.send(JSON.stringify({ subscriptionId: c.subscriptionId, event }));
    },
    pushTo(conn, frame) {
      conn.ws.send(JSON.stringify(frame));
    },
    open: () => api.conns.filter((c) => c.open),
    close: () =>
      new Promise<void>((r) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => r());
      }),
  };
  wss.on('connection', (ws) => {
    const conn: ServerConn = { ws, n: api.conns.length + 1, requests: [], subscriptionId: null, open: true };
    api.conns.push(conn);
    ws.on('close', () => {
      conn.open = false;
    });
    ws.on('message', (raw) => {
      const req = JSON.parse(raw.toString()) as Req;
      conn.requests.push(req);
      const handler = api.handlers.get(req.method);
      let result: unknown;
      if (handler !== undefined) result = handler(req, conn);
      else if (req.method === 'userDataStream.subscribe.signature') {
        const p = req.params as Record<string, string | number>;
        const payload = Object.keys(p)
          .filter((k) => k !== 'signature')
          .sort()
          .map((k) => `${k}=${p[k]}`)
          .join('&');
        if (createHmac('sha256', SECRET).update(payload).digest('hex') !== p.signature) {
          ws.send(JSON.stringify({ id: req.id, status: 400, error: { code: -1022, msg: 'Signature for this request is not valid.' } }));
          return;
        }
        conn.subscriptionId = nextSub++;
        result = { subscriptionId: conn.subscriptionId };
      } else result = {};
      if (result === HANG) return;
      ws.send(JSON.stringify({ id: req.id, status: 200, result }));
    });
  });
  return api;
}

let api: FakeApi | undefined;
let conn: WsApiConnection | undefined;
let uds: UserDataStream | undefined;

afterEach(async () => {
  uds?.dispose();
  conn?.dispose();
  uds = undefined;
  conn = undefined;
  await api?.close();
  api = undefined;
});

describe('WS API connection', () => {
  it('correlates responses to requests by id, whatever their order', async () => {
    api = await startFakeApi();
    const held: { req: Req; conn: ServerConn }[] = [];
    api.handlers.set('slow', (req, c) => {
      held.push({ req, conn: c });
      return HANG;
    });
    conn = createWsApiConnection({ url: api.url });
    conn.start();
    await until(() => conn!.currentGeneration() !== null, 'open');
    const a = conn.request<{ v: string }>('slow', { v: 'a' });
    const b = conn.request<{ v: string }>('slow', { v: 'b' });
    await until(() => held.length === 2, 'both requests');
    // Answer in reverse order.
    for (const h of [...held].reverse()) h.conn.ws.send(JSON.stringify({ id: h.req.id, status: 200, result: { v: h.req.params!.v } }));
    expect(await a).toEqual({ v: 'a' });
    expect(await b).toEqual({ v: 'b' });
  });

  it('rejects a request with no answer at its deadline: unknown-outcome for orders, timeout otherwise', async () => {
    api = await startFakeApi();
    api.handlers.set('order.place', () => HANG);
    api.handlers.set('account.status', () => HANG);
    conn = createWsApiConnection({ url: api.url, requestTimeoutMs: 150 });
    conn.start();
    await until(() => conn!.currentGeneration() !== null, 'open');
    const order = conn.request('order.place', { symbol: 'BTCUSDT' }).catch((e: unknown) => e);
    const read = conn.request('account.status').catch((e: unknown) => e);
    const [e1, e2] = await Promise.all([order, read]);
    expect(isExchangeError(e1) && e1.kind).toBe('unknown-outcome');
    expect(isExchangeError(e1) && e1.mayHaveExecuted).toBe(true);
    expect(isExchangeError(e2) && e2.kind).toBe('timeout');
  });

  it('on disconnect fails pending orders as unknown-outcome and reads as retryable, then reconnects (B18)', async () => {
    api = await startFakeApi();
    api.handlers.set('order.place', () => HANG);
    api.handlers.set('order.status', () => HANG);
    conn = createWsApiConnection({ url: api.url, backoff: { baseMs: 20, capMs: 50 } });
    conn.start();
    await until(() => conn!.currentGeneration() !== null, 'open');
    const order = conn.request('order.place', { symbol: 'BTCUSDT' }).catch((e: unknown) => e);
    const read = conn.request('order.status', { symbol: 'BTCUSDT' }).catch((e: unknown) => e);
    await until(() => api!.conns[0]!.requests.length === 2, 'requests arrive');
    api.conns[0]!.ws.terminate();
    const [e1, e2] = await Promise.all([order, read]);
    expect(isExchangeError(e1) && [e1.kind, e1.mayHaveExecuted]).toEqual(['unknown-outcome', true]);
    expect(isExchangeError(e2) && [e2.kind, e2.mayHaveExecuted]).toEqual(['network', false]);
    await until(() => api!.open().length === 1 && conn!.currentGeneration() === 2, 'reconnected');
    // The order was not replayed on the new socket.
    expect(api.conns[1]!.requests.filter((r) => r.method === 'order.place')).toEqual([]);
    expect(conn.info().reconnectCount).toBe(1);
  });

  it('refuses at once, as not sent, when no socket is open', async () => {
    conn = createWsApiConnection({ url: 'ws://127.0.0.1:1/ws-api/v3' });
    const e = await conn.request('order.place').catch((x: unknown) => x);
    expect(isExchangeError(e) && [e.kind, e.mayHaveExecuted]).toEqual(['network', false]);
  });
});

function account(updateTime: number, btc: string): unknown {
  return {
    updateTime,
    balances: [
      { asset: 'BTC', free: btc, locked: '0.00000000' },
      { asset: 'USDT', free: '100.00000000', locked: '0.00000000' },
    ],
  };
}

function report(over: Record<string, unknown>): Record<string, unknown> {
  return {
    e: 'executionReport',
    E: 1000,
    s: 'BTCUSDT',
    c: 'perch-1',
    S: 'BUY',
    o: 'LIMIT',
    f: 'GTC',
    q: '1.00000000',
    p: '100.00000000',
    P: '0.00000000',
    F: '0.00000000',
    g: -1,
    C: '',
    x: 'NEW',
    X: 'NEW',
    r: 'NONE',
    i: 42,
    l: '0.00000000',
    z: '0.00000000',
    L: '0.00000000',
    n: '0',
    N: null,
    T: 1000,
    t: -1,
    I: 1,
    w: true,
    m: false,
    M: false,
    O: 1000,
    Z: '0.00000000',
    Y: '0.00000000',
    Q: '0.00000000',
    V: 'NONE',
    ...over,
  };
}

interface StubRest {
  request<T>(req: RestRequest<T>): Promise<T>;
  calls: string[];
  /** Resolves the pending snapshot calls; events can be pushed before. */
  gate: { open: () => void } | null;
  accountBody: unknown;
  openOrders: unknown;
}

function stubRest(): StubRest {
  const rest: StubRest = {
    calls: [],
    gate: null,
    accountBody: account(1000, '1.00000000'),
    openOrders: [],
    async request<T>(req: RestRequest<T>): Promise<T> {
      rest.calls.push(`${req.method} ${req.path}`);
      if (rest.gate === null) {
        let open!: () => void;
        const p = new Promise<void>((r) => {
          open = r;
        });
        rest.gate = { open };
        await p;
      } else await new Promise((r) => setTimeout(r, 1));
      const body = req.path === '/api/v3/account' ? rest.accountBody : req.path === '/api/v3/openOrders' ? rest.openOrders : {};
      return (req.schema ? req.schema.parse(body) : body) as T;
    },
  };
  return rest;
}

describe('user data stream (B11, B12)', () => {
  const credentials = createCredentials({ type: 'HMAC', apiKey: API_KEY, secret: SECRET });
  const timeSync = { now: () => Date.now(), sync: async () => undefined };

  it('subscribes with a signature, resyncs without a gap while events race the snapshot', async () => {
    api = await startFakeApi();
    const rest = stubRest();
    conn = createWsApiConnection({ url: api.url });
    uds = createUserDataStream({ wsApi: conn, rest, credentials, timeSync });
    const kinds: string[] = [];
    uds.onEvent((e) => kinds.push(e.type));
    uds.start();
    await until(() => rest.gate !== null, 'snapshot requested');
    const sub = api.conns[0]!.requests.find((r) => r.method === 'userDataStream.subscribe.signature')!;
    expect(Object.keys(sub.params!).sort()).toEqual(['apiKey', 'signature', 'timestamp']);
    expect(uds.info().status).toBe('resyncing');
    // While the snapshot is in flight: an older balance state, a newer one, and an order fill.
    api.push({ e: 'outboundAccountPosition', E: 990, u: 990, B: [{ a: 'BTC', f: '0.50000000', l: '0.00000000' }] });
    api.push({ e: 'outboundAccountPosition', E: 1100, u: 1100, B: [{ a: 'BTC', f: '1.25000000', l: '0.00000000' }] });
    api.push(report({ x: 'TRADE', X: 'FILLED', I: 7, t: 5, l: '1.00000000', z: '1.00000000', Z: '100.00000000', T: 1100 }));
    await new Promise((r) => setTimeout(r, 50));
    expect(uds.balances().size).toBe(0); // buffered, not applied before the snapshot
    rest.openOrders = [
      {
        symbol: 'BTCUSDT',
        orderId: 42,
        orderListId: -1,
        clientOrderId: 'perch-1',
        price: '100.00000000',
        origQty: '1.00000000',
        executedQty: '0.00000000',
        cummulativeQuoteQty: '0.00000000',
        status: 'NEW',
        timeInForce: 'GTC',
        type: 'LIMIT',
        side: 'BUY',
        stopPrice: '0.00000000',
        time: 1000,
        updateTime: 1000,
      },
    ];
    rest.gate!.open();
    await until(() => uds!.isSynced(), 'synced');
    expect(uds.balances().get('BTC')).toMatchObject({ free: '1.25000000', updateTime: 1100 });
    expect(uds.orders.get('perch-1')).toMatchObject({ status: 'FILLED', executedQty: '1.00000000' });
    expect(uds.info().status).toBe('live');
    expect(kinds).toContain('resynced');
    // Live events now apply directly.
    api.push({ e: 'outboundAccountPosition', E: 1200, u: 1200, B: [{ a: 'USDT', f: '0.00000000', l: '0.00000000' }] });
    await until(() => uds!.balances().get('USDT')?.free === '0.00000000', 'live balance');
    expect(rest.calls.some((c) => /userDataStream/.test(c))).toBe(false);
  });

  it('re-subscribes on a new socket and on eventStreamTerminated, resyncing each time', async () => {
    api = await startFakeApi();
    const rest = stubRest();
    conn = createWsApiConnection({ url: api.url, backoff: { baseMs: 20, capMs: 50 } });
    uds = createUserDataStream({ wsApi: conn, rest, credentials, timeSync, backoff: { baseMs: 10, capMs: 20 } });
    uds.start();
    await until(() => rest.gate !== null, 'first snapshot');
    rest.gate!.open();
    await until(() => uds!.isSynced(), 'synced');
    const firstSub = uds.subscriptionId();
    // (b) the exchange ends the subscription on the same socket
    api.pushTo(api.conns[0]!, { subscriptionId: firstSub, event: { e: 'eventStreamTerminated', E: 1 } });
    await until(
      () => api!.conns[0]!.requests.filter((r) => r.method === 'userDataStream.subscribe.signature').length === 2,
      're-subscribed on the same socket',
    );
    await until(() => uds!.isSynced() && uds!.subscriptionId() !== firstSub, 'resynced after terminate');
    expect(rest.calls.filter((c) => c === 'GET /api/v3/account').length).toBe(2);
    // (a) the socket dies
    api.conns[0]!.ws.terminate();
    await until(() => api!.conns.length === 2 && api!.conns[1]!.subscriptionId !== null, 'subscribed on the new socket');
    await until(() => uds!.isSynced() && rest.calls.filter((c) => c === 'GET /api/v3/account').length === 3, 'resynced after reconnect');
    // Events on the new socket reach the state.
    api.push({ e: 'outboundAccountPosition', E: 5000, u: 5000, B: [{ a: 'ETH', f: '2.00000000', l: '0.00000000' }] });
    await until(() => uds!.balances().get('ETH')?.free === '2.00000000', 'event after reconnect');
  });

  it('retries a rejected subscription with backoff, then succeeds (B11 c)', async () => {
    api = await startFakeApi();
    let rejections = 2;
    api.handlers.set('userDataStream.subscribe.signature', (req, c) => {
      if (rejections-- > 0) {
        c.ws.send(JSON.stringify({ id: req.id, status: 400, error: { code: -1022, msg: 'Signature for this request is not valid.' } }));
        return HANG;
      }
      c.subscriptionId = 9;
      return { subscriptionId: 9 };
    });
    const rest = stubRest();
    conn = createWsApiConnection({ url: api.url });
    uds = createUserDataStream({ wsApi: conn, rest, credentials, timeSync, backoff: { baseMs: 30, capMs: 60 } });
    uds.start();
    await until(() => rest.gate !== null, 'snapshot after the third attempt');
    rest.gate!.open();
    await until(() => uds!.isSynced(), 'synced');
    expect(api.conns[0]!.requests.filter((r) => r.method === 'userDataStream.subscribe.signature')).toHaveLength(3);
    expect(uds.subscriptionId()).toBe(9);
    expect(uds.info().lastError).toMatch(/-1022|API key/);
  });

  it('rollover: the replacement socket is subscribed before the old one closes (B10)', async () => {
    api = await startFakeApi();
    const rest = stubRest();
    conn = createWsApiConnection({ url: api.url });
    uds = createUserDataStream({ wsApi: conn, rest, credentials, timeSync });
    uds.start();
    await until(() => rest.gate !== null, 'first snapshot');
    rest.gate!.open();
    await until(() => uds!.isSynced(), 'synced');
    api.pushTo(api.conns[0]!, { event: { e: 'serverShutdown', E: 1 } });
    await until(() => api!.conns.length === 2 && !api!.conns[0]!.open, 'old closed');
    expect(api.conns[1]!.subscriptionId).not.toBeNull();
    await until(() => uds!.isSynced(), 'resynced');
    expect(conn.info().reconnectCount).toBe(0);
  });
});

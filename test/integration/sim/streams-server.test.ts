import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createClock, type SimClock } from '../../../src/main/sim/clock';
import { createMarket, type SimMarket } from '../../../src/main/sim/market/model';
import { createStreamServer, type StreamServer } from '../../../src/main/sim/market/streams';
import type { FaultAction, Faults, FaultsState } from '../../../src/main/sim/types';
import { until } from '../../helpers/until';

// ------------------------------------------------------------------------------------ fixtures

function fakeFaults(): Faults {
  const listeners = new Set<(a: FaultAction) => void>();
  const state: FaultsState = {
    latencyMs: 0,
    hangPaths: [],
    orderFaults: [],
    unknownOrderQueries: new Map(),
    force429: 0,
    banUntil: 0,
    silentSockets: false,
    noPongs: false,
    refuseUpgrades: 0,
    reorderUserEvents: false,
    duplicateUserEvents: false,
    bigIds: false,
  };
  const emit = (a: FaultAction) => {
    for (const l of [...listeners]) l(a);
  };
  return {
    state,
    takeOrderFault: () => undefined,
    takeUnknownOrderQuery: () => false,
    reset: () => undefined,
    closeAll: (kind) => emit({ type: 'closeAll', kind }),
    serverShutdown: () => emit({ type: 'serverShutdown' }),
    eventStreamTerminated: () => undefined,
    onAction: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
}

interface Env {
  market: SimMarket;
  clock: SimClock;
  faults: Faults;
  streams: StreamServer;
  base: string;
  advance(ms: number): void;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function setup(
  o: { manual?: boolean; lifetimeMs?: number; pingIntervalMs?: number; pongTimeoutMs?: number; symbolCount?: number } = {},
): Promise<Env> {
  let real = Date.now();
  const clock = o.manual === true ? createClock({ fixedAtMs: Date.UTC(2026, 5, 1, 10, 0, 0), realNow: () => real }) : createClock();
  // speed 20 with 50 ms steps: every step moves market time by one second, so every step has data.
  const market = createMarket({
    clock,
    seed: 99,
    speed: o.manual === true ? 1 : 20,
    stepMs: 50,
    ...(o.symbolCount ? { symbolCount: o.symbolCount } : {}),
  });
  const faults = fakeFaults();
  const streams = createStreamServer({
    market,
    clock,
    faults,
    lifetimeMs: o.lifetimeMs ?? 60_000,
    pingIntervalMs: o.pingIntervalMs ?? 20_000,
    pongTimeoutMs: o.pongTimeoutMs ?? 60_000,
    shutdownCloseDelayMs: 200,
  });
  const server: Server = createServer((_req, res) => {
    res.statusCode = 404;
    res.end();
  });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (!streams.handleUpgrade(req, socket, head, url)) socket.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  if (o.manual !== true) market.start();
  cleanups.push(async () => {
    market.stop();
    streams.dispose();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });
  return {
    market,
    clock,
    faults,
    streams,
    base: `ws://127.0.0.1:${port}`,
    advance: (ms) => {
      real += ms;
    },
  };
}

interface Client {
  ws: WebSocket;
  msgs: unknown[];
  pings: number;
  pongs: number;
  closed: { code: number } | undefined;
}

function connect(url: string, opts: WebSocket.ClientOptions = {}): Promise<Client> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, opts);
    const c: Client = { ws, msgs: [], pings: 0, pongs: 0, closed: undefined };
    ws.on('message', (d) => c.msgs.push(JSON.parse(d.toString())));
    ws.on('ping', () => {
      c.pings++;
    });
    ws.on('pong', () => {
      c.pongs++;
    });
    ws.on('close', (code) => {
      c.closed = { code };
    });
    ws.once('open', () => resolve(c));
    ws.once('error', reject);
    cleanups.push(() => {
      ws.terminate();
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type O = Record<string, unknown>;
const objs = (c: Client): O[] => c.msgs.filter((m): m is O => typeof m === 'object' && m !== null && !Array.isArray(m));

/** Sends a control message (paced under the 5 messages/s limit) and waits for the reply with its id. */
async function request(c: Client, msg: O): Promise<O> {
  await sleep(250);
  const from = c.msgs.length;
  c.ws.send(JSON.stringify(msg));
  let reply: O | undefined;
  await until(
    () => {
      reply = c.msgs
        .slice(from)
        .find(
          (m): m is O =>
            typeof m === 'object' &&
            m !== null &&
            !Array.isArray(m) &&
            'id' in m &&
            (m as O)['id'] === msg['id'] &&
            ('result' in m || 'error' in m),
        );
      return reply !== undefined;
    },
    `reply to ${JSON.stringify(msg).slice(0, 80)}`,
  );
  return reply!;
}

async function sendRaw(c: Client, text: string): Promise<O> {
  await sleep(250);
  const from = c.msgs.length;
  c.ws.send(text);
  await until(() => c.msgs.slice(from).some((m) => typeof m === 'object' && m !== null && 'error' in m), 'an error reply');
  return c.msgs.slice(from).find((m) => typeof m === 'object' && m !== null && 'error' in m) as O;
}

// ------------------------------------------------------------------------------------ tests

describe('market streams: connections and payloads', () => {
  it('raw /ws/<stream> sends bare miniTicker payloads', async () => {
    const env = await setup();
    const c = await connect(`${env.base}/ws/btcusdt@miniTicker`);
    await until(() => c.msgs.length >= 2, 'two miniTickers');
    const m = c.msgs[0] as O;
    expect(Object.keys(m)).toEqual(['e', 'E', 's', 'c', 'o', 'h', 'l', 'v', 'q']);
    expect(m['e']).toBe('24hrMiniTicker');
    expect(m['s']).toBe('BTCUSDT');
    for (const k of ['c', 'o', 'h', 'l', 'v', 'q']) expect(m[k]).toMatch(/^\d+\.\d{8}$/);
    expect(typeof m['E']).toBe('number');
  });

  it('combined /stream?streams= wraps every payload with its stream name', async () => {
    const env = await setup();
    const c = await connect(`${env.base}/stream?streams=ethusdt@bookTicker/ethusdt@kline_1m/ethusdt@ticker`);
    await until(() => new Set(objs(c).map((m) => m['stream'])).size === 3, 'all three streams');
    for (const m of objs(c)) expect(Object.keys(m)).toEqual(['stream', 'data']);
    const book = objs(c).find((m) => m['stream'] === 'ethusdt@bookTicker')!['data'] as O;
    expect(Object.keys(book)).toEqual(['u', 's', 'b', 'B', 'a', 'A']);
    const kline = objs(c).find((m) => m['stream'] === 'ethusdt@kline_1m')!['data'] as O;
    expect(kline['e']).toBe('kline');
    expect(Object.keys(kline['k'] as O)).toEqual(['t', 'T', 's', 'i', 'f', 'L', 'o', 'c', 'h', 'l', 'v', 'n', 'x', 'q', 'V', 'Q', 'B']);
    const ticker = objs(c).find((m) => m['stream'] === 'ethusdt@ticker')!['data'] as O;
    expect(Object.keys(ticker)).toEqual([
      'e',
      'E',
      's',
      'p',
      'P',
      'w',
      'x',
      'c',
      'Q',
      'b',
      'B',
      'a',
      'A',
      'o',
      'h',
      'l',
      'v',
      'q',
      'O',
      'C',
      'F',
      'L',
      'n',
    ]);
  });

  it('!miniTicker@arr sends arrays of the changed symbols', async () => {
    const env = await setup();
    const c = await connect(`${env.base}/ws/!miniTicker@arr`);
    await until(() => c.msgs.length >= 2, 'two frames');
    const frame = c.msgs[1] as O[];
    expect(Array.isArray(frame)).toBe(true);
    expect(frame.length).toBeGreaterThan(10);
    expect(frame.length).toBeLessThanOrEqual(env.market.symbols().length);
    expect(frame.every((t) => t['e'] === '24hrMiniTicker')).toBe(true);
    expect(new Set(frame.map((t) => t['s'])).size).toBe(frame.length);
  });

  it('trade streams carry increasing trade ids', async () => {
    const env = await setup();
    const c = await connect(`${env.base}/ws/solusdt@trade`);
    await until(() => c.msgs.length >= 4, 'four trades');
    const ids = objs(c).map((t) => t['t'] as number);
    for (let i = 1; i < ids.length; i++) expect(ids[i]).toBeGreaterThan(ids[i - 1]!);
    expect(objs(c)[0]!['e']).toBe('trade');
  });

  it('SUBSCRIBE, LIST_SUBSCRIPTIONS, GET/SET_PROPERTY and UNSUBSCRIBE answer as documented', async () => {
    const env = await setup();
    const c = await connect(`${env.base}/ws`);
    expect(await request(c, { method: 'SUBSCRIBE', params: ['bnbusdt@ticker', 'bnbusdt@depth5'], id: 1 })).toEqual({ result: null, id: 1 });
    await until(() => objs(c).some((m) => m['e'] === '24hrTicker') && objs(c).some((m) => 'lastUpdateId' in m), 'ticker and partial depth');
    const d5 = objs(c).find((m) => 'lastUpdateId' in m)!;
    expect((d5['bids'] as unknown[]).length).toBe(5);
    expect(await request(c, { method: 'LIST_SUBSCRIPTIONS', id: 'abc3' })).toEqual({
      result: ['bnbusdt@ticker', 'bnbusdt@depth5'],
      id: 'abc3',
    });
    expect(await request(c, { method: 'GET_PROPERTY', params: ['combined'], id: 4 })).toEqual({ result: false, id: 4 });
    expect(await request(c, { method: 'SET_PROPERTY', params: ['combined', true], id: 5 })).toEqual({ result: null, id: 5 });
    const from = c.msgs.length;
    await until(() => objs({ ...c, msgs: c.msgs.slice(from) }).some((m) => m['stream'] === 'bnbusdt@ticker'), 'wrapped payload');
    expect(await request(c, { method: 'UNSUBSCRIBE', params: ['bnbusdt@ticker'], id: 6 })).toEqual({ result: null, id: 6 });
    expect(await request(c, { method: 'LIST_SUBSCRIPTIONS', id: null })).toEqual({ result: ['bnbusdt@depth5'], id: null });
  });

  it('accepts a raw /ws/<name> that is no stream (as ccxt pro connects) with no subscription', async () => {
    const env = await setup();
    const c = await connect(`${env.base}/ws/0`);
    expect(await request(c, { method: 'LIST_SUBSCRIPTIONS', id: 1 })).toEqual({ result: [], id: 1 });
    expect(await request(c, { method: 'SUBSCRIBE', params: ['btcusdt@miniTicker'], id: 2 })).toEqual({ result: null, id: 2 });
    await until(() => objs(c).some((m) => m['e'] === '24hrMiniTicker'), 'miniTicker after SUBSCRIBE');
  });

  it('answers malformed control messages with error codes 0-3', async () => {
    const env = await setup();
    const c = await connect(`${env.base}/ws`);
    expect(await sendRaw(c, '{"method":')).toEqual({ error: { code: 3, msg: 'Invalid JSON: expected value at line 1 column 1' } });
    expect(await request(c, { method: 'SET_PROPERTY', params: ['colour', true], id: 1 })).toEqual({
      error: { code: 0, msg: 'Unknown property' },
      id: 1,
    });
    expect(await request(c, { method: 'SET_PROPERTY', params: ['combined', 'yes'], id: 2 })).toEqual({
      error: { code: 1, msg: 'Invalid value type: expected Boolean' },
      id: 2,
    });
    expect(await request(c, { method: 'SET_PROPERTY', params: [5, true], id: 3 })).toEqual({
      error: { code: 2, msg: 'Invalid request: property name must be a string' },
      id: 3,
    });
    expect(await request(c, { method: 'SUBSCRIBE', params: ['btcusdt@sparkles'], id: 4 })).toEqual({
      error: { code: 2, msg: 'Invalid request: invalid stream' },
      id: 4,
    });
    const bad = await request(c, { method: 'SUBSCRIBES', params: [], id: 5 });
    expect((bad['error'] as O)['code']).toBe(2);
    expect((bad['error'] as O)['msg']).toMatch(
      /^Invalid request: unknown variant `SUBSCRIBES`, expected one of `SUBSCRIBE`, `UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS`, `SET_PROPERTY`, `GET_PROPERTY` at line 1 column \d+$/,
    );
    expect(await sendRaw(c, '{"method":"LIST_SUBSCRIPTIONS","id":"not-alnum"}')).toEqual({
      error: { code: 2, msg: 'Invalid request: request ID must be an unsigned integer' },
      id: null,
    });
    expect(c.closed).toBeUndefined();
  });
});

describe('market streams: diff depth and klines against REST', () => {
  it('diff depth events chain U/u from the REST snapshot and rebuild the book exactly', async () => {
    const env = await setup({ manual: true });
    const c = await connect(`${env.base}/ws/btcusdt@depth@100ms`);
    const tick = () => {
      env.advance(1000);
      env.market.step();
    };
    tick(); // the stream's first look at the book: nothing to diff yet
    const snap = env.market.depth('BTCUSDT', 5000);
    const bids = new Map(snap.bids);
    const asks = new Map(snap.asks);
    let id = snap.lastUpdateId;
    for (let i = 0; i < 4; i++) {
      tick();
      await until(() => c.msgs.length === i + 1, `depth event ${i + 1}`);
      const e = c.msgs[i] as { e: string; s: string; U: number; u: number; b: [string, string][]; a: [string, string][] };
      expect(e.e).toBe('depthUpdate');
      expect(e.s).toBe('BTCUSDT');
      expect(e.U).toBe(id + 1);
      expect(e.u).toBeGreaterThanOrEqual(e.U);
      for (const [p, q] of e.b)
        if (Number(q) === 0) bids.delete(p);
        else bids.set(p, q);
      for (const [p, q] of e.a)
        if (Number(q) === 0) asks.delete(p);
        else asks.set(p, q);
      id = e.u;
    }
    const now = env.market.depth('BTCUSDT', 300);
    expect(now.lastUpdateId).toBe(id);
    const top = (m: Map<string, string>, desc: boolean) =>
      [...m].sort((x, y) => (desc ? Number(y[0]) - Number(x[0]) : Number(x[0]) - Number(y[0]))).slice(0, 300);
    expect(top(bids, true)).toEqual(now.bids);
    expect(top(asks, false)).toEqual(now.asks);
  });

  it('kline streams close a candle with x=true and the values REST reports', async () => {
    const env = await setup({ manual: true });
    const c = await connect(`${env.base}/ws/ethbtc@kline_1s`);
    for (let i = 0; i < 3; i++) {
      env.advance(1000);
      env.market.step();
      await until(() => c.msgs.length >= 1 + i * 2, `kline events after step ${i + 1}`);
    }
    const closed = objs(c)
      .map((m) => m['k'] as O)
      .filter((k) => k['x'] === true);
    expect(closed.length).toBeGreaterThanOrEqual(2);
    for (const k of closed) {
      const [rest] = env.market.klines('ETHBTC', '1s', { startTime: k['t'] as number, limit: 1 });
      expect([k['t'], k['o'], k['h'], k['l'], k['c'], k['v'], k['T'], k['q'], k['n']]).toEqual(rest!.slice(0, 9));
      if ((k['n'] as number) > 0) expect((k['L'] as number) - (k['f'] as number) + 1).toBe(k['n']);
    }
  });
});

describe('market streams: limits and heartbeats', () => {
  it('closes a connection that sends more than 5 messages per second', async () => {
    const env = await setup();
    const c = await connect(`${env.base}/ws/btcusdt@bookTicker`);
    for (let i = 0; i < 7; i++) c.ws.ping();
    await until(() => c.closed !== undefined, 'the close');
    expect(c.closed!.code).toBe(1008);
  });

  it('allows 1024 streams per connection, not 1025', async () => {
    const env = await setup({ symbolCount: 1100 });
    const names = env.market
      .symbols()
      .slice(0, 1025)
      .map((s) => `${s.symbol.toLowerCase()}@bookTicker`);
    const c = await connect(`${env.base}/ws`);
    const tooMany = await request(c, { method: 'SUBSCRIBE', params: names, id: 1 });
    expect((tooMany['error'] as O)['code']).toBe(2);
    expect(await request(c, { method: 'LIST_SUBSCRIPTIONS', id: 2 })).toEqual({ result: [], id: 2 });
    expect(await request(c, { method: 'SUBSCRIBE', params: names.slice(0, 1024), id: 3 })).toEqual({ result: null, id: 3 });
    expect(((await request(c, { method: 'LIST_SUBSCRIPTIONS', id: 4 }))['result'] as string[]).length).toBe(1024);
    expect((await request(c, { method: 'SUBSCRIBE', params: [names[1024]], id: 5 }))['error']).toBeDefined();
    const status = await new Promise<number>((resolve) => {
      // short (well-formed, unlisted) names keep the URL under the HTTP header size limit
      const short = Array.from({ length: 1025 }, (_, i) => `s${i}@trade`);
      const ws = new WebSocket(`${env.base}/stream?streams=${short.join('/')}`);
      ws.on('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        ws.terminate();
      });
      ws.on('open', () => {
        resolve(101);
        ws.terminate();
      });
      ws.on('error', () => undefined);
    });
    expect(status).toBe(400);
  });

  it('pings every pingIntervalMs and keeps a client that answers', async () => {
    // 10 pings take 2.5 s, well past the 1 s pong deadline: only answered pings keep it open.
    const env = await setup({ pingIntervalMs: 250, pongTimeoutMs: 1000 });
    const c = await connect(`${env.base}/ws/btcusdt@bookTicker`);
    await until(() => c.pings >= 10 || c.closed !== undefined, 'ten pings');
    expect(c.pings).toBeGreaterThanOrEqual(10);
    expect(c.closed).toBeUndefined();
  });

  it('drops a client that does not answer pings within pongTimeoutMs', async () => {
    const env = await setup({ pingIntervalMs: 100, pongTimeoutMs: 400 });
    const c = await connect(`${env.base}/ws/btcusdt@bookTicker`, { autoPong: false });
    await until(() => c.closed !== undefined, 'the pong-timeout close');
    expect(c.pings).toBeGreaterThanOrEqual(1);
  });

  it('closes connections at the end of their lifetime', async () => {
    const env = await setup({ lifetimeMs: 400 });
    const c = await connect(`${env.base}/ws/btcusdt@bookTicker`);
    await until(() => c.closed !== undefined, 'the lifetime close');
    expect(c.closed!.code).toBe(1000);
    expect(env.streams.connectionCount()).toBe(0);
  });
});

describe('market streams: faults', () => {
  it('silentSockets stops data and pings; noPongs keeps data but answers no pings', async () => {
    const env = await setup({ pingIntervalMs: 150, pongTimeoutMs: 60_000 });
    const c = await connect(`${env.base}/ws/btcusdt@miniTicker`);
    c.ws.ping('a');
    await until(() => c.pongs === 1 && c.msgs.length >= 1 && c.pings >= 1, 'data, a pong and a ping');
    env.faults.state.noPongs = true;
    const pongs = c.pongs;
    const n = c.msgs.length;
    c.ws.ping('b');
    await until(() => c.msgs.length >= n + 3, 'data despite noPongs');
    expect(c.pongs).toBe(pongs);

    env.faults.state.noPongs = false;
    env.faults.state.silentSockets = true;
    await sleep(400);
    const [m, p] = [c.msgs.length, c.pings];
    c.ws.ping('c');
    await sleep(800);
    expect(c.msgs.length).toBe(m);
    expect(c.pings).toBe(p);
    expect(c.pongs).toBe(pongs);
    env.faults.state.silentSockets = false;
    await until(() => c.msgs.length > m, 'data after the fault is lifted');
  });

  it('refuseUpgrades answers the upgrade with that status', async () => {
    const env = await setup();
    env.faults.state.refuseUpgrades = 503;
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${env.base}/ws/btcusdt@trade`);
      ws.on('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        ws.terminate();
      });
      ws.on('open', () => {
        resolve(101);
        ws.terminate();
      });
      ws.on('error', () => undefined);
    });
    expect(status).toBe(503);
    env.faults.state.refuseUpgrades = 0;
    const c = await connect(`${env.base}/ws/btcusdt@trade`);
    expect(c.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('closeAll terminates stream connections (not for ws-api)', async () => {
    const env = await setup();
    const a = await connect(`${env.base}/ws/btcusdt@bookTicker`);
    const b = await connect(`${env.base}/stream?streams=ethusdt@bookTicker`);
    env.faults.closeAll('ws-api');
    await until(() => a.msgs.length >= 2, 'data after a ws-api closeAll');
    expect(a.closed).toBeUndefined();
    env.faults.closeAll('streams');
    await until(() => a.closed !== undefined && b.closed !== undefined, 'both closes');
    expect(a.closed!.code).toBe(1006);
    expect(env.streams.connectionCount()).toBe(0);
  });

  it('serverShutdown sends the event (raw and combined) and closes soon after', async () => {
    const env = await setup();
    const raw = await connect(`${env.base}/ws/btcusdt@bookTicker`);
    const comb = await connect(`${env.base}/stream?streams=btcusdt@bookTicker`);
    env.faults.serverShutdown();
    await until(() => raw.closed !== undefined && comb.closed !== undefined, 'closes after serverShutdown');
    const ev = objs(raw).find((m) => m['e'] === 'serverShutdown')!;
    expect(Object.keys(ev)).toEqual(['e', 'E']);
    expect(typeof ev['E']).toBe('number');
    const wrapped = objs(comb).find((m) => m['stream'] === '!serverShutdown')!;
    expect((wrapped['data'] as O)['e']).toBe('serverShutdown');
    expect(raw.closed!.code).toBe(1001);
  });
});

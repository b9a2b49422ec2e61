/**
 * Market streams against a tiny combined-stream server on 127.0.0.1 (the simulator has its own
 * integration tests): hot-path apply, coalesced reads, SUBSCRIBE pacing, >1024 streams,
 * heartbeat (B8), rollover without gap or repeat (B10), suspend/resume, dispose.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AddressInfo } from 'node:net';
import { createMarketStreams, type MarketStreams, type MarketUpdate } from '../../../src/main/exchange/market-streams';
import { createConnectionBudget } from '../../../src/main/exchange/backoff';
import { createConnectionState } from '../../../src/main/exchange/connection-state';
import { until } from '../../helpers/until';

interface FakeConn {
  readonly ws: WebSocket;
  readonly streams: Set<string>;
  /** Arrival times of every control frame the client sent (JSON messages, pings, pongs). */
  readonly inbound: number[];
  readonly messages: { method: string; params: string[] }[];
  open: boolean;
}

interface Fake {
  readonly url: string;
  readonly conns: FakeConn[];
  silent: boolean;
  noPongs: boolean;
  send(stream: string, data: unknown): void;
  sendRaw(conn: FakeConn, text: string): void;
  openConns(): FakeConn[];
  close(): Promise<void>;
}

async function startFake(): Promise<Fake> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, autoPong: false });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const conns: FakeConn[] = [];
  const fake: Fake = {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`,
    conns,
    silent: false,
    noPongs: false,
    send(stream, data) {
      if (fake.silent) return;
      const text = JSON.stringify({ stream, data });
      for (const c of conns) if (c.open && c.streams.has(stream)) c.ws.send(text);
    },
    sendRaw(conn, text) {
      conn.ws.send(text);
    },
    openConns: () => conns.filter((c) => c.open),
    close: () =>
      new Promise<void>((r) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => r());
      }),
  };
  wss.on('connection', (ws, req) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const list = url.searchParams.get('streams') ?? '';
    const conn: FakeConn = { ws, streams: new Set(list === '' ? [] : list.split('/')), inbound: [], messages: [], open: true };
    conns.push(conn);
    ws.on('message', (raw) => {
      conn.inbound.push(Date.now());
      const msg = JSON.parse(raw.toString()) as { method: string; params: string[]; id: number };
      conn.messages.push({ method: msg.method, params: msg.params });
      if (msg.method === 'SUBSCRIBE') for (const s of msg.params) conn.streams.add(s);
      if (msg.method === 'UNSUBSCRIBE') for (const s of msg.params) conn.streams.delete(s);
      if (!fake.silent) ws.send(JSON.stringify({ result: null, id: msg.id }));
    });
    ws.on('ping', (data) => {
      conn.inbound.push(Date.now());
      if (!fake.silent && !fake.noPongs) ws.pong(data);
    });
    ws.on('pong', () => conn.inbound.push(Date.now()));
    ws.on('close', () => {
      conn.open = false;
    });
  });
  return fake;
}

const mini = (symbol: string, E: number, c: string) => ({
  e: '24hrMiniTicker',
  E,
  s: symbol,
  c,
  o: '1.0',
  h: '2.0',
  l: '0.5',
  v: '100',
  q: '150',
});

let fake: Fake | undefined;
let client: MarketStreams | undefined;
let pump: ReturnType<typeof setInterval> | undefined;

afterEach(async () => {
  if (pump !== undefined) clearInterval(pump);
  pump = undefined;
  client?.dispose();
  client = undefined;
  await fake?.close();
  fake = undefined;
});

describe('market streams: parsing and coalesced reads', () => {
  it('applies miniTicker arrays in place, drains each changed symbol once, ignores older events and unknown streams', async () => {
    fake = await startFake();
    client = createMarketStreams({ streamUrl: fake.url });
    client.watch(['!miniTicker@arr', 'btcusdt@bookTicker', 'btcusdt@kline_1m', 'btcusdt@depth']);
    await until(() => fake!.openConns().length === 1, 'connection');
    await until(() => fake!.openConns()[0]!.streams.size === 4, 'streams in URL');

    fake.send('!miniTicker@arr', [mini('BTCUSDT', 1000, '50000.1'), mini('ETHUSDT', 1000, '3000.5')]);
    await until(() => client!.tickers().size === 2, 'two tickers');
    const btc = client.tickers().get('BTCUSDT');
    expect(btc).toMatchObject({
      last: '50000.1',
      open: '1.0',
      high: '2.0',
      low: '0.5',
      volume: '100',
      quoteVolume: '150',
      eventTime: 1000,
    });
    expect([...client.drainChanged()].map(([s]) => s).sort()).toEqual(['BTCUSDT', 'ETHUSDT']);
    expect([...client.drainChanged()]).toEqual([]);

    const v = client.version();
    fake.send('!miniTicker@arr', [mini('BTCUSDT', 900, '1.0')]); // older: ignored
    fake.send('btcusdt@depth', { e: 'depthUpdate', E: 2000, s: 'BTCUSDT', U: 1, u: 2, b: [], a: [] }); // unknown to us
    fake.send('!miniTicker@arr', [mini('BTCUSDT', 2000, '50001.0')]);
    await until(() => client!.tickers().get('BTCUSDT')!.eventTime === 2000, 'newer tick');
    // The same record object was updated in place.
    expect(client.tickers().get('BTCUSDT')).toBe(btc);
    expect(btc!.last).toBe('50001.0');
    expect(client.version()).toBe(v + 1);
    expect([...client.drainChanged()].map(([s, t]) => [s, t.last])).toEqual([['BTCUSDT', '50001.0']]);

    fake.send('btcusdt@bookTicker', { u: 5, s: 'BTCUSDT', b: '49999', B: '1', a: '50001', A: '2' });
    fake.send('btcusdt@bookTicker', { u: 4, s: 'BTCUSDT', b: '1', B: '1', a: '2', A: '2' });
    fake.send('btcusdt@kline_1m', {
      e: 'kline',
      E: 3000,
      s: 'BTCUSDT',
      k: {
        t: 0,
        T: 59_999,
        s: 'BTCUSDT',
        i: '1m',
        f: 1,
        L: 2,
        o: '1',
        c: '2',
        h: '3',
        l: '0.5',
        v: '10',
        n: 2,
        x: false,
        q: '20',
        V: '1',
        Q: '1',
        B: '0',
      },
    });
    await until(() => client!.klines().size === 1, 'kline');
    expect(client.bookTickers().get('BTCUSDT')).toMatchObject({ bidPrice: '49999', askPrice: '50001', updateId: 5 });
    expect(client.klines().get('BTCUSDT@1m')).toMatchObject({ close: '2', closed: false });
    expect([...client.drainChangedBookTickers()].length).toBe(1);
  });

  it('with a focus, applies only the focused symbols of all-market frames, whatever their layout', async () => {
    fake = await startFake();
    client = createMarketStreams({ streamUrl: fake.url });
    client.watch(['!miniTicker@arr']);
    client.focus(new Set(['ETHUSDT', 'BNBUSDT']));
    await until(() => fake!.openConns().length === 1, 'connection');
    await until(() => client!.connections()[0]?.status === 'live', 'live');
    const conn = fake.openConns()[0]!;
    // Binance's compact layout (the cheap path) ...
    fake.send('!miniTicker@arr', [mini('BTCUSDT', 1000, '50000'), mini('ETHUSDT', 1000, '3000'), mini('XRPUSDT', 1000, '1')]);
    await until(() => client!.tickers().size === 1, 'the focused ticker');
    expect(client.tickers().get('ETHUSDT')?.last).toBe('3000');
    expect(client.connections()[0]?.lastMessageAt).not.toBeNull();
    // ... and any other layout (the whole parse) give the same result.
    fake.sendRaw(
      conn,
      JSON.stringify({ stream: '!miniTicker@arr', data: [mini('BNBUSDT', 1001, '600'), mini('BTCUSDT', 1001, '50001')] }, null, 2),
    );
    await until(() => client!.tickers().size === 2, 'the second focused ticker');
    expect([...client.tickers().keys()].sort()).toEqual(['BNBUSDT', 'ETHUSDT']);
    expect([...client.drainChanged()].map(([s]) => s).sort()).toEqual(['BNBUSDT', 'ETHUSDT']);
    // Without a focus, every symbol is applied again.
    client.focus(null);
    fake.send('!miniTicker@arr', [mini('BTCUSDT', 1002, '50002')]);
    await until(() => client!.tickers().has('BTCUSDT'), 'every symbol');
  });

  it('skips and reports invalid stream names instead of throwing', () => {
    const problems: string[] = [];
    client = createMarketStreams({ streamUrl: 'ws://127.0.0.1:1', onStreamProblem: (s) => problems.push(s) });
    client.watch(['BTCUSDT@trade']);
    expect(problems).toEqual(['BTCUSDT@trade']);
    expect(client.watched().size).toBe(0);
  });
});

describe('market streams: subscriptions', () => {
  it('subscribes and unsubscribes as the set changes, never more than 5 control frames per second', async () => {
    fake = await startFake();
    const sent: number[] = [];
    client = createMarketStreams({ streamUrl: fake.url, subscribeBatchSize: 5, onControlFrame: () => sent.push(Date.now()) });
    client.watch(['btcusdt@miniTicker']);
    await until(() => fake!.openConns().length === 1, 'connection');
    const conn = fake.openConns()[0]!;
    const many = Array.from({ length: 60 }, (_, i) => `sym${i}usdt@miniTicker`);
    client.watch(many);
    await until(() => conn.streams.size === 61, 'all subscribed');
    client.unwatch(many.slice(0, 30));
    await until(() => conn.streams.size === 31, 'unsubscribed');
    expect(conn.messages.filter((m) => m.method === 'SUBSCRIBE').length).toBe(12);
    expect(conn.messages.filter((m) => m.method === 'UNSUBSCRIBE').length).toBe(6);
    // Every sliding 1 s window of frames the server received holds at most 5.
    for (let i = 0; i < conn.inbound.length; i++) {
      const inWindow = conn.inbound.filter((t) => t >= conn.inbound[i]! && t < conn.inbound[i]! + 1000).length;
      expect(inWindow).toBeLessThanOrEqual(5);
    }
    expect(sent.length).toBe(18);
  });

  it('opens a second connection above 1024 streams', async () => {
    fake = await startFake();
    client = createMarketStreams({ streamUrl: fake.url });
    const streams = Array.from({ length: 1100 }, (_, i) => `s${i}usdt@miniTicker`);
    client.watch(streams);
    await until(() => fake!.openConns().length === 2, 'two connections');
    // The URL carries what fits; the rest follows by SUBSCRIBE.
    await until(() => fake!.openConns().reduce((n, c) => n + c.streams.size, 0) === 1100, 'all streams');
    const sizes = fake
      .openConns()
      .map((c) => c.streams.size)
      .sort((a, b) => a - b);
    expect(sizes).toEqual([76, 1024]);
    expect(client.connections()).toHaveLength(2);
  });
});

describe('market streams: heartbeat (B8)', () => {
  it('declares a silent socket stale, then replaces it; data resumes', async () => {
    fake = await startFake();
    const registry = createConnectionState();
    const statuses: string[] = [];
    registry.subscribe((s) => statuses.push(s.connections[0]?.status ?? 'none'));
    client = createMarketStreams({
      streamUrl: fake.url,
      connectionState: registry,
      staleAfterMs: 300,
      pingIntervalMs: 200,
      pongTimeoutMs: 300,
      backoff: { baseMs: 50, capMs: 100 },
    });
    client.watch(['btcusdt@miniTicker']);
    let E = 1;
    pump = setInterval(() => fake!.send('btcusdt@miniTicker', mini('BTCUSDT', E++, String(E))), 20);
    await until(() => client!.tickers().size === 1, 'first data');
    fake.silent = true;
    await until(() => statuses.includes('stale'), 'stale');
    await until(() => fake!.conns.length === 2, 'a new connection');
    fake.silent = false;
    const before = client.tickers().get('BTCUSDT')!.eventTime;
    await until(() => client!.tickers().get('BTCUSDT')!.eventTime > before, 'data after reconnect');
    expect(statuses.indexOf('stale')).toBeLessThan(statuses.lastIndexOf('live'));
    expect(client.connections()[0]!.reconnectCount).toBe(1);
    expect(client.connections()[0]!.lastError).toMatch(/dead/);
  });

  it('keeps a socket that delivers data but never answers pings', async () => {
    fake = await startFake();
    fake.noPongs = true;
    client = createMarketStreams({ streamUrl: fake.url, staleAfterMs: 300, pingIntervalMs: 100, pongTimeoutMs: 150 });
    client.watch(['btcusdt@miniTicker']);
    let E = 1;
    pump = setInterval(() => fake!.send('btcusdt@miniTicker', mini('BTCUSDT', E++, '1')), 20);
    await until(() => E > 100, 'two seconds of data');
    expect(fake.conns).toHaveLength(1);
    expect(client.connections()[0]!.status).toBe('live');
  });

  it('sends pings on an idle socket and stays when they are answered', async () => {
    fake = await startFake();
    const pings: number[] = [];
    client = createMarketStreams({
      streamUrl: fake.url,
      staleAfterMs: 10_000,
      pingIntervalMs: 100,
      pongTimeoutMs: 150,
      onControlFrame: (k) => {
        if (k === 'ping') pings.push(Date.now());
      },
    });
    client.watch(['btcusdt@miniTicker']);
    await until(() => pings.length >= 5, 'five pings');
    expect(fake.conns).toHaveLength(1);
  });
});

describe('market streams: rollover (B10)', () => {
  it('replaces the connection before its lifetime ends with no gap and no repeat', async () => {
    fake = await startFake();
    const applied: number[] = [];
    const registry = createConnectionState();
    const statuses = new Set<string>();
    client = createMarketStreams({
      streamUrl: fake.url,
      connectionState: registry,
      maxLifetimeMs: 250,
      onApply: (u: MarketUpdate) => {
        if (u.kind === 'miniTicker') applied.push(u.value.eventTime);
      },
    });
    client.watch(['btcusdt@miniTicker']);
    await until(() => fake!.openConns().length === 1, 'connected');
    registry.subscribe((s) => statuses.add(s.connections[0]!.status));
    let E = 1;
    pump = setInterval(() => fake!.send('btcusdt@miniTicker', mini('BTCUSDT', E++, '1')), 3);
    await until(() => fake!.conns.length >= 4 && applied.length > 0, 'three rollovers');
    await until(() => applied[applied.length - 1]! > E - 5 && fake!.openConns().length === 1, 'settled');
    for (let i = 1; i < applied.length; i++) expect(applied[i]).toBe(applied[i - 1]! + 1);
    expect(statuses.has('reconnecting')).toBe(false);
    expect(client.connections()[0]!.reconnectCount).toBe(0);
  });

  it('on serverShutdown opens the replacement first, then switches', async () => {
    fake = await startFake();
    const applied: number[] = [];
    client = createMarketStreams({
      streamUrl: fake.url,
      onApply: (u) => {
        if (u.kind === 'miniTicker') applied.push(u.value.eventTime);
      },
    });
    client.watch(['btcusdt@miniTicker']);
    await until(() => fake!.openConns().length === 1, 'connected');
    let E = 1;
    pump = setInterval(() => fake!.send('btcusdt@miniTicker', mini('BTCUSDT', E++, '1')), 3);
    await until(() => applied.length > 10, 'data');
    const first = fake.conns[0]!;
    fake.sendRaw(first, JSON.stringify({ stream: '!serverShutdown', data: { e: 'serverShutdown', E: 1 } }));
    await until(() => !first.open && fake!.openConns().length === 1 && fake!.conns.length === 2, 'switched');
    const mark = E;
    await until(() => applied[applied.length - 1]! > mark, 'data on the new connection');
    for (let i = 1; i < applied.length; i++) expect(applied[i]).toBe(applied[i - 1]! + 1);
  });
});

describe('market streams: lifecycle (B9, B15, B16)', () => {
  it('backs off under refused upgrades and stays within the shared budget', async () => {
    // A port that nobody listens on: every attempt fails at once.
    const probe = await startFake();
    const deadUrl = probe.url;
    await probe.close();
    let now = 0;
    const budget = createConnectionBudget({ maxAttempts: 5, windowMs: 60_000, clock: { now: () => Date.now() + now } });
    client = createMarketStreams({ streamUrl: deadUrl, budget, backoff: { baseMs: 20, capMs: 40 } });
    client.watch(['btcusdt@miniTicker']);
    await until(() => budget.used() === 5, 'budget used up');
    await new Promise((r) => setTimeout(r, 300));
    // Budget exhausted: no more attempts, but the client has not given up.
    expect(budget.used()).toBe(5);
    expect(client.connections()[0]!.status).toMatch(/connecting|reconnecting/);
    now = 61_000;
    expect(budget.used()).toBe(0);
    client.resume();
    await until(() => budget.used() >= 1, 'attempts resume once the window has passed');
  });

  it('suspend closes sockets and timers; resume reconnects at once; dispose leaves nothing', async () => {
    fake = await startFake();
    client = createMarketStreams({ streamUrl: fake.url, backoff: { baseMs: 60_000, capMs: 60_000, minMs: 60_000 } });
    client.watch(['btcusdt@miniTicker']);
    await until(() => fake!.openConns().length === 1, 'connected');
    client.suspend();
    await until(() => fake!.openConns().length === 0, 'closed');
    expect(client.connections()[0]!.status).toBe('offline');
    client.resume();
    // A one-minute backoff would make this wait; resume skips it.
    await until(() => fake!.openConns().length === 1, 'reconnected');
    client.networkChanged();
    await until(() => fake!.conns.length === 3 && fake!.openConns().length === 1, 'replaced after network change');
    client.dispose();
    await until(() => fake!.openConns().length === 0, 'closed after dispose');
    expect(() => client!.watch(['ethusdt@miniTicker'])).toThrow(/disposed/);
  });
});

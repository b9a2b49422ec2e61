/**
 * Market streams against a local combined-stream server on 127.0.0.1, for the cases a review
 * found broken: a quiet but healthy connection (B8), non-ASCII symbol names, a SUBSCRIBE the
 * server rejects for one bad name, and a rollover whose streams do not all fit in the URL (B10).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AddressInfo } from 'node:net';
import { createMarketStreams, type MarketStreams } from '../../../src/main/exchange/market-streams';
import { createConnectionState } from '../../../src/main/exchange/connection-state';
import { until } from '../../helpers/until';

interface Control {
  readonly method: string;
  readonly params: string[];
  readonly id: number;
}

interface FakeConn {
  readonly index: number;
  readonly ws: WebSocket;
  /** The request URL as it arrived, before any decoding. */
  readonly rawUrl: string;
  /** Streams named in the URL (decoded). */
  readonly urlStreams: string[];
  readonly streams: Set<string>;
  readonly messages: Control[];
  /** SUBSCRIBEs neither applied nor answered yet (see Fake.holdFrom). */
  readonly held: Control[];
  pingsAnswered: number;
  open: boolean;
}

interface Fake {
  readonly url: string;
  readonly conns: FakeConn[];
  /** Answer pings with pongs. */
  pongs: boolean;
  /** SUBSCRIBEs containing such a name are rejected whole, as Binance does. */
  rejectIf: (stream: string) => boolean;
  /** Connections with this index or above hold their SUBSCRIBEs until release(). */
  holdFrom: number;
  send(stream: string, data: unknown): void;
  sendRaw(conn: FakeConn, text: string): void;
  release(conn: FakeConn): void;
  openConns(): FakeConn[];
  close(): Promise<void>;
}

async function startFake(): Promise<Fake> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, autoPong: false });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const conns: FakeConn[] = [];
  const answer = (conn: FakeConn, msg: Control): void => {
    if (msg.method === 'SUBSCRIBE' && msg.params.some((s) => fake.rejectIf(s))) {
      conn.ws.send(JSON.stringify({ error: { code: 2, msg: 'Invalid request: unknown stream' }, id: msg.id }));
      return;
    }
    if (msg.method === 'SUBSCRIBE') for (const s of msg.params) conn.streams.add(s);
    if (msg.method === 'UNSUBSCRIBE') for (const s of msg.params) conn.streams.delete(s);
    conn.ws.send(JSON.stringify({ result: null, id: msg.id }));
  };
  const fake: Fake = {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`,
    conns,
    pongs: true,
    rejectIf: () => false,
    holdFrom: Infinity,
    send(stream, data) {
      const text = JSON.stringify({ stream, data });
      for (const c of conns) if (c.open && c.streams.has(stream)) c.ws.send(text);
    },
    sendRaw(conn, text) {
      conn.ws.send(text);
    },
    release(conn) {
      const held = conn.held.splice(0);
      for (const msg of held) answer(conn, msg);
    },
    openConns: () => conns.filter((c) => c.open),
    close: () =>
      new Promise<void>((r) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => r());
      }),
  };
  wss.on('connection', (ws, req) => {
    const rawUrl = req.url ?? '/';
    const list = new URL(rawUrl, 'http://x').searchParams.get('streams') ?? '';
    const urlStreams = list === '' ? [] : list.split('/');
    const conn: FakeConn = {
      index: conns.length,
      ws,
      rawUrl,
      urlStreams,
      streams: new Set(urlStreams),
      messages: [],
      held: [],
      pingsAnswered: 0,
      open: true,
    };
    conns.push(conn);
    ws.on('message', (raw) => {
      const msg = JSON.parse(raw.toString()) as Control;
      conn.messages.push(msg);
      if (msg.method === 'SUBSCRIBE' && conn.index >= fake.holdFrom) conn.held.push(msg);
      else answer(conn, msg);
    });
    ws.on('ping', (data) => {
      if (!fake.pongs) return;
      ws.pong(data);
      conn.pingsAnswered++;
    });
    ws.on('close', () => {
      conn.open = false;
    });
  });
  return fake;
}

const mini = (symbol: string, E: number) => ({ e: '24hrMiniTicker', E, s: symbol, c: '1', o: '1', h: '1', l: '1', v: '0', q: '0' });
const book = (symbol: string, u: number) => ({ u, s: symbol, b: '1.0', B: '2', a: '1.1', A: '3' });

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

describe('liveness of a quiet connection (B8)', () => {
  it('stays live while only pongs come back, then goes stale and is replaced once they stop', async () => {
    fake = await startFake();
    const registry = createConnectionState();
    const statuses: string[] = [];
    registry.subscribe((s) => {
      const st = s.connections[0]?.status;
      if (st !== undefined && statuses[statuses.length - 1] !== st) statuses.push(st);
    });
    client = createMarketStreams({
      streamUrl: fake.url,
      connectionState: registry,
      staleAfterMs: 300,
      pingIntervalMs: 200,
      pongTimeoutMs: 400,
      backoff: { baseMs: 20, capMs: 40 },
    });
    // Per-symbol streams of a market where nothing happens: no data at all, ever.
    client.watch(['abcusdt@miniTicker', 'abcusdt@bookTicker']);
    await until(() => fake!.openConns().length === 1, 'connection');
    const conn = fake.conns[0]!;
    await until(() => conn.pingsAnswered >= 8, 'eight pings answered');
    expect(statuses).not.toContain('stale');
    expect(client.connections()[0]!.status).toBe('live');
    expect(fake.conns).toHaveLength(1);

    fake.pongs = false;
    await until(() => fake!.conns.length === 2, 'a replacement once pings go unanswered');
    expect(statuses).toContain('stale');
    expect(client.connections()[0]!.lastError).toMatch(/dead/);
  });

  it('an always-on stream that stops sending is stale and replaced even though pongs come', async () => {
    fake = await startFake();
    const registry = createConnectionState();
    const statuses: string[] = [];
    registry.subscribe((s) => statuses.push(s.connections[0]?.status ?? 'none'));
    client = createMarketStreams({
      streamUrl: fake.url,
      connectionState: registry,
      staleAfterMs: 300,
      pingIntervalMs: 100,
      pongTimeoutMs: 400,
      dataSilenceLimitMs: 800,
      backoff: { baseMs: 20, capMs: 40 },
    });
    client.watch(['!miniTicker@arr']);
    await until(() => fake!.openConns().length === 1, 'connection');
    fake.send('!miniTicker@arr', [mini('BTCUSDT', 1)]);
    await until(() => client!.tickers().size === 1, 'first data');
    await until(() => fake!.conns.length === 2, 'a replacement');
    expect(statuses).toContain('stale');
    expect(fake.conns[0]!.pingsAnswered).toBeGreaterThan(0);
    expect(client.connections()[0]!.lastError).toMatch(/no data/);
  });
});

describe('stream names', () => {
  it('takes non-ASCII symbols (percent-encoded in the URL) and skips malformed names without dropping the rest', async () => {
    fake = await startFake();
    const problems: [string, string][] = [];
    client = createMarketStreams({ streamUrl: fake.url, onStreamProblem: (s, p) => problems.push([s, p]) });
    const unicode = '这是测试币456@bookTicker';
    client.watch(['btcusdt@miniTicker', unicode, 'BTCUSDT@trade', 'eth/usdt@miniTicker', 'ethusdt@miniTicker']);
    expect([...client.watched()]).toEqual(['btcusdt@miniTicker', unicode, 'ethusdt@miniTicker']);
    expect(problems).toEqual([
      ['BTCUSDT@trade', 'invalid-name'],
      ['eth/usdt@miniTicker', 'invalid-name'],
    ]);
    expect(client.connections()[0]!.lastError).toMatch(/invalid stream name/);

    await until(() => fake!.openConns().length === 1, 'connection');
    const conn = fake.conns[0]!;
    expect(conn.rawUrl).toContain(encodeURIComponent('这是测试币456'));
    expect(conn.rawUrl).not.toContain('这');
    expect(conn.urlStreams).toEqual(['btcusdt@miniTicker', unicode, 'ethusdt@miniTicker']);

    fake.send(unicode, book('这是测试币456', 7));
    fake.send('ethusdt@miniTicker', mini('ETHUSDT', 1));
    await until(() => client!.bookTickers().has('这是测试币456') && client!.tickers().has('ETHUSDT'), 'data on both');
    expect(client.bookTickers().get('这是测试币456')!.updateId).toBe(7);

    // Later calls go on working, and subscribe by message what the URL did not carry.
    client.watch(['has space@miniTicker', '测试@miniTicker']);
    await until(() => conn.streams.has('测试@miniTicker'), 'subscribed by SUBSCRIBE');
    expect(client.watched().has('has space@miniTicker')).toBe(false);
    expect(problems).toContainEqual(['has space@miniTicker', 'invalid-name']);
  });
});

describe('rejected SUBSCRIBE', () => {
  it('isolates the one bad name of a batch of 10 by bisection; the 9 good ones end up subscribed', async () => {
    fake = await startFake();
    fake.rejectIf = (s) => s.startsWith('bad');
    const problems: [string, string][] = [];
    client = createMarketStreams({
      streamUrl: fake.url,
      subscribeBatchSize: 10,
      subscribeRetryBaseMs: 20,
      onStreamProblem: (s, p) => problems.push([s, p]),
    });
    client.watch(['btcusdt@miniTicker']);
    await until(() => fake!.openConns().length === 1, 'connection');
    const conn = fake.conns[0]!;
    const batch = Array.from({ length: 10 }, (_, i) => (i === 6 ? 'badcoin@miniTicker' : `c${i}usdt@miniTicker`));
    const good = batch.filter((s) => !s.startsWith('bad'));
    client.watch(batch);
    await until(() => good.every((s) => conn.streams.has(s)) && problems.length > 0, 'the good ones subscribed');
    expect(conn.streams.has('badcoin@miniTicker')).toBe(false);
    expect(problems).toEqual([['badcoin@miniTicker', 'rejected']]);
    expect(client.connections()[0]!.lastError).toMatch(/badcoin/);
    // Still watched: a later connection asks again, by itself and not in the URL.
    expect(client.watched().has('badcoin@miniTicker')).toBe(true);
    const first = conn.messages[0]!;
    expect(first.params).toHaveLength(10);

    client.networkChanged();
    await until(() => fake!.conns.length === 2 && good.every((s) => fake!.conns[1]!.streams.has(s)), 'the next connection');
    const next = fake.conns[1]!;
    await until(() => next.messages.some((m) => m.params.includes('badcoin@miniTicker')), 'the bad name tried again');
    expect(next.urlStreams).not.toContain('badcoin@miniTicker');
    expect(next.messages.filter((m) => m.params.includes('badcoin@miniTicker')).map((m) => m.params)).toEqual([['badcoin@miniTicker']]);
    await until(() => problems.length === 2, 'reported again');
  });
});

describe('rollover with more streams than fit the URL (B10)', () => {
  it('switches only after the replacement acknowledged every SUBSCRIBE, and loses no event', async () => {
    fake = await startFake();
    const symbols = Array.from({ length: 12 }, (_, i) => `S${i}USDT`);
    const streams = symbols.map((s) => `${s.toLowerCase()}@bookTicker`);
    const applied = new Map<string, number[]>(symbols.map((s) => [s, []]));
    client = createMarketStreams({
      streamUrl: fake.url,
      // Room for three or four names: the rest has to go by SUBSCRIBE, two per message.
      maxUrlLength: fake.url.length + '/stream?streams='.length + 70,
      subscribeBatchSize: 2,
      onApply: (u) => {
        if (u.kind === 'bookTicker') applied.get(u.value.symbol)!.push(u.value.updateId);
      },
    });
    client.watch(streams);
    await until(() => fake!.openConns().length === 1 && fake!.conns[0]!.streams.size === 12, 'all streams on the first connection');
    const first = fake.conns[0]!;
    expect(first.urlStreams.length).toBeLessThan(12);
    expect(first.urlStreams.length).toBeGreaterThan(0);

    let tick = 0;
    pump = setInterval(() => {
      tick++;
      for (let i = 0; i < symbols.length; i++) fake!.send(streams[i]!, book(symbols[i]!, tick));
    }, 5);
    await until(() => applied.get('S0USDT')!.length > 5, 'data');

    fake.holdFrom = 1;
    fake.sendRaw(first, JSON.stringify({ stream: '!serverShutdown', data: { e: 'serverShutdown', E: 1 } }));
    await until(() => fake!.conns.length === 2 && fake!.conns[1]!.held.length > 0, 'the replacement sent its SUBSCRIBEs');
    const second = fake.conns[1]!;
    // Plenty of frames on the streams the replacement carries from its URL: enough to catch up.
    const mark = tick;
    await until(() => tick >= mark + 60 && applied.get('S0USDT')!.some((u) => u >= mark + 60), 'the replacement delivering');
    const firstOpenBeforeAcks = first.open;
    fake.holdFrom = Infinity;
    fake.release(second);
    await until(() => !first.open && second.streams.size === 12, 'switched');
    const end = tick;
    await until(() => symbols.every((s) => applied.get(s)!.some((u) => u > end + 5)), 'data on the new connection for every stream');

    expect(firstOpenBeforeAcks).toBe(true);
    for (const s of symbols) {
      const us = applied.get(s)!;
      for (let i = 1; i < us.length; i++) expect(us[i], `${s} after ${us[i - 1]}`).toBe(us[i - 1]! + 1);
    }
  });
});

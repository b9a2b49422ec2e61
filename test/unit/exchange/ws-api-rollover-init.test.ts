/**
 * WS API connection against a tiny server on 127.0.0.1: a replaced socket lives as long as its
 * pending requests may take (B10, B18), and a fresh socket whose set-up failed is not reported
 * live (B19) but replaced.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AddressInfo } from 'node:net';
import { createConnectionState } from '../../../src/main/exchange/connection-state';
import { createWsApiConnection, type WsApiConnection } from '../../../src/main/exchange/ws-api-connection';
import { until } from '../../helpers/until';
import { fakeClock } from '../../helpers/fake-clock';

interface Req {
  id: number;
  method: string;
}
interface ServerConn {
  ws: WebSocket;
  open: boolean;
  held: Req[];
}

interface Server {
  url: string;
  conns: ServerConn[];
  close(): Promise<void>;
}

/** Answers everything at once except order.place, which it holds until the test answers. */
async function startServer(): Promise<Server> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const server: Server = {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/ws-api/v3`,
    conns: [],
    close: () =>
      new Promise<void>((r) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => r());
      }),
  };
  wss.on('connection', (ws) => {
    const conn: ServerConn = { ws, open: true, held: [] };
    server.conns.push(conn);
    ws.on('close', () => {
      conn.open = false;
    });
    ws.on('message', (raw) => {
      const req = JSON.parse(raw.toString()) as Req;
      if (req.method === 'order.place') conn.held.push(req);
      else ws.send(JSON.stringify({ id: req.id, status: 200, result: {} }));
    });
  });
  return server;
}

let server: Server | undefined;
let conn: WsApiConnection | undefined;

afterEach(async () => {
  conn?.dispose();
  conn = undefined;
  await server?.close();
  server = undefined;
});

describe('WS API rollover drain (B10, B18)', () => {
  it('an order pending on the replaced socket that is answered after 7 s resolves; the old socket closes once it is answered', async () => {
    server = await startServer();
    const srv = server;
    const clock = fakeClock(1_000_000);
    // Defaults: a request may take 10 s.
    const c = createWsApiConnection({ url: srv.url, clock });
    conn = c;
    c.start();
    await until(() => c.currentGeneration() !== null, 'open');
    const first = c.currentGeneration();
    const placed = c.request<{ orderId: number }>('order.place', { symbol: 'BTCUSDT' });
    let settled = false;
    placed.then(
      () => {
        settled = true;
      },
      () => {
        settled = true;
      },
    );
    await until(() => srv.conns[0]?.held.length === 1, 'the order held by the exchange');

    c.rollover();
    await until(() => c.currentGeneration() !== null && c.currentGeneration() !== first, 'the replacement in charge');
    clock.advance(7_000);
    await new Promise((r) => setTimeout(r, 50));
    expect(settled).toBe(false);
    expect(srv.conns[0]?.open).toBe(true);

    const req = srv.conns[0]?.held[0] as Req;
    srv.conns[0]?.ws.send(JSON.stringify({ id: req.id, status: 200, result: { orderId: 42 } }));
    await expect(placed).resolves.toEqual({ orderId: 42 });
    // Nothing left to wait for: the old socket goes now, not at the end of its drain.
    await until(() => srv.conns[0]?.open === false, 'the old socket closed');
    expect(srv.conns[1]?.open).toBe(true);
  });

  it('an order never answered on the replaced socket fails at its own deadline, and the socket goes with it', async () => {
    server = await startServer();
    const srv = server;
    const clock = fakeClock(1_000_000);
    const c = createWsApiConnection({ url: srv.url, clock, requestTimeoutMs: 10_000, drainMs: 500 });
    conn = c;
    c.start();
    await until(() => c.currentGeneration() !== null, 'open');
    const first = c.currentGeneration();
    const placed = c.request('order.place', { symbol: 'BTCUSDT' });
    const outcome = placed.then(
      () => 'resolved',
      (e: unknown) => (e as { kind?: string }).kind ?? 'other',
    );
    await until(() => srv.conns[0]?.held.length === 1, 'the order held by the exchange');
    c.rollover();
    await until(() => c.currentGeneration() !== null && c.currentGeneration() !== first, 'the replacement in charge');
    // A drainMs shorter than a request may take is not honoured.
    clock.advance(9_000);
    await new Promise((r) => setTimeout(r, 50));
    expect(srv.conns[0]?.open).toBe(true);
    clock.advance(1_000);
    expect(await outcome).toBe('unknown-outcome');
    await until(() => srv.conns[0]?.open === false, 'the old socket closed');
  });
});

describe('WS API session set-up failure (B19)', () => {
  it('a first connection whose initializer fails is not reported live; a fresh socket is set up and then it is', async () => {
    server = await startServer();
    const srv = server;
    const registry = createConnectionState();
    const c = createWsApiConnection({ url: srv.url, connectionState: registry, backoff: { baseMs: 20, capMs: 100 } });
    conn = c;
    let calls = 0;
    const liveAtCall: number[] = [];
    registry.subscribe((snap) => {
      const st = snap.connections.find((x) => x.id === 'ws-api')?.status;
      if (st === 'live' && liveAtCall.at(-1) !== calls) liveAtCall.push(calls);
    });
    c.addSessionInitializer(async () => {
      calls++;
      if (calls === 1) throw new Error('set-up failed');
    });
    c.start();
    await until(() => c.info().status === 'live', 'live', 20_000);
    // Live only once a set-up succeeded, on a new socket; the failed one was closed.
    expect(liveAtCall).toEqual([2]);
    expect(srv.conns).toHaveLength(2);
    await until(() => srv.conns[0]?.open === false, 'the failed socket closed');
    expect(c.info().lastError).toContain('set-up failed');
    expect(c.currentGeneration()).not.toBeNull();
  });
});

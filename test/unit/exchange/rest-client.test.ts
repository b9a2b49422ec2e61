import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createCredentials } from '../../../src/main/exchange/credentials';
import { environment, simulatorEnvironment, type Environment } from '../../../src/main/exchange/environments';
import { ExchangeError } from '../../../src/main/exchange/errors';
import { createRateLimitGovernor } from '../../../src/main/exchange/rate-limit';
import { createRestClient, type RestClient, type RestLogEvent } from '../../../src/main/exchange/rest-client';
import { createTimeSync, type TimeSync } from '../../../src/main/exchange/time-sync';

const API_KEY = 'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A';
const SECRET = 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j';

interface Seen {
  method: string;
  url: string;
  body: string;
  headers: IncomingMessage['headers'];
}
type Handler = (req: Seen, res: ServerResponse) => void;

let server: Server;
let env: Environment;
let seen: Seen[];
let handler: Handler;
let timeCalls: number;
let serverOffset: number;
const openResponses = new Set<ServerResponse>();

function reply(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'X-MBX-USED-WEIGHT-1M': '10', ...headers });
  res.end(body);
}

beforeEach(async () => {
  seen = [];
  timeCalls = 0;
  serverOffset = 0;
  handler = (_req, res) => reply(res, 200, '{}');
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      body += c;
    });
    req.on('end', () => {
      if (req.url === '/api/v3/time') {
        timeCalls += 1;
        reply(res, 200, JSON.stringify({ serverTime: Date.now() + serverOffset }));
        return;
      }
      openResponses.add(res);
      res.on('close', () => openResponses.delete(res));
      const s: Seen = { method: req.method ?? '', url: req.url ?? '', body, headers: req.headers };
      seen.push(s);
      handler(s, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  env = simulatorEnvironment({
    restUrl: `http://127.0.0.1:${port}`,
    streamUrl: `ws://127.0.0.1:${port}`,
    wsApiUrl: `ws://127.0.0.1:${port}/ws-api/v3`,
  });
});

afterEach(async () => {
  for (const res of openResponses) res.destroy();
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

function client(extra: { timeoutMs?: number; log?: (e: RestLogEvent) => void; env?: Environment; timeSync?: TimeSync } = {}): {
  rest: RestClient;
  timeSync: TimeSync;
} {
  const e = extra.env ?? env;
  const governor = createRateLimitGovernor();
  const timeSync = extra.timeSync ?? createTimeSync({ env: e });
  const rest = createRestClient({
    env: e,
    credentials: createCredentials({ type: 'HMAC', apiKey: API_KEY, secret: SECRET }),
    timeSync,
    governor,
    timeoutMs: extra.timeoutMs,
    log: extra.log,
  });
  return { rest, timeSync };
}

function params(s: string): URLSearchParams {
  return new URLSearchParams(s);
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

describe('REST client', () => {
  it('GET USER_DATA: signs exactly the query it sends, with API key header, timestamp and recvWindow', async () => {
    const { rest } = client();
    handler = (_s, res) => reply(res, 200, '{"balances":[]}');
    const out = await rest.request({
      method: 'GET',
      path: '/api/v3/account',
      params: { omitZeroBalances: true, symbol: '这是测试币456' },
      security: 'USER_DATA',
      weight: 20,
    });
    expect(out).toEqual({ balances: [] });
    const req = seen[0]!;
    expect(req.method).toBe('GET');
    expect(req.headers['x-mbx-apikey']).toBe(API_KEY);
    const [path, query = ''] = req.url.split('?');
    expect(path).toBe('/api/v3/account');
    const idx = query.lastIndexOf('&signature=');
    const signedPart = query.slice(0, idx);
    const signature = query.slice(idx + '&signature='.length);
    expect(signedPart).toMatch(
      /^omitZeroBalances=true&symbol=%E8%BF%99%E6%98%AF%E6%B5%8B%E8%AF%95%E5%B8%81456&recvWindow=5000&timestamp=\d{13}$/,
    );
    expect(signature).toBe(createHmac('sha256', SECRET).update(signedPart).digest('hex'));
  });

  it('POST TRADE: form-encoded body carries params and signature; nothing in the query', async () => {
    const { rest } = client();
    handler = (_s, res) => reply(res, 200, '{"orderId":8389765612825190229,"clientOrderId":"abc"}');
    const out = await rest.request({
      method: 'POST',
      path: '/api/v3/order',
      params: { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.001', price: '50000.1' },
      security: 'TRADE',
      priority: 'critical',
    });
    expect(out).toEqual({ orderId: '8389765612825190229', clientOrderId: 'abc' }); // B7
    const req = seen[0]!;
    expect(req.url).toBe('/api/v3/order');
    expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const body = req.body;
    const idx = body.lastIndexOf('&signature=');
    expect(body.slice(idx + 11)).toBe(createHmac('sha256', SECRET).update(body.slice(0, idx)).digest('hex'));
    expect(params(body).get('price')).toBe('50000.1');
  });

  it('NONE requests send no key and no signature', async () => {
    const { rest } = client();
    await rest.request({ method: 'GET', path: '/api/v3/depth', params: { symbol: 'BTCUSDT', limit: 5 }, security: 'NONE' });
    expect(seen[0]!.url).toBe('/api/v3/depth?symbol=BTCUSDT&limit=5');
    expect(seen[0]!.headers['x-mbx-apikey']).toBeUndefined();
  });

  it('/sapi on an environment without it fails locally with "not available on this environment"', async () => {
    const testnetLike: Environment = { ...environment('testnet'), restUrl: env.restUrl };
    const { rest } = client({ env: testnetLike });
    const e = await failure(rest.request({ method: 'GET', path: '/sapi/v1/account/apiRestrictions', security: 'USER_DATA' }));
    expect(e.kind).toBe('unavailable');
    expect(e.message).toMatch(/not available on this environment/);
    expect(seen).toHaveLength(0);
  });

  it('-1021 on a GET: one resync, then one retry with a fresh timestamp and signature (B1, B2)', async () => {
    const { rest } = client();
    let n = 0;
    handler = (_s, res) => {
      n += 1;
      if (n === 1) {
        serverOffset = 4000;
        reply(res, 400, '{"code":-1021,"msg":"Timestamp for this request is outside of the recvWindow."}');
        return;
      }
      reply(res, 200, '[]');
    };
    await expect(rest.request({ method: 'GET', path: '/api/v3/openOrders', security: 'USER_DATA' })).resolves.toEqual([]);
    expect(timeCalls).toBe(1);
    expect(seen).toHaveLength(2);
    const [a, b] = seen.map((s) => params(s.url.split('?')[1] ?? ''));
    expect(Number(b!.get('timestamp')) - Number(a!.get('timestamp'))).toBeGreaterThanOrEqual(3900);
    expect(b!.get('signature')).not.toBe(a!.get('signature'));
  });

  it('-1021 that persists is surfaced after one retry (no loop)', async () => {
    const { rest } = client();
    handler = (_s, res) => reply(res, 400, '{"code":-1021,"msg":"Timestamp for this request was 1000ms ahead of the server\'s time."}');
    const e = await failure(rest.request({ method: 'GET', path: '/api/v3/account', security: 'USER_DATA' }));
    expect(e.kind).toBe('clock');
    expect(seen).toHaveLength(2);
    expect(timeCalls).toBe(2);
  });

  it('-1021 on an order: resync, but no retry', async () => {
    const { rest } = client();
    handler = (_s, res) => reply(res, 400, '{"code":-1021,"msg":"Timestamp for this request is outside of the recvWindow."}');
    const e = await failure(rest.request({ method: 'POST', path: '/api/v3/order', params: { symbol: 'BTCUSDT' }, security: 'TRADE' }));
    expect(e.kind).toBe('clock');
    expect(seen).toHaveLength(1);
    expect(timeCalls).toBe(1);
  });

  it('5xx on an order is unknown-outcome and is not retried; on a GET it is network', async () => {
    const { rest } = client();
    handler = (_s, res) =>
      reply(
        res,
        503,
        '{"code":-1007,"msg":"Timeout waiting for response from backend server. Send status unknown; execution status unknown."}',
      );
    const e = await failure(rest.request({ method: 'POST', path: '/api/v3/order', params: { symbol: 'BTCUSDT' }, security: 'TRADE' }));
    expect(e).toMatchObject({ kind: 'unknown-outcome', httpStatus: 503, binanceCode: -1007, mayHaveExecuted: true });
    expect(seen).toHaveLength(1);
    handler = (_s, res) => {
      res.writeHead(502, { 'Content-Type': 'text/html' });
      res.end('<html>Bad gateway</html>');
    };
    const g = await failure(rest.request({ method: 'GET', path: '/api/v3/openOrders', security: 'USER_DATA' }));
    expect(g).toMatchObject({ kind: 'network', httpStatus: 502 });
  });

  it('a hang is bounded by the timeout: timeout for reads, unknown-outcome for state changes', async () => {
    const { rest } = client({ timeoutMs: 300 });
    handler = () => undefined; // never answers
    const g = await failure(rest.request({ method: 'GET', path: '/api/v3/account', security: 'USER_DATA' }));
    expect(g.kind).toBe('timeout');
    const p = await failure(
      rest.request({ method: 'DELETE', path: '/api/v3/order', params: { symbol: 'BTCUSDT', origClientOrderId: 'x1' }, security: 'TRADE' }),
    );
    expect(p.kind).toBe('unknown-outcome');
    expect(p.message).toMatch(/may or may not/);
  });

  it('a body that stalls after the headers is also bounded', async () => {
    const { rest } = client({ timeoutMs: 300 });
    handler = (_s, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"a":');
    };
    const e = await failure(rest.request({ method: 'GET', path: '/api/v3/account', security: 'USER_DATA' }));
    expect(e.kind).toBe('timeout');
  });

  it('connection refused is network (not sent), even for an order', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    for (const p of [port, 1]) {
      const dead = simulatorEnvironment({ restUrl: `http://127.0.0.1:${p}`, streamUrl: 'ws://127.0.0.1:1', wsApiUrl: 'ws://127.0.0.1:1' });
      const { rest } = client({ env: dead, timeSync: createTimeSync({ fetchServerTime: async () => Date.now() }) });
      const e = await failure(rest.request({ method: 'POST', path: '/api/v3/order', params: { symbol: 'BTCUSDT' }, security: 'TRADE' }));
      expect(e.kind).toBe('network');
      expect(e.mayHaveExecuted).toBe(false);
    }
  });

  it('a connection reset after the order was written is unknown-outcome', async () => {
    const { rest } = client();
    handler = (_s, res) => res.socket?.destroy();
    const e = await failure(rest.request({ method: 'POST', path: '/api/v3/order', params: { symbol: 'BTCUSDT' }, security: 'TRADE' }));
    expect(e.kind).toBe('unknown-outcome');
    expect(seen).toHaveLength(1);
  });

  it('schema failures and bad JSON are bad-response', async () => {
    const { rest } = client();
    handler = (_s, res) => reply(res, 200, '{"serverTime":"soon"}');
    const e = await failure(
      rest.request({ method: 'GET', path: '/api/v3/ping', security: 'NONE', schema: z.object({ serverTime: z.number() }) }),
    );
    expect(e.kind).toBe('bad-response');
    expect(e.message).toMatch(/serverTime/);
    handler = (_s, res) => reply(res, 200, 'not json');
    expect((await failure(rest.request({ method: 'GET', path: '/api/v3/ping', security: 'NONE' }))).kind).toBe('bad-response');
    handler = (_s, res) => reply(res, 200, '{"ok":true}');
    await expect(
      rest.request({ method: 'GET', path: '/api/v3/ping', security: 'NONE', schema: z.object({ ok: z.boolean() }) }),
    ).resolves.toEqual({ ok: true });
  });

  it('429 pauses every later request locally until Retry-After; 418 bans (B5)', async () => {
    const { rest } = client();
    handler = (_s, res) =>
      reply(res, 429, '{"code":-1003,"msg":"Too much request weight used; current limit is 6000 request weight per 1 MINUTE."}', {
        'Retry-After': '30',
      });
    const e = await failure(rest.request({ method: 'GET', path: '/api/v3/account', security: 'USER_DATA' }));
    expect(e).toMatchObject({ kind: 'rate-limited', retryAfterMs: 30_000, httpStatus: 429 });
    const local = await failure(
      rest.request({ method: 'POST', path: '/api/v3/order', params: { symbol: 'BTCUSDT' }, security: 'TRADE', priority: 'critical' }),
    );
    expect(local.kind).toBe('rate-limited');
    expect(local.httpStatus).toBeUndefined();
    expect(seen).toHaveLength(1);
  });

  it('nothing secret reaches errors or the log (B20)', async () => {
    const events: RestLogEvent[] = [];
    const { rest } = client({ log: (e) => events.push(e), timeoutMs: 300 });
    const errors: ExchangeError[] = [];
    const replies = [
      (res: ServerResponse) => reply(res, 400, '{"code":-1022,"msg":"Signature for this request is not valid."}'),
      (res: ServerResponse) => reply(res, 503, 'oops'),
      () => undefined,
    ];
    for (const r of replies) {
      handler = (_s, res) => r(res);
      errors.push(
        await failure(rest.request({ method: 'GET', path: '/api/v3/account', params: { symbol: 'BTCUSDT' }, security: 'USER_DATA' })),
      );
    }
    const signatures = seen.map((s) => params(s.url.split('?')[1] ?? '').get('signature') ?? '');
    expect(signatures.every((s) => s.length === 64)).toBe(true);
    const text = JSON.stringify(events) + errors.map((e) => `${e.message} ${JSON.stringify(e)} ${String(e.stack)}`).join('\n');
    for (const forbidden of [SECRET, API_KEY, 'signature=', 'timestamp=', ...signatures]) expect(text).not.toContain(forbidden);
    expect(errors.map((e) => e.kind)).toEqual(['auth', 'network', 'timeout']);
    expect(events.map((e) => e.path)).toEqual(['/api/v3/account', '/api/v3/account', '/api/v3/account']);
  });
});

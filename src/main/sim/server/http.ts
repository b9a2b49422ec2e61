/**
 * The simulator's one HTTP server on 127.0.0.1: REST dispatch (params, API key, signature,
 * timing, permissions, weights, order counts, 429/418), the control endpoint under /__control,
 * and WebSocket upgrades handed to the WS API and the market stream server.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { SimClock } from '../clock';
import { errors, SimError } from '../errors';
import { toJson } from '../json';
import type { Faults, RestRequest, RestRoute, UpgradeHandler } from '../types';
import { authenticateSigned, checkPermission, checkTiming, lookupKey, restSignatureParts } from './auth';
import type { KeyRegistry } from './auth';
import { checkAllRead, collectParams, SIGNED_REST_PARAMS } from './params';
import type { RateLimiter } from './rate-limit';

/** Successful calls of these cost 0 weight since 2026-04-02 (CHANGELOG 2026-03-27); failures pay. */
export const ZERO_WEIGHT_ON_SUCCESS: ReadonlySet<string> = new Set([
  'POST /api/v3/order',
  'POST /api/v3/sor/order',
  'DELETE /api/v3/order',
  'DELETE /api/v3/openOrders',
  'POST /api/v3/order/cancelReplace',
  'POST /api/v3/order/oco',
  'POST /api/v3/orderList/oco',
  'POST /api/v3/orderList/oto',
  'POST /api/v3/orderList/otoco',
  'POST /api/v3/orderList/opo',
  'POST /api/v3/orderList/opoco',
  'DELETE /api/v3/orderList',
]);

/**
 * Endpoints production no longer serves (listenKey retired 2026-02-20, CHANGELOG 2026-01-21;
 * /api/v1 retired 2026-03-25, CHANGELOG 2026-03-09). Production answers them with HTTP 410 and
 * its front end's stock HTML page (a 136-byte nginx "410 Gone" body), not a JSON error.
 */
const GONE_PATHS = new Set([
  '/api/v3/userDataStream',
  '/api/v1/userDataStream',
  '/api/v1/ping',
  '/api/v1/time',
  '/api/v1/ticker/bookTicker',
  '/api/v1/ticker/price',
  '/api/v1/klines',
  '/api/v1/historicalTrades',
  '/api/v1/depth',
  '/api/v1/aggTrades',
  '/api/v1/ticker/24hr',
  '/api/v1/trades',
]);
const GONE_BODY =
  '<html>\r\n<head><title>410 Gone</title></head>\r\n<body>\r\n<center><h1>410 Gone</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';
/** Since 2023-12-04 the HTML 404 page only goes to clients that accept text/html (CHANGELOG). */
const NOT_FOUND_HTML = '<html><body><h2>404 Not found</h2></body></html>';

const MAX_BODY_BYTES = 1 << 20;

export type ControlHandler = (req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer) => Promise<void>;

export interface HttpServerOptions {
  readonly clock: SimClock;
  readonly faults: Faults;
  readonly keys: KeyRegistry;
  readonly limiter: RateLimiter;
  readonly routes: readonly RestRoute[];
  /** WebSocket API (/ws-api/v3). */
  readonly wsApi?: UpgradeHandler;
  /** Market streams (/ws, /ws/<stream>, /stream). */
  readonly streams?: UpgradeHandler;
  readonly control?: ControlHandler;
  readonly port?: number;
  /** Called with errors that are not Binance replies (bugs in a handler). */
  readonly onError?: (err: unknown) => void;
}

export interface SimHttpServer {
  readonly server: Server;
  readonly port: number;
  /** Replace or add routes (the composition adds routes after construction in tests). */
  addRoutes(routes: readonly RestRoute[]): void;
  close(): Promise<void>;
}

function routeKey(method: string, path: string): string {
  return `${method} ${path}`;
}

function clientIp(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new SimError(413, -1000, 'Request body too large.'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function rejectUpgrade(socket: Duplex, status: number, reason: string, headers: Readonly<Record<string, string>> = {}): void {
  const extra = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n${extra}\r\n`);
  socket.destroy();
}

export async function startHttpServer(opts: HttpServerOptions): Promise<SimHttpServer> {
  const { clock, faults, keys, limiter } = opts;
  const routes = new Map<string, RestRoute>();
  /** Per route, the names it reads (its own plus the signing ones); absent = not checked. */
  const accepted = new Map<RestRoute, ReadonlySet<string>>();
  const addRoutes = (list: readonly RestRoute[]): void => {
    for (const r of list) {
      routes.set(routeKey(r.method, r.path), r);
      if (r.params !== undefined) {
        // MARKET_DATA /sapi endpoints take a signature without checking it: clients (ccxt) sign
        // every /sapi call, and Binance answers them rather than -1104.
        const signed = r.security === 'USER_DATA' || r.security === 'TRADE' || r.security === 'MARKET_DATA';
        accepted.set(r, new Set([...r.params, ...(signed ? SIGNED_REST_PARAMS : [])]));
      }
    }
  };
  addRoutes(opts.routes);

  const timers = new Set<NodeJS.Timeout>();
  let closing = false;
  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  const send = (
    res: ServerResponse,
    status: number,
    body: string,
    headers: Record<string, string>,
    contentType = 'application/json;charset=UTF-8',
  ): void => {
    if (res.destroyed || res.headersSent) return;
    headers['Content-Type'] = contentType;
    headers['Content-Length'] = String(Buffer.byteLength(body));
    res.writeHead(status, headers);
    res.end(body);
  };

  const weightHeaders = (ip: string): Record<string, string> => {
    const used = String(limiter.usedWeight(ip));
    return { 'X-MBX-USED-WEIGHT': used, 'X-MBX-USED-WEIGHT-1M': used };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const receivedAt = clock.now();
    const target = req.url ?? '/';
    const qIndex = target.indexOf('?');
    const path = qIndex < 0 ? target : target.slice(0, qIndex);
    const rawQuery = qIndex < 0 ? '' : target.slice(qIndex + 1);
    const method = req.method ?? 'GET';
    const ip = clientIp(req);

    if (path === '/__control' || path.startsWith('/__control/')) {
      const body = await readBody(req);
      if (opts.control === undefined) {
        send(res, 404, '', {});
        return;
      }
      await opts.control(req, res, new URL(target, 'http://127.0.0.1'), body);
      return;
    }

    const body = method === 'GET' || method === 'HEAD' ? Buffer.alloc(0) : await readBody(req);

    const failure = faults.state.restFailures?.find(
      (f) => f.count > 0 && f.path === path && (f.method === undefined || f.method === method),
    );
    if (failure !== undefined) {
      failure.count -= 1;
      send(res, failure.status, failure.body, {}, failure.contentType ?? 'application/json;charset=UTF-8');
      return;
    }

    // A hung path keeps the socket open with no reply until the client gives up or we stop.
    if (faults.state.hangPaths.some((p) => p !== '' && path.startsWith(p))) return;

    if (GONE_PATHS.has(path)) {
      send(res, 410, GONE_BODY, {}, 'text/html');
      return;
    }
    const route = routes.get(routeKey(method, path));
    if (route === undefined || (route.sapi !== true && path.startsWith('/sapi/'))) {
      const html = (req.headers.accept ?? '').includes('text/html');
      send(res, 404, html ? NOT_FOUND_HTML : '', {}, html ? 'text/html' : 'application/json;charset=UTF-8');
      return;
    }

    const key = routeKey(method, path);
    const zeroOnSuccess = ZERO_WEIGHT_ON_SUCCESS.has(key);
    let charged = false;
    let weight = 0;
    let orderAccount: string | undefined;
    const headers = (): Record<string, string> => {
      const h = weightHeaders(ip);
      if (orderAccount !== undefined) {
        for (const u of limiter.orderRateUsage(orderAccount))
          h[`X-MBX-ORDER-COUNT-${u.intervalNum}${u.interval === 'SECOND' ? 'S' : 'D'}`] = String(u.count);
      }
      return h;
    };

    try {
      limiter.admit(ip, {
        bannedUntil: faults.state.banUntil,
        force429: faults.state.force429 > 0 ? (faults.state.force429--, true) : false,
      });
    } catch (err) {
      if (err instanceof SimError) {
        send(res, err.httpStatus, toJson(err), { ...weightHeaders(ip), ...err.headers });
        return;
      }
      throw err;
    }

    try {
      if (faults.state.latencyMs > 0) await sleep(faults.state.latencyMs);
      if (closing) return;
      const params = collectParams(method, rawQuery, body);
      weight = typeof route.weight === 'function' ? route.weight(params) : route.weight;
      if (!zeroOnSuccess) {
        limiter.addWeight(ip, weight);
        charged = true;
      }
      let apiKeyRecord: RestRequest['key'];
      const apiKeyHeader = req.headers['x-mbx-apikey'];
      const apiKey = Array.isArray(apiKeyHeader) ? apiKeyHeader[0] : apiKeyHeader;
      let auth: { timestampMs: number; recvWindowMs: number } | undefined;
      if (route.security === 'USER_STREAM' || route.security === 'MARKET_DATA') {
        apiKeyRecord = lookupKey(keys, apiKey);
      } else if (route.security !== 'NONE') {
        const parts = restSignatureParts(rawQuery, body);
        const result = authenticateSigned({
          keys,
          apiKey,
          timestamp: params.timestamp,
          recvWindow: params.recvWindow,
          signature: parts.signature,
          payload: parts.payload,
          serverTime: clock.now(),
        });
        checkPermission(result.key, route.security);
        apiKeyRecord = result.key;
        auth = result;
      }
      // After authentication (a bad signature is -1022 whatever else is wrong), before the handler.
      const known = accepted.get(route);
      if (known !== undefined) checkAllRead(Object.keys(params), known);
      delete params.signature;
      if (route.countsAsOrder === true && apiKeyRecord !== undefined) {
        orderAccount = apiKeyRecord.accountId;
        limiter.admitOrder(orderAccount);
        // The second recvWindow check, just before the matching engine (https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/rest-api.md § Timing security).
        if (auth !== undefined) checkTiming(auth.timestampMs, auth.recvWindowMs, clock.now());
      }
      const request: RestRequest = {
        method: method as RestRequest['method'],
        path,
        params,
        ...(apiKeyRecord !== undefined ? { key: apiKeyRecord } : {}),
        receivedAt,
      };
      const result = await route.handler(request);
      if (closing) return;
      if (orderAccount !== undefined)
        limiter.addOrders(
          orderAccount,
          path.endsWith('/orderList/otoco') ? 3 : path.includes('/orderList/') || path.endsWith('/order/oco') ? 2 : 1,
        );
      send(res, 200, toJson(result), headers());
    } catch (err) {
      if (closing) return;
      if (zeroOnSuccess && !charged) limiter.addWeight(ip, weight);
      if (err instanceof SimError) {
        send(res, err.httpStatus, toJson(err), { ...headers(), ...err.headers });
        return;
      }
      opts.onError?.(err);
      send(res, 500, toJson(errors.unknown()), headers());
    }
  };

  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      opts.onError?.(err);
      if (err instanceof SimError) send(res, err.httpStatus, toJson(err), {});
      else send(res, 500, toJson(errors.unknown()), {});
    });
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    const isWsApi = path === '/ws-api/v3';
    const isStream = path === '/ws' || path.startsWith('/ws/') || path === '/stream';
    const handler = isWsApi ? opts.wsApi : isStream ? opts.streams : undefined;
    if (handler === undefined) {
      rejectUpgrade(socket, 404, 'Not Found');
      return;
    }
    const refuse = faults.state.refuseUpgrades;
    if (refuse !== 0) {
      rejectUpgrade(
        socket,
        refuse,
        refuse === 429 ? 'Too Many Requests' : 'Service Unavailable',
        refuse === 429 ? { 'Retry-After': '1' } : {},
      );
      return;
    }
    const now = clock.now();
    const ip = req.socket.remoteAddress ?? 'unknown';
    if (isWsApi) {
      try {
        limiter.admit(ip, { bannedUntil: faults.state.banUntil });
        limiter.admitConnection(ip);
      } catch (err) {
        if (err instanceof SimError) {
          rejectUpgrade(socket, err.httpStatus, err.httpStatus === 418 ? "I'm a teapot" : 'Too Many Requests', err.headers);
          return;
        }
        throw err;
      }
      // Connecting to the WebSocket API costs 2 weight (https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/web-socket-api.md § IP limits).
      limiter.addWeight(ip, 2);
    } else if (faults.state.banUntil > now) {
      rejectUpgrade(socket, 418, "I'm a teapot");
      return;
    }
    if (!handler.handleUpgrade(req, socket, head, url)) rejectUpgrade(socket, 404, 'Not Found');
  });

  server.on('clientError', (_err, socket: Socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  return {
    server,
    port,
    addRoutes,
    async close() {
      closing = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await done;
    },
  };
}

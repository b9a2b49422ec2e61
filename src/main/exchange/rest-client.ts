/**
 * Signed REST over fetch. Per attempt it takes a fresh timestamp and signature (B2), signs
 * exactly the encoded bytes it sends (https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/rest-api.md § SIGNED Endpoint security), bounds every request with a timeout, feeds
 * every response's headers to the governor (B5), parses with big-integer-safe JSON (B7),
 * optionally validates with zod, and maps failures to the error taxonomy (B3). A -1021 triggers
 * one clock resync; read-only requests are then retried once, state-changing ones never (B1).
 * The signed URL and body never leave this module: errors and log events carry method + path.
 */
import type { ZodType } from 'zod';
import type { Credentials } from './credentials';
import type { Environment } from './environments';
import { ExchangeError, classifyHttpFailure, isExchangeError, rateLimitHeaders } from './errors';
import { parseJson } from './json';
import type { RateLimitGovernor, RequestPriority } from './rate-limit';
import { encodeParams, percentEncode, restSignaturePayload, type Params } from './signing';
import type { TimeSync } from './time-sync';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';
export type RestSecurity = 'NONE' | 'USER_DATA' | 'TRADE' | 'USER_STREAM';

export interface RestRequest<T = unknown> {
  readonly method: HttpMethod;
  /** `/api/v3/...` or `/sapi/...`. */
  readonly path: string;
  readonly params?: Params;
  readonly security: RestSecurity;
  /** REQUEST_WEIGHT the governor accounts for before the reply's header arrives. Default 1. */
  readonly weight?: number;
  /** Default 'normal'. Orders and cancels should be 'critical', background refreshes 'optional'. */
  readonly priority?: RequestPriority;
  readonly timeoutMs?: number;
  readonly schema?: ZodType<T>;
  /**
   * The request changes state on the exchange (orders, cancels). Then a 5xx, -1006/-1007, a
   * timeout or a dropped connection after sending is 'unknown-outcome', and nothing is retried.
   * Default: true for POST/PUT/DELETE.
   */
  readonly changesState?: boolean;
  /** Signed requests only; default from the client options (5000). */
  readonly recvWindowMs?: number;
}

export interface RestResponse<T> {
  readonly data: T;
  readonly httpStatus: number;
  /** Rate-limit headers only (x-mbx-*, retry-after). */
  readonly headers: Readonly<Record<string, string>>;
  readonly durationMs: number;
}

/** What the client reports about each attempt; never the query, body or signature. */
export interface RestLogEvent {
  readonly method: HttpMethod;
  readonly path: string;
  readonly attempt: number;
  readonly httpStatus?: number;
  readonly durationMs: number;
  readonly errorKind?: string;
  readonly binanceCode?: number;
}

export interface RestClient {
  readonly env: Environment;
  request<T = unknown>(req: RestRequest<T>): Promise<T>;
  requestWithMeta<T = unknown>(req: RestRequest<T>): Promise<RestResponse<T>>;
  /** Observe every failed request (e.g. exchangeInfo marks a symbol stale on a filter error). Returns unsubscribe. */
  onError?(listener: (error: ExchangeError, req: RestRequest<unknown>) => void): () => void;
}

export interface RestClientOptions {
  readonly env: Environment;
  readonly credentials?: Credentials;
  readonly timeSync: TimeSync;
  readonly governor?: RateLimitGovernor;
  readonly fetchImpl?: typeof fetch;
  /** Default 10 s (Binance's own engine timeout is 10 s; research B4). */
  readonly timeoutMs?: number;
  readonly recvWindowMs?: number;
  readonly log?: (event: RestLogEvent) => void;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_RECV_WINDOW_MS = 5_000;
const MAX_TIMEOUT_MS = 60_000;
// Errors from fetch that prove nothing was written to the server.
const NOT_SENT_CODES = new Set([
  'BAD_PORT',
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ERR_INVALID_URL',
  'UND_ERR_CONNECT_TIMEOUT',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

export function createRestClient(opts: RestClientOptions): RestClient {
  const fetchImpl = opts.fetchImpl ?? fetch;
  const defaultTimeout = Math.min(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, MAX_TIMEOUT_MS);
  const defaultRecvWindow = opts.recvWindowMs ?? DEFAULT_RECV_WINDOW_MS;

  const errorListeners = new Set<(error: ExchangeError, req: RestRequest<unknown>) => void>();

  async function requestWithMeta<T>(req: RestRequest<T>): Promise<RestResponse<T>> {
    try {
      return await requestOnce(req);
    } catch (e) {
      if (isExchangeError(e)) for (const l of errorListeners) l(e, req as RestRequest<unknown>);
      throw e;
    }
  }

  async function requestOnce<T>(req: RestRequest<T>): Promise<RestResponse<T>> {
    const method = req.method;
    const path = req.path;
    if (!path.startsWith('/api/') && !path.startsWith('/sapi/')) {
      throw new TypeError(`REST path must start with /api/ or /sapi/: ${path}`);
    }
    if (path.startsWith('/sapi/') && !opts.env.hasSapi) {
      throw new ExchangeError({
        kind: 'unavailable',
        method,
        path,
        message: `This feature is not available on this environment (${opts.env.label}): Binance serves ${path.split('/').slice(0, 3).join('/')} only on the live exchange.`,
      });
    }
    const signed = req.security === 'USER_DATA' || req.security === 'TRADE';
    if ((signed || req.security === 'USER_STREAM') && !opts.credentials) {
      throw new ExchangeError({
        kind: 'auth',
        code: 'exchange.auth.no-key',
        method,
        path,
        message: 'This needs a Binance API key; add one in Settings.',
      });
    }
    const changesState = req.changesState ?? method !== 'GET';
    const retryOnClock = signed && !changesState;
    let attempt = 1;
    for (;;) {
      try {
        return await attemptOnce(req, attempt, signed, changesState);
      } catch (e) {
        if (isExchangeError(e) && e.kind === 'clock') {
          // Resync whatever happens next; a clean -1021 means the request was not accepted.
          const synced = await opts.timeSync.sync('clock-error').then(
            () => true,
            () => false,
          );
          if (synced && retryOnClock && attempt === 1) {
            attempt += 1;
            continue;
          }
        }
        throw e;
      }
    }
  }

  async function attemptOnce<T>(req: RestRequest<T>, attempt: number, signed: boolean, changesState: boolean): Promise<RestResponse<T>> {
    const { method, path } = req;
    const weight = req.weight ?? 1;
    opts.governor?.admit({ method, path, weight, priority: req.priority ?? 'normal' });

    // Built per attempt: a retried request gets a new timestamp and signature (B2).
    const params: Record<string, Params[string]> = { ...req.params };
    if (signed) {
      params.recvWindow = req.recvWindowMs ?? defaultRecvWindow;
      params.timestamp = Math.floor(opts.timeSync.now());
    }
    const encoded = encodeParams(params);
    const inBody = method !== 'GET';
    let query = inBody ? '' : encoded;
    let body = inBody ? encoded : '';
    if (signed && opts.credentials) {
      const signature = percentEncode(opts.credentials.sign(restSignaturePayload(query, body)));
      if (inBody) body = body ? `${body}&signature=${signature}` : `signature=${signature}`;
      else query = query ? `${query}&signature=${signature}` : `signature=${signature}`;
    }
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (opts.credentials && req.security !== 'NONE') headers['X-MBX-APIKEY'] = opts.credentials.apiKey;
    if (inBody) headers['Content-Type'] = 'application/x-www-form-urlencoded';
    const url = `${opts.env.restUrl}${path}${query ? `?${query}` : ''}`;

    const timeoutMs = Math.min(req.timeoutMs ?? defaultTimeout, MAX_TIMEOUT_MS);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    const started = performance.now();
    let httpStatus: number | undefined;
    try {
      let text: string;
      let res: Response;
      try {
        res = await fetchImpl(url, { method, headers, body: inBody ? body : undefined, signal: controller.signal });
        httpStatus = res.status;
        text = await res.text();
      } catch (e) {
        throw transportError(e, controller.signal.aborted, timeoutMs, method, path, changesState);
      }
      const rl = rateLimitHeaders(res.headers);
      const errorBody = res.ok ? undefined : readErrorBody(text);
      opts.governor?.observe(res.status, res.headers, errorBody?.msg);
      if (!res.ok) {
        throw classifyHttpFailure({
          httpStatus: res.status,
          binanceCode: errorBody?.code,
          binanceMsg: errorBody?.msg,
          headers: rl,
          method,
          path,
          changesState,
        });
      }
      let data: unknown;
      try {
        data = parseJson(text);
      } catch {
        throw badResponse(method, path, res.status, rl, changesState, 'its reply was not valid JSON');
      }
      if (req.schema) {
        const parsed = req.schema.safeParse(data);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          const where = issue && issue.path.length > 0 ? ` at "${issue.path.join('.')}"` : '';
          throw badResponse(
            method,
            path,
            res.status,
            rl,
            changesState,
            `its reply did not have the expected shape${where}: ${issue?.message ?? 'invalid'}`,
          );
        }
        data = parsed.data;
      }
      const durationMs = performance.now() - started;
      opts.log?.({ method, path, attempt, httpStatus: res.status, durationMs });
      return { data: data as T, httpStatus: res.status, headers: rl, durationMs };
    } catch (e) {
      opts.log?.({
        method,
        path,
        attempt,
        httpStatus,
        durationMs: performance.now() - started,
        errorKind: isExchangeError(e) ? e.kind : 'error',
        binanceCode: isExchangeError(e) ? e.binanceCode : undefined,
      });
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    env: opts.env,
    async request<T>(req: RestRequest<T>): Promise<T> {
      return (await requestWithMeta(req)).data;
    },
    requestWithMeta,
    onError(listener) {
      errorListeners.add(listener);
      return () => errorListeners.delete(listener);
    },
  };
}

function readErrorBody(text: string): { code?: number; msg?: string } | undefined {
  try {
    const body = parseJson(text) as { code?: unknown; msg?: unknown } | null;
    if (body && typeof body === 'object') {
      return {
        code: typeof body.code === 'number' ? body.code : undefined,
        msg: typeof body.msg === 'string' ? body.msg.slice(0, 500) : undefined,
      };
    }
  } catch {
    // HTML error pages from proxies/WAF: the status alone classifies them.
  }
  return undefined;
}

function badResponse(
  method: string,
  path: string,
  httpStatus: number,
  headers: Record<string, string>,
  changesState: boolean,
  why: string,
): ExchangeError {
  return new ExchangeError({
    kind: 'bad-response',
    method,
    path,
    httpStatus,
    headers,
    mayHaveExecuted: changesState,
    message: changesState
      ? `Binance accepted ${method} ${path} but ${why}; the action probably happened. Check your open orders before trying again.`
      : `Binance answered ${method} ${path}, but ${why}. Try again; if it persists, Perch may need an update.`,
  });
}

function transportError(
  e: unknown,
  aborted: boolean,
  timeoutMs: number,
  method: string,
  path: string,
  changesState: boolean,
): ExchangeError {
  const code = errorCode(e);
  if (aborted) {
    return new ExchangeError({
      kind: changesState ? 'unknown-outcome' : 'timeout',
      method,
      path,
      message: changesState
        ? `Binance did not answer ${method} ${path} within ${timeoutMs / 1000} s; it may or may not have been carried out. Check your open orders before trying again.`
        : `Binance did not answer ${method} ${path} within ${timeoutMs / 1000} s; check your connection and try again.`,
    });
  }
  const notSent = code !== undefined && NOT_SENT_CODES.has(code);
  if (changesState && !notSent) {
    return new ExchangeError({
      kind: 'unknown-outcome',
      method,
      path,
      code: 'exchange.unknown-outcome.connection',
      message: `The connection to Binance failed during ${method} ${path}${code ? ` (${code})` : ''}; it may or may not have been carried out. Check your open orders before trying again.`,
    });
  }
  return new ExchangeError({
    kind: 'network',
    method,
    path,
    mayHaveExecuted: false,
    message: `Could not reach Binance${code ? ` (${code})` : ''}; check your internet connection.`,
  });
}

/** The system error code (ECONNREFUSED, ...) from fetch's TypeError cause chain, without the error object (it may hold the URL). */
function errorCode(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let depth = 0; depth < 4 && cur && typeof cur === 'object'; depth += 1) {
    const c = (cur as { code?: unknown }).code;
    if (typeof c === 'string') return c;
    // fetch refuses blocked ports before connecting, with no code.
    if ((cur as { message?: unknown }).message === 'bad port') return 'BAD_PORT';
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

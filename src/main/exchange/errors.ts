/**
 * One error type for everything the exchange client can fail with (B3). `kind` is what callers
 * switch on; `code` is a stable string for the UI; the HTTP status, Binance code and message and
 * the rate-limit headers are kept so nothing is lost. Errors name the request by method and path
 * only: never the query string (it carries the signature) and never key material (B20).
 */
export type ExchangeErrorKind =
  | 'network'
  | 'timeout'
  | 'rate-limited'
  | 'banned'
  | 'auth'
  | 'clock'
  | 'filter'
  | 'rejected'
  | 'unknown-outcome'
  | 'not-found'
  | 'unavailable'
  | 'bad-response';

export interface ExchangeErrorInit {
  readonly kind: ExchangeErrorKind;
  readonly message: string;
  readonly code?: string;
  readonly httpStatus?: number;
  readonly binanceCode?: number;
  readonly binanceMsg?: string;
  readonly retryAfterMs?: number;
  /** Epoch ms until which the IP is banned (418). */
  readonly bannedUntil?: number;
  /** Only rate-limit related headers (x-mbx-*, retry-after), lower-case names. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly method?: string;
  readonly path?: string;
  /** The filter named in a "Filter failure: X" rejection. */
  readonly filter?: string;
  /**
   * True when the exchange may have acted on the request although we got no clean answer
   * (unknown-outcome, or a 2xx we could not read for a state-changing request).
   */
  readonly mayHaveExecuted?: boolean;
  readonly cause?: unknown;
}

export class ExchangeError extends Error {
  readonly kind: ExchangeErrorKind;
  readonly code: string;
  readonly httpStatus?: number;
  readonly binanceCode?: number;
  readonly binanceMsg?: string;
  readonly retryAfterMs?: number;
  readonly bannedUntil?: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly method?: string;
  readonly path?: string;
  readonly filter?: string;
  readonly mayHaveExecuted: boolean;

  constructor(init: ExchangeErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'ExchangeError';
    this.kind = init.kind;
    this.code = init.code ?? `exchange.${init.kind}`;
    this.httpStatus = init.httpStatus;
    this.binanceCode = init.binanceCode;
    this.binanceMsg = init.binanceMsg;
    this.retryAfterMs = init.retryAfterMs;
    this.bannedUntil = init.bannedUntil;
    this.headers = init.headers;
    this.method = init.method;
    this.path = init.path;
    this.filter = init.filter;
    this.mayHaveExecuted = init.mayHaveExecuted ?? init.kind === 'unknown-outcome';
  }

  /** Plain data for logs and IPC (Electron's invoke drops custom error fields). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      kind: this.kind,
      code: this.code,
      message: this.message,
      httpStatus: this.httpStatus,
      binanceCode: this.binanceCode,
      binanceMsg: this.binanceMsg,
      retryAfterMs: this.retryAfterMs,
      bannedUntil: this.bannedUntil,
      method: this.method,
      path: this.path,
      filter: this.filter,
      mayHaveExecuted: this.mayHaveExecuted,
    };
  }
}

export function isExchangeError(e: unknown): e is ExchangeError {
  return e instanceof ExchangeError;
}

/** Headers worth keeping on an error or feeding the governor: x-mbx-* and retry-after. */
export function rateLimitHeaders(headers: Headers | Readonly<Record<string, string>> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  const add = (name: string, value: string): void => {
    const n = name.toLowerCase();
    if (n.startsWith('x-mbx-used-weight') || n.startsWith('x-mbx-order-count') || n === 'retry-after') out[n] = value;
  };
  if (typeof (headers as Headers).forEach === 'function' && typeof (headers as Headers).get === 'function') {
    (headers as Headers).forEach((value, name) => add(name, value));
  } else {
    for (const [name, value] of Object.entries(headers)) add(name, value);
  }
  return out;
}

/** Retry-After is in seconds on REST (https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/rest-api.md § IP Limits). */
export function retryAfterMsFrom(headers: Readonly<Record<string, string>>): number | undefined {
  const raw = headers['retry-after'];
  if (raw === undefined) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(raw);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

const FILTER_HELP: Readonly<Record<string, string>> = {
  PRICE_FILTER: 'the price is outside the allowed range or is not a multiple of the tick size',
  PERCENT_PRICE: 'the price is too far from the recent average price',
  PERCENT_PRICE_BY_SIDE: 'the price is too far from the recent average price for this side',
  LOT_SIZE: 'the quantity is outside the allowed range or is not a multiple of the step size',
  MARKET_LOT_SIZE: 'the quantity is outside the range allowed for market orders or is not a multiple of the step size',
  MIN_NOTIONAL: 'the order value (price × quantity) is below the minimum',
  NOTIONAL: 'the order value (price × quantity) is outside the allowed range',
  ICEBERG_PARTS: 'the iceberg order would have too many parts',
  MAX_NUM_ORDERS: 'you already have the maximum number of open orders on this symbol',
  MAX_NUM_ALGO_ORDERS: 'you already have the maximum number of open stop/take-profit orders on this symbol',
  MAX_NUM_ICEBERG_ORDERS: 'you already have the maximum number of open iceberg orders on this symbol',
  MAX_POSITION: 'the order would take your position above the maximum allowed',
  TRAILING_DELTA: 'the trailing delta is outside the allowed range',
  EXCHANGE_MAX_NUM_ORDERS: 'you already have the maximum number of open orders on the exchange',
  EXCHANGE_MAX_NUM_ALGO_ORDERS: 'you already have the maximum number of open stop/take-profit orders on the exchange',
  MAX_ASSET: 'the order moves more of an asset than allowed in one order',
};

const AUTH_CODES = new Set([-1002, -1022, -2014, -2015]);
const PARAM_CODES = new Set([
  -1100, -1101, -1102, -1103, -1104, -1105, -1106, -1108, -1111, -1112, -1114, -1115, -1116, -1117, -1118, -1119, -1120, -1121, -1125,
  -1127, -1128, -1130, -1131, -1134, -1135, -1145, -1151, -1220,
]);

export interface HttpFailure {
  readonly httpStatus: number;
  /** Parsed Binance error body, if the body was one. */
  readonly binanceCode?: number;
  readonly binanceMsg?: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly method: string;
  readonly path: string;
  /** The request may change state on the exchange (orders, cancels): 5xx means "maybe done". */
  readonly changesState: boolean;
  /** Local epoch ms, to turn Retry-After into an absolute time. */
  readonly nowMs?: number;
}

/** Maps an HTTP error reply (status >= 400, or a Binance error code) to the taxonomy. */
export function classifyHttpFailure(f: HttpFailure): ExchangeError {
  const { httpStatus: status, binanceCode: code, binanceMsg: msg, headers, method, path, changesState } = f;
  const where = `${method} ${path}`;
  const base = { httpStatus: status, binanceCode: code, binanceMsg: msg, headers, method, path };
  const detail = msg
    ? ` Binance said: "${msg}"${code !== undefined ? ` (code ${code})` : ''}.`
    : code !== undefined
      ? ` (code ${code}).`
      : '';
  const retryAfterMs = retryAfterMsFrom(headers);
  const now = f.nowMs ?? Date.now();

  if (status === 418) {
    const bannedUntil = bannedUntilFrom(msg) ?? now + (retryAfterMs ?? 120_000);
    return new ExchangeError({
      ...base,
      kind: 'banned',
      retryAfterMs: Math.max(0, bannedUntil - now),
      bannedUntil,
      message: `Binance has temporarily banned this IP address for sending too many requests (until ${new Date(bannedUntil).toISOString()}). Perch will not contact Binance until then.${detail}`,
    });
  }
  if (status === 429 || code === -1003 || code === -1015) {
    const wait = retryAfterMs ?? 60_000;
    const what = code === -1015 ? 'Too many new orders in a short time' : 'Too many requests to Binance';
    return new ExchangeError({
      ...base,
      kind: 'rate-limited',
      retryAfterMs: wait,
      message: `${what}; Perch is pausing requests for ${Math.ceil(wait / 1000)} s to avoid an IP ban.${detail}`,
    });
  }
  if (code === -1006 || code === -1007 || status >= 500) {
    if (changesState) {
      return new ExchangeError({
        ...base,
        kind: 'unknown-outcome',
        message: `Binance did not confirm ${where}: it may or may not have been carried out. Check your open orders before trying again.${detail}`,
      });
    }
    return new ExchangeError({
      ...base,
      kind: code === -1007 ? 'timeout' : 'network',
      message: `Binance had a temporary problem answering ${where} (HTTP ${status}); try again in a moment.${detail}`,
    });
  }
  if (code === -1021) {
    return new ExchangeError({
      ...base,
      kind: 'clock',
      message: `Your computer's clock and Binance's clock disagree, so the request was refused. Perch resynchronises automatically; if this keeps happening, turn on automatic time setting in your system.${detail}`,
    });
  }
  if ((code !== undefined && AUTH_CODES.has(code)) || status === 401) {
    return new ExchangeError({
      ...base,
      kind: 'auth',
      message: `Binance refused the API key: check that the key and secret are correct, that the key has the needed permissions and, if it is IP-restricted, that this IP is allowed.${detail}`,
    });
  }
  if (code === -2013 || code === -2026 || (code === -2011 && !/restriction/i.test(msg ?? ''))) {
    return new ExchangeError({
      ...base,
      kind: 'not-found',
      message: `Binance does not know this order (it may not exist, may not be visible yet, or was archived).${detail}`,
    });
  }
  if (code === -1013) {
    const filter = /Filter failure:\s*([A-Z_]+)/.exec(msg ?? '')?.[1];
    const help = filter ? FILTER_HELP[filter] : undefined;
    return new ExchangeError({
      ...base,
      kind: 'filter',
      filter,
      message: help
        ? `Binance rejected the order because ${help} (${filter}). Adjust the order and try again.`
        : `Binance rejected the order as invalid; adjust it and try again.${detail}`,
    });
  }
  if (code === -1111) {
    return new ExchangeError({
      ...base,
      kind: 'filter',
      message: `Binance rejected a value with too many decimal places; round it to the symbol's precision.${detail}`,
    });
  }
  if (status === 403) {
    return new ExchangeError({
      ...base,
      kind: 'rejected',
      message: `Binance's firewall blocked ${where} (HTTP 403). Wait a little and try again.${detail}`,
    });
  }
  if (status === 404 || status === 410) {
    return new ExchangeError({
      ...base,
      kind: 'unavailable',
      message: `${where} is not available on this Binance environment (HTTP ${status}).${detail}`,
    });
  }
  if (code !== undefined && PARAM_CODES.has(code)) {
    return new ExchangeError({
      ...base,
      kind: 'rejected',
      message: `Binance rejected a parameter of the request.${detail}`,
    });
  }
  return new ExchangeError({
    ...base,
    kind: 'rejected',
    message: msg
      ? `Binance rejected the request: ${msg}${code !== undefined ? ` (code ${code})` : ''}.`
      : `Binance rejected ${where} (HTTP ${status}).`,
  });
}

function bannedUntilFrom(msg: string | undefined): number | undefined {
  const m = /banned until (\d{12,})/i.exec(msg ?? '');
  return m?.[1] ? Number(m[1]) : undefined;
}

/**
 * One estimate of the exchange clock for REST and the WS API (B1). The offset comes from
 * GET /api/v3/time, corrected by half the round trip; it is refreshed at start, on a schedule,
 * after resume (the app calls sync('resume')) and once per -1021 (the REST client calls it).
 * Concurrent sync() calls share one request.
 */
import type { Environment } from './environments';
import { ExchangeError, isExchangeError } from './errors';
import { parseJson } from './json';
import type { RateLimitGovernor } from './rate-limit';

export interface TimeSyncState {
  readonly offsetMs: number;
  readonly lastSyncAt?: number;
  readonly lastRttMs?: number;
  readonly lastReason?: string;
  readonly syncCount: number;
  readonly lastError?: string;
}

export interface TimeSync {
  /** Estimated exchange time, epoch ms. */
  now(): number;
  /** Exchange time minus local time, ms. */
  offsetMs(): number;
  /** Measure the offset again; rejects with an ExchangeError if the exchange cannot be reached. */
  sync(reason: string): Promise<void>;
  /** First sync plus the periodic timer. */
  start(): Promise<void>;
  /** Releases the periodic timer. */
  stop(): void;
  state(): TimeSyncState;
  /** Called after every successful sync. Returns unsubscribe. */
  onSync(listener: (state: TimeSyncState) => void): () => void;
}

export interface TimeSyncOptions {
  /** Used to reach GET {restUrl}/api/v3/time unless fetchServerTime is given. */
  readonly env?: Environment;
  readonly fetchImpl?: typeof fetch;
  /** Override the measurement source (tests, or another transport). Returns server epoch ms. */
  readonly fetchServerTime?: () => Promise<number>;
  readonly governor?: RateLimitGovernor;
  /** Local wall clock, epoch ms. */
  readonly localNow?: () => number;
  /** Monotonic clock for the round trip. */
  readonly monotonicNow?: () => number;
  readonly resyncIntervalMs?: number;
  readonly timeoutMs?: number;
}

const DEFAULT_RESYNC_MS = 30 * 60_000;

export function createTimeSync(opts: TimeSyncOptions): TimeSync {
  const localNow = opts.localNow ?? Date.now;
  const monotonicNow = opts.monotonicNow ?? (() => performance.now());
  const fetchServerTime = opts.fetchServerTime ?? defaultFetcher(opts);
  const listeners = new Set<(s: TimeSyncState) => void>();
  let offset = 0;
  let lastSyncAt: number | undefined;
  let lastRttMs: number | undefined;
  let lastReason: string | undefined;
  let lastError: string | undefined;
  let syncCount = 0;
  let inFlight: Promise<void> | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;

  const state = (): TimeSyncState => ({ offsetMs: offset, lastSyncAt, lastRttMs, lastReason, syncCount, lastError });

  async function measure(reason: string): Promise<void> {
    const sentLocal = localNow();
    const sentMono = monotonicNow();
    const serverTime = await fetchServerTime();
    const rtt = Math.max(0, monotonicNow() - sentMono);
    // The server read its clock roughly half-way through the round trip.
    offset = Math.round(serverTime - (sentLocal + rtt / 2));
    lastRttMs = rtt;
    lastSyncAt = localNow();
    lastReason = reason;
    lastError = undefined;
    syncCount += 1;
    const s = state();
    for (const l of listeners) l(s);
  }

  const sync = (reason: string): Promise<void> => {
    if (!inFlight) {
      inFlight = measure(reason)
        .catch((e: unknown) => {
          lastError = e instanceof Error ? e.message : String(e);
          throw e;
        })
        .finally(() => {
          inFlight = undefined;
        });
    }
    return inFlight;
  };

  return {
    now: () => localNow() + offset,
    offsetMs: () => offset,
    sync,
    async start() {
      if (!timer) {
        timer = setInterval(() => {
          sync('periodic').catch(() => undefined);
        }, opts.resyncIntervalMs ?? DEFAULT_RESYNC_MS);
        timer.unref?.();
      }
      await sync('start');
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
    state,
    onSync(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

function defaultFetcher(opts: TimeSyncOptions): () => Promise<number> {
  const env = opts.env;
  if (!env) throw new TypeError('createTimeSync needs env or fetchServerTime.');
  const fetchImpl = opts.fetchImpl ?? fetch;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const path = '/api/v3/time';
  return async () => {
    opts.governor?.admit({ method: 'GET', path, weight: 1, priority: 'critical' });
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      const res = await fetchImpl(`${env.restUrl}${path}`, { method: 'GET', signal: controller.signal });
      opts.governor?.observe(res.status, res.headers);
      const text = await res.text();
      if (!res.ok)
        throw new ExchangeError({
          kind: 'network',
          httpStatus: res.status,
          method: 'GET',
          path,
          message: `Could not read Binance's clock (HTTP ${res.status}); try again shortly.`,
        });
      const body = parseJson(text) as { serverTime?: unknown };
      if (typeof body?.serverTime !== 'number' || !Number.isFinite(body.serverTime)) {
        throw new ExchangeError({
          kind: 'bad-response',
          method: 'GET',
          path,
          message: 'Binance answered the time request with something unexpected.',
        });
      }
      return body.serverTime;
    } catch (e) {
      if (isExchangeError(e)) throw e;
      const aborted = controller.signal.aborted;
      throw new ExchangeError({
        kind: aborted ? 'timeout' : 'network',
        method: 'GET',
        path,
        cause: e,
        message: aborted
          ? `Binance did not answer the time request within ${timeoutMs / 1000} s.`
          : 'Could not reach Binance to read its clock; check your connection.',
      });
    } finally {
      clearTimeout(timer);
    }
  };
}

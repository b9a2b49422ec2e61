/**
 * Client-side rate-limit governor (B5). It learns the IP's used weight from
 * X-MBX-USED-WEIGHT-1M and the order counts from X-MBX-ORDER-COUNT-*, and decides locally,
 * before anything is sent:
 * - after a 429, nothing is sent until Retry-After has passed;
 * - after a 418, nothing is sent until the ban ends (refused as 'banned');
 * - near the weight limit, 'optional' traffic stops first (80 %), then 'normal' (95 %);
 *   'critical' (orders, cancels, clock) only when the limit itself would be crossed.
 */
import { ExchangeError, rateLimitHeaders, retryAfterMsFrom } from './errors';

export type RequestPriority = 'critical' | 'normal' | 'optional';

export interface GovernorState {
  /** Estimated weight used in the current minute (last header + what we sent since). */
  readonly weightUsed: number;
  readonly weightLimit: number;
  /** e.g. { '10S': 3, '1D': 120 } from X-MBX-ORDER-COUNT-*. */
  readonly orderCounts: Readonly<Record<string, number>>;
  /** Epoch ms (local clock) until which every request is refused after a 429. */
  readonly pausedUntil?: number;
  /** Epoch ms (local clock) until which the IP is banned (418). */
  readonly bannedUntil?: number;
}

export interface AdmitRequest {
  readonly method: string;
  readonly path: string;
  readonly weight: number;
  readonly priority: RequestPriority;
}

export interface RateLimitGovernor {
  /** Throws ExchangeError ('banned' / 'rate-limited') when the request must not be sent now. */
  admit(req: AdmitRequest): void;
  /** Feed every response (success or error) here. */
  observe(httpStatus: number, headers: Headers | Readonly<Record<string, string>>, binanceMsg?: string): void;
  /** From exchangeInfo.rateLimits: sets the REQUEST_WEIGHT per-minute limit. */
  setLimits(rateLimits: ReadonlyArray<{ rateLimitType: string; interval: string; intervalNum: number; limit: number }>): void;
  weightUsed(): number;
  bannedUntil(): number | undefined;
  state(): GovernorState;
  onChange(listener: (state: GovernorState) => void): () => void;
}

export interface GovernorOptions {
  readonly now?: () => number;
  /** REQUEST_WEIGHT per minute (https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/rest-api.md § IP Limits: 6000). */
  readonly weightLimit?: number;
  /** Fractions of the limit at which optional / normal traffic stops. */
  readonly optionalThreshold?: number;
  readonly normalThreshold?: number;
}

const MINUTE = 60_000;

export function createRateLimitGovernor(opts: GovernorOptions = {}): RateLimitGovernor {
  const now = opts.now ?? Date.now;
  const optionalAt = opts.optionalThreshold ?? 0.8;
  const normalAt = opts.normalThreshold ?? 0.95;
  let weightLimit = opts.weightLimit ?? 6000;
  let headerWeight = 0;
  let headerMinute = -1;
  let sentSinceHeader = 0;
  let orderCounts: Record<string, number> = {};
  let pausedUntil: number | undefined;
  let bannedUntil: number | undefined;
  const listeners = new Set<(s: GovernorState) => void>();

  const minuteOf = (t: number): number => Math.floor(t / MINUTE);
  const weightUsed = (): number => (minuteOf(now()) === headerMinute ? headerWeight + sentSinceHeader : 0);
  const activeBan = (): number | undefined => (bannedUntil !== undefined && bannedUntil > now() ? bannedUntil : undefined);
  const activePause = (): number | undefined => (pausedUntil !== undefined && pausedUntil > now() ? pausedUntil : undefined);
  const state = (): GovernorState => ({
    weightUsed: weightUsed(),
    weightLimit,
    orderCounts: { ...orderCounts },
    pausedUntil: activePause(),
    bannedUntil: activeBan(),
  });
  const emit = (): void => {
    if (listeners.size === 0) return;
    const s = state();
    for (const l of listeners) l(s);
  };

  return {
    admit(req) {
      const t = now();
      const ban = activeBan();
      if (ban !== undefined) {
        throw new ExchangeError({
          kind: 'banned',
          method: req.method,
          path: req.path,
          bannedUntil: ban,
          retryAfterMs: ban - t,
          message: `Binance has banned this IP address until ${new Date(ban).toISOString()} for too many requests; Perch sends nothing until then.`,
        });
      }
      const pause = activePause();
      if (pause !== undefined) {
        throw new ExchangeError({
          kind: 'rate-limited',
          method: req.method,
          path: req.path,
          retryAfterMs: pause - t,
          message: `Binance asked Perch to slow down; requests resume in ${Math.ceil((pause - t) / 1000)} s.`,
        });
      }
      const projected = weightUsed() + req.weight;
      const threshold = req.priority === 'optional' ? optionalAt : req.priority === 'normal' ? normalAt : 1;
      if (projected > weightLimit * threshold) {
        const untilNextMinute = (minuteOf(t) + 1) * MINUTE - t;
        throw new ExchangeError({
          kind: 'rate-limited',
          code: 'exchange.rate-limited.local',
          method: req.method,
          path: req.path,
          retryAfterMs: untilNextMinute,
          message: `Perch is holding back ${req.priority} requests: ${weightUsed()} of ${weightLimit} request weight already used this minute. It resumes in ${Math.ceil(untilNextMinute / 1000)} s.`,
        });
      }
      if (minuteOf(t) !== headerMinute) {
        headerMinute = minuteOf(t);
        headerWeight = 0;
        sentSinceHeader = 0;
      }
      sentSinceHeader += req.weight;
    },
    observe(httpStatus, headers, binanceMsg) {
      const h = rateLimitHeaders(headers);
      const t = now();
      const used = h['x-mbx-used-weight-1m'];
      if (used !== undefined && Number.isFinite(Number(used))) {
        headerWeight = Number(used);
        headerMinute = minuteOf(t);
        sentSinceHeader = 0;
      }
      const counts: Record<string, number> = {};
      for (const [name, value] of Object.entries(h)) {
        if (name.startsWith('x-mbx-order-count-') && Number.isFinite(Number(value)))
          counts[name.slice('x-mbx-order-count-'.length).toUpperCase()] = Number(value);
      }
      if (Object.keys(counts).length > 0) orderCounts = { ...orderCounts, ...counts };
      const retryAfter = retryAfterMsFrom(h);
      if (httpStatus === 418) {
        const fromMsg = /banned until (\d{12,})/i.exec(binanceMsg ?? '')?.[1];
        bannedUntil = fromMsg ? Number(fromMsg) : t + (retryAfter ?? 120_000);
      } else if (httpStatus === 429) {
        pausedUntil = Math.max(pausedUntil ?? 0, t + (retryAfter ?? MINUTE));
      }
      emit();
    },
    setLimits(rateLimits) {
      const weight = rateLimits.find((r) => r.rateLimitType === 'REQUEST_WEIGHT' && r.interval === 'MINUTE' && r.intervalNum === 1);
      if (weight && weight.limit > 0 && weight.limit !== weightLimit) {
        weightLimit = weight.limit;
        emit();
      }
    },
    weightUsed,
    bannedUntil: activeBan,
    state,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

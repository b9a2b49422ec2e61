/**
 * REQUEST_WEIGHT (per IP, shared by REST and the WS API), ORDERS (per account) and the 429 -> 418
 * escalation, in aligned buckets of the simulator clock as https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/rest-api.md § LIMITS and
 * https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/web-socket-api.md § How to interpret rate limits describe (a 1-minute limit resets at :00,
 * 10 s at :00, :10, ..., 1 day at 00:00 UTC).
 */
import type { SimClock } from '../clock';
import { SimError } from '../errors';

export const REQUEST_WEIGHT_LIMIT = 6000;
export const ORDERS_10S_LIMIT = 100;
export const ORDERS_1D_LIMIT = 200000;
export const WS_CONNECTIONS_LIMIT = 300;
const MINUTE = 60_000;
const TEN_SECONDS = 10_000;
const DAY = 86_400_000;
const FIVE_MINUTES = 300_000;
/** Bans scale for repeat offenders from 2 minutes to 3 days (https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/rest-api.md § IP Limits). */
const FIRST_BAN_MS = 2 * MINUTE;
const MAX_BAN_MS = 3 * DAY;

export interface OrderRateUsage {
  readonly rateLimitType: 'ORDERS';
  readonly interval: 'SECOND' | 'DAY';
  readonly intervalNum: number;
  readonly limit: number;
  readonly count: number;
}

export interface WeightRateLimit {
  readonly rateLimitType: 'REQUEST_WEIGHT';
  readonly interval: 'MINUTE';
  readonly intervalNum: 1;
  readonly limit: number;
  readonly count: number;
}

interface Counter {
  bucket: number;
  count: number;
}
interface IpState {
  weight: Counter;
  /** After a 429: requests before this time are "keeps sending after a 429". */
  backoffUntil: number;
  bannedUntil: number;
  bans: number;
  wsConnects: Counter;
}

export interface RateLimiter {
  /** Throws 418 if the IP is banned, 429 (and arms the ban) if over weight or a forced 429 is due. */
  admit(ip: string, opts?: { force429?: boolean; bannedUntil?: number }): void;
  /** Add weight (may be 0) and return the IP's weight used in the current minute. */
  addWeight(ip: string, weight: number): number;
  usedWeight(ip: string): number;
  /** Throws -1015 with 429 when the account is at its order limit. */
  admitOrder(accountId: string): void;
  addOrders(accountId: string, count: number): void;
  orderRateUsage(accountId: string): OrderRateUsage[];
  weightRateLimit(ip: string): WeightRateLimit;
  /** WS API connection attempts: 300 per 5 min per IP. Throws 429 beyond it. */
  admitConnection(ip: string): void;
  reset(): void;
}

function bump(counter: Counter, bucket: number, n: number): number {
  if (counter.bucket !== bucket) {
    counter.bucket = bucket;
    counter.count = 0;
  }
  counter.count += n;
  return counter.count;
}

function read(counter: Counter, bucket: number): number {
  return counter.bucket === bucket ? counter.count : 0;
}

export function createRateLimiter(
  clock: SimClock,
  limits: { weight?: number; orders10s?: number; orders1d?: number; wsConnections5m?: number } = {},
): RateLimiter {
  const weightLimit = limits.weight ?? REQUEST_WEIGHT_LIMIT;
  const wsConnectionsLimit = limits.wsConnections5m ?? WS_CONNECTIONS_LIMIT;
  const orders10sLimit = limits.orders10s ?? ORDERS_10S_LIMIT;
  const orders1dLimit = limits.orders1d ?? ORDERS_1D_LIMIT;
  const ips = new Map<string, IpState>();
  const orders = new Map<string, { s10: Counter; d1: Counter }>();

  const ipState = (ip: string): IpState => {
    let s = ips.get(ip);
    if (s === undefined) {
      s = { weight: { bucket: -1, count: 0 }, backoffUntil: 0, bannedUntil: 0, bans: 0, wsConnects: { bucket: -1, count: 0 } };
      ips.set(ip, s);
    }
    return s;
  };
  const orderState = (accountId: string) => {
    let s = orders.get(accountId);
    if (s === undefined) {
      s = { s10: { bucket: -1, count: 0 }, d1: { bucket: -1, count: 0 } };
      orders.set(accountId, s);
    }
    return s;
  };

  const banned = (until: number, now: number): SimError =>
    new SimError(
      418,
      -1003,
      `Way too much request weight used; IP banned until ${until}. Please use WebSocket Streams for live updates to avoid bans.`,
      {
        'Retry-After': String(Math.max(1, Math.ceil((until - now) / 1000))),
      },
    );

  return {
    admit(ip, opts = {}) {
      const now = clock.now();
      const s = ipState(ip);
      const until = Math.max(s.bannedUntil, opts.bannedUntil ?? 0);
      if (until > now) throw banned(until, now);
      if (s.backoffUntil > now) {
        // The client ignored Retry-After: ban, longer each time.
        const ms = Math.min(MAX_BAN_MS, FIRST_BAN_MS * 2 ** s.bans);
        s.bans += 1;
        s.bannedUntil = now + ms;
        s.backoffUntil = 0;
        throw banned(s.bannedUntil, now);
      }
      const minute = Math.floor(now / MINUTE);
      if (opts.force429 === true || read(s.weight, minute) >= weightLimit) {
        const nextMinute = (minute + 1) * MINUTE;
        s.backoffUntil = nextMinute;
        throw new SimError(
          429,
          -1003,
          `Too much request weight used; current limit is ${weightLimit} request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.`,
          {
            'Retry-After': String(Math.max(1, Math.ceil((nextMinute - now) / 1000))),
          },
        );
      }
    },
    addWeight(ip, weight) {
      return bump(ipState(ip).weight, Math.floor(clock.now() / MINUTE), weight);
    },
    usedWeight(ip) {
      const s = ips.get(ip);
      return s === undefined ? 0 : read(s.weight, Math.floor(clock.now() / MINUTE));
    },
    admitOrder(accountId) {
      const now = clock.now();
      const s = orderState(accountId);
      if (read(s.s10, Math.floor(now / TEN_SECONDS)) >= orders10sLimit) {
        const next = (Math.floor(now / TEN_SECONDS) + 1) * TEN_SECONDS;
        throw new SimError(429, -1015, `Too many new orders; current limit is ${orders10sLimit} orders per 10 SECOND.`, {
          'Retry-After': String(Math.max(1, Math.ceil((next - now) / 1000))),
        });
      }
      if (read(s.d1, Math.floor(now / DAY)) >= orders1dLimit) {
        const next = (Math.floor(now / DAY) + 1) * DAY;
        throw new SimError(429, -1015, `Too many new orders; current limit is ${orders1dLimit} orders per 1 DAY.`, {
          'Retry-After': String(Math.max(1, Math.ceil((next - now) / 1000))),
        });
      }
    },
    addOrders(accountId, count) {
      const now = clock.now();
      const s = orderState(accountId);
      bump(s.s10, Math.floor(now / TEN_SECONDS), count);
      bump(s.d1, Math.floor(now / DAY), count);
    },
    orderRateUsage(accountId) {
      const now = clock.now();
      const s = orders.get(accountId);
      return [
        {
          rateLimitType: 'ORDERS',
          interval: 'SECOND',
          intervalNum: 10,
          limit: orders10sLimit,
          count: s === undefined ? 0 : read(s.s10, Math.floor(now / TEN_SECONDS)),
        },
        {
          rateLimitType: 'ORDERS',
          interval: 'DAY',
          intervalNum: 1,
          limit: orders1dLimit,
          count: s === undefined ? 0 : read(s.d1, Math.floor(now / DAY)),
        },
      ];
    },
    weightRateLimit(ip) {
      return { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: weightLimit, count: this.usedWeight(ip) };
    },
    admitConnection(ip) {
      const now = clock.now();
      const s = ipState(ip);
      if (bump(s.wsConnects, Math.floor(now / FIVE_MINUTES), 1) > wsConnectionsLimit) {
        const next = (Math.floor(now / FIVE_MINUTES) + 1) * FIVE_MINUTES;
        throw new SimError(429, -1003, `Too many connection attempts; current limit is ${wsConnectionsLimit} per 5 MINUTE.`, {
          'Retry-After': String(Math.max(1, Math.ceil((next - now) / 1000))),
        });
      }
    },
    reset() {
      ips.clear();
      orders.clear();
    },
  };
}

/**
 * Our own `newClientOrderId` (B4; newClientOrderId in https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/rest-api.md § New order). One id is generated per order intent, before the
 * first send, and stays with that intent for good: reconciliation looks the order up by it, and a
 * resubmission of the same intent carries it again. No broker prefix (research F8).
 *
 * Shape: "perch-" + time (ms, base 36) + "-" + 10 random base-62 characters, e.g.
 * "perch-mfx3k2a1-Q7f0ZpLx2c" (25 characters). It stays inside the FIX-safe set
 * [A-Za-z0-9-_] and hence inside the REST set ^[a-zA-Z0-9-_.]{1,36}$. The time part keeps ids
 * sortable in logs for the next few centuries (base 36 of ms stays 8-9 characters); the random
 * part (~59 bits) makes two ids in the same millisecond collide with negligible probability.
 */
import { randomBytes } from 'node:crypto';

export const CLIENT_ORDER_ID_PREFIX = 'perch-';

/** What Binance accepts for newClientOrderId / origClientOrderId on REST and the WS API. */
export const CLIENT_ORDER_ID_PATTERN = /^[a-zA-Z0-9\-_.]{1,36}$/;

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const RANDOM_CHARS = 10;
// 248 = 4 * 62: bytes at or above it are dropped so every character is equally likely.
const UNBIASED_LIMIT = 248;

export interface ClientOrderIdSource {
  /** Epoch ms. */
  readonly now?: () => number;
  /** n random bytes. */
  readonly randomBytes?: (n: number) => Uint8Array;
}

export function newClientOrderId(source: ClientOrderIdSource = {}): string {
  const now = source.now ?? Date.now;
  const bytes = source.randomBytes ?? ((n: number) => randomBytes(n));
  let random = '';
  while (random.length < RANDOM_CHARS) {
    for (const b of bytes(RANDOM_CHARS * 2)) {
      if (b >= UNBIASED_LIMIT) continue;
      random += ALPHABET[b % ALPHABET.length];
      if (random.length === RANDOM_CHARS) break;
    }
  }
  const time = Math.max(0, Math.floor(now())).toString(36);
  return `${CLIENT_ORDER_ID_PREFIX}${time}-${random}`;
}

export function isValidClientOrderId(id: unknown): id is string {
  return typeof id === 'string' && CLIENT_ORDER_ID_PATTERN.test(id);
}

/** True for ids this module generated (the app may show others, e.g. orders placed on the website). */
export function isPerchClientOrderId(id: string): boolean {
  return id.startsWith(CLIENT_ORDER_ID_PREFIX) && isValidClientOrderId(id);
}

/**
 * Which key sent an order. An intent records a fingerprint of the API key that sent it (never the
 * key): only that key may check it, because Binance answers "no such order" (-2013) to a key of
 * another account, and Perch would wrongly conclude "probably not placed".
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';

/** SHA-256 of the API key, first 16 hex characters: tells keys apart, reveals nothing usable. */
export function keyFingerprint(apiKey: string): string {
  return createHash('sha256').update(apiKey, 'utf8').digest('hex').slice(0, 16);
}

const WithFingerprint = z.object({ keyFingerprint: z.string().regex(/^[0-9a-f]{16}$/) });

/** The fingerprint an intent's payload records; null for intents journaled before Perch kept one. */
export function intentKeyFingerprint(payload: unknown): string | null {
  const parsed = WithFingerprint.safeParse(payload);
  return parsed.success ? parsed.data.keyFingerprint : null;
}

/**
 * Whether a key (its fingerprint; null: no key saved) may check this intent: the key that sent it.
 * An intent without a fingerprint (journaled by an older Perch) is checked with its environment's
 * key, as before.
 */
export function checkableWith(intent: { readonly payload: unknown }, fingerprint: string | null): boolean {
  if (fingerprint === null) return false;
  const sent = intentKeyFingerprint(intent.payload);
  return sent === null || sent === fingerprint;
}

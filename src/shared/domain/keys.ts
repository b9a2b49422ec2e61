import { z } from 'zod';
import { EnvironmentId } from './environment';
import { TEXT_MAX_LENGTH, TimestampMs } from './primitives';

export const KeyType = z.enum(['HMAC', 'ED25519', 'RSA']);
export type KeyType = z.infer<typeof KeyType>;

const ApiKey = z
  .string()
  .trim()
  .min(8, 'the API key looks too short')
  .max(256)
  .regex(/^[A-Za-z0-9]+$/, 'an API key has only letters and digits');
const Pem = z
  .string()
  .trim()
  .min(40, 'paste the whole PEM block')
  .max(8192)
  .regex(/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'must be a PEM private key (-----BEGIN PRIVATE KEY-----)');

/**
 * Key material travels renderer -> main only (keys:test, keys:save). No output or event schema
 * contains any of these fields; main keeps the secret part in the OS keychain.
 * 'ed25519-generated' means: use the private key Perch generated with keys:generateEd25519.
 */
export const KeyMaterial = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('hmac'), apiKey: ApiKey, secret: z.string().trim().min(8).max(256) }).strict(),
  z.object({ kind: z.literal('ed25519'), apiKey: ApiKey, privateKeyPem: Pem }).strict(),
  z.object({ kind: z.literal('ed25519-generated'), apiKey: ApiKey }).strict(),
  z.object({ kind: z.literal('rsa'), apiKey: ApiKey, privateKeyPem: Pem }).strict(),
]);
export type KeyMaterial = z.infer<typeof KeyMaterial>;

/** What the renderer may know about a saved key. */
export const KeyInfo = z.object({
  environment: EnvironmentId,
  /** first 4 + last 4 characters, e.g. "vmPU…GuXh" (see maskApiKey) */
  apiKeyMasked: z.string().max(64),
  type: KeyType,
  /** PEM public key when Perch generated the Ed25519 pair, so it can be shown again */
  publicKeyPem: z.string().max(8192).nullable(),
  savedAt: TimestampMs,
});
export type KeyInfo = z.infer<typeof KeyInfo>;

export function maskApiKey(apiKey: string): string {
  if (apiKey.length <= 8) return '…';
  return `${apiKey.slice(0, 4)}…${apiKey.slice(-4)}`;
}

export const KeyWarningCode = z.enum([
  'can-withdraw', // the key can move funds off the exchange
  'not-ip-restricted', // anyone holding the key can use it from anywhere
  'trading-unrestricted-ip', // Binance revokes trading permission of unrestricted keys after a while
  'no-reading', // the key cannot read the account
  'restrictions-unknown', // the environment has no /sapi: permissions could not be checked
]);
export type KeyWarningCode = z.infer<typeof KeyWarningCode>;

export const KeyWarning = z.object({
  code: KeyWarningCode,
  level: z.enum(['info', 'warning', 'danger']),
  message: z.string().max(TEXT_MAX_LENGTH),
});
export type KeyWarning = z.infer<typeof KeyWarning>;

/**
 * The result of testing a key. `null` means "this environment cannot tell" (only production has
 * /sapi/v1/account/apiRestrictions); the UI says so instead of guessing.
 */
export const KeyHealth = z.object({
  environment: EnvironmentId,
  type: KeyType,
  reading: z.boolean(),
  spotTrading: z.boolean().nullable(),
  withdrawals: z.boolean().nullable(),
  ipRestricted: z.boolean().nullable(),
  createdAt: TimestampMs.nullable(),
  /** Binance's timestamp after which an unrestricted trading key loses trading permission */
  tradingAuthorityExpiresAt: TimestampMs.nullable(),
  warnings: z.array(KeyWarning),
  checkedAt: TimestampMs,
});
export type KeyHealth = z.infer<typeof KeyHealth>;

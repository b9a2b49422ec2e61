/**
 * API keys: kept whole in the OS keychain (API key, secret or private key, type, when saved),
 * one entry per environment. The renderer only ever learns KeyInfo (masked key, type, and the
 * public half of a key pair Perch generated). A generated Ed25519 private key goes straight
 * into the keychain; it is never returned, logged or sent anywhere.
 */
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { z } from 'zod';
import {
  maskApiKey,
  type EnvironmentId,
  type KeyHealth,
  type KeyInfo,
  type KeyMaterial,
  type KeyType,
  type KeyWarning,
} from '../../shared/domain';
import type { KeychainState } from '../../shared/ipc/contract';
import { AppError } from '../../shared/ipc/result';
import type { CredentialMaterial } from '../exchange/credentials';
import type { SecretStorePort } from './ports';
import type { RedactingLogger } from './redacting-logger';

const KEY_ACCOUNT = (env: EnvironmentId): string => `api-key:${env}`;
const PENDING_ACCOUNT = (env: EnvironmentId): string => `ed25519-pending:${env}`;

const StoredKey = z.object({
  v: z.literal(1),
  environment: z.string(),
  type: z.enum(['HMAC', 'ED25519', 'RSA']),
  apiKey: z.string(),
  secret: z.string().optional(),
  privateKeyPem: z.string().optional(),
  publicKeyPem: z.string().nullable(),
  savedAt: z.number(),
});
type StoredKey = z.infer<typeof StoredKey>;

const PendingPair = z.object({ privateKeyPem: z.string(), publicKeyPem: z.string(), createdAt: z.number() });

/** Which environments may hold a key. */
export const KEY_ENVIRONMENTS: readonly EnvironmentId[] = ['demo', 'demo-mode', 'testnet', 'production'];

export interface KeyVault {
  /** Saved key of an environment, without its secret. */
  info(env: EnvironmentId): Promise<KeyInfo | null>;
  list(): Promise<KeyInfo[]>;
  /** Signing material for the exchange client (main only). */
  material(env: EnvironmentId): Promise<CredentialMaterial | null>;
  /** Turn what the renderer sent into signing material ('ed25519-generated' reads the keychain). */
  resolve(env: EnvironmentId, material: KeyMaterial): Promise<{ material: CredentialMaterial; publicKeyPem: string | null }>;
  save(env: EnvironmentId, material: CredentialMaterial, publicKeyPem: string | null): Promise<KeyInfo>;
  remove(env: EnvironmentId): Promise<boolean>;
  generateEd25519(env: EnvironmentId): Promise<{ publicKeyPem: string }>;
  /**
   * The public key of the key pair Perch generated for an environment: the one waiting to be
   * saved if there is one (saved: false), else the saved Ed25519 key's (saved: true). Derived
   * from the private key in the keychain, so it can be shown again after the form was closed.
   */
  publicKey(env: EnvironmentId): Promise<{ publicKeyPem: string; saved: boolean } | null>;
  keychainState(): KeychainState;
}

function keychainError(e: unknown): { code: 'keychain-locked' | 'keychain-unavailable'; message: string } | null {
  if (typeof e !== 'object' || e === null) return null;
  const code = (e as { code?: unknown }).code;
  const message = (e as { message?: unknown }).message;
  if ((code === 'keychain-locked' || code === 'keychain-unavailable') && typeof message === 'string') return { code, message };
  return null;
}

/**
 * JSON.parse whose failure carries nothing: V8's SyntaxError quotes the start of the input, and
 * a keychain entry's input is key material.
 */
function parseJsonOrUndefined(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

/** The SPKI PEM of a private key's public half; null when the PEM is not a readable private key. */
export function publicKeyOf(privateKeyPem: string): string | null {
  try {
    return createPublicKey(privateKeyPem).export({ type: 'spki', format: 'pem' }).toString();
  } catch {
    // The error could quote key material: nothing of it is kept.
    return null;
  }
}

export function materialFromRenderer(material: Exclude<KeyMaterial, { kind: 'ed25519-generated' }>): CredentialMaterial {
  switch (material.kind) {
    case 'hmac':
      return { type: 'HMAC', apiKey: material.apiKey, secret: material.secret };
    case 'ed25519':
      return { type: 'ED25519', apiKey: material.apiKey, privateKeyPem: material.privateKeyPem };
    case 'rsa':
      return { type: 'RSA', apiKey: material.apiKey, privateKeyPem: material.privateKeyPem };
  }
}

/** The secret part of signing material (what the logger must never print). */
export function secretOf(material: CredentialMaterial): string {
  return material.type === 'HMAC' ? material.secret : material.privateKeyPem;
}

export function createKeyVault(deps: {
  readonly secrets: SecretStorePort;
  readonly logger: RedactingLogger;
  readonly now: () => number;
}): KeyVault {
  const { secrets, logger, now } = deps;
  const cache = new Map<EnvironmentId, StoredKey | null>();
  let state: KeychainState = { state: 'unknown', message: null };

  /** Every keychain call goes through here: it learns the keychain's state and maps its errors. */
  async function guarded<T>(op: () => Promise<T>): Promise<T> {
    try {
      const out = await op();
      state = { state: 'available', message: null };
      return out;
    } catch (e) {
      const k = keychainError(e);
      if (k !== null) {
        state = { state: k.code === 'keychain-locked' ? 'locked' : 'unavailable', message: k.message };
        throw new AppError(k.code, k.message);
      }
      throw e;
    }
  }

  /** The stored key of an environment is a secret for as long as it is stored (one slot each). */
  function registerStored(env: EnvironmentId, stored: StoredKey | null): void {
    if (stored === null) return;
    logger.setSecrets(`stored:${env}`, [stored.apiKey, stored.secret ?? '', stored.privateKeyPem ?? '']);
  }

  async function load(env: EnvironmentId): Promise<StoredKey | null> {
    if (cache.has(env)) return cache.get(env) ?? null;
    const raw = await guarded(() => secrets.get(KEY_ACCOUNT(env)));
    let stored: StoredKey | null = null;
    if (raw !== null) {
      const parsed = StoredKey.safeParse(parseJsonOrUndefined(raw));
      if (parsed.success) stored = parsed.data;
      else logger.warn('a saved key entry could not be read and is ignored', { environment: env });
    }
    registerStored(env, stored);
    cache.set(env, stored);
    return stored;
  }

  const toInfo = (s: StoredKey, env: EnvironmentId): KeyInfo => ({
    environment: env,
    apiKeyMasked: maskApiKey(s.apiKey),
    type: s.type,
    publicKeyPem: s.publicKeyPem,
    savedAt: s.savedAt,
  });

  return {
    async info(env) {
      const s = await load(env);
      return s === null ? null : toInfo(s, env);
    },

    async list() {
      const out: KeyInfo[] = [];
      for (const env of KEY_ENVIRONMENTS) {
        const s = await load(env);
        if (s !== null) out.push(toInfo(s, env));
      }
      return out;
    },

    async material(env) {
      const s = await load(env);
      if (s === null) return null;
      if (s.type === 'HMAC') return s.secret === undefined ? null : { type: 'HMAC', apiKey: s.apiKey, secret: s.secret };
      if (s.privateKeyPem === undefined) return null;
      return { type: s.type, apiKey: s.apiKey, privateKeyPem: s.privateKeyPem };
    },

    async resolve(env, material) {
      // What the renderer sent is registered by the caller only while it is in use (keys:test).
      if (material.kind !== 'ed25519-generated') return { material: materialFromRenderer(material), publicKeyPem: null };
      const raw = await guarded(() => secrets.get(PENDING_ACCOUNT(env)));
      const pending = raw === null ? null : PendingPair.safeParse(parseJsonOrUndefined(raw));
      if (pending !== null && pending.success) {
        logger.setSecrets(`pending:${env}`, [pending.data.privateKeyPem]);
        return {
          material: { type: 'ED25519', apiKey: material.apiKey, privateKeyPem: pending.data.privateKeyPem },
          publicKeyPem: pending.data.publicKeyPem,
        };
      }
      // The entry's content is never quoted: a damaged entry is most likely part of a private key.
      if (pending !== null)
        logger.warn('a generated key pair entry in the keychain could not be read and is ignored', { environment: env });
      // Maybe it was already saved: re-testing a saved generated key is allowed.
      const saved = await load(env);
      if (saved !== null && saved.type === 'ED25519' && saved.publicKeyPem !== null && saved.privateKeyPem !== undefined) {
        return {
          material: { type: 'ED25519', apiKey: material.apiKey, privateKeyPem: saved.privateKeyPem },
          publicKeyPem: saved.publicKeyPem,
        };
      }
      if (pending !== null) {
        throw new AppError(
          'keychain-unavailable',
          'The key pair Perch generated for this environment could not be read from the keychain (the entry is damaged). Generate a new key pair.',
        );
      }
      throw new AppError('not-available', 'No generated key pair is waiting for this environment. Generate a new key pair first.');
    },

    async save(env, material, publicKeyPem) {
      const stored: StoredKey = {
        v: 1,
        environment: env,
        type: material.type,
        apiKey: material.apiKey,
        ...(material.type === 'HMAC' ? { secret: material.secret } : { privateKeyPem: material.privateKeyPem }),
        publicKeyPem,
        savedAt: now(),
      };
      await guarded(() => secrets.set(KEY_ACCOUNT(env), JSON.stringify(stored)));
      cache.set(env, stored);
      registerStored(env, stored);
      if (publicKeyPem !== null) {
        // The pending pair became the saved key; a failure here only leaves a harmless copy.
        await guarded(() => secrets.delete(PENDING_ACCOUNT(env))).catch(() => undefined);
      }
      logger.info('API key saved to the keychain', { environment: env, type: material.type });
      return toInfo(stored, env);
    },

    async remove(env) {
      const removed = await guarded(() => secrets.delete(KEY_ACCOUNT(env)));
      await guarded(() => secrets.delete(PENDING_ACCOUNT(env))).catch(() => false);
      cache.set(env, null);
      logger.info('API key removed from the keychain', { environment: env, removed });
      return removed;
    },

    async generateEd25519(env) {
      const { privateKey, publicKey } = generateKeyPairSync('ed25519');
      const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
      // Replaces the previous pending pair's key: generating again is not a way to grow the set.
      logger.setSecrets(`pending:${env}`, [privateKeyPem]);
      await guarded(() => secrets.set(PENDING_ACCOUNT(env), JSON.stringify({ privateKeyPem, publicKeyPem, createdAt: now() })));
      logger.info('generated an Ed25519 key pair; the private key is in the keychain', { environment: env });
      return { publicKeyPem };
    },

    async publicKey(env) {
      const raw = await guarded(() => secrets.get(PENDING_ACCOUNT(env)));
      const pending = raw === null ? null : PendingPair.safeParse(parseJsonOrUndefined(raw));
      if (pending !== null && pending.success) {
        logger.addSecret(pending.data.privateKeyPem);
        const publicKeyPem = publicKeyOf(pending.data.privateKeyPem);
        if (publicKeyPem !== null) return { publicKeyPem, saved: false };
      }
      const saved = await load(env);
      if (saved === null || saved.type !== 'ED25519' || saved.privateKeyPem === undefined) return null;
      const publicKeyPem = publicKeyOf(saved.privateKeyPem);
      return publicKeyPem === null ? null : { publicKeyPem, saved: true };
    },

    keychainState: () => state,
  };
}

/** Binance's documented rule for keys without an IP whitelist (https://www.binance.com/en/support/announcement/cda0a4b53da04396b5d27881e93abf78). */
export const UNRESTRICTED_TRADING_DAYS = 30;

export const ApiRestrictions = z
  .object({
    ipRestrict: z.boolean(),
    createTime: z.number().optional(),
    enableReading: z.boolean(),
    enableWithdrawals: z.boolean(),
    enableSpotAndMarginTrading: z.boolean(),
    tradingAuthorityExpirationTime: z.number().optional(),
  })
  .passthrough();
export type ApiRestrictions = z.infer<typeof ApiRestrictions>;

/**
 * What a person must know about a key before trusting Perch with it. Only production has
 * /sapi/v1/account/apiRestrictions; elsewhere the permissions are unknown and Perch says so.
 */
export function assessKeyHealth(input: {
  readonly environment: EnvironmentId;
  readonly type: KeyType;
  /** the account endpoint answered: the key can read */
  readonly reading: boolean;
  readonly restrictions: ApiRestrictions | null;
  readonly now: number;
}): KeyHealth {
  const r = input.restrictions;
  const warnings: KeyWarning[] = [];
  const reading = r === null ? input.reading : r.enableReading && input.reading;
  if (!reading) {
    warnings.push({
      code: 'no-reading',
      level: 'danger',
      message: 'This key cannot read the account, so Perch cannot show your holdings. Enable "Enable Reading" for it in API Management.',
    });
  }
  if (r !== null && r.enableWithdrawals) {
    warnings.push({
      code: 'can-withdraw',
      level: 'danger',
      message:
        'This key can WITHDRAW funds. Perch never needs that: anyone who obtains this key could move your money off Binance. Create a key with withdrawals disabled. Saving this one needs your explicit confirmation.',
    });
  }
  if (r !== null && !r.ipRestrict) {
    warnings.push({
      code: 'not-ip-restricted',
      level: 'warning',
      message:
        'This key is not restricted to trusted IP addresses: whoever holds it can use it from anywhere. Restrict it to your IP in API Management if you can.',
    });
    if (r.enableSpotAndMarginTrading) {
      const until = r.tradingAuthorityExpirationTime;
      const when =
        until === undefined
          ? `about ${UNRESTRICTED_TRADING_DAYS} days after it was created or last enabled`
          : `on ${new Date(until).toISOString().slice(0, 10)}`;
      warnings.push({
        code: 'trading-unrestricted-ip',
        level: 'warning',
        message: `Binance removes spot trading permission from keys without an IP restriction: this key loses it ${when}. Holdings keep working; placing orders will stop.`,
      });
    }
  }
  if (r === null) {
    warnings.push({
      code: 'restrictions-unknown',
      level: 'info',
      message:
        'This environment does not report key permissions (only the live exchange does), so withdrawal and IP settings could not be checked.',
    });
  }
  return {
    environment: input.environment,
    type: input.type,
    reading,
    spotTrading: r === null ? null : r.enableSpotAndMarginTrading,
    withdrawals: r === null ? null : r.enableWithdrawals,
    ipRestricted: r === null ? null : r.ipRestrict,
    createdAt: r?.createTime ?? null,
    tradingAuthorityExpiresAt: r?.tradingAuthorityExpirationTime ?? null,
    warnings,
    checkedAt: input.now,
  };
}

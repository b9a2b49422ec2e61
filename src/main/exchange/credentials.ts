/**
 * API credentials: HMAC, RSA and Ed25519 (https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/faqs/api_key_types.md). The key material is turned into a
 * KeyObject once, kept in a closure and never exposed: the object prints, serialises and
 * inspects as a redacted description, and errors from bad material never quote it (B20).
 */
import { createHmac, createPrivateKey, createSecretKey, sign as cryptoSign, constants, type KeyObject } from 'node:crypto';
import { inspect } from 'node:util';
import { ExchangeError } from './errors';

export type KeyType = 'HMAC' | 'RSA' | 'ED25519';

export type CredentialMaterial =
  | { readonly type: 'HMAC'; readonly apiKey: string; readonly secret: string }
  | { readonly type: 'RSA'; readonly apiKey: string; readonly privateKeyPem: string }
  | { readonly type: 'ED25519'; readonly apiKey: string; readonly privateKeyPem: string };

export interface Credentials {
  readonly apiKey: string;
  readonly type: KeyType;
  /** HMAC: lower-case hex; RSA / Ed25519: base64 (not URL-encoded). */
  sign(payload: string): string;
}

const API_KEY_PATTERN = /^[A-Za-z0-9]{8,128}$/;

export function createCredentials(material: CredentialMaterial): Credentials {
  const apiKey = material.apiKey.trim();
  if (!API_KEY_PATTERN.test(apiKey)) {
    throw new ExchangeError({
      kind: 'auth',
      code: 'exchange.auth.bad-api-key',
      message: 'The API key does not look like a Binance API key (letters and digits only). Copy it again from API Management.',
    });
  }
  const signer = buildSigner(material);
  const description = `Credentials(${material.type}, apiKey ${redactApiKey(apiKey)})`;
  const credentials: Credentials & { toString(): string; toJSON(): unknown; [inspect.custom](): string } = {
    apiKey,
    type: material.type,
    sign: signer,
    toString: () => description,
    toJSON: () => ({ type: material.type, apiKey: redactApiKey(apiKey) }),
    [inspect.custom]: () => description,
  };
  // apiKey is needed by the transports; everything else is hidden from enumeration.
  for (const hidden of ['sign', 'toString', 'toJSON'] as const) {
    Object.defineProperty(credentials, hidden, { enumerable: false });
  }
  return Object.freeze(credentials);
}

/** First 4 and last 4 characters: enough to recognise a key, useless to an attacker. */
export function redactApiKey(apiKey: string): string {
  return apiKey.length <= 8 ? '****' : `${apiKey.slice(0, 4)}…${apiKey.slice(-4)}`;
}

function buildSigner(material: CredentialMaterial): (payload: string) => string {
  if (material.type === 'HMAC') {
    if (material.secret.trim().length === 0) {
      throw new ExchangeError({
        kind: 'auth',
        code: 'exchange.auth.bad-secret',
        message: 'The API secret is empty. Paste the secret shown when the key was created.',
      });
    }
    const key = createSecretKey(Buffer.from(material.secret.trim(), 'utf8'));
    return (payload) => createHmac('sha256', key).update(payload, 'utf8').digest('hex');
  }
  const key = loadPrivateKey(material.privateKeyPem, material.type);
  if (material.type === 'RSA') {
    return (payload) =>
      cryptoSign('sha256', Buffer.from(payload, 'utf8'), { key, padding: constants.RSA_PKCS1_PADDING }).toString('base64');
  }
  return (payload) => cryptoSign(null, Buffer.from(payload, 'utf8'), key).toString('base64');
}

function loadPrivateKey(pem: string, type: 'RSA' | 'ED25519'): KeyObject {
  const expected = type === 'RSA' ? 'rsa' : 'ed25519';
  const label = type === 'RSA' ? 'RSA' : 'Ed25519';
  if (/ENCRYPTED/.test(pem)) {
    throw new ExchangeError({
      kind: 'auth',
      code: 'exchange.auth.bad-private-key',
      message: `The ${label} private key is protected by a passphrase; export it unencrypted (PKCS#8 PEM) for Perch.`,
    });
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    // The crypto error text can quote parts of the input; say what is wrong in our own words.
    throw new ExchangeError({
      kind: 'auth',
      code: 'exchange.auth.bad-private-key',
      message: `The ${label} private key could not be read; paste the whole PKCS#8 PEM file, including the "-----BEGIN PRIVATE KEY-----" line.`,
    });
  }
  if (key.asymmetricKeyType !== expected) {
    throw new ExchangeError({
      kind: 'auth',
      code: 'exchange.auth.bad-private-key',
      message: `The private key is a ${key.asymmetricKeyType ?? 'unknown'} key, but the API key was registered as ${label}.`,
    });
  }
  if (type === 'RSA') {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < 2048) {
      throw new ExchangeError({
        kind: 'auth',
        code: 'exchange.auth.bad-private-key',
        message: `The RSA key has ${bits} bits; Binance requires 2048 to 4096.`,
      });
    }
  }
  return key;
}

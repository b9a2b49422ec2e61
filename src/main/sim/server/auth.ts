/**
 * API keys and request authentication, as https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/rest-api.md / https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/web-socket-api.md describe them:
 * - REST signs the raw, still percent-encoded query string immediately followed by the raw body
 *   (exactly the bytes received; nothing is decoded or re-encoded before verifying);
 * - the WS API signs every param but `signature`, sorted by name, `k=v` joined by `&`, unencoded;
 * - HMAC-SHA256 hex (case-insensitive), RSA PKCS#1 v1.5 SHA-256 base64, Ed25519 base64;
 * - timestamp (ms or µs) and recvWindow (<= 60000, up to 3 decimals) against the simulator clock.
 */
import { createHmac, createPublicKey, randomBytes, timingSafeEqual, verify as cryptoVerify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { SimClock } from '../clock';
import { errors, SimError } from '../errors';
import type { ApiKeyRecord, KeyPermissions, KeyType } from '../types';

export const DEFAULT_PERMISSIONS: KeyPermissions = { reading: true, spotTrading: true, withdrawals: false, ipRestrict: false };

export interface RegisterKeyOptions {
  readonly type: KeyType;
  readonly accountId: string;
  readonly apiKey?: string;
  readonly secret?: string;
  readonly publicKeyPem?: string;
  readonly permissions?: Partial<KeyPermissions>;
}

export interface KeyRegistry {
  register(opts: RegisterKeyOptions): ApiKeyRecord;
  get(apiKey: string): ApiKeyRecord | undefined;
  remove(apiKey: string): boolean;
  all(): readonly ApiKeyRecord[];
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** 64 alphanumeric characters, the shape of Binance API keys and HMAC secrets. */
export function randomAlnum(length = 64): string {
  const bytes = randomBytes(length * 2);
  let out = '';
  for (let i = 0; i < bytes.length && out.length < length; i++) {
    const b = bytes[i] ?? 0;
    // Rejection sampling keeps the alphabet uniform (248 = 62 * 4).
    if (b < 248) out += ALNUM[b % 62];
  }
  return out.length === length ? out : out + randomAlnum(length - out.length);
}

/** Binance answers -2014 for keys that cannot be keys at all, -2015 for well-formed unknown ones. */
export function isWellFormedApiKey(apiKey: string): boolean {
  return /^[A-Za-z0-9]{64}$/.test(apiKey);
}

export function createKeyRegistry(clock: SimClock): KeyRegistry {
  const keys = new Map<string, ApiKeyRecord>();
  return {
    register(opts) {
      const apiKey = opts.apiKey ?? randomAlnum(64);
      if (!/^[\x21-\x7e]{1,128}$/.test(apiKey)) throw new Error('apiKey must be 1-128 printable ASCII characters');
      let secret: string | undefined;
      let publicKey: KeyObject | undefined;
      if (opts.type === 'HMAC') {
        secret = opts.secret ?? randomAlnum(64);
        if (secret.length === 0) throw new Error('HMAC secret must not be empty');
      } else {
        if (opts.publicKeyPem === undefined) throw new Error(`${opts.type} keys need publicKeyPem`);
        publicKey = createPublicKey(opts.publicKeyPem);
        const kind = publicKey.asymmetricKeyType;
        if (opts.type === 'RSA' && kind !== 'rsa') throw new Error(`expected an RSA public key, got ${kind ?? 'unknown'}`);
        if (opts.type === 'ED25519' && kind !== 'ed25519') throw new Error(`expected an Ed25519 public key, got ${kind ?? 'unknown'}`);
      }
      const record: ApiKeyRecord = {
        apiKey,
        type: opts.type,
        ...(secret !== undefined ? { secret } : {}),
        ...(publicKey !== undefined ? { publicKey } : {}),
        accountId: opts.accountId,
        permissions: { ...DEFAULT_PERMISSIONS, ...opts.permissions },
        createdAt: clock.now(),
      };
      keys.set(apiKey, record);
      return record;
    },
    get: (apiKey) => keys.get(apiKey),
    remove: (apiKey) => keys.delete(apiKey),
    all: () => [...keys.values()],
  };
}

// ---------------------------------------------------------------------------------------------
// Signatures

/** Verify `signature` (already percent-decoded) over `payload` (exact bytes) for this key. */
export function verifySignature(key: ApiKeyRecord, payload: Buffer | string, signature: string): boolean {
  const data = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  try {
    if (key.type === 'HMAC') {
      if (key.secret === undefined || !/^[0-9a-fA-F]{64}$/.test(signature)) return false;
      const expected = createHmac('sha256', key.secret).update(data).digest();
      return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
    }
    if (key.publicKey === undefined || !/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) return false;
    const sig = Buffer.from(signature, 'base64');
    if (key.type === 'RSA') return cryptoVerify('sha256', data, key.publicKey, sig);
    if (sig.length !== 64) return false;
    return cryptoVerify(null, data, key.publicKey, sig);
  } catch {
    return false;
  }
}

/** Form-style decoding of one query/body component ('+' is a space). */
export function decodeComponent(raw: string, param: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    throw errors.illegalChars(param);
  }
}

export interface RestSignatureParts {
  /** The bytes the client signed: raw query (without the signature pair) + raw body (likewise). */
  readonly payload: Buffer;
  /** The signature value, percent-decoded; undefined when none was sent. */
  readonly signature: string | undefined;
}

function stripSignature(raw: string): { rest: string; values: string[] } {
  if (raw === '') return { rest: '', values: [] };
  const kept: string[] = [];
  const values: string[] = [];
  for (const part of raw.split('&')) {
    if (part.startsWith('signature=')) values.push(part.slice('signature='.length));
    else kept.push(part);
  }
  return { rest: kept.join('&'), values };
}

/**
 * Splits the signature off the raw query string and body. Both strings hold the bytes as received
 * (latin1 for the request target, so non-ASCII bytes survive unchanged).
 */
export function restSignatureParts(rawQuery: string, rawBody: Buffer): RestSignatureParts {
  const q = stripSignature(rawQuery);
  const bodyText = rawBody.toString('latin1');
  const b = stripSignature(bodyText);
  const values = [...q.values, ...b.values];
  const payload = Buffer.concat([Buffer.from(q.rest, 'latin1'), Buffer.from(b.rest, 'latin1')]);
  const raw = values[0];
  if (raw === undefined) return { payload, signature: undefined };
  let signature = decodeComponent(raw, 'signature');
  // A base64 signature sent with a bare '+' decodes to a space; neither hex nor base64 has spaces.
  signature = signature.replace(/ /g, '+');
  // The docs' own RSA bash example percent-encodes the base64 and then lets curl encode it again.
  if (signature.includes('%')) signature = decodeComponent(signature, 'signature');
  return { payload, signature };
}

/** WS API payload: params except signature, sorted by name, `k=v` joined by `&`, no encoding. */
export function wsSignaturePayload(params: Readonly<Record<string, unknown>>): string {
  return Object.keys(params)
    .filter((k) => k !== 'signature')
    .sort()
    .map((k) => `${k}=${paramToString(params[k])}`)
    .join('&');
}

export function paramToString(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v === null || v === undefined) return '';
  return JSON.stringify(v);
}

// ---------------------------------------------------------------------------------------------
// Timing

export const MAX_RECV_WINDOW = 60000;
export const DEFAULT_RECV_WINDOW = 5000;

/** Timestamps at or above this are microseconds (ms timestamps have 13 digits until year 2286). */
const MICROS_THRESHOLD = 1e14;

/** Parse `timestamp` to epoch ms (fractional when given in µs). Throws the Binance error. */
export function parseTimestamp(raw: string | undefined): number {
  if (raw === undefined || raw === '') throw errors.mandatoryParamMissing('timestamp');
  if (!/^[0-9]{1,20}$/.test(raw)) {
    throw new SimError(400, -1100, "Illegal characters found in parameter 'timestamp'; legal range is '^[0-9]{1,20}$'.");
  }
  const n = Number(raw);
  return n >= MICROS_THRESHOLD ? n / 1000 : n;
}

export function parseRecvWindow(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_RECV_WINDOW;
  if (raw === '') throw errors.paramEmpty('recvWindow');
  const m = /^([0-9]{1,10})(?:\.([0-9]+))?$/.exec(raw);
  if (m === null)
    throw new SimError(400, -1100, "Illegal characters found in parameter 'recvWindow'; legal range is '^[0-9]{1,10}(\\.[0-9]{1,3})?$'.");
  if ((m[2] ?? '').length > 3) throw errors.badPrecision('recvWindow');
  const value = Number(raw);
  if (value > MAX_RECV_WINDOW)
    throw new SimError(400, -1102, `'recvWindow' contains unexpected value. Cannot be greater than ${MAX_RECV_WINDOW}.`);
  return value;
}

/** The documented check: reject unless timestamp < serverTime + 1 s and serverTime - timestamp <= recvWindow. */
export function checkTiming(timestampMs: number, recvWindowMs: number, serverTime: number): void {
  if (timestampMs >= serverTime + 1000) throw errors.invalidTimestampAhead();
  if (serverTime - timestampMs > recvWindowMs) throw errors.invalidTimestampWindow();
}

// ---------------------------------------------------------------------------------------------
// Key lookup and permissions

/** -2014 when the key is missing or cannot be a key, -2015 when it is well formed but unknown. */
export function lookupKey(keys: KeyRegistry, apiKey: string | undefined): ApiKeyRecord {
  if (apiKey === undefined || apiKey === '') throw errors.badApiKeyFormat();
  const record = keys.get(apiKey);
  if (record !== undefined) return record;
  if (!isWellFormedApiKey(apiKey)) throw errors.badApiKeyFormat();
  throw errors.rejectedMbxKey();
}

export function checkPermission(key: ApiKeyRecord, security: 'USER_DATA' | 'TRADE' | 'USER_STREAM'): void {
  if (security === 'TRADE' && !key.permissions.spotTrading) throw errors.rejectedMbxKey();
  if (security === 'USER_DATA' && !key.permissions.reading) throw errors.rejectedMbxKey();
}

export interface SignedCheckInput {
  readonly keys: KeyRegistry;
  readonly apiKey: string | undefined;
  readonly timestamp: string | undefined;
  readonly recvWindow: string | undefined;
  readonly signature: string | undefined;
  readonly payload: Buffer | string;
  readonly serverTime: number;
}

export interface SignedCheckResult {
  readonly key: ApiKeyRecord;
  readonly timestampMs: number;
  readonly recvWindowMs: number;
}

/** Key, timestamp, recvWindow, timing and signature - in that order, as the docs' pseudo code. */
export function authenticateSigned(input: SignedCheckInput): SignedCheckResult {
  const key = lookupKey(input.keys, input.apiKey);
  const timestampMs = parseTimestamp(input.timestamp);
  const recvWindowMs = parseRecvWindow(input.recvWindow);
  if (input.signature === undefined || input.signature === '') throw errors.mandatoryParamMissing('signature');
  checkTiming(timestampMs, recvWindowMs, input.serverTime);
  if (!verifySignature(key, input.payload, input.signature)) throw errors.invalidSignature();
  return { key, timestampMs, recvWindowMs };
}

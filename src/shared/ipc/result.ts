/**
 * Every command answers with a Result: errors travel as data because Electron's invoke keeps
 * only a prefixed message of a thrown error (electron/electron#24427). Codes are stable; the UI
 * switches on them. Messages are for people and never contain key material.
 */
export const ERROR_CODES = [
  'invalid-input', // the input failed its schema (nothing ran)
  'unknown-command', // the name is not in the contract
  'untrusted-sender', // not the app's own window/origin (nothing ran)
  'keychain-locked', // the OS keychain exists but is locked
  'keychain-unavailable', // no OS keychain (Secret Service) to store keys in
  'no-key', // the environment needs an API key and none is saved
  'confirmation-required', // a risky action needs an explicit confirmation flag
  'not-allowed', // refused by policy (e.g. a URL outside the allow-list)
  'network', // could not reach the exchange
  'auth', // the exchange rejected the key or signature
  'rate-limited', // 429/418 from the exchange
  'clock-skew', // local clock too far from the exchange's
  'not-available', // not possible in this environment / state
  'not-sent', // an order refused before anything was journaled or sent (e.g. no session yet)
  'storage', // disk full, unwritable file, database error
  'internal', // a bug: details are in the log, not here
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ResultError {
  readonly code: ErrorCode;
  readonly message: string;
}

export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ResultError };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function err(code: ErrorCode, message: string): Result<never> {
  return { ok: false, error: { code, message } };
}

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && (ERROR_CODES as readonly string[]).includes(code);
}

/**
 * An error whose code and message are safe to show. Throw it from a handler to control the
 * Result; anything else becomes 'internal' with a generic message.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
  }
}

/** Duck-typed so errors from other layers (SecretStoreError, exchange errors) qualify too. */
export function isPublicError(e: unknown): e is { code: ErrorCode; message: string } {
  return (
    typeof e === 'object' &&
    e !== null &&
    isErrorCode((e as { code?: unknown }).code) &&
    typeof (e as { message?: unknown }).message === 'string'
  );
}

import { AsyncEntry } from '@napi-rs/keyring';

/**
 * The OS keychain behind a port. Values are opaque strings (the keys service decides what to
 * store under which account). There is deliberately no plaintext fallback: when the keychain is
 * locked or missing, callers get a SecretStoreError they can show, and nothing is written.
 */
export interface SecretStore {
  get(account: string): Promise<string | null>;
  set(account: string, value: string): Promise<void>;
  /** true when something was deleted */
  delete(account: string): Promise<boolean>;
}

export type SecretStoreErrorCode = 'keychain-locked' | 'keychain-unavailable';

export class SecretStoreError extends Error {
  readonly code: SecretStoreErrorCode;
  constructor(code: SecretStoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SecretStoreError';
    this.code = code;
  }
}

export const SECRET_SERVICE_NAME = 'perch';

const LOCKED_MESSAGE =
  'Your system keychain is locked, so Perch cannot read or store API keys. Unlock it (on Linux: the "Login" keyring in Passwords and Keys / Seahorse, or log in again) and try again.';
const UNAVAILABLE_MESSAGE =
  'Perch found no system keychain to keep API keys in. On Linux install and start a Secret Service provider (gnome-keyring or KWallet) and make sure a default "Login" keyring exists, then try again. Perch never stores keys in a plain file.';

/** Maps the library's errors (plain GenericFailure with a message) onto our two codes. */
export function classifyKeyringError(error: unknown): SecretStoreError {
  const message = error instanceof Error ? error.message : String(error);
  if (/prompt was dismissed|is locked|locked collection|\blocked\b/i.test(message)) {
    return new SecretStoreError('keychain-locked', LOCKED_MESSAGE, { cause: error });
  }
  return new SecretStoreError('keychain-unavailable', UNAVAILABLE_MESSAGE, { cause: error });
}

function validateAccount(account: string): void {
  if (!/^[a-z0-9:._-]{1,100}$/i.test(account)) throw new RangeError('invalid keychain account name');
}

export interface KeyringSecretStoreOptions {
  /** service name; tests use their own so they never touch the user's real entries */
  readonly service?: string;
}

/**
 * @napi-rs/keyring, pinned to the Secret Service on Linux (the library would otherwise fall back
 * to the kernel keyring, which forgets everything at reboot). Async entries, so a slow D-Bus
 * never blocks the main process.
 */
export function createKeyringSecretStore(options: KeyringSecretStoreOptions = {}): SecretStore {
  const service = options.service ?? SECRET_SERVICE_NAME;
  const entry = (account: string): AsyncEntry => {
    validateAccount(account);
    try {
      return new AsyncEntry(service, account, { linux: { store: 'secret-service' } });
    } catch (e) {
      throw classifyKeyringError(e);
    }
  };
  const guard = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof SecretStoreError || e instanceof RangeError) throw e;
      throw classifyKeyringError(e);
    }
  };
  return {
    get: (account) => guard(() => entry(account).getPassword()).then((v) => v ?? null),
    set: (account, value) => guard(() => entry(account).setPassword(value)),
    delete: (account) => guard(() => entry(account).deleteCredential()),
  };
}

/** For tests and the web host: same contract, lives in memory, can simulate a locked keychain. */
export function createMemorySecretStore(): SecretStore & { lock(code?: SecretStoreErrorCode): void; unlock(): void; size(): number } {
  const values = new Map<string, string>();
  let failure: SecretStoreErrorCode | null = null;
  const check = (account: string): void => {
    validateAccount(account);
    if (failure) throw new SecretStoreError(failure, failure === 'keychain-locked' ? LOCKED_MESSAGE : UNAVAILABLE_MESSAGE);
  };
  return {
    async get(account) {
      check(account);
      return values.get(account) ?? null;
    },
    async set(account, value) {
      check(account);
      values.set(account, value);
    },
    async delete(account) {
      check(account);
      return values.delete(account);
    },
    lock(code = 'keychain-locked') {
      failure = code;
    },
    unlock() {
      failure = null;
    },
    size: () => values.size,
  };
}

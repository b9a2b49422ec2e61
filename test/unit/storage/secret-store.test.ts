// Seam: SecretStore. The memory store and error classification run everywhere; the keyring
// adapter runs against a real Secret Service only when PERCH_KEYCHAIN_TESTS=1 (scripts/test.sh
// starts a private D-Bus session with an unlocked gnome-keyring for that).
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isPublicError } from '../../../src/shared/ipc/result';
import {
  classifyKeyringError,
  createKeyringSecretStore,
  createMemorySecretStore,
  SecretStoreError,
} from '../../../src/main/storage/secret-store';

describe('error classification', () => {
  it.each([
    ["Couldn't access platform storage: Secret Service: unlock prompt was dismissed", 'keychain-locked'],
    [
      'Platform failure: DBus error: Using X11 for dbus-daemon autolaunch was disabled at compile time, set your DBUS_SESSION_BUS_ADDRESS instead',
      'keychain-unavailable',
    ],
    ["Couldn't access platform storage: Secret Service: no result found", 'keychain-unavailable'],
  ])('%s -> %s', (message, code) => {
    const e = classifyKeyringError(Object.assign(new Error(message), { code: 'GenericFailure' }));
    expect(e).toBeInstanceOf(SecretStoreError);
    expect(e.code).toBe(code);
    // a message a person can act on, and one the IPC router passes through as-is
    expect(e.message).toMatch(code === 'keychain-locked' ? /Unlock it/ : /gnome-keyring or KWallet/);
    expect(isPublicError(e)).toBe(true);
  });
});

describe('memory secret store', () => {
  it('get/set/delete and simulated lock', async () => {
    const s = createMemorySecretStore();
    expect(await s.get('testnet:hmac')).toBeNull();
    await s.set('testnet:hmac', 'value-1');
    expect(await s.get('testnet:hmac')).toBe('value-1');
    s.lock();
    await expect(s.get('testnet:hmac')).rejects.toMatchObject({ code: 'keychain-locked' });
    await expect(s.set('testnet:hmac', 'x')).rejects.toMatchObject({ code: 'keychain-locked' });
    s.unlock();
    expect(await s.delete('testnet:hmac')).toBe(true);
    expect(await s.delete('testnet:hmac')).toBe(false);
    await expect(s.get('bad account with spaces')).rejects.toThrow(RangeError);
  });
});

const keychainTests = process.env['PERCH_KEYCHAIN_TESTS'] === '1';

describe.skipIf(!keychainTests)('keyring secret store on a real Secret Service (PERCH_KEYCHAIN_TESTS=1)', () => {
  // a per-run service name: never touches the user's real "perch" entries
  const service = `perch-test-${randomUUID().slice(0, 8)}`;
  const store = createKeyringSecretStore({ service });
  const accounts = new Set<string>();

  afterAll(async () => {
    for (const a of accounts) {
      try {
        await store.delete(a);
      } catch {
        // the keychain may be locked by the last test
      }
    }
  });

  it('round-trips a value, overwrites, deletes', async () => {
    const account = 'testnet:hmac';
    accounts.add(account);
    expect(await store.get(account)).toBeNull();
    await store.set(account, 'first-secret-value');
    expect(await store.get(account)).toBe('first-secret-value');
    await store.set(account, '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI\n-----END PRIVATE KEY-----\n');
    expect(await store.get(account)).toContain('BEGIN PRIVATE KEY');
    expect(await store.delete(account)).toBe(true);
    expect(await store.get(account)).toBeNull();
    expect(await store.delete(account)).toBe(false);
  });

  it('keeps entries of different accounts apart', async () => {
    accounts.add('demo:a').add('demo:b');
    await store.set('demo:a', 'A-value');
    await store.set('demo:b', 'B-value');
    expect(await store.get('demo:a')).toBe('A-value');
    expect(await store.get('demo:b')).toBe('B-value');
  });

  // In a private D-Bus session of its own: locking the shared one would break other keychain
  // tests running in parallel.
  it('a locked keychain gives keychain-locked on get, set and delete', () => {
    const probe = fileURLToPath(new URL('./fixtures/locked-keychain-probe.ts', import.meta.url));
    const script =
      'echo -n perch-lock-test | gnome-keyring-daemon --daemonize --unlock --components=secrets >/dev/null && exec npx tsx "$0"';
    // its own keyring directory too: gnome-keyring keeps keyrings on disk under XDG_DATA_HOME
    const dataHome = mkdtempSync(join(tmpdir(), 'perch-keyring-'));
    let out: string;
    try {
      out = execFileSync('dbus-run-session', ['--', 'bash', '-c', script, probe], {
        encoding: 'utf8',
        timeout: 90_000,
        stdio: ['ignore', 'pipe', 'ignore'],
        env: { ...process.env, DISPLAY: '', WAYLAND_DISPLAY: '', XDG_DATA_HOME: dataHome },
      });
    } finally {
      rmSync(dataHome, { recursive: true, force: true });
    }
    const line = out.trim().split('\n').at(-1) ?? '';
    // with no display the unlock prompt cannot show and gnome-keyring reports it as dismissed
    expect(JSON.parse(line)).toEqual({ before: 'ok', get: 'keychain-locked', set: 'keychain-locked', delete: 'keychain-locked' });
  }, 120_000);
});

describe.skipIf(keychainTests)('keyring secret store without a Secret Service', () => {
  it('reports keychain-unavailable (no D-Bus session here), never falls back to plaintext', async () => {
    if (process.env['DBUS_SESSION_BUS_ADDRESS']) return; // a desktop session: covered by the real-keychain suite
    const store = createKeyringSecretStore({ service: 'perch-test-none' });
    await expect(store.set('demo:x', 'v')).rejects.toMatchObject({ code: 'keychain-unavailable' });
    await expect(store.get('demo:x')).rejects.toMatchObject({ code: 'keychain-unavailable' });
  });
});

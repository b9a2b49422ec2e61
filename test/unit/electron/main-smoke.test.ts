// Seam: the built main bundle (out/main/index.js) run in plain Node with `electron` replaced by
// fixtures/fake-electron.mjs. It proves the composition root wires security, the app protocol,
// IPC and the core together, and that demo mode reaches the window, without an Electron binary.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { COMMAND_NAMES } from '../../../src/shared/ipc/channels';
import { CONTENT_SECURITY_POLICY } from '../../../src/main/electron/security-policy';
import { openDatabase } from '../../../src/main/storage/database';

const run = promisify(execFile);
const root = join(import.meta.dirname, '../../..');
const mainBundle = join(root, 'out', 'main', 'index.js');
const built = existsSync(mainBundle) && existsSync(join(root, 'out', 'renderer', 'index.html'));
const why = built ? '' : ' (SKIPPED: out/ is missing; run `npx electron-vite build` first)';
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function runMain(env: Record<string, string>, userData = newUserData()): Promise<Record<string, unknown>> {
  const { stdout } = await run(process.execPath, ['--no-warnings', join(import.meta.dirname, 'fixtures', 'run-main.mjs'), mainBundle], {
    env: { ...process.env, FAKE_ELECTRON_USER_DATA: userData, ...env },
    timeout: 110_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  const line = stdout.trim().split('\n').at(-1) ?? '{}';
  return JSON.parse(line) as Record<string, unknown>;
}

function newUserData(): string {
  const userData = mkdtempSync(join(tmpdir(), 'perch-smoke-'));
  dirs.push(userData);
  return userData;
}

interface Dialog {
  readonly kind: 'messageBox' | 'errorBox';
  readonly type?: string;
  readonly title: string;
  readonly message: string;
  readonly detail?: string;
}

describe.skipIf(!built)(`main process composition${why}`, () => {
  it('a second instance exits before building anything', async () => {
    const report = await runMain({ FAKE_ELECTRON_LOCK: 'taken' });
    expect(report).toEqual({ lockTaken: true, exitCode: 0, windows: 0, ipcHandlers: 0 });
  }, 120_000);

  it('wires security, the app protocol, IPC and the core; demo data reaches the window; quits cleanly', async () => {
    const r = await runMain({});
    expect(r['privilegedSchemes']).toEqual(['app']);
    expect(r['loadedUrl']).toBe('app://perch/index.html');
    expect(r['webPreferences']).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
    });
    expect(String((r['webPreferences'] as { preload: string }).preload)).toMatch(/out\/preload\/index\.cjs$/);
    expect(r['ipcHandlers']).toEqual([...COMMAND_NAMES].sort());
    expect(r['settingsGet']).toMatchObject({ ok: true, value: { environment: 'demo' } });
    expect(r['untrusted']).toMatchObject({ ok: false, error: { code: 'untrusted-sender' } });
    expect(r['invalid']).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    expect(r['openBad']).toMatchObject({ ok: false, error: { code: 'not-allowed' } });
    expect(r['permissionDenied']).toBe(false);
    expect(r['page']).toEqual({ status: 200, csp: CONTENT_SECURITY_POLICY });
    expect(r['traversal']).toBe(404);
    expect(r['navigationBlocked']).toBe(true);
    expect(r['windowOpen']).toEqual({ action: 'deny' });
    expect(r['openedExternal']).toEqual(['https://www.binance.com/en']);
    expect(r['appState']).toMatchObject({ ok: true, demo: true });
    expect((r['appState'] as { holdings: number }).holdings).toBeGreaterThan(0);
    expect(r['eventChannels']).toEqual(expect.arrayContaining(['portfolio:snapshot', 'status:connections']));
    expect(r['quitClean']).toBe(true);
  }, 120_000);

  it('a damaged database is set aside with its -wal, the person is told (orders to check), and Perch starts on a new one', async () => {
    const userData = newUserData();
    const garbage = 'this is not a sqlite database '.repeat(200);
    writeFileSync(join(userData, 'perch.sqlite'), garbage);
    writeFileSync(join(userData, 'perch.sqlite-wal'), 'stale wal');
    const r = await runMain({}, userData);
    const dialogs = r['dialogs'] as Dialog[];
    expect(dialogs).toHaveLength(1);
    expect(dialogs[0]).toMatchObject({ kind: 'messageBox', type: 'warning', title: 'Perch started with a new database' });
    expect(dialogs[0]?.message).toMatch(/could not read its database/);
    expect(dialogs[0]?.detail).toMatch(/perch\.corrupt-.*\.sqlite/);
    expect(dialogs[0]?.detail).toMatch(/check Open orders and your order history on Binance/);
    const files = readdirSync(userData);
    const backup = files.find((f) => /^perch\.corrupt-[0-9T-]+Z\.sqlite$/.test(f));
    expect(backup).toBeDefined();
    expect(readFileSync(join(userData, String(backup)), 'utf8')).toBe(garbage);
    expect(readFileSync(join(userData, `${String(backup)}-wal`), 'utf8')).toBe('stale wal');
    // the new database is a real one, and the app runs on it
    const fresh = new DatabaseSync(join(userData, 'perch.sqlite'), { readOnly: true });
    expect(fresh.prepare('SELECT MAX(version) AS v FROM migrations').get()).toEqual({ v: 1 });
    fresh.close();
    expect(r['loadedUrl']).toBe('app://perch/index.html');
    expect(r['quitClean']).toBe(true);
  }, 120_000);

  it('a database from a newer Perch is left untouched: Perch says so, releases the lock and exits', async () => {
    const userData = newUserData();
    const path = join(userData, 'perch.sqlite');
    const db = new DatabaseSync(path);
    db.exec('CREATE TABLE migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
    db.exec("INSERT INTO migrations VALUES (1, 'one', 0), (99, 'from the future', 0)");
    db.close();
    const before = readFileSync(path);
    const mtime = statSync(path).mtimeMs;
    const r = await runMain({}, userData);
    expect(r['dialogs']).toEqual([expect.objectContaining({ kind: 'errorBox', title: 'Perch is older than its data' })]);
    expect((r['dialogs'] as Dialog[])[0]?.message).toMatch(/saved by a newer version of Perch.*has not changed it.*Perch will now quit/s);
    expect(r['exitCode']).toBe(1);
    expect(r['lockReleased']).toBe(true);
    expect(r['windows']).toBe(0);
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(statSync(path).mtimeMs).toBe(mtime);
    expect(readdirSync(userData).filter((f) => f.startsWith('perch.'))).toEqual(['perch.sqlite']);
  }, 120_000);

  it('an order found not placed reaches the desktop once, as an alert (no second banner from the shell)', async () => {
    const userData = newUserData();
    const database = openDatabase(join(userData, 'perch.sqlite'));
    // sent an hour ago, outcome never learned: the start-up check finds it was not placed
    const sentAt = Date.now() - 3_600_000;
    database.orderIntents.insert({
      clientOrderId: 'perch-smoke-lost-1',
      createdAt: sentAt,
      environment: 'demo',
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      payload: { kind: 'order', order: {}, confirmedAt: sentAt },
      state: 'unknown',
    });
    database.close();
    const r = await runMain({ FAKE_ELECTRON_NOTIFICATIONS: '1', FAKE_WAIT_NOTICE: 'order-not-placed' }, userData);
    const shown = r['notifications'] as Array<{ title: string; body: string }>;
    expect(shown.filter((n) => /not placed/i.test(`${n.title} ${n.body}`))).toEqual([
      expect.objectContaining({ title: 'Order probably not placed' }),
    ]);
  }, 120_000);

  it('a database with a newer alerts schema is left untouched: Perch says so and exits, like a newer main schema', async () => {
    const userData = newUserData();
    const path = join(userData, 'perch.sqlite');
    const db = new DatabaseSync(path);
    db.exec('CREATE TABLE migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
    db.exec("INSERT INTO migrations VALUES (1, 'one', 0)");
    db.exec('CREATE TABLE alert_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
    db.exec("INSERT INTO alert_migrations VALUES (1, 'one', 0), (99, 'from the future', 0)");
    db.close();
    const before = readFileSync(path);
    const r = await runMain({}, userData);
    expect(r['dialogs']).toEqual([expect.objectContaining({ kind: 'errorBox', title: 'Perch is older than its data' })]);
    expect(r['exitCode']).toBe(1);
    expect(r['lockReleased']).toBe(true);
    expect(r['windows']).toBe(0);
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(readdirSync(userData).filter((f) => f.startsWith('perch.'))).toEqual(['perch.sqlite']);
  }, 120_000);

  it('a settings path that is a folder is moved aside like a corrupt file: defaults, a notice, the app runs', async () => {
    const userData = newUserData();
    mkdirSync(join(userData, 'settings.json'));
    writeFileSync(join(userData, 'settings.json', 'inside.txt'), 'kept');
    const r = await runMain({}, userData);
    expect(r['loadedUrl']).toBe('app://perch/index.html');
    expect(r['settingsGet']).toMatchObject({ ok: true, value: { environment: 'demo' } });
    const notices = r['notices'] as Array<{ code: string; message: string }>;
    const notice = notices.find((n) => n.code === 'settings-corrupt');
    expect(notice?.message).toMatch(/it is a folder, not a file.*started with default settings.*kept as settings\.corrupt-.*\.json/);
    const backup = readdirSync(userData).find((f) => /^settings\.corrupt-.*\.json$/.test(f));
    expect(backup).toBeDefined();
    expect(readFileSync(join(userData, String(backup), 'inside.txt'), 'utf8')).toBe('kept');
    expect(statSync(join(userData, 'settings.json')).isFile()).toBe(true);
    expect(r['quitClean']).toBe(true);
  }, 120_000);

  it('any other failed start shows an error, releases the lock and exits: no windowless process', async () => {
    const userData = newUserData();
    // a folder where the database should be: not ours to move, so the start fails
    mkdirSync(join(userData, 'perch.sqlite'));
    const r = await runMain({}, userData);
    expect(r['dialogs']).toEqual([expect.objectContaining({ kind: 'errorBox', title: 'Perch could not start' })]);
    expect((r['dialogs'] as Dialog[])[0]?.message).toMatch(
      /Perch could not start: it could not open its database .*perch\.sqlite.*Details are in the log/s,
    );
    expect(r['exitCode']).toBe(1);
    expect(r['lockReleased']).toBe(true);
    expect(r['windows']).toBe(0);
    expect(statSync(join(userData, 'perch.sqlite')).isDirectory()).toBe(true);
  }, 120_000);

  it('a failed start is logged through the redaction: key material in the error text never reaches the log', async () => {
    // a 64-hex run after "signature=" is what a signed request's URL carries
    const hex = 'ab12'.repeat(16);
    const userData = join(newUserData(), `signature=${hex}`);
    mkdirSync(join(userData, 'perch.sqlite'), { recursive: true });
    const r = await runMain({}, userData);
    expect(r['exitCode']).toBe(1);
    const log = readFileSync(join(userData, 'logs', 'main.log'), 'utf8');
    expect(log).toContain('start failed');
    expect(log).toContain('could not open its database');
    expect(log).not.toContain(hex);
  }, 120_000);
});

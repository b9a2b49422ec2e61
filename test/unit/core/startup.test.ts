// The start-up decisions in plain Node: what happens to a damaged or newer database and to an
// unreadable settings path (the built main bundle is exercised in test/unit/electron/main-smoke).
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStartupDatabase } from '../../../src/main/core/startup';
import { openDatabase } from '../../../src/main/storage/database';
import { createSettingsStore } from '../../../src/main/storage/settings';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'perch-startup-'));
  dirs.push(d);
  return d;
};

describe('openStartupDatabase', () => {
  it('opens a good database without a message', () => {
    const path = join(tempDir(), 'perch.sqlite');
    openDatabase(path).close();
    const r = openStartupDatabase({ path, open: openDatabase });
    expect(r.kind).toBe('opened');
    if (r.kind === 'opened') {
      expect(r.message).toBeNull();
      r.database.close();
    }
  });

  it('sets a garbage file aside with its -wal and -shm and names the unfinished orders it could still read', () => {
    const dir = tempDir();
    const path = join(dir, 'perch.sqlite');
    writeFileSync(path, 'garbage'.repeat(100));
    writeFileSync(`${path}-shm`, 'x');
    const at = new Date('2026-12-04T20:00:00.000Z');
    const r = openStartupDatabase({
      path,
      open: openDatabase,
      now: () => at,
      readUnfinished: () => [{ environment: 'production', symbol: 'BTCUSDT', side: 'BUY', createdAt: Date.parse('2026-12-03T10:15:00Z') }],
    });
    expect(r.kind).toBe('opened');
    if (r.kind !== 'opened') return;
    r.database.close();
    expect(readdirSync(dir).sort()).toEqual(
      expect.arrayContaining([
        'perch.corrupt-2026-12-04T20-00-00-000Z.sqlite',
        'perch.corrupt-2026-12-04T20-00-00-000Z.sqlite-shm',
        'perch.sqlite',
      ]),
    );
    expect(r.message?.level).toBe('warning');
    expect(r.message?.detail).toContain('BUY BTCUSDT (production, 2026-12-03 10:15 UTC)');
    expect(r.message?.detail).toMatch(/Check it in Open orders and your order history on Binance/);
  });

  it('refuses a newer database before writing anything to it', () => {
    let opened = false;
    const r = openStartupDatabase({
      path: '/nowhere/perch.sqlite',
      fs: {
        exists: () => true,
        rename: () => {
          throw new Error('must not move it');
        },
      },
      peek: () => ({ schemaVersion: 7 }),
      knownVersion: 1,
      open: () => {
        opened = true;
        throw new Error('must not open it');
      },
    });
    expect(opened).toBe(false);
    expect(r).toMatchObject({ kind: 'refused', message: { level: 'error', title: 'Perch is older than its data' } });
  });

  it.each([
    ['alert_migrations', 'alerts'],
    ['pnl_schema', 'P&L history'],
    ['orders_schema', 'orders'],
  ])('refuses a database whose %s ledger is newer than this build knows, and leaves it untouched', (table, what) => {
    const path = join(tempDir(), 'perch.sqlite');
    openDatabase(path).close();
    const raw = new DatabaseSync(path);
    raw.exec(`CREATE TABLE IF NOT EXISTS ${table} (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
    raw.exec(`INSERT INTO ${table} VALUES (999, 'from the future', 0)`);
    raw.close();
    const before = readFileSync(path);
    let opened = false;
    const r = openStartupDatabase({
      path,
      open: (p) => {
        opened = true;
        return openDatabase(p);
      },
    });
    if (r.kind === 'opened') r.database.close();
    expect(opened).toBe(false);
    expect(r).toMatchObject({ kind: 'refused', message: { level: 'error', title: 'Perch is older than its data' } });
    expect(r.message?.detail).toContain(`${what} data version 999`);
    expect(readFileSync(path).equals(before)).toBe(true);
  });
});

describe('settings path that cannot be read', () => {
  it('is moved aside like a corrupt file: defaults and a notice', () => {
    const moved: string[] = [];
    const store = createSettingsStore({
      readRaw: () => {
        throw Object.assign(new Error('EISDIR: illegal operation on a directory, read'), { code: 'EISDIR' });
      },
      write: () => undefined,
      backupCorrupt: (_raw, at) => {
        moved.push(at.toISOString());
        return 'settings.corrupt-x.json';
      },
    });
    expect(moved).toHaveLength(1);
    expect(store.get().environment).toBe('demo');
    expect(store.takeStartupNotices()[0]?.message).toMatch(/it is a folder, not a file.*kept as settings\.corrupt-x\.json/);
  });
});

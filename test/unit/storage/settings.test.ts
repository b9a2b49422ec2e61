// Seam: the settings store over the Node JSON-file backend in a temp dir; a failing fs is injected
// to simulate a full disk.
import * as fs from 'node:fs';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultSettings } from '../../../src/shared/domain';
import {
  createFileSettingsBackend,
  createSettingsStore,
  parseSettingsDocument,
  SETTINGS_VERSION,
  type SettingsFs,
} from '../../../src/main/storage/settings';

let dir: string;
let file: string;
const fixedNow = () => new Date('2026-03-01T10:20:30.456Z');

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'perch-settings-'));
  file = join(dir, 'settings.json');
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const readDoc = () => JSON.parse(readFileSync(file, 'utf8')) as { version: number; settings: Record<string, unknown>; window?: unknown };

describe('fresh start', () => {
  it('no file: defaults, no notice, nothing written until a change', () => {
    const store = createSettingsStore(createFileSettingsBackend(file), fixedNow);
    expect(store.get()).toEqual(defaultSettings());
    expect(store.takeStartupNotices()).toEqual([]);
    expect(fs.existsSync(file)).toBe(false);
  });

  it('update validates, persists and survives a reload', () => {
    const store = createSettingsStore(createFileSettingsBackend(file), fixedNow);
    expect(store.update({ theme: 'dark', smallBalanceThreshold: '2.5' })).toMatchObject({ theme: 'dark', smallBalanceThreshold: '2.5' });
    expect(readDoc()).toMatchObject({ version: SETTINGS_VERSION, settings: { theme: 'dark' } });
    const again = createSettingsStore(createFileSettingsBackend(file), fixedNow);
    expect(again.get().theme).toBe('dark');
    expect(again.get().smallBalanceThreshold).toBe('2.5');
  });

  it('an invalid patch throws and changes nothing', () => {
    const store = createSettingsStore(createFileSettingsBackend(file), fixedNow);
    store.update({ theme: 'light' });
    expect(() => store.update({ theme: 'neon' } as never)).toThrow();
    expect(() => store.update({ bogus: 1 } as never)).toThrow();
    expect(store.get().theme).toBe('light');
    expect(readDoc().settings['theme']).toBe('light');
  });

  it('window bounds round-trip without touching the settings', () => {
    const store = createSettingsStore(createFileSettingsBackend(file), fixedNow);
    store.setWindowBounds({ x: 10, y: 20, width: 900, height: 700 });
    expect(createSettingsStore(createFileSettingsBackend(file)).getWindowBounds()).toEqual({ x: 10, y: 20, width: 900, height: 700 });
  });
});

describe('migrations', () => {
  const v1 = {
    version: 1,
    environment: 'live',
    quote: 'BTC',
    theme: 'dark',
    hideSmall: true,
    smallBalanceThreshold: 0.5,
    privacy: true,
    windowBounds: { width: 1000, height: 700 },
  };

  it('v1 -> v3: renames fields, maps live to production, threshold to a decimal string; a real environment counts as onboarded', () => {
    const loaded = parseSettingsDocument(JSON.stringify(v1));
    expect(loaded.migratedFrom).toBe(1);
    expect(loaded.corruptReason).toBeNull();
    expect(loaded.document).toEqual({
      version: SETTINGS_VERSION,
      settings: {
        ...defaultSettings(),
        environment: 'production',
        quoteCurrency: 'BTC',
        theme: 'dark',
        hideSmallBalances: true,
        smallBalanceThreshold: '0.5',
        privacyMode: true,
        onboarded: true,
      },
      window: { width: 1000, height: 700 },
    });
  });

  it('a v1 demo file is not onboarded (it may be a first start)', () => {
    expect(parseSettingsDocument(JSON.stringify({ ...v1, environment: 'demo' })).document.settings.onboarded).toBe(false);
  });

  // a v2 file as Perch 0.1 wrote it: every v2 setting, no `onboarded`
  const v2Settings = (over: Record<string, unknown> = {}): Record<string, unknown> => {
    const { onboarded: _dropped, costMethod: _notYet, ...rest } = { ...defaultSettings(), ...over };
    return rest;
  };

  it.each([
    ['testnet', true],
    ['demo-mode', true],
    ['production', true],
    ['demo', false],
  ] as const)('v2 -> v3: environment %s gives onboarded = %s, everything else kept', (environment, onboarded) => {
    const raw = JSON.stringify({
      version: 2,
      settings: v2Settings({ environment, theme: 'light', startAtLogin: true }),
      window: { width: 900, height: 600 },
    });
    const loaded = parseSettingsDocument(raw);
    expect(loaded.corruptReason).toBeNull();
    expect(loaded.migratedFrom).toBe(2);
    expect(loaded.document).toEqual({
      version: SETTINGS_VERSION,
      settings: { ...defaultSettings(), environment, theme: 'light', startAtLogin: true, onboarded },
      window: { width: 900, height: 600 },
    });
  });

  it('v2 -> v3 is written back, and a reload keeps the value (no second migration)', () => {
    writeFileSync(file, JSON.stringify({ version: 2, settings: v2Settings({ environment: 'testnet' }) }));
    expect(createSettingsStore(createFileSettingsBackend(file), fixedNow).get().onboarded).toBe(true);
    expect(readDoc()).toMatchObject({ version: SETTINGS_VERSION, settings: { environment: 'testnet', onboarded: true } });
    const again = createSettingsStore(createFileSettingsBackend(file), fixedNow);
    again.update({ onboarded: false });
    expect(createSettingsStore(createFileSettingsBackend(file), fixedNow).get().onboarded).toBe(false);
  });

  it('v3 -> v4: the P&L cost-basis method is average cost (the P&L view’s old default), everything else kept; FIFO once chosen stays', () => {
    const { costMethod: _new, ...v3 } = { ...defaultSettings(), environment: 'testnet' as const, onboarded: true, theme: 'dark' as const };
    const loaded = parseSettingsDocument(JSON.stringify({ version: 3, settings: v3 }));
    expect(loaded.corruptReason).toBeNull();
    expect(loaded.migratedFrom).toBe(3);
    expect(loaded.document.settings).toEqual({ ...v3, costMethod: 'average' });
    const store = createSettingsStore(createFileSettingsBackend(file), fixedNow);
    expect(store.update({ costMethod: 'fifo' }).costMethod).toBe('fifo');
    expect(createSettingsStore(createFileSettingsBackend(file), fixedNow).get().costMethod).toBe('fifo');
    expect(() => store.update({ costMethod: 'lifo' } as never)).toThrow();
    expect(
      parseSettingsDocument(JSON.stringify({ version: 4, settings: { ...defaultSettings(), costMethod: 'lifo' } })).corruptReason,
    ).toMatch(/costMethod/);
  });

  it('a v2 file whose settings are not an object counts as corrupt, not a crash', () => {
    expect(parseSettingsDocument(JSON.stringify({ version: 2, settings: 'x' })).corruptReason).toMatch(/settings/);
  });

  it('the file on disk has the same bounds as the contract: a 900,001-character threshold is neither loaded nor saved', () => {
    const huge = '1'.repeat(900_001);
    writeFileSync(file, JSON.stringify({ version: SETTINGS_VERSION, settings: { ...defaultSettings(), smallBalanceThreshold: huge } }));
    const loaded = parseSettingsDocument(readFileSync(file, 'utf8'));
    expect(loaded.corruptReason).toMatch(/smallBalanceThreshold/);
    expect(loaded.document.settings.smallBalanceThreshold).toBe(defaultSettings().smallBalanceThreshold);
    const store = createSettingsStore(createFileSettingsBackend(file), fixedNow);
    expect(() => store.update({ smallBalanceThreshold: huge })).toThrow();
    expect(String(readDoc().settings['smallBalanceThreshold']).length).toBeLessThan(100);
  });

  it('onboarded is set through update like any other setting', () => {
    const store = createSettingsStore(createFileSettingsBackend(file), fixedNow);
    expect(store.get().onboarded).toBe(false);
    store.update({ onboarded: true });
    expect(readDoc().settings['onboarded']).toBe(true);
    expect(() => store.update({ onboarded: 'yes' } as never)).toThrow();
  });

  it('a file without version is treated as v1', () => {
    expect(parseSettingsDocument(JSON.stringify({ quote: 'EUR' })).document.settings.quoteCurrency).toBe('EUR');
  });

  it('the migrated document is written back at once, and no notice of corruption is raised', () => {
    writeFileSync(file, JSON.stringify(v1));
    const store = createSettingsStore(createFileSettingsBackend(file), fixedNow);
    expect(store.get().environment).toBe('production');
    expect(readDoc().version).toBe(SETTINGS_VERSION);
    expect(store.takeStartupNotices()).toEqual([]);
  });

  it('a v1 file that migrates into invalid values counts as corrupt', () => {
    expect(parseSettingsDocument(JSON.stringify({ ...v1, theme: 'neon' })).corruptReason).toMatch(/settings\.theme/);
  });
});

describe('corruption', () => {
  it.each([
    ['bad JSON', '{"version": 3, "settings": {', /not valid JSON/],
    [
      'schema failure',
      JSON.stringify({ version: 3, settings: { ...defaultSettings(), smallBalanceThreshold: -1 } }),
      /smallBalanceThreshold/,
    ],
    ['v3 without onboarded', JSON.stringify({ version: 3, settings: { ...defaultSettings(), onboarded: undefined } }), /onboarded/],
    ['not an object', '[1,2,3]', /settings object/],
    ['from a newer Perch', JSON.stringify({ version: 99, settings: {} }), /newer Perch/],
  ])('%s: backed up, replaced with defaults, with a notice', (_label, raw, reason) => {
    writeFileSync(file, raw);
    const store = createSettingsStore(createFileSettingsBackend(file), fixedNow);
    expect(store.get()).toEqual(defaultSettings());
    const backupName = 'settings.corrupt-2026-03-01T10-20-30-456Z.json';
    expect(readdirSync(dir).sort()).toEqual([backupName, 'settings.json']);
    expect(readFileSync(join(dir, backupName), 'utf8')).toBe(raw);
    expect(readDoc()).toEqual({ version: SETTINGS_VERSION, settings: defaultSettings() });
    const notices = store.takeStartupNotices();
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ level: 'warning', code: 'settings-corrupt' });
    expect(notices[0]?.message).toMatch(reason);
    expect(notices[0]?.message).toContain(backupName);
    expect(store.takeStartupNotices()).toEqual([]);
  });
});

describe('atomic writes', () => {
  function recordingFs(failOn?: { call: keyof SettingsFs; code: string }): SettingsFs & { calls: string[] } {
    const calls: string[] = [];
    const wrap = <K extends keyof SettingsFs>(name: K): SettingsFs[K] =>
      ((...args: unknown[]) => {
        calls.push(`${name}:${String(args[0]).replace(dir, '')}`);
        if (failOn?.call === name) throw Object.assign(new Error(`${failOn.code}: simulated`), { code: failOn.code });
        return (fs[name] as (...a: unknown[]) => unknown)(...args);
      }) as SettingsFs[K];
    return {
      calls,
      readFileSync: wrap('readFileSync'),
      writeFileSync: wrap('writeFileSync'),
      renameSync: wrap('renameSync'),
      rmSync: wrap('rmSync'),
      mkdirSync: wrap('mkdirSync'),
      openSync: wrap('openSync'),
      fsyncSync: wrap('fsyncSync'),
      closeSync: wrap('closeSync'),
    };
  }

  it('writes a temp file in the same folder, fsyncs it, then renames it over the settings file', () => {
    const rfs = recordingFs();
    createSettingsStore(createFileSettingsBackend(file, rfs), fixedNow).update({ theme: 'dark' });
    const writeCalls = rfs.calls.filter((c) => !c.startsWith('readFileSync') && !c.startsWith('mkdirSync'));
    expect(writeCalls[0]).toMatch(/^openSync:\/settings\.json\.tmp-/);
    expect(writeCalls.at(-1)).toMatch(/^renameSync:\/settings\.json\.tmp-/);
    expect(writeCalls.some((c) => c.startsWith('fsyncSync'))).toBe(true);
    expect(readdirSync(dir)).toEqual(['settings.json']);
  });

  it('disk full: a clear storage error, the old file and the old settings are kept, no temp file left', () => {
    createSettingsStore(createFileSettingsBackend(file), fixedNow).update({ theme: 'light' });
    const before = readFileSync(file, 'utf8');
    const store = createSettingsStore(createFileSettingsBackend(file, recordingFs({ call: 'writeFileSync', code: 'ENOSPC' })), fixedNow);
    let thrown: unknown;
    try {
      store.update({ theme: 'dark' });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toMatchObject({ code: 'storage' });
    expect((thrown as Error).message).toMatch(/disk is full/);
    expect((thrown as Error).message).toMatch(/previous settings are kept/);
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(store.get().theme).toBe('light');
    expect(readdirSync(dir)).toEqual(['settings.json']);
  });

  it('a failing rename (read-only folder) keeps the old file too', () => {
    createSettingsStore(createFileSettingsBackend(file), fixedNow).update({ theme: 'light' });
    const store = createSettingsStore(createFileSettingsBackend(file, recordingFs({ call: 'renameSync', code: 'EROFS' })), fixedNow);
    expect(() => store.update({ privacyMode: true })).toThrow(/not writable/);
    expect(readDoc().settings['privacyMode']).toBe(false);
    expect(readdirSync(dir)).toEqual(['settings.json']);
  });
});

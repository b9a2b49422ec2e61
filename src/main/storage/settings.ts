import * as nodeFs from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { defaultSettings, Settings, SettingsPatch, type Notice } from '../../shared/domain';
import { AppError } from '../../shared/ipc/result';

/**
 * Settings on disk: `{ version, settings, window }`. Each version bump adds a migration; a file
 * that is not JSON, fails the schema after migrating, or comes from a newer Perch is kept as
 * settings.corrupt-<time>.json and replaced with defaults, with a notice saying so.
 */
export const SETTINGS_VERSION = 4;

export const SettingsDocument = z.object({
  version: z.literal(SETTINGS_VERSION),
  settings: Settings,
  /** window bounds, validated again (and clamped) when the window opens */
  window: z.unknown().optional(),
});
export type SettingsDocument = z.infer<typeof SettingsDocument>;

type Migration = (doc: Record<string, unknown>) => Record<string, unknown>;

/**
 * v1 (Perch 0.0.x) was flat: `{ version: 1, environment: 'demo'|'testnet'|'live', quote,
 * theme, hideSmall, smallBalanceThreshold: number, privacy, windowBounds }`. v2 nests the user
 * settings, renames 'live' to 'production', and stores the threshold as a decimal string.
 * Each migration produces exactly its target version; later ones run after it.
 */
const migrations: Readonly<Record<number, Migration>> = {
  1: (v1) => {
    const env = v1['environment'] === 'live' ? 'production' : v1['environment'];
    const threshold = v1['smallBalanceThreshold'];
    const defaults = defaultSettings();
    return {
      version: 2,
      settings: {
        ...defaults,
        ...(env !== undefined ? { environment: env } : {}),
        ...(v1['quote'] !== undefined ? { quoteCurrency: v1['quote'] } : {}),
        ...(v1['theme'] !== undefined ? { theme: v1['theme'] } : {}),
        ...(v1['hideSmall'] !== undefined ? { hideSmallBalances: v1['hideSmall'] } : {}),
        ...(v1['privacy'] !== undefined ? { privacyMode: v1['privacy'] } : {}),
        ...(typeof threshold === 'number' && Number.isFinite(threshold) && threshold >= 0
          ? { smallBalanceThreshold: decimalFromNumber(threshold) }
          : typeof threshold === 'string'
            ? { smallBalanceThreshold: threshold }
            : {}),
      },
      ...(v1['windowBounds'] !== undefined ? { window: v1['windowBounds'] } : {}),
    };
  },
  /**
   * v3 adds `onboarded` (the renderer kept it in localStorage before, which main cannot read).
   * Someone who already picked a real environment has been through the welcome screen; a demo
   * file may be a first start, so it shows once more. A saved key lives in the keychain, not in
   * this file: the renderer marks those people onboarded once it sees their key.
   */
  2: (v2) => {
    const settings = v2['settings'];
    if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) return { ...v2, version: 3 };
    const s = settings as Record<string, unknown>;
    return { ...v2, version: 3, settings: { ...s, onboarded: s['environment'] !== undefined && s['environment'] !== 'demo' } };
  },
  /** v4 adds the P&L cost-basis method (it was a choice in the P&L view, not stored): average cost, the view's old default. */
  3: (v3) => {
    const settings = v3['settings'];
    if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) return { ...v3, version: 4 };
    return { ...v3, version: 4, settings: { costMethod: 'average', ...(settings as Record<string, unknown>) } };
  },
};

function decimalFromNumber(n: number): string {
  // v1 stored small thresholds like 0.5 or 10; toFixed + trim avoids "1e-7" forms
  return n.toFixed(8).replace(/\.?0+$/, '') || '0';
}

export interface LoadedSettings {
  readonly document: SettingsDocument;
  /** why the file was replaced, if it was */
  readonly corruptReason: string | null;
  readonly migratedFrom: number | null;
}

/** Pure: raw file text (null = no file) -> a valid document. */
export function parseSettingsDocument(raw: string | null): LoadedSettings {
  const fresh = (): SettingsDocument => ({ version: SETTINGS_VERSION, settings: defaultSettings() });
  if (raw === null || raw.trim() === '') return { document: fresh(), corruptReason: null, migratedFrom: null };
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return { document: fresh(), corruptReason: 'it is not valid JSON', migratedFrom: null };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { document: fresh(), corruptReason: 'it does not contain a settings object', migratedFrom: null };
  }
  let doc = data as Record<string, unknown>;
  const rawVersion = doc['version'] ?? 1;
  if (typeof rawVersion !== 'number' || !Number.isInteger(rawVersion) || rawVersion < 1) {
    return { document: fresh(), corruptReason: 'its version is not a number', migratedFrom: null };
  }
  if (rawVersion > SETTINGS_VERSION) {
    return { document: fresh(), corruptReason: `it was written by a newer Perch (settings version ${rawVersion})`, migratedFrom: null };
  }
  let version = rawVersion;
  while (version < SETTINGS_VERSION) {
    const migrate = migrations[version];
    if (!migrate) return { document: fresh(), corruptReason: `no migration from settings version ${version}`, migratedFrom: null };
    doc = migrate(doc);
    version += 1;
  }
  const parsed = SettingsDocument.safeParse(doc);
  if (!parsed.success) {
    const where = parsed.error.issues[0]?.path.map(String).join('.') || 'settings';
    return { document: fresh(), corruptReason: `the value of "${where}" is not valid`, migratedFrom: null };
  }
  return { document: parsed.data, corruptReason: null, migratedFrom: rawVersion === SETTINGS_VERSION ? null : rawVersion };
}

/** Where the settings actually live: a JSON file (Node) or electron-store (the app). */
export interface SettingsBackend {
  /** the raw text, or null when there is no file yet */
  readRaw(): string | null;
  /** persist the whole document; must leave the old file intact when it throws */
  write(document: SettingsDocument): void;
  /** move the unusable file aside (next to the settings); returns the backup's file name */
  backupCorrupt(raw: string, at: Date): string;
}

export interface SettingsStore {
  get(): Settings;
  /** validated; on a write failure the old settings stay in memory and on disk */
  update(patch: SettingsPatch): Settings;
  getWindowBounds(): unknown;
  setWindowBounds(bounds: unknown): void;
  /** notices raised while loading (corrupt file replaced, migrated); returned once */
  takeStartupNotices(): Notice[];
}

function unreadableReason(e: unknown): string {
  const code = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
  if (code === 'EISDIR') return 'it is a folder, not a file';
  if (code === 'EACCES' || code === 'EPERM') return 'Perch is not allowed to read it';
  return 'it could not be read';
}

export function corruptBackupName(settingsFileName: string, at: Date): string {
  const stem = settingsFileName.replace(/\.json$/, '');
  return `${stem}.corrupt-${at.toISOString().replace(/[:.]/g, '-')}.json`;
}

export function createSettingsStore(backend: SettingsBackend, now: () => Date = () => new Date()): SettingsStore {
  const notices: Notice[] = [];
  // A settings path that cannot be read (a folder in its place, no permission) is handled like a
  // corrupt file: moved aside, defaults, a notice. Throwing here would end the start with no window.
  let raw: string | null;
  let unreadable: string | null = null;
  try {
    raw = backend.readRaw();
  } catch (e) {
    raw = '';
    unreadable = unreadableReason(e);
  }
  const parsed = parseSettingsDocument(unreadable === null ? raw : null);
  const loaded: LoadedSettings = unreadable === null ? parsed : { ...parsed, corruptReason: unreadable };
  let document = loaded.document;
  if (loaded.corruptReason !== null && raw !== null) {
    const at = now();
    let backup: string | null;
    try {
      backup = backend.backupCorrupt(raw, at);
    } catch {
      backup = null;
    }
    notices.push({
      id: `settings-corrupt-${at.getTime()}`,
      level: 'warning',
      code: 'settings-corrupt',
      at: at.getTime(),
      message: backup
        ? `Your settings file could not be read (${loaded.corruptReason}), so Perch started with default settings. The old file was kept as ${backup}.`
        : `Your settings file could not be read (${loaded.corruptReason}), so Perch started with default settings. The old file could not be backed up and was left in place.`,
    });
    if (backup) tryWrite(document);
  } else if (loaded.migratedFrom !== null) {
    tryWrite(document);
  }

  function tryWrite(doc: SettingsDocument): void {
    try {
      backend.write(doc);
    } catch (e) {
      notices.push({
        id: `settings-write-${now().getTime()}`,
        level: 'warning',
        code: 'settings-write-failed',
        at: now().getTime(),
        message: writeFailureMessage(e),
      });
    }
  }

  function persist(next: SettingsDocument): void {
    try {
      backend.write(next);
    } catch (e) {
      throw new AppError('storage', writeFailureMessage(e), { cause: e });
    }
    document = next;
  }

  return {
    get: () => document.settings,
    update(patch) {
      const checked = SettingsPatch.parse(patch);
      const settings = Settings.parse({ ...document.settings, ...checked });
      persist({ ...document, settings });
      return settings;
    },
    getWindowBounds: () => document.window,
    setWindowBounds(bounds) {
      try {
        persist({ ...document, window: bounds });
      } catch {
        // losing window bounds is not worth an error dialog
      }
    },
    takeStartupNotices: () => notices.splice(0, notices.length),
  };
}

export function writeFailureMessage(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  if (code === 'ENOSPC')
    return 'Perch could not save your settings because the disk is full. Your previous settings are kept; free some space and try again.';
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
    return 'Perch could not save your settings because its settings folder is not writable. Your previous settings are kept.';
  return 'Perch could not save your settings. Your previous settings are kept; please try again.';
}

/** The fs calls the file backend needs; tests inject a failing one to simulate a full disk. */
export type SettingsFs = Pick<
  typeof nodeFs,
  'readFileSync' | 'writeFileSync' | 'renameSync' | 'rmSync' | 'mkdirSync' | 'openSync' | 'fsyncSync' | 'closeSync'
>;

/**
 * A JSON file written atomically: the new text goes to a temp file in the same folder, is
 * flushed, then renamed over the old one, so a crash or a full disk never leaves half a file.
 */
export function createFileSettingsBackend(path: string, fs: SettingsFs = nodeFs): SettingsBackend {
  let counter = 0;
  return {
    readRaw() {
      try {
        return fs.readFileSync(path, 'utf8');
      } catch (e) {
        if ((e as { code?: unknown }).code === 'ENOENT') return null;
        throw e;
      }
    },
    write(document) {
      fs.mkdirSync(dirname(path), { recursive: true });
      const tmp = `${path}.tmp-${process.pid}-${++counter}`;
      try {
        const fd = fs.openSync(tmp, 'w', 0o600);
        try {
          fs.writeFileSync(fd, `${JSON.stringify(document, null, 2)}\n`, 'utf8');
          fs.fsyncSync(fd);
        } finally {
          fs.closeSync(fd);
        }
        fs.renameSync(tmp, path);
      } catch (e) {
        try {
          fs.rmSync(tmp, { force: true });
        } catch {
          // the temp file is harmless; the real error matters
        }
        throw e;
      }
    },
    backupCorrupt(_raw, at) {
      // moved, not copied: the unreadable bytes are kept exactly, and the next write starts clean
      const name = corruptBackupName(basename(path), at);
      fs.renameSync(path, join(dirname(path), name));
      return name;
    },
  };
}

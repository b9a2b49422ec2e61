import { readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import Store from 'electron-store';
import {
  corruptBackupName,
  createSettingsStore,
  type SettingsBackend,
  type SettingsDocument,
  type SettingsStore,
} from '../storage/settings';

/**
 * Settings in electron-store (atomic writes via conf). Validation, migrations and corruption
 * handling are ours (storage/settings.ts): electron-store's own migrations are documented as
 * unsupported, and its clearInvalidConfig would drop a bad file without a backup.
 */
export function createElectronSettingsStore(options: { readonly userData: string; readonly name?: string }): SettingsStore {
  const name = options.name ?? 'settings';
  const path = join(options.userData, `${name}.json`);
  let store: Store<Record<string, unknown>> | undefined;
  // Constructed lazily: conf parses the file in its constructor and would throw on a corrupt one
  // before we had a chance to move it aside.
  const open = (): Store<Record<string, unknown>> =>
    (store ??= new Store<Record<string, unknown>>({
      name,
      cwd: options.userData,
      clearInvalidConfig: false,
      accessPropertiesByDotNotation: false,
      watch: false,
    }));
  const backend: SettingsBackend = {
    readRaw() {
      try {
        return readFileSync(path, 'utf8');
      } catch (e) {
        if ((e as { code?: unknown }).code === 'ENOENT') return null;
        throw e;
      }
    },
    write(document: SettingsDocument) {
      open().store = document;
    },
    backupCorrupt(_raw, at) {
      const backup = corruptBackupName(`${name}.json`, at);
      renameSync(path, join(options.userData, backup));
      return backup;
    },
  };
  return createSettingsStore(backend);
}

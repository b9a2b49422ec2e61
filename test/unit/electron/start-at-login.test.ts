// Seam: the start-at-login adapter with Electron's setLoginItemSettings replaced by a recorder and
// the Linux entry written into a temp XDG_CONFIG_HOME; the settings store is the real file store.
import * as fs from 'node:fs';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AUTOSTART_ARG, createStartAtLogin, type StartAtLoginDeps } from '../../../src/main/electron/start-at-login';
import { autostartFilePath, createLinuxAutostart, launchCommand } from '../../../src/main/storage/linux-autostart';
import { createFileSettingsBackend, createSettingsStore } from '../../../src/main/storage/settings';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'perch-login-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const execPath = '/opt/Perch App/perch';
function deps(platform: NodeJS.Platform, calls: unknown[] = []): StartAtLoginDeps {
  const env = { XDG_CONFIG_HOME: join(dir, 'config') };
  return {
    platform,
    setLoginItemSettings: (s) => calls.push(s),
    linux: () => ({
      autostart: createLinuxAutostart({ path: autostartFilePath(env, '/home/nobody') }),
      command: launchCommand({ execPath, env, isPackaged: true, appPath: '/unused', args: [AUTOSTART_ARG] }),
    }),
  };
}
const entryPath = () => join(dir, 'config', 'autostart', 'perch.desktop');

describe('where start at login is applied', () => {
  it('Linux: the autostart desktop entry is written and removed; Electron login items are not used', () => {
    const calls: unknown[] = [];
    const login = createStartAtLogin(deps('linux', calls));
    login.set(true, () => {
      throw new Error('revert must not run on success');
    });
    const text = readFileSync(entryPath(), 'utf8');
    expect(text).toContain('Exec="/opt/Perch App/perch" --autostart\n');
    expect(text).toContain('X-GNOME-Autostart-enabled=true\n');
    login.set(false, () => undefined);
    expect(fs.existsSync(entryPath())).toBe(false);
    expect(calls).toEqual([]);
  });

  it.each(['darwin', 'win32'] as const)('%s: Electron login items, no desktop file', (platform) => {
    const calls: unknown[] = [];
    const login = createStartAtLogin(deps(platform, calls));
    login.set(true, () => undefined);
    login.set(false, () => undefined);
    expect(calls).toEqual([
      { openAtLogin: true, args: [AUTOSTART_ARG] },
      { openAtLogin: false, args: [AUTOSTART_ARG] },
    ]);
    expect(fs.existsSync(entryPath())).toBe(false);
  });
});

describe('a failure is a clear error, never a crash, and the saved setting follows reality', () => {
  it('Linux write failure: AppError storage, the setting is reverted in the settings file', () => {
    // a file where the autostart folder must go makes the write fail for any user, root included
    fs.mkdirSync(join(dir, 'config'), { recursive: true });
    writeFileSync(join(dir, 'config', 'autostart'), 'in the way');
    const settings = createSettingsStore(createFileSettingsBackend(join(dir, 'settings.json')));
    const login = createStartAtLogin(deps('linux'));
    // as the core does it: the setting is saved, then applied
    settings.update({ startAtLogin: true });
    let error: unknown;
    try {
      login.set(true, () => settings.update({ startAtLogin: false }));
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ name: 'AppError', code: 'storage' });
    expect((error as Error).message).toMatch(
      /could not set up start at login: writing .*perch\.desktop failed \(a file is in the way of the autostart folder\)\. Start at login is off\.$/,
    );
    expect(settings.get().startAtLogin).toBe(false);
    expect(createSettingsStore(createFileSettingsBackend(join(dir, 'settings.json'))).get().startAtLogin).toBe(false);
  });

  it('an Electron failure (not an AppError) is wrapped in a storage error', () => {
    const login = createStartAtLogin({
      ...deps('win32'),
      setLoginItemSettings: () => {
        throw new Error('registry says no');
      },
    });
    expect(() => login.set(true, () => undefined)).toThrow(/could not turn on start at login\. Start at login is off\./);
  });

  it('a failing revert still reports the original problem', () => {
    fs.mkdirSync(join(dir, 'config'), { recursive: true });
    writeFileSync(join(dir, 'config', 'autostart'), 'in the way');
    const login = createStartAtLogin(deps('linux'));
    expect(() =>
      login.set(true, () => {
        throw new Error('disk gone');
      }),
    ).toThrow(/writing .*perch\.desktop failed/);
  });
});

describe('refresh at start-up', () => {
  it('with start at login on (Linux), the entry is rewritten with the current executable', () => {
    fs.mkdirSync(join(dir, 'config', 'autostart'), { recursive: true });
    writeFileSync(entryPath(), '[Desktop Entry]\nType=Application\nName=Perch\nExec=/old/place/perch\n');
    expect(createStartAtLogin(deps('linux')).refresh(true, 1)).toBeNull();
    expect(readFileSync(entryPath(), 'utf8')).toContain('Exec="/opt/Perch App/perch" --autostart\n');
  });

  it('off, or not Linux: nothing is touched', () => {
    expect(createStartAtLogin(deps('linux')).refresh(false, 1)).toBeNull();
    const calls: unknown[] = [];
    expect(createStartAtLogin(deps('darwin', calls)).refresh(true, 1)).toBeNull();
    expect(calls).toEqual([]);
    expect(fs.existsSync(join(dir, 'config'))).toBe(false);
  });

  it('a failure becomes a warning notice for the notices bar', () => {
    fs.mkdirSync(join(dir, 'config'), { recursive: true });
    writeFileSync(join(dir, 'config', 'autostart'), 'in the way');
    const notice = createStartAtLogin(deps('linux')).refresh(true, 1234);
    expect(notice).toMatchObject({ id: 'start-at-login-failed', level: 'warning', code: 'start-at-login-failed', at: 1234 });
    expect(notice?.message).toMatch(
      /could not set up start at login: writing .*perch\.desktop failed .* switch start at login off in Settings/,
    );
  });
});

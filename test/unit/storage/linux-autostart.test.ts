// Seam: the autostart entry written into a temp XDG_CONFIG_HOME, parsed back with an independent
// reader of the Desktop Entry format (string unescaping, then Exec unquoting, as the spec orders).
import * as fs from 'node:fs';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  autostartDesktopEntry,
  autostartFilePath,
  createLinuxAutostart,
  launchCommand,
  quoteExecArgument,
  type AutostartFs,
  type LaunchCommand,
} from '../../../src/main/storage/linux-autostart';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'perch-autostart-'));
});
afterEach(() => {
  chmodSync(dir, 0o755);
  rmSync(dir, { recursive: true, force: true });
});

/** `[Desktop Entry]` keys -> values with the string escapes (\s \n \t \r \\) undone. */
function parseDesktopEntry(text: string): Record<string, string> {
  const lines = text.split('\n');
  expect(lines[0]).toBe('[Desktop Entry]');
  const out: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([A-Za-z0-9-]+)=(.*)$/.exec(line);
    if (!m) throw new Error(`not a key=value line: ${JSON.stringify(line)}`);
    expect(out).not.toHaveProperty(m[1]!);
    out[m[1]!] = m[2]!.replace(/\\(.)/g, (_all, c: string) => ({ s: ' ', n: '\n', t: '\t', r: '\r', '\\': '\\' })[c] ?? `\\${c}`);
  }
  return out;
}

/** Exec -> argv: whitespace splits, "..." quotes with \" \` \$ \\ escapes, %% is a literal %. */
function splitExec(exec: string): string[] {
  const argv: string[] = [];
  let i = 0;
  while (i < exec.length) {
    if (exec[i] === ' ') {
      i++;
      continue;
    }
    let arg = '';
    if (exec[i] === '"') {
      i++;
      while (exec[i] !== '"') {
        if (i >= exec.length) throw new Error('unterminated quote');
        if (exec[i] === '\\') {
          const next = exec[i + 1]!;
          if (!'"`$\\'.includes(next)) throw new Error(`bad escape \\${next}`);
          arg += next;
          i += 2;
        } else {
          arg += exec[i];
          i++;
        }
      }
      i++;
    } else {
      while (i < exec.length && exec[i] !== ' ') {
        if ('"\'\\<>~|&;$*?#()`\t\n'.includes(exec[i]!)) throw new Error(`unquoted reserved character ${exec[i]!}`);
        arg += exec[i];
        i++;
      }
    }
    argv.push(arg);
  }
  return argv.map((a) => {
    if (/%(?!%)/.test(a.replace(/%%/g, ''))) throw new Error(`field code in ${a}`);
    return a.replace(/%%/g, '%');
  });
}

const autostartIn = (xdg: string) => autostartFilePath({ XDG_CONFIG_HOME: xdg }, '/home/nobody');

describe('where the entry goes', () => {
  it('$XDG_CONFIG_HOME/autostart/perch.desktop, else ~/.config/autostart (empty or relative XDG_CONFIG_HOME is ignored)', () => {
    expect(autostartFilePath({ XDG_CONFIG_HOME: '/x/cfg' }, '/home/ann')).toBe('/x/cfg/autostart/perch.desktop');
    expect(autostartFilePath({}, '/home/ann')).toBe('/home/ann/.config/autostart/perch.desktop');
    expect(autostartFilePath({ XDG_CONFIG_HOME: '' }, '/home/ann')).toBe('/home/ann/.config/autostart/perch.desktop');
    expect(autostartFilePath({ XDG_CONFIG_HOME: 'rel/cfg' }, '/home/ann')).toBe('/home/ann/.config/autostart/perch.desktop');
  });

  it('the command: an AppImage is started through $APPIMAGE, an unpackaged run through electron + the app folder', () => {
    const base = { execPath: '/tmp/.mount_PerchX/perch', appPath: '/src/perch', args: ['--autostart'] };
    expect(launchCommand({ ...base, env: { APPIMAGE: '/home/ann/Apps/Perch.AppImage' }, isPackaged: true })).toEqual({
      executable: '/home/ann/Apps/Perch.AppImage',
      args: ['--autostart'],
    });
    expect(launchCommand({ ...base, env: {}, isPackaged: true })).toEqual({
      executable: '/tmp/.mount_PerchX/perch',
      args: ['--autostart'],
    });
    expect(launchCommand({ ...base, env: {}, isPackaged: false })).toEqual({
      executable: '/tmp/.mount_PerchX/perch',
      args: ['/src/perch', '--autostart'],
    });
  });
});

describe('enable / disable in a temp XDG_CONFIG_HOME', () => {
  it('enabling writes a valid desktop entry that runs this executable; disabling removes it', () => {
    const path = autostartIn(join(dir, 'config'));
    const autostart = createLinuxAutostart({ path });
    expect(autostart.isEnabled()).toBe(false);
    autostart.enable({ executable: '/opt/Perch/perch', args: ['--autostart'] });
    expect(autostart.isEnabled()).toBe(true);
    expect(path).toBe(join(dir, 'config', 'autostart', 'perch.desktop'));
    const entry = parseDesktopEntry(readFileSync(path, 'utf8'));
    expect(entry).toMatchObject({
      Type: 'Application',
      Name: 'Perch',
      Exec: '/opt/Perch/perch --autostart',
      TryExec: '/opt/Perch/perch',
      'X-GNOME-Autostart-enabled': 'true',
      Hidden: 'false',
    });
    expect(fs.statSync(path).mode & 0o777).toBe(0o644);
    // only the entry: no temp file left behind
    expect(readdirSync(join(dir, 'config', 'autostart'))).toEqual(['perch.desktop']);

    autostart.disable();
    expect(fs.existsSync(path)).toBe(false);
    expect(autostart.isEnabled()).toBe(false);
    // disabling again is not an error
    expect(() => autostart.disable()).not.toThrow();
  });

  it('enabling twice replaces the entry (a moved AppImage gets its new path)', () => {
    const path = autostartIn(dir);
    const autostart = createLinuxAutostart({ path });
    autostart.enable({ executable: '/old/Perch.AppImage', args: [] });
    autostart.enable({ executable: '/new/Perch.AppImage', args: [] });
    expect(parseDesktopEntry(readFileSync(path, 'utf8'))['Exec']).toBe('/new/Perch.AppImage');
  });

  it.each<[string, LaunchCommand]>([
    ['spaces', { executable: '/home/ann/My Apps/Perch 1.0.AppImage', args: ['--autostart'] }],
    ['quotes, $ and backtick', { executable: '/home/ann/it\'s "my" $HOME `x`/perch', args: [] }],
    ['a backslash', { executable: '/home/ann/back\\slash/perch', args: [] }],
    ['percent', { executable: '/home/ann/100% sure/perch', args: ['--a=%f'] }],
    ['a tab and a newline', { executable: '/home/ann/odd\tdir\nname/perch', args: [] }],
    ['an empty argument', { executable: '/opt/perch', args: [''] }],
  ])('a path with %s is quoted so the session runs exactly it', (_label, command) => {
    const path = autostartIn(dir);
    createLinuxAutostart({ path }).enable(command);
    const entry = parseDesktopEntry(readFileSync(path, 'utf8'));
    expect(splitExec(entry['Exec']!)).toEqual([command.executable, ...command.args]);
    expect(entry['TryExec']).toBe(command.executable);
  });

  it('quoting follows the spec literally', () => {
    expect(quoteExecArgument('/opt/perch')).toBe('/opt/perch');
    expect(quoteExecArgument('/a b/perch')).toBe('"/a b/perch"');
    expect(quoteExecArgument('/a"b')).toBe('"/a\\"b"');
    expect(quoteExecArgument('50%')).toBe('50%%');
    // after the string escapes, a literal backslash in a quoted argument is four backslashes
    expect(autostartDesktopEntry({ executable: '/a\\b', args: [] })).toContain('Exec="/a\\\\\\\\b"\n');
  });

  it('a relative executable is refused (the session has no working directory for it)', () => {
    expect(() => autostartDesktopEntry({ executable: 'perch', args: [] })).toThrow(/absolute path/);
  });
});

describe('failures give a clear storage error and leave no half file', () => {
  const expectStorageError = (run: () => void, path: string, why: RegExp): void => {
    let error: unknown;
    try {
      run();
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ name: 'AppError', code: 'storage' });
    expect((error as Error).message).toContain(`could not set up start at login: writing ${path} failed`);
    expect((error as Error).message).toMatch(why);
  };

  // root ignores folder permissions, so the real chmod case runs only as a normal user
  it.runIf(process.getuid?.() !== 0)('a read-only autostart folder (real chmod): AppError storage naming the file and the reason', () => {
    const autostartDir = join(dir, 'autostart');
    mkdirSync(autostartDir);
    chmodSync(autostartDir, 0o555);
    try {
      const path = join(autostartDir, 'perch.desktop');
      expectStorageError(() => createLinuxAutostart({ path }).enable({ executable: '/opt/perch', args: [] }), path, /permission denied/);
      expect(readdirSync(autostartDir)).toEqual([]);
    } finally {
      chmodSync(autostartDir, 0o755);
    }
  });

  it('a folder that refuses new files (EACCES on open): AppError storage naming the file and the reason', () => {
    const path = autostartIn(dir);
    const failing: AutostartFs = {
      ...fs,
      openSync: (() => {
        throw Object.assign(new Error('EACCES: simulated'), { code: 'EACCES' });
      }) as typeof fs.openSync,
    };
    expectStorageError(
      () => createLinuxAutostart({ path, fs: failing }).enable({ executable: '/opt/perch', args: [] }),
      path,
      /permission denied/,
    );
    expect(fs.existsSync(path)).toBe(false);
  });

  it('a file where the autostart folder should be', () => {
    writeFileSync(join(dir, 'autostart'), 'not a folder');
    const autostart = createLinuxAutostart({ path: join(dir, 'autostart', 'perch.desktop') });
    expect(() => autostart.enable({ executable: '/opt/perch', args: [] })).toThrow(/could not set up start at login.*a file is in the way/);
  });

  it('a full disk during the write: the old entry stays intact and the temp file is removed', () => {
    const path = autostartIn(dir);
    createLinuxAutostart({ path }).enable({ executable: '/old/perch', args: [] });
    const before = readFileSync(path, 'utf8');
    const failing: AutostartFs = {
      ...fs,
      writeFileSync: ((...args: Parameters<typeof fs.writeFileSync>) => {
        fs.writeFileSync(args[0], 'half');
        throw Object.assign(new Error('ENOSPC: simulated'), { code: 'ENOSPC' });
      }) as typeof fs.writeFileSync,
    };
    expect(() => createLinuxAutostart({ path, fs: failing }).enable({ executable: '/new/perch', args: [] })).toThrow(/disk is full/);
    expect(readFileSync(path, 'utf8')).toBe(before);
    expect(readdirSync(join(dir, 'autostart'))).toEqual(['perch.desktop']);
  });

  it('a failing removal says which file to delete by hand', () => {
    const path = autostartIn(dir);
    const failing: AutostartFs = {
      ...fs,
      rmSync: (() => {
        throw Object.assign(new Error('EACCES: simulated'), { code: 'EACCES' });
      }) as typeof fs.rmSync,
    };
    let error: unknown;
    try {
      createLinuxAutostart({ path, fs: failing }).disable();
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ name: 'AppError', code: 'storage' });
    expect((error as Error).message).toContain(
      `could not turn off start at login: removing ${path} failed (permission denied). Delete that file`,
    );
  });
});

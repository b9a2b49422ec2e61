import * as nodeFs from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { AppError } from '../../shared/ipc/result';

/**
 * Start at login on Linux, per the freedesktop Desktop Application Autostart spec: a desktop
 * entry in $XDG_CONFIG_HOME/autostart. Electron's setLoginItemSettings does nothing on Linux.
 * Pure Node (no Electron): the shell adapter passes the executable path and process env.
 */

export const AUTOSTART_FILE_NAME = 'perch.desktop';

export type Env = Readonly<Record<string, string | undefined>>;

/** The Base Directory spec: an unset, empty or relative XDG_CONFIG_HOME means ~/.config. */
export function configHome(env: Env, home: string): string {
  const xdg = env['XDG_CONFIG_HOME'];
  return xdg !== undefined && xdg !== '' && isAbsolute(xdg) ? xdg : join(home, '.config');
}

export function autostartFilePath(env: Env, home: string): string {
  return join(configHome(env, home), 'autostart', AUTOSTART_FILE_NAME);
}

export interface LaunchCommand {
  /** absolute path of the program the session manager runs */
  readonly executable: string;
  readonly args: readonly string[];
}

/**
 * What starts this Perch. An AppImage runs from a temporary mount that is gone after logout,
 * so the entry names the AppImage file itself ($APPIMAGE). Unpackaged (development), the
 * Electron binary needs the app folder as its first argument.
 */
export function launchCommand(options: {
  readonly execPath: string;
  readonly env: Env;
  readonly isPackaged: boolean;
  readonly appPath: string;
  readonly args?: readonly string[];
}): LaunchCommand {
  const extra = options.args ?? [];
  const appImage = options.env['APPIMAGE'];
  if (appImage !== undefined && appImage !== '' && isAbsolute(appImage)) return { executable: appImage, args: extra };
  if (!options.isPackaged) return { executable: options.execPath, args: [options.appPath, ...extra] };
  return { executable: options.execPath, args: extra };
}

/** The Desktop Entry spec's reserved characters: an argument holding one must be quoted. */
const RESERVED = /[\s"'\\<>~|&;$*?#()`]/;

/**
 * One Exec argument: quoted in double quotes when needed, with `"`, `` ` ``, `$` and `\`
 * backslash-escaped inside; `%` doubled everywhere so it is never read as a field code.
 */
export function quoteExecArgument(arg: string): string {
  const quoted = arg === '' || RESERVED.test(arg) ? `"${arg.replace(/["`$\\]/g, '\\$&')}"` : arg;
  return quoted.replace(/%/g, '%%');
}

/**
 * The spec's escapes for values of type string, applied after Exec quoting (so a literal
 * backslash in a quoted path ends up as four backslashes in the file).
 */
export function escapeStringValue(value: string): string {
  return value.replace(/[\\\n\t\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\t' ? '\\t' : '\\r'));
}

export function execValue(command: LaunchCommand): string {
  return escapeStringValue([command.executable, ...command.args].map(quoteExecArgument).join(' '));
}

export function autostartDesktopEntry(command: LaunchCommand): string {
  if (!isAbsolute(command.executable)) {
    // the session manager has no working directory to resolve it against
    throw new AppError('invalid-input', `Start at login needs the absolute path of Perch, not "${command.executable}".`);
  }
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Version=1.5',
    'Name=Perch',
    'Comment=Binance portfolio monitor',
    `Exec=${execValue(command)}`,
    // a deleted or moved AppImage makes the session skip the entry instead of failing at login
    `TryExec=${escapeStringValue(command.executable)}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    'Hidden=false',
    '',
  ].join('\n');
}

/** The fs calls used; tests inject failing ones (read-only folder, full disk). */
export type AutostartFs = Pick<
  typeof nodeFs,
  'writeFileSync' | 'renameSync' | 'rmSync' | 'mkdirSync' | 'openSync' | 'fsyncSync' | 'closeSync' | 'existsSync'
>;

export interface LinuxAutostart {
  readonly path: string;
  /** Writes the entry atomically; throws AppError('storage') with a message a person can act on. */
  enable(command: LaunchCommand): void;
  /** Removes the entry (nothing to do when it is absent); throws AppError('storage') on failure. */
  disable(): void;
  isEnabled(): boolean;
}

function reason(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EROFS') return 'the folder is on a read-only file system';
  if (code === 'ENOSPC') return 'the disk is full';
  if (code === 'ENOTDIR' || code === 'EEXIST') return 'a file is in the way of the autostart folder';
  return typeof code === 'string' ? code : 'unknown error';
}

export function createLinuxAutostart(options: { readonly path: string; readonly fs?: AutostartFs }): LinuxAutostart {
  const { path } = options;
  const fs = options.fs ?? nodeFs;
  let counter = 0;
  return {
    path,
    enable(command) {
      const text = autostartDesktopEntry(command);
      // hidden and not ending in .desktop: a session scanning the folder never runs a half file
      const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${++counter}`);
      try {
        fs.mkdirSync(dirname(path), { recursive: true });
        const fd = fs.openSync(tmp, 'w', 0o644);
        try {
          fs.writeFileSync(fd, text, 'utf8');
          fs.fsyncSync(fd);
        } finally {
          fs.closeSync(fd);
        }
        fs.renameSync(tmp, path);
      } catch (e) {
        try {
          fs.rmSync(tmp, { force: true });
        } catch {
          // a stray hidden temp file is harmless; the real error matters
        }
        throw new AppError('storage', `Perch could not set up start at login: writing ${path} failed (${reason(e)}).`, { cause: e });
      }
    },
    disable() {
      try {
        fs.rmSync(path, { force: true });
      } catch (e) {
        throw new AppError(
          'storage',
          `Perch could not turn off start at login: removing ${path} failed (${reason(e)}). Delete that file to stop Perch starting at login.`,
          { cause: e },
        );
      }
    },
    isEnabled: () => fs.existsSync(path),
  };
}

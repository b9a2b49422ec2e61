import type { Notice } from '../../shared/domain';
import { AppError, isPublicError } from '../../shared/ipc/result';
import type { LaunchCommand, LinuxAutostart } from '../storage/linux-autostart';

/** Marks a launch by the session, on every platform (macOS/Windows login items pass it too). */
export const AUTOSTART_ARG = '--autostart';

export interface StartAtLoginDeps {
  readonly platform: NodeJS.Platform;
  /** Electron's app.setLoginItemSettings (macOS and Windows only) */
  readonly setLoginItemSettings: (settings: { openAtLogin: boolean; args: string[] }) => void;
  /** Linux: the autostart entry and the command it runs; read when needed, not at start-up */
  readonly linux: () => { readonly autostart: LinuxAutostart; readonly command: LaunchCommand };
}

export interface StartAtLogin {
  /**
   * Applies the setting. On failure it calls `revert` (so the saved setting keeps matching what
   * the system does) and throws an AppError('storage') whose message says what to do.
   */
  set(enabled: boolean, revert: () => void): void;
  /**
   * At start-up, with start at login on: rewrite the Linux entry so it names this executable
   * (an AppImage moved or updated since). A failure becomes a notice, never a crash.
   */
  refresh(enabled: boolean, now: number): Notice | null;
}

export function createStartAtLogin(deps: StartAtLoginDeps): StartAtLogin {
  const apply = (enabled: boolean): void => {
    if (deps.platform !== 'linux') {
      deps.setLoginItemSettings({ openAtLogin: enabled, args: [AUTOSTART_ARG] });
      return;
    }
    const { autostart, command } = deps.linux();
    if (enabled) autostart.enable(command);
    else autostart.disable();
  };
  const asAppError = (e: unknown, enabled: boolean): AppError =>
    e instanceof AppError
      ? e
      : new AppError('storage', isPublicError(e) ? e.message : `Perch could not turn ${enabled ? 'on' : 'off'} start at login.`, {
          cause: e,
        });

  return {
    set(enabled, revert) {
      try {
        apply(enabled);
      } catch (e) {
        const error = asAppError(e, enabled);
        try {
          revert();
        } catch {
          // the error below is what the person needs to see
          throw error;
        }
        throw new AppError(error.code, `${error.message} Start at login is ${enabled ? 'off' : 'still on'}.`, { cause: e });
      }
    },
    refresh(enabled, now) {
      if (!enabled || deps.platform !== 'linux') return null;
      try {
        apply(true);
        return null;
      } catch (e) {
        const message = `${asAppError(e, true).message} Perch tries again at its next start; switch start at login off in Settings to stop it.`;
        return { id: 'start-at-login-failed', level: 'warning', code: 'start-at-login-failed', at: now, message };
      }
    },
  };
}

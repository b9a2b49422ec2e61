import { AppError } from '../../shared/ipc/result';
import type { CommandHandlers } from '../ipc/command-router';
import type { SettingsStore } from '../storage/settings';
import type { AppShellPort } from './shell-ports';

/**
 * Handlers the shell can answer on its own (settings, external links). Until the core is wired
 * (see the seam in src/main/index.ts), every other command answers 'not-available' instead of
 * hanging, so the window still opens and shows why.
 */
export function createShellHandlers(deps: {
  readonly settings: SettingsStore;
  readonly shell: AppShellPort;
  readonly onSettingsChanged: (settings: ReturnType<SettingsStore['get']>) => void;
}): CommandHandlers {
  const notReady = (): never => {
    throw new AppError('not-available', 'The Perch core is not running in this build yet.');
  };
  return {
    'app:getState': notReady,
    'app:openExternal': ({ url }) => {
      if (!deps.shell.openExternal(url)) throw new AppError('not-allowed', 'Perch only opens https links to Binance and the project pages.');
      return null;
    },
    'app:dismissNotice': () => null,
    'settings:get': () => deps.settings.get(),
    'settings:update': (patch) => {
      const next = deps.settings.update(patch);
      if (patch.startAtLogin !== undefined) deps.shell.setStartAtLogin(next.startAtLogin);
      deps.onSettingsChanged(next);
      return next;
    },
    'keys:test': notReady,
    'keys:save': notReady,
    'keys:remove': notReady,
    'keys:generateEd25519': notReady,
    'keys:health': notReady,
    'demo:reset': notReady,
    'portfolio:getSnapshot': notReady,
  };
}

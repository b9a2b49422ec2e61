import { dialog } from 'electron';
import type { StartupDialogPort } from '../core/startup';

/**
 * Start-up messages as native dialogs: they must reach the person before (or instead of) a
 * window, so they cannot be in-app notices. An error uses the plain error box, which works even
 * when the start failed before the app was ready.
 */
export function createStartupDialog(): StartupDialogPort {
  return {
    async show(m) {
      if (m.level === 'error') {
        dialog.showErrorBox(m.title, `${m.message}\n\n${m.detail}`);
        return;
      }
      await dialog.showMessageBox({ type: 'warning', title: m.title, message: m.message, detail: m.detail, buttons: ['OK'], noLink: true });
    },
  };
}

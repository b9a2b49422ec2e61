import { BrowserWindow, screen } from 'electron';
import { clampBounds, MIN_SIZE, secureWebPreferences, type WindowBounds } from './window-options';

export { secureWebPreferences } from './window-options';
export type { WindowBounds } from './window-options';

export interface MainWindowOptions {
  readonly preloadPath: string;
  /** dev-mode.ts decides: an explicit development flag, never in a package */
  readonly devTools: boolean;
  readonly savedBounds: unknown;
  readonly saveBounds: (bounds: WindowBounds) => void;
  /** hide instead of close (close-to-tray); read on every close so the setting applies at once */
  readonly shouldHideOnClose: () => boolean;
  /** started by the session at login with close-to-tray on: stay in the tray until asked */
  readonly startHidden?: boolean;
}

/**
 * The one app window. Bounds are restored clamped to a visible display and saved (debounced,
 * and flushed on close) so a window never reopens off-screen.
 */
export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const areas = screen.getAllDisplays().map((d) => d.workArea);
  const primary = screen.getPrimaryDisplay().workArea;
  const bounds = clampBounds(options.savedBounds, [primary, ...areas.filter((a) => a !== primary)]);
  const win = new BrowserWindow({
    ...(bounds.x !== undefined && bounds.y !== undefined ? { x: bounds.x, y: bounds.y } : {}),
    width: bounds.width,
    height: bounds.height,
    minWidth: MIN_SIZE.width,
    minHeight: MIN_SIZE.height,
    show: false,
    title: 'Perch',
    backgroundColor: '#111418',
    autoHideMenuBar: true,
    webPreferences: secureWebPreferences({ preloadPath: options.preloadPath, devTools: options.devTools }),
  });
  if (bounds.maximized) win.maximize();
  if (!options.startHidden) win.once('ready-to-show', () => win.show());

  let timer: NodeJS.Timeout | undefined;
  const save = (): void => {
    if (win.isDestroyed()) return;
    const b = win.getNormalBounds();
    options.saveBounds({ x: b.x, y: b.y, width: b.width, height: b.height, maximized: win.isMaximized() });
  };
  const saveSoon = (): void => {
    clearTimeout(timer);
    timer = setTimeout(save, 500);
  };
  win.on('resize', saveSoon);
  win.on('move', saveSoon);
  win.on('close', (event) => {
    clearTimeout(timer);
    save();
    if (options.shouldHideOnClose()) {
      event.preventDefault();
      win.hide();
    }
  });
  return win;
}

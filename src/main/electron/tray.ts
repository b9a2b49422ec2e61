import { Menu, nativeImage, Tray } from 'electron';
import type { TrayMenuItem, TrayPort } from './shell-ports';

/** A 16x16 amber dot drawn in memory, so the tray works without an icon file. */
function trayIcon(): Electron.NativeImage {
  const size = 16;
  const bitmap = Buffer.alloc(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const inside = (x - 7.5) ** 2 + (y - 7.5) ** 2 <= 49;
      const i = (y * size + x) * 4; // BGRA
      bitmap[i] = 0x2a;
      bitmap[i + 1] = 0xb0;
      bitmap[i + 2] = 0xf0;
      bitmap[i + 3] = inside ? 0xff : 0;
    }
  }
  return nativeImage.createFromBitmap(bitmap, { width: size, height: size });
}

export function createTray(onSelect: (id: string) => void): TrayPort {
  const tray = new Tray(trayIcon());
  tray.setToolTip('Perch');
  let select = onSelect;
  const port: TrayPort = {
    setTooltip(text) {
      tray.setToolTip(text);
    },
    setTitle(text) {
      // only macOS shows a title beside the icon
      if (process.platform === 'darwin') tray.setTitle(text);
    },
    setMenu(items: readonly TrayMenuItem[], handler) {
      select = handler;
      // Linux needs the whole menu set again after any change
      tray.setContextMenu(
        Menu.buildFromTemplate(
          items.map((i): Electron.MenuItemConstructorOptions =>
            i.id.startsWith('separator:')
              ? { type: 'separator' }
              : i.checked !== undefined
                ? { id: i.id, label: i.label, type: 'checkbox', checked: i.checked, enabled: i.enabled ?? true, click: () => select(i.id) }
                : { id: i.id, label: i.label, enabled: i.enabled ?? true, click: () => select(i.id) },
          ),
        ),
      );
    },
    destroy() {
      tray.destroy();
    },
  };
  port.setMenu(
    [
      { id: 'show', label: 'Show Perch' },
      { id: 'quit', label: 'Quit Perch' },
    ],
    onSelect,
  );
  return port;
}

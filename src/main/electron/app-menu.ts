import { Menu, type MenuItemConstructorOptions } from 'electron';
import type { MenuAction, MenuItemModel } from '../app-shell/app-menu';

/** Draws the menu model (app-shell/app-menu.ts) as the native application menu. */
export function toMenuTemplate(items: readonly MenuItemModel[], run: (action: MenuAction) => void): MenuItemConstructorOptions[] {
  return items.map((item): MenuItemConstructorOptions => {
    switch (item.type) {
      case 'separator':
        return { type: 'separator' };
      case 'role':
        return item.label ? { role: item.role, label: item.label } : { role: item.role };
      case 'action':
        return { label: item.label, ...(item.accelerator ? { accelerator: item.accelerator } : {}), click: () => run(item.action) };
      case 'submenu':
        return { label: item.label, ...(item.role ? { role: item.role } : {}), submenu: toMenuTemplate(item.items, run) };
    }
  });
}

export function installAppMenu(items: readonly MenuItemModel[], run: (action: MenuAction) => void): void {
  Menu.setApplicationMenu(Menu.buildFromTemplate(toMenuTemplate(items, run)));
}

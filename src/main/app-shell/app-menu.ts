/**
 * The application menu as data. The Electron adapter (electron/app-menu.ts) turns it into a
 * native menu; here it is plain objects so its shape is tested in Node. macOS gets its
 * conventions (the app menu first with About, Settings…, Hide, Quit; Cmd+, for Settings);
 * elsewhere File / Edit / View / Window / Help.
 */
import { VIEW_LABELS, viewShortcuts, type ViewId } from '../../shared/shortcuts';

/** Standard roles Electron implements natively (copy/paste in every field comes from these). */
export type MenuRole =
  | 'undo'
  | 'redo'
  | 'cut'
  | 'copy'
  | 'paste'
  | 'pasteAndMatchStyle'
  | 'delete'
  | 'selectAll'
  | 'minimize'
  | 'zoom'
  | 'close'
  | 'front'
  | 'togglefullscreen'
  | 'resetZoom'
  | 'zoomIn'
  | 'zoomOut'
  | 'hide'
  | 'hideOthers'
  | 'unhide'
  | 'quit'
  | 'services'
  | 'toggleDevTools'
  | 'reload';

export type MenuAction =
  | { readonly kind: 'navigate'; readonly view: ViewId }
  | { readonly kind: 'about' }
  | { readonly kind: 'shortcuts' }
  | { readonly kind: 'togglePrivacy' };

export type MenuItemModel =
  | { readonly type: 'separator' }
  | { readonly type: 'role'; readonly role: MenuRole; readonly label?: string }
  | { readonly type: 'action'; readonly label: string; readonly accelerator?: string; readonly action: MenuAction }
  | {
      readonly type: 'submenu';
      readonly label: string;
      readonly role?: 'appMenu' | 'windowMenu' | 'help' | 'services';
      readonly items: readonly MenuItemModel[];
    };

export interface AppMenuInput {
  readonly platform: string;
  readonly appName: string;
  /** DevTools and reload only in development (dev-mode.ts) */
  readonly devTools: boolean;
}

const SEP = { type: 'separator' } as const;
const role = (r: MenuRole, label?: string): MenuItemModel => (label ? { type: 'role', role: r, label } : { type: 'role', role: r });

function viewItems(includeSettings: boolean): MenuItemModel[] {
  return viewShortcuts()
    .filter((s) => s.accelerator !== 'CmdOrCtrl+,' && (includeSettings || s.view !== 'settings'))
    .map((s) => ({ type: 'action', label: VIEW_LABELS[s.view], accelerator: s.accelerator, action: { kind: 'navigate', view: s.view } }));
}

export function buildAppMenu(input: AppMenuInput): readonly MenuItemModel[] {
  const mac = input.platform === 'darwin';
  const settingsItem: MenuItemModel = {
    type: 'action',
    label: mac ? 'Settings…' : 'Settings',
    accelerator: 'CmdOrCtrl+,',
    action: { kind: 'navigate', view: 'settings' },
  };
  const aboutItem: MenuItemModel = { type: 'action', label: `About ${input.appName}`, action: { kind: 'about' } };
  const edit: MenuItemModel = {
    type: 'submenu',
    label: 'Edit',
    items: [
      role('undo'),
      role('redo'),
      SEP,
      role('cut'),
      role('copy'),
      role('paste'),
      ...(mac ? [role('pasteAndMatchStyle')] : []),
      role('delete'),
      SEP,
      role('selectAll'),
    ],
  };
  const view: MenuItemModel = {
    type: 'submenu',
    label: 'View',
    items: [
      ...viewItems(!mac),
      SEP,
      { type: 'action', label: 'Hide Amounts', accelerator: 'CmdOrCtrl+Shift+H', action: { kind: 'togglePrivacy' } },
      SEP,
      role('resetZoom'),
      role('zoomIn'),
      role('zoomOut'),
      SEP,
      role('togglefullscreen'),
      ...(input.devTools ? [SEP, role('reload'), role('toggleDevTools')] : []),
    ],
  };
  const windowMenu: MenuItemModel = {
    type: 'submenu',
    label: 'Window',
    role: 'windowMenu',
    items: mac ? [role('minimize'), role('zoom'), SEP, role('front')] : [role('minimize'), role('close')],
  };
  const help: MenuItemModel = {
    type: 'submenu',
    label: 'Help',
    role: 'help',
    items: [
      // `?` is handled by the page (outside text fields): as a menu accelerator it would swallow every typed '?'
      { type: 'action', label: 'Keyboard Shortcuts', action: { kind: 'shortcuts' } },
      ...(mac ? [] : [SEP, aboutItem]),
    ],
  };
  if (mac) {
    return [
      {
        type: 'submenu',
        label: input.appName,
        role: 'appMenu',
        items: [
          aboutItem,
          SEP,
          settingsItem,
          SEP,
          { type: 'submenu', label: 'Services', role: 'services', items: [] },
          SEP,
          role('hide'),
          role('hideOthers'),
          role('unhide'),
          SEP,
          role('quit', `Quit ${input.appName}`),
        ],
      },
      edit,
      view,
      windowMenu,
      help,
    ];
  }
  return [{ type: 'submenu', label: 'File', items: [settingsItem, SEP, role('quit', 'Quit')] }, edit, view, windowMenu, help];
}

/** Every accelerator in the menu, to check that none is bound twice. */
export function menuAccelerators(menu: readonly MenuItemModel[]): string[] {
  const out: string[] = [];
  const walk = (items: readonly MenuItemModel[]): void => {
    for (const item of items) {
      if (item.type === 'action' && item.accelerator) out.push(item.accelerator);
      if (item.type === 'submenu') walk(item.items);
    }
  };
  walk(menu);
  return out;
}

import { describe, expect, it } from 'vitest';
import { buildAppMenu, menuAccelerators, type MenuItemModel } from '../../../src/main/app-shell/app-menu';
import { resolveDevMode } from '../../../src/main/app-shell/dev-mode';
import { OTHER_SHORTCUTS, shortcutLabel, VIEW_IDS, viewForKey, viewShortcuts } from '../../../src/shared/shortcuts';

const labels = (menu: readonly MenuItemModel[]): string[] => menu.map((m) => (m.type === 'submenu' ? m.label : m.type));
const submenu = (menu: readonly MenuItemModel[], label: string): readonly MenuItemModel[] => {
  const found = menu.find((m) => m.type === 'submenu' && m.label === label);
  if (!found || found.type !== 'submenu') throw new Error(`no ${label} menu`);
  return found.items;
};
const roles = (items: readonly MenuItemModel[]): string[] => items.flatMap((i) => (i.type === 'role' ? [i.role] : []));
const actions = (items: readonly MenuItemModel[]): string[] => items.flatMap((i) => (i.type === 'action' ? [i.label] : []));

describe('application menu model', () => {
  it('macOS: the app menu first with About, Settings… (Cmd+,), Hide and Quit', () => {
    const menu = buildAppMenu({ platform: 'darwin', appName: 'Perch', devTools: false });
    expect(labels(menu)).toEqual(['Perch', 'Edit', 'View', 'Window', 'Help']);
    const app = submenu(menu, 'Perch');
    expect(actions(app)).toEqual(['About Perch', 'Settings…']);
    expect(app.find((i) => i.type === 'action' && i.label === 'Settings…')).toMatchObject({
      accelerator: 'CmdOrCtrl+,',
      action: { kind: 'navigate', view: 'settings' },
    });
    expect(roles(app)).toEqual(['hide', 'hideOthers', 'unhide', 'quit']);
    expect(roles(submenu(menu, 'Window'))).toEqual(['minimize', 'zoom', 'front']);
    // About lives in the app menu on macOS, not in Help
    expect(actions(submenu(menu, 'Help'))).toEqual(['Keyboard Shortcuts']);
  });

  it('Windows and Linux: File / Edit / View / Window / Help, About under Help', () => {
    for (const platform of ['win32', 'linux']) {
      const menu = buildAppMenu({ platform, appName: 'Perch', devTools: false });
      expect(labels(menu)).toEqual(['File', 'Edit', 'View', 'Window', 'Help']);
      expect(actions(submenu(menu, 'File'))).toEqual(['Settings']);
      expect(roles(submenu(menu, 'File'))).toEqual(['quit']);
      expect(actions(submenu(menu, 'Help'))).toEqual(['Keyboard Shortcuts', 'About Perch']);
    }
  });

  it('Edit has the standard roles, so copy and paste work in every field', () => {
    for (const platform of ['darwin', 'win32', 'linux']) {
      const edit = submenu(buildAppMenu({ platform, appName: 'Perch', devTools: false }), 'Edit');
      expect(roles(edit)).toEqual(expect.arrayContaining(['undo', 'redo', 'cut', 'copy', 'paste', 'selectAll']));
    }
  });

  it('View opens every view with Mod+1…N and never binds an accelerator twice', () => {
    for (const platform of ['darwin', 'linux']) {
      const menu = buildAppMenu({ platform, appName: 'Perch', devTools: false });
      const view = submenu(menu, 'View');
      const navigations = view.flatMap((i) => (i.type === 'action' && i.action.kind === 'navigate' ? [i.accelerator] : []));
      expect(navigations.length).toBeGreaterThanOrEqual(VIEW_IDS.length - 1);
      const all = menuAccelerators(menu);
      expect(new Set(all).size).toBe(all.length);
      // no bare printable key: it would swallow typing in every field
      expect(all.filter((a) => !a.includes('+'))).toEqual([]);
    }
  });

  it('DevTools and reload only in development', () => {
    expect(roles(submenu(buildAppMenu({ platform: 'linux', appName: 'Perch', devTools: false }), 'View'))).not.toContain('toggleDevTools');
    expect(roles(submenu(buildAppMenu({ platform: 'linux', appName: 'Perch', devTools: true }), 'View'))).toEqual(
      expect.arrayContaining(['toggleDevTools', 'reload']),
    );
  });
});

describe('shortcuts', () => {
  const key = (k: string, mods: Partial<Record<'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey', boolean>> = {}) => ({
    key: k,
    ctrlKey: false,
    metaKey: false,
    shiftKey: false,
    altKey: false,
    ...mods,
  });

  it('Mod+digit opens the view in tab order; Mod+, opens Settings; Cmd on macOS, Ctrl elsewhere', () => {
    VIEW_IDS.forEach((view, i) => {
      expect(viewForKey(key(String(i + 1), { ctrlKey: true }), false)).toBe(view);
      expect(viewForKey(key(String(i + 1), { metaKey: true }), true)).toBe(view);
    });
    expect(viewForKey(key(',', { ctrlKey: true }), false)).toBe('settings');
    expect(viewForKey(key(',', { metaKey: true }), true)).toBe('settings');
  });

  it('ignores the other modifier, extra modifiers, plain digits and digits past the last view', () => {
    expect(viewForKey(key('1', { metaKey: true }), false)).toBeNull();
    expect(viewForKey(key('1', { ctrlKey: true }), true)).toBeNull();
    expect(viewForKey(key('1', { ctrlKey: true, shiftKey: true }), false)).toBeNull();
    expect(viewForKey(key('1'), false)).toBeNull();
    expect(viewForKey(key(String(VIEW_IDS.length + 1), { ctrlKey: true }), false)).toBeNull();
    expect(viewForKey(key('1.5', { ctrlKey: true }), false)).toBeNull();
  });

  it('labels accelerators for the platform', () => {
    expect(shortcutLabel('CmdOrCtrl+Shift+H', true)).toBe('⌘⇧H');
    expect(shortcutLabel('CmdOrCtrl+Shift+H', false)).toBe('Ctrl+Shift+H');
    expect(shortcutLabel('CmdOrCtrl+,', false)).toBe('Ctrl+,');
  });

  it('the list a person opens with ? names every shortcut once', () => {
    const all = [...viewShortcuts(), ...OTHER_SHORTCUTS].map((s) => s.accelerator);
    expect(new Set(all).size).toBe(all.length);
  });
});

describe('dev mode', () => {
  const base = { isPackaged: false, env: {}, argv: [] };
  it('is off unless asked for explicitly', () => {
    expect(resolveDevMode(base)).toEqual({ enabled: false, devTools: false, rendererUrl: undefined, validatePayloads: false });
    expect(resolveDevMode({ ...base, env: { ELECTRON_RENDERER_URL: 'http://localhost:5173' } }).rendererUrl).toBeUndefined();
  });
  it('PERCH_DEV=1 or --perch-dev turns it on for an unpackaged app', () => {
    expect(resolveDevMode({ ...base, env: { PERCH_DEV: '1', ELECTRON_RENDERER_URL: 'http://localhost:5173' } })).toMatchObject({
      enabled: true,
      devTools: true,
      rendererUrl: 'http://localhost:5173/',
    });
    expect(resolveDevMode({ ...base, argv: ['electron', '.', '--perch-dev'] }).devTools).toBe(true);
  });
  it('a package is never in dev mode', () => {
    expect(
      resolveDevMode({ isPackaged: true, env: { PERCH_DEV: '1', ELECTRON_RENDERER_URL: 'http://localhost:5173' }, argv: ['--perch-dev'] }),
    ).toMatchObject({ enabled: false, devTools: false, rendererUrl: undefined });
  });
  it('only a loopback http URL may stand in for the app origin', () => {
    const dev = (url: string) => resolveDevMode({ ...base, env: { PERCH_DEV: '1', ELECTRON_RENDERER_URL: url } }).rendererUrl;
    expect(dev('https://evil.example/')).toBeUndefined();
    expect(dev('http://192.168.1.5:5173')).toBeUndefined();
    expect(dev('file:///etc/passwd')).toBeUndefined();
    expect(dev('not a url')).toBeUndefined();
    expect(dev('http://127.0.0.1:5173')).toBe('http://127.0.0.1:5173/');
  });
});

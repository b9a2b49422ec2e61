/**
 * The app's keyboard shortcuts, one list for the application menu (main), the renderer's own key
 * handling (the web host has no menu) and the shortcut list a person opens with `?`.
 * `Mod` is Cmd on macOS and Ctrl elsewhere; the menu and the list spell it for the platform.
 */
export const VIEW_IDS = ['holdings', 'pnl', 'orders', 'watchlist', 'alerts', 'settings'] as const;
export type ViewId = (typeof VIEW_IDS)[number];

export const VIEW_LABELS: Readonly<Record<ViewId, string>> = {
  holdings: 'Holdings',
  pnl: 'P&L',
  orders: 'Orders',
  watchlist: 'Watchlist',
  alerts: 'Alerts',
  settings: 'Settings',
};

export interface Shortcut {
  /** Electron accelerator syntax, with `CmdOrCtrl` for the platform's main modifier */
  readonly accelerator: string;
  readonly description: string;
}

/** Mod+1 … Mod+N open the views in the order of the tabs; Mod+, opens Settings (the platform habit). */
export function viewShortcuts(): readonly (Shortcut & { readonly view: ViewId })[] {
  return [
    ...VIEW_IDS.map((view, i) => ({ view, accelerator: `CmdOrCtrl+${i + 1}`, description: `Show ${VIEW_LABELS[view]}` })),
    { view: 'settings' as const, accelerator: 'CmdOrCtrl+,', description: 'Open Settings' },
  ];
}

export const OTHER_SHORTCUTS: readonly Shortcut[] = [
  { accelerator: 'CmdOrCtrl+Shift+H', description: 'Hide or show every amount (privacy mode)' },
  { accelerator: '?', description: 'Show this list of shortcuts' },
  { accelerator: 'Escape', description: 'Close a dialog' },
];

/** "CmdOrCtrl+Shift+H" → "⌘⇧H" on macOS, "Ctrl+Shift+H" elsewhere. */
export function shortcutLabel(accelerator: string, mac: boolean): string {
  if (!mac) return accelerator.replace('CmdOrCtrl', 'Ctrl');
  return accelerator.replace('CmdOrCtrl+', '⌘').replace('Shift+', '⇧').replace('Alt+', '⌥');
}

/** The view a key press asks for, or null: Mod+digit or Mod+comma, nothing else held. */
export function viewForKey(
  key: { readonly key: string; readonly ctrlKey: boolean; readonly metaKey: boolean; readonly shiftKey: boolean; readonly altKey: boolean },
  mac: boolean,
): ViewId | null {
  const mod = mac ? key.metaKey && !key.ctrlKey : key.ctrlKey && !key.metaKey;
  if (!mod || key.shiftKey || key.altKey) return null;
  if (key.key === ',') return 'settings';
  const n = Number.parseInt(key.key, 10);
  if (!Number.isInteger(n) || String(n) !== key.key) return null;
  return VIEW_IDS[n - 1] ?? null;
}

// Seam: the Electron adapters of issue 11 with `electron` mocked: the tray draws the core's model
// (separators, the privacy check box, enabled flags) and hands clicks back by id; a notification
// is shown with its title, body and silence, and a click opens the view it is about.
import { describe, expect, it, vi } from 'vitest';

const made = vi.hoisted(() => ({
  notifications: [] as Array<{ opts: unknown; handlers: Map<string, () => void>; shown: boolean }>,
  menus: [] as unknown[][],
}));

vi.mock('electron', () => {
  class Notification {
    static isSupported(): boolean {
      return true;
    }
    handlers = new Map<string, () => void>();
    record: { opts: unknown; handlers: Map<string, () => void>; shown: boolean };
    constructor(opts: unknown) {
      this.record = { opts, handlers: this.handlers, shown: false };
      made.notifications.push(this.record);
    }
    on(event: string, fn: () => void): void {
      this.handlers.set(event, fn);
    }
    show(): void {
      this.record.shown = true;
    }
  }
  class Tray {
    tooltip = '';
    setToolTip(t: string): void {
      this.tooltip = t;
    }
    setTitle(): void {}
    setContextMenu(): void {}
    destroy(): void {}
  }
  const Menu = {
    buildFromTemplate: (t: unknown[]) => {
      made.menus.push(t);
      return t;
    },
  };
  const nativeImage = { createFromBitmap: () => ({}) };
  return { Notification, Tray, Menu, nativeImage };
});

import { createNotificationPort } from '../../../src/main/electron/notifier';
import { createTray } from '../../../src/main/electron/tray';

describe('Electron adapters for alerts and the tray', () => {
  it('a notification shows title, body and silence; a click opens its view', () => {
    const opened: string[] = [];
    const port = createNotificationPort((view) => opened.push(view));
    port.show({ title: 'Order filled', body: 'Order filled: Buy BTCUSDT', silent: true, view: 'orders' });
    const n = made.notifications.at(-1)!;
    expect(n.opts).toEqual({ title: 'Order filled', body: 'Order filled: Buy BTCUSDT', silent: true });
    expect(n.shown).toBe(true);
    n.handlers.get('click')?.();
    expect(opened).toEqual(['orders']);
  });

  it('the tray draws the model: separators, a check box for privacy, disabled rows; clicks come back by id', () => {
    const clicked: string[] = [];
    const tray = createTray(() => undefined);
    tray.setMenu(
      [
        { id: 'toggle-window', label: 'Hide Perch', enabled: true },
        { id: 'privacy', label: 'Hide amounts', enabled: true, checked: true },
        { id: 'separator:1', label: '', enabled: false },
        { id: 'alerts-paused', label: 'Alerts paused until 13:00', enabled: false },
      ],
      (id) => clicked.push(id),
    );
    const menu = made.menus.at(-1) as Array<Record<string, unknown> & { click?: () => void }>;
    expect(menu.map((m) => [m['type'] ?? 'normal', m['label'], m['enabled'], m['checked']])).toEqual([
      ['normal', 'Hide Perch', true, undefined],
      ['checkbox', 'Hide amounts', true, true],
      ['separator', undefined, undefined, undefined],
      ['normal', 'Alerts paused until 13:00', false, undefined],
    ]);
    menu[1]?.click?.();
    expect(clicked).toEqual(['privacy']);
  });
});

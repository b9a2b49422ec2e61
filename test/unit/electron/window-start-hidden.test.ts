// Seam: createMainWindow over a recording stand-in for Electron's BrowserWindow and screen
// (no Electron binary here); checks only whether the window shows itself when ready.
import { describe, expect, it, vi } from 'vitest';

const created: FakeWindow[] = [];
class FakeWindow {
  readonly handlers = new Map<string, Array<() => void>>();
  shown = 0;
  constructor(readonly options: Record<string, unknown>) {
    created.push(this);
  }
  once(event: string, fn: () => void): this {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), fn]);
    return this;
  }
  on(event: string, fn: () => void): this {
    return this.once(event, fn);
  }
  emit(event: string): void {
    for (const fn of this.handlers.get(event) ?? []) fn();
  }
  show(): void {
    this.shown++;
  }
  maximize(): void {}
}

vi.mock('electron', () => {
  const area = { x: 0, y: 0, width: 1920, height: 1080 };
  return {
    BrowserWindow: FakeWindow,
    screen: { getAllDisplays: () => [{ workArea: area }], getPrimaryDisplay: () => ({ workArea: area }) },
  };
});

const { createMainWindow } = await import('../../../src/main/electron/window');

const base = {
  preloadPath: '/p/preload.cjs',
  devTools: false,
  savedBounds: undefined,
  saveBounds: () => undefined,
  shouldHideOnClose: () => false,
};

describe('showing the window when it is ready', () => {
  it('a normal start shows the window once the page is ready (not before)', () => {
    createMainWindow(base);
    const win = created.at(-1)!;
    expect(win.options['show']).toBe(false);
    expect(win.shown).toBe(0);
    win.emit('ready-to-show');
    expect(win.shown).toBe(1);
  });

  it('a start at login to the tray (startHidden) stays hidden', () => {
    createMainWindow({ ...base, startHidden: true });
    const win = created.at(-1)!;
    win.emit('ready-to-show');
    expect(win.shown).toBe(0);
  });
});

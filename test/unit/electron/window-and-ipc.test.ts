// Seam: window options/bounds maths and the ipcMain adapter with a fake ipcMain; `electron` is
// mocked so window.ts can be imported where no Electron binary exists.
import { describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => ({ BrowserWindow: class {}, screen: {} }));

import { clampBounds, DEFAULT_BOUNDS, MIN_SIZE } from '../../../src/main/electron/window-options';
import { secureWebPreferences } from '../../../src/main/electron/window';
import { registerIpcCommands, senderOf } from '../../../src/main/electron/ipc';
import { createCommandRouter, type CommandHandlers } from '../../../src/main/ipc/command-router';
import { createOriginSenderCheck } from '../../../src/main/ipc/sender-check';
import { COMMAND_NAMES } from '../../../src/shared/ipc/channels';
import { defaultSettings } from '../../../src/shared/domain';

describe('secureWebPreferences (exported by window.ts)', () => {
  it('is exactly the secure set', () => {
    expect(secureWebPreferences({ preloadPath: '/app/out/preload/index.cjs', devTools: false })).toEqual({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      safeDialogs: true,
      devTools: false,
    });
  });
  it('devtools only when dev mode allows it; nothing else changes', () => {
    const dev = secureWebPreferences({ preloadPath: 'p', devTools: true });
    const prod = secureWebPreferences({ preloadPath: 'p', devTools: false });
    expect(dev.devTools).toBe(true);
    expect({ ...dev, devTools: false }).toEqual(prod);
  });
});

describe('clampBounds', () => {
  const primary = { x: 0, y: 0, width: 1920, height: 1040 };
  const right = { x: 1920, y: 0, width: 1280, height: 1000 };

  it('keeps bounds that are fully visible', () => {
    expect(clampBounds({ x: 100, y: 50, width: 1000, height: 700 }, [primary])).toEqual({
      x: 100,
      y: 50,
      width: 1000,
      height: 700,
      maximized: false,
    });
  });
  it('drops the position when the window is on no display (monitor unplugged)', () => {
    expect(clampBounds({ x: 2500, y: 100, width: 1000, height: 700 }, [primary])).toEqual({ width: 1000, height: 700, maximized: false });
  });
  it('pulls a window hanging off the edge back onto its display and shrinks it to fit', () => {
    expect(clampBounds({ x: 1800, y: 900, width: 1000, height: 700 }, [primary])).toEqual({
      x: 920,
      y: 340,
      width: 1000,
      height: 700,
      maximized: false,
    });
    expect(clampBounds({ x: 1900, y: 0, width: 3000, height: 2000 }, [primary, right])).toEqual({
      x: 1920,
      y: 0,
      width: 1280,
      height: 1000,
      maximized: false,
    });
  });
  it('enforces the minimum size and falls back to defaults for junk', () => {
    expect(clampBounds({ x: 10, y: 10, width: 10, height: 10 }, [primary])).toMatchObject({
      width: MIN_SIZE.width,
      height: MIN_SIZE.height,
    });
    expect(clampBounds(null, [primary])).toEqual(DEFAULT_BOUNDS);
    expect(clampBounds({ width: 'wide', height: 5 }, [primary])).toEqual(DEFAULT_BOUNDS);
    expect(clampBounds({ x: Number.NaN, y: 0, width: 900, height: 600 }, [primary])).toEqual({ width: 900, height: 600, maximized: false });
  });
  it('keeps the maximised flag', () => {
    expect(clampBounds({ x: 0, y: 0, width: 900, height: 600, maximized: true }, [primary]).maximized).toBe(true);
  });
});

describe('registerIpcCommands', () => {
  function fakeIpcMain() {
    const handlers = new Map<string, (event: unknown, input: unknown) => Promise<unknown>>();
    return {
      handlers,
      handle: (channel: string, fn: (event: unknown, input: unknown) => Promise<unknown>) => {
        if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
        handlers.set(channel, fn);
      },
      removeHandler: (channel: string) => {
        handlers.delete(channel);
      },
    };
  }
  const handlers = Object.fromEntries(COMMAND_NAMES.map((n) => [n, vi.fn(() => null)])) as unknown as CommandHandlers;
  (handlers as unknown as Record<string, ReturnType<typeof vi.fn>>)['settings:get'] = vi.fn(() => defaultSettings());

  it('registers every command once, checks frame origin and webContents, and unregisters', async () => {
    const ipc = fakeIpcMain();
    const router = createCommandRouter({
      handlers,
      isTrustedSender: createOriginSenderCheck({ allowedOrigins: ['app://perch'], trustedWebContentsIds: () => new Set([3]) }),
    });
    const unregister = registerIpcCommands(ipc as never, router);
    expect([...ipc.handlers.keys()].sort()).toEqual([...COMMAND_NAMES].sort());
    const call = ipc.handlers.get('settings:get')!;
    expect(await call({ sender: { id: 3 }, senderFrame: { url: 'app://perch/index.html' } }, undefined)).toEqual({
      ok: true,
      value: defaultSettings(),
    });
    expect(await call({ sender: { id: 3 }, senderFrame: { url: 'https://evil.example/' } }, undefined)).toMatchObject({
      ok: false,
      error: { code: 'untrusted-sender' },
    });
    expect(await call({ sender: { id: 4 }, senderFrame: { url: 'app://perch/index.html' } }, undefined)).toMatchObject({
      ok: false,
      error: { code: 'untrusted-sender' },
    });
    expect(await call({ sender: { id: 3 }, senderFrame: null }, undefined)).toMatchObject({
      ok: false,
      error: { code: 'untrusted-sender' },
    });
    unregister();
    expect(ipc.handlers.size).toBe(0);
  });

  it('senderOf treats a destroyed frame as unknown', () => {
    const event = {
      sender: { id: 1 },
      get senderFrame(): never {
        throw new Error('Render frame was disposed');
      },
    };
    expect(senderOf(event as never)).toEqual({ transport: 'electron', frameUrl: null, webContentsId: 1 });
  });
});

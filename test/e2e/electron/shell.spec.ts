// Seam: the real Electron app (built out/), driven by Playwright's Electron driver.
import { spawn } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { electronArgs, electronBinary, launchEnv, launchPerch, mainLog, type LaunchedPerch } from './electron-harness';

const bin = electronBinary();
test.skip(bin.path === null, `Electron e2e skipped: ${bin.reason ?? ''}`);
test.describe.configure({ mode: 'serial', timeout: 120_000 });

let perch: LaunchedPerch;
test.beforeEach(async () => {
  perch = await launchPerch();
});
test.afterEach(async () => {
  await perch?.close();
});

test('the window opens on the app origin', async () => {
  const page = await perch.app.firstWindow();
  await page.waitForLoadState('domcontentloaded');
  expect(page.url()).toMatch(/^app:\/\/perch\//);
  await expect(page).toHaveTitle('Perch');
  expect(await perch.app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);
});

test('the preload exposes exactly call and on, and nothing of Node', async () => {
  const page = await perch.app.firstWindow();
  await page.waitForLoadState('domcontentloaded');
  const surface = await page.evaluate(() => ({
    keys: Object.keys(window.perch),
    require: typeof (globalThis as { require?: unknown }).require,
    process: typeof (globalThis as { process?: unknown }).process,
    module: typeof (globalThis as { module?: unknown }).module,
  }));
  expect(surface).toEqual({ keys: ['call', 'on'], require: 'undefined', process: 'undefined', module: 'undefined' });
  const unknown = await page.evaluate(() => (window.perch.call as (n: string) => Promise<unknown>)('shell:exec'));
  expect(unknown).toMatchObject({ ok: false, error: { code: 'unknown-command' } });
  const onUnknown = await page.evaluate(() => {
    try {
      (window.perch.on as (n: string, l: () => void) => () => void)('ipc:anything', () => undefined);
      return 'no error';
    } catch (e) {
      return String(e);
    }
  });
  expect(onUnknown).toMatch(/Unknown event/);
  const settings = await page.evaluate(() => window.perch.call('settings:get'));
  expect(settings).toMatchObject({ ok: true, value: { environment: 'demo' } });
  const invalid = await page.evaluate(() =>
    (window.perch.call as (n: string, i: unknown) => Promise<unknown>)('settings:update', { theme: 'neon' }),
  );
  expect(invalid).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
});

test('webPreferences are the secure set', async () => {
  await perch.app.firstWindow();
  const prefs = await perch.app.evaluate(({ BrowserWindow }) => {
    // not in Electron's public typings, but present on WebContents (Electron's own tests use it)
    const wc = BrowserWindow.getAllWindows()[0]?.webContents as unknown as
      { getLastWebPreferences?: () => Record<string, unknown> } | undefined;
    const p = wc?.getLastWebPreferences?.();
    return p
      ? {
          contextIsolation: p.contextIsolation,
          sandbox: p.sandbox,
          nodeIntegration: p.nodeIntegration,
          webSecurity: p.webSecurity,
          webviewTag: p.webviewTag,
          allowRunningInsecureContent: p.allowRunningInsecureContent,
        }
      : null;
  });
  expect(prefs).toEqual({
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    webSecurity: true,
    webviewTag: false,
    allowRunningInsecureContent: false,
  });
});

test('navigation away, new windows and permissions are blocked', async () => {
  const page = await perch.app.firstWindow();
  await page.waitForLoadState('domcontentloaded');
  const before = page.url();
  await page.evaluate(() => {
    window.location.href = 'https://example.com/';
  });
  await expect.poll(() => mainLog(perch.userDataDir), { timeout: 30_000 }).toMatch(/blocked navigation/);
  expect(page.url()).toBe(before);
  expect(await page.evaluate(() => window.open('https://example.com/') === null)).toBe(true);
  expect(await perch.app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);
  expect(await page.evaluate(() => Notification.requestPermission())).toBe('denied');
});

test('a second start exits and leaves the first instance running', async () => {
  await perch.app.firstWindow();
  const second = spawn(bin.path ?? '', electronArgs(), { env: launchEnv(perch.userDataDir), stdio: 'ignore' });
  const code = await new Promise<number | null>((resolve) => second.on('exit', resolve));
  expect(code).toBe(0);
  expect(await perch.app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().filter((w) => w.isVisible()).length)).toBe(1);
});

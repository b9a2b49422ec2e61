// The built main bundle under the fake electron (fixtures/): development behaviour (DevTools, a
// dev server URL trusted as the app's origin) needs the explicit PERCH_DEV flag and is never on in
// a package, whatever the environment says.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(import.meta.dirname, '../../..');
const mainBundle = join(root, 'out', 'main', 'index.js');
const built = existsSync(mainBundle) && existsSync(join(root, 'out', 'renderer', 'index.html'));
const why = built ? '' : ' (SKIPPED: out/ is missing; run `npx electron-vite build` first)';
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Report {
  readonly loadedUrl: string;
  readonly webPreferences: { readonly devTools: boolean };
  readonly appMenu: readonly { readonly label: string; readonly items: readonly string[] }[];
}

async function runMain(env: Record<string, string>): Promise<Report> {
  const userData = mkdtempSync(join(tmpdir(), 'perch-devflag-'));
  dirs.push(userData);
  const clean = { ...process.env };
  delete clean['PERCH_DEV'];
  delete clean['ELECTRON_RENDERER_URL'];
  const { stdout } = await run(process.execPath, ['--no-warnings', join(import.meta.dirname, 'fixtures', 'run-main.mjs'), mainBundle], {
    env: { ...clean, FAKE_ELECTRON_USER_DATA: userData, ...env },
    timeout: 110_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Report;
}

const DEV_SERVER = 'http://localhost:5173/';

describe.skipIf(!built)(`development behaviour needs the explicit flag${why}`, () => {
  it('unpackaged without PERCH_DEV (npm start from a clone): no DevTools, the dev server URL is ignored', async () => {
    const r = await runMain({ ELECTRON_RENDERER_URL: DEV_SERVER });
    expect(r.webPreferences.devTools).toBe(false);
    expect(r.loadedUrl).toBe('app://perch/index.html');
    const view = r.appMenu.find((m) => m.label === 'View');
    expect(view?.items).not.toContain('toggleDevTools');
  }, 120_000);

  it('unpackaged with PERCH_DEV=1: DevTools and the dev server', async () => {
    const r = await runMain({ PERCH_DEV: '1', ELECTRON_RENDERER_URL: DEV_SERVER });
    expect(r.webPreferences.devTools).toBe(true);
    expect(r.loadedUrl).toBe(DEV_SERVER);
    expect(r.appMenu.find((m) => m.label === 'View')?.items).toContain('toggleDevTools');
  }, 120_000);

  it('a package ignores PERCH_DEV and ELECTRON_RENDERER_URL', async () => {
    const r = await runMain({ FAKE_ELECTRON_PACKAGED: '1', PERCH_DEV: '1', ELECTRON_RENDERER_URL: DEV_SERVER });
    expect(r.webPreferences.devTools).toBe(false);
    expect(r.loadedUrl).toBe('app://perch/index.html');
  }, 120_000);

  it('installs the application menu with the platform conventions', async () => {
    const r = await runMain({});
    const labels = r.appMenu.map((m) => m.label);
    if (process.platform === 'darwin') expect(labels).toEqual(['Perch', 'Edit', 'View', 'Window', 'Help']);
    else expect(labels).toEqual(['File', 'Edit', 'View', 'Window', 'Help']);
    expect(r.appMenu.find((m) => m.label === 'Edit')?.items).toEqual(expect.arrayContaining(['cut', 'copy', 'paste', 'selectAll']));
  }, 120_000);
});

// Seam: the built main bundle (out/main/index.js) run in plain Node with `electron` replaced by
// fixtures/fake-electron.mjs. It proves the composition root wires security, the app protocol,
// IPC and the core together, and that demo mode reaches the window, without an Electron binary.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { COMMAND_NAMES } from '../../../src/shared/ipc/channels';
import { CONTENT_SECURITY_POLICY } from '../../../src/main/electron/security-policy';

const run = promisify(execFile);
const root = join(import.meta.dirname, '../../..');
const mainBundle = join(root, 'out', 'main', 'index.js');
const built = existsSync(mainBundle) && existsSync(join(root, 'out', 'renderer', 'index.html'));
const why = built ? '' : ' (SKIPPED: out/ is missing; run `npx electron-vite build` first)';
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function runMain(env: Record<string, string>): Promise<Record<string, unknown>> {
  const userData = mkdtempSync(join(tmpdir(), 'perch-smoke-'));
  dirs.push(userData);
  const { stdout } = await run(process.execPath, ['--no-warnings', join(import.meta.dirname, 'fixtures', 'run-main.mjs'), mainBundle], {
    env: { ...process.env, FAKE_ELECTRON_USER_DATA: userData, ...env },
    timeout: 110_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  const line = stdout.trim().split('\n').at(-1) ?? '{}';
  return JSON.parse(line) as Record<string, unknown>;
}

describe.skipIf(!built)(`main process composition${why}`, () => {
  it('a second instance exits before building anything', async () => {
    const report = await runMain({ FAKE_ELECTRON_LOCK: 'taken' });
    expect(report).toEqual({ lockTaken: true, exitCode: 0, windows: 0, ipcHandlers: 0 });
  }, 120_000);

  it('wires security, the app protocol, IPC and the core; demo data reaches the window; quits cleanly', async () => {
    const r = await runMain({});
    expect(r['privilegedSchemes']).toEqual(['app']);
    expect(r['loadedUrl']).toBe('app://perch/index.html');
    expect(r['webPreferences']).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false });
    expect(String((r['webPreferences'] as { preload: string }).preload)).toMatch(/out\/preload\/index\.cjs$/);
    expect(r['ipcHandlers']).toEqual([...COMMAND_NAMES].sort());
    expect(r['settingsGet']).toMatchObject({ ok: true, value: { environment: 'demo' } });
    expect(r['untrusted']).toMatchObject({ ok: false, error: { code: 'untrusted-sender' } });
    expect(r['invalid']).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    expect(r['openBad']).toMatchObject({ ok: false, error: { code: 'not-allowed' } });
    expect(r['permissionDenied']).toBe(false);
    expect(r['page']).toEqual({ status: 200, csp: CONTENT_SECURITY_POLICY });
    expect(r['traversal']).toBe(404);
    expect(r['navigationBlocked']).toBe(true);
    expect(r['windowOpen']).toEqual({ action: 'deny' });
    expect(r['openedExternal']).toEqual(['https://www.binance.com/en']);
    expect(r['appState']).toMatchObject({ ok: true, demo: true });
    expect((r['appState'] as { holdings: number }).holdings).toBeGreaterThan(0);
    expect(r['eventChannels']).toEqual(expect.arrayContaining(['portfolio:snapshot', 'status:connections']));
    expect(r['quitClean']).toBe(true);
  }, 120_000);
});

/**
 * Launching the built Perch under Playwright's Electron driver. Where no Electron binary exists
 * (machines that cannot download it) every spec skips with the reason from electronBinary().
 * Never calls require('electron'): that would try to download the binary.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron, type ElectronApplication } from '@playwright/test';

export const repoRoot = join(import.meta.dirname, '../../..');

export function electronBinary(): { path: string; reason: null } | { path: null; reason: string } {
  const pkgDir = join(repoRoot, 'node_modules', 'electron');
  const pathFile = join(pkgDir, 'path.txt');
  if (!existsSync(pathFile))
    return { path: null, reason: 'no Electron binary (node_modules/electron/path.txt missing: the binary was never downloaded)' };
  const rel = readFileSync(pathFile, 'utf8').trim();
  const override = process.env['ELECTRON_OVERRIDE_DIST_PATH'];
  const path = override ? join(override, rel) : join(pkgDir, 'dist', rel);
  if (!existsSync(path)) return { path: null, reason: `no Electron binary at ${path}` };
  if (!existsSync(join(repoRoot, 'out', 'main', 'index.js')))
    return { path: null, reason: 'out/ is missing: run `npx electron-vite build` first' };
  return { path, reason: null };
}

export function electronArgs(): string[] {
  // Chromium refuses to start as root without this; the page's own sandbox (webPreferences) still applies
  const rootUser = typeof process.getuid === 'function' && process.getuid() === 0;
  return [...(rootUser ? ['--no-sandbox'] : []), repoRoot];
}

export function launchEnv(userDataDir: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  delete env['ELECTRON_RUN_AS_NODE'];
  delete env['ELECTRON_RENDERER_URL'];
  env['PERCH_USER_DATA_DIR'] = userDataDir;
  return env;
}

export interface LaunchedPerch {
  readonly app: ElectronApplication;
  readonly userDataDir: string;
  close(): Promise<void>;
}

export async function launchPerch(userDataDir = mkdtempSync(join(tmpdir(), 'perch-e2e-'))): Promise<LaunchedPerch> {
  const bin = electronBinary();
  if (bin.path === null) throw new Error(bin.reason);
  const app = await _electron.launch({ executablePath: bin.path, args: electronArgs(), env: launchEnv(userDataDir), timeout: 60_000 });
  return {
    app,
    userDataDir,
    async close() {
      await app.close().catch(() => undefined);
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

export function mainLog(userDataDir: string): string {
  const file = join(userDataDir, 'logs', 'main.log');
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

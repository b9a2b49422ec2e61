import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The web host serves out/renderer; build it when it is missing (or when PERCH_E2E_BUILD=1). */
export default function globalSetup(): void {
  const root = join(import.meta.dirname, '../../..');
  if (existsSync(join(root, 'out/renderer/index.html')) && process.env['PERCH_E2E_BUILD'] !== '1') return;
  execSync('npx electron-vite build', { cwd: root, stdio: 'inherit' });
}

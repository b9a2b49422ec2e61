// Seam: the files `electron-vite build` wrote to out/. These run after a build (scripts/test.sh
// builds first); without out/ they are skipped, and the skip names the reason.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsp } from '../../../src/main/electron/security-policy';

const root = join(import.meta.dirname, '../../..');
const out = join(root, 'out');
const built = existsSync(join(out, 'preload')) && existsSync(join(out, 'renderer')) && existsSync(join(out, 'main'));
const why = built ? '' : ' (SKIPPED: out/ is missing; run `npx electron-vite build` first)';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

describe.skipIf(!built)(`preload bundle${why}`, () => {
  const preloadDir = join(out, 'preload');
  const file = join(preloadDir, 'index.cjs');

  it('is one file, index.cjs (no ESM .mjs, no shared chunks)', () => {
    expect(filesUnder(preloadDir).map((f) => relative(preloadDir, f)).filter((f) => !f.endsWith('.map'))).toEqual(['index.cjs']);
  });

  it('requires only electron and is CommonJS', () => {
    const code = readFileSync(file, 'utf8');
    const requires = [...code.matchAll(/\brequire\s*\(\s*(["'`])([^"'`]+)\1\s*\)/g)].map((m) => m[2]);
    expect(requires).toEqual(['electron']);
    // any other way of loading code would escape the check above
    expect(code).not.toMatch(/\brequire\s*\(\s*[^"'`\s]/);
    expect(code).not.toMatch(/^\s*(import|export)\s/m);
    expect(code).not.toMatch(/\bimport\s*\(/);
  });

  it('exposes only window.perch, and no ipcRenderer, process or env', () => {
    const code = readFileSync(file, 'utf8');
    expect([...code.matchAll(/exposeInMainWorld\(\s*"([^"]+)"/g)].map((m) => m[1])).toEqual(['perch']);
    expect(code).not.toMatch(/exposeInMainWorld\([^)]*ipcRenderer\s*[,)]/);
    expect(code).not.toMatch(/process\.env|process\.versions|webFrame|require\.cache/);
    expect(code).not.toMatch(/ipcRenderer\.send(Sync)?\(/);
  });

  it('carries every contract channel name (the channel list is bundled, not required)', async () => {
    const { COMMAND_NAMES, EVENT_NAMES } = await import('../../../src/shared/ipc/channels');
    const code = readFileSync(file, 'utf8');
    for (const name of [...COMMAND_NAMES, ...EVENT_NAMES]) expect(code).toContain(`"${name}"`);
  });
});

describe.skipIf(!built)(`renderer page${why}`, () => {
  const html = built ? readFileSync(join(out, 'renderer', 'index.html'), 'utf8') : '';

  it('has a CSP meta whose script-src allows no inline script and no eval', () => {
    const meta = html.match(/<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"/i);
    expect(meta).not.toBeNull();
    const csp = parseCsp(meta?.[1] ?? '');
    const scriptSrc = csp.get('script-src') ?? csp.get('default-src');
    expect(scriptSrc).toBeDefined();
    expect(scriptSrc).not.toContain("'unsafe-inline'");
    expect(scriptSrc).not.toContain("'unsafe-eval'");
    expect(scriptSrc).not.toContain("'wasm-unsafe-eval'");
    expect(scriptSrc?.some((s) => s === '*' || s.startsWith('http') || s === 'data:' || s === 'blob:')).toBe(false);
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
  });

  it('has no inline script and no inline event handler', () => {
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attrs, body] of scripts) {
      expect(attrs).toMatch(/\bsrc="\.?\/?assets\//);
      expect(body?.trim()).toBe('');
    }
    expect(html).not.toMatch(/\son[a-z]+\s*=/i);
  });

  it('the bundled scripts do not use eval or new Function', () => {
    const assets = filesUnder(join(out, 'renderer')).filter((f) => f.endsWith('.js'));
    expect(assets.length).toBeGreaterThan(0);
    for (const f of assets) {
      const code = readFileSync(f, 'utf8');
      expect(code, relative(out, f)).not.toMatch(/\beval\s*\(/);
    }
  });
});

describe.skipIf(!built)(`main bundle${why}`, () => {
  it('is ESM and points the window at the single CJS preload', () => {
    const code = readFileSync(join(out, 'main', 'index.js'), 'utf8');
    expect(code).toMatch(/^import .* from "electron";/m);
    expect(code).toContain('../preload/index.cjs');
  });
});

describe('source never weakens Electron security (checklist items 6, 8-12, 1)', () => {
  const sources = filesUnder(join(root, 'src', 'main')).filter((f) => /\.(ts|tsx)$/.test(f));
  it.each([
    ['webSecurity: false', /webSecurity\s*:\s*false/],
    ['allowRunningInsecureContent: true', /allowRunningInsecureContent\s*:\s*true/],
    ['experimentalFeatures: true', /experimentalFeatures\s*:\s*true/],
    ['enableBlinkFeatures', /enableBlinkFeatures/],
    ['webviewTag: true', /webviewTag\s*:\s*true/],
    ['nodeIntegration: true', /nodeIntegration(InWorker|InSubFrames)?\s*:\s*true/],
    ['contextIsolation: false', /contextIsolation\s*:\s*false/],
    ['sandbox: false', /sandbox\s*:\s*false/],
    ['certificate-error override', /['"]certificate-error['"]/],
    ['loadFile (file:// instead of app://)', /\.loadFile\(/],
  ])('no %s in src/main', (_label, pattern) => {
    const hits = sources.filter((f) => pattern.test(readFileSync(f, 'utf8'))).map((f) => relative(root, f));
    expect(hits).toEqual([]);
  });

  it('Electron stays on a supported major (bump this floor with each upgrade)', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    const major = Number(/(\d+)/.exec(pkg.devDependencies['electron'] ?? '')?.[1]);
    expect(major).toBeGreaterThanOrEqual(45);
  });
});

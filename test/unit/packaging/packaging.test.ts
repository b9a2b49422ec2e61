// What can be proven here about the installable packages (the Electron binary and the packagers'
// downloaded tools cannot be fetched on this machine; the release workflow builds the real ones):
// - the electron-builder config: targets, fuses, what goes into the package;
// - the package as electron-builder really assembles it, for Linux `dir`, around a stand-in
//   Electron folder: its file list, the unpacked native keychain module, and the fuse wire
//   electron-builder flipped (the stand-in carries the same sentinel and wire as Electron);
// - the icon set rendered from the one SVG.
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createRequire } from 'node:module';
import { afterAll, describe, expect, it } from 'vitest';
import { LINUX_SIZES, renderIcons } from '../../../scripts/render-icons.mjs';

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const root = join(import.meta.dirname, '../../..');
const config = JSON.parse(readFileSync(join(root, 'electron-builder.json'), 'utf8')) as Record<string, unknown> & {
  electronFuses: Record<string, boolean>;
  files: string[];
  asarUnpack: string[];
  linux: { target: string[]; category: string; desktop: { entry: Record<string, string> } };
  mac: { target: { target: string; arch: string[] }[]; hardenedRuntime: boolean };
  win: { target: { target: string; arch: string[] }[] };
};
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  scripts: Record<string, string>;
};
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tmp = (prefix: string): string => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
};

/** The wire @electron/fuses reads: sentinel, version 1, length, then one byte per fuse ('0'/'1'). */
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const FUSE_NAMES = [
  'runAsNode',
  'enableCookieEncryption',
  'enableNodeOptionsEnvironmentVariable',
  'enableNodeCliInspectArguments',
  'enableEmbeddedAsarIntegrityValidation',
  'onlyLoadAppFromAsar',
  'loadBrowserProcessSpecificV8Snapshot',
  'grantFileProtocolExtraPrivileges',
] as const;
/** Electron's own defaults: run-as-node, NODE_OPTIONS and --inspect on; cookie encryption, asar checks off. */
const ELECTRON_DEFAULT_WIRE = [1, 0, 1, 1, 0, 0, 0, 1, 1];

describe('electron-builder config', () => {
  it('builds AppImage and deb, a dmg for x64 and arm64, and an NSIS installer', () => {
    expect(config['appId']).toBe('app.perch.desktop');
    expect(config['productName']).toBe('Perch');
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.linux.category).toBe('Finance');
    expect(config.linux.desktop.entry['Categories']).toContain('Finance');
    expect(config.mac.target).toEqual([{ target: 'dmg', arch: ['x64', 'arm64'] }]);
    expect(config.mac.hardenedRuntime).toBe(true);
    expect(config.win.target.map((t) => t.target)).toEqual(['nsis']);
  });

  it('sets every hardening fuse', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
    });
    expect(config['asar']).toBe(true);
  });

  it('packages the build output only, never sources, tests, benches or source maps', () => {
    expect(config.files.slice(0, 3)).toEqual(['out/**/*', 'package.json', '!**/*.map']);
    expect(config.asarUnpack).toEqual(['node_modules/@napi-rs/keyring*/**/*.node']);
  });

  it('ships as runtime dependencies only what the main process loads (the renderer is bundled)', () => {
    expect(Object.keys(pkg.dependencies).sort()).toEqual(['@napi-rs/keyring', 'decimal.js', 'electron-store', 'ws', 'zod']);
    for (const bundled of ['react', 'react-dom', 'recharts']) expect(pkg.devDependencies[bundled]).toBeDefined();
  });

  it('npm run dist builds, renders the icons and packages for the current OS', () => {
    expect(pkg.scripts['dist']).toBe('electron-vite build && node scripts/render-icons.mjs && electron-builder --publish never');
  });
});

describe('icons rendered from build/icon.svg', () => {
  it('writes a square PNG of every size the targets need', () => {
    const out = tmp('perch-icons-');
    const written = renderIcons(join(root, 'build', 'icon.svg'), out);
    expect(written.map((w) => w.size)).toEqual([...LINUX_SIZES, 1024]);
    for (const { file, size } of written) {
      const png = readFileSync(file);
      expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
      // IHDR: width and height, big-endian, at bytes 16 and 20
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([size, size]);
    }
    expect(existsSync(join(out, 'icons', '16x16.png'))).toBe(true);
    expect(existsSync(join(out, 'icon.png'))).toBe(true);
  });
});

const built = existsSync(join(root, 'out', 'main', 'index.js')) && existsSync(join(root, 'out', 'renderer', 'index.html'));
const linux = process.platform === 'linux';
const why = !linux
  ? ' (SKIPPED: the stand-in package is built for Linux)'
  : !built
    ? ' (SKIPPED: out/ is missing; run `npx electron-vite build` first)'
    : '';

describe.skipIf(!linux || !built)(`the Linux package as electron-builder assembles it, around a stand-in Electron${why}`, () => {
  it('contains the build output and runtime modules only, unpacks the native keychain module, and flips the fuses', async () => {
    const standIn = tmp('perch-electron-standin-');
    const exe = join(standIn, 'electron');
    writeFileSync(
      exe,
      Buffer.concat([
        Buffer.from('#!/bin/sh\nexit 0\n'),
        Buffer.from(SENTINEL),
        Buffer.from([1, ELECTRON_DEFAULT_WIRE.length, ...ELECTRON_DEFAULT_WIRE.map((b) => 48 + b)]),
      ]),
    );
    chmodSync(exe, 0o755);
    writeFileSync(join(standIn, 'version'), String((require('electron/package.json') as { version: string }).version));
    mkdirSync(join(standIn, 'resources'));
    const output = tmp('perch-dist-');
    const builder = join(root, 'node_modules', 'electron-builder', 'cli.js');
    await run(
      process.execPath,
      [builder, '--linux', 'dir', '--publish', 'never', `--config.electronDist=${standIn}`, `--config.directories.output=${output}`],
      { cwd: root, timeout: 240_000, maxBuffer: 32 * 1024 * 1024 },
    );

    const appDir = join(output, 'linux-unpacked');
    const asar = require('@electron/asar') as { listPackage(path: string): string[] };
    const files = asar.listPackage(join(appDir, 'resources', 'app.asar')).map((f) => f.replace(/\\/g, '/'));
    expect(files).toEqual(
      expect.arrayContaining([
        '/package.json',
        '/out/main/index.js',
        '/out/preload/index.cjs',
        '/out/renderer/index.html',
        '/out/renderer/licenses.json',
      ]),
    );
    // no sources, tests, benches, scripts, source maps or dev tooling
    const own = files.filter((f) => f !== '/node_modules' && !f.startsWith('/node_modules/'));
    expect(own.filter((f) => !/^\/(out(\/.*)?|package\.json)$/.test(f))).toEqual([]);
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    const modules = new Set(
      files
        .filter((f) => f.startsWith('/node_modules/'))
        .map((f) =>
          f
            .split('/')
            .slice(2, f.split('/')[2]?.startsWith('@') ? 4 : 3)
            .join('/'),
        ),
    );
    for (const runtime of ['ws', 'zod', 'decimal.js', 'electron-store', '@napi-rs/keyring']) expect(modules.has(runtime)).toBe(true);
    for (const devOnly of ['react', 'react-dom', 'recharts', 'vitest', 'electron', 'electron-builder', 'typescript', '@playwright/test'])
      expect(modules.has(devOnly)).toBe(false);
    // the native module loads from disk, outside the archive
    expect(
      existsSync(
        join(appDir, 'resources', 'app.asar.unpacked', 'node_modules', '@napi-rs', 'keyring-linux-x64-gnu', 'keyring.linux-x64-gnu.node'),
      ),
    ).toBe(true);

    const { getCurrentFuseWire } = require('@electron/fuses') as { getCurrentFuseWire(path: string): Promise<Record<string, number>> };
    const wire = await getCurrentFuseWire(join(appDir, 'perch'));
    const state = Object.fromEntries(FUSE_NAMES.map((name, i) => [name, wire[String(i)] === 49]));
    expect(state).toEqual(Object.fromEntries(FUSE_NAMES.map((name) => [name, config.electronFuses[name]])));
    // the stand-in started with Electron's defaults: the package really changed them
    expect(state['runAsNode']).toBe(false);
    expect(state['onlyLoadAppFromAsar']).toBe(true);
  }, 300_000);
});

describe('release pipeline (runs on a hosted CI with internet)', () => {
  const release = readFileSync(join(root, '.github', 'workflows', 'release.yml'), 'utf8');
  const ci = readFileSync(join(root, '.github', 'workflows', 'ci.yml'), 'utf8');
  it('on a version tag: the whole suite first, then packages for the three systems, fuses read back, checksums, a release', () => {
    expect(release).toMatch(/tags: \['v\*\.\*\.\*'\]/);
    expect(release).toContain('bash .ci/run');
    expect(release).toContain('needs: test');
    for (const args of ['--linux AppImage deb', '--mac dmg --x64 --arm64', '--win nsis --x64']) expect(release).toContain(args);
    expect(release).toContain('@electron/fuses read');
    expect(release).toContain('SHA256SUMS');
    expect(release).toContain('gh release create');
  });
  it('signing credentials come only from secrets', () => {
    for (const name of [
      'CSC_LINK',
      'CSC_KEY_PASSWORD',
      'APPLE_ID',
      'APPLE_APP_SPECIFIC_PASSWORD',
      'APPLE_TEAM_ID',
      'WIN_CSC_LINK',
      'WIN_CSC_KEY_PASSWORD',
    ]) {
      expect(release).toContain(`secrets.${name}`);
    }
  });
  it('every push runs the suite on Linux, macOS and Windows', () => {
    expect(ci).toContain('bash .ci/run');
    expect(ci).toMatch(/macos-/);
    expect(ci).toMatch(/windows-/);
  });
});

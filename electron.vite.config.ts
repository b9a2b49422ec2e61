import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';
import type { Plugin } from 'vite';
import { collectLicenses, packageOfModule } from './scripts/licenses.mjs';

/**
 * Three bundles (docs/ARCHITECTURE.md §1):
 * - main: ESM (package.json is "type": "module"), dependencies external (native @napi-rs/keyring
 *   must stay a real module; electron-store is ESM-only and loads fine from an ESM main).
 * - preload: ONE CommonJS file, out/preload/index.cjs, with the channel names bundled in and
 *   only `electron` left as a require: that is all a sandboxed preload can load.
 * - renderer: the React app from src/renderer, with a strict CSP (no inline or eval script).
 */

/**
 * The production CSP lives in src/renderer/index.html. In `electron-vite dev` the React plugin
 * injects an inline refresh preamble and Vite's client uses a websocket, so the policy is relaxed
 * for the dev server only; builds keep the strict one (test/unit/build checks it).
 */
function devCspRelax(): Plugin {
  return {
    name: 'perch:dev-csp-relax',
    apply: 'serve',
    transformIndexHtml(html) {
      return html
        .replace(/script-src 'self'/, "script-src 'self' 'unsafe-inline'")
        .replace(/connect-src 'self'/, "connect-src 'self' ws: http:");
    },
  };
}

/** The About dialog's licence list (scripts/licenses.mjs), written into the renderer build. */
function licensesAsset(): Plugin {
  return {
    name: 'perch:licenses',
    apply: 'build',
    generateBundle(_options, bundle) {
      // the packages whose code is inside the renderer bundle (React, recharts, …)
      const bundled = new Set<string>();
      for (const chunk of Object.values(bundle)) {
        if (chunk.type !== 'chunk') continue;
        for (const id of chunk.moduleIds) {
          const name = packageOfModule(id);
          if (name !== null) bundled.add(name);
        }
      }
      this.emitFile({
        type: 'asset',
        fileName: 'licenses.json',
        source: JSON.stringify(collectLicenses(import.meta.dirname, [...bundled])),
      });
    },
  };
}

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rolldownOptions: { input: { index: resolve(import.meta.dirname, 'src/main/index.ts') } },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // bundle everything except electron; externalised deps would be require()d and fail sandboxed
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve(import.meta.dirname, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs', codeSplitting: false },
      },
    },
  },
  renderer: {
    root: resolve(import.meta.dirname, 'src/renderer'),
    plugins: [react(), devCspRelax(), licensesAsset()],
    build: {
      outDir: resolve(import.meta.dirname, 'out/renderer'),
      emptyOutDir: true,
      // keep every script an external file: no inlined module preload polyfill
      modulePreload: { polyfill: false },
      assetsInlineLimit: 0,
      // electron-vite leaves the renderer unminified; minified, React is less than half the size
      minify: true,
      rolldownOptions: { input: { index: resolve(import.meta.dirname, 'src/renderer/index.html') } },
    },
  },
});

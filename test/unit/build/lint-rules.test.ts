// Seam: the project's own ESLint configuration (eslint.config.js), run on small probe files
// placed (virtually) at the paths the rules are about. Each rule must fire where it should and
// stay quiet where the code is allowed to do the thing.
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../..');
const eslint = new ESLint({ cwd: root });

async function rulesFiredOn(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, path) });
  return (result?.messages ?? []).map((m) => m.ruleId ?? `fatal: ${m.message}`);
}

const ipcProbe = [
  "import { ipcMain, type WebContents } from 'electron';",
  'export function probe(w: { webContents: WebContents }): void {',
  "  ipcMain.handle('x', () => 1);",
  "  w.webContents.send('y', 1);",
  '}',
  '',
].join('\n');

describe('IPC only through the adapter', () => {
  it('refuses ipcMain.handle and webContents.send outside the adapter', async () => {
    const fired = await rulesFiredOn('src/main/electron/window-probe.ts', ipcProbe);
    expect(fired.filter((r) => r === 'no-restricted-syntax')).toHaveLength(2);
  });

  it('allows them in src/main/electron/ipc.ts', async () => {
    expect(await rulesFiredOn('src/main/electron/ipc.ts', ipcProbe)).toEqual([]);
  });
});

describe('pure modules take values, not the machine', () => {
  const probe = ["import { readFileSync } from 'node:fs';", "import WebSocket from 'ws';", 'export const probe = [readFileSync, WebSocket, process.env];', ''].join('\n');

  it.each(['src/main/portfolio/valuation-probe.ts', 'src/main/orders/preflight-probe.ts', 'src/main/exchange/filters-probe.ts', 'src/main/history/pnl-engine-probe.ts', 'src/main/alerts/engine-probe.ts'])(
    '%s may not import Node built-ins or sockets, nor read process',
    async (path) => {
      const fired = await rulesFiredOn(path, probe);
      expect(fired.filter((r) => r === 'no-restricted-imports')).toHaveLength(2);
      expect(fired).toContain('no-restricted-globals');
    },
  );

  it('other core modules may (the exchange client opens sockets)', async () => {
    expect(await rulesFiredOn('src/main/exchange/rest-probe.ts', probe)).toEqual([]);
  });
});

describe('React hooks and accessibility rules run on the renderer', () => {
  it('reports a hook called conditionally and an image without alt text', async () => {
    const code = [
      "import { useState } from 'react';",
      'export function Probe({ on }: { on: boolean }): React.JSX.Element {',
      '  if (on) useState(0);',
      "  return <img src='x.png' />;",
      '}',
      '',
    ].join('\n');
    const fired = await rulesFiredOn('src/renderer/features/probe.tsx', code);
    expect(fired).toContain('react-hooks/rules-of-hooks');
    expect(fired).toContain('jsx-a11y/alt-text');
  });
});

/**
 * `npm run bench:history` (second part): the P&L value chart over a year of 5-minute value samples,
 * through the web host and Debian's Chromium. The data folder's value history is seeded with
 * 365 × 288 points (~105,000) before the host starts; the page opens the demo, waits for the
 * history to be read, then switches the chart between ranges. Every range draws the recorded values
 * where they exist (the "1 y" chart is the year of 5-minute values with the engine's day ends), cut
 * down in main to what the plot's width can show. Prints (does not assert), per range:
 *   - the bytes of the pnl:overview answer on the wire, the number of chart points in it, and how
 *     long main took to answer (request sent to answer received, on the socket)
 *   - the time from clicking the range to the chart's SVG line being drawn with the new points
 *   - the longest renderer task in that time (PerformanceObserver 'longtask')
 * Targets (issue 10 §5): downsampled in main before IPC, ≤ 2,000 points sent, chart drawn in
 * ≤ 100 ms, no renderer task over 50 ms.
 */
import { spawn, execSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium, type Page } from '@playwright/test';
import { openDatabase } from '../src/main/storage/database';

const root = join(import.meta.dirname, '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');
const FIVE_MIN = 300_000;
const DAY = 86_400_000;

function chromiumPath(): string {
  try {
    const p = execSync('command -v chromium', { encoding: 'utf8', shell: '/bin/sh' }).trim();
    if (p) return p;
  } catch {
    // default below
  }
  return '/usr/bin/chromium';
}

/** A year of 5-minute totals in the demo environment's value history, ending now. */
function seed(dataDir: string, now: number): number {
  const db = openDatabase(join(dataDir, 'perch.sqlite'));
  let n = 0;
  try {
    const end = Math.floor(now / FIVE_MIN) * FIVE_MIN;
    db.transaction(() => {
      for (let t = end - 365 * DAY; t <= end; t += FIVE_MIN, n++) {
        const v = 25_000 + 4_000 * Math.sin(n / 2_000) + 300 * Math.sin(n / 37);
        db.valueSnapshots.record({ ts: t, environment: 'demo', quote: 'USDT', total: v.toFixed(2) });
      }
    });
  } finally {
    db.close();
  }
  return n;
}

async function startHost(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(tsx, ['src/webhost/cli.ts', '--json', '--data-dir', dataDir], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the web host did not start in 120 s\n${stderr}`)), 120_000);
    createInterface({ input: child.stdout! }).once('line', (l) => {
      clearTimeout(timer);
      resolve(l);
    });
    child.once('exit', (code) => reject(new Error(`the web host exited with ${String(code)}\n${stderr}`)));
  });
  return { child, url: String((JSON.parse(line) as { url: string }).url) };
}

const PAGE_PROBE = `
  localStorage.setItem('perch.onboarded', '1');
  window.__bench = { longtasks: [] };
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__bench.longtasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch (e) {}
`;

interface Answer {
  bytes: number;
  points: number;
  ms: number;
}

/** In the page: clicks a range button, resolves when the value line's path has changed and a frame was painted. */
const SWITCH_RANGE = `
  window.__switchRange = async (name) => {
    const box = document.querySelector('[data-testid="value-chart"]');
    const path = () => box.querySelector('.recharts-line-curve')?.getAttribute('d') ?? null;
    const before = path();
    const button = [...document.querySelectorAll('button')].find((b) => b.textContent === name);
    const t0 = performance.now();
    const drawnAt = await new Promise((resolve) => {
      const mo = new MutationObserver(() => {
        const d = path();
        if (d !== null && d !== before) {
          mo.disconnect();
          // Drawn: the frame with the new path has been painted.
          requestAnimationFrame(() => setTimeout(() => resolve(performance.now()), 0));
        }
      });
      mo.observe(box, { subtree: true, childList: true, attributes: true, attributeFilter: ['d'] });
      setTimeout(() => { mo.disconnect(); resolve(NaN); }, 30000);
      button.click();
    });
    // Long tasks are reported after they end: give the observer a moment.
    await new Promise((r) => setTimeout(r, 300));
    const longest = window.__bench.longtasks.filter((t) => t.start >= t0 - 1 && t.start <= drawnAt).reduce((m, t) => Math.max(m, t.duration), 0);
    return { drawnMs: drawnAt - t0, longest };
  };
`;

function switchRange(page: Page, label: string): Promise<{ drawnMs: number; longest: number }> {
  return page.evaluate(
    (name) => (window as unknown as { __switchRange(n: string): Promise<{ drawnMs: number; longest: number }> }).__switchRange(name),
    label,
  );
}

async function main(): Promise<void> {
  if (!existsSync(join(root, 'out/renderer/index.html'))) execSync('npx electron-vite build', { cwd: root, stdio: 'inherit' });
  const dataDir = mkdtempSync(join(tmpdir(), 'perch-bench-chart-'));
  const seeded = seed(dataDir, Date.now());
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  let host: { child: ChildProcess; url: string } | null = null;
  try {
    host = await startHost(dataDir);
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.addInitScript(PAGE_PROBE + SWITCH_RANGE);
    const page = await context.newPage();
    // Every pnl:overview answer as it crossed the socket: its bytes and its chart points.
    const overviewIds = new Map<number, number>();
    const answers: Answer[] = [];
    page.on('websocket', (ws) => {
      ws.on('framesent', (f) => {
        const m = JSON.parse(String(f.payload)) as { id?: number; name?: string };
        if (m.name === 'pnl:overview' && m.id !== undefined) overviewIds.set(m.id, performance.now());
      });
      ws.on('framereceived', (f) => {
        const text = String(f.payload);
        const m = JSON.parse(text) as { t?: string; id?: number; result?: { ok: boolean; value?: { series?: unknown[] } } };
        if (m.t === 'result' && m.id !== undefined && overviewIds.has(m.id)) {
          answers.push({
            bytes: Buffer.byteLength(text),
            points: m.result?.value?.series?.length ?? 0,
            ms: performance.now() - overviewIds.get(m.id)!,
          });
        }
      });
    });
    await page.goto(host.url);
    await page.getByRole('button', { name: /Explore the demo/ }).click();
    await page.getByRole('button', { name: 'P&L' }).click();
    await page.getByTestId('pnl-sync').getByText('History read').waitFor({ timeout: 120_000 });
    await page.getByTestId('value-chart').locator('.recharts-line-curve').first().waitFor({ timeout: 60_000 });
    // Let the refreshes that follow the first sync settle before measuring.
    await page.waitForTimeout(3_000);

    process.stdout.write(
      `P&L value chart (web host + Debian Chromium), ${seeded.toLocaleString('en-US')} recorded 5-minute values over a year:\n`,
    );
    // Each range is entered from a different one, so the line really changes; "1 y" twice (warm).
    // "1 y" draws the whole year of recorded values (~105,000) with the engine's day ends; "90 d"
    // (~26,000) and "30 d" (~8,600) the same for their span.
    for (const [from, to] of [
      ['90 d', '1 y'],
      ['30 d', '1 y'],
      ['1 y', '90 d'],
      ['1 y', '30 d'],
    ] as const) {
      await switchRange(page, from);
      const n = answers.length;
      const { drawnMs, longest } = await switchRange(page, to);
      const a = answers.slice(n).at(-1);
      process.stdout.write(
        `  ${to.padEnd(5)}: pnl:overview answer ${a ? `${(a.bytes / 1024).toFixed(1)} KiB, ${a.points} points sent, answered in ${Math.round(a.ms)} ms` : '(not seen)'}; chart drawn ${Math.round(drawnMs)} ms after the click; longest renderer task ${Math.round(longest)} ms (targets: ≤ 2,000 points, ≤ 100 ms, no task over 50 ms)\n`,
      );
    }
    await context.close();
  } finally {
    if (host !== null && host.child.exitCode === null) {
      const exited = new Promise<void>((r) => host!.child.once('exit', () => r()));
      host.child.kill('SIGTERM');
      await exited;
    }
    await browser.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});

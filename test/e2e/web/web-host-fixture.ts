/**
 * Seam: each test gets its own web host process (src/webhost/cli.ts) on a random loopback port
 * with a fresh temp data dir, in demo mode on its own simulator. The simulator's control
 * endpoint is how tests move prices, balances and inject network faults.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test as base, expect, type Page } from '@playwright/test';

export const repoRoot = join(import.meta.dirname, '../../..');
export const screensDir = join(repoRoot, 'test-results', 'screens');

export interface HostInfo {
  /**
   * The address the host printed, with its access token in the fragment (`/#t=…`): the page keeps
   * it in sessionStorage and clears it from the address bar. The bare origin opens nothing.
   */
  readonly url: string;
  readonly origin: string;
  readonly port: number;
  readonly token: string;
  readonly pid: number;
  readonly dataDir: string;
  readonly logFile: string;
  readonly simulator: {
    readonly restUrl: string;
    readonly controlUrl: string;
    readonly controlToken: string;
    readonly apiKey: string;
    readonly apiSecret: string;
  };
}

export interface RunningHost extends HostInfo {
  /** POST (or GET without body) to the simulator's control endpoint; throws on non-2xx. */
  control(path: string, body?: unknown): Promise<unknown>;
  /** The app's log file and what the host process wrote to stdout/stderr: evidence for a failed test. */
  log(): string;
  stop(): Promise<void>;
}

/** Keep at most this much of the host's stdout/stderr (the newest part). */
const OUTPUT_KEEP = 256 * 1024;

export async function startHost(args: readonly string[] = []): Promise<RunningHost> {
  const dataDir = mkdtempSync(join(tmpdir(), 'perch-e2e-web-'));
  const tsx = join(repoRoot, 'node_modules', '.bin', 'tsx');
  const child: ChildProcess = spawn(tsx, ['src/webhost/cli.ts', '--json', '--local-environments', '--data-dir', dataDir, ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env },
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  // Everything the host prints, both streams in arrival order, for the failure attachment.
  let output = '';
  const keep =
    (stream: string) =>
    (d: Buffer): void => {
      output += d.toString().replace(/^(?=.)/gm, `[${stream}] `);
      if (output.length > OUTPUT_KEEP) output = output.slice(-OUTPUT_KEEP);
    };
  child.stdout?.on('data', keep('stdout'));
  child.stderr?.on('data', keep('stderr'));
  const info = await new Promise<HostInfo>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`web host did not start within 60 s\n${stderr}`)), 60_000);
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(line) as HostInfo);
      } catch {
        reject(new Error(`web host printed an unexpected first line: ${line}\n${stderr}`));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`web host exited with ${String(code)} before it started\n${stderr}`));
    });
  });

  const control = async (path: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(`${info.simulator.controlUrl}${path}`, {
      method: body === undefined && path === '/state' ? 'GET' : 'POST',
      headers: { Authorization: `Bearer ${info.simulator.controlToken}`, 'Content-Type': 'application/json' },
      ...(body === undefined && path === '/state' ? {} : { body: JSON.stringify(body ?? {}) }),
    });
    const json = (await res.json()) as unknown;
    if (!res.ok) throw new Error(`control ${path} -> ${res.status} ${JSON.stringify(json)}`);
    return json;
  };

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const killTimer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killTimer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  const log = (): string => {
    // Read before stop(): the data dir (and the log file in it) goes with the host.
    const file = existsSync(info.logFile) ? readFileSync(info.logFile, 'utf8') : '(no log file was written)\n';
    return `--- ${info.logFile}\n${file}\n--- web host stdout/stderr\n${output}`;
  };
  return { ...info, control, log, stop };
}

/** Open the app through the printed URL, as a person would; the token does not stay in the address bar. */
export async function openApp(page: Page, host: HostInfo): Promise<void> {
  await page.goto(host.url);
  await expect(page).toHaveURL(`${host.origin}/`);
}

/** Open the app and skip the first-start screen by choosing the demo. */
export async function openDemo(page: Page, host: HostInfo): Promise<void> {
  await openApp(page, host);
  await page.getByRole('button', { name: /Explore the demo/ }).click();
  await expect(page.getByTestId('total-value')).toBeVisible();
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(screensDir, { recursive: true });
  await page.screenshot({ path: join(screensDir, `${name}.png`) });
}

/** The text of one holdings cell by asset and column index (0 = asset). */
export function cell(page: Page, asset: string, column: number) {
  return page.locator(`.hbody .hrow[data-asset="${asset}"] [role="cell"]`).nth(column);
}

export const test = base.extend<{ host: RunningHost; consoleErrors: string[] }>({
  // Playwright reads a fixture's dependencies from its first parameter: none here
  // eslint-disable-next-line no-empty-pattern
  host: async ({}, use, testInfo) => {
    const host = await startHost();
    try {
      await use(host);
    } finally {
      // A failing test keeps the app's side of the story next to its trace and screenshot.
      if (testInfo.status !== testInfo.expectedStatus) {
        await testInfo.attach('web-host.log', { body: host.log(), contentType: 'text/plain' });
      }
      await host.stop();
    }
  },
  consoleErrors: async ({ page }, use) => {
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await use(errors);
  },
});

export { expect };

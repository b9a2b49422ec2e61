import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../../../src/main/sim/cli.ts', import.meta.url));
const children: ChildProcess[] = [];

function run(args: string[]): {
  child: ChildProcess;
  exit: Promise<number | null>;
  stdout: () => string;
  stderr: () => string;
  firstLine: Promise<string>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const firstLine = new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout as NonNullable<typeof child.stdout> });
    rl.once('line', resolve);
    rl.on('line', (l) => (out += `${l}\n`));
    void exit.then((code) => reject(new Error(`exited ${String(code)} before printing: ${err}`)));
  });
  // The rejection is observed by whoever awaits firstLine; avoid an unhandled one for those who don't.
  firstLine.catch(() => undefined);
  return { child, exit, stdout: () => out, stderr: () => err, firstLine };
}

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

describe('npm run sim (cli.ts)', () => {
  it('--port 0 --json prints exactly one JSON line, serves REST, and SIGINT exits 0', async () => {
    const p = run(['--port', '0', '--json', '--seed', '7', '--clock-offset', '-2000']);
    const line = await p.firstLine;
    const info = JSON.parse(line) as Record<string, string>;
    for (const k of ['restUrl', 'streamUrl', 'wsApiUrl', 'controlUrl', 'controlToken', 'apiKey', 'apiSecret'])
      expect(typeof info[k], k).toBe('string');
    expect(info.restUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(info.wsApiUrl).toBe(`${info.streamUrl}/ws-api/v3`);
    const res = await fetch(`${info.restUrl}/api/v3/time`);
    expect(res.status).toBe(200);
    const { serverTime } = (await res.json()) as { serverTime: number };
    // --clock-offset -2000: the server runs about two seconds behind this process.
    expect(serverTime).toBeLessThan(Date.now() - 1000);
    p.child.kill('SIGINT');
    expect(await p.exit).toBe(0);
    expect(p.stdout().trim().split('\n')).toHaveLength(1);
  }, 60_000);

  it('--api-key/--api-secret become the printed demo key', async () => {
    const key = 'K'.repeat(64);
    const p = run(['--json', '--api-key', key, '--api-secret', 'my-secret']);
    const info = JSON.parse(await p.firstLine) as Record<string, string>;
    expect([info.apiKey, info.apiSecret]).toEqual([key, 'my-secret']);
    p.child.kill('SIGTERM');
    expect(await p.exit).toBe(0);
  }, 60_000);

  it('a bad option is a clear message and exit 2; --help exits 0', async () => {
    const bad = run(['--bogus']);
    expect(await bad.exit).toBe(2);
    expect(bad.stderr()).toMatch(/bogus/);
    const badPort = run(['--port', 'abc']);
    expect(await badPort.exit).toBe(2);
    expect(badPort.stderr()).toContain('--port must be an integer');
    const help = run(['--help']);
    expect(await help.exit).toBe(0);
    expect(help.stdout()).toContain('--clock-offset');
  }, 60_000);
});

// Seam: the web host's HTTP/WebSocket boundary (token URL, origin, Host header, framing headers,
// static files, production refusal) in front of the real core in demo mode. A tiny index.html
// stands in for the built renderer.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createMemorySecretStore } from '../../../src/main/storage/secret-store';
import { createFileSettingsBackend, createSettingsStore } from '../../../src/main/storage/settings';
import { FRAME_HEADERS, startWebHost, type WebHost } from '../../../src/webhost/host';
import { bridgeScript } from '../../../src/webhost/bridge-script';
import { injectBridge, resolveStaticPath } from '../../../src/webhost/static-files';

let host: WebHost;
let rendererDir: string;

beforeAll(async () => {
  rendererDir = mkdtempSync(join(tmpdir(), 'perch-webhost-renderer-'));
  writeFileSync(
    join(rendererDir, 'index.html'),
    '<!doctype html><html><head><script type="module" src="./assets/app.js"></script></head><body></body></html>',
  );
  writeFileSync(join(rendererDir, 'secret.txt'), 'outside?');
  host = await startWebHost({ rendererDir });
});

afterAll(async () => {
  await host?.stop();
  rmSync(rendererDir, { recursive: true, force: true });
});

interface Got {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

function get(path: string, headers: Record<string, string> = {}, on: WebHost = host): Promise<Got> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: on.port, path, method: 'GET', headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

interface Conn {
  ws: WebSocket;
  call(name: string, input?: unknown): Promise<{ ok: boolean; value?: unknown; error?: { code: string } }>;
  events: { name: string; payload: unknown }[];
}

function connect(opts: { token?: string | null; origin?: string; cookie?: string; on?: WebHost } = {}): Promise<Conn> {
  const on = opts.on ?? host;
  const token = opts.token === undefined ? on.token : opts.token;
  const query = token === null ? '' : `?token=${token}`;
  const headers: Record<string, string> = { Origin: opts.origin ?? on.origin };
  if (opts.cookie !== undefined) headers['Cookie'] = opts.cookie;
  const ws = new WebSocket(`ws://127.0.0.1:${on.port}/__perch/ws${query}`, { headers });
  const events: Conn['events'] = [];
  const pending = new Map<number, (v: never) => void>();
  let id = 0;
  ws.on('message', (d) => {
    const m = JSON.parse(d.toString()) as { t: string; id: number; result: never; name: string; payload: unknown };
    if (m.t === 'result') pending.get(m.id)?.(m.result);
    else events.push({ name: m.name, payload: m.payload });
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () =>
      resolve({
        ws,
        events,
        call: (name, input) =>
          new Promise((r) => {
            id += 1;
            pending.set(id, r as (v: never) => void);
            ws.send(JSON.stringify({ t: 'call', id, name, ...(input === undefined ? {} : { input }) }));
          }),
      }),
    );
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

describe('web host', () => {
  it('puts the token only in the URL fragment, which browsers never send; no response sets a cookie or carries the token', async () => {
    expect(host.url).toBe(`${host.origin}/#t=${host.token}`);
    const h = { Host: `127.0.0.1:${host.port}` };
    for (const path of [
      '/',
      '/index.html',
      `/?t=${host.token}`,
      '/__perch/bridge.js',
      '/assets/missing.js',
      '/favicon.ico',
      '/__perch/stats',
    ]) {
      const res = await get(path, h);
      expect(res.headers['set-cookie'], path).toBeUndefined();
      expect(res.body, path).not.toContain(host.token);
    }
  });

  it('serves index.html (no secret in it) with the bridge script before the app script', async () => {
    const res = await get('/', { Host: `127.0.0.1:${host.port}` });
    expect(res.status).toBe(200);
    expect(res.body).not.toContain(host.token);
    const bridge = res.body.indexOf('<script src="/__perch/bridge.js"></script>');
    const app = res.body.indexOf('<script type="module"');
    expect(bridge).toBeGreaterThan(0);
    expect(app).toBeGreaterThan(bridge);
    const js = await get('/__perch/bridge.js', { Host: `127.0.0.1:${host.port}` });
    expect(js.body).toContain('"portfolio:snapshot"');
    // the bridge keeps the token in per-origin storage, never in a cookie
    expect(js.body).toContain('sessionStorage');
    expect(js.body).not.toMatch(/cookie/i);
    expect(bridgeScript()).toBe(js.body);
  });

  it('forbids framing on every response, as HTTP headers', async () => {
    expect(FRAME_HEADERS).toEqual({ 'Content-Security-Policy': "frame-ancestors 'none'", 'X-Frame-Options': 'DENY' });
    for (const [path, host_] of [
      ['/', `127.0.0.1:${host.port}`],
      ['/__perch/bridge.js', `127.0.0.1:${host.port}`],
      ['/nope', `127.0.0.1:${host.port}`],
      ['/', `perch.example:${host.port}`],
    ] as const) {
      const res = await get(path, { Host: host_ });
      expect(res.headers['content-security-policy'], path).toBe("frame-ancestors 'none'");
      expect(res.headers['x-frame-options'], path).toBe('DENY');
    }
  });

  it('refuses another Host name (DNS rebinding), path traversal and stats without the token', async () => {
    expect((await get('/', { Host: `perch.example:${host.port}` })).status).toBe(421);
    for (const p of ['/../package.json', '/%2e%2e/%2e%2e/package.json', '/..%2fpackage.json', '/assets/..%5c..%5cpackage.json']) {
      expect((await get(p, { Host: `127.0.0.1:${host.port}` })).status).toBe(404);
    }
    expect((await get('/__perch/stats', { Host: `127.0.0.1:${host.port}` })).status).toBe(403);
    expect((await get('/__perch/stats', { Host: `127.0.0.1:${host.port}`, Authorization: `Bearer ${host.token}` })).status).toBe(200);
  });

  it('keeps static paths inside the renderer folder', () => {
    expect(resolveStaticPath('/srv/r', '/assets/a.js')).toBe('/srv/r/assets/a.js');
    expect(resolveStaticPath('/srv/r', '/')).toBe('/srv/r/index.html');
    expect(resolveStaticPath('/srv/r', '/../r2/x')).toBeNull();
    expect(resolveStaticPath('/srv/r', '/%00')).toBeNull();
    expect(resolveStaticPath('/srv/r', '/%E0%A4%A')).toBeNull();
    expect(injectBridge('<head></head>')).toContain('<script src="/__perch/bridge.js"></script>');
  });

  it('refuses a WebSocket without the token, whatever cookies and Origin it sends', async () => {
    await expect(connect({ token: 'x'.repeat(64) })).rejects.toThrow(/403/);
    await expect(connect({ token: null })).rejects.toThrow(/403/);
    await expect(connect({ origin: 'http://evil.example' })).rejects.toThrow(/403/);
    await expect(connect({ origin: `http://localhost:${host.port}` })).rejects.toThrow(/403/);
    // a forged Origin (any local program can send one) with any cookie admits nothing: cookies
    // reach every 127.0.0.1 port, so none may be a credential
    for (const cookie of [
      `perch_session_${host.port}=${host.token}`,
      `t=${host.token}`,
      `token=${host.token}`,
      `perch_session_${host.port}=${'a'.repeat(64)}`,
    ]) {
      await expect(connect({ token: null, origin: host.origin, cookie }), cookie).rejects.toThrow(/403/);
    }
    const c = await connect();
    try {
      expect(await c.call('settings:get')).toMatchObject({ ok: true });
    } finally {
      c.ws.close();
    }
  });

  it('refuses the live exchange: commands naming production answer not-allowed and change nothing', async () => {
    const c = await connect();
    try {
      const refused = [
        await c.call('settings:update', { environment: 'production' }),
        await c.call('keys:generateEd25519', { environment: 'production' }),
        await c.call('keys:test', { environment: 'production', material: { kind: 'ed25519-generated', apiKey: 'A'.repeat(64) } }),
        await c.call('keys:health', { environment: 'production' }),
      ];
      for (const r of refused) {
        expect(r).toMatchObject({
          ok: false,
          error: { code: 'not-allowed', message: expect.stringMatching(/development and test tool.*--allow-production/) },
        });
      }
      expect(await c.call('settings:get')).toMatchObject({ ok: true, value: { environment: 'demo' } });
      // other environments go through
      expect(await c.call('keys:generateEd25519', { environment: 'testnet' })).toMatchObject({ ok: true });
    } finally {
      c.ws.close();
    }
  });

  it('routes commands through the contract and pushes the core events', async () => {
    const c = await connect();
    try {
      const state = await c.call('app:getState');
      expect(state.ok).toBe(true);
      expect(state.value).toMatchObject({ demo: true, settings: { environment: 'demo' } });
      expect(await c.call('shell:exec')).toMatchObject({ ok: false, error: { code: 'unknown-command' } });
      expect(await c.call('settings:update', { theme: 'neon' })).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
      expect(await c.call('settings:update', { theme: 'dark' })).toMatchObject({ ok: true, value: { theme: 'dark' } });
      await expect.poll(() => c.events.some((e) => e.name === 'settings:changed'), { timeout: 10_000 }).toBe(true);
      await expect.poll(() => c.events.some((e) => e.name === 'portfolio:snapshot'), { timeout: 20_000 }).toBe(true);
      const stats = host.stats();
      expect(stats.eventBytes).toBeGreaterThan(0);
    } finally {
      c.ws.close();
    }
  });
});

describe('web host options', () => {
  const dirs: string[] = [];
  const hosts: WebHost[] = [];
  afterAll(async () => {
    for (const h of hosts) await h.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('refuses to start on settings that select production unless allowed', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'perch-webhost-prod-'));
    dirs.push(dataDir);
    createSettingsStore(createFileSettingsBackend(join(dataDir, 'settings.json'))).update({ environment: 'production' });
    await expect(startWebHost({ rendererDir, dataDir })).rejects.toMatchObject({
      code: 'not-allowed',
      message: expect.stringMatching(/--allow-production/),
    });
  });

  it('with allowProduction, production commands reach the core', async () => {
    const allowed = await startWebHost({ rendererDir, allowProduction: true });
    hosts.push(allowed);
    const c = await connect({ on: allowed });
    try {
      expect(await c.call('keys:generateEd25519', { environment: 'production' })).toMatchObject({
        ok: true,
        value: { publicKeyPem: expect.stringContaining('PUBLIC KEY') },
      });
    } finally {
      c.ws.close();
    }
  });

  it('a damaged keychain entry: a clean error over the socket, nothing of it in the log file', async () => {
    const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const body = pem
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('-----'))
      .join('');
    const secrets = createMemorySecretStore();
    await secrets.set('ed25519-pending:testnet', body);
    await secrets.set('ed25519-pending:demo-mode', `{"privateKeyPem":"${pem.replace(/\n/g, '\\n')}`);
    // an unexpected failure whose message quotes key material goes to the log redacted
    const failing = {
      ...secrets,
      get: async (account: string) => {
        if (account === 'ed25519-pending:demo') throw new Error(`backend failed on ${pem}`);
        return secrets.get(account);
      },
    };
    const h = await startWebHost({ rendererDir, secrets: failing });
    hosts.push(h);
    const c = await connect({ on: h });
    try {
      const material = { kind: 'ed25519-generated', apiKey: 'A'.repeat(64) };
      for (const environment of ['testnet', 'demo-mode']) {
        const r = await c.call('keys:test', { environment, material });
        expect(r).toMatchObject({ ok: false, error: { code: 'keychain-unavailable' } });
        expect(JSON.stringify(r)).not.toContain(body.slice(0, 10));
      }
      expect(await c.call('keys:test', { environment: 'demo', material })).toMatchObject({ ok: false, error: { code: 'internal' } });
    } finally {
      c.ws.close();
    }
    const log = readFileSync(h.logFile, 'utf8');
    expect(log).toContain('command keys:test failed');
    expect(log).toContain('backend failed');
    for (let i = 0; i + 8 <= body.length; i += 4) expect(log).not.toContain(body.slice(i, i + 8));
  });
});

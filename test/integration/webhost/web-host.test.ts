// Seam: the web host's HTTP/WebSocket boundary (token, origin, Host header, static files) in
// front of the real core in demo mode. A tiny index.html stands in for the built renderer.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startWebHost, type WebHost } from '../../../src/webhost/host';
import { injectBridge, resolveStaticPath } from '../../../src/webhost/static-files';

let host: WebHost;
let rendererDir: string;

beforeAll(async () => {
  rendererDir = mkdtempSync(join(tmpdir(), 'perch-webhost-renderer-'));
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><html><head><script type="module" src="./assets/app.js"></script></head><body></body></html>');
  writeFileSync(join(rendererDir, 'secret.txt'), 'outside?');
  host = await startWebHost({ rendererDir });
});

afterAll(async () => {
  await host?.stop();
  rmSync(rendererDir, { recursive: true, force: true });
});

function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: host.port, path, method: 'GET', headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
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

function connect(opts: { token?: string; origin?: string } = {}): Promise<Conn> {
  const ws = new WebSocket(`ws://127.0.0.1:${host.port}/__perch/ws?token=${opts.token ?? host.token}`, { headers: { Origin: opts.origin ?? host.origin } });
  const events: Conn['events'] = [];
  const pending = new Map<number, (v: never) => void>();
  let id = 0;
  ws.on('message', (d) => {
    const m = JSON.parse(d.toString()) as { t: string; id: number; result: never; name: string; payload: unknown };
    if (m.t === 'result') pending.get(m.id)?.(m.result);
    else events.push({ name: m.name, payload: m.payload });
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({
      ws,
      events,
      call: (name, input) => new Promise((r) => {
        id += 1;
        pending.set(id, r as (v: never) => void);
        ws.send(JSON.stringify({ t: 'call', id, name, ...(input === undefined ? {} : { input }) }));
      }),
    }));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

describe('web host', () => {
  it('serves index.html with the token meta and the bridge script before the app script', async () => {
    const res = await get('/', { Host: `127.0.0.1:${host.port}` });
    expect(res.status).toBe(200);
    const meta = res.body.indexOf(`<meta name="perch-bridge-token" content="${host.token}"`);
    const bridge = res.body.indexOf('<script src="/__perch/bridge.js"></script>');
    const app = res.body.indexOf('<script type="module"');
    expect(meta).toBeGreaterThan(0);
    expect(bridge).toBeGreaterThan(meta);
    expect(app).toBeGreaterThan(bridge);
    const js = await get('/__perch/bridge.js', { Host: `127.0.0.1:${host.port}` });
    expect(js.body).toContain('"portfolio:snapshot"');
    // the token lives only in the page, not in the script any page could include
    expect(js.body).not.toContain(host.token);
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
    expect(injectBridge('<head></head>', 't')).toContain('<script src="/__perch/bridge.js"></script>');
  });

  it('refuses a WebSocket without the token or from another origin', async () => {
    await expect(connect({ token: 'x'.repeat(64) })).rejects.toThrow(/403/);
    await expect(connect({ origin: 'http://evil.example' })).rejects.toThrow(/403/);
    await expect(connect({ origin: `http://localhost:${host.port}` })).rejects.toThrow(/403/);
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

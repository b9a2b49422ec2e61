import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { expect, test } from './web-host-fixture';

// The web host's access key is the per-run token in the fragment of the URL it printed
// (`/#t=<token>`). The page keeps it in sessionStorage (per origin, port included) and presents it
// when opening the WebSocket. No cookie: browsers send 127.0.0.1 cookies to every local port.

type Perch = { perch: { call(n: string, i?: unknown): Promise<unknown> } };

/** Opens the host's WebSocket as any local program could: any Origin, any cookie, a token or not. */
function tryWebSocket(port: number, headers: Record<string, string>, token: string | null): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/__perch/ws${token === null ? '' : `?token=${token}`}`, { headers });
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', () => resolve(0));
  });
}

test('without the printed URL the page says how to open it and connects nothing; the printed URL opens the app at / and a reload keeps it', async ({
  browser,
  page,
  host,
}) => {
  const stranger = await browser.newContext();
  try {
    const other = await stranger.newPage();
    await other.goto(`${host.origin}/`);
    await expect(other.getByText(/opens only from the address it printed/)).toBeVisible();
    expect(await other.evaluate(() => typeof (window as unknown as Partial<Perch>).perch)).toBe('undefined');
  } finally {
    await stranger.close();
  }

  const res = await page.goto(host.url);
  expect(res?.status()).toBe(200);
  const headers = res!.headers();
  expect(headers['content-security-policy']).toBe("frame-ancestors 'none'");
  expect(headers['x-frame-options']).toBe('DENY');
  // the token leaves the address bar at once
  await expect(page).toHaveURL(`${host.origin}/`);
  await expect(page.getByTestId('welcome')).toBeVisible();
  expect(await page.context().cookies()).toEqual([]);

  // a reload (no token in the URL any more) still works, and the bridge reaches the core
  await page.reload();
  await expect(page.getByTestId('welcome')).toBeVisible();
  const state = await page.evaluate(() => (window as unknown as Perch).perch.call('settings:get'));
  expect(state).toMatchObject({ ok: true, value: { environment: 'demo' } });
  const prod = await page.evaluate(() => (window as unknown as Perch).perch.call('settings:update', { environment: 'production' }));
  expect(prod).toMatchObject({ ok: false, error: { code: 'not-allowed' } });
});

test('another local server the browser talks to receives nothing that opens the WebSocket', async ({ page, host }) => {
  // a second server on another 127.0.0.1 port that records every request the browser makes to it
  const seen: { url: string; headers: IncomingHttpHeaders }[] = [];
  const snoop = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    if (req.url === '/') {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end(`<!doctype html><img src="/pixel.png"><iframe src="${host.origin}/"></iframe>`);
    } else {
      res.writeHead(204);
      res.end();
    }
  });
  await new Promise<void>((ok) => snoop.listen(0, '127.0.0.1', () => ok()));
  const snoopOrigin = `http://127.0.0.1:${(snoop.address() as AddressInfo).port}`;
  try {
    await page.goto(host.url);
    await expect(page.getByTestId('welcome')).toBeVisible();
    // the app's page sends the browser (same profile, same cookie jar) to the other server, which
    // loads an image from itself and tries to frame the app
    const popupPromise = page.waitForEvent('popup');
    await page.evaluate((u) => void window.open(u), `${snoopOrigin}/`);
    const popup = await popupPromise;
    await popup.waitForLoadState('load');
    await expect.poll(() => seen.map((r) => r.url)).toEqual(expect.arrayContaining(['/', '/pixel.png']));

    for (const r of seen) {
      expect(JSON.stringify(r), r.url).not.toContain(host.token);
      expect(r.headers.cookie, r.url).toBeUndefined();
      // the app's page says nothing about itself (Referrer-Policy: no-referrer)
      expect(r.headers.referer ?? '', r.url).not.toContain(host.origin);
    }
    // whatever it got, with the app's own Origin forged, the WebSocket refuses it
    for (const r of seen) {
      const forged: Record<string, string> = { Origin: host.origin };
      if (r.headers.cookie !== undefined) forged['Cookie'] = r.headers.cookie;
      expect(await tryWebSocket(host.port, forged, null)).toBe(403);
    }
    // (the same handshake with the token is admitted: the refusal above is about the token)
    expect(await tryWebSocket(host.port, { Origin: host.origin }, host.token)).toBe(101);

    // and it cannot frame the app: the frame never gets the app's page
    const frame = popup.frames().find((f) => f !== popup.mainFrame());
    expect(frame).toBeDefined();
    expect(await frame!.evaluate(() => document.querySelector('#root') !== null).catch(() => false)).toBe(false);
  } finally {
    await new Promise<void>((ok) => snoop.close(() => ok()));
  }
});

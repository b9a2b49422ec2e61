import { expect, test } from './web-host-fixture';

// The page carries the bridge token, so the web host serves it only through the URL it printed
// (`/?t=<token>`), which sets a session cookie and leaves no token in the address bar.

test('the bare address answers 403 without the token; the printed URL opens the app at / and the cookie keeps it open', async ({ browser, page, host }) => {
  const stranger = await browser.newContext();
  try {
    const other = await stranger.newPage();
    const res = await other.goto(`${host.origin}/`);
    expect(res?.status()).toBe(403);
    const text = await other.content();
    expect(text).toMatch(/address it printed/);
    expect(text).not.toContain(host.token);
  } finally {
    await stranger.close();
  }

  const res = await page.goto(host.url);
  expect(res?.status()).toBe(200);
  await expect(page).toHaveURL(`${host.origin}/`);
  await expect(page.getByTestId('welcome')).toBeVisible();
  const cookies = await page.context().cookies(host.origin);
  expect(cookies).toEqual([expect.objectContaining({ httpOnly: true, sameSite: 'Strict', path: '/' })]);
  expect(cookies[0]!.value).not.toBe(host.token);
  // page scripts cannot read the session cookie
  expect(await page.evaluate(() => document.cookie)).toBe('');

  // a reload (no token in the URL any more) still works, and the bridge reaches the core
  await page.reload();
  await expect(page.getByTestId('welcome')).toBeVisible();
  const state = await page.evaluate(() => (window as unknown as { perch: { call(n: string): Promise<unknown> } }).perch.call('settings:get'));
  expect(state).toMatchObject({ ok: true, value: { environment: 'demo' } });
  const prod = await page.evaluate(() => (window as unknown as { perch: { call(n: string, i: unknown): Promise<unknown> } }).perch.call('settings:update', { environment: 'production' }));
  expect(prod).toMatchObject({ ok: false, error: { code: 'not-allowed' } });
});

import { cell, expect, screenshot, test } from './web-host-fixture';

// The web host runs with --local-environments: "Spot Testnet" is served by the local simulator,
// so a key registered there through the control endpoint works like a testnet key.

test('onboarding with an HMAC key that can withdraw: health, explicit confirmation, save, live holdings', async ({ page, host }) => {
  const key = (await host.control('/keys', { type: 'HMAC', permissions: { withdrawals: true } })) as { apiKey: string; secret: string };
  await page.goto(host.url);
  await page.getByRole('button', { name: /Connect a Binance key/ }).click();
  await expect(page.getByRole('radio', { name: /Spot Testnet/ })).toBeChecked();

  // a wrong secret is refused with the exchange's reason
  await page.getByRole('textbox', { name: 'API key' }).fill(key.apiKey);
  await page.getByLabel('Secret key').fill('wrong-secret-123456');
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByTestId('key-error')).toContainText(/did not accept this key/);

  await page.getByLabel('Secret key').fill(key.secret);
  await page.getByRole('button', { name: 'Test connection' }).click();
  const health = page.getByTestId('key-health');
  await expect(health).toContainText('Reading');
  await expect(health.locator('.flag-danger')).toContainText('Withdrawals');
  await expect(page.getByTestId('withdraw-warning')).toBeVisible();
  const save = page.getByRole('button', { name: 'Save key' });
  await expect(save).toBeDisabled();
  await screenshot(page, 'onboarding-01-hmac-withdraw-warning');

  await page.getByRole('checkbox', { name: /I understand the risk/ }).check();
  await expect(save).toBeEnabled();
  await save.click();

  // now on "testnet" (the local simulator): no Demo badge, real holdings of that account
  await expect(page.getByTestId('demo-badge')).toHaveCount(0);
  await expect(page.getByTestId('status-bar')).toContainText('Spot Testnet');
  await expect(page.getByTestId('total-value')).toHaveText(/^[1-9][\d,]*\.\d{2} USDT$/);
  await expect(cell(page, 'BTC', 3)).toHaveText('0.5');
  await expect(page.getByTestId('conn-account')).toHaveAttribute('data-state', 'live');
  await screenshot(page, 'onboarding-02-hmac-holdings');

  // the secret never comes back to the page
  const html = await page.content();
  expect(html).not.toContain(key.secret);

  // Settings shows the saved key (masked) and can remove it
  await page.getByRole('button', { name: 'Settings' }).click();
  await expect(page.getByTestId('settings')).toContainText(`${key.apiKey.slice(0, 4)}…${key.apiKey.slice(-4)}`);
  await page.getByRole('button', { name: /Change environment or key/ }).click();
  await page.getByRole('button', { name: 'Remove key' }).click();
  // the removal asks in the modal: Keep is focused, Escape keeps the key, focus goes back
  const removeDialog = page.getByRole('dialog', { name: 'Remove this key?' });
  await expect(removeDialog.getByRole('button', { name: 'Keep' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(removeDialog).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Remove key' })).toBeFocused();
  await page.getByRole('button', { name: 'Remove key' }).click();
  await page.getByRole('button', { name: 'Yes, remove' }).click();
  await expect(page.getByTestId('saved-key')).toHaveCount(0);
  await expect(page.getByRole('textbox', { name: 'API key' })).toBeVisible();
  await screenshot(page, 'onboarding-03-key-removed');
});

test('onboarding with a generated Ed25519 key registered on the exchange, from Settings', async ({ page, host }) => {
  await page.goto(host.url);
  await page.getByRole('button', { name: /Explore the demo/ }).click();
  await page.getByRole('button', { name: 'Settings' }).click();
  await page.getByRole('button', { name: /Change environment or key/ }).click();
  await page.getByRole('radio', { name: /Spot Testnet/ }).check();
  await page.getByRole('radio', { name: /Generate an Ed25519 key pair/ }).check();
  await page.getByRole('button', { name: 'Generate key pair' }).click();
  const pem = (await page.getByTestId('public-key').textContent()) ?? '';
  expect(pem).toContain('-----BEGIN PUBLIC KEY-----');
  expect(pem).not.toContain('PRIVATE');
  await screenshot(page, 'onboarding-04-ed25519-public-key');

  // the form is canceled before the key is registered: the public key is not lost
  await page.getByRole('button', { name: 'Cancel', exact: true }).click();
  const waiting = page.getByTestId('generated-public-key').filter({ has: page.getByTestId('public-key') });
  await expect(waiting).toHaveAttribute('data-environment', 'testnet');
  await expect(waiting).toContainText('waiting to be saved');
  await expect(waiting.getByTestId('public-key')).toHaveText(pem);
  await expect(waiting.getByRole('button', { name: 'Copy public key' })).toBeVisible();
  await screenshot(page, 'onboarding-04b-public-key-in-settings');
  // ... and the form shows the same pair again rather than a new one
  await page.getByRole('button', { name: /Change environment or key/ }).click();
  await page.getByRole('radio', { name: /Spot Testnet/ }).check();
  await page.getByRole('radio', { name: /Generate an Ed25519 key pair/ }).check();
  await expect(page.getByTestId('key-setup').getByTestId('public-key')).toHaveText(pem);

  // "register it on Binance": the simulator's control endpoint plays the API Management page
  const registered = (await host.control('/keys', { type: 'ED25519', publicKeyPem: pem.trim() })) as { apiKey: string };
  await page.getByRole('textbox', { name: 'API key' }).fill(registered.apiKey);
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByTestId('key-health')).toContainText('Reading');
  await expect(page.getByTestId('withdraw-warning')).toHaveCount(0);
  await screenshot(page, 'onboarding-05-ed25519-health');
  await page.getByRole('button', { name: 'Save key' }).click();

  await expect(page.getByTestId('settings')).toContainText('ED25519');
  // saved: Settings shows the saved key's public half (derived in main), and nothing waits any more
  await expect(page.getByTestId('generated-public-key')).toHaveCount(1);
  await expect(page.getByTestId('generated-public-key')).toContainText('registered on Binance');
  await expect(page.getByTestId('generated-public-key').getByTestId('public-key')).toHaveText(pem);
  await page.getByRole('button', { name: 'Holdings' }).click();
  await expect(page.getByTestId('demo-badge')).toHaveCount(0);
  await expect(page.getByTestId('total-value')).toHaveText(/^[1-9][\d,]*\.\d{2} USDT$/);
  await expect(page.getByTestId('conn-account')).toHaveAttribute('data-state', 'live');
  await screenshot(page, 'onboarding-06-ed25519-holdings');
});

test('"welcome done" is kept by main: a reload and a new browser profile (empty localStorage) skip the welcome screen', async ({
  browser,
  page,
  host,
}) => {
  await page.goto(host.url);
  await expect(page.getByTestId('welcome')).toBeVisible();
  await screenshot(page, 'onboarding-00-welcome');
  await page.getByRole('button', { name: /Explore the demo/ }).click();
  await expect(page.getByTestId('total-value')).toBeVisible();
  const settings = await page.evaluate(() =>
    (window as unknown as { perch: { call(n: string): Promise<unknown> } }).perch.call('settings:get'),
  );
  expect(settings).toMatchObject({ ok: true, value: { environment: 'demo', onboarded: true } });
  expect(await page.evaluate(() => window.localStorage.length)).toBe(0);

  await page.reload();
  await expect(page.getByTestId('total-value')).toBeVisible();
  await expect(page.getByTestId('welcome')).toHaveCount(0);

  const fresh = await browser.newContext();
  try {
    const other = await fresh.newPage();
    await other.goto(host.url);
    await expect(other.getByTestId('total-value')).toBeVisible();
    await expect(other.getByTestId('welcome')).toHaveCount(0);
  } finally {
    await fresh.close();
  }
});

test('the welcome screen comes back when main says onboarded is false', async ({ page, host }) => {
  await page.goto(host.url);
  await page.getByRole('button', { name: /Explore the demo/ }).click();
  await expect(page.getByTestId('total-value')).toBeVisible();
  const res = await page.evaluate(() =>
    (window as unknown as { perch: { call(n: string, i: unknown): Promise<unknown> } }).perch.call('settings:update', { onboarded: false }),
  );
  expect(res).toMatchObject({ ok: true, value: { onboarded: false } });
  await page.reload();
  await expect(page.getByTestId('welcome')).toBeVisible();
});

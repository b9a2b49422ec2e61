import type { Locator, Page } from '@playwright/test';
import { expect, openDemo, screenshot, test } from './web-host-fixture';

// Issue 8, B10/B11/B18: bad input in every form field is answered in a person's words, no button
// is left waiting, the symbol box picks what is typed, and the order form's action and messages
// stay on screen in a small window.

const HOSTILE: readonly string[] = [
  '',
  '   ',
  'garbage',
  'x'.repeat(10_000),
  '🚀🪙 ǅěšť ünïcödé 数量',
  '1e309',
  '99999999999999999999',
  '-0.5',
];
const MALFORMED_PEM = '-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----';

/** What a person must never read: channel names, schema paths, the validator's own wording. */
async function expectPersonReadable(page: Page, what: string): Promise<void> {
  const text = [
    await page.locator('main').innerText(),
    await page.locator('.notices').allInnerTexts(),
    await page.getByTestId('status-bar').innerText(),
  ]
    .flat()
    .join('\n');
  expect(text, `${what}: a channel name`).not.toMatch(/\b(app|settings|keys|demo|portfolio|orders|status):[a-zA-Z]+/);
  expect(text, `${what}: a schema path`).not.toMatch(/\b(draft|material|order|input)\.[a-zA-Z]/);
  expect(text, `${what}: validator wording`).not.toMatch(
    /expected|Too big|Too small|Invalid input|Invalid option|Unrecognized key|\bNaN\b|undefined|\[object/i,
  );
}

async function openOrderForm(page: Page): Promise<Locator> {
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Orders' }).click();
  await page.getByRole('button', { name: 'Turn trading on' }).click();
  await expect(page.getByTestId('market-quote')).toContainText(/Bid \d/);
  return page.getByTestId('order-form');
}

const review = (page: Page): Locator => page.getByTestId('review-order');

/** The form answered (never stuck on "Checking…") and says nothing a person cannot read. */
async function settled(page: Page, what: string): Promise<void> {
  await expect(review(page), `${what}: the button recovers`).not.toHaveText(/Checking…/, { timeout: 8_000 });
  await expectPersonReadable(page, what);
}

test('bad input in every order-form field: person-readable messages, the button never stuck', async ({ page, host }) => {
  await openDemo(page, host);
  const form = await openOrderForm(page);
  const type = form.getByRole('combobox', { name: 'Order type' });
  const box = (name: string): Locator => form.getByRole('textbox', { name, exact: true });
  let sweeps = 0;

  const sweep = async (field: string, valid: Record<string, string>): Promise<void> => {
    for (const [k, v] of Object.entries(valid)) await box(k).fill(v);
    for (const value of HOSTILE) {
      await box(field).fill(value);
      await settled(page, `${field} = ${JSON.stringify(value.slice(0, 20))}`);
      sweeps++;
    }
  };
  await sweep('Price', { Quantity: '0.001' });
  await sweep('Quantity', { Price: '60000' });
  // far too long for the contract: refused before any check, said in words, the button recovers
  await box('Quantity').fill('1'.repeat(10_000));
  await expect(page.getByTestId('order-form-error')).toHaveText('Quantity is too long (at most 40 characters).');
  await expect(review(page)).toHaveText('Fix the message below');
  await box('Quantity').fill('0.001');
  await expect(page.getByTestId('order-form-error')).toHaveCount(0);
  await expect(review(page)).toBeEnabled();

  await type.selectOption('STOP_LOSS_LIMIT');
  await sweep('Stop price', { Price: '60000', Quantity: '0.001' });
  await type.selectOption('OCO');
  await sweep('Stop-limit price', { Price: '60000', 'Stop price': '80000', Quantity: '0.001' });
  await type.selectOption('MARKET');
  await form.getByRole('radio', { name: /Total in/ }).check();
  await sweep('Total', {});

  // the symbol box too
  await type.selectOption('LIMIT');
  for (const value of HOSTILE) {
    await form.getByRole('combobox', { name: 'Symbol' }).fill(value);
    await expectPersonReadable(page, `Symbol = ${JSON.stringify(value.slice(0, 20))}`);
    sweeps++;
  }
  expect(sweeps).toBe(HOSTILE.length * 6);
});

test('bad input in the key form and in Settings: person-readable messages, the buttons recover', async ({ page, host }) => {
  await openDemo(page, host);
  await page.getByRole('button', { name: 'Settings' }).click();
  const threshold = page.getByRole('textbox', { name: 'Small-balance threshold' });
  for (const value of HOSTILE) {
    await threshold.fill(value);
    await threshold.press('Enter');
    await expectPersonReadable(page, `threshold = ${JSON.stringify(value.slice(0, 20))}`);
  }

  await page.getByRole('button', { name: /Change environment or key/ }).click();
  await page.getByRole('radio', { name: /Spot Testnet/ }).check();
  const apiKey = page.getByRole('textbox', { name: 'API key' });
  const testButton = page.getByRole('button', { name: /^(Test connection|Testing…)$/ });
  let tried = 0;
  const attempt = async (what: string): Promise<void> => {
    if (await testButton.isEnabled()) {
      await testButton.click();
      tried++;
    }
    await expect(testButton, `${what}: the button recovers`).toHaveText('Test connection', { timeout: 8_000 });
    await expectPersonReadable(page, what);
  };
  await page.getByLabel('Secret key').fill('S3cretS3cretS3cret');
  for (const value of HOSTILE) {
    await apiKey.fill(value);
    await attempt(`API key = ${JSON.stringify(value.slice(0, 20))}`);
  }
  await apiKey.fill('abc');
  await testButton.click();
  await expect(page.getByTestId('key-error')).toHaveText(
    'API key is too short (at least 8 characters). Copy it again from API Management on Binance.',
  );

  await apiKey.fill('abcdefgh12345678');
  for (const value of HOSTILE) {
    await page.getByLabel('Secret key').fill(value);
    await attempt(`secret = ${JSON.stringify(value.slice(0, 20))}`);
  }

  await page.getByRole('radio', { name: 'API key + Ed25519 private key' }).check();
  const pem = page.getByLabel('Private key (PEM)');
  for (const value of [...HOSTILE, MALFORMED_PEM]) {
    await pem.fill(value);
    await attempt(`PEM = ${JSON.stringify(value.slice(0, 20))}`);
  }
  // the malformed PEM is refused with a message (its wording is checked above)
  await expect(page.getByTestId('key-error')).toBeVisible();
  await screenshot(page, 'bad-input-01-malformed-pem');
  expect(tried).toBeGreaterThan(10);
});

test('symbol box: type ETH, wait, paste LINKETH, Enter at once picks the exact match or nothing', async ({ page, host }) => {
  await openDemo(page, host);
  const form = await openOrderForm(page);
  const symbol = form.getByRole('combobox', { name: 'Symbol' });
  await symbol.fill('ETH');
  await expect(symbol).toHaveAttribute('aria-expanded', 'true');
  const options = page.getByRole('listbox', { name: 'Matching symbols' }).getByRole('option');
  await expect(options.first()).toBeVisible();
  // arrow keys move through the options, announced through aria-activedescendant
  await symbol.press('ArrowDown');
  const first = options.first();
  await expect(first).toHaveAttribute('aria-selected', 'true');
  await expect(symbol).toHaveAttribute('aria-activedescendant', (await first.getAttribute('id')) ?? '');
  await screenshot(page, 'symbol-combobox-open');

  // paste a different symbol and press Enter before the list for it arrives
  await symbol.fill('LINKETH');
  await symbol.press('Enter');
  await expect(symbol).toHaveValue('LINKETH');
  await expect(symbol).not.toHaveValue(/^ETH/);
  // a symbol the exchange lists is picked exactly; Escape closes the list
  await symbol.fill('ETHUSDT');
  await symbol.press('Enter');
  await expect(symbol).toHaveValue('ETHUSDT');
  await expect(symbol).toHaveAttribute('aria-expanded', 'false');
  await expect(page.getByTestId('market-quote')).toContainText(/Bid \d/);
});

for (const size of [
  { width: 1024, height: 700 },
  { width: 1280, height: 800 },
]) {
  test(`order form at ${size.width}×${size.height}: Review and every message stay on screen, clear of the status bar`, async ({
    page,
    host,
  }) => {
    await page.setViewportSize(size);
    await openDemo(page, host);
    const form = await openOrderForm(page);
    await form.getByRole('combobox', { name: 'Order type' }).selectOption('OCO');
    // an OCO with issues and warnings: the longest form there is
    await form.getByRole('textbox', { name: 'Price', exact: true }).fill('1');
    await form.getByRole('textbox', { name: 'Stop price', exact: true }).fill('2');
    await form.getByRole('textbox', { name: 'Stop-limit price', exact: true }).fill('3.001');
    await form.getByRole('textbox', { name: 'Quantity', exact: true }).fill('0.0000123');
    await expect(page.getByTestId('preflight-issue').first()).toBeVisible();
    await expect(review(page)).toHaveText('Fix the issues above');

    const bar = await page.getByTestId('status-bar').boundingBox();
    expect(bar).not.toBeNull();
    const onScreen = async (l: Locator, what: string): Promise<void> => {
      const b = await l.boundingBox();
      expect(b, `${what} has a box`).not.toBeNull();
      expect(b!.y, `${what} below the top`).toBeGreaterThanOrEqual(0);
      expect(b!.y + b!.height, `${what} clear of the status bar`).toBeLessThanOrEqual(bar!.y + 0.5);
    };
    // without scrolling: the action
    await onScreen(review(page), 'Review button');
    // every message, once scrolled to, is not under the status bar nor under the action area
    const actions = await page.getByTestId('order-actions').boundingBox();
    const issues = page.getByTestId('preflight-issue');
    const n = await issues.count();
    expect(n).toBeGreaterThan(1);
    for (let i = 0; i < n; i++) {
      await issues.nth(i).scrollIntoViewIfNeeded();
      await onScreen(issues.nth(i), `issue ${i}`);
      const b = (await issues.nth(i).boundingBox())!;
      expect(b.y + b.height, `issue ${i} not hidden by the action area`).toBeLessThanOrEqual(
        (await page.getByTestId('order-actions').boundingBox())!.y + 0.5,
      );
    }
    expect(actions).not.toBeNull();
    await onScreen(review(page), 'Review button after scrolling');
    // a refused check: its message sits with the action, on screen
    await form.getByRole('textbox', { name: 'Quantity', exact: true }).fill('9'.repeat(100));
    await expect(page.getByTestId('order-form-error')).toBeVisible();
    await onScreen(page.getByTestId('order-form-error'), 'the form message');
    await onScreen(review(page), 'Review button with the message');
    await screenshot(page, `order-form-${size.width}x${size.height}-light`);
    // the same in dark, and with amounts hidden: the action area stays clear of the status bar
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.getByTestId('privacy-toggle').click();
    await expect(page.getByTestId('privacy-toggle')).toHaveAttribute('aria-pressed', 'true');
    await onScreen(review(page), 'Review button (dark, amounts hidden)');
    await screenshot(page, `order-form-${size.width}x${size.height}-dark-privacy`);
  });
}

test('one-click corrections: only ones that make the order pass, one per field, never zero', async ({ page, host }) => {
  await openDemo(page, host);
  const form = await openOrderForm(page);
  const box = (name: string): Locator => form.getByRole('textbox', { name, exact: true });
  const fixes = page.getByTestId('preflight-issue').getByRole('button', { name: /^Use / });

  // a price far beyond every limit with a quantity the balance cannot pay at any allowed price
  await box('Price').fill('999999999999');
  await box('Quantity').fill('0.01');
  await expect(review(page)).toHaveText('Fix the issues above');
  await expect(fixes.filter({ hasText: /^Use 0$/ })).toHaveCount(0);
  for (const label of await fixes.allInnerTexts()) expect(label).not.toMatch(/^Use 0(\.0*)?$/);

  // off the step and below the minimum value: one correction, and it passes
  await box('Price').fill('60000');
  await box('Quantity').fill('0.0000123');
  await expect(fixes).toHaveCount(1);
  await fixes.first().click();
  await expect(page.getByTestId('preflight-issue')).toHaveCount(0);
  await expect(review(page)).toBeEnabled();

  // above the largest quantity and unaffordable: the Max of the balance, and it passes
  await box('Quantity').fill('99999');
  await expect(fixes).toHaveCount(1);
  await expect(fixes.first()).toHaveText(/^Use the maximum \d/);
  await fixes.first().click();
  await expect(page.getByTestId('preflight-issue')).toHaveCount(0);
  await expect(review(page)).toBeEnabled();
});

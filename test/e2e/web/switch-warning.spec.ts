import type { Page } from '@playwright/test';
import { expect, openDemo, screenshot, test } from './web-host-fixture';

async function unknownOrder(
  page: Page,
  host: Parameters<typeof openDemo>[1] & { control(path: string, body?: unknown): Promise<unknown> },
): Promise<void> {
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Orders' }).click();
  await page.getByRole('button', { name: 'Turn trading on' }).click();
  await expect(page.getByTestId('market-quote')).toContainText(/Bid \d/);
  const form = page.getByTestId('order-form');
  await form.getByRole('textbox', { name: 'Price', exact: true }).fill('60500');
  await form.getByRole('textbox', { name: 'Quantity', exact: true }).fill('0.001');
  await page.getByTestId('review-order').click();
  await expect(page.getByTestId('confirm-submit')).toBeEnabled();
  const token = await page.getByTestId('confirm-dialog').getAttribute('data-client-order-id');
  // Executed, but the answer is lost, no account events arrive and every look says "no such
  // order" for now: the outcome stays unknown (for the 90 s grace window at least).
  await host.control('/faults/order', { kind: 'code-1007', execute: true });
  await host.control('/faults/unknown-order', { key: token, count: 100_000 });
  await host.control('/faults', { silentSockets: true });
  await page.getByTestId('confirm-submit').click();
  await expect(page.getByTestId('confirm-dialog').getByTestId('outcome-status')).toHaveText('Outcome unknown — checking…');
  await page.getByTestId('confirm-close').click();
}

test("switching environment while an order's outcome is unknown warns first and lists the order", async ({ page, host }) => {
  await page.setViewportSize({ width: 1024, height: 700 });
  await openDemo(page, host);
  await unknownOrder(page, host);
  const key = (await host.control('/keys', { type: 'HMAC' })) as { apiKey: string; secret: string };

  await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Settings' }).click();
  await page.getByRole('button', { name: 'Change environment or key…' }).click();
  await page.getByRole('radio', { name: /Spot Testnet/ }).check();
  await page.getByRole('textbox', { name: 'API key' }).fill(key.apiKey);
  await page.getByLabel('Secret key').fill(key.secret);
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByTestId('key-health')).toContainText('Reading');
  await page.getByRole('button', { name: 'Save key' }).click();

  const warning = page.getByTestId('switch-warning');
  await expect(warning).toBeVisible();
  await expect(warning).toContainText('An order still without a known outcome');
  await expect(warning.getByRole('listitem')).toHaveText([/^Buy 0\.001 BTCUSDT on Demo \(built-in\), sent \d\d:\d\d:\d\d$/]);
  await expect(warning).toContainText('Perch keeps checking it after the switch');
  // nothing switched yet
  await expect(page.getByTestId('demo-badge')).toBeVisible();
  await warning.scrollIntoViewIfNeeded();
  await screenshot(page, 'switch-warning-light-1024');
  await page.evaluate(() => document.documentElement.setAttribute('data-theme', 'dark'));
  await screenshot(page, 'switch-warning-dark-1024');
  await page.evaluate(() => document.documentElement.removeAttribute('data-theme'));

  // privacy mode hides the amount here too
  await page.getByRole('button', { name: 'Hide amounts' }).click();
  await expect(warning.getByRole('listitem')).toHaveText([/^Buy \S+ BTCUSDT on Demo \(built-in\), sent \d\d:\d\d:\d\d$/]);
  await expect(warning.getByRole('listitem')).not.toContainText('0.001');
  await screenshot(page, 'switch-warning-privacy-1024');
  await page.getByRole('button', { name: 'Amounts hidden' }).click();

  // Cancel keeps everything as it was; confirming switches.
  await warning.getByRole('button', { name: 'Cancel' }).click();
  await expect(warning).toHaveCount(0);
  await expect(page.getByTestId('demo-badge')).toBeVisible();
  await page.getByRole('button', { name: 'Save key' }).click();
  await page.getByTestId('switch-anyway').click();
  await expect(page.getByTestId('status-bar')).toContainText('Spot Testnet');
  await host.control('/faults', { silentSockets: false });
});

import type { Page } from '@playwright/test';
import { expect, openDemo, screenshot, test } from './web-host-fixture';

// Every dialog is the one modal on the native <dialog>: labelled by its title, the safe choice
// focused first, Escape closes it, and focus goes back to the control that opened it.

async function ordersTab(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Orders' }).click();
  await page.getByRole('button', { name: 'Turn trading on' }).click();
  await expect(page.getByTestId('market-quote')).toContainText(/Bid \d/);
}

async function placeLimit(page: Page, price: string): Promise<void> {
  const form = page.getByTestId('order-form');
  await form.getByRole('textbox', { name: 'Price', exact: true }).fill(price);
  await form.getByRole('textbox', { name: 'Quantity', exact: true }).fill('0.001');
  await expect(page.getByTestId('review-order')).toBeEnabled();
  await page.getByTestId('review-order').click();
  await page.getByTestId('confirm-submit').click();
  await expect(page.getByTestId('confirm-dialog').getByTestId('outcome-status')).toHaveText('Accepted');
  // the environment that answered is named
  await expect(page.getByTestId('confirm-outcome')).toContainText('The demo exchange accepted the order');
  await page.getByTestId('confirm-close').click();
}

/** Open with `opener`, check title, initial focus, Escape and focus return. */
async function checkDialog(page: Page, opener: ReturnType<Page['getByRole']>, title: string | RegExp, initial: string): Promise<void> {
  await opener.click();
  const dialog = page.getByRole('dialog', { name: title });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('button', { name: initial, exact: true })).toBeFocused();
  // Tab stays inside the dialog (the page behind is inert)
  for (let i = 0; i < 6; i++) {
    await page.keyboard.press('Tab');
    expect(await dialog.evaluate((d) => d.contains(document.activeElement))).toBe(true);
  }
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(opener).toBeFocused();
}

test('order confirmation, cancel and cancel-all dialogs: initial focus, Escape, focus return', async ({ page, host }) => {
  await openDemo(page, host);
  await ordersTab(page);
  const form = page.getByTestId('order-form');
  await form.getByRole('textbox', { name: 'Price', exact: true }).fill('60000');
  await form.getByRole('textbox', { name: 'Quantity', exact: true }).fill('0.001');
  await expect(page.getByTestId('review-order')).toBeEnabled();
  await checkDialog(page, page.getByTestId('review-order') as never, 'Confirm buy order', 'Back');

  await placeLimit(page, '60000');
  const row = page.getByTestId('open-order');
  await expect(row).toHaveCount(1);
  await checkDialog(page, row.getByRole('button', { name: 'Cancel' }), 'Cancel this order?', 'Keep');
  await checkDialog(
    page,
    page.getByTestId('open-group').getByRole('button', { name: 'Cancel all' }),
    'Cancel all open orders on BTCUSDT?',
    'Keep',
  );
  // Escape changed nothing
  await expect(row).toHaveCount(1);

  await row.getByRole('button', { name: 'Cancel' }).click();
  await screenshot(page, 'dialogs-01-cancel');
  await page.getByTestId('cancel-confirm').click();
  await expect(page.getByTestId('cancel-message')).toHaveText('Canceled on the demo exchange.');
  await expect(page.getByTestId('no-open-orders')).toBeVisible();
});

test('Reset demo account asks first, then says what it did', async ({ page, host }) => {
  await openDemo(page, host);
  const reset = page.getByRole('banner').getByRole('button', { name: 'Reset demo account' });
  await checkDialog(page, reset, 'Reset the demo account?', 'Keep');

  await ordersTab(page);
  await placeLimit(page, '59000');
  await expect(page.getByTestId('open-order')).toHaveCount(1);
  await reset.click();
  await page.getByTestId('reset-demo-confirm').click();
  const dialog = page.getByRole('dialog', { name: 'Demo account reset' });
  await expect(dialog.getByTestId('reset-demo-result')).toHaveText('Demo account reset: opening balances restored, 1 open order canceled.');
  await expect(dialog.getByRole('button', { name: 'Close' })).toBeFocused();
  await screenshot(page, 'dialogs-02-reset-done');
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(page.getByTestId('no-open-orders')).toBeVisible();
});

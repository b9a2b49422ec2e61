import type { Page } from '@playwright/test';
import { expect, openDemo, screenshot, test } from './web-host-fixture';

/**
 * Every way the app writes a number: grouped thousands ("12,345.67"), plain decimals
 * ("0.03086"), and whole numbers before an asset code ("120 USDT"). Tokens are compared without
 * their separators, so "1,234.5" and "1234.5" are the same amount. A percentage ("+0.16 %", a
 * price's 24 h change, shown in privacy mode) is not an amount: it would match an owned 0.16 by
 * chance.
 */
const AMOUNT = /\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d.,]| ?%)|\d+\.\d+(?!\d| ?%)|\d+(?= ?[A-Z]{2,10}\b)/g;
const amountsIn = (text: string): string[] => [...text.matchAll(AMOUNT)].map((m) => m[0].replace(/,/g, ''));

/**
 * Every tooltip and accessible label on the page: where an amount could still leak. The status
 * bar's are left out: they carry ages and clock times ("0.5 s ago"), never an amount, and would
 * match an owned 0.5 by chance.
 */
async function tooltips(page: Page): Promise<string[]> {
  return page
    .locator('[title], [aria-label]')
    .evaluateAll((els) =>
      els
        .filter((e) => e.closest('[data-testid="status-bar"]') === null)
        .flatMap((e) => [e.getAttribute('title'), e.getAttribute('aria-label')].filter((v): v is string => v !== null && v !== '')),
    );
}

test('privacy mode hides every amount at once (button and Ctrl+Shift+H)', async ({ page, host }) => {
  await openDemo(page, host);
  const money = page.locator('[data-money]');
  await expect(page.getByTestId('total-value')).toHaveText(/\d/);

  // The person's own amounts, as shown before hiding: these must not appear anywhere afterwards.
  // (A zero says nothing about a balance and is left out.)
  const owned = new Set<string>();
  for (const t of await money.allTextContents()) for (const a of amountsIn(t)) if (!/^0(\.0+)?$/.test(a)) owned.add(a);
  expect(owned.size).toBeGreaterThan(10);

  // The order form's share-of-balance buttons carry an amount in their tooltip while amounts show.
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Orders' }).click();
  await page.getByRole('button', { name: 'Turn trading on' }).click();
  await expect(page.getByTestId('market-quote')).toContainText(/Bid \d/);
  const form = page.getByTestId('order-form');
  await form.getByRole('textbox', { name: 'Price', exact: true }).fill('60000');
  const presets = page.locator('.presets button[title]');
  await expect(presets.first()).toBeVisible();
  const presetTitles = await presets.evaluateAll((els) => els.map((e) => e.getAttribute('title') ?? ''));
  // Control: with amounts shown, the matcher does find amounts in tooltips.
  const presetAmounts = presetTitles.flatMap(amountsIn);
  expect(presetAmounts.length).toBeGreaterThan(0);
  for (const a of presetAmounts) if (!/^0(\.0+)?$/.test(a)) owned.add(a);

  await page.getByTestId('privacy-toggle').click();
  await expect(page.getByTestId('privacy-toggle')).toHaveAttribute('aria-pressed', 'true');
  await expect.poll(async () => await presets.count()).toBe(0);

  // Orders screen: tooltips exist, and none carries an amount of the person's.
  const orderTips = await tooltips(page);
  expect(orderTips.length).toBeGreaterThan(5);
  expect(orderTips.filter((t) => amountsIn(t).some((a) => owned.has(a)))).toEqual([]);
  const hiddenPresetTitles = await page.locator('.presets button').evaluateAll((els) => els.map((e) => e.getAttribute('title') ?? ''));
  expect(hiddenPresetTitles.length).toBe(presetTitles.length);
  expect(hiddenPresetTitles.filter((t) => amountsIn(t).length > 0)).toEqual([]);

  // Holdings: every amount masked, in the cells, the summary and every tooltip.
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Holdings' }).click();
  await expect(page.getByTestId('total-value')).toHaveText('••••• USDT');
  const texts = await money.allTextContents();
  expect(texts.length).toBeGreaterThan(20);
  for (const t of texts) expect(t).not.toMatch(/\d/);
  const summary = await page.locator('.summary').innerText();
  expect(amountsIn(summary.replace(/\s+/g, ' '))).toEqual([]);
  const holdingTips = await tooltips(page);
  expect(holdingTips.length).toBeGreaterThan(5);
  expect(holdingTips.filter((t) => amountsIn(t).some((a) => owned.has(a)))).toEqual([]);
  // Every text on the page except the status bar, whose ages ("Data age 0.5 s") are times, not
  // amounts, and would match an owned 0.5 by chance.
  const pageText = await page.evaluate(() => {
    // read in one go (the ages tick): what a person sees, less the status bar's text
    const status = document.querySelector<HTMLElement>('[data-testid="status-bar"]')?.innerText ?? '';
    return document.body.innerText.replace(status, ' ');
  });
  expect(amountsIn(pageText).filter((a) => owned.has(a))).toEqual([]);
  await screenshot(page, 'privacy-01-hidden');

  // it is a setting: a reload keeps amounts hidden
  await page.reload();
  await expect(page.getByTestId('total-value')).toHaveText('••••• USDT');

  await page.keyboard.press('Control+Shift+H');
  await expect(page.getByTestId('total-value')).toHaveText(/^[1-9][\d,]*\.\d{2} USDT$/);
  await expect(page.getByTestId('privacy-toggle')).toHaveAttribute('aria-pressed', 'false');
});

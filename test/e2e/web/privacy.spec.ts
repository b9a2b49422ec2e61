import { expect, openDemo, screenshot, test } from './web-host-fixture';

test('privacy mode hides every amount at once (button and Ctrl+Shift+H)', async ({ page, host }) => {
  await openDemo(page, host);
  const money = page.locator('[data-money]');
  await expect(page.getByTestId('total-value')).toHaveText(/\d/);

  await page.getByTestId('privacy-toggle').click();
  await expect(page.getByTestId('total-value')).toHaveText('••••• USDT');
  const texts = await money.allTextContents();
  expect(texts.length).toBeGreaterThan(20);
  for (const t of texts) expect(t).not.toMatch(/\d/);
  // nor in tooltips or in the summary
  const summary = await page.locator('.summary').innerText();
  expect(summary.replace(/\s+/g, ' ')).not.toMatch(/\d[\d,]*\.\d/);
  const titles = await page.locator('[title]').evaluateAll((els) => els.map((e) => e.getAttribute('title') ?? ''));
  for (const t of titles) expect(t).not.toMatch(/\d[\d,]*\.\d{2} USDT/);
  await screenshot(page, 'privacy-01-hidden');

  // it is a setting: a reload keeps amounts hidden
  await page.reload();
  await expect(page.getByTestId('total-value')).toHaveText('••••• USDT');

  await page.keyboard.press('Control+Shift+H');
  await expect(page.getByTestId('total-value')).toHaveText(/^[1-9][\d,]*\.\d{2} USDT$/);
  await expect(page.getByTestId('privacy-toggle')).toHaveAttribute('aria-pressed', 'false');
});

import { expect, openDemo, screenshot, test } from './web-host-fixture';

test('keyboard shortcuts switch views, ? lists them, About shows the version and licences', async ({ page, host }) => {
  await openDemo(page, host);
  const tab = (name: string) => page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name });

  await page.keyboard.press('Control+3');
  await expect(tab('Orders')).toHaveAttribute('aria-current', 'page');
  await page.keyboard.press('Control+2');
  await expect(tab('P&L')).toHaveAttribute('aria-current', 'page');
  await page.keyboard.press('Control+,');
  await expect(tab('Settings')).toHaveAttribute('aria-current', 'page');
  await page.keyboard.press('Control+1');
  await expect(tab('Holdings')).toHaveAttribute('aria-current', 'page');

  // `?` typed into a field is text, not a shortcut
  const search = page.getByRole('searchbox').first();
  if (await search.count()) {
    await search.fill('');
    await search.press('?');
    await expect(page.getByTestId('shortcuts-dialog')).toHaveCount(0);
    await search.press('Escape');
    await search.blur();
  }

  await page.getByTestId('shortcuts-button').focus();
  await page.keyboard.press('?');
  const list = page.getByTestId('shortcuts-dialog');
  await expect(list).toBeVisible();
  await expect(list).toContainText('Ctrl+1');
  await expect(list).toContainText('Show Holdings');
  await expect(list).toContainText('Ctrl+,');
  await screenshot(page, 'shell-01-shortcuts');
  await page.keyboard.press('Escape');
  await expect(list).toHaveCount(0);
  // focus goes back to where it was
  await expect(page.getByTestId('shortcuts-button')).toBeFocused();

  await page.getByTestId('shortcuts-button').click();
  await page.getByTestId('about-button').click();
  const about = page.getByTestId('about-dialog');
  await expect(about).toBeVisible();
  await expect(about.getByTestId('about-version')).toHaveText(/^\d+\.\d+\.\d+/);
  // the licences of what the build ships, read from the build itself
  await expect(about.getByRole('cell', { name: 'react', exact: true })).toBeVisible();
  await expect(about.getByRole('cell', { name: 'electron', exact: true })).toBeVisible();
  await expect(about.getByRole('cell', { name: 'MIT' }).first()).toBeVisible();
  await screenshot(page, 'shell-02-about');
  await about.getByRole('button', { name: 'Close' }).click();
  await expect(about).toHaveCount(0);
});

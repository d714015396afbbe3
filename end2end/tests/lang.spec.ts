import { test, expect, type BrowserContext, type Page } from '@playwright/test';

// Every test gets its own fresh browser context from the `context`/`page`
// fixtures, so the language cookie never leaks between tests; cookies are
// also cleared explicitly at the start to make that visible.

async function langCookie(context: BrowserContext): Promise<string | undefined> {
  return (await context.cookies()).find((c) => c.name === 'pasokh_lang')?.value;
}

/** Clicks the language switch and asserts that a real navigation happened. */
async function clickLangSwitch(page: Page): Promise<void> {
  await page.evaluate(() => {
    (window as any).__pasokh_before_switch = true;
  });
  const link = page.locator('a[data-testid=lang-switch]').first();
  await expect(link).toBeVisible();
  await expect(link).toHaveAttribute('href', /.+/);
  await link.click();
  await page.waitForLoadState('load');
  await expect
    .poll(() => page.evaluate(() => (window as any).__pasokh_before_switch === true), {
      message: 'clicking the language switch should load a new document',
    })
    .toBe(false);
}

test.describe('language switch', () => {
  test('a fresh visitor gets Persian', async ({ page, context }) => {
    await context.clearCookies();
    await page.goto('/');
    await expect(page.locator('html')).toHaveAttribute('lang', 'fa');
    await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
    expect(await langCookie(context)).not.toBe('en');
  });

  test('switching to English sticks (cookie) and can be switched back', async ({ page, context }) => {
    await context.clearCookies();
    const html = page.locator('html');

    await page.goto('/');
    await expect(html).toHaveAttribute('lang', 'fa');

    await clickLangSwitch(page);
    await expect(html).toHaveAttribute('lang', 'en');
    await expect(html).toHaveAttribute('dir', 'ltr');
    await expect(page.locator('body')).toHaveCSS('direction', 'ltr');

    await page.goto('/');
    await expect(html).toHaveAttribute('lang', 'en');
    await expect(html).toHaveAttribute('dir', 'ltr');
    expect(await langCookie(context)).toBe('en');

    await clickLangSwitch(page);
    await expect(html).toHaveAttribute('lang', 'fa');
    await expect(html).toHaveAttribute('dir', 'rtl');
    expect(await langCookie(context), 'pasokh_lang after switching back').not.toBe('en');

    await page.goto('/');
    await expect(html).toHaveAttribute('lang', 'fa');
  });
});

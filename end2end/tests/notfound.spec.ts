import { test, expect } from '@playwright/test';

test.describe('unknown pages', () => {
  test('respond 404 with a heading and a way home', async ({ page }) => {
    const res = await page.goto('/no-such-page-xyz');
    expect(res, 'navigation response').not.toBeNull();
    expect(res!.status()).toBe(404);
    expect(res!.headers()['content-type'] ?? '').toContain('text/html');

    await expect(page.locator('html')).toHaveAttribute('lang', 'fa');
    await expect(page.locator('h1').first()).toBeVisible();
    await expect(page.locator('#main a[href="/"]').first()).toBeVisible();
    expect((await page.title()).trim(), 'document title').not.toBe('');
  });

  test('nested unknown paths are 404 too', async ({ request }) => {
    const res = await request.get('/no/such/deep/page-xyz');
    expect(res.status()).toBe(404);
  });
});

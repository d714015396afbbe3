import { test, expect } from '@playwright/test';
import { waitForHydration } from '../helpers';

test.describe('home page', () => {
  test('is Persian, right-to-left and has the page landmarks', async ({ page }) => {
    const res = await page.goto('/');
    expect(res, 'navigation response').not.toBeNull();
    expect(res!.status()).toBe(200);

    const html = page.locator('html');
    await expect(html).toHaveAttribute('lang', 'fa');
    await expect(html).toHaveAttribute('dir', 'rtl');

    await expect(page.locator('h1').first()).toBeVisible();

    const skip = page.locator('a.skip-link');
    await expect(skip.first()).toHaveAttribute('href', '#main');
    await expect(page.locator('#main')).toHaveCount(1);

    expect((await page.title()).trim(), 'document title').not.toBe('');
  });

  test('body is RTL and uses Vazirmatn', async ({ page }) => {
    await page.goto('/');
    const body = page.locator('body');
    await expect(body).toHaveCSS('direction', 'rtl');

    const fontFamily = await body.evaluate((el) => getComputedStyle(el).fontFamily);
    expect(fontFamily, `body font-family was: ${fontFamily}`).toContain('Vazirmatn');
  });

  test('the Vazirmatn web font is actually served and loads', async ({ page }) => {
    await page.goto('/');
    const loaded = await page.evaluate(async () => {
      await document.fonts.ready;
      const faces = await document.fonts.load('16px Vazirmatn', 'پاسخ ۱۳۷');
      return faces.map((f) => `${f.family} ${f.weight} ${f.status}`);
    });
    expect(loaded.length, `loaded faces: ${JSON.stringify(loaded)}`).toBeGreaterThan(0);
    for (const face of loaded) expect(face).toContain('loaded');
  });
});

test.describe('track-code island (hydration)', () => {
  test('validates the tracking code as the user types', async ({ page }) => {
    await page.goto('/');

    const form = page.locator('[data-testid=track-form]');
    await expect(form).toBeVisible();
    const input = form.locator('#track-code');
    const feedback = form.locator('#track-code-feedback');
    await expect(input).toBeVisible();
    await expect(feedback).toHaveCount(1);

    await waitForHydration(page);

    // Ten digits with a wrong check digit.
    await input.click();
    await input.pressSequentially('1234567890');
    await expect(feedback).toHaveAttribute('data-state', 'invalid');

    // Persian digits, too short.
    await input.fill('');
    await input.pressSequentially('۱۲۳۴۵');
    await expect(feedback).toHaveAttribute('data-state', 'short');

    // Typing must not have submitted the form.
    expect(new URL(page.url()).pathname).toBe('/');
  });
});

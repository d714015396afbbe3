import { test, expect } from '@playwright/test';

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('home is server-rendered in Persian', async ({ page }) => {
    const res = await page.goto('/');
    expect(res?.status()).toBe(200);
    await expect(page.locator('html')).toHaveAttribute('lang', 'fa');
    const h1 = page.locator('h1').first();
    await expect(h1).toBeVisible();
    // Some Arabic-script (Persian) letters in the heading.
    await expect(h1).toHaveText(/[\u0600-\u06FF]/);
  });

  test('the track form is a real GET form that reaches /track', async ({ page }) => {
    await page.goto('/');
    const form = page.locator('form[data-testid=track-form]');
    await expect(form).toBeVisible();
    expect(((await form.getAttribute('method')) ?? 'get').toLowerCase(), 'form method').toBe('get');

    const input = form.locator('#track-code');
    const name = await input.getAttribute('name');
    expect(name, '#track-code needs a name to be submitted').toBeTruthy();
    await input.fill('۱۲۳');

    const submit = form
      .locator('button:not([type]), button[type=submit], input[type=submit]')
      .first();
    await expect(submit).toBeVisible();

    const requestPromise = page.waitForRequest(
      (r) => r.isNavigationRequest() && new URL(r.url()).pathname.startsWith('/track'),
    );
    await submit.click();
    const request = await requestPromise;
    expect(request.method()).toBe('GET');
    expect(new URL(request.url()).searchParams.get(name!)).toBe('۱۲۳');

    await page.waitForLoadState('load');
    expect(page.url()).toContain('/track');
    const response = await request.response();
    expect(response, 'response to the /track navigation').not.toBeNull();
    // Three digits are too short for a tracking code: the form again, with
    // the reason, answered as a refusal.
    expect(response!.status()).toBe(422);
    await expect(page.locator('h1').first()).toBeVisible();
    await expect(page.getByRole('alert')).toHaveText('کد رهگیری ده رقم دارد.');
  });
});

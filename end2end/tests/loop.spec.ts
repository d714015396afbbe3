import { test, expect, type Page } from '@playwright/test';
import { png, persian, randomPhone, smsCode, unitResolves } from '../helpers';

/**
 * The whole citizen loop, in Persian, on a phone: sign in with a one-time
 * code → file a complaint with a photo → see the code → track it → the unit
 * resolves it (on its staff screens) → rate it.
 * Once with JavaScript (and a mocked device location), once without.
 */

async function signIn(page: Page, phone: string) {
  await page.goto('/signin?next=/report');
  await expect(page.locator('h1')).toHaveText('ورود با شماره همراه');
  // Typed the way people type it: Persian digits, with spaces.
  await page.locator('#phone').fill(persian(`${phone.slice(0, 4)} ${phone.slice(4, 7)} ${phone.slice(7)}`));
  await page.locator('[data-testid=phone-form] button[type=submit]').click();
  const code = page.locator('#code');
  await expect(code).toBeVisible();
  await expect(code).toHaveAttribute('autocomplete', 'one-time-code');
  await code.fill(persian(await smsCode(page.request, phone)));
  await page.locator('[data-testid=code-form] button[type=submit]').click();
  await page.waitForURL(/\/report$/);
  // The form says whose number it files under (masked).
  await expect(page.locator('[data-testid=report-form]')).toContainText(persian(phone.slice(0, 4)) + '***');
}

async function fileWithPhoto(page: Page, locate: boolean): Promise<string> {
  const form = page.locator('[data-testid=report-form]');
  await form.locator('#category').selectOption('asphalt-repair');
  await form.locator('#description').fill('چاله عمیق جلوی مدرسه؛ بچه‌ها هر روز از کنارش رد می‌شوند');
  if (locate) {
    const button = page.locator('[data-testid=locate]');
    await expect(button).toBeVisible({ timeout: 20_000 });
    await button.click();
    await expect(page.locator('#lat')).toHaveValue('36.257500');
  } else {
    await form.locator('#lat').fill('۳۶٫۲۵۷۵');
    await form.locator('#lon').fill('۴۹٫۹۷۴');
  }
  await form.locator('#photo').setInputFiles({ name: 'pothole.png', mimeType: 'image/png', buffer: png(640, 480) });
  await form.locator('button[type=submit]').click();
  await page.waitForURL(/\/track\/\d{10}\?filed=1$/);
  const code = page.url().match(/\/track\/(\d{10})/)![1];
  await expect(page.locator('[data-testid=tracking-code]')).toHaveText(persian(code));
  return code;
}

async function trackRateAndList(page: Page, code: string) {
  await page.goto(`/track/${code}`);
  await expect(page.locator('.status').first()).toContainText('انجام شد');
  // The municipality's answer is on the timeline with a Jalali date.
  const answer = page.locator('.timeline-entry', { hasText: 'چاله با آسفالت گرم پر شد.' });
  await expect(answer).toBeVisible();
  await expect(answer.locator('time')).toHaveText(/۱۴۰[۰-۹]\/[۰-۹]{2}\/[۰-۹]{2}/);
  const photos = (await (await page.request.get(`/api/v1/complaints/${code}`)).json()).photos;
  expect(photos).toHaveLength(1);
  // The citizen's photo is on the page as a thumbnail linking to the full one.
  const thumb = page.locator('[data-testid=photos] li[data-kind=citizen] img');
  await expect(thumb).toHaveAttribute('alt', 'عکس شهروند ۱');
  await expect(page.locator('[data-testid=photos] a')).toHaveAttribute('href', photos[0].url);
  await thumb.scrollIntoViewIfNeeded();
  await expect.poll(() => thumb.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);

  const rating = page.locator('[data-testid=rating-form]');
  await expect(rating).toBeVisible();
  await rating.locator('label[for=stars-4]').click();
  await rating.locator('#comment').fill('سریع و تمیز انجام شد');
  await rating.locator('button[type=submit]').click();
  await expect(page.locator('[data-testid=feedback-done]')).toHaveText('امتیاز شما ثبت شد. سپاس.');
  await expect(page.locator('[data-testid=rating-form]')).toHaveCount(0);
  await expect(page.locator('.timeline-entry[data-kind=rating]')).toContainText('۴/۵');
  const view = await (await page.request.get(`/api/v1/complaints/${code}`)).json();
  expect(view.rating).toBe(4);

  await page.goto('/me');
  await expect(page.locator('[data-testid=mine-list]')).toContainText(persian(code));
}

test.describe('the citizen loop with JavaScript', () => {
  test.use({
    geolocation: { latitude: 36.2575, longitude: 49.974, accuracy: 9 },
    permissions: ['geolocation'],
  });

  test('sign in, file with a photo and the device location, track, rate', async ({ page, browser, baseURL }) => {
    test.setTimeout(90_000);
    await signIn(page, randomPhone());
    const code = await fileWithPhoto(page, true);
    await unitResolves(browser, baseURL!, code, 'چاله با آسفالت گرم پر شد.');
    await trackRateAndList(page, code);
  });
});

test.describe('the citizen loop without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('sign in, file with a photo and typed coordinates, track, object, rate', async ({ page, browser, baseURL }) => {
    test.setTimeout(90_000);
    await signIn(page, randomPhone());
    const code = await fileWithPhoto(page, false);
    await unitResolves(browser, baseURL!, code, 'چاله با آسفالت گرم پر شد.');
    // "Not fixed" first: it goes back to the unit.
    await page.goto(`/track/${code}`);
    const objection = page.locator('[data-testid=objection-form]');
    await objection.locator('#reason').fill('هنوز یک طرف چاله باز است');
    await objection.locator('button[type=submit]').click();
    await expect(page.locator('[data-testid=feedback-done]')).toContainText('اعتراض شما ثبت شد');
    await expect(page.locator('.timeline-entry[data-kind=objection]')).toBeVisible();
    await expect(page.locator('[data-testid=rating-form]')).toHaveCount(0);
    await unitResolves(browser, baseURL!, code, 'این بار کامل پر شد.');
    await trackRateAndList(page, code);
  });

  test('a stranger sees no rating form and a wrong code is refused in Persian', async ({ page }) => {
    const phone = randomPhone();
    await page.goto('/signin');
    await page.locator('#phone').fill(phone);
    await page.locator('[data-testid=phone-form] button[type=submit]').click();
    const real = await smsCode(page.request, phone);
    await page.locator('#code').fill(real === '000000' ? '111111' : '000000');
    await page.locator('[data-testid=code-form] button[type=submit]').click();
    await expect(page.locator('#signin-error')).toHaveText('کد درست نیست؛ دوباره بررسی کنید.');
    await expect(page.locator('#code')).toBeVisible();
  });

  test('"me too" on an open complaint: sign in from the page, then counted once', async ({ page }) => {
    // Someone files it anonymously (through the API).
    const filed = await page.request.post('/api/v1/complaints', {
      headers: { 'Idempotency-Key': `loop-${Date.now()}-${Math.random()}` },
      multipart: { category: 'street-lighting', description: 'چراغ‌های کوچه خاموش است', lat: '36.2575', lon: '49.974' },
    });
    expect(filed.status()).toBe(201);
    const code = (await filed.json()).tracking_code;
    // A neighbour sees it and wants to add their voice: sign in first.
    await page.goto(`/track/${code}`);
    await page.locator('[data-testid=support-signin]').click();
    const phone = randomPhone();
    await page.locator('#phone').fill(phone);
    await page.locator('[data-testid=phone-form] button[type=submit]').click();
    await page.locator('#code').fill(await smsCode(page.request, phone));
    await page.locator('[data-testid=code-form] button[type=submit]').click();
    await page.waitForURL(new RegExp(`/track/${code}$`));
    for (const done of ['پشتیبانی شما ثبت شد.', 'پیش‌تر از این درخواست پشتیبانی کرده‌اید.']) {
      await page.locator('[data-testid=support-form] button[type=submit]').click();
      await expect(page.locator('[data-testid=feedback-done]')).toHaveText(done);
      const count = page.locator('.facts dt', { hasText: 'همراهی شهروندان' }).locator('xpath=following-sibling::dd[1]');
      await expect(count).toHaveText('۱');
    }
  });
});

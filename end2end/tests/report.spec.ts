import { test, expect, type Page } from '@playwright/test';
import { png, persian } from '../helpers';

async function fileAComplaint(page: Page): Promise<string> {
  const res = await page.goto('/report');
  expect(res!.status()).toBe(200);
  await expect(page.locator('html')).toHaveAttribute('lang', 'fa');
  const form = page.locator('[data-testid=report-form]');
  await form.locator('#category').selectOption('asphalt-repair');
  await form.locator('#description').fill('چاله بزرگ جلوی نانوایی؛ شب دیده نمی‌شود');
  await form.locator('#address').fill('میدان آزادی، ضلع شمالی');
  await form.locator('#lat').fill('۳۶٫۲۵۷۵');
  await form.locator('#lon').fill('49.974');
  await form.locator('#photo').setInputFiles({ name: 'pothole.png', mimeType: 'image/png', buffer: png(800, 600) });
  await form.locator('button[type=submit]').click();
  await page.waitForURL(/\/track\/\d{10}\?filed=1$/);
  const code = page.url().match(/\/track\/(\d{10})/)![1];
  const shown = page.locator('[data-testid=tracking-code]');
  await expect(shown).toBeVisible();
  // Shown in Persian digits, and it is the code in the URL.
  await expect(shown).toHaveText(persian(code));
  return code;
}

async function trackIt(page: Page, code: string) {
  const res = await page.goto(`/track/${code}`);
  expect(res!.status()).toBe(200);
  await expect(page.locator('.timeline-entry')).toHaveCount(2);
  await expect(page.locator('.timeline-entry').nth(1)).toHaveAttribute('data-kind', 'referred');
  const api = await page.request.get(`/api/v1/complaints/${code}`);
  const body = await api.json();
  expect(body.photos).toHaveLength(1);
  const photo = await page.request.get(body.photos[0].url);
  expect(photo.status()).toBe(200);
  expect(photo.headers()['content-type']).toBe('image/jpeg');
}

test.describe('filing a complaint', () => {
  test('with JavaScript: file with a photo, get the code, track it', async ({ page }) => {
    const code = await fileAComplaint(page);
    await trackIt(page, code);
  });

  test('a location outside the city gets a clear message and keeps the text', async ({ page }) => {
    await page.goto('/report');
    const form = page.locator('[data-testid=report-form]');
    await form.locator('#category').selectOption('street-lighting');
    await form.locator('#description').fill('چراغ‌های کل کوچه خاموش است');
    await form.locator('#lat').fill('36.31');
    await form.locator('#lon').fill('50.0');
    await form.locator('button[type=submit]').click();
    await expect(page.locator('#report-error')).toBeVisible();
    await expect(page.locator('#report-error')).toContainText('بیرون از محدوده');
    await expect(page.locator('#description')).toHaveValue('چراغ‌های کل کوچه خاموش است');
  });
});

test.describe('filing without JavaScript', () => {
  test.use({ javaScriptEnabled: false });
  test('the plain form files and tracks', async ({ page }) => {
    const code = await fileAComplaint(page);
    await trackIt(page, code);
  });
});

test.describe('use my location', () => {
  test.use({
    geolocation: { latitude: 36.2575, longitude: 49.974, accuracy: 12 },
    permissions: ['geolocation'],
  });

  test('fills the coordinates from the device and files in the right district', async ({ page }) => {
    await page.goto('/report');
    const locate = page.locator('[data-testid=locate]');
    // Hidden until the island wakes: without JavaScript it would do nothing.
    await expect(locate).toBeVisible({ timeout: 20_000 });
    await locate.click();
    await expect(page.locator('#lat')).toHaveValue('36.257500');
    await expect(page.locator('#lon')).toHaveValue('49.974000');
    await expect(page.locator('#locate-status')).toContainText('۱۲');
    await page.locator('#category').selectOption('waste-collection');
    await page.locator('#description').fill('سطل زباله سر کوچه سه روز است خالی نشده');
    await page.locator('[data-testid=report-form] button[type=submit]').click();
    await page.waitForURL(/\/track\/\d{10}\?filed=1$/);
    const code = page.url().match(/\/track\/(\d{10})/)![1];
    const body = await (await page.request.get(`/api/v1/complaints/${code}`)).json();
    expect(body.district.fa).toBe('منطقه ۱');
    expect(body.status).toBe('in_progress');
  });
});

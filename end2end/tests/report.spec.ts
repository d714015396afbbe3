import { test, expect, type Page } from '@playwright/test';
import zlib from 'node:zlib';

/** A solid-colour PNG, built here so the test needs no fixture files. */
function png(width: number, height: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(width * 3, 0x80)]);
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

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
  const persian = code.replace(/\d/g, (d) => String.fromCharCode(0x06f0 + Number(d)));
  await expect(shown).toHaveText(persian);
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

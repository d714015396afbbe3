import { test, expect, type Page, type APIRequestContext } from '@playwright/test';
import { persian, randomPhone, STAFF_PASSWORD, waitForTexts } from '../helpers';

/**
 * The lobby kiosk (/kiosk): a portrait touch screen with no OS keyboard.
 * Everything is typed by tapping the on-screen keyboard and the numeric
 * pad; the visit is wiped after the idle warning.
 */

test.use({ viewport: { width: 1080, height: 1920 }, hasTouch: true, isMobile: false });
test.beforeEach(() => {
  test.skip(test.info().project.name !== 'kiosk', 'the kiosk spec runs in the kiosk project');
});

/** Taps the on-screen keys for `text`, one by one (space by its key). */
async function tapText(page: Page, text: string) {
  for (const ch of text) {
    const name = ch == ' ' ? 'space' : ch;
    await page.locator(`#kiosk-keys [data-key="${name}"]`).tap();
  }
}

/** The complaint as the back office sees it (channel, the filer's phone). */
async function staffView(request: APIRequestContext, code: string) {
  const session = await request.post('/api/v1/staff/session', { data: { username: 'supervisor', password: STAFF_PASSWORD } });
  expect(session.status()).toBe(201);
  const token = (await session.json()).token as string;
  const res = await request.get(`/api/v1/staff/complaints/${code}`, { headers: { Authorization: `Bearer ${token}` } });
  expect(res.status()).toBe(200);
  return res.json();
}

test('file with taps only: the code, the QR code, the receipt without personal data', async ({ page, request }) => {
  const phone = randomPhone();
  await page.goto('/kiosk');
  await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
  // Big touch targets on the attract screen.
  for (const id of ['kiosk-file', 'kiosk-track']) {
    const box = (await page.getByTestId(id).boundingBox())!;
    expect(box.height).toBeGreaterThanOrEqual(60);
  }
  await page.getByTestId('kiosk-file').tap();
  await expect(page).toHaveURL(/\/kiosk\/report$/);

  await page.locator('label.kiosk-tile', { has: page.locator('input[value="asphalt-repair"]') }).tap();
  // No OS keyboard anywhere: every field asks for none.
  for (const id of ['description', 'address', 'caller_phone'])
    await expect(page.locator('#' + id)).toHaveAttribute('inputmode', 'none');

  await page.locator('#description').tap();
  await expect(page.getByTestId('kiosk-keys')).toBeVisible();
  await tapText(page, 'چاله بزرگ');
  // A wrong key, taken back.
  await page.locator('#kiosk-keys [data-key="ژ"]').tap();
  await page.locator('#kiosk-keys [data-key="backspace"]').tap();
  // The English layout, and back.
  await page.locator('#kiosk-keys [data-key="layout"]').tap();
  await tapText(page, ' near park');
  await expect(page.locator('#description')).toHaveValue('چاله بزرگ near park');
  for (const key of await page.locator('#kiosk-keys .kiosk-key').all()) {
    const box = (await key.boundingBox())!;
    expect(box.height, 'keys are at least 60 px').toBeGreaterThanOrEqual(60);
  }

  await page.locator('#address').tap();
  await page.locator('#kiosk-keys [data-key="layout"]').tap();
  await tapText(page, 'میدان آزادی');
  await expect(page.locator('#address')).toHaveValue('میدان آزادی');

  await page.locator('#caller_phone').tap();
  await expect(page.getByTestId('kiosk-keys')).toHaveAttribute('data-mode', 'digits');
  // The pad shows Persian digits and types them.
  await expect(page.locator('#kiosk-keys [data-key="7"]')).toHaveText('۷');
  for (const d of phone) await page.locator(`#kiosk-keys [data-key="${d}"]`).tap();
  await expect(page.locator('#caller_phone')).toHaveValue(persian(phone));

  await page.getByTestId('kiosk-submit').tap();
  await expect(page).toHaveURL(/\/kiosk\/done\/\d{10}$/);
  const code = page.url().split('/').pop()!;
  await expect(page.getByTestId('kiosk-code')).toHaveText(persian(code));
  await expect(page.locator('[data-testid=kiosk-qr] svg')).toBeVisible();

  // On the server: filed by the kiosk, the typed number the filer's, the code texted.
  const full = await staffView(request, code);
  expect(full.channel).toBe('kiosk');
  expect(full.citizen_phone).toBe(phone);
  expect(full.description).toBe('چاله بزرگ near park');
  // The address names a known place: the filing has its point and district.
  expect(full.district?.fa, 'placed by the typed place name').toBeTruthy();
  const sms = await waitForTexts(request, phone, 1);
  expect(sms[0]).toContain(code);

  // The receipt as printed: code and QR code; nothing personal, no buttons.
  const html = await page.content();
  expect(html).not.toContain('near park');
  expect(html).not.toContain(persian(phone.slice(4)));
  expect(html).not.toContain(phone.slice(4));
  await page.emulateMedia({ media: 'print' });
  await expect(page.getByTestId('kiosk-code')).toBeVisible();
  await expect(page.locator('[data-testid=kiosk-qr] svg')).toBeVisible();
  await expect(page.getByTestId('kiosk-finish')).toBeHidden();
  const printed = await page.locator('body').innerText();
  expect(printed).toContain(persian(code));
  expect(printed).not.toContain('چاله بزرگ');
  expect(printed).not.toContain('پایان');
  const width = await page.getByTestId('kiosk-receipt').evaluate((el) => el.getBoundingClientRect().width);
  expect(width, '72 mm of an 80 mm roll').toBeLessThan(300);
  await page.emulateMedia({ media: 'screen' });

  // "Finish" wipes at once and the next user starts afresh.
  await page.getByTestId('kiosk-finish').tap();
  await expect(page).toHaveURL(/\/kiosk$/);
  await expect(page.locator('body')).not.toContainText(persian(code));
});

test('idle: a warning with a countdown, "continue", then the visit is wiped', async ({ page, context, baseURL }) => {
  // What a visit may leave: the language chosen, an HttpOnly cookie, storage.
  await context.addCookies([
    { name: 'pasokh_lang', value: 'en', url: baseURL! },
    { name: 'kiosk_test_session', value: 'secret', url: baseURL!, httpOnly: true },
  ]);
  await page.goto('/kiosk/report?idle=2&warn=3');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await page.locator('#description').tap();
  await tapText(page, 'my secret words');
  await page.locator('#caller_phone').tap();
  for (const d of '0912') await page.locator(`#kiosk-keys [data-key="${d}"]`).tap();
  await expect(page.locator('#caller_phone')).toHaveValue('0912');
  await page.evaluate(async () => {
    localStorage.setItem('draft', 'my secret words');
    sessionStorage.setItem('draft', 'my secret words');
    await new Promise((done) => {
      const open = indexedDB.open('kiosk-test-db');
      open.onupgradeneeded = () => open.result.createObjectStore('s');
      open.onsuccess = () => {
        open.result.close();
        done(undefined);
      };
    });
  });

  // The warning counts down; "continue" keeps everything.
  const warning = page.getByTestId('kiosk-idle');
  await expect(warning).toBeVisible({ timeout: 5_000 });
  await expect(page.getByTestId('kiosk-countdown')).toHaveText(/^[123]$/);
  await page.getByTestId('kiosk-continue').tap();
  await expect(warning).toBeHidden();
  await expect(page.locator('#description')).toHaveValue('my secret words');

  // Then nobody touches it: warning, countdown, wipe, the attract screen.
  await expect(warning).toBeVisible({ timeout: 5_000 });
  await expect(page).toHaveURL(/\/kiosk$/, { timeout: 10_000 });
  await expect(page.getByTestId('kiosk-file')).toBeVisible();

  // The next user finds no trace.
  await expect(page.locator('html')).toHaveAttribute('lang', 'fa');
  expect(await page.content()).not.toContain('secret');
  const left = await page.evaluate(async () => ({
    local: localStorage.length,
    session: sessionStorage.length,
    databases: (await indexedDB.databases()).map((d) => d.name),
  }));
  expect(left).toEqual({ local: 0, session: 0, databases: [] });
  expect(await context.cookies()).toEqual([]);
  await page.getByTestId('kiosk-file').tap();
  await expect(page.locator('#description')).toHaveValue('');
  await expect(page.locator('#caller_phone')).toHaveValue('');
});

test('track a request with the numeric pad', async ({ page, request }) => {
  const filed = await request.post('/api/v1/complaints', {
    headers: { 'Idempotency-Key': `kiosk-track-${Date.now()}-${Math.random()}` },
    multipart: { category: 'asphalt-repair', description: 'چاله برای پیگیری در کیوسک', lat: '36.2575', lon: '49.974' },
  });
  expect(filed.status()).toBe(201);
  const code = (await filed.json()).tracking_code as string;

  await page.goto('/kiosk');
  await page.getByTestId('kiosk-track').tap();
  await page.locator('#kiosk-code').tap();
  await expect(page.getByTestId('kiosk-keys')).toHaveAttribute('data-mode', 'digits');
  // A mistyped code first: one digit changed, then taken back.
  for (const d of code.slice(0, 9)) await page.locator(`#kiosk-keys [data-key="${d}"]`).tap();
  const wrong = String((Number(code[9]) + 1) % 10);
  await page.locator(`#kiosk-keys [data-key="${wrong}"]`).tap();
  await page.getByTestId('kiosk-track-submit').tap();
  await expect(page.getByTestId('kiosk-not-found')).toBeVisible();

  await page.locator('#kiosk-code').tap();
  for (const d of code) await page.locator(`#kiosk-keys [data-key="${d}"]`).tap();
  await expect(page.locator('#kiosk-code')).toHaveValue(persian(code));
  await page.getByTestId('kiosk-track-submit').tap();
  const status = page.getByTestId('kiosk-status');
  await expect(status).toBeVisible();
  await expect(status).toContainText(persian(code));
  // The public view only: the description is not shown.
  await expect(status).not.toContainText('چاله برای پیگیری');
});

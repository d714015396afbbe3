import { test, expect, type Browser, type BrowserContextOptions, type Page } from '@playwright/test';
import { png, persian, randomPhone, staffSignIn, texts, waitForTexts } from '../helpers';

/**
 * The back office end to end, in Persian: an operator files a caller's
 * complaint at a desk with the keyboard only; the unit's field staff accept
 * it and resolve it with a proof photo on a phone; a supervisor calls and
 * confirms. The citizen sees each step on the tracking page and gets a text
 * for each. Once with JavaScript, once without. Staff use their own
 * browser contexts (desk and phone), so this runs in the phone project only.
 */

const DESK: BrowserContextOptions = { viewport: { width: 1366, height: 900 }, locale: 'fa-IR', timezoneId: 'Asia/Tehran' };
const FIELD_PHONE: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  isMobile: true,
  hasTouch: true,
  deviceScaleFactor: 2,
  locale: 'fa-IR',
  timezoneId: 'Asia/Tehran',
};

async function staffPage(browser: Browser, options: BrowserContextOptions, js: boolean, username: string): Promise<Page> {
  const context = await browser.newContext({ ...options, baseURL: test.info().project.use.baseURL, javaScriptEnabled: js });
  const page = await context.newPage();
  await staffSignIn(page, username);
  return page;
}

/** The operator takes a call: the keyboard only, from the caller's number
 *  to the submit, the address picked from the known places. */
async function operatorFilesACall(page: Page, caller: string, js: boolean): Promise<string> {
  await page.goto('/staff/intake');
  await expect(page.locator('#caller_phone')).toBeFocused();
  await page.keyboard.type(persian(caller));
  // With JavaScript the caller's history shows as soon as the number is
  // typed (a new caller: none yet); without, the look-up form does it.
  if (js) await expect(page.locator('[data-testid=caller-history-live]')).toBeVisible();
  await page.keyboard.press('Tab');
  await expect(page.locator('#channel-phone')).toBeFocused();
  await expect(page.locator('#channel-phone')).toBeChecked();
  await page.keyboard.press('Tab');
  await expect(page.locator('#category')).toBeFocused();
  await page.keyboard.type('ترمیم آسفالت و چاله');
  await expect(page.locator('#category')).toHaveValue('ترمیم آسفالت و چاله');
  await page.keyboard.press('Tab');
  await page.keyboard.type('تماس تلفنی: چاله عمیق جلوی مدرسه، خطر برای موتورسوارها');
  await page.keyboard.press('Tab');
  await expect(page.locator('#address')).toBeFocused();
  await page.keyboard.type('میدان آزادی');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/staff\/intake\?filed=\d{10}&sms=1$/);
  const code = page.url().match(/filed=(\d{10})/)![1];
  // Read out to the caller, in Persian digits.
  await expect(page.locator('[data-testid=filed-code]')).toHaveText(persian(code));
  await expect(page.locator('[data-testid=filed-sms]')).toBeVisible();
  return code;
}

/** Field staff on a phone: the cartable, the item, accept, then resolve
 *  with an answer and a photo from the camera input. */
async function unitResolvesOnThePhone(page: Page, code: string) {
  await page.goto('/staff/cartable');
  const row = page.locator('[data-testid=cartable-row]', { hasText: persian(code) });
  await expect(row).toBeVisible();
  await row.locator('[data-testid=row-link]').click();
  await page.waitForURL(new RegExp(`/staff/complaints/${code}$`));
  await expect(page.locator('[data-testid=geo-link]')).toHaveAttribute('href', /^geo:36\.2575\d*,49\.974\d*/);
  await expect(page.locator('[data-testid=citizen-phone]')).toHaveCount(0);
  await page.locator('[data-testid=action-accept]').click();
  await expect(page.locator('[data-testid=done-notice]')).toBeVisible();
  await expect(page.locator('[data-testid=staff-complaint]')).toHaveAttribute('data-status', 'in_progress');
  await page.locator('[data-testid=action-note-resolve]').fill('چاله با آسفالت گرم پر و کوبیده شد.');
  await page.locator('[data-testid=action-photo]').setInputFiles({ name: 'fixed.png', mimeType: 'image/png', buffer: png(800, 600, [40, 40, 40]) });
  await page.locator('[data-testid=action-resolve]').click();
  await expect(page.locator('[data-testid=staff-complaint]')).toHaveAttribute('data-status', 'resolved');
  await expect(page.locator('[data-testid=photos] img')).toHaveCount(1);
}

/** The supervisor: the verification queue, the citizen's number to call,
 *  and the confirmation. */
async function supervisorConfirms(page: Page, code: string, caller: string) {
  await page.goto('/staff/verify');
  const row = page.locator('[data-testid=verify-row]', { hasText: persian(code) });
  await row.locator('[data-testid=row-link]').click();
  await expect(page.locator('[data-testid=citizen-phone]')).toHaveAttribute('href', `tel:${caller}`);
  await page.locator('[data-testid=action-note-verify]').fill('با شهروند تماس گرفته شد؛ راضی است.');
  await page.locator('[data-testid=action-verify]').click();
  await expect(page.locator('[data-testid=staff-complaint]')).toHaveAttribute('data-status', 'closed');
}

async function citizenSees(page: Page, code: string, status: string, answer?: string) {
  await page.goto(`/track/${code}`);
  await expect(page.locator('.status').first()).toContainText(status);
  if (answer) await expect(page.locator('.timeline-entry', { hasText: answer })).toBeVisible();
}

for (const js of [true, false]) {
  test(`a phone call from intake to closed, ${js ? 'with' : 'without'} JavaScript`, async ({ browser, page }) => {
    test.skip(test.info().project.name !== 'phone', 'staff contexts set their own viewports');
    test.setTimeout(120_000);
    const caller = randomPhone();
    const operator = await staffPage(browser, DESK, js, 'operator');
    const code = await operatorFilesACall(operator, caller, js);
    const [filed] = await waitForTexts(page.request, caller, 1);
    expect(filed).toContain(code);
    await citizenSees(page, code, 'در حال رسیدگی');

    const field = await staffPage(browser, FIELD_PHONE, js, 'unit_staff');
    await unitResolvesOnThePhone(field, code);
    await citizenSees(page, code, 'انجام شد', 'چاله با آسفالت گرم پر و کوبیده شد.');
    await expect(page.locator('[data-testid=photos] li[data-kind=proof]')).toHaveCount(1);
    const afterResolve = await waitForTexts(page.request, caller, 2);
    expect(afterResolve[1]).toContain(code);
    expect(afterResolve[1]).toContain('۳۱');

    const supervisor = await staffPage(browser, DESK, js, 'supervisor');
    await supervisorConfirms(supervisor, code, caller);
    await citizenSees(page, code, 'بسته شد');
    const all = await waitForTexts(page.request, caller, 3);
    expect(all[2]).toContain(code);
    // The internal note never reaches the public page.
    await expect(page.locator('body')).not.toContainText('راضی است');
    expect((await texts(page.request, caller)).length).toBe(3);
    for (const p of [operator, field, supervisor]) await p.context().close();
  });
}

test('staff pages need a staff session; a wrong password is refused in Persian', async ({ browser }) => {
  test.skip(test.info().project.name !== 'phone', 'desk only');
  const context = await browser.newContext({ ...DESK, baseURL: test.info().project.use.baseURL });
  const page = await context.newPage();
  await page.goto('/staff/cartable');
  await expect(page).toHaveURL(/\/staff\/signin\?next=\/staff\/cartable$/);
  await page.locator('#username').fill('operator');
  await page.locator('#password').fill('not the password');
  await page.locator('[data-testid=staff-signin-submit]').click();
  await expect(page.locator('[data-testid=form-error]')).toHaveText('نام کاربری یا گذرواژه درست نیست.');
  await expect(page.locator('#username')).toHaveValue('operator');
  await expect(page.locator('#password')).toHaveValue('');
  await context.close();
});

import { test, expect, type Browser, type Page } from '@playwright/test';
import { persian, staffAct, staffSignIn, TRAINING_URL } from '../helpers';

/**
 * Accountability in the browser: the mayor's report card (کارنامه) on a
 * desk screen and in print (A4, Persian), and, on the training server whose
 * clock an admin moves, a missed deadline arriving in the inspector's
 * cartable. Desk contexts of their own, so the phone project runs these.
 */

async function deskPage(browser: Browser, baseURL: string, username: string): Promise<Page> {
  const context = await browser.newContext({
    baseURL,
    viewport: { width: 1366, height: 900 },
    locale: 'fa-IR',
    timezoneId: 'Asia/Tehran',
  });
  const page = await context.newPage();
  await staffSignIn(page, username);
  return page;
}

async function file(page: Page, description: string): Promise<string> {
  const res = await page.request.post('/api/v1/complaints', {
    headers: { 'Idempotency-Key': `acc-${Date.now()}-${Math.random()}` },
    multipart: { category: 'asphalt-repair', description, lat: '36.2575', lon: '49.974' },
  });
  expect(res.status()).toBe(201);
  return (await res.json()).tracking_code as string;
}

test('the mayor reads the report card and prints it on A4', async ({ browser, playwright }) => {
  test.skip(test.info().project.name !== 'phone', 'desk contexts set their own viewports');
  const baseURL = test.info().project.use.baseURL!;
  const mayor = await deskPage(browser, baseURL, 'mayor');
  // Something to count: one complaint accepted and resolved today.
  const code = await file(mayor, 'چاله بزرگ جلوی ورودی پارک');
  await staffAct(playwright, baseURL, 'unit_staff', code, { action: 'accept' });
  await staffAct(playwright, baseURL, 'unit_staff', code, { action: 'resolve', note: 'آسفالت شد' });

  await mayor.locator('[data-testid=staff-nav-report-card]').click();
  await expect(mayor).toHaveURL(/\/staff\/report-card$/);
  await expect(mayor.locator('h1')).toHaveText('کارنامه ارزیابی');
  const units = mayor.locator('[data-testid=card-units] tbody tr');
  expect(await units.count()).toBeGreaterThan(3);
  // The best-ranked unit is first, and the chart has a bar per scored unit.
  await expect(units.first().locator('td').first()).toHaveText('۱');
  const bars = mayor.locator('[data-testid=card-chart] rect');
  expect(await bars.count()).toBeGreaterThan(0);
  await expect(mayor.locator('[data-testid=card-formula]')).toContainText('۲۰');

  // A range typed in Persian digits gives the same card for that month.
  await mayor.locator('#r-from').fill('۱۴۰۰/۰۱/۰۱');
  await mayor.locator('#r-to').fill('۱۴۰۰/۰۱/۳۱');
  await mayor.locator('[data-testid=card-submit]').click();
  await expect(mayor.locator('[data-testid=card-period]')).toContainText('۱۴۰۰/۰۱/۰۱');
  await expect(mayor.locator('[data-testid=card-city] dd').nth(1)).toHaveText('۰');
  await mayor.goBack();

  // The print button (shown by the page's script) opens the browser's print.
  await mayor.evaluate(() => {
    const w = window as unknown as { printed: number };
    w.printed = 0;
    window.print = () => void w.printed++;
  });
  await mayor.locator('[data-testid=card-print]').click();
  expect(await mayor.evaluate(() => (window as unknown as { printed: number }).printed)).toBe(1);

  // Print: the staff navigation, the site header and the filter are gone,
  // the tables and the chart stay, and the PDF is A4.
  await mayor.emulateMedia({ media: 'print' });
  await expect(mayor.locator('[data-testid=staff-nav]')).toBeHidden();
  await expect(mayor.locator('[data-testid=card-filter]')).toBeHidden();
  await expect(mayor.locator('.site-header')).toBeHidden();
  await expect(mayor.locator('[data-testid=card-units]')).toBeVisible();
  await expect(mayor.locator('[data-testid=card-chart]')).toBeVisible();
  const pdf = await mayor.pdf({ preferCSSPageSize: true });
  expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  // A4 is 595 × 842 points.
  const box = /\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)/.exec(pdf.toString('latin1'));
  expect(box, 'the PDF names its page size').not.toBeNull();
  expect(Math.abs(Number(box![1]) - 595)).toBeLessThan(2);
  expect(Math.abs(Number(box![2]) - 842)).toBeLessThan(2);
  await mayor.screenshot({ path: test.info().outputPath('report-card-print.png'), fullPage: true });
  await mayor.emulateMedia({ media: 'screen' });

  // The CSV download and the JSON for the mayor's office systems.
  const csv = await mayor.request.get('/staff/report-card.csv');
  expect(csv.status()).toBe(200);
  expect(csv.headers()['content-type']).toContain('text/csv');
  expect(await csv.text()).toContain('kind,code,name_fa');
  await mayor.context().close();
});

test('an inspector sees a complaint escalated after the training clock moves', async ({ browser }) => {
  test.skip(test.info().project.name !== 'phone', 'desk contexts set their own viewports');
  test.skip(!!process.env.PASOKH_E2E_URL, 'the training server is started by the config only');
  const admin = await deskPage(browser, TRAINING_URL, 'admin');
  await expect(admin.locator('[data-testid=simulated-clock]')).toBeVisible();
  const code = await file(admin, 'دریچه فاضلاب باز مانده است');

  const inspector = await deskPage(browser, TRAINING_URL, 'inspector');
  await inspector.goto('/staff/inspection');
  // Codes show in Persian digits.
  const row = (page: Page) => page.locator('[data-testid=inspection-row]', { hasText: persian(code) });
  await expect(row(inspector)).toHaveCount(0);

  // Thirty days on: both deadlines missed, the manager's grace over.
  await admin.goto('/staff/admin/users');
  await admin.locator('[data-testid=clock-advance]').selectOption({ index: 3 });
  await admin.locator('[data-testid=clock-submit]').click();
  await expect(admin.locator('[data-testid=simulated-clock]')).toBeVisible();

  await inspector.goto('/staff/inspection');
  await expect(row(inspector)).toBeVisible();
  await expect(row(inspector).locator('[data-testid=escalated][data-level="2"]')).toBeVisible();
  // The report card counts the escalations too.
  const card = await inspector.request.get('/api/v1/staff/report-card');
  expect(card.status()).toBe(200);
  const body = await card.json();
  expect(body.city.escalations_to_inspection).toBeGreaterThan(0);
  await admin.context().close();
  await inspector.context().close();
});

test('a citizen thanks a unit through 1888; the unit answers, crediting an employee; the answer shows on its page', async ({ browser, page }) => {
  test.skip(test.info().project.name !== 'phone', 'the unit answers from a desk context');
  const baseURL = test.info().project.use.baseURL!;
  await page.goto('/feedback');
  await page.locator('label[for=kind-thanks]').click();
  await page.locator('#unit').selectOption('civil');
  await page.locator('#employee').fill('آقای رضایی');
  await page.locator('#body').fill('از رسیدگی سریع به چاله کوچه ما سپاسگزاریم');
  await page.locator('[data-testid=feedback-submit]').click();
  await expect(page.locator('[data-testid=feedback-filed]')).toBeVisible();
  const code = (await page.locator('[data-testid=feedback-code]').textContent())!.trim();
  await expect(page.locator('[data-testid=feedback-waiting]')).toBeVisible();

  const unit = await deskPage(browser, baseURL, 'unit_staff');
  await unit.locator('[data-testid=staff-nav-feedback]').click();
  const row = unit.locator(`[data-testid=feedback-row][data-code="${code}"]`);
  await expect(row).toContainText('آقای رضایی');
  await row.locator('textarea').fill('سپاس از شما؛ به همکارمان می‌رسانیم.');
  // The answerer credits the thanks to the unit's manager, from the unit's staff.
  await row.locator('[data-testid=feedback-credit]').selectOption('unit_manager');
  await row.locator('[data-testid=feedback-answer-submit]').click();
  await expect(unit).toHaveURL(/done=feedback_answered/);
  await expect(unit.locator(`[data-testid=feedback-row][data-code="${code}"]`)).toHaveCount(0);
  await unit.context().close();
  // The mayor's report card lists the credited employee.
  const mayor = await deskPage(browser, baseURL, 'mayor');
  await mayor.goto('/staff/report-card');
  await expect(mayor.locator('[data-testid=card-employees] tr[data-code=unit_manager]')).toBeVisible();
  await mayor.context().close();

  await page.reload();
  await expect(page.locator('[data-testid=feedback-answer]')).toHaveText('سپاس از شما؛ به همکارمان می‌رسانیم.');
});

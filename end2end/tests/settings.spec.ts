import { test, expect } from '@playwright/test';
import { staffSignIn, TRAINING_URL } from '../helpers';

/**
 * The admin's configuration in the browser: a category added on the
 * settings page with an extra question is on the citizen's form at once,
 * only when that category is chosen; the answer reaches the staff view.
 * On the training server, so the main server's category list stays as the
 * other specs expect it.
 */
test('an admin adds a category with an extra question and it appears on the citizen form', async ({ browser, page }) => {
  test.skip(test.info().project.name !== 'phone', 'the admin uses a desk context of its own');
  const code = `e2e-tree-${Date.now() % 1_000_000}`;
  const name = `درخت افتاده ${code.slice(-4)}`;
  const desk = await browser.newContext({ baseURL: TRAINING_URL, viewport: { width: 1366, height: 900 }, locale: 'fa-IR' });
  const admin = await desk.newPage();
  await staffSignIn(admin, 'admin');
  await admin.locator('[data-testid=staff-nav-settings]').click();
  await expect(admin).toHaveURL(/\/staff\/admin\/settings$/);

  const form = admin.locator('[data-testid=new-category]');
  await form.locator('#code').fill(code);
  await form.locator('#name_fa').fill(name);
  await form.locator('#name_en').fill('Fallen tree');
  await form.locator('#group_fa').fill('فضای سبز');
  await form.locator('#icon').fill('🌳');
  await form.locator('#first_response_hours').fill('۲');
  await form.locator('#resolution_hours').fill('۸');
  await form.locator('#nearby_radius_m').fill('50');
  await form.locator('#unit_kind').selectOption('parks');
  await form.locator('[data-testid=category-create]').click();
  await expect(admin).toHaveURL(/done=category_saved/);
  await expect(admin.locator('[data-testid=done-notice]')).toBeVisible();

  await admin.locator(`[data-testid=category-row][data-code="${code}"] a`).click();
  await expect(admin.locator('h1')).toHaveText(name);
  const question = admin.locator('[data-testid=question-form]');
  await question.locator('#kind').selectOption('choice');
  await question.locator('#label_fa').fill('آیا راه بسته شده است؟');
  await question.locator('#choices').fill('بله | Yes\nخیر | No');
  await question.locator('#required').check();
  await question.locator('[data-testid=question-add]').click();
  await expect(admin).toHaveURL(/done=question_added/);
  await expect(admin.locator('[data-testid=question-row]')).toContainText('آیا راه بسته شده است؟');
  await question.locator('#kind').selectOption('number');
  await question.locator('#label_fa').fill('چند درخت افتاده است؟');
  await question.locator('[data-testid=question-add]').click();
  await expect(admin.locator('[data-testid=question-row]')).toHaveCount(2);

  // The citizen's form: the question shows once its category is chosen.
  await page.goto(`${TRAINING_URL}/report`);
  const report = page.locator('[data-testid=report-form]');
  const asked = report.locator(`fieldset[data-questions-for="${code}"]`);
  await expect(asked).toBeHidden();
  await report.locator('#category').selectOption(code);
  await expect(asked).toBeVisible();
  await expect(asked).toContainText('آیا راه بسته شده است؟ (الزامی)');
  await asked.locator('select').selectOption({ label: 'خیر' });
  await report.locator('#description').fill('درخت کهنسال روی خودروی پارک‌شده افتاده است');
  await report.locator('#lat').fill('۳۶٫۲۵۷۵');
  await report.locator('#lon').fill('۴۹٫۹۷۴');
  await report.locator('button[type=submit]').click();
  await page.waitForURL(/\/track\/\d{10}\?filed=1$/);
  const tracking = page.url().match(/\/track\/(\d{10})/)![1];

  // Staff read the answer beside the complaint's facts.
  await admin.goto(`/staff/complaints/${tracking}`);
  const answers = admin.locator('[data-testid=answers]');
  await expect(answers).toContainText('آیا راه بسته شده است؟');
  await expect(answers).toContainText('خیر');

  // The lobby kiosk asks the same questions once its tile is tapped, the
  // number answered on its own pad (a kiosk has no system keyboard).
  const lobby = await browser.newContext({ baseURL: TRAINING_URL, viewport: { width: 1080, height: 1920 }, hasTouch: true, locale: 'fa-IR' });
  const kiosk = await lobby.newPage();
  await kiosk.goto('/kiosk/report');
  const kioskForm = kiosk.getByTestId('kiosk-form');
  const kioskAsked = kioskForm.locator(`fieldset[data-questions-for="${code}"]`);
  await expect(kioskAsked).toBeHidden();
  await kioskForm.locator('label.kiosk-tile', { has: kiosk.locator(`input[value="${code}"]`) }).tap();
  await expect(kioskAsked).toBeVisible();
  await kioskAsked.locator('select').selectOption({ label: 'بله' });
  const count = kioskAsked.locator('input[data-keys=digits]');
  await expect(count).toHaveAttribute('inputmode', 'none');
  await count.tap();
  await expect(kiosk.getByTestId('kiosk-keys')).toHaveAttribute('data-mode', 'digits');
  await kiosk.locator('#kiosk-keys [data-key="3"]').tap();
  await expect(count).toHaveValue('۳');
  await kioskForm.locator('#description').tap();
  for (const key of ['د', 'ر', 'خ', 'ت', 'space', 'ا', 'ف', 'ت', 'ا', 'د', 'ه']) await kiosk.locator(`#kiosk-keys [data-key="${key}"]`).tap();
  // A known place, tapped rather than typed, is the address.
  await kiosk.getByTestId('kiosk-places').locator('button', { hasText: 'پارک ملت' }).tap();
  await expect(kioskForm.locator('#address')).toHaveValue('پارک ملت');
  await kiosk.getByTestId('kiosk-submit').tap();
  await expect(kiosk).toHaveURL(/\/kiosk\/done\/\d{10}$/);
  const atKiosk = kiosk.url().split('/').pop()!;
  await admin.goto(`/staff/complaints/${atKiosk}`);
  await expect(answers).toContainText('چند درخت افتاده است؟');
  await expect(answers).toContainText(/چند درخت افتاده است؟\s*[3۳]/);
  await expect(answers).toContainText('بله');
  await lobby.close();
  await desk.close();
});

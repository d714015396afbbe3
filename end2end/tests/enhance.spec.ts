import { test, expect, type Page, type Locator } from '@playwright/test';
import { png, persian, signInByApi } from '../helpers';

/**
 * The progressive enhancements of public/js (enhance.js, report.js and the
 * modules it imports): map, photo shrinking, upload progress to the REST API,
 * "already reported nearby?", category search, copy button. Map tiles are
 * answered here; nothing leaves the host.
 */

/** The REST endpoint the enhanced form posts to. */
const FILE_API = '**/api/v1/complaints';

const TILE = png(256, 256, [0xe8, 0xe4, 0xd8]);

/** Answers every map tile request (…/tiles/…, or any …/{z}/{x}/{y}.png should
 *  the tile URL be another) with a small PNG; counts them. */
async function routeTiles(page: Page) {
  const seen = { count: 0 };
  const isTile = (url: URL) => url.pathname.includes('/tiles/') || /\/\d+\/\d+\/\d+\.png$/.test(url.pathname);
  await page.route(isTile, (route) => {
    seen.count++;
    return route.fulfill({ status: 200, contentType: 'image/png', body: TILE });
  });
  return seen;
}

/** A translated string the server gave the form (`data-msg-…` on the form
 *  or on its #report-msgs element). */
async function formMsg(page: Page, key: string, arg?: number) {
  const text = await page
    .locator('#report-form')
    .evaluate((f, name) => f.getAttribute(name) ?? f.querySelector('#report-msgs')?.getAttribute(name), `data-msg-${key}`);
  expect(text, `data-msg-${key}`).toBeTruthy();
  return arg === undefined ? text! : text!.replace('{}', persian(arg));
}

/** Waits until report.js has woken the form (its category search is there). */
async function openReport(page: Page) {
  const res = await page.goto('/report');
  expect(res!.status()).toBe(200);
  await expect(page.locator('#category-search')).toBeVisible();
  return page.locator('[data-testid=report-form]');
}

/** A random point well inside district 1 of the demo city, so other tests'
 *  complaints (and earlier runs on the same database) are never "nearby". */
function somewhereInDistrict1() {
  return { lat: 36.25 + Math.random() * 0.01, lon: 49.966 + Math.random() * 0.015 };
}

async function fill(form: Locator, o: { category: string; lat: string; lon: string; text?: string }) {
  await form.locator('#category').selectOption(o.category);
  await form.locator('#description').fill(o.text ?? 'چاله عمیق وسط خیابان؛ ماشین‌ها منحرف می‌شوند');
  await form.locator('#lat').fill(o.lat);
  await form.locator('#lon').fill(o.lon);
}

/** Files a complaint through the enhanced page; returns its tracking code. */
async function fileThroughPage(page: Page, category: string, lat: number, lon: number) {
  const form = await openReport(page);
  await fill(form, { category, lat: lat.toFixed(6), lon: lon.toFixed(6) });
  await form.locator('button[type=submit]').click();
  await page.waitForURL(/\/track\/\d{10}\?filed=1$/);
  return page.url().match(/\/track\/(\d{10})/)![1];
}

// Web Mercator, as Leaflet draws it: pixels at `zoom` <-> degrees.
const worldPx = (zoom: number) => 256 * 2 ** zoom;
const toPx = (lat: number, lon: number, zoom: number) => {
  const s = Math.sin((lat * Math.PI) / 180);
  return {
    x: ((lon + 180) / 360) * worldPx(zoom),
    y: (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * worldPx(zoom),
  };
};
const toLatLon = (x: number, y: number, zoom: number) => ({
  lat: (Math.atan(Math.sinh(Math.PI * (1 - (2 * y) / worldPx(zoom)))) * 180) / Math.PI,
  lon: (x / worldPx(zoom)) * 360 - 180,
});
/** Tolerance: about three screen pixels at zoom 16. */
const NEAR = 7e-5;

test.describe('map', () => {
  test('Leaflet loads only on demand; tap and drag move the pin; confirm writes the point', async ({ page }) => {
    const tiles = await routeTiles(page);
    const leafletRequests: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/leaflet/') || r.url().includes('/js/map-picker.js')) leafletRequests.push(r.url());
    });
    const form = await openReport(page);
    await page.waitForLoadState('networkidle');
    expect(leafletRequests, 'no Leaflet (nor the map module) on first load').toEqual([]);
    expect(tiles.count).toBe(0);

    await form.locator('#lat').fill('۳۶٫۲۵۷۵'); // Persian digits and decimal point
    await form.locator('#lon').fill('49.974');
    await page.evaluate(() => {
      (document.getElementById('accuracy_m') as HTMLInputElement).value = '25';
    });
    await form.locator('#map-slot button').click();

    const map = form.locator('#map-slot .leaflet-container');
    await expect(map).toBeVisible();
    await expect(map).toHaveAttribute('aria-label', await formMsg(page, 'map-hint'));
    expect(leafletRequests.some((u) => u.endsWith('/leaflet/leaflet.js'))).toBe(true);
    await expect(map.locator('img.leaflet-tile-loaded').first()).toBeVisible();
    expect(tiles.count).toBeGreaterThan(0);
    await expect(map.locator('.leaflet-marker-icon')).toBeVisible();
    await expect(map.locator('.map-accuracy'), 'accuracy circle around the located point').toHaveCount(1);

    // Tap the map 60 px east and 40 px north of the pin (the map's centre).
    await map.evaluate((el) => el.scrollIntoView({ block: 'center' }));
    const box = (await map.boundingBox())!;
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    const start = toPx(36.2575, 49.974, 16);
    await page.touchscreen.tap(cx + 60, cy - 40);
    const tapped = toLatLon(start.x + 60, start.y - 40, 16);
    await expect(map.locator('.map-accuracy'), 'a moved pin has no known accuracy').toHaveCount(0);
    await expect(form.locator('#lat'), 'nothing written before confirming').toHaveValue('۳۶٫۲۵۷۵');

    // Drag the pin 50 px west and 30 px south.
    const icon = (await map.locator('.leaflet-marker-icon').boundingBox())!;
    const ix = icon.x + icon.width / 2;
    const iy = icon.y + icon.height / 2;
    await page.mouse.move(ix, iy);
    await page.mouse.down();
    for (let i = 1; i <= 10; i++) await page.mouse.move(ix - 5 * i, iy + 3 * i);
    await page.mouse.up();
    const dragged = toLatLon(start.x + 60 - 50, start.y - 40 + 30, 16);

    await form.locator('.map-confirm').click();
    await expect(form.locator('.map-status')).toContainText(await formMsg(page, 'map-confirmed'));
    const lat = await form.locator('#lat').inputValue();
    const lon = await form.locator('#lon').inputValue();
    expect(lat).toMatch(/^\d+\.\d{6}$/);
    expect(lon).toMatch(/^\d+\.\d{6}$/);
    // Where the drag left it, not where the tap put it.
    expect(Math.abs(Number(lat) - dragged.lat)).toBeLessThan(NEAR);
    expect(Math.abs(Number(lon) - dragged.lon)).toBeLessThan(NEAR);
    expect(Math.abs(Number(lon) - tapped.lon)).toBeGreaterThan(NEAR);
    await expect(form.locator('#accuracy_m')).toHaveValue('');
    // Still inside the city: no warning.
    await expect(form.locator('.map-status')).not.toContainText(await formMsg(page, 'map-outside'));
  });

  test('a located fix opens the map there with its accuracy circle; outside the city warns', async ({ page }) => {
    await routeTiles(page);
    const form = await openReport(page);
    await form.evaluate((f) => {
      (f.querySelector('#lat') as HTMLInputElement).value = '36.260000';
      (f.querySelector('#lon') as HTMLInputElement).value = '49.980000';
      (f.querySelector('#accuracy_m') as HTMLInputElement).value = '30';
      f.dispatchEvent(new CustomEvent('pasokh:located', { bubbles: true, detail: { lat: 36.26, lon: 49.98, accuracy: 30 } }));
    });
    const map = form.locator('#map-slot .leaflet-container');
    await expect(map).toBeVisible();
    await expect(map.locator('.map-accuracy')).toHaveCount(1);
    await expect(map.locator('.leaflet-marker-icon')).toBeVisible();
    // Confirming the fix unmoved keeps its accuracy.
    await form.locator('.map-confirm').click();
    await expect(form.locator('#lat')).toHaveValue('36.260000');
    await expect(form.locator('#accuracy_m')).toHaveValue('30');
    // A fix far outside the districts: the pin goes there, with a warning.
    await form.evaluate((f) =>
      f.dispatchEvent(new CustomEvent('pasokh:located', { bubbles: true, detail: { lat: 35.7, lon: 51.4, accuracy: 20 } })),
    );
    await expect(form.locator('.map-status')).toContainText(await formMsg(page, 'map-outside'));
  });
});

test.describe('photos', () => {
  test('are shrunk to JPEG, at most 1600 px, at most five', async ({ page }) => {
    const form = await openReport(page);
    const input = form.locator('#photo');
    await input.setInputFiles({ name: 'street.png', mimeType: 'image/png', buffer: png(3000, 2000) });
    await expect(form.locator('#photo-previews img')).toHaveCount(1);
    const first = await input.evaluate(async (el: HTMLInputElement) => {
      const f = el.files![0];
      const bitmap = await createImageBitmap(f);
      return { count: el.files!.length, type: f.type, name: f.name, w: bitmap.width, h: bitmap.height };
    });
    expect(first).toEqual({ count: 1, type: 'image/jpeg', name: 'street.jpg', w: 1600, h: 1067 });

    // An unreadable file is skipped with a message.
    await input.setInputFiles({ name: 'broken.png', mimeType: 'image/png', buffer: Buffer.from('not a picture') });
    await expect(form.locator('#photo-previews [role=status]')).toHaveText(await formMsg(page, 'photo-failed'));
    await expect(form.locator('#photo-previews img')).toHaveCount(1);

    // Five more picked at once: six in all, only five kept.
    await input.setInputFiles(
      [1, 2, 3, 4, 5].map((i) => ({ name: `p${i}.png`, mimeType: 'image/png', buffer: png(400 + i, 300) })),
    );
    await expect(form.locator('#photo-previews [role=status]')).toHaveText(await formMsg(page, 'photo-too-many', 5));
    await expect(form.locator('#photo-previews img')).toHaveCount(5);
    expect(await input.evaluate((el: HTMLInputElement) => Array.from(el.files!, (f) => f.name))).toEqual([
      'street.jpg', 'p1.jpg', 'p2.jpg', 'p3.jpg', 'p4.jpg',
    ]);

    // Remove the second: four left, in the input too.
    const remove = await formMsg(page, 'photo-remove');
    await form.getByRole('button', { name: `${remove} ${persian(2)}`, exact: true }).click();
    await expect(form.locator('#photo-previews img')).toHaveCount(4);
    expect(await input.evaluate((el: HTMLInputElement) => Array.from(el.files!, (f) => f.name))).toEqual([
      'street.jpg', 'p2.jpg', 'p3.jpg', 'p4.jpg',
    ]);
  });
});

test.describe('sending', () => {
  test('shows upload progress and lands on the tracking page', async ({ page }) => {
    const form = await openReport(page);
    await fill(form, { category: 'asphalt-repair', lat: '36.2575', lon: '49.974' });
    await form.locator('#photo').setInputFiles({ name: 'hole.png', mimeType: 'image/png', buffer: png(2400, 1800) });
    await expect(form.locator('#photo-previews img')).toHaveCount(1);
    // Progress values as the page shows them (reported out: the page is gone afterwards).
    const values: number[] = [];
    await page.exposeFunction('pasokhProgress', (v: number) => values.push(v));
    await form.evaluate((f) => {
      const report = (window as unknown as { pasokhProgress: (v: number) => void }).pasokhProgress;
      new MutationObserver(() => {
        const bar = f.querySelector('progress');
        if (bar) report(bar.value);
      }).observe(f, { subtree: true, childList: true, attributes: true, attributeFilter: ['value'] });
    });
    // Hold the upload at the door until the progress bar has been seen.
    let release!: () => void;
    const gate = new Promise<void>((open) => (release = open));
    const key = await form.locator('input[name=idempotency_key]').inputValue();
    let sent: import('@playwright/test').Request | undefined;
    await page.route(FILE_API, async (route) => {
      if (route.request().method() !== 'POST') return route.fallback();
      sent = route.request();
      await gate;
      return route.fallback();
    });
    // The tracking page is loaded once, as the page, not fetched by script first.
    const trackLoads: string[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname.startsWith('/track/')) trackLoads.push(r.resourceType());
    });
    const submit = form.locator('button[type=submit]');
    await submit.click();
    await expect(form.locator('.upload progress')).toBeVisible();
    await expect(form.locator('.upload')).toContainText((await formMsg(page, 'uploading')).split('{}')[0].trim());
    await expect(submit).toBeDisabled();
    expect(sent, 'posted to the REST API').toBeTruthy();
    expect(sent!.resourceType(), 'sent by script, not by a page load').toBe('xhr');
    const headers = await sent!.allHeaders();
    expect(headers['idempotency-key']).toBe(key);
    expect(headers['accept-language']).toBe('fa');
    expect(headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    const multipart = sent!.postDataBuffer()!.toString('latin1');
    expect(multipart).toMatch(/name="channel"\r\n\r\nweb\r\n/);
    expect(multipart).toMatch(/name="photo"; filename="hole\.jpg"\r\nContent-Type: image\/jpeg/);
    release();
    await page.waitForURL(/\/track\/\d{10}\?filed=1$/);
    expect(trackLoads).toEqual(['document']);
    expect(values.length).toBeGreaterThan(0);
    expect(Math.max(...values)).toBe(100);
    const code = page.url().match(/\/track\/(\d{10})/)![1];
    const body = await (await page.request.get(`/api/v1/complaints/${code}`)).json();
    expect(body.photos).toHaveLength(1);
  });

  test('a refusal is shown in place, without a reload, keeping what was typed', async ({ page }) => {
    const form = await openReport(page);
    await fill(form, { category: 'street-lighting', lat: '35.7', lon: '51.4', text: 'چراغ‌های کوچه خاموش است' });
    await page.evaluate(() => ((window as unknown as { stayed: number }).stayed = 1));
    const answered = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/v1/complaints');
    await form.locator('button[type=submit]').click();
    const answer = await answered;
    expect(answer.status()).toBe(422);
    const refusal = await answer.json();
    expect(refusal).toMatchObject({ code: 'invalid', field: 'location' });
    const error = page.locator('#report-error');
    await expect(error).toBeVisible();
    await expect(error).toHaveText(refusal.message);
    await expect(error).toHaveAttribute('role', 'alert');
    // The point is at fault: its first field has the focus.
    await expect(form.locator('#lat')).toBeFocused();
    expect(new URL(page.url()).pathname).toBe('/report');
    expect(await page.evaluate(() => (window as unknown as { stayed?: number }).stayed)).toBe(1);
    await expect(form.locator('#description')).toHaveValue('چراغ‌های کوچه خاموش است');
    await expect(form.locator('button[type=submit]')).toBeEnabled();
  });

  test('a network failure saves the complaint on this phone, and it sends itself once, with the same key', async ({ page }) => {
    const form = await openReport(page);
    const where = somewhereInDistrict1();
    await fill(form, { category: 'graffiti', lat: where.lat.toFixed(6), lon: where.lon.toFixed(6) });
    const key = await form.locator('input[name=idempotency_key]').inputValue();
    const keys: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/v1/complaints') keys.push(r.headers()['idempotency-key']);
    });
    await page.route(FILE_API, (route) => (route.request().method() === 'POST' ? route.abort('failed') : route.fallback()));
    await form.locator('button[type=submit]').click();
    const saved = page.locator('#report-saved');
    await expect(saved).toHaveText((await page.locator('#pwa-msgs').getAttribute('data-msg-outbox-saved'))!);
    await expect(saved).toBeFocused();
    await expect(page.locator('#report-error')).toHaveCount(0);
    await expect(form.locator('button[type=submit]')).toBeEnabled();
    const item = page.getByTestId('outbox-item');
    await expect(item).toHaveAttribute('data-key', key);
    await page.unroute(FILE_API);
    // Its next try (5 s after the first failure) gets through.
    await expect(item).toHaveAttribute('data-state', 'sent', { timeout: 20_000 });
    expect(keys.length).toBeGreaterThanOrEqual(2);
    expect(new Set(keys), 'every try carries the same key').toEqual(new Set([key]));
  });

  test("a refusal that is not JSON (a proxy's 413 page) shows the generic message", async ({ page }) => {
    const form = await openReport(page);
    const where = somewhereInDistrict1();
    await fill(form, { category: 'graffiti', lat: where.lat.toFixed(6), lon: where.lon.toFixed(6) });
    await page.route(FILE_API, (route) =>
      route.request().method() === 'POST'
        ? route.fulfill({ status: 413, contentType: 'text/html', body: '<html><body><h1>413 Request Entity Too Large</h1></body></html>' })
        : route.fallback(),
    );
    await form.locator('button[type=submit]').click();
    await expect(page.locator('#report-error')).toHaveText(await formMsg(page, 'upload-failed'));
    await expect(page.locator('#report-error')).toBeFocused();
    await expect(form.locator('button[type=submit]')).toBeEnabled();
    expect(new URL(page.url()).pathname).toBe('/report');
    // Not "not now": nothing waits on the phone to be sent again.
    await expect(page.locator('#report-saved')).toHaveCount(0);
  });

  test('a refusal naming the photos focuses the photo field', async ({ page }) => {
    const form = await openReport(page);
    const where = somewhereInDistrict1();
    await fill(form, { category: 'graffiti', lat: where.lat.toFixed(6), lon: where.lon.toFixed(6) });
    const message = 'این عکس پذیرفته نشد.';
    await page.route(FILE_API, (route) =>
      route.request().method() === 'POST'
        ? route.fulfill({ status: 422, json: { code: 'invalid', message, field: 'photo', reason: 'too_large' } })
        : route.fallback(),
    );
    await form.locator('button[type=submit]').click();
    await expect(page.locator('#report-error')).toHaveText(message);
    await expect(form.locator('#photo')).toBeFocused();
    await expect(form.locator('#description')).toHaveValue('چاله عمیق وسط خیابان؛ ماشین‌ها منحرف می‌شوند');
  });
});

test.describe('already reported nearby', () => {
  test('lists the nearby complaint; "me too" counts once', async ({ page }) => {
    const at = somewhereInDistrict1();
    const code = await fileThroughPage(page, 'asphalt-repair', at.lat, at.lon);

    /** Opens a fresh form a few metres away and finds the complaint's row. */
    const nearbyRow = async () => {
      const form = await openReport(page);
      await form.locator('#category').selectOption('asphalt-repair');
      await form.locator('#lat').fill((at.lat + 0.0001).toFixed(6));
      await form.locator('#lon').fill((at.lon + 0.0001).toFixed(6));
      await form.locator('#lat').dispatchEvent('change');
      await form.locator('#lon').dispatchEvent('change');
      const section = form.locator('#nearby-slot section');
      await expect(section.getByRole('heading')).toHaveText(await formMsg(page, 'nearby-title'));
      const row = section.locator(`li[data-code="${code}"]`);
      await expect(row).toBeVisible();
      await expect(row.locator(`a[href="/track/${code}"]`)).toHaveText(await formMsg(page, 'nearby-view'));
      await expect(row.locator(`a[href="/track/${code}"]`)).not.toHaveAttribute('target', /.*/);
      return row;
    };
    /** The support count on the tracking page («همراهی شهروندان»). */
    const expectSupportShown = async (n: number) => {
      await page.goto(`/track/${code}`);
      const dd = page.locator('.facts dt', { hasText: 'همراهی شهروندان' }).locator('xpath=following-sibling::dd[1]');
      await expect(dd).toHaveText(persian(n));
    };

    // Support counts once per person: an anonymous "me too" asks to sign in
    // (and would land on that complaint), counting nothing.
    let row = await nearbyRow();
    let answer = page.waitForResponse((r) => r.url().endsWith(`/api/v1/complaints/${code}/support`));
    await row.getByRole('button', { name: await formMsg(page, 'nearby-support') }).click();
    expect((await answer).status()).toBe(401);
    await expect(row.locator(`a[href="/signin?next=/track/${code}"]`)).toHaveText(await formMsg(page, 'nearby-signin'));
    await signInByApi(page.request);

    row = await nearbyRow();
    const supported = await formMsg(page, 'nearby-supported');
    answer = page.waitForResponse((r) => r.url().endsWith(`/api/v1/complaints/${code}/support`));
    await row.getByRole('button', { name: await formMsg(page, 'nearby-support') }).click();
    expect(await (await answer).json()).toMatchObject({ support_count: 1, counted: true });
    await expect(row.locator('[role=status]')).toContainText(supported);
    await expect(row.getByRole('button')).toBeDisabled();
    await expectSupportShown(1);

    // Again from a fresh form: the button is there, but it does not count twice.
    row = await nearbyRow();
    answer = page.waitForResponse((r) => r.url().endsWith(`/api/v1/complaints/${code}/support`));
    await row.getByRole('button', { name: await formMsg(page, 'nearby-support') }).click();
    expect(await (await answer).json()).toMatchObject({ support_count: 1, counted: false });
    await expect(row.locator('[role=status]')).toContainText(await formMsg(page, 'nearby-already'));
    await expect(row.locator('[role=status]')).toContainText(persian(1));
    await expectSupportShown(1);
  });
});

test.describe('copy button', () => {
  test('copies the tracking code', async ({ page, context, baseURL }) => {
    const at = somewhereInDistrict1();
    const code = await fileThroughPage(page, 'noise', at.lat, at.lon);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseURL });
    const button = page.locator('button[data-copy]');
    await expect(button).toBeVisible();
    await expect(button).toHaveAttribute('data-copy', code);
    const label = (await button.textContent())!;
    await button.click();
    await expect(button).toHaveText((await button.getAttribute('data-msg-copied'))!);
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(code);
    await expect(button).toHaveText(label); // back after two seconds
  });
});

test.describe('category search', () => {
  test('filters as you type, folding Arabic letters and ZWNJ, and picks', async ({ page }) => {
    const form = await openReport(page);
    const search = form.locator('#category-search');
    const shown = form.locator('#category-list button:visible');
    await expect(search).toHaveAttribute('placeholder', await formMsg(page, 'search-placeholder'));
    await expect(shown).toHaveCount(await form.locator('#category option:not([value=""])').count());

    await search.fill('آسفالت');
    await expect(shown).toHaveCount(1);
    await expect(shown).toContainText('ترمیم آسفالت و چاله');

    // Arabic ye (ي), no ZWNJ: still finds «ترمیم پیاده‌رو».
    await search.fill('پيادهرو');
    await expect(shown).toHaveCount(1);
    await expect(shown).toContainText('پیاده‌رو');
    await shown.click();
    await expect(form.locator('#category')).toHaveValue('sidewalk-repair');
    await expect(shown).toHaveAttribute('aria-pressed', 'true');

    // Picking in the native select marks the list too.
    await search.fill('');
    await form.locator('#category').selectOption('snow-removal');
    await expect(form.locator('#category-list button[aria-pressed=true]')).toContainText('برف‌روبی');

    await search.fill('zzzz');
    await expect(shown).toHaveCount(0);
    await expect(form.locator('.cat-finder [role=status]')).toHaveText(await formMsg(page, 'search-none'));
  });
});

test.describe('failing safe', () => {
  test('when report.js breaks, the plain form still files', async ({ page }) => {
    await page.route('**/js/report.js*', (route) =>
      route.fulfill({ status: 200, contentType: 'text/javascript', body: 'throw new Error("broken on purpose");' }),
    );
    const res = await page.goto('/report');
    expect(res!.status()).toBe(200);
    const form = page.locator('[data-testid=report-form]');
    const at = somewhereInDistrict1();
    await fill(form, { category: 'tree-pruning', lat: at.lat.toFixed(6), lon: at.lon.toFixed(6) });
    await form.locator('#photo').setInputFiles({ name: 'tree.png', mimeType: 'image/png', buffer: png(640, 480) });
    await expect(page.locator('#category-search')).toHaveCount(0);
    const sent = page.waitForRequest((r) => r.method() === 'POST' && new URL(r.url()).pathname === '/report');
    await form.locator('button[type=submit]').click();
    expect((await sent).resourceType()).toBe('document');
    await page.waitForURL(/\/track\/\d{10}\?filed=1$/);
  });

  test('a part that fails to load leaves the others working', async ({ page }) => {
    await page.route('**/js/map.js*', (route) => route.fulfill({ status: 503, body: 'unavailable' }));
    const form = await openReport(page); // the category search is there
    await expect(form.locator('#map-slot button')).toHaveCount(0);
    const at = somewhereInDistrict1();
    await fill(form, { category: 'tree-pruning', lat: at.lat.toFixed(6), lon: at.lon.toFixed(6) });
    const sent = page.waitForRequest((r) => r.method() === 'POST' && new URL(r.url()).pathname === '/api/v1/complaints');
    await form.locator('button[type=submit]').click();
    expect((await sent).resourceType(), 'still sent by script').toBe('xhr');
    await page.waitForURL(/\/track\/\d{10}\?filed=1$/);
  });
});

test.describe('versions', () => {
  test("every module is fetched with the page's ?v=, and the on-demand ones only on use", async ({ page }) => {
    await routeTiles(page);
    const modules = new Map<string, string>();
    page.on('request', (r) => {
      const url = new URL(r.url());
      const name = url.pathname.match(/^\/js\/([\w-]+)\.js$/)?.[1];
      if (name) modules.set(name, url.search);
    });
    const form = await openReport(page);
    await page.waitForLoadState('networkidle');
    // pwa.js and outbox.js: the installed app's, after the page's load.
    const firstLoad = ['enhance', 'report', 'helpers', 'map', 'photos', 'submit', 'nearby', 'search', 'pwa', 'outbox'];
    expect([...modules.keys()].sort()).toEqual([...firstLoad].sort());
    // Use each part: the photo list, the map, the nearby list.
    await form.locator('#photo').setInputFiles({ name: 'p.png', mimeType: 'image/png', buffer: png(300, 200) });
    await expect(form.locator('#photo-previews img')).toHaveCount(1);
    await form.locator('#map-slot button').click();
    await expect(form.locator('.leaflet-marker-icon')).toBeVisible();
    const at = somewhereInDistrict1();
    await fill(form, { category: 'noise', lat: at.lat.toFixed(6), lon: at.lon.toFixed(6) });
    await form.locator('#lon').dispatchEvent('change');
    await expect.poll(() => modules.has('nearby-list')).toBe(true);
    expect([...modules.keys()].sort()).toEqual([...firstLoad, 'photo-list', 'map-picker', 'geo', 'nearby-list'].sort());
    const version = modules.get('enhance')!;
    expect(version).toMatch(/^\?v=\w+$/);
    for (const [name, search] of modules) expect(search, name).toBe(version);
  });
});

test.describe('accessibility of the enhanced form', () => {
  test.use({ bypassCSP: true }); // axe is injected inline

  test('no serious axe violations with the map, photos and the nearby list shown', async ({ page }) => {
    await routeTiles(page);
    const at = somewhereInDistrict1();
    const code = await fileThroughPage(page, 'bus-stop', at.lat, at.lon);
    const form = await openReport(page);
    await form.locator('#category-search').fill('ایستگاه');
    await form.locator('#category-list button:visible').first().click();
    await expect(form.locator('#category')).toHaveValue('bus-stop');
    await form.locator('#lat').fill(at.lat.toFixed(6));
    await form.locator('#lon').fill(at.lon.toFixed(6));
    await form.locator('#lon').dispatchEvent('change');
    await expect(form.locator(`#nearby-slot li[data-code="${code}"]`)).toBeVisible();
    await form.locator('#photo').setInputFiles({ name: 'stop.png', mimeType: 'image/png', buffer: png(900, 600) });
    await expect(form.locator('#photo-previews img')).toHaveCount(1);
    await form.locator('#map-slot button').click();
    await expect(form.locator('.leaflet-marker-icon')).toBeVisible();
    await form.locator('.map-confirm').click();
    await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
    const violations = await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run: (...a: unknown[]) => Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe;
      const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] });
      return r.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    });
    expect(violations).toEqual([]);
  });
});

import { test, expect, type Page } from '@playwright/test';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { png, signInByApi, unitResolves, waitForHydration } from '../helpers';

/**
 * The installed app: the service worker (public/sw.js, written per build by
 * scripts/sw-build.mjs), the offline outbox (public/js/outbox.js, pwa.js,
 * submit.js), the manifest's share target, and a new build taking over.
 */

const FILE_API = '**/api/v1/complaints';

/** A point inside district 1 of the demo city, away from other specs' filings. */
const somewhere = () => ({ lat: (36.25 + Math.random() * 0.01).toFixed(6), lon: (49.966 + Math.random() * 0.015).toFixed(6) });

/** Opens `url` once so the worker installs, then again under its control. */
async function underWorker(page: Page, url: string) {
  await page.goto(url);
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  await page.goto(url);
  expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toMatch(/\/sw\.js$/);
}

/** The controlling worker's build version (it answers a "version" message). */
const workerVersion = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<string>((resolve) => {
        const channel = new MessageChannel();
        channel.port1.onmessage = (event) => resolve(event.data);
        navigator.serviceWorker.controller!.postMessage({ type: 'version' }, [channel.port2]);
      }),
  );

/** A translated string the server gave the page (#pwa-msgs). */
const pwaMsg = (page: Page, key: string) => page.locator('#pwa-msgs').getAttribute(`data-msg-${key}`).then((text) => text!);

/** Fills the enhanced form (its scripts awake) with a photo; returns the description. */
async function fillWithPhoto(page: Page) {
  const form = page.locator('[data-testid=report-form]');
  await expect(page.locator('#category-search')).toBeVisible();
  const description = `آب‌گرفتگی زیرگذر، آزمون بی‌اینترنت ${Date.now()}`;
  const at = somewhere();
  await form.locator('#category').selectOption('graffiti');
  await form.locator('#description').fill(description);
  await form.locator('#lat').fill(at.lat);
  await form.locator('#lon').fill(at.lon);
  await form.locator('#photo').setInputFiles({ name: 'flood.png', mimeType: 'image/png', buffer: png(800, 600, [0x30, 0x60, 0x90]) });
  await expect(form.locator('.photo-list li')).toHaveCount(1); // resized in the browser
  const category = (await form.locator('#category option:checked').textContent())!.trim();
  return { form, description, category, key: await form.locator('input[name=idempotency_key]').inputValue() };
}

/** The signed-in citizen's complaints, from the API. */
async function myComplaints(page: Page): Promise<{ tracking_code: string }[]> {
  const res = await page.request.get('/api/v1/me/complaints');
  expect(res.status()).toBe(200);
  return res.json();
}

/** The Idempotency-Key of every filing the page sends. */
function filingKeys(page: Page) {
  const keys: string[] = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/v1/complaints') keys.push(r.headers()['idempotency-key']);
  });
  return keys;
}

test.describe('installable', () => {
  test('the worker controls the page, keeps this build, and the manifest has a share target', async ({ page }) => {
    await underWorker(page, '/');
    const manifest = await (await page.request.get('/manifest.webmanifest')).json();
    expect(manifest.share_target).toMatchObject({ action: '/share-target', method: 'POST', enctype: 'multipart/form-data' });
    expect(manifest.share_target.params.files[0].name).toBe('photo');
    // The worker is this build's: its precache names the page's own bundle.
    const worker = await (await page.request.get('/sw.js')).text();
    const build = JSON.parse(worker.match(/^const BUILD = (.*);$/m)![1]) as { version: string; precache: string[] };
    expect(build.version).toMatch(/^[0-9a-f]{12}$/);
    expect(await workerVersion(page)).toBe(build.version);
    const bundle = await page.evaluate(() =>
      Array.from(document.querySelectorAll('link[href^="/pkg/"], script[src^="/pkg/"], link[rel=modulepreload]')).map(
        (e) => e.getAttribute('href') || e.getAttribute('src'),
      ),
    );
    expect(bundle.length).toBeGreaterThan(0);
    for (const file of bundle) expect(build.precache, `${file} is precached`).toContain(file);
    expect(build.precache.some((file) => file.endsWith('.wasm'))).toBe(true);
    const enhance = await page.locator('script[src^="/js/enhance.js"]').getAttribute('src');
    expect(build.precache).toContain(enhance);
    const cached = await page.evaluate(async (files) => {
      const missing = [];
      for (const file of files) if (!(await caches.match(file))) missing.push(file);
      return missing;
    }, build.precache);
    expect(cached, 'every listed file is in the cache').toEqual([]);
  });

  test('a photo shared to the app (the share target) opens the filing form with it', async ({ page }) => {
    await underWorker(page, '/');
    // What the system share sheet does to an installed app: a multipart POST
    // navigation to the manifest's action, which the worker answers.
    await page.evaluate(() => {
      const form = Object.assign(document.createElement('form'), { method: 'post', action: '/share-target', enctype: 'multipart/form-data' });
      form.append(Object.assign(document.createElement('input'), { type: 'file', name: 'photo' }));
      form.append(Object.assign(document.createElement('input'), { name: 'text', value: 'درخت افتاده' }));
      document.body.append(form);
    });
    await page.locator('form[action="/share-target"] input[type=file]').setInputFiles({ name: 'shared.png', mimeType: 'image/png', buffer: png(640, 480) });
    await page.evaluate(() => document.querySelector<HTMLFormElement>('form[action="/share-target"]')!.submit());
    await page.waitForURL(/\/report\?shared=1/);
    await expect(page.locator('.photo-list li')).toHaveCount(1);
    await expect(page.locator('#description')).toHaveValue('درخت افتاده');
    await expect(page.locator('#photo-previews [role=status]')).toHaveText(await pwaMsg(page, 'shared-photo-added'));
    // Taken once: a reload does not add it again.
    await page.reload();
    await expect(page.locator('#category-search')).toBeVisible();
    await expect(page.locator('.photo-list li')).toHaveCount(0);
  });

  test('offline, a page never opened shows the offline page, which leads to the filing form', async ({ page, context }) => {
    await underWorker(page, '/');
    await context.setOffline(true);
    await page.goto('/feedback');
    await expect(page.getByTestId('offline-page')).toBeVisible();
    await page.getByTestId('offline-page').locator('a[href="/report"]').click();
    await expect(page.locator('#category-search')).toBeVisible(); // the kept form, its scripts awake
    await context.setOffline(false);
  });
});

test.describe('offline outbox', () => {
  test('filed offline with a photo: saved, kept over a reload, sent by itself once back online', async ({ page, context }) => {
    test.setTimeout(90_000);
    await signInByApi(page.request);
    await underWorker(page, '/report');
    const keys = filingKeys(page);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));

    await context.setOffline(true);
    const { form, description, category, key } = await fillWithPhoto(page);
    await form.locator('button[type=submit]').click();
    await expect(page.locator('#report-saved')).toHaveText(await pwaMsg(page, 'outbox-saved'));
    const item = page.getByTestId('outbox-item');
    await expect(item).toHaveCount(1);
    await expect(item).toHaveAttribute('data-state', 'queued');
    await expect(item).toContainText(description.slice(0, 20));
    // The form is ready for another request, with a new key.
    await expect(form.locator('#description')).toHaveValue('');
    await expect(form.locator('input[name=idempotency_key]')).not.toHaveValue(key);

    await page.reload(); // still offline: the worker's copy of the page
    await expect(page.getByTestId('outbox')).toBeVisible();
    await expect(item).toHaveCount(1);
    await expect(item).toHaveAttribute('data-key', key);
    expect(await myComplaints(page), 'nothing reached the server').toHaveLength(0);

    await context.setOffline(false);
    await expect(item).toHaveAttribute('data-state', 'sent', { timeout: 40_000 });
    const link = item.locator('a[href^="/track/"]');
    const code = (await link.getAttribute('href'))!.split('/').pop()!;
    await expect(page.getByTestId('outbox-sent-notice').locator(`a[href="/track/${code}"]`)).toBeVisible();

    const mine = await myComplaints(page);
    expect(mine.map((c) => c.tracking_code)).toEqual([code]);
    const filed = await (await page.request.get(`/api/v1/complaints/${code}`)).json();
    expect(filed.category.fa).toBe(category); // the description is not public
    expect(filed.photos).toHaveLength(1);
    expect(keys.length, 'tried while offline, then sent').toBeGreaterThanOrEqual(2);
    expect(new Set(keys), 'every try carried the form\'s key').toEqual(new Set([key]));
    expect(errors).toEqual([]);
  });

  test('the answer is lost after the server filed it: the outbox retries with the same key and files once', async ({ page }) => {
    test.setTimeout(60_000);
    await signInByApi(page.request);
    await underWorker(page, '/report');
    const keys = filingKeys(page);
    const { form, key } = await fillWithPhoto(page);
    let filedCode = '';
    await page.route(FILE_API, async (route) => {
      if (route.request().method() !== 'POST' || filedCode) return route.fallback();
      const answer = await route.fetch(); // reaches the server, which files it
      expect(answer.status()).toBe(201);
      filedCode = (await answer.json()).tracking_code;
      return route.abort('connectionreset'); // and the phone never hears
    });
    await form.locator('button[type=submit]').click();
    await expect(page.locator('#report-saved')).toHaveText(await pwaMsg(page, 'outbox-saved'));
    const item = page.getByTestId('outbox-item');
    await expect(item).toHaveAttribute('data-state', 'sent', { timeout: 40_000 });
    expect(filedCode).toMatch(/^\d{10}$/);
    await expect(item.locator(`a[href="/track/${filedCode}"]`)).toBeVisible();
    expect((await myComplaints(page)).map((c) => c.tracking_code)).toEqual([filedCode]);
    expect(keys.length).toBeGreaterThanOrEqual(2);
    expect(new Set(keys)).toEqual(new Set([key]));
  });

  test('a waiting item can be deleted, and is never sent', async ({ page, context }) => {
    await signInByApi(page.request);
    await underWorker(page, '/report');
    await context.setOffline(true);
    const { form } = await fillWithPhoto(page);
    await form.locator('button[type=submit]').click();
    const item = page.getByTestId('outbox-item');
    await expect(item).toHaveCount(1);
    await item.locator('button.outbox-delete').click();
    await expect(item).toHaveCount(0);
    await expect(page.getByTestId('outbox')).toBeHidden();
    await context.setOffline(false);
    await page.reload();
    await expect(page.locator('#category-search')).toBeVisible();
    await page.waitForTimeout(1500); // the start-up send would have run
    expect(await myComplaints(page)).toHaveLength(0);
  });
});

/** Files a pothole at Azadi square (unit_staff's unit works it) through the
 *  API as the signed-in citizen of `page`. */
async function fileByApi(page: Page): Promise<string> {
  const res = await page.request.post('/api/v1/complaints', {
    headers: { 'Idempotency-Key': `e2e-answer-${Date.now()}-${Math.random()}` },
    multipart: { category: 'asphalt-repair', description: `چاله، آزمون پاسخ بی‌اینترنت ${Date.now()}`, lat: '36.2575', lon: '49.974', channel: 'web' },
  });
  expect(res.status()).toBe(201);
  return (await res.json()).tracking_code;
}

/** The complaint as the public API shows it. */
async function publicView(page: Page, code: string): Promise<{ rating: number | null; support_count: number; timeline: { kind: string }[] }> {
  const res = await page.request.get(`/api/v1/complaints/${code}`);
  expect(res.status()).toBe(200);
  return res.json();
}

test.describe('answers made offline (rating, "me too")', () => {
  test('a rating made offline: kept by the worker, the page says so, sent once when back online', async ({ page, context, browser, baseURL }) => {
    test.setTimeout(90_000);
    await signInByApi(page.request);
    const code = await fileByApi(page);
    await unitResolves(browser, baseURL!, code, 'چاله پر شد.');
    await underWorker(page, `/track/${code}`);

    await context.setOffline(true);
    const rating = page.locator('[data-testid=rating-form]');
    await rating.locator('label[for=stars-5]').click();
    await rating.locator('#comment').fill('<b>عالی</b> بود');
    await rating.locator('button[type=submit]').click();
    await page.waitForURL(new RegExp(`/track/${code}\\?saved=1$`));
    await expect(page.getByTestId('outbox-saved-notice')).toHaveText(await pwaMsg(page, 'outbox-saved'));
    expect((await publicView(page, code)).rating, 'nothing reached the server').toBeNull();

    await context.setOffline(false);
    await expect(page.getByTestId('outbox-sent-notice').locator(`a[href="/track/${code}"]`)).toBeVisible({ timeout: 40_000 });
    const view = await publicView(page, code);
    expect(view.rating).toBe(5);
    expect(view.timeline.filter((e) => e.kind === 'rating')).toHaveLength(1);
    // The home page lists it as the citizen's rating, sent.
    await page.goto('/');
    const item = page.getByTestId('outbox-item');
    await expect(item).toHaveAttribute('data-state', 'sent');
    await expect(item).toContainText(await pwaMsg(page, 'outbox-rating'));
    await expect(item.locator(`a[href="/track/${code}"]`)).toBeVisible();
    // Online, the page shows the rating on its timeline, the form gone, and
    // the comment's markup never became markup.
    await page.goto(`/track/${code}`);
    await expect(page.locator('.timeline-entry[data-kind=rating] .stars-given')).toHaveText('۵/۵');
    await expect(page.locator('[data-testid=rating-form]')).toHaveCount(0);
    await expect(page.locator('main b')).toHaveCount(0);
  });

  test('"me too" offline is counted once when back online, and a second one offline counts nothing more', async ({ page, context, browser, baseURL }) => {
    test.setTimeout(60_000);
    // Someone else's complaint, still open.
    const filer = await browser.newContext({ baseURL });
    await signInByApi(filer.request);
    const code = await fileByApi(await filer.newPage());
    await filer.close();

    await signInByApi(page.request);
    await underWorker(page, `/track/${code}`);
    for (const round of [1, 2]) {
      await context.setOffline(true);
      await page.locator('[data-testid=support-form] button[type=submit]').click();
      await page.waitForURL(new RegExp(`/track/${code}\\?saved=1$`));
      await expect(page.getByTestId('outbox-saved-notice')).toBeVisible();
      expect((await publicView(page, code)).support_count, `round ${round}: not yet sent`).toBe(round - 1);
      await context.setOffline(false);
      await expect(page.getByTestId('outbox-sent-notice').locator(`a[href="/track/${code}"]`)).toBeVisible({ timeout: 40_000 });
      expect((await publicView(page, code)).support_count, `round ${round}`).toBe(1);
      await page.goto(`/track/${code}`);
    }
  });
});

test.describe('the first send answered 503', () => {
  test('a filing the server (or its proxy) turns away with a 5xx is kept and sent by itself later, once', async ({ page }) => {
    test.setTimeout(60_000);
    await signInByApi(page.request);
    await underWorker(page, '/report');
    const keys = filingKeys(page);
    const { form, key } = await fillWithPhoto(page);
    let turnedAway = false;
    await page.route(FILE_API, (route) => {
      if (route.request().method() !== 'POST' || turnedAway) return route.fallback();
      turnedAway = true;
      return route.fulfill({ status: 503, contentType: 'text/html', body: '<h1>503 Service Unavailable</h1>' });
    });
    await form.locator('button[type=submit]').click();
    await expect(page.locator('#report-saved')).toHaveText(await pwaMsg(page, 'outbox-saved'));
    await expect(page.locator('#report-error')).toHaveCount(0);
    const item = page.getByTestId('outbox-item');
    await expect(item).toHaveAttribute('data-state', 'sent', { timeout: 40_000 });
    const code = (await item.locator('a[href^="/track/"]').getAttribute('href'))!.split('/').pop()!;
    expect((await myComplaints(page)).map((c) => c.tracking_code)).toEqual([code]);
    expect(new Set(keys)).toEqual(new Set([key]));
  });
});

/** Starts the release server on `port` over a site directory of its own. */
async function ownServer(site: string, port: number) {
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'pasokh-sw-data-'));
  const child = spawn('./target/release/server', [], {
    cwd: path.resolve(__dirname, '../..'),
    env: { ...process.env, PASOKH_ADDR: `127.0.0.1:${port}`, PASOKH_SITE_ROOT: site, PASOKH_DATA_DIR: data, PASOKH_DEMO: '1', RUST_LOG: 'error' },
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}`;
  await expect
    .poll(async () => fetch(`${url}/health`).then((r) => r.status, () => 0), { timeout: 60_000 })
    .toBe(200);
  return {
    url,
    stop: () => {
      child.kill();
      fs.rmSync(data, { recursive: true, force: true });
    },
  };
}

test.describe('a new build', () => {
  test('is offered while a page is open, and after "reload" the page runs the new build with no hydration error', async ({ browser }, info) => {
    test.setTimeout(120_000);
    // The deploy happens in a copy of the built site, served by a server of
    // this test's own: the other specs' site stays as built.
    const site = fs.mkdtempSync(path.join(os.tmpdir(), 'pasokh-sw-site-'));
    fs.cpSync(path.resolve(__dirname, '../../target/site'), site, { recursive: true });
    const server = await ownServer(site, 3102 + (info.project.name === 'kiosk' ? 1 : 0));
    const context = await browser.newContext({ baseURL: server.url });
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
      await underWorker(page, '/');
      await waitForHydration(page);
      const before = await workerVersion(page);

      // The deploy: a build whose worker differs (sw-build.mjs writes a new
      // version whenever a file of the build changes), compressed as served.
      const next = `${before.slice(0, 6)}000000`;
      const worker = fs.readFileSync(path.join(site, 'sw.js'), 'utf8').replace(`"version":"${before}"`, `"version":"${next}"`);
      expect(worker).toContain(next);
      fs.writeFileSync(path.join(site, 'sw.js'), worker);
      fs.writeFileSync(path.join(site, 'sw.js.gz'), zlib.gzipSync(worker));
      fs.writeFileSync(path.join(site, 'sw.js.br'), zlib.brotliCompressSync(worker));

      await page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r!.update()));
      const offer = page.getByTestId('update-ready');
      await expect(offer).toBeVisible();
      expect(await workerVersion(page), 'the old build runs until the citizen says').toBe(before);
      await Promise.all([page.waitForEvent('load'), offer.locator('button').click()]);
      await waitForHydration(page);
      expect(await workerVersion(page)).toBe(next);
      const names = await page.evaluate(() => caches.keys());
      expect(names.filter((name) => name.includes(before)), 'the old build\'s caches are gone').toEqual([]);
      expect(names.filter((name) => name.includes(next)).length).toBeGreaterThan(0);
      await expect(page.getByTestId('update-ready')).toHaveCount(0);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
      server.stop();
      fs.rmSync(site, { recursive: true, force: true });
    }
  });
});

test.describe('install offer', () => {
  /** Files a complaint through the enhanced form, online; lands on its tracking page. */
  async function fileOnline(page: Page) {
    await page.goto('/report');
    const { form } = await fillWithPhoto(page);
    await form.locator('button[type=submit]').click();
    await page.waitForURL(/\/track\/\d{10}\?filed=1$/);
  }

  /** Chromium's event, as the browser would fire it; counts prompt() calls. */
  const fireInstallPrompt = (page: Page) =>
    page.evaluate(() => {
      const event = Object.assign(new Event('beforeinstallprompt', { cancelable: true }), {
        prompt: async () => void ((window as unknown as { prompted: number }).prompted = 1),
        userChoice: Promise.resolve({ outcome: 'accepted' }),
      });
      window.dispatchEvent(event);
      return event.defaultPrevented;
    });

  test('Chromium: never on a first visit; after a filing, its button opens the browser prompt', async ({ page }) => {
    await page.goto('/');
    await page.waitForLoadState('networkidle');
    expect(await fireInstallPrompt(page), 'the browser\'s own banner is held back').toBe(true);
    await page.waitForTimeout(300);
    await expect(page.getByTestId('install-offer')).toHaveCount(0);
    await fileOnline(page);
    await page.waitForLoadState('networkidle');
    await fireInstallPrompt(page);
    const offer = page.getByTestId('install-offer');
    await expect(offer).toContainText(await pwaMsg(page, 'install-offer'));
    await offer.getByRole('button', { name: await pwaMsg(page, 'install-action') }).click();
    expect(await page.evaluate(() => (window as unknown as { prompted?: number }).prompted)).toBe(1);
    await expect(offer).toHaveCount(0);
  });

  test.describe('iOS Safari', () => {
    test.use({
      userAgent:
        'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
    });
    test('"Add to Home Screen" steps after a filing, not before; "not now" is remembered', async ({ page }) => {
      await page.goto('/');
      await page.waitForLoadState('networkidle');
      await expect(page.getByTestId('install-offer')).toHaveCount(0);
      await fileOnline(page);
      const offer = page.getByTestId('install-offer');
      await expect(offer).toContainText(await pwaMsg(page, 'install-ios'));
      await offer.getByRole('button', { name: await pwaMsg(page, 'install-later') }).click();
      await expect(offer).toHaveCount(0);
      await fileOnline(page);
      await page.waitForLoadState('networkidle');
      await expect(page.getByTestId('install-offer')).toHaveCount(0);
    });
  });
});

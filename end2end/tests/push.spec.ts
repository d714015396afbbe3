import { test, expect, type Page } from '@playwright/test';

/**
 * Web push on the tracking page (public/js/push.js, the service worker's
 * `push` and `notificationclick` handlers in public/sw.js), as far as
 * headless Chromium allows. It has `PushManager`, but no push service
 * behind it: a real `pushManager.subscribe()` may fail (it is tried, and
 * either outcome must read politely). The page's flow to the server is
 * tested with `subscribe()` answered in the page by a subscription shaped
 * like a browser's (to an endpoint that never resolves: no status changes
 * here); the worker's handler is fed a push through the
 * DevTools protocol (`ServiceWorker.deliverPushMessage`), as a push
 * service would. "Stop notifications" is offered where this phone follows
 * the complaint (the page's fake subscription kept across loads in
 * localStorage, as a browser keeps its own); the worker's
 * `pushsubscriptionchange` cannot be fired from here (no DevTools command
 * for it): jstest/push.test.mjs runs it against fakes. What a real push service does between the server and the
 * phone is the server's integration tests' part (server/tests/api/push.rs,
 * against a fake push service that decrypts). Not tested here: a click on
 * the notification (`notificationclick`; headless Chromium shows no
 * notification to click), and a real push service's subscription.
 */

test.skip(() => test.info().project.name !== 'phone', 'a phone feature; one viewport is enough');

async function file(page: Page): Promise<string> {
  const res = await page.request.post('/api/v1/complaints', {
    headers: { 'Idempotency-Key': `push-${Date.now()}-${Math.random()}` },
    multipart: { category: 'asphalt-repair', description: 'چاله عمیق جلوی مدرسه، آزمون اعلان', lat: '36.2575', lon: '49.974' },
  });
  expect(res.status()).toBe(201);
  return (await res.json()).tracking_code as string;
}

/** Opens `url` once so the worker installs, then again under its control. */
async function underWorker(page: Page, url: string) {
  await page.goto(url);
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  await page.goto(url);
  expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toMatch(/\/sw\.js$/);
}

const offer = (page: Page) => page.getByTestId('push-offer');
const notifyButton = (page: Page) => offer(page).locator('[data-push-on]');
const stopButton = (page: Page) => offer(page).locator('[data-push-off]');
const msg = (page: Page, key: string) => offer(page).getAttribute(`data-msg-${key}`).then((text) => text!);

/** A P-256 public key and auth secret as a browser makes them, base64url. */
const browserKeys = () =>
  `(async () => {
    const pair = await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits']);
    const raw = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
    const b64 = (b) => btoa(String.fromCharCode(...b)).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
    return { p256dh: b64(raw), auth: b64(crypto.getRandomValues(new Uint8Array(16))) };
  })()`;

test('the offer waits for a controlling service worker, then subscribes through the server', async ({ page, context, baseURL }) => {
  await context.grantPermissions(['notifications'], { origin: baseURL });
  const code = await file(page);
  // First visit: no worker controls the page yet, so no offer.
  await page.goto(`/track/${code}`);
  await expect(offer(page)).toHaveAttribute('data-push', code);
  await expect(offer(page)).toBeHidden();
  expect(await page.evaluate(() => 'PushManager' in window)).toBe(true);

  // The browser's push service answered by the page itself (headless has
  // none): a subscription shaped like a real one, to a local endpoint.
  await page.addInitScript(`
    PushManager.prototype.subscribe = async function () {
      const keys = await ${browserKeys()};
      const endpoint = 'https://push.example.invalid/e2e-' + Math.random().toString(16).slice(2);
      window.__subscribed = { endpoint, keys };
      return { endpoint, options: {}, toJSON: () => ({ endpoint, keys }), unsubscribe: async () => true };
    };
    PushManager.prototype.getSubscription = async () => null;
  `);
  await underWorker(page, `/track/${code}`);
  await expect(offer(page)).toBeVisible();
  await expect(stopButton(page)).toBeHidden();
  const subscribed = page.waitForResponse((r) => r.url().endsWith(`/api/v1/complaints/${code}/push`) && r.request().method() === 'POST');
  await notifyButton(page).click();
  expect((await subscribed).status()).toBe(201);
  await expect(offer(page).getByRole('status')).toHaveText(await msg(page, 'on'));
  await expect(notifyButton(page)).toBeHidden();
  // The server kept it: the same browser again is "already subscribed".
  const again = await page.evaluate(
    async (path) => (await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify((window as any).__subscribed) })).status,
    `/api/v1/complaints/${code}/push`,
  );
  expect(again).toBe(204);
});

test('a phone that follows the complaint is offered "stop", which unsubscribes through the server', async ({ page, context, baseURL }) => {
  await context.grantPermissions(['notifications'], { origin: baseURL });
  const [code, other] = [await file(page), await file(page)];
  // The browser's subscription, answered by the page (headless has no push
  // service) and kept across loads in localStorage as a browser keeps it.
  await page.addInitScript(`
    const kept = () => JSON.parse(localStorage.getItem('e2e-push') || 'null');
    const made = (json) => json && { endpoint: json.endpoint, options: {}, toJSON: () => json,
      unsubscribe: async () => (localStorage.removeItem('e2e-push'), true) };
    PushManager.prototype.getSubscription = async () => made(kept());
    PushManager.prototype.subscribe = async function () {
      if (!kept()) {
        const keys = await ${browserKeys()};
        localStorage.setItem('e2e-push', JSON.stringify({ endpoint: 'https://push.example.invalid/e2e-' + Math.random().toString(16).slice(2), keys }));
      }
      return made(kept());
    };
  `);
  await underWorker(page, `/track/${code}`);
  await expect(notifyButton(page)).toBeVisible();
  await expect(stopButton(page)).toBeHidden();
  await notifyButton(page).click();
  await expect(offer(page).getByRole('status')).toHaveText(await msg(page, 'on'));
  await expect(stopButton(page)).toBeVisible();

  // Again later: this phone follows it, so "stop" is what is offered; the
  // other complaint, not followed, still offers "notify me".
  await page.reload();
  await expect(stopButton(page)).toBeVisible();
  await expect(notifyButton(page)).toBeHidden();
  await expect(offer(page).getByRole('status')).toBeEmpty();
  await page.goto(`/track/${other}`);
  await expect(notifyButton(page)).toBeVisible();
  await expect(stopButton(page)).toBeHidden();
  await page.goto(`/track/${code}`);
  await expect(stopButton(page)).toBeVisible();

  // Offline at the click: said politely, still following.
  await page.evaluate(() => {
    const real = window.fetch;
    window.fetch = (input, init) => (init?.method === 'DELETE' ? Promise.reject(new TypeError('offline')) : real(input, init));
    (window as any).__onlineAgain = () => (window.fetch = real);
  });
  await stopButton(page).click();
  await expect(offer(page).getByRole('status')).toHaveText(await msg(page, 'off-failed'));
  await expect(stopButton(page)).toBeVisible();
  await page.evaluate(() => (window as any).__onlineAgain());

  const followed = (await page.evaluate(() => localStorage.getItem('e2e-push')))!;
  const stopped = page.waitForResponse((r) => r.url().endsWith(`/api/v1/complaints/${code}/push`) && r.request().method() === 'DELETE');
  await stopButton(page).click();
  expect((await stopped).status()).toBe(204);
  await expect(offer(page).getByRole('status')).toHaveText(await msg(page, 'off'));
  await expect(notifyButton(page)).toBeVisible();
  await expect(stopButton(page)).toBeHidden();
  // The last complaint this phone followed: the browser's subscription
  // went too.
  expect(await page.evaluate(() => localStorage.getItem('e2e-push'))).toBeNull();
  await page.reload();
  await expect(notifyButton(page)).toBeVisible();
  // The server forgot it: the same subscription again is new (201), not
  // "already subscribed" (204).
  const again = await page.evaluate(
    async ([path, body]) => (await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).status,
    [`/api/v1/complaints/${code}/push`, followed],
  );
  expect(again).toBe(201);
});

test('a refused permission or a failing push service is said politely', async ({ page, context, baseURL }) => {
  const code = await file(page);
  await underWorker(page, `/track/${code}`);
  await expect(offer(page)).toBeVisible();
  // Headless Chromium dismisses the permission prompt: not granted.
  await page.evaluate(() => {
    Notification.requestPermission = async () => 'denied';
  });
  await notifyButton(page).click();
  await expect(offer(page).getByRole('status')).toHaveText(await msg(page, 'denied'));
  await expect(notifyButton(page)).toBeEnabled();

  // Granted, and the real PushManager.subscribe: headless Chromium has no
  // push service, so it usually fails; whichever way, the page says so in
  // the citizen's language and nothing breaks.
  await context.grantPermissions(['notifications'], { origin: baseURL });
  await page.reload();
  await expect(offer(page)).toBeVisible();
  await notifyButton(page).click();
  const status = offer(page).getByRole('status');
  await expect(status).not.toBeEmpty({ timeout: 20_000 });
  const said = await status.textContent();
  expect([await msg(page, 'on'), await msg(page, 'failed')]).toContain(said);
  test.info().annotations.push({ type: 'real PushManager.subscribe', description: said === (await msg(page, 'on')) ? 'subscribed' : 'failed (no push service)' });
});

test('the service worker shows a pushed status change as a notification', async ({ page, context, baseURL }) => {
  await context.grantPermissions(['notifications'], { origin: baseURL });
  const code = await file(page);
  await underWorker(page, `/track/${code}`);
  const cdp = await context.newCDPSession(page);
  const registration = new Promise<string>((resolve) =>
    cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
      const ours = registrations.find((r: { scopeURL: string; isDeleted: boolean }) => r.scopeURL.startsWith(baseURL!) && !r.isDeleted);
      if (ours) resolve(ours.registrationId);
    }),
  );
  await cdp.send('ServiceWorker.enable');
  const payload = { title: 'پاسخ', body: `درخواست ${code} در دست کار است.`, url: `/track/${code}` };
  await cdp.send('ServiceWorker.deliverPushMessage', {
    origin: new URL(baseURL!).origin,
    registrationId: await registration,
    data: JSON.stringify(payload),
  });
  const shown = () =>
    page.evaluate(async () =>
      (await (await navigator.serviceWorker.ready).getNotifications()).map((n) => ({ title: n.title, body: n.body, data: n.data })),
    );
  await expect.poll(shown).toEqual([{ title: payload.title, body: payload.body, data: payload.url }]);
});

// @ts-check
// Pasokh's service worker, served at /sw.js (scope /). This file is the
// template: scripts/sw-build.mjs writes the build's copy into target/site
// with this build's version and file list (BUILD) and the outbox inlined
// (OUTBOX). Unbuilt (BUILD.version 'dev') it still works, without precache.
//
// Pages: network first; offline, the copy kept from the last visit, else
// /offline (which leads to the filing form, kept at install). Files of this
// build (hashed /pkg, /js with this build's ?v=, the font) and photo
// thumbnails: cache first. A new build installs beside the old one and waits
// until the page's "reload" (skip-waiting); on activating it deletes every
// older cache, so no page of one build meets files of another.

/** @type {SwBuild} */
const BUILD = { version: 'dev', precache: [] }; // sw-build: BUILD
const OUTBOX = /** @type {SwOutbox | undefined} */ (undefined); // sw-build: OUTBOX

const sw = /** @type {SwScope} */ (/** @type {unknown} */ (self));
const ASSETS = `pasokh-assets-${BUILD.version}`;
const PAGES = `pasokh-pages-${BUILD.version}`;
/** Thumbnails are named by their content's hash: they outlive builds. */
const THUMBS = 'pasokh-thumbs';
const THUMBS_KEPT = 200;
/** Pages fetched at install: offline, these still open. */
const SHELL = ['/', '/report', '/offline'];
/** Public pages kept for offline reading as they are visited (never staff
 *  pages, sign-in or "my requests": a shared phone keeps no one's data). */
const KEPT_PAGES = /^\/(report|track(\/\d+)?|feedback|offline)?$/;
const isThumb = (/** @type {URL} */ url) => url.pathname.startsWith('/media/') && url.pathname.endsWith('-t.jpg');

sw.addEventListener('install', (event) =>
  event.waitUntil(
    (async () => {
      await (await caches.open(ASSETS)).addAll(BUILD.precache);
      await (await caches.open(PAGES)).addAll(SHELL);
    })(),
  ),
);

sw.addEventListener('activate', (event) =>
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys())
        if (name.startsWith('pasokh-') && ![ASSETS, PAGES, THUMBS].includes(name)) await caches.delete(name);
      await sw.registration.navigationPreload?.enable();
    })(),
  ),
);

sw.addEventListener('message', (event) => {
  if (event.data?.type == 'skip-waiting') sw.skipWaiting();
  if (event.data?.type == 'version') event.ports[0]?.postMessage(BUILD.version);
});

sw.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (url.origin != location.origin) return;
  if (request.method == 'POST' && url.pathname == '/share-target') return event.respondWith(receiveShare(request));
  if (request.method == 'POST' && request.mode == 'navigate' && OUTBOX?.VERDICT_PATH.test(url.pathname))
    return event.respondWith(answer(request, url));
  if (request.method != 'GET') return;
  if (request.mode == 'navigate') return event.respondWith(page(event, url));
  if (url.pathname.startsWith('/pkg/') || isThumb(url) || BUILD.precache.includes(url.pathname + url.search))
    event.respondWith(cacheFirst(request, url));
});

/** @param {SwFetchEvent} event @param {URL} url */
async function page(event, url) {
  try {
    const response = (await event.preloadResponse) || (await fetch(event.request));
    if (response.ok && response.type == 'basic' && !url.search && KEPT_PAGES.test(url.pathname)) {
      const copy = response.clone();
      event.waitUntil(caches.open(PAGES).then((pages) => pages.put(url.pathname, copy)));
    }
    return response;
  } catch (error) {
    const pages = await caches.open(PAGES);
    return (await pages.match(url.pathname)) || (await pages.match('/offline')) || Response.error();
  }
}

/** @param {Request} request @param {URL} url */
async function cacheFirst(request, url) {
  const kept = await caches.match(request);
  if (kept) return kept;
  const response = await fetch(request);
  // Hashed names never change content: a file of a newer build joins this
  // build's cache (deleted with it); thumbnails join theirs, bounded.
  if (response.ok && (url.pathname.startsWith('/pkg/') || isThumb(url))) {
    const name = isThumb(url) ? THUMBS : ASSETS;
    const copy = response.clone();
    caches.open(name).then(async (cache) => {
      await cache.put(request, copy);
      const keys = await cache.keys();
      if (name == THUMBS) for (const old of keys.slice(0, Math.max(0, keys.length - THUMBS_KEPT))) await cache.delete(old);
    });
  }
  return response;
}

/** The share target (manifest.webmanifest): the shared photos wait in
 *  IndexedDB for the filing form, which the browser is sent to.
 *  @param {Request} request */
async function receiveShare(request) {
  const data = await request.formData();
  const photos = data.getAll('photo').flatMap((file) => (typeof file == 'string' ? [] : [{ name: file.name, blob: file }]));
  if (OUTBOX && photos.length) await OUTBOX.putShared(await OUTBOX.openOutbox(), photos);
  const text = ['title', 'text', 'url'].map((name) => data.get(name)).filter((part) => typeof part == 'string' && part).join(' ');
  return Response.redirect('/report?shared=1' + (text ? '&text=' + encodeURIComponent(text) : ''), 303);
}

/** A rating, "not fixed" or "me too" from the tracking page's plain form:
 *  sent as it is; with no answer it waits in the outbox to go through the
 *  API later, and the page (the copy kept from the last visit, else
 *  /offline) says so.
 *  @param {Request} request @param {URL} url */
async function answer(request, url) {
  const copy = request.clone();
  try {
    return await fetch(request);
  } catch {
    // no answer: kept below
  }
  const outbox = /** @type {SwOutbox} */ (OUTBOX);
  const fields = /** @type {[string, string][]} */ ([...(await copy.formData())].filter(([, value]) => typeof value == 'string'));
  const lang = /^en\b/.test(request.headers.get('accept-language') || '') ? 'en' : 'fa';
  const item = /** @type {OutboxItem} */ (outbox.verdictItem(url.pathname, fields, lang, crypto.randomUUID(), Date.now()));
  await outbox.save(await outbox.openOutbox(), item);
  sw.registration.sync?.register(outbox.SYNC_TAG).catch(() => undefined);
  return Response.redirect(`/track/${item.code}?saved=1`, 303);
}

// Background Sync (Chromium): the outbox is sent even with no page open; a
// failure leaves items waiting and asks the browser to try again later.
sw.addEventListener('sync', (event) => {
  if (event.tag == OUTBOX?.SYNC_TAG) event.waitUntil(sendOutbox());
});

async function sendOutbox() {
  if (!OUTBOX) return;
  const outbox = OUTBOX;
  const db = await outbox.openOutbox();
  const ended = await outbox.flushLocked(db, (item) => outbox.post(item), outbox.helpers.filingOutcome, { force: true });
  const channel = new BroadcastChannel(outbox.CHANNEL);
  channel.postMessage({ type: 'changed', sent: ended.filter((item) => item.state == 'sent').map((item) => item.code) });
  channel.close();
  for (const item of ended)
    if (item.state == 'sent' && typeof Notification != 'undefined' && Notification.permission == 'granted')
      await sw.registration.showNotification(item.lang == 'en' ? 'Pasokh' : 'پاسخ', { body: [item.summary, item.code].filter(Boolean).join(' · '), tag: item.key, data: `/track/${item.code}` });
  if (ended.some((item) => item.state == 'queued')) throw new Error('outbox: some items wait');
}

// Web push (public/js/push.js subscribes on the tracking page): a status
// change, in the words of its text message, opening the complaint's page.
sw.addEventListener('push', (event) => {
  const push = /** @type {{ title?: string, body?: string, url?: string }} */ (event.data?.json() ?? {});
  event.waitUntil(sw.registration.showNotification(push.title || 'پاسخ', { body: push.body, data: push.url, icon: '/icons/icon-192.png', dir: 'auto' }));
});

// A notification opens its page: the tab already showing it if there is one.
sw.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const to = new URL(typeof event.notification.data == 'string' ? event.notification.data : '/', location.origin).href;
  event.waitUntil(
    (async () => {
      for (const client of await sw.clients.matchAll({ type: 'window' })) if (client.url == to) return client.focus();
      return sw.clients.openWindow(to);
    })(),
  );
});

// The browser renewed this phone's push subscription: each complaint it
// followed moves to the new one. public/js/push.js keeps them (PushState),
// with the endpoint and the server's key, in the Cache API (a worker has
// no localStorage), in a cache not named `pasokh-…` (so a new build's
// clean-up keeps it).
sw.addEventListener('pushsubscriptionchange', (event) =>
  event.waitUntil(
    (async () => {
      const cache = await caches.open('pasokh.push');
      const state = /** @type {PushState | undefined} */ (await (await cache.match('/'))?.json());
      if (!state) return;
      const sub = event.newSubscription || (await sw.registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: state.key }));
      const old = event.oldSubscription?.endpoint || state.endpoint;
      const send = (/** @type {string} */ code, /** @type {string} */ method, /** @type {unknown} */ body) =>
        fetch(`/api/v1/complaints/${code}/push`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      for (const code of state.codes) {
        if (!(await send(code, 'POST', sub)).ok) throw new Error('push: not moved');
        if (old != sub.endpoint) await send(code, 'DELETE', { endpoint: old });
      }
      await cache.put('/', new Response(JSON.stringify({ ...state, endpoint: sub.endpoint })));
    })(),
  ),
);

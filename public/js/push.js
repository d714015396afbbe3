// @ts-check
// "Notify me on this phone" on the tracking page: subscribes this browser
// to the complaint's status changes by web push. public/js/enhance.js loads
// this only on a tracking page that offers it, where PushManager exists and
// a service worker controls the page; the service worker (public/sw.js)
// shows the pushes. SMS stays the main channel: a refusal or failure is
// said politely and changes nothing. Where this phone already follows the
// complaint, the offer is "stop" instead.
//
// Which complaints this phone follows is kept in the Cache API (PushState,
// one entry in the cache 'pasokh.push'), not in localStorage: the service
// worker reads it too, when the browser renews the subscription. This phone
// follows a complaint when the browser's subscription is still the one kept
// there and the complaint's page subscribed it (and told the server); one
// the browser dropped or renewed no longer matches: "notify me" again.

/** The bytes of a base64url text (the server's VAPID public key).
 *  @param {string} text */
export function keyBytes(text) {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** A JSON request to the API; resolves to its answer, or rejects with the
 *  server's translated message when it has one.
 *  @param {string} path @param {RequestInit} [init] */
async function api(path, init) {
  const res = await fetch(path, { ...init, headers: { 'content-type': 'application/json' }, credentials: 'same-origin' });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw Object.assign(new Error(`${path}: ${res.status}`), { shown: typeof body.message == 'string' ? body.message : '' });
  return body;
}

/** This browser's push subscription for the server's key: the one it has
 *  if it was made for that key, else a new one.
 *  @param {ServiceWorkerRegistration} registration @param {Uint8Array<ArrayBuffer>} key */
async function subscription(registration, key) {
  const existing = await registration.pushManager.getSubscription();
  const made = existing?.options.applicationServerKey;
  if (existing && made && new Uint8Array(made).join() == key.join()) return existing;
  await existing?.unsubscribe();
  return registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
}

/** The cache that keeps this phone's PushState (public/sw.js names it too). */
const STATE = 'pasokh.push';

/** What this phone follows, if it has followed anything. */
export async function readState() {
  return /** @type {Promise<PushState | undefined>} */ ((await (await caches.open(STATE)).match('/'))?.json());
}

/** @param {PushState} state */
async function writeState(state) {
  await (await caches.open(STATE)).put('/', new Response(JSON.stringify(state)));
}

/** Whether `state` has this browser's subscription `sub` following `code`.
 *  @param {PushState | undefined} state @param {{ endpoint: string } | null} sub @param {string} code */
export const follows = (state, sub, code) => !!sub && state?.endpoint == sub.endpoint && state.codes.includes(code);

/** `state` with `code` followed by `endpoint` (made with `key`), or, with
 *  `drop`, no longer followed. Codes kept for another endpoint are gone
 *  with it (the browser has one subscription at a time).
 *  @param {PushState | undefined} state @param {string} endpoint @param {string} key @param {string} code @param {boolean} [drop]
 *  @returns {PushState} */
export function withCode(state, endpoint, key, code, drop) {
  const codes = (state?.endpoint == endpoint ? state.codes : []).filter((c) => c != code);
  return { endpoint, key, codes: drop ? codes : [...codes, code] };
}

/** Shows the offer in `box` (`data-push` = the tracking code, its messages
 *  in `data-msg-*`): "notify me" subscribes on a click, "stop" (where this
 *  phone follows the complaint already) unsubscribes.
 *  @param {HTMLElement} box */
export async function offerPush(box) {
  const on = box.querySelector('[data-push-on]');
  const off = box.querySelector('[data-push-off]');
  const status = box.querySelector('[role=status]');
  const code = box.dataset.push;
  if (!(on instanceof HTMLButtonElement) || !(off instanceof HTMLButtonElement) || !status || !code) return;
  const say = (/** @type {string | undefined} */ message) => (status.textContent = message || '');
  const following = (/** @type {boolean} */ yes) => {
    on.hidden = yes;
    off.hidden = !yes;
  };
  const registration = await navigator.serviceWorker.ready;
  following(await Promise.all([readState(), registration.pushManager.getSubscription()]).then(([state, sub]) => follows(state, sub, code), () => false));
  box.hidden = false;
  const path = `/api/v1/complaints/${encodeURIComponent(code)}/push`;
  on.onclick = async () => {
    on.disabled = true;
    say('');
    try {
      if ((await Notification.requestPermission()) != 'granted') {
        say(box.dataset.msgDenied);
        return;
      }
      const { public_key } = await api('/api/v1/push/key');
      const sub = await subscription(registration, keyBytes(public_key));
      await api(path, { method: 'POST', body: JSON.stringify(sub.toJSON()) });
      await writeState(withCode(await readState(), sub.endpoint, public_key, code));
      say(box.dataset.msgOn);
      following(true);
    } catch (error) {
      console.warn('push:', error);
      const shown = error instanceof Error && 'shown' in error ? String(error.shown) : '';
      say(shown || box.dataset.msgFailed);
    } finally {
      on.disabled = false;
    }
  };
  off.onclick = async () => {
    off.disabled = true;
    say('');
    try {
      const sub = await registration.pushManager.getSubscription();
      const state = await readState();
      if (sub) {
        await api(path, { method: 'DELETE', body: JSON.stringify({ endpoint: sub.endpoint }) });
        const left = withCode(state, sub.endpoint, state?.key ?? '', code, true);
        await writeState(left);
        // The last complaint this phone followed: the browser's
        // subscription goes too.
        if (!left.codes.length) await sub.unsubscribe();
      }
      say(box.dataset.msgOff);
      following(false);
    } catch (error) {
      console.warn('push:', error);
      say(box.dataset.msgOffFailed);
    } finally {
      off.disabled = false;
    }
  };
}

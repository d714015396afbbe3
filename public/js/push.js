// @ts-check
// "Notify me on this phone" on the tracking page: subscribes this browser
// to the complaint's status changes by web push. public/js/enhance.js loads
// this only on a tracking page that offers it, where PushManager exists and
// a service worker controls the page; the service worker (public/sw.js)
// shows the pushes. SMS stays the main channel: a refusal or failure is
// said politely and changes nothing.

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

/** Shows the offer in `box` (`data-push` = the tracking code, its messages
 *  in `data-msg-*`) and subscribes on a click.
 *  @param {HTMLElement} box */
export function offerPush(box) {
  const button = box.querySelector('button');
  const status = box.querySelector('[role=status]');
  const code = box.dataset.push;
  if (!button || !status || !code) return;
  const say = (/** @type {string | undefined} */ message) => (status.textContent = message || '');
  box.hidden = false;
  button.onclick = async () => {
    button.disabled = true;
    say('');
    try {
      if ((await Notification.requestPermission()) != 'granted') {
        say(box.dataset.msgDenied);
        button.disabled = false;
        return;
      }
      const { public_key } = await api('/api/v1/push/key');
      const registration = await navigator.serviceWorker.ready;
      const sub = await subscription(registration, keyBytes(public_key));
      await api(`/api/v1/complaints/${encodeURIComponent(code)}/push`, { method: 'POST', body: JSON.stringify(sub.toJSON()) });
      say(box.dataset.msgOn);
      button.hidden = true;
    } catch (error) {
      console.warn('push:', error);
      const shown = error instanceof Error && 'shown' in error ? String(error.shown) : '';
      say(shown || box.dataset.msgFailed);
      button.disabled = false;
    }
  };
}

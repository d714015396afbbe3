// @ts-check
// The installed app, on every page (enhance.js loads this after the page):
// registers the service worker; offers "a new version is ready" when one
// waits; sends the outbox (outbox.js) at start, when the connection returns
// and when its next retry falls due, and lists it where the page has
// #outbox; offers the install after a first filing. Strings: #pwa-msgs.

const version = new URL(import.meta.url).search;
const strings = document.getElementById('pwa-msgs')?.dataset || {};
const lang = document.documentElement.lang == 'en' ? 'en' : 'fa';
/** @param {string} key */
const text = (key) => strings['msg' + key] || '';
const notice = document.getElementById('pwa-notice');

/** @param {string} tag @param {Record<string, string>} [attributes] @param {(Node | string)[]} children */
const element = (tag, attributes = {}, ...children) => {
  const made = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) made.setAttribute(name, value);
  made.append(...children);
  return made;
};

/** A bar at the foot of the page with a message and buttons.
 *  @param {string} id @param {string} message @param {HTMLButtonElement[]} buttons */
const banner = (id, message, ...buttons) => {
  document.getElementById(id)?.remove();
  const bar = element('div', { id, class: 'pwa-banner', role: 'status', 'data-testid': id }, element('p', {}, message), ...buttons);
  document.body.append(bar);
  return bar;
};
/** @param {string} label @param {() => void} onClick @param {string} [kind] */
const button = (label, onClick, kind = 'button button-primary') => {
  const made = /** @type {HTMLButtonElement} */ (element('button', { type: 'button', class: kind }, label));
  made.onclick = onClick;
  return made;
};

// ---- Service worker and updates --------------------------------------------

async function registerWorker() {
  const registration = await navigator.serviceWorker.register('/sw.js', { scope: '/', updateViaCache: 'none' });
  let asked = false;
  /** @param {ServiceWorker} waiting */
  const offer = (waiting) =>
    banner(
      'update-ready',
      text('UpdateReady'),
      button(text('UpdateReload'), () => {
        asked = true;
        waiting.postMessage({ type: 'skip-waiting' });
      }),
    );
  if (registration.waiting && navigator.serviceWorker.controller) offer(registration.waiting);
  registration.addEventListener('updatefound', () => {
    const installing = registration.installing;
    installing?.addEventListener('statechange', () => {
      if (installing.state == 'installed' && navigator.serviceWorker.controller) offer(installing);
    });
  });
  // The new worker took over: this page (which asked) reloads into the new
  // build; another open page offers the same reload rather than losing what
  // its citizen typed.
  const hadController = !!navigator.serviceWorker.controller;
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    if (asked) location.reload();
    else if (hadController) banner('update-ready', text('UpdateReady'), button(text('UpdateReload'), () => location.reload()));
  });
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState == 'visible') registration.update().catch(() => undefined);
  });
  return registration;
}

// ---- The outbox --------------------------------------------------------------

async function startOutbox() {
  const [outbox, { helpers }] = await Promise.all([
    /** @type {Promise<typeof import('./outbox.js')>} */ (import('/js/outbox.js' + version)),
    /** @type {Promise<typeof import('./helpers.js')>} */ (import('/js/helpers.js' + version)),
  ]);
  const db = await outbox.openOutbox();
  const slot = document.getElementById('outbox');
  const channel = new BroadcastChannel(outbox.CHANNEL);
  const digits = (/** @type {string} */ value) => helpers.pageDigits(value, lang);
  /** @param {string} code */
  const codeLink = (code) => element('a', { href: `/track/${code}`, class: 'code' }, element('bdi', { dir: 'ltr' }, digits(code)));

  const draw = async () => {
    const now = Date.now();
    const items = (await outbox.list(db)).filter((item) => {
      // A sent item shows its code for a week, then goes.
      const old = item.state == 'sent' && (item.sentAt || 0) < now - 7 * 24 * 3600e3;
      if (old) outbox.remove(db, item.key, now);
      return !old;
    });
    if (!items.some((item) => item.state != 'sent')) localStorage.removeItem('pasokh-outbox');
    if (!slot) return;
    slot.hidden = items.length == 0;
    slot.querySelector('ul')?.replaceChildren(
      ...items.map((item) => {
        const state = { queued: 'OutboxQueued', sending: 'OutboxSending', sent: 'OutboxSent', refused: 'OutboxRefused' }[item.state];
        const row = element('li', { 'data-state': item.state, 'data-key': item.key, 'data-testid': 'outbox-item' });
        const summary = item.kind ? text({ rating: 'OutboxRating', objection: 'OutboxObjection', support: 'OutboxSupport' }[item.kind]) : item.summary;
        row.append(element('span', { class: 'outbox-summary' }, summary), ' ', element('span', { class: 'outbox-state' }, text(state)));
        if (item.code) row.append(' ', codeLink(item.code));
        if (item.message) row.append(' ', item.message);
        if (item.state != 'sending')
          row.append(
            ' ',
            button(
              text('OutboxDelete'),
              async () => {
                await outbox.remove(db, item.key, Date.now());
                channel.postMessage({ type: 'changed' });
                await draw();
              },
              'link-button outbox-delete',
            ),
          );
        return row;
      }),
    );
  };

  /** @param {(string | undefined)[]} codes */
  const announce = (codes) => {
    const sent = /** @type {string[]} */ (codes.filter(Boolean));
    if (!sent.length || !notice) return;
    localStorage.setItem('pasokh-filed', '1');
    filedNow = true;
    notice.replaceChildren(element('p', { class: 'notice', 'data-testid': 'outbox-sent-notice' }, text('OutboxSentNotice'), ' ', ...sent.flatMap((code) => [codeLink(code), ' '])));
    // The list keeps the code; the notice over the page goes after a while.
    clearTimeout(noticeTimer);
    noticeTimer = window.setTimeout(() => notice.replaceChildren(), 20e3);
    offerInstall();
  };

  let timer = 0;
  let noticeTimer = 0;
  let sending = Promise.resolve();
  /** @param {boolean} force */
  const send = (force) =>
    (sending = sending.then(async () => {
      clearTimeout(timer);
      const ended = await outbox.flushLocked(db, (item) => outbox.post(item), helpers.filingOutcome, { force });
      if (ended.length) channel.postMessage({ type: 'changed' });
      announce(ended.filter((item) => item.state == 'sent').map((item) => item.code));
      await draw();
      const next = outbox.nextDue(await outbox.list(db));
      if (next != null) timer = window.setTimeout(() => send(false), Math.max(1e3, next - Date.now()));
    }).catch((error) => console.warn('outbox:', error)));

  channel.onmessage = (event) => {
    announce(event.data?.sent || []);
    draw();
  };
  window.addEventListener('online', () => send(true));
  // Saved by the form: list it, and ask for Background Sync where there is one.
  window.addEventListener('pasokh:outbox', () => {
    localStorage.setItem('pasokh-outbox', '1');
    draw();
    send(false);
    if ('serviceWorker' in navigator)
      navigator.serviceWorker.ready.then((registration) => registration.sync?.register(outbox.SYNC_TAG)).catch(() => undefined);
  });
  await draw();
  await send(true);
}

// ---- Install -------------------------------------------------------------------

/** @type {BeforeInstallPromptEvent | undefined} */
let installEvent;
const standalone = matchMedia('(display-mode: standalone)').matches || navigator.standalone === true;
const iosSafari = /iPhone|iPad|iPod/.test(navigator.userAgent) || (/Macintosh/.test(navigator.userAgent) && navigator.maxTouchPoints > 1);

/** The moment: the tracking page just after a filing, or a saved request
 *  just sent. */
let filedNow = new URLSearchParams(location.search).get('filed') == '1';
if (filedNow) localStorage.setItem('pasokh-filed', '1');

/** Only at that moment (so never on a first visit), never when installed or
 *  declined: Chromium's prompt where the browser offers one, Safari's steps
 *  on iOS (it has no prompt). */
function offerInstall() {
  if (!filedNow || standalone || localStorage.getItem('pasokh-install-declined')) return;
  const later = button(
    text('InstallLater'),
    () => {
      localStorage.setItem('pasokh-install-declined', '1');
      document.getElementById('install-offer')?.remove();
    },
    'button',
  );
  if (installEvent) {
    const prompt = installEvent;
    banner(
      'install-offer',
      text('InstallOffer'),
      button(text('InstallAction'), async () => {
        document.getElementById('install-offer')?.remove();
        await prompt.prompt();
        if ((await prompt.userChoice).outcome == 'dismissed') localStorage.setItem('pasokh-install-declined', '1');
      }),
      later,
    );
  } else if (iosSafari) banner('install-offer', text('InstallIos'), later);
}

window.addEventListener('beforeinstallprompt', (event) => {
  event.preventDefault(); // offered at our moment, not the browser's
  installEvent = /** @type {BeforeInstallPromptEvent} */ (event);
  offerInstall();
});
offerInstall();

// ---- Start -----------------------------------------------------------------------

// The worker kept an answer (rating, "not fixed", "me too") made offline and
// sent the tracking page here with ?saved=1.
if (new URLSearchParams(location.search).has('saved') && notice) {
  localStorage.setItem('pasokh-outbox', '1');
  notice.replaceChildren(element('p', { class: 'notice', 'data-testid': 'outbox-saved-notice' }, text('OutboxSaved')));
}
if ('serviceWorker' in navigator) registerWorker().catch((error) => console.warn('service worker:', error));
// The outbox module only where it can matter: a page that lists it, or a
// phone with something waiting (pasokh-outbox, set when one is saved).
if ('indexedDB' in window && (document.getElementById('outbox') || localStorage.getItem('pasokh-outbox')))
  startOutbox().catch((error) => console.warn('outbox:', error));

// @ts-check
// Pasokh: small enhancements on every page; the plain HTML works without them.

// Copy buttons (the tracking code): shown only where the clipboard exists.
if (navigator.clipboard)
  for (const button of /** @type {NodeListOf<HTMLButtonElement>} */ (document.querySelectorAll('button[data-copy]'))) {
    const label = button.textContent;
    const status = !button.hasAttribute('aria-live') && button.parentElement?.querySelector('[role=status]');
    /** @param {string} message */
    const announce = (message) => status && (status.textContent = message);
    let timer = 0;
    button.hidden = false;
    button.onclick = () =>
      navigator.clipboard.writeText(button.dataset.copy || '').then(() => {
        announce((button.textContent = button.dataset.msgCopied || ''));
        clearTimeout(timer);
        timer = window.setTimeout(() => {
          button.textContent = label;
          announce('');
        }, 2000);
      }, (error) => console.warn('copy:', error));
  }

// Print buttons (the report card): the page's print layout is its own
// `@media print`; without the script the browser's print gives the same.
for (const button of /** @type {NodeListOf<HTMLButtonElement>} */ (document.querySelectorAll('button[data-print]'))) {
  button.hidden = false;
  button.onclick = () => window.print();
}

// The filing form's stylesheet and script, only where it is.
const form = document.getElementById('report-form');
if (form instanceof HTMLFormElement) {
  // The page names this script with a version (?v=…); its parts share it.
  const version = new URL(import.meta.url).search;
  const stylesheet = Object.assign(document.createElement('link'), { rel: 'stylesheet', href: '/js/report.css' + version });
  const styled = new Promise((done) => setTimeout((stylesheet.onload = stylesheet.onerror = done), 3000));
  document.head.append(stylesheet);
  /** @type {Promise<typeof import('./report.js')>} */
  const script = import('/js/report.js' + version);
  Promise.all([script, styled])
    .then(([report]) => report.enhance(form))
    .catch((error) => console.warn('report.js:', error));
}

// Operator intake: the caller's earlier complaints as the number is typed.
const intake = document.querySelector('form.intake-form');
if (intake instanceof HTMLFormElement) {
  /** @type {Promise<typeof import('./intake.js')>} */
  const script = import('/js/intake.js' + new URL(import.meta.url).search);
  script.then((m) => m.enhanceIntake(intake)).catch((error) => console.warn('intake.js:', error));
}

// A category's extra questions (the citizen's, the operator's and the
// kiosk's forms): only the chosen category's show, and the others are
// disabled so they are not sent. Without the script every set shows and the
// server reads only the chosen category's answers.
const questionSets = /** @type {NodeListOf<HTMLFieldSetElement>} */ (document.querySelectorAll('fieldset[data-questions-for]'));
const questionsForm = questionSets[0]?.form;
if (questionsForm) {
  const show = () => {
    // A select or the kiosk's tiles give the code; intake's typed field the
    // name (or the code).
    const picker = questionsForm.elements.namedItem('category');
    const chosen = picker && 'value' in picker ? String(picker.value).trim() : '';
    for (const set of questionSets) {
      const on = chosen !== '' && (set.dataset.questionsFor === chosen || set.dataset.categoryName === chosen);
      set.hidden = !on;
      set.disabled = !on;
    }
  };
  questionsForm.addEventListener('change', show);
  questionsForm.addEventListener('input', show);
  show();
}

// Web push on the tracking page: its script only where push can work (a
// service worker controls the page); SMS stays the main channel.
const push = document.querySelector('[data-push]');
if (push instanceof HTMLElement && 'PushManager' in window && navigator.serviceWorker?.controller)
  import('/js/push.js' + new URL(import.meta.url).search).then((m) => m.offerPush(push)).catch((error) => console.warn('push.js:', error));

// The lobby kiosk: its keyboard, pad and idle wipe, only on /kiosk. A
// kiosk serves strangers one after another, so it never starts the installed
// app's parts below (no outbox, no service worker of its own).
const kiosk = document.getElementById('kiosk');
if (kiosk) {
  /** @type {Promise<typeof import('./kiosk.js')>} */
  const script = import('/js/kiosk.js' + new URL(import.meta.url).search);
  script.then((m) => m.startKiosk(kiosk)).catch((error) => console.warn('kiosk.js:', error));
} else {
  // The installed app (service worker, offline outbox, install offer), once
  // the page has loaded: it never competes with the page for the network.
  const startPwa = () => import('/js/pwa.js' + new URL(import.meta.url).search).catch((error) => console.warn('pwa.js:', error));
  if (document.readyState == 'complete') startPwa();
  else window.addEventListener('load', startPwa, { once: true });
}

// @ts-check
// Pasokh: the lobby kiosk (/kiosk only; enhance.js loads this where the
// page has #kiosk). A touch screen has no OS keyboard: an on-screen keyboard
// (Persian and English) and a numeric pad fill every field. After a while
// with no touch, a warning counts down and then the visit is wiped: the
// form, the origin's storage and cookies (the server's /kiosk/reset answers
// with Clear-Site-Data for the HttpOnly ones), and the attract screen
// returns, loaded afresh.

/** Keyboard rows per layout. The Persian one follows the standard
 *  (ISIRI 9147) letter rows, with a zero-width non-joiner key. */
const LAYOUTS = {
  fa: [
    ['۱', '۲', '۳', '۴', '۵', '۶', '۷', '۸', '۹', '۰'],
    ['ض', 'ص', 'ث', 'ق', 'ف', 'غ', 'ع', 'ه', 'خ', 'ح', 'ج', 'چ'],
    ['ش', 'س', 'ی', 'ب', 'ل', 'ا', 'ت', 'ن', 'م', 'ک', 'گ'],
    ['ظ', 'ط', 'ز', 'ر', 'ذ', 'د', 'پ', 'و', 'ژ', 'آ', '\u200c', '،', '.'],
  ],
  en: [
    ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0'],
    ['q', 'w', 'e', 'r', 't', 'y', 'u', 'i', 'o', 'p'],
    ['a', 's', 'd', 'f', 'g', 'h', 'j', 'k', 'l'],
    ['z', 'x', 'c', 'v', 'b', 'n', 'm', ',', '.', '-'],
  ],
};
const PERSIAN_DIGITS = ['۰', '۱', '۲', '۳', '۴', '۵', '۶', '۷', '۸', '۹'];

/** @param {string} tag @param {Record<string, string>} attributes @param {...(Node | string)} children */
const element = (tag, attributes = {}, ...children) => {
  const created = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) created.setAttribute(name, value);
  created.append(...children);
  return created;
};

/** @param {HTMLElement} root */
export function startKiosk(root) {
  const msg = root.dataset;
  const persian = msg.lang != 'en';
  const keys = /** @type {HTMLElement} */ (root.querySelector('#kiosk-keys'));
  /** @type {HTMLInputElement | HTMLTextAreaElement | null} */
  let target = null;
  /** @type {'fa' | 'en'} */
  let layout = persian ? 'fa' : 'en';

  /** Types `text` into the field, at its caret. @param {string} text */
  const insert = (text) => {
    if (!target) return;
    const max = target.maxLength > 0 ? target.maxLength : Infinity;
    const start = target.selectionStart ?? target.value.length;
    const end = target.selectionEnd ?? start;
    const value = target.value.slice(0, start) + text + target.value.slice(end);
    if (value.length > max) return;
    target.value = value;
    target.setSelectionRange(start + text.length, start + text.length);
    target.dispatchEvent(new Event('input', { bubbles: true }));
  };
  const backspace = () => {
    if (!target) return;
    const start = target.selectionStart ?? target.value.length;
    const end = target.selectionEnd ?? start;
    const from = start == end ? Math.max(0, start - 1) : start;
    target.value = target.value.slice(0, from) + target.value.slice(end);
    target.setSelectionRange(from, from);
    target.dispatchEvent(new Event('input', { bubbles: true }));
  };

  /** @param {string} label @param {string} name @param {() => void} press @param {string} [extra] */
  const key = (label, name, press, extra = '') => {
    const button = element('button', { type: 'button', class: 'kiosk-key ' + extra, 'data-key': name }, label);
    // Keep the field focused (and its caret) while a key is pressed.
    button.addEventListener('pointerdown', (event) => event.preventDefault());
    button.addEventListener('mousedown', (event) => event.preventDefault());
    button.addEventListener('click', press);
    return button;
  };

  const render = () => {
    keys.replaceChildren();
    if (!target) return (keys.hidden = true);
    keys.hidden = false;
    const digitsOnly = target.dataset.keys == 'digits';
    keys.dataset.mode = digitsOnly ? 'digits' : layout;
    if (digitsOnly) {
      // The numeric pad: 1–9, then delete, 0; Persian digits on a Persian page.
      // Laid out left to right as phone pads are, whatever the page's direction.
      const pad = element('div', { class: 'kiosk-pad', dir: 'ltr' });
      for (const d of [1, 2, 3, 4, 5, 6, 7, 8, 9]) {
        const shown = persian ? PERSIAN_DIGITS[d] : String(d);
        pad.append(key(shown, String(d), () => insert(shown)));
      }
      pad.append(key('⌫', 'backspace', backspace, 'kiosk-key-wide'));
      const zero = persian ? PERSIAN_DIGITS[0] : '0';
      pad.append(key(zero, '0', () => insert(zero)));
      pad.append(key(msg.msgHide || '×', 'hide', hide, 'kiosk-key-wide'));
      keys.append(pad);
    } else {
      for (const row of LAYOUTS[layout]) {
        const line = element('div', { class: 'kiosk-row', dir: layout == 'fa' ? 'rtl' : 'ltr' });
        for (const letter of row)
          line.append(key(letter == '\u200c' ? '‌|‌' : letter, letter == '\u200c' ? 'zwnj' : letter, () => insert(letter)));
        keys.append(line);
      }
      const last = element('div', { class: 'kiosk-row' });
      last.append(
        key(layout == 'fa' ? 'English' : 'فارسی', 'layout', () => {
          layout = layout == 'fa' ? 'en' : 'fa';
          render();
        }, 'kiosk-key-wide'),
        key(msg.msgSpace || ' ', 'space', () => insert(' '), 'kiosk-key-space'),
        key('⌫ ' + (msg.msgBackspace || ''), 'backspace', backspace, 'kiosk-key-wide'),
        key(msg.msgHide || '×', 'hide', hide, 'kiosk-key-wide'),
      );
      keys.append(last);
    }
  };
  const hide = () => {
    target = null;
    render();
  };

  for (const field of /** @type {NodeListOf<HTMLInputElement | HTMLTextAreaElement>} */ (root.querySelectorAll('[data-keys]'))) {
    const open = () => {
      if (target == field) return;
      target = field;
      render();
      field.scrollIntoView({ block: 'center' });
    };
    field.addEventListener('focus', open);
    field.addEventListener('click', open);
  }

  // Known places: a tap types the place's name into its field.
  for (const list of /** @type {NodeListOf<HTMLElement>} */ (root.querySelectorAll('[data-places-for]'))) {
    const field = document.getElementById(list.dataset.placesFor || '');
    if (!(field instanceof HTMLInputElement)) continue;
    list.hidden = false;
    for (const place of /** @type {NodeListOf<HTMLButtonElement>} */ (list.querySelectorAll('button[data-place]')))
      place.addEventListener('click', () => {
        field.value = place.dataset.place || '';
        field.dispatchEvent(new Event('input', { bubbles: true }));
      });
  }

  watchIdle(root);
  for (const button of root.querySelectorAll('[data-kiosk-finish]')) button.addEventListener('click', () => wipe());
}

/** The idle watch: `data-idle` seconds without a touch, then the warning
 *  with a `data-warn` second countdown, then the wipe.
 *  @param {HTMLElement} root */
function watchIdle(root) {
  const idle = Number(root.dataset.idle) || 90;
  const warn = Number(root.dataset.warn) || 15;
  const dialog = /** @type {HTMLElement} */ (root.querySelector('#kiosk-idle'));
  const countdown = /** @type {HTMLElement} */ (dialog.querySelector('.kiosk-countdown'));
  const persian = root.dataset.lang != 'en';
  // On the attract screen of a fresh visit there is nothing to wipe; a
  // language chosen there is a trace, though.
  const attract = root.dataset.screen == 'attract';
  if (attract && !document.cookie && persian) return;
  let timer = 0;
  let left = 0;
  const show = (/** @type {number} */ n) =>
    (countdown.textContent = persian ? String(n).replace(/\d/g, (d) => PERSIAN_DIGITS[Number(d)]) : String(n));
  const tick = () => {
    left -= 1;
    if (left <= 0) return wipe();
    show(left);
    timer = window.setTimeout(tick, 1000);
  };
  const warnNow = () => {
    left = warn;
    show(left);
    dialog.hidden = false;
    timer = window.setTimeout(tick, 1000);
  };
  const restart = () => {
    clearTimeout(timer);
    dialog.hidden = true;
    timer = window.setTimeout(warnNow, idle * 1000);
  };
  // Any touch while the warning shows is not "continue": only the button is.
  for (const type of ['pointerdown', 'keydown', 'touchstart', 'input'])
    document.addEventListener(type, () => dialog.hidden && restart(), { passive: true, capture: true });
  dialog.querySelector('[data-kiosk-continue]')?.addEventListener('click', restart);
  restart();
}

/** Erases the visit and goes back to a fresh attract screen. */
export async function wipe() {
  for (const form of document.forms) form.reset();
  for (const field of /** @type {NodeListOf<HTMLInputElement | HTMLTextAreaElement>} */ (document.querySelectorAll('input:not([type=hidden]):not([type=radio]), textarea')))
    field.value = '';
  try {
    localStorage.clear();
    sessionStorage.clear();
  } catch (error) {
    console.warn('kiosk storage:', error);
  }
  for (const cookie of document.cookie.split(';')) {
    const name = cookie.split('=')[0].trim();
    if (name) document.cookie = `${name}=; Path=/; Max-Age=0`;
  }
  try {
    if (indexedDB.databases)
      await Promise.all((await indexedDB.databases()).map((db) => db.name && new Promise((done) => {
        const request = indexedDB.deleteDatabase(/** @type {string} */ (db.name));
        request.onsuccess = request.onerror = request.onblocked = done;
      })));
  } catch (error) {
    console.warn('kiosk indexedDB:', error);
  }
  try {
    // HttpOnly cookies and whatever else the origin keeps.
    await fetch('/kiosk/reset', { method: 'POST', credentials: 'same-origin', cache: 'no-store' });
  } catch (error) {
    console.warn('kiosk reset:', error);
  }
  // Afresh: nothing of this page stays in memory or in the back history.
  location.replace('/kiosk');
}

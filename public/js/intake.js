// @ts-check
// Operator intake: as soon as the caller's number is typed, their earlier
// complaints appear under it (a repeat caller is often asking about one).
// Without this script the "look up caller" form on the page does the same.

import { helpers } from './helpers.js';

/** @typedef {{ tracking_code: string, category: { fa: string, en: string }, status: string, created_at: number }} CallerComplaint */

/** The canonical `09…` mobile number typed in any digits and format, or ''.
 *  @param {string} raw */
export function normalisePhone(raw) {
  const digits = helpers.toAsciiDigits(raw).replace(/[\s\-()]/g, '').replace(/^(\+98|0098)/, '0').replace(/^9/, '09');
  return /^09\d{9}$/.test(digits) ? digits : '';
}

/** @param {HTMLFormElement} form */
export function enhanceIntake(form) {
  const input = form.querySelector('#caller_phone');
  const slot = document.getElementById('caller-history-live');
  if (!(input instanceof HTMLInputElement) || !slot) return;
  const lang = slot.dataset.lang === 'en' ? 'en' : 'fa';
  /** @type {Record<string, string>} */
  let statusNames = {};
  try {
    statusNames = JSON.parse(slot.dataset.statusNames || '{}');
  } catch {
    /* names stay the stable codes */
  }
  let shown = '';
  const look = async () => {
    const phone = normalisePhone(input.value);
    if (phone === shown) return;
    shown = phone;
    if (!phone) return slot.replaceChildren();
    try {
      const res = await fetch(`/api/v1/staff/callers/${phone}/complaints`, { credentials: 'same-origin' });
      if (!res.ok || phone !== shown) return;
      const list = /** @type {CallerComplaint[]} */ (await res.json());
      const title = Object.assign(document.createElement('h2'), { textContent: slot.dataset.msgTitle || '' });
      const items = list.map((c) => {
        const li = document.createElement('li');
        li.dataset.testid = 'caller-history-row';
        const link = Object.assign(document.createElement('a'), { href: `/staff/complaints/${c.tracking_code}` });
        const code = Object.assign(document.createElement('bdi'), { dir: 'ltr', className: 'code', textContent: c.tracking_code });
        link.append(code);
        li.append(link, ' ', c.category[lang], ' · ', statusNames[c.status] || c.status);
        return li;
      });
      const body = items.length ? Object.assign(document.createElement('ul'), { className: 'mine-list' }) : document.createElement('p');
      if (items.length) body.append(...items);
      else body.textContent = slot.dataset.msgNone || '';
      const section = Object.assign(document.createElement('section'), { className: 'caller-history' });
      section.dataset.testid = 'caller-history-live';
      section.append(title, body);
      slot.replaceChildren(section);
    } catch (error) {
      console.warn('caller history:', error); // it only helps
    }
  };
  let timer = 0;
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = window.setTimeout(look, 300);
  });
  input.addEventListener('change', look);
}

// @ts-check
// Sending: the form goes to the REST API by XHR, for its upload progress.
// Filed: the tracking page. Refused: the reason in place, all typed kept.
// No answer at all (offline, a dropped connection), or one that says "not
// now" (the server or its proxy down, 5xx; 429): saved in the outbox on this
// phone (outbox.js), sent by itself later with the same key.

/** @param {FilingPage} page @param {PhotoList} [photos] */
export function enhanceSubmit(page, photos) {
  const { form, text, element, helpers } = page;
  const button = form.querySelector('button[type=submit]');
  if (!(button instanceof HTMLButtonElement)) return;
  let sending = false;
  /** @type {HTMLElement | undefined} */
  let progress;

  const stopSending = () => {
    sending = button.disabled = false;
    progress?.remove();
  };
  window.addEventListener('pageshow', (event) => event.persisted && stopSending()); // after Back

  const keyInput = form.querySelector('input[name=idempotency_key]');
  /** The outbox's database; null where IndexedDB is missing or refused. */
  const outboxDb = page
    .load('outbox')
    .then(async (outbox) => ({ outbox, db: await outbox.openOutbox() }))
    .catch((error) => {
      console.warn('filing: no outbox', error);
      return null;
    });
  // A page the worker kept (opened offline) carries the key of its first
  // opening: if that key was already used, this is a new form.
  outboxDb.then(async (opened) => {
    if (opened && keyInput instanceof HTMLInputElement && (await opened.outbox.knownKey(opened.db, keyInput.value)))
      keyInput.value = freshKey();
  });

  /** Saves what was about to be sent, says so, and clears the form for the
   *  next one. @param {FormData} body @param {string} key */
  const saveForLater = async (body, key) => {
    const opened = await outboxDb;
    if (!opened) return showError(text('OutboxNoStorage'));
    /** @type {[string, string][]} */
    const fields = [];
    /** @type {OutboxPhoto[]} */
    const pictures = [];
    for (const [name, value] of body)
      if (typeof value == 'string') fields.push([name, value]);
      else if (value.size) pictures.push({ name: value.name, blob: value });
    const category = page.field('category');
    const chosen = category instanceof HTMLSelectElement ? category.selectedOptions[0]?.textContent?.trim() : '';
    const description = String(body.get('description') || '').trim();
    const summary = [chosen, description.length > 60 ? description.slice(0, 60) + '…' : description].filter(Boolean).join(' · ');
    try {
      await opened.outbox.save(opened.db, opened.outbox.newItem({ key, lang: page.lang, fields, photos: pictures, summary }, Date.now()));
    } catch (error) {
      console.warn('filing: not saved', error);
      return showError(text('OutboxNoStorage'));
    }
    stopSending();
    document.getElementById('report-error')?.remove();
    form.reset();
    if (keyInput instanceof HTMLInputElement) keyInput.value = freshKey();
    await clearPhotos();
    let saved = document.getElementById('report-saved');
    if (!saved) form.before((saved = element('p', { id: 'report-saved', class: 'notice', role: 'status', tabindex: -1 })));
    saved.textContent = text('OutboxSaved');
    saved.focus();
    window.dispatchEvent(new CustomEvent('pasokh:outbox'));
    // Ask that the saved request survive storage pressure (Firefox asks the
    // citizen; Chromium decides by itself; Safari keeps an installed app's).
    navigator.storage?.persist?.().catch(() => undefined);
  };
  const clearPhotos = () => photos?.clear().catch((error) => console.warn('photos: not cleared', error));

  /** @param {string} message @param {string | null} [fieldId] to focus, else the message */
  const showError = (message, fieldId) => {
    stopSending();
    let line = document.getElementById('report-error');
    if (!line) form.before((line = element('p', { id: 'report-error', class: 'form-error', role: 'alert' })));
    line.hidden = false;
    line.textContent = message;
    line.tabIndex = -1;
    ((fieldId && page.field(fieldId)) || line).focus();
  };

  /** @param {XMLHttpRequest} request @param {FormData} sent @param {string} key */
  const readAnswer = async (request, sent, key) => {
    let body;
    try {
      body = JSON.parse(request.responseText);
    } catch (error) {
      console.warn('filing: not JSON', request.status, error); // a proxy's page
    }
    const outcome = helpers.filingOutcome(request.status, body);
    if (outcome.trackingCode) return location.assign(`/track/${outcome.trackingCode}?filed=1`);
    if ((await outboxDb)?.outbox.retried(request.status)) {
      console.warn('filing: answered', request.status, 'saved for later');
      return saveForLater(sent, key);
    }
    if (!outcome.message) console.warn('filing: no message', request.status, body);
    showError(outcome.message || text('UploadFailed'), outcome.fieldId);
  };

  const send = async () => {
    const label = element('span', {}, text('Uploading', 0));
    const bar = element('progress', { max: 100, value: 0 });
    progress = element('div', { class: 'upload', role: 'status' }, element('label', {}, label, bar));
    sending = button.disabled = true;
    button.before(progress);
    const body = new FormData(form);
    // One key per form, kept on failure: a retry after a lost answer files once.
    const key = body.get('idempotency_key');
    if (typeof key != 'string' || !key) throw new Error('no idempotency_key');
    document.getElementById('report-saved')?.remove();
    // Remembered before it leaves: a kept copy of this page never reuses it.
    outboxDb.then((opened) => opened?.outbox.rememberKey(opened.db, key, Date.now())).catch(() => undefined);
    body.append('channel', 'web');
    const resized = await photos?.ready();
    if (resized) {
      body.delete('photo');
      for (const file of resized) body.append('photo', file, file.name);
    }
    const request = new XMLHttpRequest();
    request.open('POST', '/api/v1/complaints');
    request.setRequestHeader('Idempotency-Key', key);
    request.setRequestHeader('Accept-Language', page.lang);
    request.timeout = 180e3;
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) label.textContent = text('Uploading', (bar.value = helpers.percentOf(event.loaded, event.total)));
    };
    request.onload = () => readAnswer(request, body, key);
    request.onerror = request.ontimeout = (event) => {
      console.warn('filing: no answer, saved for later', event.type);
      saveForLater(body, key);
    };
    request.send(body);
  };

  /** 128 random bits in hex, as the server makes them. */
  const freshKey = () => Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');

  form.addEventListener('submit', (event) => {
    if (sending) return event.preventDefault();
    if (event.defaultPrevented || !form.checkValidity()) return;
    event.preventDefault();
    send().catch((error) => {
      console.warn('filing: the browser sends it', error);
      stopSending();
      HTMLFormElement.prototype.submit.call(form);
    });
  });
}

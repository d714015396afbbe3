// @ts-check
// Sending: the form goes to the REST API by XHR, for its upload progress.
// Filed: the tracking page. Refused: the reason in place, all typed kept.

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

  /** @param {XMLHttpRequest} request */
  const readAnswer = (request) => {
    let body;
    try {
      body = JSON.parse(request.responseText);
    } catch (error) {
      console.warn('filing: not JSON', request.status, error); // a proxy's page
    }
    const outcome = helpers.filingOutcome(request.status, body);
    if (outcome.trackingCode) return location.assign(`/track/${outcome.trackingCode}?filed=1`);
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
    request.onload = () => readAnswer(request);
    request.onerror = request.ontimeout = (event) => {
      console.warn('filing: no answer', event.type);
      showError(text('UploadFailed'));
    };
    request.send(body);
  };

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

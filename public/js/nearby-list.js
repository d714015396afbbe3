// @ts-check
// The nearby complaints, each with "me too" (counted once per signed-in person).

/** @param {FilingPage} page @param {NearbyAnswer} answer @returns {HTMLElement | undefined} none when empty */
export function nearbyList(page, { items, radius_m }) {
  const { text, element } = page;
  /** @param {NearbyAnswer['items'][number]} complaint @param {number} index */
  const row = (complaint, index) => {
    const code = encodeURIComponent(complaint.tracking_code);
    const whatId = 'nearby-' + index;
    const outcome = element('span', { class: 'nearby-out', role: 'status' });
    /** @returns {Promise<void>} */
    const support = async () => {
      supportButton.disabled = true;
      try {
        const response = await fetch(`/api/v1/complaints/${code}/support`, { method: 'POST', headers: { 'Accept-Language': page.lang } });
        // Anonymous: sign in first, and land on that complaint to support it there.
        if (response.status == 401)
          return supportButton.replaceWith(element('a', { href: `/signin?next=/track/${code}`, class: 'button' }, text('NearbySignin')));
        if (!response.ok) throw new Error('' + response.status);
        const { support_count: count, counted } = await response.json();
        outcome.textContent = `${text(counted ? 'NearbySupported' : 'NearbyAlready')} (${page.digits(count)})`;
      } catch (error) {
        console.warn('nearby: me too failed', error);
        supportButton.disabled = false;
        outcome.textContent = text('NearbyFailed');
      }
    };
    /** @type {HTMLButtonElement} */
    const supportButton = element('button', { type: 'button', class: 'button', 'aria-describedby': whatId, onclick: support }, text('NearbySupport'));
    return element(
      'li',
      { 'data-code': complaint.tracking_code },
      element('span', { class: 'nearby-what', id: whatId }, complaint.category),
      element('span', { class: 'hint' }, text('NearbyDistance', Math.round(complaint.distance_m))),
      element(
        'span',
        { class: 'nearby-actions' },
        element('a', { href: '/track/' + code, 'aria-describedby': whatId }, text('NearbyView')),
        supportButton,
      ),
      outcome,
    );
  };
  if (items.length)
    return element(
      'section',
      { class: 'nearby', 'aria-labelledby': 'nearby-title' },
      element('h2', { id: 'nearby-title' }, text('NearbyTitle')),
      element('p', {}, text('NearbyLead', radius_m)),
      element('ul', {}, ...items.map(row)),
    );
}

// @ts-check
// "Already reported nearby?": looks up open complaints of the category around
// the point; nearby-list.js (fetched with the first answer) shows them.

/** @param {FilingPage} page */
export function enhanceNearby(page) {
  const { form } = page;
  const slot = page.field('nearby-slot');
  const category = form.querySelector('#category');
  if (!slot || !(category instanceof HTMLSelectElement)) return;
  let timer = 0;
  let lastQuery = '';

  const look = async () => {
    const point = page.point();
    const query = point && category.value ? String(new URLSearchParams({ category: category.value, lat: '' + point.lat, lon: '' + point.lon })) : '';
    if (query == lastQuery) return;
    lastQuery = query;
    let list;
    try {
      if (query) {
        const [answer, { nearbyList }] = await Promise.all([page.getJson('/api/v1/complaints/nearby?' + query), page.load('nearby-list')]);
        list = nearbyList(page, /** @type {NearbyAnswer} */ (answer));
      }
    } catch (error) {
      console.warn('nearby: no list', error); // it only helps
    }
    if (query != lastQuery) return; // a newer look is under way
    slot.replaceChildren();
    if (list) slot.append(list);
  };

  const lookSoon = () => {
    clearTimeout(timer);
    timer = window.setTimeout(look, 400); // once the typing settles
  };
  for (const trigger of [category, page.input('lat'), page.input('lon')]) trigger?.addEventListener('change', lookSoon);
  form.addEventListener('pasokh:located', lookSoon);
  lookSoon();
}

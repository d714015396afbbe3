// @ts-check
// Pasokh: the filing form's enhancements; the plain form works without them.
// Parts are imported with this module's ?v= so a deploy never mixes versions.

const version = new URL(import.meta.url).search;

/** @type {ModuleLoader} */
const load = (name) => import(`./${name}.js${version}`);

/** @type {ElementBuilder} */
const element = (tag, attributes = {}, ...children) => {
  const created = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes))
    if (typeof value == 'function') created.addEventListener(name.slice(2), value);
    else if (value != null) created.setAttribute(name, String(value));
  created.append(...children);
  return created;
};

/** @param {HTMLFormElement} form @param {Helpers} helpers @returns {FilingPage} */
function filingPage(form, helpers) {
  /** @param {string} id */
  const field = (id) => {
    const found = form.querySelector('#' + id);
    return found instanceof HTMLElement ? found : null;
  };
  /** @param {string} id */
  const input = (id) => {
    const found = field(id);
    return found instanceof HTMLInputElement ? found : null;
  };
  // More strings than one element may carry: some are on #report-msgs, the
  // outbox's on #pwa-msgs (every page has those).
  const settings = { ...form.dataset, ...field('report-msgs')?.dataset, ...document.getElementById('pwa-msgs')?.dataset };
  const lang = settings.lang == 'en' ? 'en' : 'fa';
  return {
    form,
    settings,
    lang,
    text(key, arg) {
      const template = settings['msg' + key];
      if (template == null) throw new Error('no data-msg- for ' + key);
      return helpers.formatMessage(template, arg, lang);
    },
    digits: (value) => helpers.pageDigits(value, lang),
    field,
    input,
    point() {
      const [lat, lon] = [input('lat'), input('lon')];
      return lat && lon ? helpers.parsePoint(lat.value, lon.value) : null;
    },
    async getJson(path) {
      const response = await fetch(path, { headers: { 'Accept-Language': lang } });
      if (!response.ok) throw new Error(`GET ${path}: ${response.status}`);
      return response.json();
    },
    element,
    helpers,
    load,
  };
}

/** Each part on its own: one that fails (or lacks its strings) leaves the
 *  others working. @param {HTMLFormElement} form */
export async function enhance(form) {
  // All downloads start now; the parts run in order as they arrive.
  const helpers = load('helpers');
  const parts = { map: load('map'), photos: load('photos'), submit: load('submit'), nearby: load('nearby'), search: load('search') };
  const page = filingPage(form, (await helpers).helpers);
  /** @template T @param {string} name @param {string} stringKey @param {() => Promise<T>} start */
  const run = async (name, stringKey, start) => {
    try {
      page.text(stringKey); // throws when the page lacks the part's strings
      return await start();
    } catch (error) {
      console.warn(`report.js: ${name} is off`, error);
    }
  };
  await run('map', 'MapOpen', async () => (await parts.map).enhanceMap(page));
  const photos = await run('photos', 'PhotoFailed', async () => (await parts.photos).enhancePhotos(page));
  await run('submit', 'UploadFailed', async () => (await parts.submit).enhanceSubmit(page, photos));
  await run('nearby', 'NearbyTitle', async () => (await parts.nearby).enhanceNearby(page));
  await run('search', 'SearchPlaceholder', async () => (await parts.search).enhanceSearch(page));
}

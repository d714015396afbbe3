// @ts-check
// The map's button; the map (map-picker.js, Leaflet) is fetched when opened.

/** @param {FilingPage} page */
export function enhanceMap(page) {
  const { form, settings, text, element } = page;
  const slot = page.field('map-slot');
  const [latInput, lonInput, accuracyInput] = ['lat', 'lon', 'accuracy_m'].map(page.input);
  const tileUrl = settings.tileUrl;
  if (!slot || !tileUrl || !latInput || !lonInput || !accuracyInput) return;
  const status = element('p', { class: 'map-status', role: 'status' });
  const openButton = element('button', { type: 'button', class: 'button map-open', onclick: () => show() }, text('MapOpen'));
  slot.append(openButton, status);
  /** @type {MapSlot} */
  const mapSlot = { status, openButton, latInput, lonInput, accuracyInput, tileUrl };
  /** @type {Picker | undefined} */
  let picker;

  /** Opens the map, or moves its pin to a new fix. @param {Fix} [fix] */
  async function show(fix) {
    try {
      const [{ loadLeaflet, createPicker }, { geo }] = await Promise.all([page.load('map-picker'), page.load('geo')]);
      const leaflet = await loadLeaflet(element);
      if (!picker) picker = createPicker(page, leaflet, geo, mapSlot, fix);
      else if (fix) picker.moveToFix(fix);
    } catch (error) {
      console.warn('map: not opened', error); // the fields still work
    }
  }

  form.addEventListener('pasokh:located', (event) => {
    const fix = /** @type {CustomEvent<Fix | undefined>} */ (event).detail;
    if (fix && isFinite(fix.lat) && isFinite(fix.lon)) show(fix);
  });
  // Typed coordinates move the pin of an open map.
  form.addEventListener('change', ({ target }) => {
    const point = (target == latInput || target == lonInput) && picker && page.point();
    if (point) picker?.follow(point);
  });
}

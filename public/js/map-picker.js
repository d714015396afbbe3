// @ts-check
// The map, fetched with Leaflet when opened: a pin to tap or drag, the fix's
// accuracy circle, district outlines with a warning outside them, confirm.

/** @type {Promise<Leaflet.Module> | undefined} */
let leafletLoading;

/** Once; after a failed load, tried again. @param {ElementBuilder} element */
export const loadLeaflet = (element) =>
  (leafletLoading ||= new Promise((resolve, reject) => {
    document.head.append(element('link', { rel: 'stylesheet', href: '/leaflet/leaflet.css' }));
    const script = element('script', { src: '/leaflet/leaflet.js' });
    script.onload = () => (window.L ? resolve(window.L) : reject(new Error('no window.L')));
    script.onerror = () => {
      script.remove();
      leafletLoading = undefined;
      reject(new Error('leaflet.js did not load'));
    };
    document.head.append(script);
  }));

/** The map in place of its button: at the fix, else the typed point, else
 *  the city's centre.
 *  @param {FilingPage} page @param {Leaflet.Module} leaflet @param {GeoHelpers} geo
 *  @param {MapSlot} slot @param {Fix} [fix] */
export function createPicker(page, leaflet, geo, { status, openButton, latInput, lonInput, accuracyInput, tileUrl }, fix) {
  const { settings, text, element } = page;
  const start = fix || page.point();
  const accuracy = Number(fix ? fix.accuracy : page.helpers.toAsciiDigits(accuracyInput.value));
  const container = element('div', { class: 'map', dir: 'ltr', role: 'application', 'aria-label': text('MapHint') });
  const confirmButton = element('button', { type: 'button', class: 'button button-primary map-confirm' }, text('MapConfirm'));
  openButton.replaceWith(element('p', { class: 'hint' }, text('MapHint')), container, confirmButton);
  leaflet.Icon.Default.imagePath = '/leaflet/images/';
  const map = leaflet.map(container).setView(start ? [start.lat, start.lon] : geo.parseCenter(settings.center), start ? 16 : 13);
  leaflet.tileLayer(tileUrl, { attribution: geo.escapeHtml(settings.tileAttribution || ''), maxZoom: 19 }).addTo(map);
  const pin = leaflet.marker(map.getCenter(), { draggable: true, keyboard: false }).addTo(map);
  /** @type {Leaflet.Layer | undefined} */
  let accuracyCircle;
  /** Moved by hand since the fix: its accuracy no longer holds. */
  let movedByHand = false;
  /** @type {number[][][][] | undefined} */
  let districts;
  /** The status before any "outside" warning. */
  let statusText = '';

  const showStatus = (message = statusText) => {
    const { lat, lng } = pin.getLatLng();
    const outside = !geo.insideDistricts({ lat, lon: lng }, districts);
    statusText = message;
    status.textContent = [message, outside ? text('MapOutside') : ''].filter(Boolean).join(' ');
    status.classList.toggle('warn', outside);
  };
  /** @param {number} radius metres; none unless positive */
  const drawAccuracy = (radius) => {
    accuracyCircle?.remove();
    accuracyCircle =
      radius > 0 ? leaflet.circle(pin.getLatLng(), { radius, weight: 1, interactive: false, className: 'map-accuracy' }).addTo(map) : undefined;
  };
  /** @param {Leaflet.LatLng} at */
  const movePinByHand = (at) => {
    pin.setLatLng(at);
    movedByHand = true;
    drawAccuracy(0);
    showStatus('');
  };
  pin.on('dragend', () => movePinByHand(pin.getLatLng()));
  map.on('click', (event) => movePinByHand(event.latlng));
  confirmButton.addEventListener('click', () => {
    const { lat, lng } = pin.getLatLng();
    latInput.value = lat.toFixed(6);
    lonInput.value = lng.toFixed(6);
    if (movedByHand) accuracyInput.value = '';
    showStatus(text('MapConfirmed'));
    for (const input of [latInput, lonInput]) input.dispatchEvent(new Event('change', { bubbles: true }));
  });
  drawAccuracy(start ? accuracy : 0);
  container.scrollIntoView({ block: 'nearest' });
  if (!fix) container.focus({ preventScroll: true });

  page
    .getJson('/api/v1/districts')
    .then((answer) => {
      const polygons = /** @type {DistrictCollection} */ (answer).features.filter((feature) => feature.geometry.type == 'Polygon');
      districts = polygons.map((feature) => feature.geometry.coordinates);
      leaflet.geoJSON(polygons, { interactive: false, style: { color: '#0b6e4f', weight: 1.5, opacity: 0.6, fillOpacity: 0.04 } }).addTo(map);
      showStatus();
    })
    .catch((error) => console.warn('map: no districts, no "outside" warning', error));

  return {
    /** @param {Fix} fix */
    moveToFix(fix) {
      pin.setLatLng([fix.lat, fix.lon]);
      map.setView(pin.getLatLng(), Math.max(map.getZoom(), 16));
      movedByHand = false;
      drawAccuracy(Number(fix.accuracy));
      showStatus('');
    },
    /** @param {Point} point typed in the fields */
    follow(point) {
      if (!pin.getLatLng().equals([point.lat, point.lon], 1e-6)) map.panTo(pin.setLatLng([point.lat, point.lon]).getLatLng());
    },
  };
}

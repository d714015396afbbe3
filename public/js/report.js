// Pasokh: the filing form's enhancements; the plain form works without them.

// Element with attributes (`on…` are listeners) and children.
const h = (tag, attrs, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {}))
    k.startsWith('on') ? e.addEventListener(k.slice(2), v) : v != null && e.setAttribute(k, v);
  e.append(...kids);
  return e;
};
// Persian/Arabic digits and decimal point to ASCII.
const ascii = (s) => s.trim().replace(/[۰-۹٠-٩]/g, (d) => d.charCodeAt(0) & 15).replace('٫', '.');
// For search: Arabic letters as Persian, no ZWNJ or spaces, lower case.
const fold = (s) =>
  s.toLowerCase().replace(/[يى]/g, 'ی').replace(/ك/g, 'ک').replace(/[أإآ]/g, 'ا').replace(/[\s\u200c]/g, '');
const on = (el, type, f) => el?.addEventListener(type, f);

export function enhance(form) {
  // Settings on the form, strings also on #report-msgs.
  const d = { ...form.dataset, ...form.querySelector('#report-msgs')?.dataset };
  const lang = d.lang || 'fa';
  const num = (n) => (lang == 'fa' ? String(n).replace(/\d/g, (x) => '۰۱۲۳۴۵۶۷۸۹'[x]) : '' + n);
  // data-msg-* text; `{}` becomes `arg` in the page's digits.
  const msg = (key, arg) => {
    const t = d['msg' + key];
    if (t == null) throw 'no data-msg-' + key;
    return t.replace('{}', arg == null ? '' : num(arg));
  };
  const $ = (id) => form.querySelector('#' + id);
  const [latIn, lonIn, accIn, select] = ['lat', 'lon', 'accuracy_m', 'category'].map($);
  const get = (id) => fetch(id, { headers: { 'Accept-Language': lang } });
  // The point in the coordinate fields, or null.
  const point = () => {
    const [lat, lon] = [latIn, lonIn].map((i) => (/^-?\d{1,3}(\.\d+)?$/.test(ascii(i.value)) ? +ascii(i.value) : NaN));
    return Math.abs(lat) <= 90 && Math.abs(lon) <= 180 ? { lat, lon } : null;
  };

  // Each part on its own (one failing spares the rest), if it has its strings.
  for (const [part, key] of [
    [map, 'MapOpen'],
    [photos, 'UploadFailed'],
    [nearby, 'NearbyTitle'],
    [search, 'SearchPlaceholder'],
  ])
    try {
      msg(key);
      part();
    } catch (e) {
      console.warn(e);
    }

  // 1. Map; Leaflet is loaded only when needed.
  function map() {
    const slot = $('map-slot');
    if (!slot || !d.tileUrl) return;
    const status = h('p', { class: 'map-status', role: 'status' });
    const open = h('button', { type: 'button', class: 'button map-open', onclick: () => show().catch(() => {}) }, msg('MapOpen'));
    slot.append(open, status);
    let L, m, pin, ring, moved, zones, loading, base;
    const leaflet = () =>
      (loading ||= new Promise((ok, no) => {
        document.head.append(h('link', { rel: 'stylesheet', href: '/leaflet/leaflet.css' }));
        const s = h('script', { src: '/leaflet/leaflet.js' });
        s.onload = () => ok(window.L);
        s.onerror = () => no((loading = s.remove()));
        document.head.append(s);
      }));
    // Inside some district (or not known yet).
    const inside = ({ lat, lng }) =>
      !zones ||
      zones.some(([r]) => {
        let c = false;
        for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
          const [[xi, yi], [xj, yj]] = [r[i], r[j]];
          if (yi > lat != yj > lat && lng < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) c = !c;
        }
        return c;
      });
    // Status: `text` (kept), and a warning when outside.
    const warn = (text = base) => {
      const out = !inside(pin.getLatLng());
      base = text;
      status.textContent = [text, out && msg('MapOutside')].filter(Boolean).join(' ');
      status.classList.toggle('warn', out);
    };
    const circle = (r) => {
      ring?.remove();
      ring = r > 0 ? L.circle(pin.getLatLng(), { radius: r, weight: 1, interactive: false, className: 'map-accuracy' }).addTo(m) : null;
    };
    const move = (at) => {
      pin.setLatLng(at);
      moved = true;
      circle(0);
      warn('');
    };

    // Opens the map at `at` (a located fix) or the fields' point.
    async function show(at) {
      L = await leaflet();
      const p = at || point();
      const acc = at ? at.accuracy : +ascii(accIn.value);
      if (m) {
        if (!at) return;
        pin.setLatLng([p.lat, p.lon]);
        m.setView(pin.getLatLng(), Math.max(m.getZoom(), 16));
        moved = false;
        circle(acc);
        return warn('');
      }
      const c = (d.center || '0,0').split(',').map(Number);
      const box = h('div', { class: 'map', dir: 'ltr', role: 'application', 'aria-label': msg('MapHint') });
      const ok = h('button', { type: 'button', class: 'button button-primary map-confirm', onclick: confirm }, msg('MapConfirm'));
      open.replaceWith(h('p', { class: 'hint' }, msg('MapHint')), box, ok);
      L.Icon.Default.imagePath = '/leaflet/images/';
      m = L.map(box).setView(p ? [p.lat, p.lon] : c, p ? 16 : 13);
      const attribution = (d.tileAttribution || '').replace(/[&<>"]/g, (x) => `&#${x.charCodeAt(0)};`);
      L.tileLayer(d.tileUrl, { attribution, maxZoom: 19 }).addTo(m);
      pin = L.marker(m.getCenter(), { draggable: true, keyboard: false }).addTo(m);
      pin.on('dragend', () => move(pin.getLatLng()));
      m.on('click', (e) => move(e.latlng));
      moved = false;
      circle(p && acc);
      box.scrollIntoView({ block: 'nearest' });
      at || box.focus({ preventScroll: true });
      get('/api/v1/districts')
        .then((r) => r.json())
        .then(({ features }) => {
          const polys = features.filter((f) => f.geometry.type == 'Polygon');
          zones = polys.map((f) => f.geometry.coordinates);
          L.geoJSON(polys, { interactive: false, style: { color: '#0b6e4f', weight: 1.5, opacity: 0.6, fillOpacity: 0.04 } }).addTo(m);
          warn();
        })
        .catch(() => {});
    }

    function confirm() {
      const { lat, lng } = pin.getLatLng();
      latIn.value = lat.toFixed(6);
      lonIn.value = lng.toFixed(6);
      if (moved) accIn.value = '';
      warn(msg('MapConfirmed'));
      for (const i of [latIn, lonIn]) i.dispatchEvent(new Event('change', { bubbles: true }));
    }

    on(form, 'pasokh:located', ({ detail: x }) => isFinite(x?.lat) && isFinite(x.lon) && show(x).catch(() => {}));
    // Typed coordinates move the pin of an open map.
    on(form, 'change', ({ target: t }) => {
      const p = (t == latIn || t == lonIn) && m && point();
      if (p && !pin.getLatLng().equals([p.lat, p.lon], 1e-6)) m.panTo(pin.setLatLng([p.lat, p.lon]).getLatLng());
    });
  }

  // 2. Photos; 3. sending with progress.
  function photos() {
    const input = $('photo');
    const button = form.querySelector('button[type=submit]');
    const max = +d.maxPhotos || 5;
    const kept = [];
    let pending = Promise.resolve();
    const list = h('ul', { class: 'photo-list' });
    const note = h('p', { class: 'photo-note', role: 'status' });
    $('photo-previews')?.append(list, note);
    // The input holds the small files: even a plain submit sends them.
    const sync = () => {
      try {
        const dt = new DataTransfer();
        for (const k of kept) dt.items.add(k.file);
        input.files = dt.files;
      } catch {}
    };
    const draw = () =>
      list.replaceChildren(
        ...kept.map((k, i) => {
          const remove = () => {
            URL.revokeObjectURL(k.url);
            kept.splice(kept.indexOf(k), 1);
            sync();
            draw();
            note.textContent = '';
            (list.querySelector('button') || input).focus();
          };
          const label = msg('PhotoRemove');
          const img = h('img', { src: k.url, alt: '', width: 88, height: 88 });
          return h('li', {}, img, h('button', { type: 'button', class: 'button photo-remove', 'aria-label': label + ' ' + num(i + 1), onclick: remove }, label));
        }),
      );
    const add = async (files) => {
      const notes = new Set();
      for (const f of files) {
        if (kept.length >= max) {
          notes.add(msg('PhotoTooMany', max));
          continue;
        }
        try {
          const file = await shrink(f);
          kept.push({ file, url: URL.createObjectURL(file) });
          draw();
        } catch {
          notes.add(msg('PhotoFailed'));
        }
      }
      sync();
      note.textContent = [...notes].join(' ');
    };
    on(input, 'change', () => {
      const picked = [...input.files];
      pending = pending.then(() => add(picked));
    });
    // The camera button's shots join the same list (resized, counted), and
    // its own input is emptied so they are not sent twice.
    const camera = $('photo-camera');
    on(camera, 'change', () => {
      const shot = [...camera.files];
      camera.value = '';
      pending = pending.then(() => add(shot));
    });
    if (input?.files.length) input.dispatchEvent(new Event('change')); // picked before we woke

    let sending, wrap;
    const reset = () => {
      sending = button.disabled = false;
      wrap?.remove();
    };
    on(window, 'pageshow', (e) => e.persisted && reset()); // after Back
    on(form, 'submit', async (e) => {
      if (sending) return e.preventDefault();
      if (!button || e.defaultPrevented || !form.checkValidity()) return;
      e.preventDefault();
      const fail = (why) => {
        reset();
        let p = document.getElementById('report-error');
        if (!p) form.before((p = h('p', { id: 'report-error', class: 'form-error', role: 'alert' })));
        p.hidden = false;
        p.textContent = why || msg('UploadFailed');
        p.tabIndex = -1;
        p.focus();
      };
      try {
        const bar = h('progress', { max: 100, value: 0 });
        const text = h('span', {}, msg('Uploading', 0));
        wrap = h('div', { class: 'upload', role: 'status' }, h('label', {}, text, bar));
        sending = button.disabled = true;
        button.before(wrap);
        await pending;
        const data = new FormData(form);
        if (kept.length) {
          data.delete('photo');
          for (const k of kept) data.append('photo', k.file, k.file.name);
        }
        const x = new XMLHttpRequest();
        x.open('POST', form.action);
        x.timeout = 180e3;
        x.upload.onprogress = (p) => {
          if (p.lengthComputable) text.textContent = msg('Uploading', (bar.value = Math.round((100 * p.loaded) / p.total)));
        };
        // Filed: 303 to the tracking page. Refused: the page says why.
        x.onload = () =>
          /\/track\//.test(x.responseURL)
            ? location.assign(x.responseURL)
            : fail(new DOMParser().parseFromString(x.responseText, 'text/html').getElementById('report-error')?.textContent.trim());
        x.onerror = x.ontimeout = () => fail();
        x.send(data);
      } catch {
        reset(); // and the browser sends it
        HTMLFormElement.prototype.submit.call(form);
      }
    });
  }

  // 4. Already reported nearby?
  function nearby() {
    const slot = $('nearby-slot');
    if (!slot || !select) return;
    let timer;
    let asked = '';
    const look = async () => {
      const p = point();
      const q = p && select.value ? '' + new URLSearchParams({ category: select.value, lat: p.lat, lon: p.lon }) : '';
      if (q == asked) return;
      asked = q;
      let res = {};
      try {
        if (q) res = await (await get('/api/v1/complaints/nearby?' + q)).json();
      } catch {}
      if (q != asked) return;
      const items = res.items || [];
      slot.replaceChildren();
      if (items.length)
        slot.append(
          h('section', { class: 'nearby', 'aria-labelledby': 'nearby-title' }, h('h2', { id: 'nearby-title' }, msg('NearbyTitle')),
            h('p', {}, msg('NearbyLead', res.radius_m)), h('ul', {}, ...items.map(row))),
        );
    };
    const row = (it, i) => {
      const code = encodeURIComponent(it.tracking_code);
      const id = 'nearby-' + i;
      const out = h('span', { class: 'nearby-out', role: 'status' });
      const support = async () => {
        me.disabled = true;
        try {
          const r = await fetch(`/api/v1/complaints/${code}/support`, { method: 'POST', headers: { 'Accept-Language': lang } });
          // Support counts once per person: anonymous filers sign in first,
          // and land on that complaint to add it there.
          if (r.status == 401) return me.replaceWith(h('a', { href: `/signin?next=/track/${code}`, class: 'button' }, msg('NearbySignin')));
          if (!r.ok) throw r;
          const { support_count, counted } = await r.json();
          out.textContent = `${msg(counted ? 'NearbySupported' : 'NearbyAlready')} (${num(support_count)})`;
        } catch {
          me.disabled = false;
          out.textContent = msg('NearbyFailed');
        }
      };
      const me = h('button', { type: 'button', class: 'button', 'aria-describedby': id, onclick: support }, msg('NearbySupport'));
      const view = h('a', { href: '/track/' + code, 'aria-describedby': id }, msg('NearbyView'));
      return h(
        'li',
        { 'data-code': it.tracking_code },
        h('span', { class: 'nearby-what', id }, it.category),
        h('span', { class: 'hint' }, msg('NearbyDistance', Math.round(it.distance_m))),
        h('span', { class: 'nearby-actions' }, view, me),
        out,
      );
    };
    const soon = () => {
      clearTimeout(timer);
      timer = setTimeout(look, 400);
    };
    for (const el of [select, latIn, lonIn]) on(el, 'change', soon);
    on(form, 'pasokh:located', soon);
    soon();
  }

  // 5. Category search above the native select.
  function search() {
    const icons = {
      'waste-collection': '🗑️', 'construction-debris': '🧱', 'illegal-dumping': '🚯', 'alley-cleaning': '🧹',
      'ditch-dredging': '🚰', 'street-flooding': '🌊', 'grit-salt': '🧂', 'snow-removal': '❄️',
      'dead-animal': '🐾', 'stray-dogs': '🐕', 'tree-pruning': '✂️', 'tree-falling': '🌲',
      'park-equipment': '🎠', irrigation: '💧', 'asphalt-repair': '🕳️', 'sidewalk-repair': '🚶',
      'open-manhole': '⚠️', 'street-lighting': '💡', 'traffic-light': '🚦', 'traffic-sign': '🚸',
      'bus-stop': '🚏', 'bus-service': '🚌', 'taxi-fare': '🚕', 'unauthorized-construction': '🏗️',
      'building-hazard': '🏚️', 'street-vendors': '🛒', noise: '🔊', graffiti: '🎨', 'homeless-outreach': '🤝',
      other: '📍',
    };
    // Else the group's first known icon.
    const icon = (o) =>
      icons[o.value] || icons[[...o.parentElement.children].find((s) => icons[s.value])?.value] || '📍';
    const list = h('ul', { id: 'category-list', class: 'cat-list' });
    const none = h('p', { class: 'hint', role: 'status' });
    const items = [...select.options]
      .filter((o) => o.value)
      .map((o) => {
        const group = o.parentElement.label || '';
        const b = h('button', { type: 'button', class: 'cat', onclick: () => pick(o.value) }, h('span', { class: 'cat-icon', 'aria-hidden': true }, icon(o)),
          h('span', { class: 'cat-name' }, o.text), h('span', { class: 'cat-group' }, group));
        const li = h('li', {}, b);
        list.append(li);
        return { li, b, v: o.value, key: fold(o.text + '|' + group) };
      });
    const hint = msg('SearchPlaceholder');
    const box = h('input', {
      type: 'search', id: 'category-search', class: 'cat-search', placeholder: hint, 'aria-label': hint,
      'aria-controls': 'category-list', enterkeyhint: 'search',
      oninput: () => {
        const q = fold(box.value);
        const shown = items.filter((i) => !(i.li.hidden = !i.key.includes(q)));
        none.textContent = shown.length ? '' : msg('SearchNone');
      },
      // Enter goes to the first match, not sending the form.
      onkeydown: (e) => e.key == 'Enter' && (e.preventDefault(), items.find((i) => !i.li.hidden)?.b.focus()),
    });
    const mark = () => items.forEach((i) => i.b.setAttribute('aria-pressed', i.v == select.value));
    const pick = (v) => {
      select.value = v;
      select.dispatchEvent(new Event('change', { bubbles: true }));
    };
    on(select, 'change', mark);
    select.before(h('div', { class: 'cat-finder' }, box, list, none));
    mark();
  }
}

// The photo as an upright JPEG, longest edge at most 1600 px.
async function shrink(file) {
  let img;
  try {
    img = await createImageBitmap(file, { imageOrientation: 'from-image' });
  } catch {
    img = new Image();
    img.src = URL.createObjectURL(file);
    try {
      await img.decode();
    } finally {
      URL.revokeObjectURL(img.src);
    }
  }
  const { width: w, height: ht } = img;
  const s = Math.min(1, 1600 / Math.max(w, ht));
  const c = h('canvas', { width: Math.round(w * s), height: Math.round(ht * s) });
  const g = c.getContext('2d');
  g.fillStyle = '#fff'; // not black where transparent
  g.fillRect(0, 0, c.width, c.height);
  g.drawImage(img, 0, 0, c.width, c.height);
  img.close?.();
  const blob = await new Promise((ok, no) => c.toBlob((b) => (b ? ok(b) : no()), 'image/jpeg', 0.8));
  c.width = c.height = 0; // free the memory now
  return new File([blob], file.name.replace(/\.[^.]*$/, '') + '.jpg', { type: 'image/jpeg' });
}

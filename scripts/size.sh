#!/usr/bin/env bash
# Prints raw, gzip -9 and brotli (q 11) sizes of the release bundle and checks
# the citizen first-load budget (JS + wasm, brotli). Besides the wasm bundle in
# pkg/, the report page loads js/enhance.js, js/report.js and the modules
# report.js imports at once (they count) and js/report.css. Listed but not
# counted: what is fetched only on first use (the map with Leaflet when the
# citizen opens it, the photo list at the first pick, the nearby list with the
# first lookup). The installed app's scripts count too: js/pwa.js and
# js/outbox.js (loaded after the page on the report page) and the service
# worker sw.js (fetched at registration).
set -euo pipefail
dir=${1:-target/site/pkg}
budget=${PASOKH_BUDGET_BR:-102400}
node - "$dir" "$budget" <<'JS'
const fs = require('fs'), path = require('path'), zlib = require('zlib');
const [dir, budget] = [process.argv[2], Number(process.argv[3])];
const site = path.dirname(dir);
const files = fs.readdirSync(dir).filter(f => /\.(wasm|js|css)$/.test(f)).sort();
if (files.length === 0) { console.error(`no bundle files in ${dir}`); process.exit(1); }
// [path shown, file, counts towards the first load?]
const list = files.map(f => [f, path.join(dir, f), true]);
const firstLoad = ['enhance', 'report', 'helpers', 'map', 'photos', 'submit', 'nearby', 'search', 'pwa', 'outbox'].map((m) => `js/${m}.js`);
firstLoad.push('sw.js');
for (const f of [...firstLoad, 'js/report.css']) {
  const p = path.join(site, f);
  if (fs.existsSync(p)) list.push([f, p, true]);
  else console.error(`warning: ${p} is missing (not built yet?)`);
}
const onDemand = ['map-picker', 'geo', 'photo-list', 'nearby-list', 'push'].map((m) => `js/${m}.js`);
for (const f of [...onDemand, 'leaflet/leaflet.js', 'leaflet/leaflet.css']) {
  const p = path.join(site, f);
  if (fs.existsSync(p)) list.push([`${f} (loaded on demand)`, p, false]);
}
// The lobby kiosk's script and style load only on /kiosk pages.
for (const f of ['js/kiosk.js', 'js/kiosk.css']) {
  const p = path.join(site, f);
  if (fs.existsSync(p)) list.push([`${f} (kiosk only)`, p, false]);
}
let jsWasmBr = 0;
const row = (a, b, c, d) => console.log(a.padEnd(40) + String(b).padStart(10) + String(c).padStart(10) + String(d).padStart(10));
row('file', 'raw', 'gzip', 'brotli');
for (const [name, p, counts] of list) {
  const buf = fs.readFileSync(p);
  const gz = zlib.gzipSync(buf, { level: 9 }).length;
  const br = zlib.brotliCompressSync(buf, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  if (counts && /\.(wasm|js)$/.test(p)) jsWasmBr += br;
  row(name, buf.length, gz, br);
}
console.log(`JS + wasm first load, brotli: ${jsWasmBr} bytes (budget ${budget})`);
if (jsWasmBr > budget) { console.error('OVER BUDGET'); process.exit(1); }
JS

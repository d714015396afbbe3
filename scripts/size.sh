#!/usr/bin/env bash
# Prints raw, gzip -9 and brotli (q 11) sizes of the release bundle and checks
# the citizen first-load budget (JS + wasm, brotli).
set -euo pipefail
dir=${1:-target/site/pkg}
budget=${PASOKH_BUDGET_BR:-102400}
node - "$dir" "$budget" <<'JS'
const fs = require('fs'), path = require('path'), zlib = require('zlib');
const [dir, budget] = [process.argv[2], Number(process.argv[3])];
const files = fs.readdirSync(dir).filter(f => /\.(wasm|js|css)$/.test(f)).sort();
if (files.length === 0) { console.error(`no bundle files in ${dir}`); process.exit(1); }
let jsWasmBr = 0;
const row = (a, b, c, d) => console.log(a.padEnd(40) + String(b).padStart(10) + String(c).padStart(10) + String(d).padStart(10));
row('file', 'raw', 'gzip', 'brotli');
for (const f of files) {
  const buf = fs.readFileSync(path.join(dir, f));
  const gz = zlib.gzipSync(buf, { level: 9 }).length;
  const br = zlib.brotliCompressSync(buf, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  if (/\.(wasm|js)$/.test(f)) jsWasmBr += br;
  row(f, buf.length, gz, br);
}
console.log(`JS + wasm first load, brotli: ${jsWasmBr} bytes (budget ${budget})`);
if (jsWasmBr > budget) { console.error('OVER BUDGET'); process.exit(1); }
JS

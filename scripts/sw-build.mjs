// @ts-check
// Writes this build's service worker: node scripts/sw-build.mjs target/site
//
// Reads the built site (after `cargo leptos build`, which copied public/ in,
// sw.js included) and fills the template public/sw.js with:
//   BUILD   the version (a digest of everything below) and the files to
//           precache: /pkg's hashed bundle, /js/* with the ?v= the server
//           will put on them, the font, the icons the pages show;
//   OUTBOX  public/js/helpers.js and outbox.js inlined (a classic worker
//           cannot import ES modules everywhere yet).
// It rewrites site/sw.js and its .gz and .br (the server prefers those).
// First it strips the comments from site/js/*.js (the sources in public/js
// keep them), rewriting their .gz and .br, so phones download code only:
// the version and the precache list are then those of the files served.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';

const root = new URL('..', import.meta.url).pathname;
const site = process.argv[2];
if (!site || !existsSync(join(site, 'pkg'))) {
  console.error('usage: node scripts/sw-build.mjs <site root with pkg/>');
  process.exit(2);
}

/** Files (not directories) directly in `dir`, sorted by name's bytes.
 *  @param {string} dir */
const filesIn = (dir) =>
  existsSync(dir)
    ? readdirSync(dir)
        .filter((name) => statSync(join(dir, name)).isFile())
        .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
    : [];

/** The server's `?v=` for /js (server/src/startup.rs, asset_version): the
 *  first 10 hex digits of SHA-256 over each file of site/js, name then
 *  bytes, in name order. */
export function assetVersion(/** @type {string} */ siteRoot) {
  const hash = createHash('sha256');
  for (const name of filesIn(join(siteRoot, 'js'))) {
    hash.update(name);
    hash.update(readFileSync(join(siteRoot, 'js', name)));
  }
  return hash.digest('hex').slice(0, 10);
}

/** The code as shipped: without the comments (JSDoc blocks, whole-line
 *  `//` comments) and blank lines; the sources keep them. Neither pattern
 *  occurs inside a string or a template in public/js or public/sw.js, and
 *  every stripped module is parsed below, so a file this breaks stops the
 *  build rather than a phone.
 *  @param {string} text */
function stripComments(text) {
  return text
    .replace(/\/\*\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*\n/gm, '')
    .replace(/\n\s*\n/g, '\n');
}

/** Writes `text` to `path` with its .gz and .br beside it. @param {string} path @param {string} text */
function writeServed(path, text) {
  writeFileSync(path, text);
  writeFileSync(path + '.gz', gzipSync(text, { level: 9 }));
  writeFileSync(path + '.br', brotliCompressSync(text, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
}

const check = join(tmpdir(), `sw-build-check-${process.pid}.mjs`);
for (const name of filesIn(join(site, 'js')).filter((name) => name.endsWith('.js'))) {
  const path = join(site, 'js', name);
  const source = readFileSync(path, 'utf8');
  const stripped = stripComments(source);
  if (stripped == source) continue;
  writeFileSync(check, stripped);
  try {
    execFileSync(process.execPath, ['--check', check], { stdio: 'pipe' });
  } catch (error) {
    throw new Error(`sw-build: ${name} does not parse once stripped: ${/** @type {{ stderr?: Buffer }} */ (error).stderr}`);
  }
  writeServed(path, stripped);
}
rmSync(check, { force: true });

const v = '?v=' + assetVersion(site);
const precache = [
  ...filesIn(join(site, 'pkg'))
    .filter((name) => /\.(js|wasm|css)$/.test(name))
    .map((name) => `/pkg/${name}`),
  ...filesIn(join(site, 'js'))
    .filter((name) => /\.(js|css)$/.test(name))
    .map((name) => `/js/${name}${v}`),
  ...filesIn(join(site, 'fonts'))
    .filter((name) => name.endsWith('.woff2'))
    .map((name) => `/fonts/${name}`),
  '/manifest.webmanifest',
  '/icons/icon-192.png',
  '/icons/favicon-32.png',
];
for (const path of precache) {
  const file = join(site, path.replace(/\?.*$/, ''));
  if (!existsSync(file)) throw new Error(`sw-build: ${path} is not in ${site}`);
}

/** The modules' text as one classic script: `const OUTBOX = (() => {…;
 *  return { the exports }; })();`. They must not import anything.
 *  @param {string[]} paths */
function inline(paths) {
  const exported = [];
  const bodies = paths.map((path) => {
    const text = readFileSync(join(root, path), 'utf8');
    if (/^\s*import\s/m.test(text)) throw new Error(`sw-build: ${path} imports; the worker cannot`);
    for (const [, name] of text.matchAll(/^export (?:async )?(?:function|const|let|class) (\w+)/gm)) exported.push(name);
    return text.replace(/^export /gm, '');
  });
  return `const OUTBOX = (() => {\n${stripComments(bodies.join('\n'))}\nreturn { ${exported.join(', ')} };\n})();`;
}

const template = stripComments(readFileSync(join(root, 'public/sw.js'), 'utf8'));
/** @param {string} text @param {string} marker @param {string} line */
const fill = (text, marker, line) => {
  const pattern = new RegExp(`^.*// sw-build: ${marker}$`, 'm');
  if (!pattern.test(text)) throw new Error(`sw-build: no "// sw-build: ${marker}" line in public/sw.js`);
  return text.replace(pattern, () => line);
};
const outbox = inline(['public/js/helpers.js', 'public/js/outbox.js']);
const unversioned = fill(fill(template, 'OUTBOX', outbox), 'BUILD', 'const BUILD = { version: "", precache: [] };');
const digest = createHash('sha256').update(unversioned).update(JSON.stringify(precache));
for (const path of precache) digest.update(readFileSync(join(site, path.replace(/\?.*$/, ''))));
const version = digest.digest('hex').slice(0, 12);
const worker = fill(fill(template, 'OUTBOX', outbox), 'BUILD', `const BUILD = ${JSON.stringify({ version, precache })};`);

writeServed(join(site, 'sw.js'), worker);
console.log(`sw-build: ${join(site, 'sw.js')} version ${version}, ${precache.length} files precached`);

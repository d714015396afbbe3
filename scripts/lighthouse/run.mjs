#!/usr/bin/env node
// make lighthouse: Lighthouse (mobile, its default simulated slow 4G and 4×
// CPU slowdown) on every citizen and kiosk page of the release build, in
// Debian's Chromium, each page several times; prints the median of each
// figure and whether it meets the targets (performance ≥ 95, LCP ≤ 1.8 s,
// CLS ≤ 0.05). Not part of make test: scores vary from run to run.
//
//   node scripts/lighthouse/run.mjs [--runs 3] [--en] [--only /report] [--out DIR]
//
// It starts target/release/server on 127.0.0.1 with a fresh data directory
// (the demo city), files one complaint through /api/v1/complaints for a real
// tracking code, and kills the server and the browser at the end, also on
// failure or Ctrl-C. Nothing is downloaded: Chromium is /usr/bin/chromium
// (PASOKH_CHROMIUM overrides), and the map's tiles point at a closed port.
// The median run's full report of each page is kept as JSON in --out
// (default target/lighthouse) for the diagnostics.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import lighthouse from 'lighthouse';
import * as chromeLauncher from 'chrome-launcher';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SERVER = path.join(ROOT, 'target/release/server');
const CHROMIUM = process.env.PASOKH_CHROMIUM || '/usr/bin/chromium';
const TARGET = { score: 95, lcpMs: 1800, cls: 0.05 };
// The whole run ends by itself: 9 pages × 3 runs take about 4 minutes.
const DEADLINE_MS = 30 * 60_000;

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
if (args.includes('--help') || args.includes('-h')) {
  console.log('usage: node scripts/lighthouse/run.mjs [--runs N] [--en] [--only PATH[,PATH…]] [--out DIR]');
  process.exit(0);
}
const RUNS = Math.max(1, Number(option('--runs', process.env.PASOKH_LIGHTHOUSE_RUNS || '3')) || 3);
const ENGLISH = args.includes('--en') || process.env.PASOKH_LIGHTHOUSE_EN === '1';
const ONLY = option('--only', '')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const OUT = path.resolve(ROOT, option('--out', 'target/lighthouse'));

/** Everything started here, stopped by `cleanUp` however the run ends. */
const started = { server: null, chrome: null, dataDir: null };

function cleanUp() {
  if (started.chrome) {
    try {
      started.chrome.kill();
    } catch {
      // already gone
    }
    started.chrome = null;
  }
  if (started.server && started.server.exitCode === null && started.server.signalCode === null) {
    try {
      started.server.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  started.server = null;
  if (started.dataDir) {
    fs.rmSync(started.dataDir, { recursive: true, force: true });
    started.dataDir = null;
  }
}
process.on('exit', cleanUp);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'])
  process.on(signal, () => {
    console.error(`lighthouse: ${signal}, stopping`);
    cleanUp();
    process.exit(130);
  });
setTimeout(() => {
  console.error(`lighthouse: still running after ${DEADLINE_MS / 60_000} minutes, giving up`);
  cleanUp();
  process.exit(2);
}, DEADLINE_MS).unref();

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A port nobody listens on now. */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {net.AddressInfo} */ (probe.address());
      probe.close(() => resolve(port));
    });
  });
}

async function startServer() {
  for (const [file, hint] of [
    [SERVER, 'make build'],
    [path.join(ROOT, 'target/site/pkg'), 'make build'],
    [CHROMIUM, 'make browser'],
  ])
    if (!fs.existsSync(file)) throw new Error(`${file} is missing (${hint})`);
  const port = await freePort();
  started.dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pasokh-lighthouse-'));
  const env = {};
  // Ours only: none of the caller's PASOKH_* settings leak in.
  for (const [k, v] of Object.entries(process.env))
    if (!k.startsWith('PASOKH_') && k !== 'LEPTOS_SITE_ROOT' && k !== 'RUST_LOG') env[k] = v;
  Object.assign(env, {
    PASOKH_ADDR: `127.0.0.1:${port}`,
    PASOKH_DATA_DIR: started.dataDir,
    PASOKH_SITE_ROOT: path.join(ROOT, 'target/site'),
    PASOKH_DEMO: 'true',
    PASOKH_DEMO_STAFF_PASSWORD: 'lighthouse-staff-password',
    // Nothing listens there; no page here opens the map anyway.
    PASOKH_TILE_URL: 'http://127.0.0.1:9/tiles/{z}/{x}/{y}.png',
    PASOKH_LOG: 'warn',
  });
  const log = path.join(started.dataDir, 'server.log');
  const fd = fs.openSync(log, 'a');
  const server = spawn(SERVER, [], { cwd: ROOT, env, stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  started.server = server;
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    if (server.exitCode !== null || server.signalCode !== null)
      throw new Error(`the server exited (${server.exitCode ?? server.signalCode}):\n${tail(log)}`);
    try {
      const res = await fetch(`${base}/health`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return base;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`the server did not answer /health in 2 minutes:\n${tail(log)}`);
}

const tail = (file) => {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '(no log)';
  }
};

/** Files one complaint in the demo city, as the API's clients do. */
async function fileComplaint(base) {
  const form = new FormData();
  form.append('category', 'asphalt-repair');
  form.append('description', 'چاله بزرگ وسط خیابان، نزدیک ایستگاه اتوبوس');
  form.append('lat', '36.2575');
  form.append('lon', '49.974');
  form.append('accuracy_m', '8');
  form.append('address', 'میدان آزادی');
  const res = await fetch(`${base}/api/v1/complaints`, {
    method: 'POST',
    headers: { 'Idempotency-Key': `lighthouse-${Date.now()}` },
    body: form,
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`filing answered ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text).tracking_code;
}

const median = (values) => {
  const sorted = values.filter((v) => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
  if (!sorted.length) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const figures = (lhr) => ({
  score: (lhr.categories.performance?.score ?? NaN) * 100,
  a11y: (lhr.categories.accessibility?.score ?? NaN) * 100,
  fcp: lhr.audits['first-contentful-paint']?.numericValue,
  lcp: lhr.audits['largest-contentful-paint']?.numericValue,
  tbt: lhr.audits['total-blocking-time']?.numericValue,
  cls: lhr.audits['cumulative-layout-shift']?.numericValue,
});

/** What Lighthouse says about a page that misses a target, in a few lines. */
function diagnostics(lhr) {
  const lines = [];
  const items = (id) => lhr.audits[id]?.details?.items || [];
  const lcpElement = items('largest-contentful-paint-element')[0]?.items?.[0]?.node;
  if (lcpElement) lines.push(`LCP element: ${lcpElement.snippet?.slice(0, 140)}`);
  const phases = items('largest-contentful-paint-element')[1]?.items;
  if (phases) lines.push('LCP phases: ' + phases.map((p) => `${p.phase} ${Math.round(p.timing)} ms`).join(', '));
  for (const shift of items('layout-shifts').slice(0, 3))
    lines.push(`layout shift ${shift.score?.toFixed(3)}: ${shift.node?.snippet?.slice(0, 120) ?? '?'}` +
      (shift.subItems?.items?.length ? ` (cause: ${shift.subItems.items.map((c) => c.cause).join('; ')})` : ''));
  for (const id of ['render-blocking-resources', 'font-display', 'unused-javascript', 'bootup-time', 'mainthread-work-breakdown']) {
    const audit = lhr.audits[id];
    if (audit && audit.score !== null && audit.score < 0.9)
      lines.push(`${audit.title}${audit.displayValue ? ': ' + audit.displayValue : ''}`);
  }
  return lines;
}

async function main() {
  const t0 = Date.now();
  const version = JSON.parse(
    fs.readFileSync(new URL(import.meta.resolve('lighthouse/package.json')), 'utf8'),
  ).version;
  const base = await startServer();
  const code = await fileComplaint(base);
  let pages = [
    '/',
    '/report',
    `/track/${code}`,
    '/signin',
    '/offline',
    '/kiosk',
    '/kiosk/report',
    '/kiosk/track',
    `/kiosk/done/${code}`,
  ].map((p) => ({ path: p, lang: 'fa' }));
  if (ENGLISH) pages = pages.concat(pages.map((p) => ({ ...p, lang: 'en' })));
  if (ONLY.length) pages = pages.filter((p) => ONLY.some((o) => p.path === o || p.path.startsWith(o + '/')));

  // A fresh browser (and profile) for every run: each is a first visit, with
  // no IndexedDB or service worker left by the run before (Lighthouse
  // clears caches between runs but keeps IndexedDB, which the outbox uses).
  const launch = async () =>
    (started.chrome = await chromeLauncher.launch({
      chromePath: CHROMIUM,
      chromeFlags: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
      logLevel: 'silent',
    }));
  const close = () => {
    started.chrome?.kill();
    started.chrome = null;
  };
  const chrome = await launch();
  const browser = (await fetch(`http://127.0.0.1:${chrome.port}/json/version`).then((r) => r.json())).Browser;
  close();
  console.log(`Lighthouse ${version}, ${browser} (${CHROMIUM}), mobile, simulated throttling; ` +
    `${RUNS} runs a page, medians; server ${base}, tracking code ${code}`);

  fs.mkdirSync(OUT, { recursive: true });
  const rows = [];
  for (const page of pages) {
    const url = base + page.path;
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      const chrome = await launch();
      let result;
      try {
        result = await lighthouse(url, {
          port: chrome.port,
          output: 'json',
          logLevel: 'error',
          onlyCategories: ['performance', 'accessibility'],
          // English pages: the language cookie the language switch sets.
          extraHeaders: page.lang === 'en' ? { Cookie: 'pasokh_lang=en' } : undefined,
        });
      } finally {
        close();
      }
      const lhr = result?.lhr;
      if (!lhr) throw new Error(`${url}: Lighthouse returned nothing`);
      if (lhr.runtimeError) {
        console.error(`${page.path}: ${lhr.runtimeError.code}: ${lhr.runtimeError.message}`);
        continue;
      }
      for (const warning of lhr.runWarnings || []) console.error(`${page.path}: warning: ${warning}`);
      runs.push(lhr);
    }
    if (!runs.length) {
      rows.push({ page, failed: true });
      continue;
    }
    const all = runs.map(figures);
    const row = { page, runs: all.length };
    for (const key of ['score', 'a11y', 'fcp', 'lcp', 'tbt', 'cls']) row[key] = median(all.map((f) => f[key]));
    row.ok = row.score >= TARGET.score && row.lcp <= TARGET.lcpMs && row.cls <= TARGET.cls;
    // The run with the median score stands for the page (its report is kept).
    const representative = runs.slice().sort((a, b) => figures(a).score - figures(b).score)[Math.floor(runs.length / 2)];
    row.diagnostics = row.ok ? [] : diagnostics(representative);
    const name = (page.lang === 'en' ? 'en' : 'fa') + page.path.replace(/\//g, '_').replace(/_$/, '') + '.json';
    fs.writeFileSync(path.join(OUT, name), JSON.stringify(representative));
    rows.push(row);
    process.stderr.write(`  ${page.lang} ${page.path}: ${all.map((f) => Math.round(f.score)).join(' ')}\n`);
  }

  const label = (p) => (p.lang === 'en' ? `${p.path} (en)` : p.path);
  const width = Math.max(20, ...rows.map((r) => label(r.page).length)) + 2;
  const head = ['page'.padEnd(width), 'perf', 'FCP s', 'LCP s', 'TBT ms', 'CLS', 'a11y', ''].join('  ');
  console.log('\n' + head);
  console.log('-'.repeat(head.length + 6));
  for (const r of rows) {
    if (r.failed) {
      console.log(`${label(r.page).padEnd(width)}  no run finished                                FAIL`);
      continue;
    }
    const misses = [];
    if (!(r.score >= TARGET.score)) misses.push(`perf<${TARGET.score}`);
    if (!(r.lcp <= TARGET.lcpMs)) misses.push(`LCP>${TARGET.lcpMs / 1000}s`);
    if (!(r.cls <= TARGET.cls)) misses.push(`CLS>${TARGET.cls}`);
    console.log(
      [
        label(r.page).padEnd(width),
        String(Math.round(r.score)).padStart(4),
        (r.fcp / 1000).toFixed(2).padStart(5),
        (r.lcp / 1000).toFixed(2).padStart(5),
        String(Math.round(r.tbt)).padStart(6),
        r.cls.toFixed(3).padStart(5),
        String(Math.round(r.a11y)).padStart(4),
        r.ok ? 'pass' : `FAIL ${misses.join(' ')}`,
      ].join('  '),
    );
  }
  const failing = rows.filter((r) => !r.ok);
  for (const r of failing) {
    if (r.failed || !r.diagnostics.length) continue;
    console.log(`\n${label(r.page)}:`);
    for (const line of r.diagnostics) console.log(`  ${line}`);
  }
  console.log(
    `\ntargets: performance ≥ ${TARGET.score}, LCP ≤ ${TARGET.lcpMs / 1000} s, CLS ≤ ${TARGET.cls}; ` +
      `${rows.length - failing.length}/${rows.length} pages pass; reports in ${path.relative(ROOT, OUT)}; ` +
      `${Math.round((Date.now() - t0) / 1000)} s`,
  );
  return failing.length ? 1 : 0;
}

let status = 1;
try {
  status = await main();
} catch (error) {
  console.error(`lighthouse: ${error instanceof Error ? error.stack : error}`);
  status = 2;
} finally {
  cleanUp();
}
process.exit(status);

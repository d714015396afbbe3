// Child processes that never outlive the harness, free ports, bounded waits.
//
// Every child is recorded; on any exit of the harness (normal, failure,
// Ctrl-C, SIGTERM, an uncaught error) each one still running gets SIGKILL.
// A small detached watchdog shell covers the one case Node cannot: the
// harness itself killed with SIGKILL. It polls the harness once a second
// (for ten minutes at most), then kills whatever the pid file lists and
// runs the cleanup script the harness left (dropping its databases).
import { spawn, execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/** @type {Set<Child>} */
const running = new Set();
let pidFile = '';
let cleanupFile = '';

/** Shell lines the watchdog runs if the harness dies without cleaning up. */
export function setOrphanCleanup(lines) {
  if (!cleanupFile) return;
  try {
    fs.writeFileSync(cleanupFile, lines.join('\n') + '\n');
  } catch {
    // the run directory may already be gone at exit
  }
}

function writePidFile() {
  if (!pidFile) return;
  try {
    fs.writeFileSync(pidFile, [...running].map((c) => c.pid).join('\n'));
  } catch {
    // the run directory may already be gone at exit
  }
}

export function killAll() {
  for (const child of running) {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  running.clear();
  writePidFile();
}

/** Installs the exit hooks and the watchdog; `dir` holds the pid file. */
export function guardChildren(dir) {
  pidFile = path.join(dir, 'children.pids');
  cleanupFile = path.join(dir, 'orphan-cleanup.sh');
  writePidFile();
  setOrphanCleanup([]);
  process.on('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      console.error(`\nfailover: ${sig}, stopping every child`);
      killAll();
      process.exit(130);
    });
  }
  const script =
    `i=0; while [ $i -lt 600 ] && kill -0 ${process.pid} 2>/dev/null; do sleep 1; i=$((i+1)); done; ` +
    `[ -f '${pidFile}' ] && for p in $(cat '${pidFile}'); do kill -9 $p 2>/dev/null; done; ` +
    `[ -f '${cleanupFile}' ] && timeout 30 sh '${cleanupFile}' >/dev/null 2>&1; exit 0`;
  const dog = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' });
  dog.unref();
}

export class Child {
  /**
   * @param {string} name
   * @param {string} cmd
   * @param {string[]} args
   * @param {{env?: NodeJS.ProcessEnv, log: string, cwd?: string}} opts  env: the whole environment
   */
  constructor(name, cmd, args, opts) {
    this.name = name;
    this.log = opts.log;
    const fd = fs.openSync(opts.log, 'a');
    this.proc = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env || process.env,
      stdio: ['ignore', fd, fd],
    });
    fs.closeSync(fd);
    this.pid = this.proc.pid;
    this.exitInfo = null;
    running.add(this);
    writePidFile();
    this.exited = new Promise((resolve) => {
      this.proc.on('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        running.delete(this);
        writePidFile();
        resolve(this.exitInfo);
      });
      this.proc.on('error', (error) => {
        this.exitInfo = { code: null, signal: null, error: String(error) };
        running.delete(this);
        writePidFile();
        resolve(this.exitInfo);
      });
    });
  }

  get alive() {
    return this.exitInfo === null;
  }

  /** Sends `signal` and waits (at most `ms`) for the exit; SIGKILL after that. */
  async stop(signal = 'SIGTERM', ms = 15_000) {
    if (!this.alive) return this.exitInfo;
    try {
      this.proc.kill(signal);
    } catch {
      // gone meanwhile
    }
    const info = await Promise.race([this.exited, sleep(ms).then(() => null)]);
    if (info) return info;
    try {
      this.proc.kill('SIGKILL');
    } catch {
      // gone meanwhile
    }
    await this.exited;
    return { ...this.exitInfo, timedOut: true };
  }

  /** The last `n` lines of the log. */
  tail(n = 30) {
    try {
      const lines = fs.readFileSync(this.log, 'utf8').split('\n');
      return lines.slice(-n - 1).join('\n');
    } catch {
      return '';
    }
  }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const handedOut = new Set();
/** A port that was free a moment ago, never the same twice in one run. */
export async function freePort() {
  for (let i = 0; i < 50; i++) {
    const port = await new Promise((resolve, reject) => {
      const srv = net.createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const p = srv.address().port;
        srv.close(() => resolve(p));
      });
    });
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('no free port found');
}

/** Polls `check` every `every` ms until it returns a truthy value, for at most `ms`. */
export async function waitFor(what, check, { ms = 30_000, every = 100 } = {}) {
  const until = Date.now() + ms;
  let last;
  while (Date.now() < until) {
    try {
      last = await check();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await sleep(every);
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}${last instanceof Error ? ` (${last.message})` : ''}`);
}

/** The status of GET `url`, or 0 when it cannot connect. */
export async function statusOf(url, ms = 2000) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(ms) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

/** Runs a program to its end (bounded), returning stdout; rejects on a non-zero exit. */
export function run(cmd, args, { ms = 30_000, env } = {}) {
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      args,
      { timeout: ms, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, ...(env || {}) } },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${cmd} ${args.slice(0, 3).join(' ')}…: ${error.message}\n${stderr}`));
        else resolve(stdout);
      },
    );
  });
}

/**
 * The process (among `pids`) owning the local TCP socket on 127.0.0.1:`port`
 * (Linux /proc), or 0.
 */
export function ownerOfLocalPort(port, pids) {
  const inodes = new Set();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = fs.readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10) continue;
      const local = cols[1].split(':');
      if (parseInt(local[1], 16) === port) inodes.add(cols[9]);
    }
  }
  for (const pid of pids) {
    let fds = [];
    try {
      fds = fs.readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const m = fs.readlinkSync(`/proc/${pid}/fd/${fd}`).match(/^socket:\[(\d+)\]$/);
        if (m && inodes.has(m[1])) return pid;
      } catch {
        // closed meanwhile
      }
    }
  }
  return 0;
}

// Read-only looks into a node's database with the databases' own command
// line clients (sqlite3, psql): the harness checks what was committed, not
// what the server says was committed.
import { run } from './proc.mjs';

/** Rows of `sql` (tab-separated columns; values must not contain tabs or newlines). */
function parse(out) {
  return out
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => l.split('\t'));
}

export class Db {
  /** @param {{kind: 'sqlite', file: string} | {kind: 'postgres', url: string}} target */
  constructor(target) {
    this.target = target;
  }

  async query(sql) {
    if (this.target.kind === 'sqlite') {
      const out = await run('sqlite3', [
        '-batch',
        '-noheader',
        '-cmd',
        '.timeout 10000',
        '-separator',
        '\t',
        this.target.file,
        sql,
      ]);
      return parse(out);
    }
    const out = await run('psql', [this.target.url, '-X', '-q', '-At', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-c', sql]);
    return parse(out);
  }
}

/** Creates database `name` on the PostgreSQL server of `adminUrl`; returns its URL. */
export async function createPgDatabase(adminUrl, name) {
  await run('psql', [adminUrl, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]);
  await run('psql', [adminUrl, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', `CREATE DATABASE ${name}`]);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropPgDatabase(adminUrl, name) {
  await run('psql', [adminUrl, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]);
}

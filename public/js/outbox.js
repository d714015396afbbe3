// @ts-check
// The offline outbox: a complaint that could not be sent (no network, no
// answer, the server down) waits in IndexedDB on this phone, photos and all,
// and is sent by itself later (pages: at start and on `online`; the service
// worker: on Background Sync). Every retry carries the form's
// Idempotency-Key, so the server files it once however often it arrives.
// The tracking page's answers (a rating, "not fixed", "me too") wait here
// too, put in by the worker when their plain form could not be sent; the
// server takes each of them once, so their retries are safe as well.
//
// No imports and no DOM: the page imports this module, and
// scripts/sw-build.mjs inlines it into the service worker. The functions
// above the IndexedDB part are pure; node tests them (jstest/outbox.test.mjs).

/** The IndexedDB database, its stores, and the names pages and worker share. */
export const DB_NAME = 'pasokh';
export const CHANNEL = 'pasokh-outbox';
export const SYNC_TAG = 'pasokh-outbox';
/** How long a sender holds an item: another sender (a second tab, the worker)
 *  leaves it alone meanwhile, and takes it over if the holder died. */
export const LEASE_MS = 120e3;
/** Keys are remembered this long after they were first used. */
export const KEY_MEMORY_MS = 90 * 24 * 3600e3;

/** The wait after the n-th failed send: 5 s, doubling, at most 10 minutes.
 *  @param {number} failures */
export const backoffDelay = (failures) => Math.min(5e3 * 2 ** Math.max(0, failures - 1), 600e3);

/** A complaint saved from the form (or an answer, with `kind` and `code`),
 *  waiting for its first send.
 *  @param {{ key: string, lang: 'fa' | 'en', fields: [string, string][], photos: OutboxPhoto[], summary: string, kind?: Verdict, code?: string }} form
 *  @param {number} now @returns {OutboxItem} */
export const newItem = (form, now) => ({ ...form, created: now, state: 'queued', attempts: 0, nextAt: now });

/** Saving a key that is already there keeps one item: an item being sent or
 *  sent stays as it is; one waiting (or refused) takes the new fields and
 *  waits again, keeping its place in the list.
 *  @param {OutboxItem | undefined} existing @param {OutboxItem} item @returns {OutboxItem} */
export function merge(existing, item) {
  if (!existing) return item;
  if (existing.state == 'sent' || existing.state == 'sending') return existing;
  return { ...item, created: existing.created, attempts: existing.attempts };
}

/** Should a sender take this item now? Waiting ones once their time has come
 *  (any time when `force`: the connection just came back), and ones whose
 *  sender's lease ran out, or at once when `orphans` says no sender can be
 *  alive (see `flushLocked`).
 *  @param {OutboxItem} item @param {number} now @param {boolean} [force] @param {boolean} [orphans] */
export function isDue(item, now, force = false, orphans = false) {
  if (item.state == 'queued') return force || item.nextAt <= now;
  return item.state == 'sending' && (orphans || (item.leaseUntil || 0) <= now);
}

/** @param {OutboxItem} item @param {number} now @returns {OutboxItem} */
export const claim = (item, now) => ({ ...item, state: 'sending', leaseUntil: now + LEASE_MS });

/** No answer (or one to retry): wait longer each time.
 *  @param {OutboxItem} item @param {number} now @returns {OutboxItem} */
export function afterFailure(item, now) {
  const attempts = item.attempts + 1;
  const { leaseUntil: _, ...rest } = item;
  return { ...rest, state: 'queued', attempts, nextAt: now + backoffDelay(attempts) };
}

/** Statuses that say "not now" rather than "no": retried (and a first send
 *  answered so is saved here rather than refused). A filing's 409 is its key
 *  still being filed; an answer's is final ("already rated", "not open").
 *  @param {number} status @param {Verdict} [kind] */
export const retried = (status, kind) => status >= 500 || [408, 425, 429].includes(status) || (status == 409 && !kind);

/** Where the tracking page's plain answer forms post: /track/{code}/{kind}. */
export const VERDICT_PATH = /^\/track\/(\d+)\/(rating|objection|support)$/;

/** An answer the worker saw fail on its way (see VERDICT_PATH), to be sent
 *  through the API later; undefined for any other path.
 *  @param {string} path @param {[string, string][]} fields @param {'fa' | 'en'} lang @param {string} key @param {number} now */
export function verdictItem(path, fields, lang, key, now) {
  const [, code, kind] = VERDICT_PATH.exec(path) || [];
  return code ? newItem({ key, lang, fields, photos: [], summary: '', kind: /** @type {Verdict} */ (kind), code }, now) : undefined;
}

/** What an answer means for an item: an answer's 2xx is its success (the
 *  complaint's code kept); a filing's is judged by `judge`.
 *  @param {OutboxItem} item @param {number} status @param {unknown} body
 *  @param {(status: number, body: unknown) => FilingOutcome} judge @returns {FilingOutcome} */
export const outcomeOf = (item, status, body, judge) =>
  item.kind && status >= 200 && status < 300 ? { trackingCode: item.code } : judge(status, body);

/** The server answered. Filed: sent, with its code (the photos are dropped,
 *  they are on the server). Refused for good (a 4xx with a reason): kept
 *  with the reason for the citizen to read and delete. Anything else (5xx,
 *  a proxy's page): retried later.
 *  @param {OutboxItem} item @param {number} status @param {FilingOutcome} outcome @param {number} now
 *  @returns {OutboxItem} */
export function afterAnswer(item, status, outcome, now) {
  const { leaseUntil: _, ...rest } = item;
  if (outcome.trackingCode) return { ...rest, state: 'sent', code: outcome.trackingCode, photos: [], sentAt: now };
  if (outcome.message && status >= 400 && !retried(status, item.kind))
    return { ...rest, state: 'refused', message: outcome.message };
  return afterFailure(item, now);
}

/** When the next waiting item falls due, if any.
 *  @param {OutboxItem[]} items @returns {number | undefined} */
export function nextDue(items) {
  const times = items.filter((item) => item.state == 'queued').map((item) => item.nextAt);
  return times.length ? Math.min(...times) : undefined;
}

/** The request to send: the form's fields, the resized photos, the key; an
 *  answer goes to its API route as JSON, with the session's cookie.
 *  @param {OutboxItem} item */
export function request(item) {
  if (item.kind) {
    /** @type {Record<string, unknown>} */
    const fields = Object.fromEntries(item.fields);
    if (item.kind == 'rating') fields.stars = Number(fields.stars);
    return {
      url: `/api/v1/complaints/${item.code}/${item.kind}`,
      init: /** @type {RequestInit} */ ({
        method: 'POST',
        body: JSON.stringify(fields),
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'Accept-Language': item.lang },
      }),
    };
  }
  const body = new FormData();
  for (const [name, value] of item.fields) body.append(name, value);
  for (const photo of item.photos) body.append('photo', photo.blob, photo.name);
  return {
    url: '/api/v1/complaints',
    init: /** @type {RequestInit} */ ({
      method: 'POST',
      body,
      credentials: 'same-origin',
      headers: { 'Idempotency-Key': item.key, 'Accept-Language': item.lang },
    }),
  };
}

// ---- IndexedDB -------------------------------------------------------------

/** @template T @param {IDBRequest<T>} request @returns {Promise<T>} */
const result = (request) =>
  new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });

/** @param {IDBTransaction} tx @returns {Promise<void>} */
const committed = (tx) =>
  new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = tx.onabort = () => reject(tx.error);
  });

/** Opens (creating on first use) the outbox's database. Stores: `outbox`
 *  (items by key), `keys` (every key ever saved or sent from this phone, so a
 *  page served from the worker's cache never reuses one), `shared` (photos
 *  shared to the app, waiting for the filing form).
 *  @param {IDBFactory} [factory] @returns {Promise<IDBDatabase>} */
export function openOutbox(factory = indexedDB) {
  const opening = factory.open(DB_NAME, 1);
  opening.onupgradeneeded = () => {
    const db = opening.result;
    db.createObjectStore('outbox', { keyPath: 'key' });
    db.createObjectStore('keys', { keyPath: 'key' });
    db.createObjectStore('shared', { autoIncrement: true });
  };
  return result(opening);
}

/** Saves an item (see `merge`) and remembers its key; returns what is stored.
 *  @param {IDBDatabase} db @param {OutboxItem} item */
export async function save(db, item) {
  const tx = db.transaction(['outbox', 'keys'], 'readwrite');
  const outbox = tx.objectStore('outbox');
  const stored = merge(await result(outbox.get(item.key)), item);
  outbox.put(stored);
  tx.objectStore('keys').put({ key: item.key, at: item.created });
  await committed(tx);
  return stored;
}

/** The items, oldest first. @param {IDBDatabase} db @returns {Promise<OutboxItem[]>} */
export async function list(db) {
  const items = await result(db.transaction('outbox').objectStore('outbox').getAll());
  return items.sort((a, b) => a.created - b.created);
}

/** Deletes an item unless it is being sent right now; true when deleted.
 *  @param {IDBDatabase} db @param {string} key @param {number} now */
export async function remove(db, key, now) {
  const tx = db.transaction('outbox', 'readwrite');
  const outbox = tx.objectStore('outbox');
  const item = await result(outbox.get(key));
  const busy = item != null && item.state == 'sending' && (item.leaseUntil || 0) > now;
  if (item && !busy) outbox.delete(key);
  await committed(tx);
  return item != null && !busy;
}

/** Remembers a key the page is about to send (online sends too), and
 *  forgets keys older than KEY_MEMORY_MS.
 *  @param {IDBDatabase} db @param {string} key @param {number} now */
export async function rememberKey(db, key, now) {
  const tx = db.transaction('keys', 'readwrite');
  const keys = tx.objectStore('keys');
  keys.put({ key, at: now });
  for (const old of await result(keys.getAll())) if (old.at < now - KEY_MEMORY_MS) keys.delete(old.key);
  await committed(tx);
}

/** Was this key saved or sent from this phone before?
 *  @param {IDBDatabase} db @param {string} key */
export async function knownKey(db, key) {
  return (await result(db.transaction('keys').objectStore('keys').get(key))) != null;
}

/** Sends every due item once (see `isDue`), each taken under a lease in one
 *  transaction so two senders never send the same item at once; an item
 *  deleted while it was being sent is not written back. Returns the items as
 *  they ended.
 *  @param {IDBDatabase} db
 *  @param {(item: OutboxItem) => Promise<{ status: number, body: unknown }>} send
 *  @param {(status: number, body: unknown) => FilingOutcome} judge
 *  @param {{ force?: boolean, orphans?: boolean, now?: () => number }} [options] */
export async function flush(db, send, judge, { force = false, orphans = false, now = Date.now } = {}) {
  const taking = db.transaction('outbox', 'readwrite');
  const outbox = taking.objectStore('outbox');
  const started = now();
  const taken = (await result(outbox.getAll())).filter((item) => isDue(item, started, force, orphans)).map((item) => claim(item, started));
  for (const item of taken) outbox.put(item);
  await committed(taking);
  /** @type {OutboxItem[]} */
  const ended = [];
  for (const item of taken) {
    let next;
    try {
      const { status, body } = await send(item);
      next = afterAnswer(item, status, outcomeOf(item, status, body, judge), now());
    } catch (error) {
      next = afterFailure(item, now());
    }
    const putting = db.transaction('outbox', 'readwrite');
    const store = putting.objectStore('outbox');
    if (await result(store.get(item.key))) store.put(next);
    await committed(putting);
    ended.push(next);
  }
  return ended;
}

/** The Web Lock every sender (pages, the worker) takes to flush. */
export const LOCK = 'pasokh-outbox';

/** `flush` under the Web Lock LOCK where the browser has Web Locks (the
 *  browser releases a closed page's lock): an item found `sending` inside it
 *  was left by a page closed mid-send, and goes at once rather than after its
 *  lease. Without Web Locks the lease alone keeps senders apart.
 *  @param {Parameters<typeof flush>} args */
export function flushLocked(...args) {
  const [db, send, judge, options] = args;
  const locks = typeof navigator == 'undefined' ? undefined : navigator.locks;
  if (!locks) return flush(...args);
  return locks.request(LOCK, () => flush(db, send, judge, { ...options, orphans: true }));
}

/** Sends an item with `fetch` (page or worker) and reads the JSON answer.
 *  @param {OutboxItem} item @param {typeof fetch} [fetcher] */
export async function post(item, fetcher = fetch) {
  const { url, init } = request(item);
  // A send that hangs must not hold the lock (and the others) for ever.
  const response = await fetcher(url, { ...init, signal: AbortSignal.timeout?.(180e3) });
  let body;
  try {
    body = await response.json();
  } catch {
    body = undefined; // a proxy's page: retried
  }
  return { status: response.status, body };
}

/** Photos shared to the installed app (the worker's share target), kept
 *  until the filing form takes them. @param {IDBDatabase} db @param {OutboxPhoto[]} photos */
export async function putShared(db, photos) {
  const tx = db.transaction('shared', 'readwrite');
  const shared = tx.objectStore('shared');
  shared.clear();
  for (const photo of photos) shared.add(photo);
  await committed(tx);
}

/** Takes (and clears) the shared photos. @param {IDBDatabase} db @returns {Promise<OutboxPhoto[]>} */
export async function takeShared(db) {
  const tx = db.transaction('shared', 'readwrite');
  const shared = tx.objectStore('shared');
  const photos = await result(shared.getAll());
  shared.clear();
  await committed(tx);
  return photos;
}

// @ts-check
// Unit tests of the offline outbox (public/js/outbox.js): its pure rules
// (backoff, state changes, one item per key) and, on fake-indexeddb, the
// store and the sending loop with a fake server.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { IDBFactory } from 'fake-indexeddb';
import * as outbox from '../public/js/outbox.js';
import { helpers } from '../public/js/helpers.js';

const { backoffDelay, newItem, merge, isDue, claim, afterFailure, afterAnswer, nextDue, request, LEASE_MS } = outbox;

const T0 = 1_700_000_000_000;
/** @param {string} [key] @param {string} [description] */
const form = (key = 'k1', description = 'چاله') => ({
  key,
  lang: /** @type {'fa'} */ ('fa'),
  fields: /** @type {[string, string][]} */ ([
    ['category', 'pothole'],
    ['description', description],
    ['idempotency_key', key],
  ]),
  photos: [{ name: 'hole.jpg', blob: new Blob(['jpeg bytes'], { type: 'image/jpeg' }) }],
  summary: 'چاله',
});

describe('backoff', () => {
  test('5 s after the first failure, doubling', () => {
    assert.deepEqual([1, 2, 3, 4].map(backoffDelay), [5e3, 10e3, 20e3, 40e3]);
  });
  test('never more than 10 minutes, even after very many failures', () => {
    assert.equal(backoffDelay(8), 600e3);
    assert.equal(backoffDelay(1000), 600e3);
  });
  test('never shrinks', () => {
    for (let n = 1; n < 40; n++) assert.ok(backoffDelay(n + 1) >= backoffDelay(n), String(n));
  });
  test('a failure waits its backoff from now and counts', () => {
    const failed = afterFailure(claim(newItem(form(), T0), T0), T0 + 1000);
    assert.equal(failed.state, 'queued');
    assert.equal(failed.attempts, 1);
    assert.equal(failed.nextAt, T0 + 1000 + 5e3);
    assert.equal(failed.leaseUntil, undefined);
    const again = afterFailure(failed, T0 + 9000);
    assert.equal(again.attempts, 2);
    assert.equal(again.nextAt, T0 + 9000 + 10e3);
  });
});

describe('one item per key', () => {
  test('a new key is stored as is', () => {
    const item = newItem(form(), T0);
    assert.equal(merge(undefined, item), item);
  });
  test('saving a waiting key again takes the new fields, keeps place and count', () => {
    const first = afterFailure(newItem(form('k', 'old'), T0), T0);
    const again = merge(first, newItem(form('k', 'new'), T0 + 60e3));
    assert.deepEqual(again.fields[1], ['description', 'new']);
    assert.equal(again.created, T0);
    assert.equal(again.attempts, 1);
    assert.equal(again.state, 'queued');
  });
  test('a sent key stays sent: the same form never files twice', () => {
    const sent = afterAnswer(claim(newItem(form('k'), T0), T0), 201, { trackingCode: '1234567890' }, T0);
    assert.equal(merge(sent, newItem(form('k', 'other'), T0 + 1)), sent);
  });
  test('a key being sent is left alone', () => {
    const sending = claim(newItem(form('k'), T0), T0);
    assert.equal(merge(sending, newItem(form('k'), T0 + 1)), sending);
  });
});

describe('when an item is due', () => {
  const waiting = afterFailure(newItem(form(), T0), T0); // due at T0 + 5 s
  test('waiting: at its time, not before', () => {
    assert.equal(isDue(waiting, T0 + 4999), false);
    assert.equal(isDue(waiting, T0 + 5000), true);
  });
  test('waiting: at once when forced (the connection came back)', () => assert.equal(isDue(waiting, T0, true), true));
  test('being sent: not while the lease holds, even forced; yes once it ran out', () => {
    const sending = claim(waiting, T0);
    assert.equal(isDue(sending, T0 + LEASE_MS - 1, true), false);
    assert.equal(isDue(sending, T0 + LEASE_MS), true);
  });
  test('being sent by a sender that is gone (inside the Web Lock): at once', () => {
    assert.equal(isDue(claim(waiting, T0), T0 + 1, false, true), true);
  });
  test('sent and refused: never', () => {
    const sent = afterAnswer(claim(waiting, T0), 201, { trackingCode: '1' }, T0);
    const refused = afterAnswer(claim(waiting, T0), 422, { message: 'no' }, T0);
    for (const item of [sent, refused]) assert.equal(isDue(item, T0 + 1e9, true), false, item.state);
  });
  test('the next due time is the earliest waiting one', () => {
    const later = { ...waiting, key: 'b', nextAt: T0 + 50e3 };
    const sent = { ...waiting, key: 'c', state: /** @type {'sent'} */ ('sent'), nextAt: 0 };
    assert.equal(nextDue([later, waiting, sent]), T0 + 5e3);
    assert.equal(nextDue([sent]), undefined);
  });
});

describe('what an answer does', () => {
  const sending = claim(newItem(form(), T0), T0);
  /** @param {number} status @param {unknown} body */
  const answer = (status, body) => afterAnswer(sending, status, helpers.filingOutcome(status, body), T0 + 1);
  test('201 with a code: sent, code kept, photos dropped', () => {
    const sent = answer(201, { tracking_code: '1234567890' });
    assert.equal(sent.state, 'sent');
    assert.equal(sent.code, '1234567890');
    assert.deepEqual(sent.photos, []);
    assert.equal(sent.leaseUntil, undefined);
  });
  test('a refusal with a reason: refused, reason kept, photos kept', () => {
    const refused = answer(422, { code: 'invalid', message: 'بیرون از محدوده', field: 'location' });
    assert.equal(refused.state, 'refused');
    assert.equal(refused.message, 'بیرون از محدوده');
    assert.equal(refused.photos.length, 1);
  });
  for (const status of [408, 409, 425, 429])
    test(`${status} is "not now": retried`, () => assert.equal(answer(status, { message: 'later' }).state, 'queued'));
  test('a 5xx or a proxy page: retried with backoff', () => {
    for (const [status, body] of [[500, { message: 'internal' }], [502, undefined], [503, undefined]]) {
      const next = answer(/** @type {number} */ (status), body);
      assert.equal(next.state, 'queued', String(status));
      assert.equal(next.attempts, 1);
    }
  });
  test('201 without a code is not taken for filed', () => assert.equal(answer(201, {}).state, 'queued'));
});

describe('the request', () => {
  test('fields, photos and the same key as header', async () => {
    const { url, init } = request(newItem(form('key-7'), T0));
    assert.equal(url, '/api/v1/complaints');
    assert.equal(init.method, 'POST');
    assert.deepEqual(init.headers, { 'Idempotency-Key': 'key-7', 'Accept-Language': 'fa' });
    const body = /** @type {FormData} */ (init.body);
    assert.equal(body.get('category'), 'pothole');
    assert.equal(body.get('idempotency_key'), 'key-7');
    const photo = body.get('photo');
    assert.ok(photo instanceof File);
    assert.equal(photo.name, 'hole.jpg');
    assert.equal(await photo.text(), 'jpeg bytes');
  });
});

describe('the tracking page\'s answers (rating, "not fixed", "me too")', () => {
  const fields = /** @type {[string, string][]} */ ([['stars', '4'], ['comment', '<b>خوب</b>']]);
  test('only the answer forms\' paths make an item, with the complaint\'s code from the start', () => {
    const item = outbox.verdictItem('/track/1234567890/rating', fields, 'fa', 'v1', T0);
    assert.equal(item?.kind, 'rating');
    assert.equal(item?.code, '1234567890');
    assert.equal(item?.state, 'queued');
    assert.deepEqual(item?.photos, []);
    for (const path of ['/track/1234567890', '/track/abc/rating', '/track/1234567890/rating/x', '/report', '/track/1/delete'])
      assert.equal(outbox.verdictItem(path, fields, 'fa', 'v', T0), undefined, path);
  });
  test('sent to its API route as JSON with the cookie; stars as a number', () => {
    const rating = request(/** @type {OutboxItem} */ (outbox.verdictItem('/track/1234567890/rating', fields, 'en', 'v1', T0)));
    assert.equal(rating.url, '/api/v1/complaints/1234567890/rating');
    assert.equal(rating.init.credentials, 'same-origin');
    assert.deepEqual(rating.init.headers, { 'Content-Type': 'application/json', 'Accept-Language': 'en' });
    assert.deepEqual(JSON.parse(String(rating.init.body)), { stars: 4, comment: '<b>خوب</b>' });
    const support = request(/** @type {OutboxItem} */ (outbox.verdictItem('/track/1234567890/support', [], 'fa', 'v2', T0)));
    assert.equal(support.url, '/api/v1/complaints/1234567890/support');
    assert.deepEqual(JSON.parse(String(support.init.body)), {});
    const objection = request(/** @type {OutboxItem} */ (outbox.verdictItem('/track/1234567890/objection', [['reason', 'هنوز هست']], 'fa', 'v3', T0)));
    assert.deepEqual(JSON.parse(String(objection.init.body)), { reason: 'هنوز هست' });
  });
  test('2xx is sent (the complaint\'s code kept); a refusal is kept with its reason; a 5xx waits', () => {
    const item = /** @type {OutboxItem} */ (outbox.verdictItem('/track/1234567890/rating', fields, 'fa', 'v1', T0));
    /** @param {number} status @param {unknown} body */
    const answer = (status, body) => afterAnswer(claim(item, T0), status, outbox.outcomeOf(item, status, body, helpers.filingOutcome), T0 + 1);
    for (const status of [200, 201]) {
      const sent = answer(status, status == 200 ? { support_count: 3, counted: false } : undefined);
      assert.equal(sent.state, 'sent', String(status));
      assert.equal(sent.code, '1234567890');
    }
    const refused = answer(409, { code: 'conflict', message: 'قبلاً امتیاز داده‌اید' });
    assert.equal(refused.state, 'refused');
    assert.equal(refused.message, 'قبلاً امتیاز داده‌اید');
    assert.equal(answer(401, { code: 'unauthorized', message: 'وارد شوید' }).state, 'refused');
    assert.equal(answer(503, undefined).state, 'queued');
  });
  test('what is retried: 5xx and "not now"; never a plain refusal or success', () => {
    for (const status of [500, 502, 503, 504, 408, 409, 425, 429]) assert.equal(outbox.retried(status), true, String(status));
    for (const status of [200, 201, 400, 401, 403, 404, 413, 422]) assert.equal(outbox.retried(status), false, String(status));
    assert.equal(outbox.retried(409, 'rating'), false, 'an answer\'s 409 is final: already rated, or no longer open');
    assert.equal(outbox.retried(503, 'support'), true);
  });
});

/** A fake server: files each key once (as the real one does with
 *  Idempotency-Key) and answers the first code again for a repeated key. */
function fakeServer() {
  /** @type {Map<string, string>} */
  const filed = new Map();
  const seen = /** @type {string[]} */ ([]);
  let failNext = 0;
  let dropAnswerNext = 0;
  /** @param {OutboxItem} item */
  const send = async (item) => {
    seen.push(item.key);
    if (failNext-- > 0) throw new TypeError('Failed to fetch'); // never reached the server
    if (!filed.has(item.key)) filed.set(item.key, String(1000000000 + filed.size));
    if (dropAnswerNext-- > 0) throw new TypeError('network error'); // filed, answer lost
    return { status: 201, body: { tracking_code: filed.get(item.key) } };
  };
  return {
    send,
    filed,
    seen,
    /** @param {number} n */ failing: (n) => (failNext = n),
    /** @param {number} n */ droppingAnswers: (n) => (dropAnswerNext = n),
  };
}

describe('the stored outbox (fake-indexeddb)', () => {
  const open = () => outbox.openOutbox(new IDBFactory());

  test('saving one key twice keeps one item', async () => {
    const db = await open();
    await outbox.save(db, newItem(form('same', 'first'), T0));
    await outbox.save(db, newItem(form('same', 'second'), T0 + 5));
    await outbox.save(db, newItem(form('other'), T0 + 9));
    const items = await outbox.list(db);
    assert.deepEqual(items.map((item) => item.key), ['same', 'other']);
    assert.deepEqual(items[0].fields[1], ['description', 'second']);
    assert.ok(items[0].photos[0].blob instanceof Blob, 'the photo is stored as a Blob');
  });

  test('no network, then back: sent once, with the same key, and its code kept', async () => {
    const db = await open();
    const server = fakeServer();
    let now = T0;
    const clock = () => now;
    await outbox.save(db, newItem(form('k'), now));
    server.failing(1);
    let ended = await outbox.flush(db, server.send, helpers.filingOutcome, { now: clock });
    assert.equal(ended[0].state, 'queued');
    assert.equal(ended[0].attempts, 1);
    now += 1000; // before its backoff: not sent
    assert.deepEqual(await outbox.flush(db, server.send, helpers.filingOutcome, { now: clock }), []);
    now += 4000;
    ended = await outbox.flush(db, server.send, helpers.filingOutcome, { now: clock });
    assert.equal(ended[0].state, 'sent');
    assert.equal(ended[0].code, '1000000000');
    assert.deepEqual(server.seen, ['k', 'k']);
    assert.equal(server.filed.size, 1);
    const [stored] = await outbox.list(db);
    assert.equal(stored.state, 'sent');
    assert.equal(stored.code, '1000000000');
    assert.deepEqual(await outbox.flush(db, server.send, helpers.filingOutcome, { force: true, now: clock }), [], 'a sent item is not sent again');
  });

  test('an answer lost after filing: the retry files nothing new and learns the code', async () => {
    const db = await open();
    const server = fakeServer();
    await outbox.save(db, newItem(form('lost'), T0));
    server.droppingAnswers(1);
    await outbox.flush(db, server.send, helpers.filingOutcome, { now: () => T0 });
    const [ended] = await outbox.flush(db, server.send, helpers.filingOutcome, { force: true, now: () => T0 + 1 });
    assert.equal(ended.state, 'sent');
    assert.equal(server.filed.size, 1);
    assert.equal(ended.code, server.filed.get('lost'));
  });

  test('two senders at once (a tab and the worker) send an item once', async () => {
    const factory = new IDBFactory();
    const [tab, worker] = await Promise.all([outbox.openOutbox(factory), outbox.openOutbox(factory)]);
    const server = fakeServer();
    await outbox.save(tab, newItem(form('race'), T0));
    const both = await Promise.all([
      outbox.flush(tab, server.send, helpers.filingOutcome, { force: true, now: () => T0 }),
      outbox.flush(worker, server.send, helpers.filingOutcome, { force: true, now: () => T0 }),
    ]);
    assert.equal(both.flat().length, 1);
    assert.deepEqual(server.seen, ['race']);
  });

  test('deleted while being sent: not written back; deleting a held item is refused', async () => {
    const db = await open();
    await outbox.save(db, newItem(form('gone'), T0));
    const ended = await outbox.flush(
      db,
      async (item) => {
        assert.equal(await outbox.remove(db, item.key, T0), false, 'held by the sender');
        const tx = db.transaction('outbox', 'readwrite');
        tx.objectStore('outbox').delete(item.key); // as if its lease had run out and it was deleted
        await new Promise((done) => (tx.oncomplete = done));
        return { status: 201, body: { tracking_code: '42' } };
      },
      helpers.filingOutcome,
      { now: () => T0 },
    );
    assert.equal(ended[0].state, 'sent');
    assert.deepEqual(await outbox.list(db), []);
  });

  test('a page closed mid-send leaves its item "sending": the next sender under the lock takes it at once', async () => {
    const db = await open();
    const server = fakeServer();
    await outbox.save(db, claim(newItem(form('orphan'), T0), T0)); // as a closed page left it
    assert.deepEqual(await outbox.flush(db, server.send, helpers.filingOutcome, { force: true, now: () => T0 + 1 }), [], 'the lease holds');
    const [ended] = await outbox.flush(db, server.send, helpers.filingOutcome, { orphans: true, now: () => T0 + 1 });
    assert.equal(ended.state, 'sent');
  });

  test('a waiting item can be deleted', async () => {
    const db = await open();
    await outbox.save(db, newItem(form('mine'), T0));
    assert.equal(await outbox.remove(db, 'mine', T0), true);
    assert.deepEqual(await outbox.list(db), []);
    assert.equal(await outbox.remove(db, 'mine', T0), false);
  });

  test('keys are remembered (saved or sent), and forgotten after 90 days', async () => {
    const db = await open();
    await outbox.save(db, newItem(form('queued-key'), T0));
    await outbox.rememberKey(db, 'sent-online', T0);
    assert.equal(await outbox.knownKey(db, 'queued-key'), true);
    assert.equal(await outbox.knownKey(db, 'sent-online'), true);
    assert.equal(await outbox.knownKey(db, 'fresh'), false);
    await outbox.rememberKey(db, 'later', T0 + outbox.KEY_MEMORY_MS + 1);
    assert.equal(await outbox.knownKey(db, 'sent-online'), false);
    assert.equal(await outbox.knownKey(db, 'later'), true);
  });

  test('shared photos are taken once', async () => {
    const db = await open();
    await outbox.putShared(db, [{ name: 'a.jpg', blob: new Blob(['a'], { type: 'image/jpeg' }) }]);
    const taken = await outbox.takeShared(db);
    assert.equal(taken.length, 1);
    assert.equal(await taken[0].blob.text(), 'a');
    assert.deepEqual(await outbox.takeShared(db), []);
  });
});

// @ts-check
// Unit tests of web push's bookkeeping on the phone: which complaints this
// phone follows (public/js/push.js), and the service worker's
// `pushsubscriptionchange` handler (public/sw.js, run in a node:vm context
// with a fake Cache API, fetch and push manager) moving them to a renewed
// subscription.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import vm from 'node:vm';
import { follows, withCode, keyBytes } from '../public/js/push.js';

const A = 'https://push.example.net/a';
const B = 'https://push.example.net/b';

describe('push.js: what this phone follows', () => {
  test('a complaint is followed by the subscription that subscribed it', () => {
    const state = withCode(undefined, A, 'KEY', '1403000001');
    assert.deepEqual(state, { endpoint: A, key: 'KEY', codes: ['1403000001'] });
    assert.equal(follows(state, { endpoint: A }, '1403000001'), true);
    assert.equal(follows(state, { endpoint: A }, '1403000002'), false, 'another complaint');
    assert.equal(follows(state, { endpoint: B }, '1403000001'), false, 'the browser renewed or changed its subscription');
    assert.equal(follows(state, null, '1403000001'), false, 'the browser has none');
    assert.equal(follows(undefined, { endpoint: A }, '1403000001'), false, 'nothing kept');
  });

  test('codes are added once, dropped one by one, and forgotten with another endpoint', () => {
    let state = withCode(undefined, A, 'KEY', '1');
    state = withCode(state, A, 'KEY', '2');
    state = withCode(state, A, 'KEY', '1');
    assert.deepEqual(state.codes, ['2', '1']);
    assert.deepEqual(withCode(state, A, 'KEY', '2', true).codes, ['1']);
    assert.deepEqual(withCode(state, B, 'KEY', '3'), { endpoint: B, key: 'KEY', codes: ['3'] });
  });

  test('the server key is decoded from base64url', () => {
    assert.deepEqual([...keyBytes('-_8')], [0xfb, 0xff]);
  });
});

/** public/sw.js in a context of its own, with fakes; returns its
 *  `pushsubscriptionchange` listener and what it did. */
function worker() {
  /** @type {Map<string, Response>} */
  const kept = new Map();
  /** @type {{ method: string, path: string, body: any }[]} */
  const sent = [];
  /** @type {unknown[]} */
  const subscribed = [];
  /** @type {Record<string, (event: any) => void>} */
  const listeners = {};
  let refuse = false;
  const newSub = { endpoint: B, toJSON: () => ({ endpoint: B, keys: { p256dh: 'P', auth: 'A' } }) };
  const context = {
    self: {
      addEventListener: (/** @type {string} */ type, /** @type {(event: any) => void} */ fn) => (listeners[type] = fn),
      registration: { pushManager: { subscribe: async (/** @type {unknown} */ options) => (subscribed.push(options), newSub) } },
    },
    caches: {
      open: async (/** @type {string} */ name) => ({
        match: async (/** @type {string} */ key) => kept.get(`${name} ${key}`)?.clone(),
        put: async (/** @type {string} */ key, /** @type {Response} */ value) => void kept.set(`${name} ${key}`, value),
      }),
    },
    fetch: async (/** @type {string} */ path, /** @type {RequestInit} */ init) => {
      sent.push({ method: String(init.method), path, body: JSON.parse(String(init.body)) });
      return new Response(null, { status: refuse ? 503 : init.method == 'POST' ? 201 : 204 });
    },
    Response,
    URL,
    location: { origin: 'https://pasokh.example.ir' },
  };
  vm.runInNewContext(readFileSync(new URL('../public/sw.js', import.meta.url), 'utf8'), context);
  /** @param {{ oldSubscription?: unknown, newSubscription?: unknown }} init */
  const change = async (init) => {
    /** @type {Promise<unknown> | undefined} */
    let done;
    listeners.pushsubscriptionchange({ oldSubscription: null, newSubscription: null, ...init, waitUntil: (/** @type {Promise<unknown>} */ p) => (done = p) });
    return done;
  };
  const state = async () => kept.get('pasokh.push /')?.clone().json();
  const keep = (/** @type {unknown} */ s) => kept.set('pasokh.push /', new Response(JSON.stringify(s)));
  return { change, state, keep, sent, subscribed, newSub, refuseAll: () => (refuse = true) };
}

describe('sw.js: pushsubscriptionchange', () => {
  test('with a new subscription: each followed complaint posts it and drops the old endpoint', async () => {
    const w = worker();
    w.keep({ endpoint: A, key: 'KEY', codes: ['1', '2'] });
    await w.change({ oldSubscription: { endpoint: A }, newSubscription: w.newSub });
    assert.deepEqual(w.subscribed, [], 'no subscribe: the browser gave one');
    assert.deepEqual(
      w.sent.map(({ method, path, body }) => [method, path, body.endpoint]),
      [
        ['POST', '/api/v1/complaints/1/push', B],
        ['DELETE', '/api/v1/complaints/1/push', A],
        ['POST', '/api/v1/complaints/2/push', B],
        ['DELETE', '/api/v1/complaints/2/push', A],
      ],
    );
    assert.deepEqual(w.sent[0].body.keys, { p256dh: 'P', auth: 'A' }, 'the keys go with it');
    assert.deepEqual(await w.state(), { endpoint: B, key: 'KEY', codes: ['1', '2'] });
  });

  test('without one: subscribes again with the same server key; the old endpoint is the kept one', async () => {
    const w = worker();
    w.keep({ endpoint: A, key: 'KEY', codes: ['7'] });
    await w.change({});
    // (made in the worker's own realm: compared as JSON)
    assert.deepEqual(JSON.parse(JSON.stringify(w.subscribed)), [{ userVisibleOnly: true, applicationServerKey: 'KEY' }]);
    assert.deepEqual(
      w.sent.map(({ method, body }) => [method, body.endpoint]),
      [
        ['POST', B],
        ['DELETE', A],
      ],
    );
    assert.equal((await w.state()).endpoint, B);
  });

  test('nothing followed: nothing done; a refused move keeps the old state', async () => {
    const w = worker();
    await w.change({});
    assert.deepEqual([w.sent, w.subscribed], [[], []]);
    w.keep({ endpoint: A, key: 'KEY', codes: ['7'] });
    w.refuseAll();
    await assert.rejects(w.change({ newSubscription: w.newSub }));
    assert.equal((await w.state()).endpoint, A, 'the page offers "notify me" again');
  });
});

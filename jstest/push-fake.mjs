// @ts-check
// A local push service for the server's integration tests
// (server/tests/api/push.rs), written apart from the server's Rust on
// node:crypto alone, so the two sides share no code. It speaks the Web
// Push protocol as a browser's push service does:
//
//   POST /subscriptions?key=<VAPID public key>  a new browser subscription:
//        a fresh P-256 key pair and auth secret, kept here; answers the
//        `PushSubscription.toJSON()` a page would post to the server
//   POST /push/<id>    a push (RFC 8030): checks the VAPID authorization
//        (RFC 8292: ES256 JWT, aud = this origin, exp within 24 h, k = the
//        subscription's key), decrypts the aes128gcm body (RFC 8291, RFC
//        8188) with the subscription's private key and auth secret, records
//        the plaintext, and answers `status` (201 unless told otherwise)
//   POST /status?code=<n>  what later pushes are answered (500, 410, …)
//   GET  /received     what it received, oldest first (JSON)
//
// Started with `node jstest/push-fake.mjs`; prints `{"port": n}` on its
// first line, and stops when its standard input closes.

import crypto from 'node:crypto';
import http from 'node:http';

/**
 * @typedef {{ ecdh: crypto.ECDH, publicKey: Buffer, auth: Buffer, vapidKey: string }} Sub
 * @typedef {{ id: string, answered: number, plaintext?: string, error?: string,
 *   headers: Record<string, string | undefined> }} Received
 */

/** @param {Buffer | Uint8Array} b */
export const b64url = (b) => Buffer.from(b).toString('base64url');

/**
 * HKDF-SHA-256 (RFC 5869), extract and expand.
 * @param {Buffer} salt @param {Buffer} ikm @param {Buffer} info @param {number} length
 */
const hkdf = (salt, ikm, info, length) =>
  Buffer.from(crypto.hkdfSync('sha256', ikm, salt, info, length));

/**
 * Decrypts one aes128gcm push body (RFC 8291 §3.4, RFC 8188 §2) for the
 * browser whose key pair is `ecdh` and auth secret `auth`.
 * @param {Buffer} body @param {crypto.ECDH} ecdh @param {Buffer} auth
 * @returns {Buffer}
 */
export function decrypt(body, ecdh, auth) {
  if (body.length < 21) throw new Error('body shorter than the aes128gcm header');
  const salt = body.subarray(0, 16);
  const rs = body.readUInt32BE(16);
  const idlen = body[20];
  if (idlen !== 65) throw new Error(`keyid of ${idlen} bytes, not a P-256 point`);
  const asPublic = body.subarray(21, 21 + idlen);
  const records = body.subarray(21 + idlen);
  if (records.length > rs) throw new Error('more than one record');
  if (records.length < 17) throw new Error('record shorter than its tag');
  const uaPublic = ecdh.getPublicKey();
  const secret = ecdh.computeSecret(asPublic);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), uaPublic, asPublic]);
  const ikm = hkdf(auth, secret, keyInfo, 32);
  const cek = hkdf(salt, ikm, Buffer.from('Content-Encoding: aes128gcm\0'), 16);
  const nonce = hkdf(salt, ikm, Buffer.from('Content-Encoding: nonce\0'), 12);
  const decipher = crypto.createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(records.subarray(records.length - 16));
  const padded = Buffer.concat([decipher.update(records.subarray(0, records.length - 16)), decipher.final()]);
  // The last record: the data, the delimiter 2, then zero padding.
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end -= 1;
  if (end < 0 || padded[end] !== 2) throw new Error('no last-record delimiter');
  return padded.subarray(0, end);
}

/**
 * Checks a VAPID `Authorization` header (RFC 8292) for a push to `origin`
 * by a server whose public key is `vapidKey`; throws why not.
 * @param {string | undefined} header @param {string} origin @param {string} vapidKey
 */
export function checkVapid(header, origin, vapidKey) {
  const m = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(header ?? '');
  if (!m) throw new Error(`not a vapid authorization: ${header}`);
  const [, jwt, k] = m;
  if (k !== vapidKey) throw new Error('k is not the key the subscription was made with');
  const parts = jwt.split('.');
  if (parts.length !== 3) throw new Error('the JWT has not three parts');
  const head = JSON.parse(Buffer.from(parts[0], 'base64url').toString());
  if (head.alg !== 'ES256') throw new Error(`JWT alg ${head.alg}`);
  const point = Buffer.from(k, 'base64url');
  if (point.length !== 65 || point[0] !== 4) throw new Error('k is not an uncompressed P-256 point');
  const key = crypto.createPublicKey({
    key: { kty: 'EC', crv: 'P-256', x: b64url(point.subarray(1, 33)), y: b64url(point.subarray(33)) },
    format: 'jwk',
  });
  const signed = Buffer.from(`${parts[0]}.${parts[1]}`);
  const signature = Buffer.from(parts[2], 'base64url');
  if (signature.length !== 64) throw new Error('ES256 signature is not 64 bytes (r || s)');
  if (!crypto.verify('sha256', signed, { key, dsaEncoding: 'ieee-p1363' }, signature)) {
    throw new Error('the JWT signature does not verify with k');
  }
  const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString());
  if (claims.aud !== origin) throw new Error(`aud ${claims.aud}, not ${origin}`);
  const now = Math.floor(Date.now() / 1000);
  if (!(claims.exp > now && claims.exp <= now + 24 * 3600)) throw new Error(`exp ${claims.exp} not within 24 h`);
  if (!/^(mailto:|https:)/.test(String(claims.sub))) throw new Error(`sub ${claims.sub}`);
}

/** Starts the fake; resolves to its server once listening. */
export function start() {
  /** @type {Map<string, Sub>} */
  const subs = new Map();
  /** @type {Received[]} */
  const received = [];
  let answer = 201;
  const server = http.createServer((req, res) => {
    /** @type {Buffer[]} */
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const origin = `http://${req.headers.host}`;
      /** @param {number} status @param {unknown} [json] */
      const reply = (status, json) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(json === undefined ? '' : JSON.stringify(json));
      };
      if (req.method === 'POST' && url.pathname === '/subscriptions') {
        const ecdh = crypto.createECDH('prime256v1');
        ecdh.generateKeys();
        const id = crypto.randomBytes(8).toString('hex');
        const sub = { ecdh, publicKey: ecdh.getPublicKey(), auth: crypto.randomBytes(16), vapidKey: url.searchParams.get('key') ?? '' };
        subs.set(id, sub);
        return reply(201, { endpoint: `${origin}/push/${id}`, keys: { p256dh: b64url(sub.publicKey), auth: b64url(sub.auth) } });
      }
      if (req.method === 'POST' && url.pathname === '/status') {
        answer = Number(url.searchParams.get('code') ?? 201);
        return reply(204);
      }
      if (req.method === 'GET' && url.pathname === '/received') return reply(200, received);
      const push = /^\/push\/([0-9a-f]+)$/.exec(url.pathname);
      if (req.method === 'POST' && push) {
        const id = push[1];
        const headers = {
          'content-encoding': req.headers['content-encoding'],
          ttl: /** @type {string | undefined} */ (req.headers.ttl),
          urgency: /** @type {string | undefined} */ (req.headers.urgency),
        };
        const sub = subs.get(id);
        if (!sub) {
          received.push({ id, answered: 404, error: 'unknown subscription', headers });
          return reply(404);
        }
        try {
          if (headers['content-encoding'] !== 'aes128gcm') throw new Error(`Content-Encoding ${headers['content-encoding']}`);
          if (!/^\d+$/.test(headers.ttl ?? '')) throw new Error(`TTL ${headers.ttl}`);
          checkVapid(req.headers.authorization, origin, sub.vapidKey);
          const plaintext = decrypt(Buffer.concat(chunks), sub.ecdh, sub.auth).toString('utf8');
          received.push({ id, answered: answer, plaintext, headers });
          return reply(answer);
        } catch (e) {
          received.push({ id, answered: 400, error: String(e), headers });
          return reply(400);
        }
      }
      return reply(404);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const server = /** @type {http.Server} */ (await start());
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ port: address && typeof address === 'object' ? address.port : 0 })}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
}

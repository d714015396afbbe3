// @ts-check
// The push-service fake (jstest/push-fake.mjs) that the server's
// integration tests push to: its decryption against RFC 8291 Appendix A,
// and its VAPID check against a JWT made here with node:crypto.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { b64url, checkVapid, decrypt } from './push-fake.mjs';

describe('push fake', () => {
  test('decrypts the RFC 8291 Appendix A message', () => {
    const ecdh = crypto.createECDH('prime256v1');
    ecdh.setPrivateKey(Buffer.from('q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94', 'base64url'));
    assert.equal(
      b64url(ecdh.getPublicKey()),
      'BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4',
    );
    const body = Buffer.from(
      'DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6Tlz' +
        'AC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN',
      'base64url',
    );
    const auth = Buffer.from('BTBZMqHH6r4Tts7J_aSIgg', 'base64url');
    assert.equal(decrypt(body, ecdh, auth).toString(), 'When I grow up, I want to be a watermelon');
    const tampered = Buffer.from(body);
    tampered[tampered.length - 1] ^= 1;
    assert.throws(() => decrypt(tampered, ecdh, auth));
  });

  test('checks the VAPID JWT: signature, audience, expiry, key', () => {
    const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const k = b64url(Buffer.concat([Buffer.from([4]), Buffer.from(String(jwk.x), 'base64url'), Buffer.from(String(jwk.y), 'base64url')]));
    /** @param {object} claims */
    const header = (claims) => {
      const signed = `${b64url(Buffer.from('{"typ":"JWT","alg":"ES256"}'))}.${b64url(Buffer.from(JSON.stringify(claims)))}`;
      const sig = crypto.sign('sha256', Buffer.from(signed), { key: privateKey, dsaEncoding: 'ieee-p1363' });
      return `vapid t=${signed}.${b64url(sig)}, k=${k}`;
    };
    const exp = Math.floor(Date.now() / 1000) + 3600;
    const good = { aud: 'http://127.0.0.1:9', exp, sub: 'mailto:ops@example.ir' };
    assert.doesNotThrow(() => checkVapid(header(good), 'http://127.0.0.1:9', k));
    assert.throws(() => checkVapid(header(good), 'http://127.0.0.1:10', k), /aud/);
    assert.throws(() => checkVapid(header({ ...good, exp: exp + 2 * 86400 }), 'http://127.0.0.1:9', k), /exp/);
    assert.throws(() => checkVapid(header(good), 'http://127.0.0.1:9', 'BOther'), /k is not/);
    assert.throws(() => checkVapid(header(good).replace(/.{4}, k=/, 'AAAA, k='), 'http://127.0.0.1:9', k), /signature/);
  });
});

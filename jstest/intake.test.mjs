// @ts-check
// Unit tests of operator intake's number normalising (public/js/intake.js).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalisePhone } from '../public/js/intake.js';

test('a mobile number in any digits and format', () => {
  assert.equal(normalisePhone('۰۹۱۲ ۳۴۵ ۶۷۸۹'), '09123456789');
  assert.equal(normalisePhone('+98 912-345-6789'), '09123456789');
  assert.equal(normalisePhone('00989123456789'), '09123456789');
  assert.equal(normalisePhone('9123456789'), '09123456789');
});

test('anything else is no number yet', () => {
  assert.equal(normalisePhone('0912345'), '');
  assert.equal(normalisePhone('02112345678'), '');
  assert.equal(normalisePhone('<b>'), '');
});

// @ts-check
// Unit tests of the filing form's pure helpers (public/js/helpers.js and
// geo.js), with node's test runner: `node --test jstest/`.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { helpers } from '../public/js/helpers.js';
import { geo } from '../public/js/geo.js';

const {
  toAsciiDigits, pageDigits, foldForSearch, formatMessage, parseCoordinate, parsePoint,
  percentOf, fitWithin, jpegName, fieldIdForError, filingOutcome,
} = helpers;

describe('toAsciiDigits', () => {
  test('Persian digits', () => assert.equal(toAsciiDigits('۰۱۲۳۴۵۶۷۸۹'), '0123456789'));
  test('Arabic-Indic digits', () => assert.equal(toAsciiDigits('٠١٢٣٤٥٦٧٨٩'), '0123456789'));
  test('ASCII digits unchanged', () => assert.equal(toAsciiDigits('0123456789'), '0123456789'));
  test('mixed scripts in one number', () => assert.equal(toAsciiDigits('۳6٫٢۵'), '36.25'));
  test('the Persian decimal separator, every one', () => assert.equal(toAsciiDigits('۱٫۲٫۳'), '1.2.3'));
  test('trims and leaves other text alone', () => assert.equal(toAsciiDigits('  کد ۴۲ \n'), 'کد 42'));
  test('no other code points mistaken for digits', () => {
    // Neighbours of the digit blocks: Arabic percent sign, Persian letters.
    assert.equal(toAsciiDigits('٪۝ۺ'), '٪۝ۺ');
  });
});

describe('pageDigits', () => {
  test('Persian page: every digit Persian', () => assert.equal(pageDigits(1234567890, 'fa'), '۱۲۳۴۵۶۷۸۹۰'));
  test('Persian page: sign and point kept', () => assert.equal(pageDigits(-3.5, 'fa'), '-۳.۵'));
  test('a string too', () => assert.equal(pageDigits('07', 'fa'), '۰۷'));
  test('English page: unchanged', () => assert.equal(pageDigits(42, 'en'), '42'));
  test('round trip with toAsciiDigits', () => assert.equal(toAsciiDigits(pageDigits(9876.54321, 'fa')), '9876.54321'));
});

describe('foldForSearch', () => {
  test('Arabic ye (ي) and alef maksura (ى) become Persian ye', () => {
    assert.equal(foldForSearch('پيادهرو'), 'پیادهرو');
    assert.equal(foldForSearch('موسى'), 'موسی');
  });
  test('Arabic kaf becomes Persian kaf', () => assert.equal(foldForSearch('كوچه'), 'کوچه'));
  test('hamza and madda alef forms become plain alef', () => assert.equal(foldForSearch('أإآ'), 'ااا'));
  test('ZWNJ and spaces go', () => {
    assert.equal(foldForSearch('پیاده\u200cرو'), 'پیادهرو');
    assert.equal(foldForSearch(' پیاده رو\t'), 'پیادهرو');
  });
  test('the typed query matches the category however it is written', () => {
    const category = foldForSearch('ترمیم پیاده‌رو|معابر');
    for (const typed of ['پيادهرو', 'پیاده رو', 'پیاده‌رو', 'پياده']) assert.ok(category.includes(foldForSearch(typed)), typed);
  });
  test('Latin case folded', () => assert.equal(foldForSearch('Bus Stop'), 'busstop'));
});

describe('formatMessage', () => {
  test('fills {} in Persian digits on a Persian page', () => assert.equal(formatMessage('حداکثر {} عکس.', 5, 'fa'), 'حداکثر ۵ عکس.'));
  test('fills {} as is on an English page', () => assert.equal(formatMessage('At most {} photos.', 5, 'en'), 'At most 5 photos.'));
  test('zero is a value, not nothing', () => assert.equal(formatMessage('Sending… {}%', 0, 'en'), 'Sending… 0%'));
  test('no argument empties {}', () => assert.equal(formatMessage('Sending… {}%', undefined, 'en'), 'Sending… %'));
  test('a template without {} is unchanged', () => assert.equal(formatMessage('Me too', 3, 'fa'), 'Me too'));
  test('only the first {} is filled', () => assert.equal(formatMessage('{} of {}', 1, 'en'), '1 of {}'));
});

describe('parseCoordinate', () => {
  test('Persian digits and decimal separator', () => assert.equal(parseCoordinate('۳۶٫۲۵۷۵', 90), 36.2575));
  test('Arabic-Indic digits', () => assert.equal(parseCoordinate('٤٩٫٩٧٤', 180), 49.974));
  test('ASCII with spaces around', () => assert.equal(parseCoordinate('  49.974 ', 180), 49.974));
  test('negative', () => assert.equal(parseCoordinate('-33.5', 90), -33.5));
  test('the limits themselves are in range', () => {
    assert.equal(parseCoordinate('90', 90), 90);
    assert.equal(parseCoordinate('-90', 90), -90);
    assert.equal(parseCoordinate('180', 180), 180);
    assert.equal(parseCoordinate('-180', 180), -180);
  });
  test('beyond the limits: NaN', () => {
    assert.ok(Number.isNaN(parseCoordinate('90.0001', 90)));
    assert.ok(Number.isNaN(parseCoordinate('-91', 90)));
    assert.ok(Number.isNaN(parseCoordinate('180.5', 180)));
  });
  test('not a plain decimal: NaN', () => {
    for (const text of ['', ' ', 'abc', '1e2', '36.', '.5', '+36', '1234', '36,25', '36.2.5', '0x1f', 'Infinity'])
      assert.ok(Number.isNaN(parseCoordinate(text, 180)), JSON.stringify(text));
  });
});

describe('parsePoint', () => {
  test('both fields, any digits', () => assert.deepEqual(parsePoint('۳۶٫۲۵', '49.97'), { lat: 36.25, lon: 49.97 }));
  test('latitude is limited to ±90, longitude to ±180', () => {
    assert.deepEqual(parsePoint('10', '170'), { lat: 10, lon: 170 });
    assert.equal(parsePoint('170', '10'), null);
  });
  test('either one missing or malformed: null', () => {
    assert.equal(parsePoint('', '49.97'), null);
    assert.equal(parsePoint('36.25', ''), null);
    assert.equal(parsePoint('36.25', 'x'), null);
  });
});

describe('percentOf', () => {
  test('rounds to whole percent', () => {
    assert.equal(percentOf(1, 3), 33);
    assert.equal(percentOf(2, 3), 67);
  });
  test('done is 100', () => assert.equal(percentOf(500, 500), 100));
  test('never above 100', () => assert.equal(percentOf(600, 500), 100));
  test('an unknown total is 0, not NaN or Infinity', () => assert.equal(percentOf(10, 0), 0));
});

describe('fitWithin', () => {
  test('landscape: the long edge becomes the limit', () => assert.deepEqual(fitWithin(3000, 2000, 1600), { width: 1600, height: 1067 }));
  test('portrait', () => assert.deepEqual(fitWithin(2000, 4000, 1600), { width: 800, height: 1600 }));
  test('small pictures are not enlarged', () => assert.deepEqual(fitWithin(800, 600, 1600), { width: 800, height: 600 }));
});

describe('jpegName', () => {
  test('replaces the extension', () => assert.equal(jpegName('IMG_0001.HEIC'), 'IMG_0001.jpg'));
  test('only the last one', () => assert.equal(jpegName('street.view.png'), 'street.view.jpg'));
  test('adds one when there is none', () => assert.equal(jpegName('photo'), 'photo.jpg'));
});

describe('fieldIdForError', () => {
  test('location means the latitude field', () => assert.equal(fieldIdForError('location'), 'lat'));
  test("the form's own fields", () => {
    for (const field of ['description', 'category', 'address', 'photo', 'lat', 'lon']) assert.equal(fieldIdForError(field), field);
  });
  test('anything else: none', () => {
    for (const field of ['idempotency_key', 'accuracy_m', 'channel', '', undefined, null, 3]) assert.equal(fieldIdForError(field), null);
  });
});

describe('filingOutcome', () => {
  const filed = { tracking_code: '1234567894', status: 'received', district: 'منطقه ۱', unit: null, tracking_url: '/track/1234567894' };
  test('201 with a tracking code: filed', () => assert.deepEqual(filingOutcome(201, filed), { trackingCode: '1234567894' }));
  test('201 without a usable code: neither', () => {
    assert.deepEqual(filingOutcome(201, { tracking_code: '../admin' }), {});
    assert.deepEqual(filingOutcome(201, {}), {});
  });
  test('a refusal with a field: its message and the field to focus', () => {
    const refusal = { code: 'invalid', message: 'محل بیرون از محدوده شهر است.', field: 'location', reason: 'outside_city' };
    assert.deepEqual(filingOutcome(422, refusal), { message: refusal.message, fieldId: 'lat' });
  });
  test('a refusal without a field (413, 5xx): its message, nothing to focus', () => {
    assert.deepEqual(filingOutcome(413, { code: 'too_large', message: 'Too large.' }), { message: 'Too large.', fieldId: null });
    assert.deepEqual(filingOutcome(500, { code: 'internal', message: 'Internal error.' }), { message: 'Internal error.', fieldId: null });
  });
  test('not JSON, or JSON without a message: neither (the generic message)', () => {
    assert.deepEqual(filingOutcome(502, undefined), {});
    assert.deepEqual(filingOutcome(422, { code: 'invalid' }), {});
    assert.deepEqual(filingOutcome(422, { message: '   ' }), {});
    assert.deepEqual(filingOutcome(422, 'a string'), {});
    assert.deepEqual(filingOutcome(422, null), {});
  });
  test('a success status is never shown as a refusal', () => assert.deepEqual(filingOutcome(200, { message: 'ok' }), {}));
});

describe('geo', () => {
  // A 2 × 2 square around (36, 50), corners as GeoJSON [lon, lat].
  const square = [[49, 35], [51, 35], [51, 37], [49, 37], [49, 35]];
  test('insideRing: inside and outside', () => {
    assert.equal(geo.insideRing({ lat: 36, lon: 50 }, square), true);
    assert.equal(geo.insideRing({ lat: 38, lon: 50 }, square), false);
    assert.equal(geo.insideRing({ lat: 36, lon: 48.9 }, square), false);
  });
  test('insideRing: the notch of a concave ring is outside', () => {
    const u = [[0, 0], [3, 0], [3, 3], [2, 3], [2, 1], [1, 1], [1, 3], [0, 3], [0, 0]];
    assert.equal(geo.insideRing({ lat: 2, lon: 1.5 }, u), false);
    assert.equal(geo.insideRing({ lat: 2, lon: 0.5 }, u), true);
  });
  test('insideDistricts: the outer ring of any polygon counts', () => {
    const far = [[[10, 10], [11, 10], [11, 11], [10, 10]]];
    assert.equal(geo.insideDistricts({ lat: 36, lon: 50 }, [far, [square]]), true);
    assert.equal(geo.insideDistricts({ lat: 0, lon: 0 }, [far, [square]]), false);
  });
  test('insideDistricts: true while the districts are unknown', () => assert.equal(geo.insideDistricts({ lat: 0, lon: 0 }, undefined), true));
  test('parseCenter', () => {
    assert.deepEqual(geo.parseCenter('36.25000,49.98000'), [36.25, 49.98]);
    assert.deepEqual(geo.parseCenter(undefined), [0, 0]);
    assert.deepEqual(geo.parseCenter(''), [0, 0]);
  });
  test('escapeHtml', () => {
    assert.equal(geo.escapeHtml('© <a href="x">OSM</a> & \'co\''), '© &#60;a href=&#34;x&#34;&#62;OSM&#60;/a&#62; &#38; &#39;co&#39;');
  });
});

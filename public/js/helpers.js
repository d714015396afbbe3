// @ts-check
// Pure helpers of the form's scripts: no DOM, so node tests them (jstest/).
// Each is described in types.d.ts (`Helpers`).

/** @type {Helpers} */
export const helpers = {
  toAsciiDigits: (text) =>
    text
      .trim()
      .replace(/[۰-۹٠-٩]/g, (digit) => String(digit.charCodeAt(0) & 15)) // the low four bits are the digit
      .replace(/٫/g, '.'),

  pageDigits: (value, lang) => (lang == 'fa' ? String(value).replace(/\d/g, (digit) => '۰۱۲۳۴۵۶۷۸۹'[+digit]) : String(value)),

  foldForSearch: (text) =>
    text
      .toLowerCase()
      .replace(/[يى]/g, 'ی')
      .replace(/ك/g, 'ک')
      .replace(/[أإآ]/g, 'ا')
      .replace(/[\s\u200c]/g, ''),

  formatMessage: (template, arg, lang) => template.replace('{}', arg == null ? '' : helpers.pageDigits(arg, lang)),

  parseCoordinate(text, limit) {
    const ascii = helpers.toAsciiDigits(text);
    const value = /^-?\d{1,3}(\.\d+)?$/.test(ascii) ? Number(ascii) : NaN;
    return Math.abs(value) <= limit ? value : NaN;
  },

  parsePoint(latText, lonText) {
    const lat = helpers.parseCoordinate(latText, 90);
    const lon = helpers.parseCoordinate(lonText, 180);
    return isNaN(lat) || isNaN(lon) ? null : { lat, lon };
  },

  percentOf: (done, total) => (total > 0 ? Math.min(100, Math.round((100 * done) / total)) : 0),

  fitWithin(width, height, maxEdge) {
    const scale = Math.min(1, maxEdge / Math.max(width, height));
    return { width: Math.round(width * scale), height: Math.round(height * scale) };
  },

  jpegName: (name) => name.replace(/\.[^.]*$/, '') + '.jpg',

  fieldIdForError: (field) =>
    field == 'location' ? 'lat' : ['description', 'category', 'address', 'photo', 'lat', 'lon'].find((id) => id == field) || null,

  filingOutcome(status, body) {
    const { tracking_code: code, message, field } = /** @type {Record<string, unknown>} */ (Object(body));
    if (status == 201 && typeof code == 'string' && /^\d+$/.test(code)) return { trackingCode: code };
    if (status >= 400 && typeof message == 'string' && message.trim()) return { message, fieldId: helpers.fieldIdForError(field) };
    return {};
  },
};

// @ts-check
// Pure helpers of the map, fetched with it: no DOM, so node tests them
// (jstest/). Each is described in types.d.ts (`GeoHelpers`).

/** @type {GeoHelpers} */
export const geo = {
  parseCenter(text) {
    const [lat, lon] = (text || '').split(',').map(Number);
    return [lat || 0, lon || 0];
  },

  insideRing(point, ring) {
    let inside = false;
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [lonI, latI] = ring[i];
      const [lonJ, latJ] = ring[j];
      if (latI > point.lat != latJ > point.lat && point.lon < ((lonJ - lonI) * (point.lat - latI)) / (latJ - latI) + lonI)
        inside = !inside;
    }
    return inside;
  },

  insideDistricts: (point, polygons) => !polygons || polygons.some(([outer]) => geo.insideRing(point, outer)),

  escapeHtml: (text) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`),
};

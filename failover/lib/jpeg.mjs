// A small baseline JPEG encoder (YCbCr 4:4:4, fixed Huffman tables in which
// every symbol has the same length), enough to make realistic photo uploads
// without any dependency. `photoMaker` encodes one noisy "street" picture
// once and then stamps a number into its first luma blocks, so every photo
// it hands out has different pixels (the server stores photos by the hash of
// its re-encoding: equal pixels would share one object) at the price of an
// entropy-coding pass only.

/** Natural (row-major) index of each zigzag position. */
const ZIGZAG = (() => {
  const order = [];
  for (let s = 0; s < 15; s++) {
    const cells = [];
    for (let y = 0; y < 8; y++) {
      const x = s - y;
      if (x >= 0 && x < 8) cells.push(y * 8 + x);
    }
    // Even diagonals run up-right (from the bottom-left), odd ones down-left.
    if (s % 2 === 0) cells.reverse();
    order.push(...cells);
  }
  return order;
})();

const LUMA_Q = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51,
  87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101,
  72, 92, 95, 98, 112, 100, 103, 99,
];
const CHROMA_Q = (() => {
  const q = new Array(64).fill(99);
  const top = [17, 18, 24, 47, 18, 21, 26, 66, 24, 26, 56, 99, 47, 66, 99, 99];
  for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) q[y * 8 + x] = top[y * 4 + x];
  return q;
})();

/** Scales a base table to `quality` (1..100) the way libjpeg does. */
function scaled(base, quality) {
  const s = quality < 50 ? 5000 / quality : 200 - quality * 2;
  return base.map((v) => Math.min(255, Math.max(1, Math.floor((v * s + 50) / 100))));
}

// Symbols: DC sizes 0..11 (4-bit codes), AC (run << 4 | size) for run 0..15
// and size 1..10, plus EOB (0x00) and ZRL (0xF0) (8-bit codes).
const DC_SYMBOLS = Array.from({ length: 12 }, (_, i) => i);
const AC_SYMBOLS = [0x00, 0xf0];
for (let run = 0; run < 16; run++) for (let size = 1; size <= 10; size++) AC_SYMBOLS.push((run << 4) | size);
const DC_LEN = 4;
const AC_LEN = 8;
const DC_CODE = new Map(DC_SYMBOLS.map((s, i) => [s, i]));
const AC_CODE = new Map(AC_SYMBOLS.map((s, i) => [s, i]));

const COS = (() => {
  const t = new Float64Array(64);
  for (let x = 0; x < 8; x++) for (let u = 0; u < 8; u++) t[x * 8 + u] = Math.cos(((2 * x + 1) * u * Math.PI) / 16);
  return t;
})();
const C = (u) => (u === 0 ? Math.SQRT1_2 : 1);

/** Forward DCT of one 8x8 block (level-shifted samples), quantized, in natural order. */
function fdctQuant(block, q, out, offset) {
  const tmp = new Float64Array(64);
  for (let y = 0; y < 8; y++) {
    for (let u = 0; u < 8; u++) {
      let s = 0;
      for (let x = 0; x < 8; x++) s += block[y * 8 + x] * COS[x * 8 + u];
      tmp[y * 8 + u] = s;
    }
  }
  for (let v = 0; v < 8; v++) {
    for (let u = 0; u < 8; u++) {
      let s = 0;
      for (let y = 0; y < 8; y++) s += tmp[y * 8 + u] * COS[y * 8 + v];
      const coef = 0.25 * C(u) * C(v) * s;
      const i = v * 8 + u;
      out[offset + i] = Math.max(-1023, Math.min(1023, Math.round(coef / q[i])));
    }
  }
}

class BitWriter {
  constructor(capacity) {
    this.buf = Buffer.alloc(capacity);
    this.len = 0;
    this.acc = 0;
    this.nbits = 0;
  }
  byte(b) {
    if (this.len + 2 > this.buf.length) {
      const bigger = Buffer.alloc(this.buf.length * 2);
      this.buf.copy(bigger, 0, 0, this.len);
      this.buf = bigger;
    }
    this.buf[this.len++] = b;
    if (b === 0xff) this.buf[this.len++] = 0x00; // byte stuffing
  }
  bits(value, count) {
    for (let i = count - 1; i >= 0; i--) {
      this.acc = (this.acc << 1) | ((value >> i) & 1);
      if (++this.nbits === 8) {
        this.byte(this.acc);
        this.acc = 0;
        this.nbits = 0;
      }
    }
  }
  flush() {
    while (this.nbits !== 0) this.bits(1, 1);
    return this.buf.subarray(0, this.len);
  }
}

const sizeOf = (v) => (v === 0 ? 0 : 32 - Math.clz32(Math.abs(v)));
const magnitude = (v, size) => (v >= 0 ? v : v + (1 << size) - 1);

function segment(marker, payload) {
  const head = Buffer.from([0xff, marker, (payload.length + 2) >> 8, (payload.length + 2) & 0xff]);
  return Buffer.concat([head, Buffer.from(payload)]);
}

function huffmanTable(cls, id, len, symbols) {
  const bits = new Array(16).fill(0);
  bits[len - 1] = symbols.length;
  return [(cls << 4) | id, ...bits, ...symbols];
}

/** Quantized coefficients of an RGB image (Uint8Array, 3 bytes a pixel). */
function transform(rgb, width, height, quality) {
  const qs = [scaled(LUMA_Q, quality), scaled(CHROMA_Q, quality), scaled(CHROMA_Q, quality)];
  const bw = Math.ceil(width / 8);
  const bh = Math.ceil(height / 8);
  const coefs = new Int16Array(bw * bh * 3 * 64);
  const block = [new Float64Array(64), new Float64Array(64), new Float64Array(64)];
  const tmp = new Int16Array(64);
  for (let by = 0; by < bh; by++) {
    for (let bx = 0; bx < bw; bx++) {
      for (let y = 0; y < 8; y++) {
        for (let x = 0; x < 8; x++) {
          const px = Math.min(width - 1, bx * 8 + x);
          const py = Math.min(height - 1, by * 8 + y);
          const p = (py * width + px) * 3;
          const r = rgb[p];
          const g = rgb[p + 1];
          const b = rgb[p + 2];
          block[0][y * 8 + x] = 0.299 * r + 0.587 * g + 0.114 * b - 128;
          block[1][y * 8 + x] = -0.168736 * r - 0.331264 * g + 0.5 * b;
          block[2][y * 8 + x] = 0.5 * r - 0.418688 * g - 0.081312 * b;
        }
      }
      for (let c = 0; c < 3; c++) {
        fdctQuant(block[c], qs[c], tmp, 0);
        coefs.set(tmp, ((by * bw + bx) * 3 + c) * 64);
      }
    }
  }
  return { coefs, qs, bw, bh };
}

/** The JPEG file of transformed coefficients. */
function write({ coefs, qs, bw, bh }, width, height) {
  const header = [
    Buffer.from([0xff, 0xd8]),
    segment(0xe0, [0x4a, 0x46, 0x49, 0x46, 0x00, 1, 1, 0, 0, 1, 0, 1, 0, 0]),
    segment(0xdb, [0x00, ...ZIGZAG.map((i) => qs[0][i]), 0x01, ...ZIGZAG.map((i) => qs[1][i])]),
    segment(0xc0, [8, height >> 8, height & 0xff, width >> 8, width & 0xff, 3, 1, 0x11, 0, 2, 0x11, 1, 3, 0x11, 1]),
    segment(0xc4, [
      ...huffmanTable(0, 0, DC_LEN, DC_SYMBOLS),
      ...huffmanTable(1, 0, AC_LEN, AC_SYMBOLS),
      ...huffmanTable(0, 1, DC_LEN, DC_SYMBOLS),
      ...huffmanTable(1, 1, AC_LEN, AC_SYMBOLS),
    ]),
    segment(0xda, [3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0]),
  ];
  const out = new BitWriter(coefs.length);
  const prevDc = [0, 0, 0];
  for (let b = 0; b < bw * bh; b++) {
    for (let c = 0; c < 3; c++) {
      const base = (b * 3 + c) * 64;
      const dc = coefs[base];
      const diff = dc - prevDc[c];
      prevDc[c] = dc;
      const dcSize = sizeOf(diff);
      out.bits(DC_CODE.get(dcSize), DC_LEN);
      if (dcSize) out.bits(magnitude(diff, dcSize), dcSize);
      let run = 0;
      for (let k = 1; k < 64; k++) {
        const v = coefs[base + ZIGZAG[k]];
        if (v === 0) {
          run++;
          continue;
        }
        while (run > 15) {
          out.bits(AC_CODE.get(0xf0), AC_LEN);
          run -= 16;
        }
        const size = sizeOf(v);
        out.bits(AC_CODE.get((run << 4) | size), AC_LEN);
        out.bits(magnitude(v, size), size);
        run = 0;
      }
      if (run > 0) out.bits(AC_CODE.get(0x00), AC_LEN);
    }
  }
  const data = out.flush();
  return Buffer.concat([...header, data, Buffer.from([0xff, 0xd9])]);
}

/** A small deterministic PRNG (mulberry32). */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A street-like picture: sky, asphalt, a dark pothole, and grain. */
function picture(width, height, seed) {
  const rnd = prng(seed);
  const rgb = new Uint8Array(width * height * 3);
  const cx = width * 0.55;
  const cy = height * 0.72;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let r;
      let g;
      let b;
      if (y < height * 0.4) {
        const t = y / (height * 0.4);
        r = 120 + 60 * t;
        g = 160 + 40 * t;
        b = 230 - 20 * t;
      } else {
        const shade = 95 + 25 * Math.sin(x / 37) * Math.cos(y / 23);
        r = shade;
        g = shade;
        b = shade + 5;
        const dx = (x - cx) / (width * 0.18);
        const dy = (y - cy) / (height * 0.1);
        if (dx * dx + dy * dy < 1) {
          r *= 0.45;
          g *= 0.42;
          b *= 0.4;
        }
      }
      const grain = (rnd() - 0.5) * 44;
      const p = (y * width + x) * 3;
      rgb[p] = Math.max(0, Math.min(255, r + grain));
      rgb[p + 1] = Math.max(0, Math.min(255, g + grain));
      rgb[p + 2] = Math.max(0, Math.min(255, b + grain));
    }
  }
  return rgb;
}

/** Encodes an RGB image. */
export function encodeJpeg(rgb, width, height, quality = 85) {
  return write(transform(rgb, width, height, quality), width, height);
}

/**
 * Returns `make(n)`: a distinct JPEG for every `n` (0 .. 2^24), all of the
 * same size and look. The picture is transformed once.
 */
export function photoMaker({ width = 800, height = 600, quality = 72, seed = 137 } = {}) {
  const t = transform(picture(width, height, seed), width, height, quality);
  const stamp = 24;
  return (n) => {
    const saved = [];
    for (let i = 0; i < stamp; i++) {
      const at = i * 3 * 64; // the luma block i's DC coefficient
      saved.push(t.coefs[at]);
      if ((n >> i) & 1) t.coefs[at] = Math.min(1023, t.coefs[at] + 6);
      else t.coefs[at] = Math.max(-1023, t.coefs[at] - 6);
    }
    try {
      return write(t, width, height);
    } finally {
      saved.forEach((v, i) => {
        t.coefs[i * 3 * 64] = v;
      });
    }
  };
}

/**
 * Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11), in the
 * 32-bit integer arithmetic that C++ and WGSL share, so one seed gives the same bits on every
 * device. A block counter c and a 64-bit key give four independent 32-bit words.
 */
const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** High 32 bits of the 64-bit product of two uint32 (exact, via 16-bit limbs). */
function mulhi(a: number, b: number): number {
  const al = a & 0xffff, ah = a >>> 16, bl = b & 0xffff, bh = b >>> 16;
  const lohi = al * bh, hilo = ah * bl;
  const mid = ((al * bl) >>> 16) + (lohi & 0xffff) + (hilo & 0xffff);
  return (ah * bh + (lohi >>> 16) + (hilo >>> 16) + (mid >>> 16)) >>> 0;
}

/** Writes the four output words for counter (c0..c3) and key (k0, k1) into out[0..3]. */
export function philox4x32(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number, out: Uint32Array): void {
  for (let r = 0; r < 10; r++) {
    const hi0 = mulhi(M0, c0), lo0 = Math.imul(M0, c0) >>> 0;
    const hi1 = mulhi(M1, c2), lo1 = Math.imul(M1, c2) >>> 0;
    c0 = (hi1 ^ c1 ^ k0) >>> 0;
    c1 = lo1;
    c2 = (hi0 ^ c3 ^ k1) >>> 0;
    c3 = lo0;
    k0 = (k0 + W0) >>> 0;
    k1 = (k1 + W1) >>> 0;
  }
  out[0] = c0; out[1] = c1; out[2] = c2; out[3] = c3;
}

const TWO_NEG24 = 1 / 16777216;

/** Uniform in [0, 1) from the top 24 bits: exact in float32 on every device. */
export function uniformFromBits(w: number): number {
  return (w >>> 8) * TWO_NEG24;
}

/**
 * Fills `n` values: element i uses block `counter + floor(i/4)`, word i % 4. Normal draws use
 * Box–Muller on word pairs (0,1) and (2,3) of a block: cos for the first, sin for the second.
 */
export function philoxFill(out: { [i: number]: number }, n: number, dist: 'uniform' | 'normal', seed: number, counter: number): void {
  const k0 = seed >>> 0, k1 = Math.floor(seed / 4294967296) >>> 0;
  const w = new Uint32Array(4);
  for (let base = 0; base < n; base += 4) {
    const block = counter + base / 4;
    philox4x32(block >>> 0, Math.floor(block / 4294967296) >>> 0, 0, 0, k0, k1, w);
    const m = Math.min(4, n - base);
    if (dist === 'uniform') {
      for (let j = 0; j < m; j++) out[base + j] = uniformFromBits(w[j]);
    } else {
      for (let p = 0; p < m; p += 2) {
        const u1 = ((w[p] >>> 8) + 1) * TWO_NEG24; // (0, 1]: log never sees 0
        const u2 = uniformFromBits(w[p + 1]);
        const r = Math.sqrt(-2 * Math.log(u1));
        out[base + p] = r * Math.cos(2 * Math.PI * u2);
        if (p + 1 < m) out[base + p + 1] = r * Math.sin(2 * Math.PI * u2);
      }
    }
  }
}

/**
 * The native tn.linalg kernels (native/src/linalg, the cpu row of lib/linalg/kernels.ts)
 * against the js reference routines on seeded random batched inputs: sizes 1, 2, odd, 33, 65
 * and 130 (across the 32/64 block edges), tall and wide, singular and non-positive-definite
 * (info codes), rank-deficient; pivots, info codes and Householder signs must match exactly,
 * values to rounding; singular and eigen vectors up to sign. Each available ISA path
 * (avx512, avx2, generic) runs a subset. Then bad input at the N-API boundary: wrong lengths,
 * types, negative and non-integer sizes, out-of-range pivots, all thrown as errors naming the
 * routine (TensileErrors through the table).
 *
 * Run it under ASan: build with `TENSILE_SANITIZE=1` into its own directory and point
 * TENSILE_ADDON at it (see scripts/test-native-asan.sh).
 */
import { loadAddon, type NativeAddon } from '../lib/backends/cpu/addon.js';
import { availableDevices, unavailableReason } from '../lib/device.js';
import { TensileError } from '../lib/errors.js';
import { LINALG_KERNELS, delegatedLinalgKernels, jsLinalgKernels, linalgKernels, type LinalgKernels } from '../lib/linalg/kernels.js';
import { seededUniform as rng } from './fixture.js';

type Any = any;
const hasCpu = availableDevices().includes('cpu');
const load = loadAddon();
const addon = load.addon as NativeAddon;

function randn(count: number, seed: number): Float64Array {
  const r = rng(seed), out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const u = Math.max(r(), 1e-300), v = r();
    out[i] = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  return out;
}
const maxAbs = (x: ArrayLike<number>) => { let m = 0; for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i])); return m; };

/** |got - want| <= tol·max(1, max|want|) elementwise, with the first violation named. */
function close(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string): void {
  expect(got.length).toBe(want.length);
  const scale = Math.max(1, maxAbs(want));
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= tol * scale)) {
      throw new Error(`${what}: [${i}] got ${got[i]}, want ${want[i]} (tol ${tol}·${scale.toPrecision(3)})`);
    }
  }
}

/** C = A·B for row-major A (m×k) and B (k×n). */
function mm(A: ArrayLike<number>, B: ArrayLike<number>, m: number, k: number, n: number): Float64Array {
  const C = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) { const a = A[i * k + p]; if (a !== 0) for (let j = 0; j < n; j++) C[i * n + j] += a * B[p * n + j]; }
  return C;
}
const transpose = (A: ArrayLike<number>, m: number, n: number) => { const T = new Float64Array(m * n); for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) T[j * m + i] = A[i * n + j]; return T; };
const eye = (n: number) => { const I = new Float64Array(n * n); for (let i = 0; i < n; i++) I[i * n + i] = 1; return I; };
/** ‖XᵀX - I‖ max-entry for X (rows × cols) with orthonormal columns. */
function orthoError(X: ArrayLike<number>, rows: number, cols: number): number {
  const G = mm(transpose(X, rows, cols), X, cols, rows, cols);
  let e = 0;
  for (let i = 0; i < cols; i++) for (let j = 0; j < cols; j++) e = Math.max(e, Math.abs(G[i * cols + j] - (i === j ? 1 : 0)));
  return e;
}
const slice = (x: Float64Array, b: number, size: number) => x.subarray(b * size, (b + 1) * size);

const SIZES = [1, 2, 3, 5, 17, 33, 65, 130];
const BATCH = (n: number) => (n <= 33 ? 3 : 1);

(hasCpu ? describe : describe.skip)('native tn.linalg kernels vs the js reference', () => {
  let K: LinalgKernels;
  const J = jsLinalgKernels;
  beforeAll(() => { K = linalgKernels('cpu', 'test'); });

  test('every routine is native on cpu (none delegated)', () => {
    expect(delegatedLinalgKernels('cpu')).toEqual([]);
    for (const k of LINALG_KERNELS) expect(typeof (addon as Any)[k]).toBe('function');
  });

  describe.each(SIZES)('n = %i', (n) => {
    const nb = BATCH(n), nn = n * n;
    test('getrf: same pivots, info and factors', () => {
      const a = randn(nb * nn, 11 + n);
      const a1 = a.slice(), a2 = a.slice();
      const p1 = new Int32Array(nb * n), p2 = new Int32Array(nb * n), i1 = new Int32Array(nb), i2 = new Int32Array(nb);
      K.getrf(a1, nb, n, p1, i1);
      J.getrf(a2, nb, n, p2, i2);
      expect(Array.from(p1)).toEqual(Array.from(p2));
      expect(Array.from(i1)).toEqual(Array.from(i2));
      close(a1, a2, 1e-11 * n, 'LU');
    });
    test('getrs: A·X = B and Aᵀ·X = B from the same factors', () => {
      const a = randn(nb * nn, 12 + n).map((v, i) => v + ((i % nn) % (n + 1) === 0 ? n / 4 : 0));
      const piv = new Int32Array(nb * n), info = new Int32Array(nb);
      J.getrf(a, nb, n, piv, info);
      for (const nrhs of [1, 4, n]) {
        for (const trans of [false, true]) {
          const b = randn(nb * n * nrhs, 13 + nrhs);
          const b1 = b.slice(), b2 = b.slice();
          K.getrs(a, piv, b1, nb, n, nrhs, trans);
          J.getrs(a, piv, b2, nb, n, nrhs, trans);
          close(b1, b2, 1e-10 * n, `getrs nrhs=${nrhs} trans=${trans}`);
        }
      }
    });
    test('potrf: same factor of an SPD batch', () => {
      const a = new Float64Array(nb * nn);
      for (let b = 0; b < nb; b++) {
        const M = randn(nn, 14 + n + b);
        a.set(mm(M, transpose(M, n, n), n, n, n).map((v, i) => v / n + (i % (n + 1) === 0 ? 1 : 0)), b * nn);
      }
      // Garbage in the upper triangle must be ignored.
      for (let b = 0; b < nb; b++) for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) a[b * nn + i * n + j] = 1e300;
      const a1 = a.slice(), a2 = a.slice(), i1 = new Int32Array(nb), i2 = new Int32Array(nb);
      K.potrf(a1, nb, n, i1);
      J.potrf(a2, nb, n, i2);
      expect(Array.from(i1)).toEqual(new Array(nb).fill(-1));
      expect(Array.from(i2)).toEqual(Array.from(i1));
      close(a1, a2, 1e-12 * n, 'L');
    });
    test('trtrs: every (upper, unit, trans)', () => {
      const t = randn(nb * nn, 15 + n).map((v, i) => ((i % nn) % (n + 1) === 0 ? 2 + Math.abs(v) : v / Math.sqrt(n)));
      for (const upper of [false, true]) for (const unit of [false, true]) for (const trans of [false, true]) {
        const nrhs = n === 1 ? 2 : n + 1;
        const b = randn(nb * n * nrhs, 16);
        const b1 = b.slice(), b2 = b.slice();
        K.trtrs(t, b1, nb, n, nrhs, upper, unit, trans);
        J.trtrs(t, b2, nb, n, nrhs, upper, unit, trans);
        close(b1, b2, 1e-9, `trtrs upper=${upper} unit=${unit} trans=${trans}`);
      }
    });
    test.each([[1, 1], [2, 1], [1, 3], [1, 7 / 5]])('geqrf + orgqr: m ≈ %d·n, columns ≈ %p·n', (mf, nf) => {
      const m = n * mf + (mf > 1 ? 3 : 0), nc = Math.max(1, Math.round(n * nf));
      const p = Math.min(m, nc);
      const a = randn(nb * m * nc, 17 + m + nc);
      const a1 = a.slice(), a2 = a.slice(), t1 = new Float64Array(nb * p), t2 = new Float64Array(nb * p);
      K.geqrf(a1, nb, m, nc, t1);
      J.geqrf(a2, nb, m, nc, t2);
      close(t1, t2, 1e-12, 'tau');
      close(a1, a2, 1e-11 * Math.sqrt(m), 'R and reflectors');
      for (const cols of [p, m]) {
        const q1 = new Float64Array(nb * m * cols), q2 = new Float64Array(nb * m * cols);
        K.orgqr(a2, t2, nb, m, nc, cols, q1);
        J.orgqr(a2, t2, nb, m, nc, cols, q2);
        close(q1, q2, 1e-12 * Math.sqrt(m), `Q (${cols} columns)`);
      }
    });
    test.each([[1, 1], [2, 1], [1, 2]])('gesvd: (%d·n) × (%d·n), thin and full, vectors up to sign', (mf, nf) => {
      const m = n * mf + (mf > 1 ? 1 : 0), nc = n * nf + (nf > 1 ? 2 : 0), k = Math.min(m, nc);
      const a = randn(nb * m * nc, 18 + m * 7 + nc);
      for (const full of [false, true]) {
        const ucols = full ? m : k, vrows = full ? nc : k;
        const s1 = new Float64Array(nb * k), s2 = new Float64Array(nb * k);
        const u1 = new Float64Array(nb * m * ucols), v1 = new Float64Array(nb * vrows * nc);
        const u2 = new Float64Array(nb * m * ucols), v2 = new Float64Array(nb * vrows * nc);
        const before = a.slice();
        K.gesvd(a, nb, m, nc, s1, u1, v1, full);
        expect(a).toEqual(before); // read only
        J.gesvd(a, nb, m, nc, s2, u2, v2, full);
        close(s1, s2, 1e-13 * Math.max(m, nc), 's');
        for (let b = 0; b < nb; b++) {
          const U = slice(u1, b, m * ucols), Vt = slice(v1, b, vrows * nc), S = slice(s1, b, k);
          expect(orthoError(U, m, ucols)).toBeLessThan(1e-13 * m);
          expect(orthoError(transpose(Vt, vrows, nc), nc, vrows)).toBeLessThan(1e-13 * nc);
          // A = U_k·S·V_kᵀ
          const US = new Float64Array(m * k);
          for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) US[i * k + j] = U[i * ucols + j] * S[j];
          close(mm(US, Vt.subarray(0, k * nc), m, k, nc), slice(a, b, m * nc), 1e-13 * Math.max(m, nc), 'U·S·Vᵀ');
          // Columns agree with the reference's up to sign where σ is well separated.
          const Ur = slice(u2, b, m * ucols), Vr = slice(v2, b, vrows * nc);
          for (let j = 0; j < k; j++) {
            const gap = Math.min(j > 0 ? S[j - 1] - S[j] : Infinity, j < k - 1 ? S[j] - S[j + 1] : Infinity);
            if (gap < 1e-3 * S[0]) continue;
            let du = 0, dv = 0;
            for (let i = 0; i < m; i++) du += U[i * ucols + j] * Ur[i * ucols + j];
            for (let i = 0; i < nc; i++) dv += Vt[j * nc + i] * Vr[j * nc + i];
            expect(Math.abs(Math.abs(du) - 1)).toBeLessThan(1e-8);
            expect(Math.abs(du - dv)).toBeLessThan(1e-8); // the same sign on both sides
          }
        }
      }
      // Values alone: the same s.
      const s3 = new Float64Array(nb * k);
      K.gesvd(a, nb, m, nc, s3, null, null, false);
      close(s3, s1Of(a, nb, m, nc), 1e-13 * Math.max(m, nc), 's alone');
    });
    test('syevd: eigenvalues ascending, vectors up to sign, values alone', () => {
      const a = randn(nb * nn, 19 + n);
      // Only the lower triangle is read: put garbage above it.
      for (let b = 0; b < nb; b++) for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) a[b * nn + i * n + j] = NaN;
      const w1 = new Float64Array(nb * n), w2 = new Float64Array(nb * n), v1 = new Float64Array(nb * nn), v2 = new Float64Array(nb * nn);
      K.syevd(a, nb, n, w1, v1);
      J.syevd(a, nb, n, w2, v2);
      close(w1, w2, 1e-13 * n, 'w');
      for (let b = 0; b < nb; b++) {
        const W = slice(w1, b, n), V = slice(v1, b, nn), Vr = slice(v2, b, nn);
        for (let i = 1; i < n; i++) expect(W[i]).toBeGreaterThanOrEqual(W[i - 1]);
        expect(orthoError(V, n, n)).toBeLessThan(1e-13 * n);
        const VW = V.map((x, i) => x * W[i % n]);
        const A = new Float64Array(nn);
        for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) A[i * n + j] = A[j * n + i] = a[b * nn + i * n + j];
        close(mm(VW, transpose(V, n, n), n, n, n), A, 1e-13 * n, 'V·diag(w)·Vᵀ');
        for (let j = 0; j < n; j++) {
          const gap = Math.min(j > 0 ? W[j] - W[j - 1] : Infinity, j < n - 1 ? W[j + 1] - W[j] : Infinity);
          if (gap < 1e-3 * Math.max(1, Math.abs(W[0]), Math.abs(W[n - 1]))) continue;
          let dv = 0;
          for (let i = 0; i < n; i++) dv += V[i * n + j] * Vr[i * n + j];
          expect(Math.abs(Math.abs(dv) - 1)).toBeLessThan(1e-8);
        }
      }
      const w3 = new Float64Array(nb * n);
      K.syevd(a, nb, n, w3, null);
      close(w3, w1, 1e-13 * n, 'w alone');
    });
  });

  function s1Of(a: Float64Array, nb: number, m: number, n: number): Float64Array {
    const s = new Float64Array(nb * Math.min(m, n));
    J.gesvd(a, nb, m, n, s, null, null, false);
    return s;
  }

  describe('singular, non-positive-definite and rank-deficient input', () => {
    test('getrf reports the first zero pivot as the js does (and skips it)', () => {
      // Exactly singular in column 2 after elimination; a zero column; a zero matrix; batch mix.
      const cases = [
        [2, 0, 0, 0, 3, 0, 1, 1, 0],
        [1, 0, 2, 3, 0, 4, 5, 0, 6],
        [0, 0, 0, 0, 0, 0, 0, 0, 0],
        [4, 2, 1, 2, 1, 3, 8, 4, 2],
      ];
      const a = Float64Array.from(cases.flat()), a2 = a.slice();
      const p1 = new Int32Array(12), p2 = new Int32Array(12), i1 = new Int32Array(4), i2 = new Int32Array(4);
      K.getrf(a, 4, 3, p1, i1);
      J.getrf(a2, 4, 3, p2, i2);
      expect(Array.from(i1)).toEqual(Array.from(i2));
      expect(Array.from(i1)).toEqual([2, 1, 0, 1]);
      expect(Array.from(p1)).toEqual(Array.from(p2));
      close(a, a2, 1e-15, 'LU');
      // A large matrix singular to working precision: its last row 0.7·row0 - 1.3·row1 (normal
      // draws; unequal factors, else once row1 is eliminated the last row's remainder would tie
      // with row0's exactly, and rounding would pick the pivot). The last pivot is noise.
      const n = 70, big = randn(n * n, 5);
      for (let j = 0; j < n; j++) big[(n - 1) * n + j] = 0.7 * big[j] - 1.3 * big[n + j];
      const b1 = big.slice(), b2 = big.slice();
      const q1 = new Int32Array(n), q2 = new Int32Array(n), f1 = new Int32Array(1), f2 = new Int32Array(1);
      K.getrf(b1, 1, n, q1, f1);
      J.getrf(b2, 1, n, q2, f2);
      expect(Array.from(q1)).toEqual(Array.from(q2));
      expect(Math.abs(b1[n * n - 1])).toBeLessThan(1e-10);
    });
    test('potrf reports the leading minor that is not positive (as the js)', () => {
      const n = 70;
      const cases: [Float64Array, number][] = [];
      // A = L·Lᵀ for an integer unit lower triangular L whose diagonal has a 0 at r: every
      // step is exact, so the Schur complement at r is exactly 0 (before, in and after a block).
      for (const r of [2, 40, 66]) {
        const L = new Float64Array(n * n);
        const g = rng(r);
        for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) L[i * n + j] = Math.floor(g() * 3) - 1;
        for (let i = 0; i < n; i++) L[i * n + i] = i === r ? 0 : 1;
        cases.push([mm(L, transpose(L, n, n), n, n, n), r]);
      }
      // A negative diagonal entry at 67 (past the first 64-block), and NaN at 3.
      const D = eye(n); D[67 * n + 67] = -1; cases.push([D, 67]);
      const N = eye(n); N[3 * n + 3] = NaN; cases.push([N, 3]);
      for (const [A, at] of cases) {
        const a1 = A.slice(), a2 = A.slice(), i1 = new Int32Array(1), i2 = new Int32Array(1);
        K.potrf(a1, 1, n, i1);
        J.potrf(a2, 1, n, i2);
        expect(i1[0]).toBe(i2[0]);
        expect(i1[0]).toBe(at);
      }
      const small = Float64Array.from([4, 2, 0, 2, 1, 0, 0, 0, 1]), info = new Int32Array(1);
      K.potrf(small, 1, 3, info);
      expect(info[0]).toBe(1);
    });
    test('gesvd of rank-deficient matrices: zero tail, orthonormal U and V', () => {
      for (const [m, n, r] of [[40, 30, 7], [30, 40, 7], [65, 65, 1], [5, 5, 0]] as const) {
        const A = mm(randn(m * Math.max(r, 1), m + r), randn(Math.max(r, 1) * n, n + r), m, Math.max(r, 1), n).map((v) => (r === 0 ? 0 : v));
        const k = Math.min(m, n);
        for (const full of [false, true]) {
          const ucols = full ? m : k, vrows = full ? n : k;
          const s = new Float64Array(k), u = new Float64Array(m * ucols), vt = new Float64Array(vrows * n), sr = new Float64Array(k);
          K.gesvd(A, 1, m, n, s, u, vt, full);
          J.gesvd(A, 1, m, n, sr, null, null, false);
          close(s, sr, 1e-12 * k, 's');
          for (let i = r; i < k; i++) expect(s[i]).toBeLessThan(1e-12 * Math.max(1, s[0]));
          expect(orthoError(u, m, ucols)).toBeLessThan(1e-12 * m);
          expect(orthoError(transpose(vt, vrows, n), n, vrows)).toBeLessThan(1e-12 * n);
        }
      }
    });
    test('syevd with repeated eigenvalues: values, orthonormal vectors, reconstruction', () => {
      const n = 50;
      const Q = new Float64Array(n * n), tau = new Float64Array(n), M = randn(n * n, 3);
      J.geqrf(M, 1, n, n, tau);
      J.orgqr(M, tau, 1, n, n, n, Q);
      const lam = Array.from({ length: n }, (_, i) => (i < 20 ? 1 : i < 30 ? -2 : i));
      const A = mm(Q.map((x, i) => x * lam[i % n]), transpose(Q, n, n), n, n, n);
      const w = new Float64Array(n), v = new Float64Array(n * n);
      K.syevd(A, 1, n, w, v);
      close(w, Float64Array.from(lam).sort(), 1e-12 * n, 'w');
      expect(orthoError(v, n, n)).toBeLessThan(1e-12 * n);
      close(mm(v.map((x, i) => x * w[i % n]), transpose(v, n, n), n, n, n), A, 1e-12 * n, 'V·diag(w)·Vᵀ');
    });
    test('Hilbert(8): singular values and eigenvalues as accurate as the js reference', () => {
      const n = 8, H = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) H[i * n + j] = 1 / (i + j + 1);
      const s = new Float64Array(n), sr = new Float64Array(n), w = new Float64Array(n), wr = new Float64Array(n);
      K.gesvd(H, 1, n, n, s, null, null, false);
      J.gesvd(H, 1, n, n, sr, null, null, false);
      K.syevd(H, 1, n, w, null);
      J.syevd(H, 1, n, wr, null);
      // σ_min = λ_min = 1.1115389663e-10 (mpmath): relative error well below 1e-5.
      for (let i = 0; i < n; i++) expect(Math.abs(s[i] - sr[i])).toBeLessThan(1e-6 * sr[i]);
      expect(Math.abs(s[7] - 1.111538966e-10) / 1.111538966e-10).toBeLessThan(1e-6);
      expect(Math.abs(w[0] - 1.111538966e-10) / 1.111538966e-10).toBeLessThan(1e-5);
      close(w, wr, 1e-14, 'w');
    });
    test('non-finite input gives NaN from gesvd and syevd', () => {
      const A = Float64Array.from([1, 2, NaN, 4]), s = new Float64Array(2), u = new Float64Array(4), vt = new Float64Array(4);
      K.gesvd(A, 1, 2, 2, s, u, vt, true);
      expect([...s, ...u, ...vt].every(Number.isNaN)).toBe(true);
      const w = new Float64Array(2), v = new Float64Array(4);
      K.syevd(Float64Array.from([1, 0, Infinity, 1]), 1, 2, w, v);
      expect([...w, ...v].every(Number.isNaN)).toBe(true);
      // Inf only above the diagonal is not read.
      K.syevd(Float64Array.from([1, Infinity, 0, 2]), 1, 2, w, v);
      expect(Array.from(w)).toEqual([1, 2]);
    });
    test('empty shapes: zero batch, zero rows or columns', () => {
      K.getrf(new Float64Array(0), 0, 4, new Int32Array(0), new Int32Array(0));
      K.getrf(new Float64Array(0), 2, 0, new Int32Array(0), new Int32Array(2));
      const u = new Float64Array(9), vt = new Float64Array(0);
      K.gesvd(new Float64Array(0), 1, 3, 0, new Float64Array(0), u, vt, true);
      expect(Array.from(u)).toEqual(Array.from(eye(3)));
      const u2 = new Float64Array(0), vt2 = new Float64Array(16);
      K.gesvd(new Float64Array(0), 1, 0, 4, new Float64Array(0), u2, vt2, true);
      expect(Array.from(vt2)).toEqual(Array.from(eye(4)));
      const q = new Float64Array(4);
      K.orgqr(new Float64Array(0), new Float64Array(0), 1, 2, 0, 2, q);
      expect(Array.from(q)).toEqual([1, 0, 0, 1]);
    });
  });

  test('large batches spread over threads give each matrix its own result', () => {
    const nb = 16, n = 20, nn = n * n;
    const a = randn(nb * nn, 77);
    const w = new Float64Array(nb * n), v = new Float64Array(nb * nn);
    K.syevd(a, nb, n, w, v);
    const s = new Float64Array(nb * n);
    K.gesvd(a, nb, n, n, s, null, null, false);
    for (let b = 0; b < nb; b++) {
      const w1 = new Float64Array(n), v1 = new Float64Array(nn), s1 = new Float64Array(n);
      K.syevd(slice(a, b, nn), 1, n, w1, v1);
      K.gesvd(slice(a, b, nn), 1, n, n, s1, null, null, false);
      expect(Array.from(slice(w, b, n))).toEqual(Array.from(w1));
      expect(Array.from(slice(v, b, nn))).toEqual(Array.from(v1));
      expect(Array.from(slice(s, b, n))).toEqual(Array.from(s1));
    }
  });

  test('every ISA path agrees with the js reference', () => {
    const isas = addon.info().isas;
    const initial = addon.info().isa;
    try {
      for (const isa of isas) {
        expect(addon.setIsa(isa)).toBe(true);
        const n = 37, nn = n * n;
        const a = randn(nn, 99);
        const lu = a.slice(), lr = a.slice(), p1 = new Int32Array(n), p2 = new Int32Array(n), i1 = new Int32Array(1), i2 = new Int32Array(1);
        K.getrf(lu, 1, n, p1, i1);
        J.getrf(lr, 1, n, p2, i2);
        expect(Array.from(p1)).toEqual(Array.from(p2));
        close(lu, lr, 1e-10, `LU on ${isa}`);
        const s = new Float64Array(n), sr = new Float64Array(n), u = new Float64Array(nn), vt = new Float64Array(nn);
        K.gesvd(a, 1, n, n, s, u, vt, false);
        J.gesvd(a, 1, n, n, sr, null, null, false);
        close(s, sr, 1e-12, `s on ${isa}`);
        expect(orthoError(u, n, n)).toBeLessThan(1e-12);
        const w = new Float64Array(n), wr = new Float64Array(n), v = new Float64Array(nn);
        K.syevd(a, 1, n, w, v);
        J.syevd(a, 1, n, wr, null);
        close(w, wr, 1e-12, `w on ${isa}`);
        expect(orthoError(v, n, n)).toBeLessThan(1e-12);
      }
    } finally {
      addon.setIsa(initial);
    }
  });
});

(hasCpu ? describe : describe.skip)('the N-API boundary of the linalg kernels', () => {
  const f64 = (n: number) => new Float64Array(n), i32 = (n: number) => new Int32Array(n);
  /** The raw addon throws a plain Error "<kernel>: …"; through the table, a TensileError. */
  function rejects(kernel: keyof LinalgKernels, args: unknown[], pattern: RegExp): void {
    let raw: unknown;
    try { (addon as Any)[kernel](...args); } catch (e) { raw = e; }
    if (raw === undefined) throw new Error(`${kernel}(${args.map(String).join(', ')}) did not throw`);
    expect(Object.prototype.toString.call(raw)).toBe('[object Error]');
    expect((raw as Error).message.startsWith(`${kernel}: `)).toBe(true);
    expect((raw as Error).message).toMatch(pattern);
    let wrapped: unknown;
    try { (linalgKernels('cpu', 'test') as Any)[kernel](...args); } catch (e) { wrapped = e; }
    expect(wrapped).toBeInstanceOf(TensileError);
    expect((wrapped as TensileError).op).toBe(kernel);
    expect((wrapped as TensileError).message).toMatch(pattern);
  }

  test('arrays too short for the sizes', () => {
    rejects('getrf', [f64(8), 1, 3, i32(3), i32(1)], /'a' has 8 elements, needs 9/);
    rejects('getrf', [f64(18), 2, 3, i32(5), i32(2)], /'piv' has 5 elements, needs 6/);
    rejects('getrf', [f64(18), 2, 3, i32(6), i32(1)], /'info' has 1 elements, needs 2/);
    rejects('getrs', [f64(9), i32(3), f64(5), 1, 3, 2, false], /'b' has 5 elements, needs 6/);
    rejects('potrf', [f64(3), 1, 2, i32(1)], /'a' has 3 elements, needs 4/);
    rejects('trtrs', [f64(4), f64(3), 1, 2, 2, false, false, false], /'b' has 3 elements, needs 4/);
    rejects('geqrf', [f64(6), 1, 3, 2, f64(1)], /'tau' has 1 elements, needs 2/);
    rejects('orgqr', [f64(6), f64(2), 1, 3, 2, 3, f64(8)], /'q' has 8 elements, needs 9/);
    rejects('gesvd', [f64(6), 1, 3, 2, f64(2), f64(8), f64(4), true], /'u' has 8 elements, needs 9/);
    rejects('gesvd', [f64(6), 1, 3, 2, f64(2), f64(6), f64(3), false], /'vt' has 3 elements, needs 4/);
    rejects('gesvd', [f64(6), 1, 3, 2, f64(1), null, null, false], /'s' has 1 elements, needs 2/);
    rejects('syevd', [f64(4), 1, 2, f64(2), f64(3)], /'v' has 3 elements, needs 4/);
    rejects('syevd', [f64(4), 1, 2, f64(1), null], /'w' has 1 elements, needs 2/);
  });
  test('negative, fractional, non-number and oversized sizes', () => {
    rejects('getrf', [f64(9), 1, -3, i32(3), i32(1)], /'n' must not be negative, got -3/);
    rejects('getrf', [f64(9), -1, 3, i32(3), i32(1)], /'batch' must not be negative/);
    rejects('potrf', [f64(9), 1, 1.5, i32(1)], /'n' must be an integer, got 1.5/);
    rejects('potrf', [f64(9), 1, NaN, i32(1)], /'n' must be an integer, got nan/);
    rejects('syevd', [f64(9), 1, '3', f64(3), null], /'n' must be a number/);
    rejects('geqrf', [f64(9), 1, 2 ** 31, 1, f64(1)], /'m' must be below 2\^31/);
    // Each size fits, the product does not: no wrap-around to a small count.
    rejects('getrf', [f64(9), 2 ** 31 - 1, 2 ** 31 - 1, i32(3), i32(1)], /sizes too large/);
    rejects('orgqr', [f64(6), f64(2), 1, 3, 2, 4, f64(12)], /'cols' is 4, but Q has only 3 columns/);
  });
  test('wrong array types and missing arrays', () => {
    rejects('getrf', [new Float32Array(9), 1, 3, i32(3), i32(1)], /'a' must be a Float64Array/);
    rejects('getrf', [f64(9), 1, 3, f64(3), i32(1)], /'piv' must be an Int32Array/);
    rejects('potrf', [[1, 0, 0, 1], 1, 2, i32(1)], /'a' must be a Float64Array/);
    rejects('geqrf', [f64(6), 1, 3, 2, null], /'tau' must be a Float64Array/);
    rejects('gesvd', [f64(4), 1, 2, 2, f64(2), new Float32Array(4), null, false], /'u' must be a Float64Array or null/);
    rejects('trtrs', [f64(4), f64(4), 1, 2, 2, 0, false, false], /'upper' must be a boolean/);
    rejects('syevd', [f64(4), 1, 2, f64(2)], /'v' is missing/);
  });
  test('pivots out of range are refused before any row is touched', () => {
    const b = Float64Array.from([1, 2, 3]);
    rejects('getrs', [f64(9), Int32Array.from([0, 7, 2]), b, 1, 3, 1, false], /'piv' holds 7 at 1, outside 0..2/);
    rejects('getrs', [f64(9), Int32Array.from([-1, 1, 2]), b, 1, 3, 1, true], /'piv' holds -1 at 0/);
    expect(Array.from(b)).toEqual([1, 2, 3]);
  });
  test('a detached buffer counts as empty', () => {
    const a = new Float64Array(9);
    structuredClone(a.buffer, { transfer: [a.buffer] });
    rejects('getrf', [a, 1, 3, i32(3), i32(1)], /'a' has 0 elements, needs 9/);
  });
});

if (!hasCpu) {
  test('native linalg needs the cpu backend', () => {
    if (process.env.TENSILE_REQUIRE_NATIVE === '1') throw new Error(`TENSILE_REQUIRE_NATIVE=1, but cpu is unavailable: ${unavailableReason('cpu')}`);
    console.log(`linalg-native: the cpu backend is unavailable (${unavailableReason('cpu')})`);
  });
}

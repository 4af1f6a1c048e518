/**
 * The dense float64 routines under tn.ml's closed-form and smooth solvers: host matrices wrapped
 * as js/cpu tensors so products run on the backend's GEMM (the native one on cpu, the js oracle
 * on js), and Cholesky, QR and SVD through the tn.linalg kernel table (native on cpu, the js
 * reference routines on js). Estimators keep their data as row-major Float64Arrays; these
 * helpers take and return such arrays.
 */
import type { DeviceName } from '../backends/backend.js';
import { linalgKernels } from '../linalg/kernels.js';
import { tensor } from '../ops/creation.js';
import { matmulT } from '../ops/matmul.js';
import { tidy } from '../memory.js';
import type { Tensor } from '../tensor.js';

const EPS = 2.220446049250313e-16;

/** A float64 tensor holding a copy of host data (row-major). */
export function asTensor(data: Float64Array, shape: readonly number[], device: DeviceName): Tensor {
  return tensor(data, { dtype: 'float64', shape, device });
}

/**
 * The elements of a contiguous js/cpu float64 tensor as its own storage array, without a copy:
 * valid only until the tensor is disposed (its storage is then recycled), so callers read it
 * at once or copy it. Writing through it changes the tensor.
 */
export function peek(t: Tensor): Float64Array {
  const v = t.hostView();
  // A copy where there is no host view (not reached from tn.ml: its tensors are contiguous
  // float64 on js/cpu), rather than a failure.
  return v instanceof Float64Array ? v : Float64Array.from(t.dataSync());
}

/** Column means of a row-major [rows, cols] matrix. */
export function columnMeans(a: Float64Array, rows: number, cols: number): Float64Array {
  const mean = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    for (let j = 0; j < cols; j++) mean[j] += a[o + j];
  }
  for (let j = 0; j < cols; j++) mean[j] /= rows;
  return mean;
}

/** a − mean (column-wise), a new array. */
export function centered(a: Float64Array, rows: number, cols: number, mean: Float64Array): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    for (let j = 0; j < cols; j++) out[o + j] = a[o + j] - mean[j];
  }
  return out;
}

/** [n, k] → [k, n]. */
export function transpose(a: Float64Array, n: number, k: number): Float64Array {
  const out = new Float64Array(n * k);
  for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) out[c * n + i] = a[i * k + c];
  return out;
}

/**
 * op(A)·op(B) for tensors on one device through the backend's GEMM (no transposes
 * materialised), returned as a host array of the [rows, cols] result.
 */
export function product(a: Tensor, b: Tensor, transA: boolean, transB: boolean): Float64Array {
  return tidy(() => peek(matmulT(a, b, transA, transB)).slice());
}

/**
 * Solves A·X = B for symmetric positive definite A [n, n] (only its lower triangle is read; it
 * is overwritten) and B [n, k], by the linalg kernels' potrf and two trtrs. Returns null when a
 * pivot is not safely positive: L[j,j]² <= n·eps·max A[i,i], where LAPACK's potrf would fail
 * or lose all accuracy (the caller falls back to the SVD).
 */
export function choleskySolve(a: Float64Array, n: number, b: Float64Array, k: number, device: DeviceName = 'js'): Float64Array | null {
  const K = linalgKernels(device, 'choleskySolve');
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, a[i * n + i]);
  const tiny = n * EPS * maxDiag;
  const info = new Int32Array(1);
  K.potrf(a, 1, n, info);
  if (info[0] !== -1) return null;
  for (let j = 0; j < n; j++) if (!(a[j * n + j] * a[j * n + j] > tiny)) return null;
  const x = Float64Array.from(b);
  K.trtrs(a, x, 1, n, k, false, false, false);   // L·z = b
  K.trtrs(a, x, 1, n, k, false, false, true);    // Lᵀ·x = z
  return x;
}

/** A thin SVD A = U·diag(S)·Vᵀ with r = min(m, n): U [m, r], S [r] descending, V [n, r], row-major. */
export interface ThinSvd { U: Float64Array; S: Float64Array; V: Float64Array; r: number }

/**
 * Thin SVD of a row-major [m, n] matrix. Tall matrices (m > n) go through Householder QR first
 * and the SVD of the n×n factor R (U = Q·U_R), as LAPACK's drivers do when m >> n: the
 * bidiagonalisation then runs on n×n instead of m×n. Q is applied as its reflectors.
 */
export function svdThin(a: Float64Array, m: number, n: number, device: DeviceName = 'js'): ThinSvd {
  const K = linalgKernels(device, 'svd');
  const r = Math.min(m, n);
  const S = new Float64Array(r), vt = new Float64Array(r * n);
  if (m <= n) {
    const U = new Float64Array(m * r);
    K.gesvd(a, 1, m, n, S, U, vt, false);
    return { U, S, V: transpose(vt, r, n), r };
  }
  const f = Float64Array.from(a), tau = new Float64Array(n);
  K.geqrf(f, 1, m, n, tau);
  const R = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) R[i * n + j] = f[i * n + j];
  const ur = new Float64Array(n * n);
  K.gesvd(R, 1, n, n, S, ur, vt, false);
  // U = Q·[U_R; 0]: the reflectors H_{n−1}…H_0 applied in reverse order to each column.
  const U = new Float64Array(m * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) U[i * n + j] = ur[i * n + j];
  applyQ(f, tau, m, n, U, n, false);
  return { U, S, V: transpose(vt, n, n), r };
}

/**
 * B ← Q·B (transposed: Qᵀ·B) for the Q of geqrf's output f [m, n] (LAPACK's convention:
 * H_k = I − τ_k·v·vᵀ, v_k = 1, v below the diagonal of column k) and B [m, k] row-major.
 */
function applyQ(f: Float64Array, tau: Float64Array, m: number, n: number, b: Float64Array, k: number, trans: boolean): void {
  const s = new Float64Array(k);
  for (let step = 0; step < n; step++) {
    const c = trans ? step : n - 1 - step;
    const t = tau[c];
    if (t === 0) continue;
    for (let j = 0; j < k; j++) s[j] = b[c * k + j];
    for (let i = c + 1; i < m; i++) {
      const v = f[i * n + c];
      for (let j = 0; j < k; j++) s[j] += v * b[i * k + j];
    }
    for (let j = 0; j < k; j++) { s[j] *= t; b[c * k + j] -= s[j]; }
    for (let i = c + 1; i < m; i++) {
      const v = f[i * n + c];
      for (let j = 0; j < k; j++) b[i * k + j] -= v * s[j];
    }
  }
}

/**
 * V·diag(f(s))·Uᵀ·B for B [m, k]: the SVD solutions of least squares (f = 1/s) and ridge
 * (f = s/(s² + α)). Tall A is factored as Q·R first, so Uᵀ·B = U_Rᵀ·(Qᵀ·B) and the m×n U is
 * never formed. Returns X [n, k] and the singular values.
 */
export function svdSolve(a: Float64Array, m: number, n: number, b: Float64Array, k: number, f: (s: number, sMax: number) => number, device: DeviceName = 'js'): { x: Float64Array; singular: Float64Array } {
  let U: Float64Array, S: Float64Array, V: Float64Array, r: number, utb: Float64Array;
  if (m > n) {
    const K = linalgKernels(device, 'svd');
    const fq = Float64Array.from(a), tau = new Float64Array(n);
    K.geqrf(fq, 1, m, n, tau);
    const qtb = Float64Array.from(b);
    applyQ(fq, tau, m, n, qtb, k, true);
    const R = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = i; j < n; j++) R[i * n + j] = fq[i * n + j];
    r = n; S = new Float64Array(n); U = new Float64Array(n * n);
    const vt = new Float64Array(n * n);
    K.gesvd(R, 1, n, n, S, U, vt, false);
    V = transpose(vt, n, n);
    utb = projectT(U, n, r, qtb, k);            // only the first n rows of Qᵀ·B meet U_R
  } else {
    ({ U, S, V, r } = svdThin(a, m, n, device));
    utb = projectT(U, m, r, b, k);
  }
  const sMax = S[0] ?? 0;
  for (let j = 0; j < r; j++) {
    const fj = f(S[j], sMax);
    for (let c = 0; c < k; c++) utb[j * k + c] = fj === 0 ? 0 : utb[j * k + c] * fj;
  }
  const x = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let j = 0; j < r; j++) s += V[i * r + j] * utb[j * k + c];
      x[i * k + c] = s;
    }
  }
  return { x, singular: S };
}

/** Uᵀ·B for U [rows, r] (its first `rows` rows) and B [≥rows, k]: [r, k]. */
function projectT(U: Float64Array, rows: number, r: number, b: Float64Array, k: number): Float64Array {
  const out = new Float64Array(r * k);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < r; j++) {
      const u = U[i * r + j];
      for (let c = 0; c < k; c++) out[j * k + c] += u * b[i * k + c];
    }
  }
  return out;
}

/**
 * Minimum-norm least squares min ‖A·X − B‖ for A [m, n], B [m, k]. Singular values below
 * max(m, n)·eps·s_max count as zero: numpy.linalg.lstsq's default. (scipy's gelsd, which
 * scikit-learn calls, cuts at eps·s_max, below the rounding noise of an exactly dependent
 * column, ~eps·s_max itself, so which side such a value lands on is chance; the wider
 * cutoff decides rank deficiency reliably and differs from scipy only for condition numbers
 * between 1/(max(m, n)·eps) and 1/eps.) Returns X [n, k], the rank and the singular values.
 */
export function lstsqMinNorm(a: Float64Array, m: number, n: number, b: Float64Array, k: number, device: DeviceName = 'js'): { x: Float64Array; rank: number; singular: Float64Array } {
  const cut = (s: number, sMax: number) => Math.max(m, n) * EPS * sMax < s;
  const { x, singular } = svdSolve(a, m, n, b, k, (s, sMax) => (cut(s, sMax) ? 1 / s : 0), device);
  let rank = 0;
  for (const s of singular) if (cut(s, singular[0])) rank++;
  return { x, rank, singular };
}

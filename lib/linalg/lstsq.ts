/**
 * Least squares and the pseudo-inverse: lstsq, pinv, matrixRank. SVD based by default, so
 * rank-deficient problems get the minimum-norm solution (LAPACK's gelsd); lstsq's 'qr' driver
 * is the faster full-rank path (gels). Tolerances follow torch.linalg.
 */
import { TensileError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { type TensorLike, add, matmul, matmulT, neg, record, square, squeeze, sub, sum, unsqueeze } from '../ops/index.js';
import {
  batchOf, count, epsOf, expandBatch, floatArg, fromF64, fromInt, hasNonFinite, kernelsFor, mT, matrixArg, promotePair, read64,
} from './batch.js';

export interface LstsqOptions {
  /** Singular values <= rcond·σ_max count as zero (default: the dtype's eps × max(m, n)). */
  rcond?: number;
  /** 'svd' (default; any rank, minimum-norm) or 'qr' (full rank only; throws otherwise). */
  driver?: 'svd' | 'qr';
}

export interface LstsqResult {
  /** X minimising ‖A·X - B‖ (of least norm when A is rank deficient): [..., n, k] or [..., n]. */
  solution: Tensor;
  /** ‖A·X - B‖² per column, when m > n and every A has full rank; else an empty tensor. */
  residuals: Tensor;
  /** The effective rank of each A (int32, batch shape). */
  rank: Tensor;
  /** A's singular values (driver 'svd'), descending; empty for 'qr'. */
  singularValues: Tensor;
}

/**
 * Least-squares solution of A·X ≈ B, as torch.linalg.lstsq (names of the result included). A is
 * [..., m, n], B [..., m, k] or [..., m]; batch dims broadcast. Differentiable in A and B where
 * the rank is locally constant (full-rank A in particular), through the pseudo-inverse.
 * @example const { solution } = tn.linalg.lstsq(X, y);
 */
export function lstsq(Ain: TensorLike, Bin: TensorLike, opts: LstsqOptions = {}): LstsqResult {
  const op = 'lstsq';
  const driver = opts.driver ?? 'svd';
  if (driver !== 'svd' && driver !== 'qr') throw new TensileError(op, `option 'driver' must be 'svd' or 'qr', got ${String(driver)}`);
  const [A, B0] = promotePair(op, ['A', 'B'], matrixArg(op, 'A', Ain), floatArg(op, 'B', Bin));
  const K = kernelsFor(op, A);
  const m = A.shape[A.rank - 2], n = A.shape[A.rank - 1], p = Math.min(m, n);
  const vector = B0.rank === 1 || (B0.rank === A.rank - 1 && B0.shape.every((d, i) => d === A.shape[i]));
  const B = vector ? unsqueeze(B0, -1) : B0;
  if (B.rank < 2) throw new TensileError(op, `argument 'B' must be a vector or a matrix batch, got shape ${fmtShape(B0.shape)}`);
  if (B.shape[B.rank - 2] !== m) throw new TensileError(op, `'B' has ${B.shape[B.rank - 2]} rows but 'A' has ${m} (shapes ${fmtShape(A.shape)} and ${fmtShape(B0.shape)})`);
  const rcond = opts.rcond ?? epsOf(A.dtype) * Math.max(m, n);
  if (typeof rcond !== 'number' || !(rcond >= 0)) throw new TensileError(op, `option 'rcond' must be a non-negative number, got ${String(rcond)}`);
  const batch = batchOf(op, ['A', 'B'], A, B);
  const Ae = expandBatch(A, batch), Be = expandBatch(B, batch);
  const nb = count(batch), k = B.shape[B.rank - 1];
  const a = read64(Ae), b = read64(Be);
  const x = new Float64Array(nb * n * k);
  const rank = new Int32Array(nb);
  let singularValues: Tensor;
  if (driver === 'svd') {
    const s = new Float64Array(nb * p), u = new Float64Array(nb * m * p), vt = new Float64Array(nb * p * n);
    K.gesvd(a, nb, m, n, s, u, vt, false);
    for (let t = 0; t < nb; t++) rank[t] = solveSvd(s, u, vt, b, x, t, m, n, k, rcond);
    singularValues = fromF64(A, s, [...batch, p]);
  } else {
    solveQr(op, K, a, b, x, nb, m, n, k, rcond, batch);
    rank.fill(p);
    singularValues = fromF64(A, new Float64Array(0), [0]);
  }
  const X = fromF64(Ae, x, [...batch, n, k]);
  record(X, op, [Ae, Be], (g) => {
    // X = A⁺·B: dB = A⁺ᵀ·G, and dA from the pseudo-inverse's gradient with dA⁺ = G·Bᵀ.
    const P = pinvCore('lstsq (backward)', Ae, { rtol: rcond });
    return [Ae.requiresGrad ? pinvBackward(matmulT(g, Be, false, true), P, Ae) : null, matmulT(P, g, true, false)];
  });
  const full = m > n && rank.every((r) => r === n);
  let residuals = full ? sum(square(sub(matmul(Ae, X), Be)), -2) : fromF64(A, new Float64Array(0), [0]);
  if (full && vector) residuals = squeeze(residuals, -1);
  return { solution: vector ? squeeze(X, -1) : X, residuals, rank: fromInt(A, rank, batch), singularValues };
}

/** X = V·diag(1/σ_i for σ_i > rcond·σ_max)·Uᵀ·B for matrix t of the batch; returns the rank. */
function solveSvd(s: Float64Array, u: Float64Array, vt: Float64Array, b: Float64Array, x: Float64Array, t: number, m: number, n: number, k: number, rcond: number): number {
  const p = Math.min(m, n);
  const os = t * p, ou = t * m * p, ov = t * p * n, ob = t * m * k, ox = t * n * k;
  const tol = rcond * (p > 0 ? s[os] : 0);
  if (Number.isNaN(tol)) { x.fill(NaN, ox, ox + n * k); return 0; } // non-finite A
  let r = 0;
  while (r < p && s[os + r] > tol) r++;
  const c = new Float64Array(k);
  for (let l = 0; l < r; l++) {
    // c = (u_lᵀ·B) / σ_l, then X += v_l·c.
    c.fill(0);
    for (let i = 0; i < m; i++) {
      const uil = u[ou + i * p + l];
      for (let j = 0; j < k; j++) c[j] += uil * b[ob + i * k + j];
    }
    const inv = 1 / s[os + l];
    for (let i = 0; i < n; i++) {
      const vil = vt[ov + l * n + i] * inv;
      for (let j = 0; j < k; j++) x[ox + i * k + j] += vil * c[j];
    }
  }
  return r;
}

/**
 * Full-rank least squares by Householder QR (LAPACK's gels): m >= n: X = R⁻¹·Qᵀ·B; m < n:
 * Aᵀ = Q·R and the minimum-norm X = Q·R⁻ᵀ·B. Throws when |R[i,i]| <= rcond·max|R[j,j]|.
 */
function solveQr(op: string, K: ReturnType<typeof kernelsFor>, a: Float64Array, b: Float64Array, x: Float64Array,
  nb: number, m: number, n: number, k: number, rcond: number, batch: readonly number[]): void {
  const tall = m >= n;
  const M = tall ? m : n, N = tall ? n : m;
  const f = new Float64Array(M * N), tau = new Float64Array(N), q = new Float64Array(M * N), r = new Float64Array(N * N);
  for (let t = 0; t < nb; t++) {
    const oa = t * m * n;
    if (hasNonFinite(a, t, m * n)) { x.fill(NaN, t * n * k, (t + 1) * n * k); continue; }
    if (tall) f.set(a.subarray(oa, oa + m * n));
    else for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) f[j * m + i] = a[oa + i * n + j];
    K.geqrf(f, 1, M, N, tau);
    K.orgqr(f, tau, 1, M, N, N, q);
    r.fill(0);
    let dmax = 0;
    for (let i = 0; i < N; i++) { for (let j = i; j < N; j++) r[i * N + j] = f[i * N + j]; dmax = Math.max(dmax, Math.abs(r[i * N + i])); }
    for (let i = 0; i < N; i++) {
      if (!(Math.abs(r[i * N + i]) > rcond * dmax)) {
        const where = batch.length ? ` (batch element ${t})` : '';
        throw new TensileError(op, `A is rank deficient: |R[${i},${i}]| = ${Math.abs(r[i * N + i]).toExponential(2)} <= rcond·max|R[j,j]|${where}; use driver 'svd'`);
      }
    }
    const ob = t * m * k, ox = t * n * k;
    if (tall) {
      // c = Qᵀ·B (n × k), then R·X = c.
      const c = new Float64Array(n * k);
      for (let i = 0; i < m; i++) for (let l = 0; l < n; l++) { const qil = q[i * n + l]; for (let j = 0; j < k; j++) c[l * k + j] += qil * b[ob + i * k + j]; }
      K.trtrs(r, c, 1, n, k, true, false, false);
      x.set(c, ox);
    } else {
      // Rᵀ·Y = B (m × k), then X = Q·Y (Q is n × m).
      const y = Float64Array.from(b.subarray(ob, ob + m * k));
      K.trtrs(r, y, 1, m, k, true, false, true);
      for (let i = 0; i < n; i++) for (let l = 0; l < m; l++) { const qil = q[i * m + l]; for (let j = 0; j < k; j++) x[ox + i * k + j] += qil * y[l * k + j]; }
    }
  }
}

export interface RankTolerance {
  /** Absolute tolerance on singular values (default 0). */
  atol?: number;
  /** Relative to σ_max (default: eps × max(m, n) when atol is not given, else 0). */
  rtol?: number;
  /** A is symmetric: use its eigenvalues (lower triangle) instead of an SVD. */
  hermitian?: boolean;
}

function tolerance(op: string, o: RankTolerance, dtype: Tensor['dtype'], m: number, n: number): { atol: number; rtol: number } {
  for (const k of ['atol', 'rtol'] as const) {
    const v = o[k];
    if (v !== undefined && (typeof v !== 'number' || !(v >= 0))) throw new TensileError(op, `option '${k}' must be a non-negative number, got ${String(v)}`);
  }
  const atol = o.atol ?? 0;
  const rtol = o.rtol ?? (o.atol !== undefined && o.atol > 0 ? 0 : epsOf(dtype) * Math.max(m, n));
  return { atol, rtol };
}

/**
 * Singular values, descending, or (hermitian) eigenvalues, ascending and signed, of each matrix
 * (batch × p), with the factors the pseudo-inverse needs: u, vt of a thin SVD, or the
 * eigenvectors in u.
 */
function spectrum(op: string, A: Tensor, hermitian: boolean, vectors: boolean) {
  const K = kernelsFor(op, A);
  const m = A.shape[A.rank - 2], n = A.shape[A.rank - 1], p = Math.min(m, n);
  const nb = count(A.shape.slice(0, -2));
  const a = read64(A);
  if (!hermitian) {
    const s = new Float64Array(nb * p);
    const u = vectors ? new Float64Array(nb * m * p) : null, vt = vectors ? new Float64Array(nb * p * n) : null;
    K.gesvd(a, nb, m, n, s, u, vt, false);
    return { values: s, u, vt, m, n, p, nb };
  }
  if (m !== n) throw new TensileError(op, `hermitian: true needs square matrices, got shape ${fmtShape(A.shape)}`);
  const w = new Float64Array(nb * n), v = vectors ? new Float64Array(nb * n * n) : null;
  K.syevd(a, nb, n, w, v);
  return { values: w, u: v, vt: null, m, n, p, nb };
}

/** max |values| of matrix b. */
function largest(values: Float64Array, b: number, p: number): number {
  let mx = 0;
  for (let i = 0; i < p; i++) mx = Math.max(mx, Math.abs(values[b * p + i]));
  return mx;
}

function pinvCore(op: string, A: Tensor, o: RankTolerance): Tensor {
  const { atol, rtol } = tolerance(op, o, A.dtype, A.shape[A.rank - 2], A.shape[A.rank - 1]);
  const hermitian = !!o.hermitian;
  const sp = spectrum(op, A, hermitian, true);
  const { m, n, p, nb } = sp;
  const out = new Float64Array(nb * n * m);
  for (let b = 0; b < nb; b++) {
    const tol = Math.max(atol, rtol * largest(sp.values, b, p));
    if (Number.isNaN(tol)) { out.fill(NaN, b * n * m, (b + 1) * n * m); continue; } // non-finite A
    for (let l = 0; l < p; l++) {
      const val = sp.values[b * p + l];
      if (!(Math.abs(val) > tol)) continue;
      const inv = 1 / val;
      // SVD: P += v_l·u_lᵀ / σ_l (v_l = row l of Vh); eigh: P += v_l·v_lᵀ / λ_l (column l of V).
      for (let i = 0; i < n; i++) {
        const xi = (hermitian ? sp.u![b * n * n + i * n + l] : sp.vt![b * p * n + l * n + i]) * inv;
        if (xi === 0) continue;
        for (let j = 0; j < m; j++) out[b * n * m + i * m + j] += xi * sp.u![b * m * p + j * p + l];
      }
    }
  }
  const P = fromF64(A, out, [...A.shape.slice(0, -2), n, m]);
  return record(P, 'pinv', [A], (g) => [pinvBackward(g, P, A)]);
}

/**
 * The Moore–Penrose pseudo-inverse (batched), as torch.linalg.pinv: from the SVD, singular
 * values <= max(atol, rtol·σ_max) treated as zero. Differentiable where the rank is locally
 * constant (torch's formula, Golub & Pereyra 1973).
 * @example tn.linalg.pinv([[1, 2], [2, 4]]) // rank 1: [[0.04, 0.08], [0.08, 0.16]]
 */
export function pinv(Ain: TensorLike, opts: RankTolerance = {}): Tensor {
  return pinvCore('pinv', matrixArg('pinv', 'A', Ain), opts);
}

/**
 * The pseudo-inverse's backward (torch's pinv_backward), with P = A⁺ and G = dP, arranged so
 * the inner products are of the smaller dimension.
 */
function pinvBackward(g: Tensor, P: Tensor, A: Tensor): Tensor {
  const m = A.shape[A.rank - 2], n = A.shape[A.rank - 1];
  const Ph = mT(P), gh = mT(g);
  if (m <= n) {
    const K = matmul(gh, P);
    const KPh = matmul(K, Ph);
    return add(sub(add(neg(mT(matmul(P, K))), KPh), matmul(matmul(A, P), KPh)), matmul(matmul(Ph, P), sub(gh, matmul(K, A))));
  }
  const K = matmul(P, gh);
  const PhK = matmul(Ph, K);
  return sub(add(add(neg(mT(matmul(K, P))), matmul(matmul(sub(gh, matmul(A, K)), P), Ph)), PhK), matmul(matmul(PhK, P), A));
}

/**
 * The numerical rank of each matrix (int32, batch shape), as torch.linalg.matrix_rank: the
 * number of singular values (|eigenvalues| when hermitian) above max(atol, rtol·σ_max).
 * @example tn.linalg.matrixRank([[1, 2], [2, 4]]) // 1
 */
export function matrixRank(Ain: TensorLike, opts: RankTolerance = {}): Tensor {
  const op = 'matrixRank';
  const A = matrixArg(op, 'A', Ain);
  const { atol, rtol } = tolerance(op, opts, A.dtype, A.shape[A.rank - 2], A.shape[A.rank - 1]);
  const { values, p, nb } = spectrum(op, A, !!opts.hermitian, false);
  const r = new Int32Array(nb);
  for (let b = 0; b < nb; b++) {
    const tol = Math.max(atol, rtol * largest(values, b, p));
    for (let i = 0; i < p; i++) if (Math.abs(values[b * p + i]) > tol) r[b]++;
  }
  return fromInt(A, r, A.shape.slice(0, -2));
}

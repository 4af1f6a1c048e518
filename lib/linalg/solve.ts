/**
 * Linear systems and the LU / Cholesky family: solve, triangularSolve, inv, det, slogdet,
 * cholesky, choleskySolve, lu, luSolve. Each op reads its matrices as float64, calls the
 * device's LinalgKernels, and records a backward written with tensile ops (so gradients can be
 * differentiated again). Batched over leading dims; float32 and float64, computed in float64.
 */
import { TensileError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { type TensorLike, add, cast, matmul, matmulT, mul, neg, record, sameDevice, squeeze, toTensor, unsqueeze } from '../ops/index.js';
import type { LinalgKernels } from './kernels.js';
import {
  batchOf, count, expandBatch, floatArg, fromF64, fromInt, hasNonFinite, kernelsFor, mT, matrixArg, promotePair, read64,
  tril, triu, whereInBatch,
} from './batch.js';

const EPS = 2 ** -52;

/**
 * getrf over a batch, then the singularity check the solvers share: a pivot with |U[k,k]| <=
 * n·eps·max|a_ij| means A is within rounding of a singular matrix (|L| <= 1 under partial
 * pivoting, so zeroing that pivot moves A by at most √n·|U[k,k]|). LAPACK flags exact zeros
 * only; this also catches [[1,2,3],[4,5,6],[7,8,9]], whose last pivot is rounding noise.
 * Matrices with NaN or ±inf entries are not checked; their results are NaN.
 */
function luChecked(op: string, K: LinalgKernels, a: Float64Array, batchShape: readonly number[], n: number): { piv: Int32Array; nonFinite: number[] } {
  const nb = count(batchShape), nn = n * n;
  const nonFinite: number[] = [];
  const scale = new Float64Array(nb);
  for (let b = 0; b < nb; b++) {
    if (hasNonFinite(a, b, nn)) { nonFinite.push(b); continue; }
    let s = 0;
    for (let i = b * nn; i < (b + 1) * nn; i++) s = Math.max(s, Math.abs(a[i]));
    scale[b] = s;
  }
  const piv = new Int32Array(nb * n), info = new Int32Array(nb);
  K.getrf(a, nb, n, piv, info);
  const skip = new Set(nonFinite);
  for (let b = 0; b < nb; b++) {
    if (skip.has(b)) continue;
    const tol = n * EPS * scale[b];
    for (let k = 0; k < n; k++) {
      const u = a[b * nn + k * n + k];
      if (Math.abs(u) > tol) continue;
      const where = whereInBatch(batchShape, b);
      if (u === 0) throw new TensileError(op, `the matrix is singular (zero pivot at ${k}${where})`);
      throw new TensileError(op, `the matrix is singular to working precision (pivot at ${k} is ${u.toExponential(2)}, below n·eps·max|a_ij| = ${tol.toExponential(2)}${where})`);
    }
  }
  return { piv, nonFinite };
}

function fillNaN(x: Float64Array, which: readonly number[], size: number): void {
  for (const b of which) x.fill(NaN, b * size, (b + 1) * size);
}

function checkRows(op: string, A: Tensor, B: Tensor, n: number): void {
  if (B.shape[B.rank - 2] !== n) {
    throw new TensileError(op, `'B' has ${B.shape[B.rank - 2]} rows but 'A' is ${n}×${n} (shapes ${fmtShape(A.shape)} and ${fmtShape(B.shape)})`);
  }
}

/** X = A⁻¹·B for same-dtype matrix batches (batch dims broadcast). */
function solveMatrices(op: string, A: Tensor, B: Tensor): Tensor {
  const K = kernelsFor(op, A);
  const n = A.shape[A.rank - 1], k = B.shape[B.rank - 1];
  checkRows(op, A, B, n);
  const batch = batchOf(op, ['A', 'B'], A, B);
  const Ae = expandBatch(A, batch), Be = expandBatch(B, batch);
  const a = read64(Ae), b = read64(Be);
  const { piv, nonFinite } = luChecked(op, K, a, batch, n);
  K.getrs(a, piv, b, count(batch), n, k, false);
  fillNaN(b, nonFinite, n * k);
  const X = fromF64(Ae, b, [...batch, n, k]);
  // X = A⁻¹B: dB = A⁻ᵀ·G, dA = -dB·Xᵀ.
  return record(X, 'solve', [Ae, Be], (g) => {
    const gB = solveMatrices(`${op} (backward)`, mT(Ae), g);
    return [Ae.requiresGrad ? neg(matmulT(gB, X, false, true)) : null, gB];
  });
}

/**
 * Solves A·X = B (or X·A = B with `left: false`) for square A, as torch.linalg.solve. B is a
 * matrix batch [..., n, k] or a vector batch [..., n] (a 1-D B, or B's shape equal to A's less
 * its last dim); batch dims broadcast. LU with partial pivoting; throws a TensileError naming
 * the pivot when A is singular (to working precision). Differentiable in A and B.
 * @example tn.linalg.solve([[3, 1], [1, 2]], [9, 8]) // [2, 3]
 */
export function solve(Ain: TensorLike, Bin: TensorLike, opts: { left?: boolean } = {}): Tensor {
  const op = 'solve';
  const [A, B] = promotePair(op, ['A', 'B'], matrixArg(op, 'A', Ain, true), floatArg(op, 'B', Bin));
  kernelsFor(op, A);
  const vector = B.rank === 1 || (B.rank === A.rank - 1 && B.shape.every((d, i) => d === A.shape[i]));
  if (vector) return squeeze(solveMatrices(op, opts.left === false ? mT(A) : A, unsqueeze(B, -1)), -1);
  if (B.rank < 2) throw new TensileError(op, `argument 'B' must be a vector or a matrix batch, got shape ${fmtShape(B.shape)}`);
  // X·A = B is Aᵀ·Xᵀ = Bᵀ.
  return opts.left === false ? mT(solveMatrices(op, mT(A), mT(B))) : solveMatrices(op, A, B);
}

function invCore(op: string, A: Tensor): Tensor {
  const K = kernelsFor(op, A);
  const n = A.shape[A.rank - 1], batch = A.shape.slice(0, -2), nb = count(batch);
  const a = read64(A);
  const { piv, nonFinite } = luChecked(op, K, a, batch, n);
  const y = new Float64Array(nb * n * n);
  for (let b = 0; b < nb; b++) for (let i = 0; i < n; i++) y[b * n * n + i * n + i] = 1;
  K.getrs(a, piv, y, nb, n, n, false);
  fillNaN(y, nonFinite, n * n);
  const Y = fromF64(A, y, A.shape);
  // dY = -Y·dA·Y, so dA = -Yᵀ·G·Yᵀ.
  return record(Y, 'inv', [A], (g) => [neg(matmul(mT(Y), matmul(g, mT(Y))))]);
}

/**
 * The inverse of square matrices (batched), by LU with partial pivoting. Throws a TensileError
 * naming the pivot when a matrix is singular. Differentiable.
 * @example tn.linalg.inv([[4, 7], [2, 6]]) // [[0.6, -0.7], [-0.2, 0.4]]
 */
export function inv(Ain: TensorLike): Tensor {
  return invCore('inv', matrixArg('inv', 'A', Ain, true));
}

/** LU factors of a batch without the singularity check, plus each matrix's permutation sign. */
function luSigned(op: string, A: Tensor): { lu: Float64Array; piv: Int32Array; sign: Float64Array; n: number; nb: number } {
  const K = kernelsFor(op, A);
  const n = A.shape[A.rank - 1], nb = count(A.shape.slice(0, -2));
  const lu = read64(A), piv = new Int32Array(nb * n), info = new Int32Array(nb);
  const nonFinite = Array.from({ length: nb }, (_, b) => hasNonFinite(lu, b, n * n));
  K.getrf(lu, nb, n, piv, info);
  const sign = new Float64Array(nb).fill(1);
  for (let b = 0; b < nb; b++) {
    // getrf skips zero multipliers (as the reference BLAS does), which can hide a NaN from U.
    if (nonFinite[b]) { sign[b] = NaN; continue; }
    for (let k = 0; k < n; k++) if (piv[b * n + k] !== k) sign[b] = -sign[b];
  }
  return { lu, piv, sign, n, nb };
}

/** g·det·A⁻ᵀ-style gradients: scalar per matrix times the inverse transpose. */
function timesInvT(op: string, s: Tensor, A: Tensor): Tensor {
  return mul(unsqueeze(unsqueeze(s, -1), -1), mT(invCore(op, A)));
}

/**
 * Determinants of square matrices (batched): the product of U's diagonal from LU with partial
 * pivoting, signed by the permutation. A singular matrix gives 0 (no error). The gradient
 * det·A⁻ᵀ needs A nonsingular: at a singular A the backward throws.
 * @example tn.linalg.det([[1, 2], [3, 4]]) // -2
 */
export function det(Ain: TensorLike): Tensor {
  const A = matrixArg('det', 'A', Ain, true);
  const { lu, sign, n, nb } = luSigned('det', A);
  const d = new Float64Array(nb);
  for (let b = 0; b < nb; b++) {
    let p = sign[b];
    for (let k = 0; k < n; k++) p *= lu[b * n * n + k * n + k];
    d[b] = p === 0 ? 0 : p; // no -0 from a negative pivot times a zero one
  }
  const out = fromF64(A, d, A.shape.slice(0, -2));
  return record(out, 'det', [A], (g) => [timesInvT('det (backward)', mul(g, out), A)]);
}

/**
 * sign(det A) and log|det A| (batched), without the overflow of det: { sign, logabsdet } as
 * torch.linalg.slogdet. A singular matrix gives sign 0 and logabsdet -inf. logabsdet is
 * differentiable (gradient A⁻ᵀ, for nonsingular A); sign is piecewise constant.
 * @example const { sign, logabsdet } = tn.linalg.slogdet(A);
 */
export function slogdet(Ain: TensorLike): { sign: Tensor; logabsdet: Tensor } {
  const A = matrixArg('slogdet', 'A', Ain, true);
  const { lu, sign, n, nb } = luSigned('slogdet', A);
  const logabs = new Float64Array(nb);
  for (let b = 0; b < nb; b++) {
    let s = sign[b], l = 0;
    for (let k = 0; k < n; k++) {
      const u = lu[b * n * n + k * n + k];
      if (u < 0) s = -s;
      l += Math.log(Math.abs(u));
    }
    if (l === -Infinity) s = 0;
    if (Number.isNaN(l)) s = NaN;
    sign[b] = s;
    logabs[b] = l;
  }
  const batch = A.shape.slice(0, -2);
  const logabsdet = record(fromF64(A, logabs, batch), 'slogdet', [A], (g) => [timesInvT('slogdet (backward)', g, A)]);
  return { sign: fromF64(A, sign, batch), logabsdet };
}

function triangularCore(op: string, A: Tensor, B: Tensor, upper: boolean, unit: boolean): Tensor {
  const K = kernelsFor(op, A);
  const n = A.shape[A.rank - 1], k = B.shape[B.rank - 1];
  checkRows(op, A, B, n);
  const batch = batchOf(op, ['A', 'B'], A, B);
  const Ae = expandBatch(A, batch), Be = expandBatch(B, batch);
  const a = read64(Ae), b = read64(Be);
  const nb = count(batch);
  if (!unit) {
    for (let m = 0; m < nb; m++) {
      for (let i = 0; i < n; i++) {
        if (a[m * n * n + i * n + i] === 0) throw new TensileError(op, `the matrix is singular (zero diagonal entry at ${i}${whereInBatch(batch, m)})`);
      }
    }
  }
  K.trtrs(a, b, nb, n, k, upper, unit, false);
  const X = fromF64(Ae, b, [...batch, n, k]);
  // As solve, with dA restricted to the triangle the kernel reads (strictly, if unit).
  return record(X, 'triangularSolve', [Ae, Be], (g) => {
    const gB = triangularCore(`${op} (backward)`, mT(Ae), g, !upper, unit);
    if (!Ae.requiresGrad) return [null, gB];
    const full = neg(matmulT(gB, X, false, true));
    return [upper ? triu(full, unit ? 1 : 0) : tril(full, unit ? -1 : 0), gB];
  });
}

export interface TriangularSolveOptions {
  /** A is upper triangular (default false: lower). Only that triangle is read. */
  upper?: boolean;
  /** Solve A·X = B (default true) or X·A = B. */
  left?: boolean;
  /** Take A's diagonal as all ones (it is not read). */
  unitriangular?: boolean;
}

/**
 * Solves A·X = B (or X·A = B) for triangular A by substitution, as
 * torch.linalg.solve_triangular (but `upper` defaults to false). Throws a TensileError naming
 * the entry when A has a zero on its diagonal. Differentiable in A (its triangle) and B.
 * @example tn.linalg.triangularSolve(L, B, { upper: false })
 */
export function triangularSolve(Ain: TensorLike, Bin: TensorLike, opts: TriangularSolveOptions = {}): Tensor {
  const op = 'triangularSolve';
  const [A, B] = promotePair(op, ['A', 'B'], matrixArg(op, 'A', Ain, true), matrixArg(op, 'B', Bin));
  const upper = !!opts.upper, unit = !!opts.unitriangular;
  if (opts.left === false) return mT(triangularCore(op, mT(A), mT(B), !upper, unit));
  return triangularCore(op, A, B, upper, unit);
}

/**
 * The Cholesky factor of symmetric positive-definite matrices (batched): lower L with
 * A = L·Lᵀ, or upper U = Lᵀ with `upper: true`. Reads A's lower triangle only. Throws a
 * TensileError naming the leading minor that is not positive definite. The gradient is the
 * symmetric one (as torch's): check it through f(A) = cholesky((A + Aᵀ)/2).
 * @example tn.linalg.cholesky([[4, 2], [2, 3]]) // [[2, 0], [1, 1.4142]]
 */
export function cholesky(Ain: TensorLike, opts: { upper?: boolean } = {}): Tensor {
  const op = 'cholesky';
  const A = matrixArg(op, 'A', Ain, true);
  const K = kernelsFor(op, A);
  const n = A.shape[A.rank - 1], batch = A.shape.slice(0, -2), nb = count(batch);
  const a = read64(A), info = new Int32Array(nb);
  const nonFinite: number[] = [];
  for (let b = 0; b < nb; b++) if (hasNonFinite(a, b, n * n)) nonFinite.push(b);
  K.potrf(a, nb, n, info);
  const skip = new Set(nonFinite);
  for (let b = 0; b < nb; b++) {
    if (info[b] >= 0 && !skip.has(b)) {
      throw new TensileError(op, `the matrix is not positive definite (the leading minor of order ${info[b] + 1} is not positive${whereInBatch(batch, b)})`);
    }
  }
  fillNaN(a, nonFinite, n * n);
  const L = fromF64(A, a, A.shape);
  record(L, op, [A], (gL) => [choleskyBackward(L, gL)]);
  return opts.upper ? mT(L) : L;
}

/**
 * Murray (2016) / torch's cholesky_backward: with Φ(X) = tril(X) with its diagonal halved,
 * dA = L⁻ᵀ·sym(Φ(Lᵀ·dL))·L⁻¹, symmetric, so it is the gradient over symmetric perturbations.
 */
function choleskyBackward(L: Tensor, gL: Tensor): Tensor {
  const M = tril(matmulT(L, gL, true, false));
  const P = mul(add(M, mT(tril(M, -1))), 0.5);
  const S = triangularCore('cholesky (backward)', mT(L), P, true, false);
  // S·L⁻¹ = (L⁻ᵀ·Sᵀ)ᵀ.
  return mT(triangularCore('cholesky (backward)', mT(L), mT(S), true, false));
}

/**
 * Solves A·X = B given A's Cholesky factor, as torch.cholesky_solve(B, L, upper) (B first, as
 * torch): two triangular solves, so it is differentiable in B and L.
 * @example const X = tn.linalg.choleskySolve(B, tn.linalg.cholesky(A));
 */
export function choleskySolve(Bin: TensorLike, Lin: TensorLike, upper = false): Tensor {
  const op = 'choleskySolve';
  const [L, B] = promotePair(op, ['L', 'B'], matrixArg(op, 'L', Lin, true), matrixArg(op, 'B', Bin));
  if (upper) return triangularCore(op, L, triangularCore(op, mT(L), B, false, false), true, false);
  return triangularCore(op, mT(L), triangularCore(op, L, B, false, false), true, false);
}

/**
 * LU factorisation with partial pivoting of square matrices (batched), as
 * torch.linalg.lu_factor: LU holds U on and above the diagonal and L's multipliers below it
 * (L's unit diagonal implied); pivots (int32, [..., n]) is the row swapped with row k at step
 * k, 0-based as scipy.linalg.lu_factor (torch's are 1-based). No error for singular matrices
 * (U gets a zero on its diagonal). Not differentiable: use solve / det for gradients.
 * @example const { LU, pivots } = tn.linalg.lu(A); tn.linalg.luSolve(LU, pivots, b);
 */
export function lu(Ain: TensorLike): { LU: Tensor; pivots: Tensor } {
  const A = matrixArg('lu', 'A', Ain, true);
  const { lu: f, piv } = luSigned('lu', A);
  return { LU: fromF64(A, f, A.shape), pivots: fromInt(A, piv, A.shape.slice(0, -1)) };
}

/**
 * Solves A·X = B (Aᵀ·X = B with `adjoint: true`) from lu()'s factors. Differentiable in B
 * only (the factors are constants here; differentiate through solve for A).
 * @example const { LU, pivots } = tn.linalg.lu(A); const X = tn.linalg.luSolve(LU, pivots, B);
 */
export function luSolve(LUin: TensorLike, pivotsIn: TensorLike, Bin: TensorLike, opts: { adjoint?: boolean } = {}): Tensor {
  const op = 'luSolve';
  const [LU, B] = promotePair(op, ['LU', 'B'], matrixArg(op, 'LU', LUin, true), matrixArg(op, 'B', Bin));
  let pivots = toTensor(op, 'pivots', pivotsIn);
  sameDevice(op, [['LU', LU], ['pivots', pivots]]);
  if (pivots.dtype !== 'int32') pivots = cast(pivots, 'int32');
  const K = kernelsFor(op, LU);
  const n = LU.shape[LU.rank - 1], k = B.shape[B.rank - 1];
  if (pivots.rank !== LU.rank - 1 || pivots.shape.some((d, i) => d !== LU.shape[i])) {
    throw new TensileError(op, `'pivots' must have shape ${fmtShape(LU.shape.slice(0, -1))} for 'LU' ${fmtShape(LU.shape)}, got ${fmtShape(pivots.shape)}`);
  }
  checkRows(op, LU, B, n);
  if (B.rank !== LU.rank || B.shape.slice(0, -2).some((d, i) => d !== LU.shape[i])) {
    throw new TensileError(op, `batch dims of 'LU' ${fmtShape(LU.shape)} and 'B' ${fmtShape(B.shape)} must match`);
  }
  const piv = pivots.dataSync() as Int32Array;
  for (let i = 0; i < piv.length; i++) {
    if (piv[i] < i % n || piv[i] >= n) throw new TensileError(op, `'pivots' holds ${piv[i]} at step ${i % n}: each must be in [step, ${n})`);
  }
  const b = read64(B);
  const adjoint = !!opts.adjoint;
  K.getrs(read64(LU), piv, b, count(LU.shape.slice(0, -2)), n, k, adjoint);
  const X = fromF64(B, b, B.shape);
  return record(X, op, [B], (g) => [luSolve(LU, pivots, g, { adjoint: !adjoint })]);
}


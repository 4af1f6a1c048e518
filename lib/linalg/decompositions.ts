/**
 * Orthogonal decompositions: qr, svd (and svdvals), eigh (and eigvalsh). Multi-output ops
 * record one tape node per output; each backward is the part of the joint formula that its
 * own output's gradient contributes (the formulas are linear in the output gradients, so the
 * parts add up to the whole), and an output nobody uses costs nothing in backward.
 */
import { isGradEnabled } from '../autograd/mode.js';
import { TensileError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { type TensorLike, add, concat, div, matmul, matmulT, mul, record, slice, square, sub, unsqueeze } from '../ops/index.js';
import { count, fromF64, identity, kernelsFor, mT, matrixArg, read64, tril } from './batch.js';
import { triangularSolve } from './solve.js';

const needsGrad = (A: Tensor) => isGradEnabled() && A.requiresGrad;

/** The last two dims of x cut to rows [0, r) and columns [0, c). */
function block(x: Tensor, r: number | null, c: number | null): Tensor {
  const lead = new Array<null>(x.rank - 2).fill(null);
  return slice(x, ...lead, [0, r], [0, c]);
}

export type QrMode = 'reduced' | 'complete' | 'r';

/**
 * QR decomposition by Householder reflections (LAPACK's geqrf + orgqr), as torch.linalg.qr:
 * A = Q·R with Q orthonormal columns and R upper triangular. mode 'reduced' (default): Q is
 * m×k, R k×n (k = min(m, n)); 'complete': Q m×m, R m×n; 'r': R only (Q is empty). R's diagonal
 * may be negative (LAPACK's sign choice). Differentiable when m >= n with mode 'reduced', or
 * m <= n (then Q is square and the complete and reduced factors coincide).
 * @example const { Q, R } = tn.linalg.qr(A);
 */
export function qr(Ain: TensorLike, opts: { mode?: QrMode } = {}): { Q: Tensor; R: Tensor } {
  const op = 'qr';
  const mode = opts.mode ?? 'reduced';
  if (mode !== 'reduced' && mode !== 'complete' && mode !== 'r') {
    throw new TensileError(op, `option 'mode' must be 'reduced', 'complete' or 'r', got ${String(mode)}`);
  }
  const A = matrixArg(op, 'A', Ain);
  const K = kernelsFor(op, A);
  const m = A.shape[A.rank - 2], n = A.shape[A.rank - 1], p = Math.min(m, n);
  const batch = A.shape.slice(0, -2), nb = count(batch);
  const a = read64(A), tau = new Float64Array(nb * p);
  K.geqrf(a, nb, m, n, tau);
  const rows = mode === 'complete' ? m : p;
  const r = new Float64Array(nb * rows * n);
  for (let b = 0; b < nb; b++) {
    for (let i = 0; i < Math.min(rows, m); i++) for (let j = i; j < n; j++) r[(b * rows + i) * n + j] = a[(b * m + i) * n + j];
  }
  const R = fromF64(A, r, [...batch, rows, n]);
  const grad = needsGrad(A);
  if (mode === 'r' && !grad) return { Q: fromF64(A, new Float64Array(0), [0]), R };
  const cols = mode === 'complete' ? m : p;
  const q = new Float64Array(nb * m * cols);
  K.orgqr(a, tau, nb, m, n, cols, q);
  const Q = fromF64(A, q, [...batch, m, cols]);
  if (grad) {
    const check = () => {
      if (mode === 'complete' && m > n) throw new TensileError('qr (backward)', `QR with mode 'complete' is not differentiable for m > n (got ${m}×${n}): the extra columns of Q are not unique; use mode 'reduced'`);
    };
    record(Q, op, [A], (g) => { check(); return [qrBackward(A, Q, R, g, null)]; });
    record(R, op, [A], (g) => { check(); return [qrBackward(A, Q, R, null, g)]; });
  }
  return { Q: mode === 'r' ? fromF64(A, new Float64Array(0), [0]) : Q, R };
}

/**
 * The QR backward (Walter & Lehmann 2018; Liao et al. 2019). For m >= n, with
 * copyltu(M) = tril(M) + tril(M, -1)ᵀ:  M = R·dRᵀ - dQᵀ·Q,  dA = (dQ + Q·copyltu(M))·R⁻ᵀ.
 * For m < n, A = [X | Y] with X = Q·U square and Y = Q·V: X's gradient is the square case
 * with dQ + Y·dVᵀ, and dY = Q·dV.
 */
function qrBackward(A: Tensor, Q: Tensor, R: Tensor, gQ: Tensor | null, gR: Tensor | null): Tensor {
  const m = A.shape[A.rank - 2], n = A.shape[A.rank - 1];
  if (m >= n) return qrBackwardTall(Q, R, gQ, gR);
  const U = block(R, null, m), Y = slice(A, ...new Array<null>(A.rank - 2).fill(null), null, [m, null]);
  const gU = gR && block(gR, null, m);
  const gV = gR && slice(gR, ...new Array<null>(gR.rank - 2).fill(null), null, [m, null]);
  let gQx = gQ;
  if (gV) { const t = matmulT(Y, gV, false, true); gQx = gQx ? add(gQx, t) : t; }
  const gX = qrBackwardTall(Q, U, gQx, gU);
  const gY = gV ? matmul(Q, gV) : mul(Y, 0);
  return concat([gX, gY], -1);
}

function qrBackwardTall(Q: Tensor, R: Tensor, gQ: Tensor | null, gR: Tensor | null): Tensor {
  let M: Tensor | null = gR ? matmulT(R, gR, false, true) : null;
  if (gQ) { const t = matmulT(gQ, Q, true, false); M = M ? sub(M, t) : mul(t, -1); }
  const Msym = add(tril(M!), mT(tril(M!, -1)));
  let b = matmul(Q, Msym);
  if (gQ) b = add(b, gQ);
  // b·R⁻ᵀ = (R⁻¹·bᵀ)ᵀ, by back substitution with the upper R.
  return mT(triangularUpperSolve(R, mT(b)));
}

function triangularUpperSolve(R: Tensor, B: Tensor): Tensor {
  return triangularSolve(R, B, { upper: true });
}

export interface SvdResult { U: Tensor; S: Tensor; Vh: Tensor }

/**
 * Singular value decomposition A = U·diag(S)·Vh (batched), as torch.linalg.svd: S descending;
 * with fullMatrices (default true, as torch and numpy) U is m×m and Vh n×n, else U is m×k and
 * Vh k×n (k = min(m, n)). One-sided Jacobi after a QR reduction: small singular values to high
 * relative accuracy. Signs of singular vector pairs are arbitrary, as in LAPACK. Gradients
 * need distinct singular values (and nonzero ones for non-square A) where U or Vh is used,
 * and fullMatrices: false for U or Vh of a non-square A; S alone is always differentiable.
 * @example const { U, S, Vh } = tn.linalg.svd(A, { fullMatrices: false });
 */
export function svd(Ain: TensorLike, opts: { fullMatrices?: boolean } = {}): SvdResult {
  return svdCore('svd', matrixArg('svd', 'A', Ain), opts.fullMatrices ?? true, true);
}

/**
 * Singular values only, descending ([..., min(m, n)]), as torch.linalg.svdvals; about half
 * the work of svd. Differentiable (dA = U·diag(dS)·Vh).
 * @example tn.linalg.svdvals([[3, 0], [0, -4]]) // [4, 3]
 */
export function svdvals(Ain: TensorLike): Tensor {
  const A = matrixArg('svdvals', 'A', Ain);
  return svdCore('svdvals', A, false, needsGrad(A)).S;
}

function svdCore(op: string, A: Tensor, full: boolean, vectors: boolean): SvdResult {
  const K = kernelsFor(op, A);
  const m = A.shape[A.rank - 2], n = A.shape[A.rank - 1], k = Math.min(m, n);
  const batch = A.shape.slice(0, -2), nb = count(batch);
  const ucols = full ? m : k, vrows = full ? n : k;
  const s = new Float64Array(nb * k);
  const u = vectors ? new Float64Array(nb * m * ucols) : null;
  const vt = vectors ? new Float64Array(nb * vrows * n) : null;
  K.gesvd(read64(A), nb, m, n, s, u, vt, full);
  const S = fromF64(A, s, [...batch, k]);
  const empty = fromF64(A, new Float64Array(0), [0]);
  if (!vectors) return { U: empty, S, Vh: empty };
  const U = fromF64(A, u!, [...batch, m, ucols]);
  const Vh = fromF64(A, vt!, [...batch, vrows, n]);
  if (needsGrad(A)) {
    // The thin factors: the backward formulas live on the first k columns / rows.
    const Uk = ucols === k ? U : block(U, null, k), Vhk = vrows === k ? Vh : block(Vh, k, null);
    record(S, op, [A], (gS) => [matmul(mul(Uk, unsqueeze(gS, -2)), Vhk)]);
    const notUnique = (which: string) => new TensileError(`${op} (backward)`, `gradients through ${which} of a non-square matrix need fullMatrices: false (A is ${m}×${n}; the extra ${which === 'U' ? 'columns' : 'rows'} are not unique)`);
    record(U, op, [A], (gU) => {
      if (ucols !== k) throw notUnique('U');
      return [svdBackwardU(Uk, S, Vhk, gU, m, n)];
    });
    record(Vh, op, [A], (gVh) => {
      if (vrows !== k) throw notUnique('Vh');
      return [svdBackwardVh(Uk, S, Vhk, gVh, m, n)];
    });
  }
  return { U, S, Vh };
}

/** E[i,j] = S_j² - S_i², with 1 on the diagonal (where the skew parts are zero). */
function gapMatrix(S: Tensor): Tensor {
  const S2 = square(S);
  return add(sub(unsqueeze(S2, -2), unsqueeze(S2, -1)), identity(S, S.shape[S.rank - 1]));
}

/**
 * torch's svd_backward (Townsend 2016), the dU part: with skew(X) = X - Xᵀ,
 * dA = U·(skew(Uᵀ·dU)·diag(S) / E)·Vh, plus (I - U·Uᵀ)·dU·S⁻¹·Vh when m > n.
 */
function svdBackwardU(U: Tensor, S: Tensor, Vh: Tensor, gU: Tensor, m: number, n: number): Tensor {
  const UtgU = matmulT(U, gU, true, false);
  const core = div(mul(sub(UtgU, mT(UtgU)), unsqueeze(S, -2)), gapMatrix(S));
  let left = matmul(U, core);
  if (m > n) {
    const gUS = div(gU, unsqueeze(S, -2));
    left = add(left, sub(gUS, matmul(U, matmulT(U, gUS, true, false))));
  }
  return matmul(left, Vh);
}

/** The dVh part: dA = U·(diag(S)·skew(Vh·dVhᵀ) / E)·Vh, plus U·S⁻¹·dVh·(I - Vhᵀ·Vh) when m < n. */
function svdBackwardVh(U: Tensor, S: Tensor, Vh: Tensor, gVh: Tensor, m: number, n: number): Tensor {
  const VhgV = matmulT(Vh, gVh, false, true);
  const core = div(mul(unsqueeze(S, -1), sub(VhgV, mT(VhgV))), gapMatrix(S));
  let right = matmul(core, Vh);
  if (m < n) {
    const SgVh = div(gVh, unsqueeze(S, -1));
    right = add(right, sub(SgVh, matmul(matmulT(SgVh, Vh, false, true), Vh)));
  }
  return matmul(U, right);
}

export interface EighResult { eigenvalues: Tensor; eigenvectors: Tensor }

/**
 * Eigenvalues (ascending) and orthonormal eigenvectors (the columns) of symmetric matrices
 * (batched), as torch.linalg.eigh: Householder tridiagonalisation and implicit QL. Reads the
 * lower triangle (uplo 'L', the default) or the upper one. Eigenvector signs are arbitrary.
 * The eigenvalues' gradient V·diag(dw)·Vᵀ always exists; the eigenvectors' needs distinct
 * eigenvalues (it divides by their gaps). Both are symmetric (gradients over symmetric
 * perturbations, as torch's).
 * @example const { eigenvalues, eigenvectors } = tn.linalg.eigh([[2, 1], [1, 2]]); // [1, 3]
 */
export function eigh(Ain: TensorLike, opts: { uplo?: 'L' | 'U' } = {}): EighResult {
  return eighCore('eigh', Ain, opts.uplo, true);
}

/**
 * Eigenvalues of symmetric matrices, ascending, as torch.linalg.eigvalsh. Differentiable.
 * @example tn.linalg.eigvalsh([[2, 1], [1, 2]]) // [1, 3]
 */
export function eigvalsh(Ain: TensorLike, opts: { uplo?: 'L' | 'U' } = {}): Tensor {
  return eighCore('eigvalsh', Ain, opts.uplo, false).eigenvalues;
}

function eighCore(op: string, Ain: TensorLike, uplo: 'L' | 'U' | undefined, vectors: boolean): EighResult {
  if (uplo !== undefined && uplo !== 'L' && uplo !== 'U') throw new TensileError(op, `option 'uplo' must be 'L' or 'U', got ${String(uplo)}`);
  const A0 = matrixArg(op, 'A', Ain, true);
  // The upper triangle of A is the lower one of Aᵀ.
  const A = uplo === 'U' ? mT(A0) : A0;
  const K = kernelsFor(op, A);
  const n = A.shape[A.rank - 1], batch = A.shape.slice(0, -2), nb = count(batch);
  const grad = needsGrad(A);
  const w = new Float64Array(nb * n);
  const v = vectors || grad ? new Float64Array(nb * n * n) : null;
  K.syevd(read64(A), nb, n, w, v);
  const W = fromF64(A, w, [...batch, n]);
  const V = v ? fromF64(A, v, A.shape) : fromF64(A, new Float64Array(0), [0]);
  if (grad) {
    record(W, op, [A], (gw) => [matmul(mul(V, unsqueeze(gw, -2)), mT(V))]);
    // dA = V·(½(Vᵀ·dV - dVᵀ·V) / E)·Vᵀ, E[i,j] = w_j - w_i (1 on the diagonal).
    record(V, op, [A], (gV) => {
      const VtgV = matmulT(V, gV, true, false);
      const E = add(sub(unsqueeze(W, -2), unsqueeze(W, -1)), identity(W, n));
      const core = div(mul(sub(VtgV, mT(VtgV)), 0.5), E);
      return [matmul(V, matmulT(core, V, false, true))];
    });
  }
  return { eigenvalues: W, eigenvectors: V };
}

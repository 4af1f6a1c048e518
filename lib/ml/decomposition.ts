/**
 * Principal component analysis as sklearn.decomposition.PCA with the full solver: the SVD of
 * the centred data, signs fixed by sklearn's svd_flip (the largest |value| of each column of U
 * made positive), explained variance S²/(n − 1). The SVD is private: Householder QR of the
 * (tall) centred matrix, then one-sided Jacobi (Hestenes) on the triangular factor, which is
 * accurate to working precision in every singular value (Demmel–Veselić).
 */
import { TensileError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import type { DeviceName } from '../backends/backend.js';
import { type MatrixLike, checkFeatures, checkFitted, result, toMatrix } from './base.js';
import { RowDotEngine } from './kernels.js';

const EPS = 2.220446049250313e-16;

/** Thin SVD A = U·diag(s)·Vt of a row-major m×n matrix; k = min(m, n), s descending. */
interface ThinSvd { U: Float64Array; s: Float64Array; Vt: Float64Array; k: number }

/**
 * R of A = QR (Householder, LAPACK's dgeqrf without keeping Q) for row-major m×n A, m ≥ n,
 * returned column-major n×n (column j in R[j·n .. j·n + n)).
 */
function triangularFactor(A: Float64Array, m: number, n: number): Float64Array {
  const a = new Float64Array(m * n); // column-major working copy
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) a[j * m + i] = A[i * n + j];
  for (let j = 0; j < n; j++) {
    const cj = j * m;
    let scale = 0;
    for (let i = j; i < m; i++) scale = Math.max(scale, Math.abs(a[cj + i]));
    if (scale === 0) continue;
    let norm2 = 0;
    for (let i = j; i < m; i++) norm2 += (a[cj + i] / scale) ** 2;
    const alpha = a[cj + j] >= 0 ? -scale * Math.sqrt(norm2) : scale * Math.sqrt(norm2);
    // v = x − alpha·e1, H = I − 2vvᵀ/vᵀv, applied to the trailing columns.
    a[cj + j] -= alpha;
    let vv = 0;
    for (let i = j; i < m; i++) vv += a[cj + i] * a[cj + i];
    for (let c = j + 1; c < n; c++) {
      const cc = c * m;
      let d = 0;
      for (let i = j; i < m; i++) d += a[cj + i] * a[cc + i];
      const f = (2 * d) / vv;
      for (let i = j; i < m; i++) a[cc + i] -= f * a[cj + i];
    }
    a[cj + j] = alpha;
  }
  const R = new Float64Array(n * n);
  for (let j = 0; j < n; j++) for (let i = 0; i <= j; i++) R[j * n + i] = a[j * m + i];
  return R;
}

/**
 * One-sided Jacobi on the columns of W (column-major n×n, destroyed): rotates pairs until all
 * columns are orthogonal to working precision. Returns V (column-major) with W_in·V = W_out;
 * the column norms of W_out are the singular values.
 */
function jacobiColumns(W: Float64Array, n: number): Float64Array {
  const V = new Float64Array(n * n);
  for (let i = 0; i < n; i++) V[i * n + i] = 1;
  for (let sweep = 0; sweep < 80; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const op = p * n, oq = q * n;
        let alpha = 0, beta = 0, gamma = 0;
        for (let i = 0; i < n; i++) {
          const x = W[op + i], y = W[oq + i];
          alpha += x * x; beta += y * y; gamma += x * y;
        }
        if (gamma === 0 || Math.abs(gamma) <= EPS * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t), s = c * t;
        for (let i = 0; i < n; i++) {
          const x = W[op + i], y = W[oq + i];
          W[op + i] = c * x - s * y;
          W[oq + i] = s * x + c * y;
          const vx = V[op + i], vy = V[oq + i];
          V[op + i] = c * vx - s * vy;
          V[oq + i] = s * vx + c * vy;
        }
      }
    }
    if (!rotated) break;
  }
  return V;
}

/**
 * Completes columns of the row-major r×k matrix M flagged in `missing` to an orthonormal set
 * (Gram–Schmidt of unit vectors against the present columns): the singular vectors of zero
 * singular values, which any orthonormal completion represents.
 */
function completeColumns(M: Float64Array, r: number, k: number, missing: boolean[]): void {
  let e = 0;
  for (let c = 0; c < k; c++) {
    if (!missing[c]) continue;
    for (; e < r; e++) {
      const v = new Float64Array(r);
      v[e] = 1;
      for (let pass = 0; pass < 2; pass++) {
        for (let o = 0; o < k; o++) {
          if (o === c || (missing[o] && o > c)) continue;
          let d = 0;
          for (let i = 0; i < r; i++) d += v[i] * M[i * k + o];
          for (let i = 0; i < r; i++) v[i] -= d * M[i * k + o];
        }
      }
      let nv = 0;
      for (let i = 0; i < r; i++) nv += v[i] * v[i];
      if (nv > 0.5) {
        nv = Math.sqrt(nv);
        for (let i = 0; i < r; i++) M[i * k + c] = v[i] / nv;
        e++;
        break;
      }
    }
  }
}

/** A·B for row-major A (m×n) and B (n×k), on the native GEMM where there is one. */
function product(A: Float64Array, m: number, n: number, B: Float64Array, k: number): Float64Array {
  const Bt = new Float64Array(k * n);
  for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) Bt[c * n + i] = B[i * k + c];
  const engine = new RowDotEngine(Bt, k, n);
  try {
    return engine.dots(A, m);
  } finally {
    engine.dispose();
  }
}

/** Thin SVD of row-major m×n A (any shape), s descending. */
function thinSvd(A: Float64Array, m: number, n: number): ThinSvd {
  const tall = m >= n;
  // Work on the tall orientation B (M×N, M ≥ N): B = A, or Aᵀ for a wide A.
  const M = tall ? m : n, N = tall ? n : m;
  let B = A;
  if (!tall) {
    B = new Float64Array(m * n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) B[j * m + i] = A[i * n + j];
  }
  const W = triangularFactor(B, M, N);
  const Vc = jacobiColumns(W, N);
  const norms = Array.from({ length: N }, (_, c) => {
    let v = 0;
    for (let i = 0; i < N; i++) v += W[c * N + i] ** 2;
    return Math.sqrt(v);
  });
  const order = norms.map((_, c) => c).sort((a, b) => norms[b] - norms[a]);
  const k = N, s = Float64Array.from(order, (c) => norms[c]);
  // Right vectors of B (N×k row-major), then left vectors B·v/s (M×k), completed where s ≈ 0.
  const VB = new Float64Array(N * k);
  for (let c = 0; c < k; c++) for (let i = 0; i < N; i++) VB[i * k + c] = Vc[order[c] * N + i];
  const tiny = (s[0] || 0) * Math.max(M, N) * EPS;
  const missing = Array.from(s, (v) => !(v > tiny));
  const UB = product(B, M, N, VB, k);
  for (let i = 0; i < M; i++) for (let c = 0; c < k; c++) UB[i * k + c] = missing[c] ? 0 : UB[i * k + c] / s[c];
  if (missing.some(Boolean)) completeColumns(UB, M, k, missing);
  // A = UB·S·VBᵀ (tall) or A = VB·S·UBᵀ (wide).
  const U = tall ? UB : VB, Vfull = tall ? VB : UB, Vrows = tall ? N : M;
  const Vt = new Float64Array(k * n);
  for (let c = 0; c < k; c++) for (let j = 0; j < Vrows; j++) Vt[c * n + j] = Vfull[j * k + c];
  return { U, s, Vt, k };
}

/** sklearn's svd_flip(u_based_decision=True): the largest |U[:, k]| (first such row) positive. */
function svdFlip(svd: ThinSvd, m: number, n: number): void {
  const { U, Vt, k } = svd;
  for (let c = 0; c < k; c++) {
    let best = 0, idx = 0;
    for (let i = 0; i < m; i++) {
      const v = Math.abs(U[i * k + c]);
      if (v > best) { best = v; idx = i; }
    }
    if (U[idx * k + c] < 0) {
      for (let i = 0; i < m; i++) U[i * k + c] = -U[i * k + c];
      for (let j = 0; j < n; j++) Vt[c * n + j] = -Vt[c * n + j];
    }
  }
}

export interface PCAOptions {
  /** An integer count, a fraction of variance in (0, 1) to keep, or null for min(n, p). */
  nComponents?: number | null;
  /** Scale the projections to unit variance (default false). */
  whiten?: boolean;
  /** 'full' (and 'auto', which sklearn may resolve to a randomized SVD) both run the exact SVD. */
  svdSolver?: 'auto' | 'full';
}

interface PCAModel {
  components: Float64Array;
  explainedVariance: Float64Array;
  explainedVarianceRatio: Float64Array;
  singularValues: Float64Array;
  mean: Float64Array;
  noiseVariance: number;
  k: number;
  p: number;
  nSamples: number;
  device?: DeviceName;
}

/**
 * Principal component analysis, as sklearn.decomposition.PCA(svd_solver='full').
 * @example
 * const pca = new tn.ml.PCA({ nComponents: 2 }).fit(X);
 * pca.transform(X); pca.explainedVarianceRatio; pca.inverseTransform(pca.transform(X));
 */
export class PCA {
  readonly whiten: boolean;
  readonly svdSolver: 'auto' | 'full';
  private readonly requested: number | null;
  private model?: PCAModel;

  constructor(opts: PCAOptions = {}) {
    this.requested = opts.nComponents ?? null;
    this.whiten = opts.whiten ?? false;
    this.svdSolver = opts.svdSolver ?? 'auto';
  }

  /** Fits the components; returns this. */
  fit(X: MatrixLike): this {
    this.fitFull('PCA.fit', X);
    return this;
  }

  /** Fits and returns the projections of X (U·S, or U·√(n − 1) when whitening, as sklearn). */
  fitTransform(X: MatrixLike): Tensor {
    const { U, k: kAll, n, model } = this.fitFull('PCA.fitTransform', X);
    const k = model.k, out = new Float64Array(n * k), scale = Math.sqrt(n - 1);
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < k; c++) out[i * k + c] = U[i * kAll + c] * (this.whiten ? scale : model.singularValues[c]);
    }
    return result(out, [n, k], model.device);
  }

  private fitFull(op: string, X: MatrixLike): { U: Float64Array; k: number; n: number; model: PCAModel } {
    if (typeof this.whiten !== 'boolean') throw new TensileError(op, `'whiten' must be a boolean, got ${String(this.whiten)}`);
    if (this.svdSolver !== 'auto' && this.svdSolver !== 'full') throw new TensileError(op, `'svdSolver' must be 'auto' or 'full', got ${String(this.svdSolver)}`);
    const M = toMatrix(op, X);
    const { rows: n, cols: p, data } = M;
    const kMax = Math.min(n, p), req = this.requested;
    if (req !== null) {
      const isFraction = typeof req === 'number' && req > 0 && req < 1;
      if (!isFraction && !(Number.isInteger(req) && req >= 1 && req <= kMax)) {
        throw new TensileError(op, `'nComponents' must be an integer in [1, ${kMax}] (min(nSamples, nFeatures)), a fraction in (0, 1), or null; got ${String(req)}`);
      }
    }
    if (n < 2) throw new TensileError(op, `needs at least 2 samples, got ${n}`);
    const mean = new Float64Array(p);
    for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) mean[j] += data[i * p + j];
    for (let j = 0; j < p; j++) mean[j] /= n;
    const Xc = new Float64Array(n * p);
    for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) Xc[i * p + j] = data[i * p + j] - mean[j];
    const svd = thinSvd(Xc, n, p);
    svdFlip(svd, n, p);
    const { s, Vt, k: kAll } = svd;
    const ev = s.map((v) => (v * v) / (n - 1));
    let total = 0;
    for (const v of ev) total += v;
    const ratio = ev.map((v) => v / total);
    let k: number;
    if (req === null) k = kAll;
    else if (req < 1) {
      // np.searchsorted(cumsum, f, side='right') + 1: the first count whose share exceeds f.
      let cum = 0;
      k = 0;
      while (k < kAll && cum + ratio[k] <= req) cum += ratio[k++];
      k = Math.min(k + 1, kAll);
    } else k = req;
    let noise = 0;
    if (k < kAll) {
      for (let c = k; c < kAll; c++) noise += ev[c];
      noise /= kAll - k;
    }
    this.model = {
      components: Vt.slice(0, k * p),
      explainedVariance: ev.slice(0, k),
      explainedVarianceRatio: ratio.slice(0, k),
      singularValues: s.slice(0, k),
      mean, noiseVariance: noise, k, p, nSamples: n, device: M.device,
    };
    return { U: svd.U, k: kAll, n, model: this.model };
  }

  private fitted(op: string): PCAModel {
    checkFitted(op, this.model !== undefined, 'PCA');
    return this.model!;
  }

  /** Projections (X − mean)·componentsᵀ, divided by √explainedVariance when whitening. */
  transform(X: MatrixLike): Tensor {
    const m = this.fitted('PCA.transform');
    const x = toMatrix('PCA.transform', X);
    checkFeatures('PCA.transform', x, m.p, 'PCA');
    const { k, p, components, mean } = m;
    const Xc = new Float64Array(x.rows * p);
    for (let i = 0; i < x.rows; i++) for (let j = 0; j < p; j++) Xc[i * p + j] = x.data[i * p + j] - mean[j];
    const Ct = new Float64Array(p * k);
    for (let c = 0; c < k; c++) for (let j = 0; j < p; j++) Ct[j * k + c] = components[c * p + j];
    const out = product(Xc, x.rows, p, Ct, k);
    if (this.whiten) for (let i = 0; i < x.rows; i++) for (let c = 0; c < k; c++) out[i * k + c] /= Math.sqrt(m.explainedVariance[c]);
    return result(out, [x.rows, k], x.device ?? m.device);
  }

  /** Back to feature space: Z·components (scaled by √explainedVariance when whitening) + mean. */
  inverseTransform(Z: MatrixLike): Tensor {
    const m = this.fitted('PCA.inverseTransform');
    const z = toMatrix('PCA.inverseTransform', Z, 'Z');
    if (z.cols !== m.k) throw new TensileError('PCA.inverseTransform', `Z has ${z.cols} columns, but PCA was fitted with ${m.k} components`);
    const { k, p, components, mean } = m, out = new Float64Array(z.rows * p);
    for (let i = 0; i < z.rows; i++) {
      for (let j = 0; j < p; j++) out[i * p + j] = mean[j];
      for (let c = 0; c < k; c++) {
        const w = z.data[i * k + c] * (this.whiten ? Math.sqrt(m.explainedVariance[c]) : 1);
        for (let j = 0; j < p; j++) out[i * p + j] += w * components[c * p + j];
      }
    }
    return result(out, [z.rows, p], z.device ?? m.device);
  }

  /** Principal axes, [nComponents, nFeatures], rows of unit norm. */
  get components(): Tensor {
    const m = this.fitted('PCA.components');
    return result(m.components.slice(), [m.k, m.p], m.device);
  }

  get explainedVariance(): Tensor {
    const m = this.fitted('PCA.explainedVariance');
    return result(m.explainedVariance.slice(), [m.k], m.device);
  }

  get explainedVarianceRatio(): Tensor {
    const m = this.fitted('PCA.explainedVarianceRatio');
    return result(m.explainedVarianceRatio.slice(), [m.k], m.device);
  }

  get singularValues(): Tensor {
    const m = this.fitted('PCA.singularValues');
    return result(m.singularValues.slice(), [m.k], m.device);
  }

  /** Per-feature mean of the training data, [nFeatures]. */
  get mean(): Tensor {
    const m = this.fitted('PCA.mean');
    return result(m.mean.slice(), [m.p], m.device);
  }

  /** The number of components kept (sklearn's n_components_). */
  get nComponents(): number {
    return this.fitted('PCA.nComponents').k;
  }

  /** Mean variance of the discarded components (probabilistic PCA's σ²). */
  get noiseVariance(): number {
    return this.fitted('PCA.noiseVariance').noiseVariance;
  }

  get nFeaturesIn(): number {
    return this.fitted('PCA.nFeaturesIn').p;
  }
}

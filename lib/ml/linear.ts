/**
 * Least squares and ridge regression in closed form, as scikit-learn: the data are centred
 * when an intercept is fitted (so the intercept is not penalised), LinearRegression solves by
 * a minimum-norm SVD least squares (as scipy.linalg.lstsq; lstsqMinNorm says how the rank
 * is decided), and Ridge by Cholesky on XᵀX + αI (or on XXᵀ + αI when there are more
 * features than samples), falling back to the SVD when the system is not numerically
 * positive definite.
 * The shared regressor base (coef, intercept, predict, score) lives here too.
 */
import { TensileError } from '../errors.js';
import { Tensor } from '../tensor.js';
import type { DeviceName } from '../backends/backend.js';
import {
  type LabelsLike, type MatrixLike, checkFeatures, checkFitted, checkParam, result, toMatrix, toTargets,
} from './base.js';
import { r2 } from './metrics.js';

/** Regression targets: one vector, or a matrix [nSamples, nTargets]. */
export type TargetsLike = LabelsLike | MatrixLike;

/** Targets as a row-major [n, t] matrix; `multi` says y was 2-D (coef is then [t, p]). */
export interface Targets { data: Float64Array; nTargets: number; multi: boolean }

export function toTargetMatrix(op: string, y: TargetsLike, nSamples: number): Targets {
  const twoD = y instanceof Tensor ? y.rank === 2 : Array.isArray(y) && Array.isArray(y[0]);
  if (!twoD) return { data: toTargets(op, y as LabelsLike, nSamples), nTargets: 1, multi: false };
  const m = toMatrix(op, y as MatrixLike, 'y');
  if (m.rows !== nSamples) throw new TensileError(op, `X has ${nSamples} samples but y has ${m.rows}`);
  return { data: m.data, nTargets: m.cols, multi: true };
}

/** Column means of a row-major [rows, cols] matrix. */
export function columnMeans(a: Float64Array, rows: number, cols: number): Float64Array {
  const mean = new Float64Array(cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) mean[j] += a[i * cols + j];
  for (let j = 0; j < cols; j++) mean[j] /= rows;
  return mean;
}

/** a − mean (column-wise), a new array. */
export function centered(a: Float64Array, rows: number, cols: number, mean: Float64Array): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[i * cols + j] = a[i * cols + j] - mean[j];
  return out;
}

interface RegressorModel {
  coef: Float64Array;       // [t, p] row-major
  intercept: Float64Array;  // [t]
  nTargets: number;
  multi: boolean;
  nFeatures: number;
  device?: DeviceName;
}

/**
 * What LinearRegression, Ridge, Lasso, ElasticNet and SGDRegressor share: the fitted
 * coefficients (coef [p] for one target or [t, p], intercept [] or [t], float64 tensors made
 * fresh on each access), predict and score (R²).
 */
export abstract class LinearRegressor {
  readonly estimatorType = 'regressor' as const;
  protected model?: RegressorModel;
  protected abstract readonly name: string;

  protected fitted(op: string): RegressorModel {
    checkFitted(`${this.name}.${op}`, this.model !== undefined, this.name);
    return this.model!;
  }

  /** Weights: [nFeatures] for a 1-D y, [nTargets, nFeatures] for a 2-D y. */
  get coef(): Tensor {
    const m = this.fitted('coef');
    return result(m.coef.slice(), m.multi ? [m.nTargets, m.nFeatures] : [m.nFeatures], m.device);
  }

  /** Intercept: a 0-d tensor for a 1-D y (a float in scikit-learn), [nTargets] otherwise. */
  get intercept(): Tensor {
    const m = this.fitted('intercept');
    return result(m.intercept.slice(), m.multi ? [m.nTargets] : [], m.device);
  }

  get nFeaturesIn(): number {
    return this.fitted('nFeaturesIn').nFeatures;
  }

  /** X·coefᵀ + intercept: [n] for a 1-D y, [n, nTargets] otherwise. */
  predict(X: MatrixLike): Tensor {
    const m = this.fitted('predict');
    const op = `${this.name}.predict`;
    const x = toMatrix(op, X);
    checkFeatures(op, x, m.nFeatures, this.name);
    const n = x.rows, p = m.nFeatures, t = m.nTargets;
    const out = new Float64Array(n * t);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < t; k++) {
        let s = m.intercept[k];
        for (let j = 0; j < p; j++) s += x.data[i * p + j] * m.coef[k * p + j];
        out[i * t + k] = s;
      }
    }
    return result(out, m.multi ? [n, t] : [n], x.device ?? m.device);
  }

  /** R² of predict(X) against y (several targets: their uniform average), as scikit-learn. */
  score(X: MatrixLike, y: TargetsLike): number {
    const pred = this.predict(X);
    try {
      return r2(y, pred);
    } finally {
      pred.dispose();
    }
  }

  protected setModel(coef: Float64Array, intercept: Float64Array, targets: Targets, nFeatures: number, device?: DeviceName): void {
    this.model = { coef, intercept, nTargets: targets.nTargets, multi: targets.multi, nFeatures, device };
  }
}

/**
 * The design matrix and targets ready for a solver: centred when an intercept is fitted
 * (sklearn's _preprocess_data), with the offsets to rebuild the intercept afterwards.
 */
export function prepareRegression(op: string, X: MatrixLike, y: TargetsLike, fitIntercept: boolean) {
  const x = toMatrix(op, X);
  const targets = toTargetMatrix(op, y, x.rows);
  const n = x.rows, p = x.cols, t = targets.nTargets;
  const xOffset = fitIntercept ? columnMeans(x.data, n, p) : new Float64Array(p);
  const yOffset = fitIntercept ? columnMeans(targets.data, n, t) : new Float64Array(t);
  return {
    x, targets, n, p, t, xOffset, yOffset,
    Xc: fitIntercept ? centered(x.data, n, p, xOffset) : x.data,
    Yc: fitIntercept ? centered(targets.data, n, t, yOffset) : targets.data,
  };
}

/** intercept_k = yOffset_k − xOffset·coef_k (zero offsets give zero intercepts). */
export function interceptFrom(coef: Float64Array, xOffset: Float64Array, yOffset: Float64Array): Float64Array {
  const p = xOffset.length, t = yOffset.length;
  const b = new Float64Array(t);
  for (let k = 0; k < t; k++) {
    let s = 0;
    for (let j = 0; j < p; j++) s += xOffset[j] * coef[k * p + j];
    b[k] = yOffset[k] - s;
  }
  return b;
}

// ---------------- dense float64 routines (small problems, exactness over speed) ----------------

const EPS = 2.220446049250313e-16;

/**
 * Thin SVD A = U·diag(S)·Vᵀ of a row-major [m, n] matrix with m >= n: Householder QR first, so
 * the one-sided (Hestenes) Jacobi rotations run on the n×n factor R. Returns U [m, n],
 * S (descending) and V [n, n], row-major. Jacobi gives small singular values to high
 * relative accuracy, which is what the rank decision of lstsq needs.
 */
function svdTall(a: Float64Array, m: number, n: number): { U: Float64Array; S: Float64Array; V: Float64Array } {
  // Householder QR, column-major work copy: w[j*m + i] = A[i, j].
  const w = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) w[j * m + i] = a[i * n + j];
  const vs: Float64Array[] = [];
  const betas = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let norm = 0;
    for (let i = k; i < m; i++) norm += w[k * m + i] ** 2;
    norm = Math.sqrt(norm);
    const v = new Float64Array(m - k);
    if (norm === 0) { vs.push(v); continue; }
    const alpha = w[k * m + k] > 0 ? -norm : norm;
    for (let i = k; i < m; i++) v[i - k] = w[k * m + i];
    v[0] -= alpha;
    let vv = 0;
    for (let i = 0; i < v.length; i++) vv += v[i] * v[i];
    betas[k] = vv === 0 ? 0 : 2 / vv;
    for (let j = k; j < n; j++) {
      let s = 0;
      for (let i = k; i < m; i++) s += v[i - k] * w[j * m + i];
      s *= betas[k];
      for (let i = k; i < m; i++) w[j * m + i] -= s * v[i - k];
    }
    vs.push(v);
  }
  // R (upper n×n) as columns for Jacobi: r[j*n + i].
  const r = new Float64Array(n * n);
  for (let j = 0; j < n; j++) for (let i = 0; i <= j; i++) r[j * n + i] = w[j * m + i];
  const v = new Float64Array(n * n);   // column-major V
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 80; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        let alpha = 0, beta = 0, gamma = 0;
        for (let i = 0; i < n; i++) {
          const x = r[p * n + i], y = r[q * n + i];
          alpha += x * x; beta += y * y; gamma += x * y;
        }
        if (gamma === 0 || Math.abs(gamma) <= EPS * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t), s = c * t;
        for (let i = 0; i < n; i++) {
          const x = r[p * n + i], y = r[q * n + i];
          r[p * n + i] = c * x - s * y; r[q * n + i] = s * x + c * y;
          const vx = v[p * n + i], vy = v[q * n + i];
          v[p * n + i] = c * vx - s * vy; v[q * n + i] = s * vx + c * vy;
        }
      }
    }
    if (!rotated) break;
  }
  const sv = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += r[j * n + i] ** 2;
    sv[j] = Math.sqrt(s);
  }
  const order = Array.from(sv.keys()).sort((x, y) => sv[y] - sv[x]);
  // U = Q·[Ur; 0], Ur's columns r_j / s_j; Q applied as the Householder reflections in reverse.
  const U = new Float64Array(m * n), S = new Float64Array(n), V = new Float64Array(n * n);
  const col = new Float64Array(m);
  order.forEach((j, jj) => {
    S[jj] = sv[j];
    col.fill(0);
    if (sv[j] > 0) for (let i = 0; i < n; i++) col[i] = r[j * n + i] / sv[j];
    for (let k = n - 1; k >= 0; k--) {
      const hv = vs[k];
      if (betas[k] === 0) continue;
      let s = 0;
      for (let i = k; i < m; i++) s += hv[i - k] * col[i];
      s *= betas[k];
      for (let i = k; i < m; i++) col[i] -= s * hv[i - k];
    }
    for (let i = 0; i < m; i++) U[i * n + jj] = col[i];
    for (let i = 0; i < n; i++) V[i * n + jj] = v[j * n + i];
  });
  return { U, S, V };
}

/** Thin SVD of any row-major [m, n] matrix: U [m, r], S [r], V [n, r], r = min(m, n). */
export function svdThin(a: Float64Array, m: number, n: number): { U: Float64Array; S: Float64Array; V: Float64Array; r: number } {
  if (m >= n) return { ...svdTall(a, m, n), r: n };
  const at = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) at[j * m + i] = a[i * n + j];
  const { U, S, V } = svdTall(at, n, m);
  return { U: V, S, V: U, r: m };
}

/**
 * Applies V·diag(f(s))·Uᵀ to B [m, k]: the SVD solutions of least squares (f = 1/s) and ridge
 * (f = s/(s² + α)). Returns X [n, k].
 */
function svdApply(svd: { U: Float64Array; S: Float64Array; V: Float64Array; r: number }, m: number, n: number, b: Float64Array, k: number, f: (s: number) => number): Float64Array {
  const { U, S, V, r } = svd;
  const utb = new Float64Array(r * k);
  for (let j = 0; j < r; j++) {
    const fj = f(S[j]);
    if (fj === 0) continue;
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let i = 0; i < m; i++) s += U[i * r + j] * b[i * k + c];
      utb[j * k + c] = s * fj;
    }
  }
  const x = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let j = 0; j < r; j++) s += V[i * r + j] * utb[j * k + c];
      x[i * k + c] = s;
    }
  }
  return x;
}

/**
 * Minimum-norm least squares min ‖A·X − B‖ for A [m, n], B [m, k]. Singular values below
 * max(m, n)·eps·s_max count as zero: numpy.linalg.lstsq's default. (scipy's gelsd, which
 * scikit-learn calls, cuts at eps·s_max, below the rounding noise of an exactly dependent
 * column, ~eps·s_max itself, so which side such a value lands on is chance; the wider
 * cutoff decides rank deficiency reliably and differs from scipy only for condition numbers
 * between 1/(max(m, n)·eps) and 1/eps.) Returns X [n, k], the rank and the singular values.
 */
export function lstsqMinNorm(a: Float64Array, m: number, n: number, b: Float64Array, k: number): { x: Float64Array; rank: number; singular: Float64Array } {
  const svd = svdThin(a, m, n);
  const cutoff = Math.max(m, n) * EPS * (svd.S[0] ?? 0);
  let rank = 0;
  for (const s of svd.S) if (s > cutoff) rank++;
  return { x: svdApply(svd, m, n, b, k, (s) => (s > cutoff ? 1 / s : 0)), rank, singular: svd.S };
}

/**
 * Solves A·X = B for symmetric positive definite A [n, n] (overwritten by its Cholesky factor)
 * and B [n, k]; returns null when a pivot is not safely positive (relative to the largest
 * diagonal entry), the case where LAPACK's potrf would fail or lose all accuracy.
 */
export function choleskySolve(a: Float64Array, n: number, b: Float64Array, k: number): Float64Array | null {
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, a[i * n + i]);
  const tiny = n * EPS * maxDiag;
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j];
    for (let c = 0; c < j; c++) d -= a[j * n + c] ** 2;
    if (!(d > tiny)) return null;
    const l = Math.sqrt(d);
    a[j * n + j] = l;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j];
      for (let c = 0; c < j; c++) s -= a[i * n + c] * a[j * n + c];
      a[i * n + j] = s / l;
    }
  }
  const x = Float64Array.from(b);
  for (let c = 0; c < k; c++) {
    for (let i = 0; i < n; i++) {            // L·z = b
      let s = x[i * k + c];
      for (let q = 0; q < i; q++) s -= a[i * n + q] * x[q * k + c];
      x[i * k + c] = s / a[i * n + i];
    }
    for (let i = n - 1; i >= 0; i--) {       // Lᵀ·x = z
      let s = x[i * k + c];
      for (let q = i + 1; q < n; q++) s -= a[q * n + i] * x[q * k + c];
      x[i * k + c] = s / a[i * n + i];
    }
  }
  return x;
}

/** Aᵀ·B for row-major A [m, n] and B [m, k]: [n, k]. */
function gramT(a: Float64Array, m: number, n: number, b: Float64Array, k: number): Float64Array {
  const out = new Float64Array(n * k);
  for (let i = 0; i < m; i++) {
    for (let r = 0; r < n; r++) {
      const v = a[i * n + r];
      if (v === 0) continue;
      for (let c = 0; c < k; c++) out[r * k + c] += v * b[i * k + c];
    }
  }
  return out;
}

/** [n, k] → [k, n]. */
function transpose(a: Float64Array, n: number, k: number): Float64Array {
  const out = new Float64Array(n * k);
  for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) out[c * n + i] = a[i * k + c];
  return out;
}

export function booleanOption(op: string, name: string, v: unknown, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') throw new TensileError(op, `option '${name}' must be a boolean, got ${String(v)}`);
  return v;
}

// ---------------- estimators ----------------

export interface LinearRegressionOptions {
  /** Fit an intercept (centring the data first); default true. */
  fitIntercept?: boolean;
}

/**
 * Ordinary least squares, as sklearn.linear_model.LinearRegression: the minimum-norm solution
 * when X is rank deficient.
 * @example
 * const { data, target } = tn.data.loadDiabetes({ dtype: 'float64' });
 * const lr = new tn.ml.LinearRegression().fit(data, target);
 * lr.score(data, target); // 0.5177
 */
export class LinearRegression extends LinearRegressor {
  protected readonly name = 'LinearRegression';
  readonly fitIntercept: boolean;
  private lstsq?: { rank: number; singular: Float64Array };

  constructor(opts: LinearRegressionOptions = {}) {
    super();
    this.fitIntercept = booleanOption('LinearRegression', 'fitIntercept', opts.fitIntercept, true);
  }

  fit(X: MatrixLike, y: TargetsLike): this {
    const d = prepareRegression('LinearRegression.fit', X, y, this.fitIntercept);
    const sol = lstsqMinNorm(d.Xc, d.n, d.p, d.Yc, d.t);
    const coef = transpose(sol.x, d.p, d.t);
    this.lstsq = { rank: sol.rank, singular: sol.singular };
    this.setModel(coef, interceptFrom(coef, d.xOffset, d.yOffset), d.targets, d.p, d.x.device);
    return this;
  }

  /** Rank of the (centred) X. */
  get rank(): number {
    this.fitted('rank');
    return this.lstsq!.rank;
  }

  /** Singular values of the (centred) X, descending. */
  get singular(): Tensor {
    const m = this.fitted('singular');
    return result(this.lstsq!.singular.slice(), [this.lstsq!.singular.length], m.device);
  }
}

export interface RidgeOptions {
  /** L2 strength α >= 0 in ‖y − Xw‖² + α‖w‖² (default 1). */
  alpha?: number;
  fitIntercept?: boolean;
  /** 'auto' and 'cholesky' (the default path, SVD fallback) or 'svd'. */
  solver?: 'auto' | 'cholesky' | 'svd';
}

/**
 * Ridge regression, as sklearn.linear_model.Ridge: minimizes ‖y − Xw‖² + α‖w‖² per target, the
 * intercept unpenalised.
 * @example new tn.ml.Ridge({ alpha: 0.5 }).fit(X, y).coef
 */
export class Ridge extends LinearRegressor {
  protected readonly name = 'Ridge';
  readonly alpha: number;
  readonly fitIntercept: boolean;
  readonly solver: 'auto' | 'cholesky' | 'svd';
  /** The solver that produced the fit ('cholesky' or 'svd'). */
  solverUsed?: 'cholesky' | 'svd';

  constructor(opts: RidgeOptions = {}) {
    super();
    this.alpha = checkParam('Ridge', 'alpha', opts.alpha ?? 1, { min: 0, exclusiveMin: false });
    this.fitIntercept = booleanOption('Ridge', 'fitIntercept', opts.fitIntercept, true);
    const solver = opts.solver ?? 'auto';
    if (!['auto', 'cholesky', 'svd'].includes(solver)) throw new TensileError('Ridge', `option 'solver' must be 'auto', 'cholesky' or 'svd', got ${String(solver)}`);
    this.solver = solver;
  }

  fit(X: MatrixLike, y: TargetsLike): this {
    const d = prepareRegression('Ridge.fit', X, y, this.fitIntercept);
    const { n, p, t, Xc, Yc } = d;
    const alpha = this.alpha;
    let w: Float64Array | null = null;   // [p, t]
    if (this.solver !== 'svd') {
      if (p > n) {
        // More features than samples: the dual (kernel) system (XXᵀ + αI)·a = y, w = Xᵀa.
        const K = new Float64Array(n * n);
        for (let i = 0; i < n; i++) {
          for (let j = 0; j <= i; j++) {
            let s = 0;
            for (let c = 0; c < p; c++) s += Xc[i * p + c] * Xc[j * p + c];
            K[i * n + j] = K[j * n + i] = s;
          }
          K[i * n + i] += alpha;
        }
        const dual = choleskySolve(K, n, Yc, t);
        if (dual) w = gramT(Xc, n, p, dual, t);
      } else {
        const A = gramT(Xc, n, p, Xc, p);
        for (let i = 0; i < p; i++) A[i * p + i] += alpha;
        w = choleskySolve(A, p, gramT(Xc, n, p, Yc, t), t);
      }
    }
    this.solverUsed = w ? 'cholesky' : 'svd';
    if (!w) w = svdApply(svdThin(Xc, n, p), n, p, Yc, t, (s) => (s > 1e-15 ? s / (s * s + alpha) : 0));
    const coef = transpose(w, p, t);
    this.setModel(coef, interceptFrom(coef, d.xOffset, d.yOffset), d.targets, p, d.x.device);
    return this;
  }
}

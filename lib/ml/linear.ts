/**
 * Least squares and ridge regression in closed form, as scikit-learn: the data are centred
 * when an intercept is fitted (so the intercept is not penalised), LinearRegression solves by
 * a minimum-norm SVD least squares (as scipy.linalg.lstsq; lstsqMinNorm says how the rank
 * is decided), and Ridge by Cholesky on XᵀX + αI (or on XXᵀ + αI when there are more
 * features than samples), falling back to the SVD when the system is not numerically
 * positive definite. The products (XᵀX, Xᵀy, the centring) run on the input's device through
 * the backend's GEMM and the factorisations through the tn.linalg kernels (lib/ml/solvers.ts):
 * native on cpu, the js reference on js.
 * The shared regressor base (coef, intercept, predict, score) lives here too.
 */
import { TensileError } from '../errors.js';
import { Tensor } from '../tensor.js';
import type { DeviceName } from '../backends/backend.js';
import { tidy } from '../memory.js';
import { mean, sub } from '../ops/index.js';
import {
  type LabelsLike, type MatrixLike, checkFeatures, checkFitted, checkParam, result, toMatrix, toMatrixTensor, toTargets,
} from './base.js';
import { r2 } from './metrics.js';
import { asTensor, centered, choleskySolve, columnMeans, lstsqMinNorm, peek, product, svdSolve, transpose } from './solvers.js';

// Moved to solvers.ts with the other dense routines; re-exported under their old names.
export { centered, choleskySolve, columnMeans, lstsqMinNorm, svdThin } from './solvers.js';

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

/**
 * prepareRegression for the GEMM-based solvers: X as a float64 tensor on its own js/cpu device,
 * centred there (the column means and the subtraction run as tensor ops: native on cpu).
 * Tensors it makes belong to the caller's tn.tidy scope; Xc may be the input tensor itself.
 */
function prepareDense(op: string, X: MatrixLike, y: TargetsLike, fitIntercept: boolean) {
  const x = toMatrixTensor(op, X);
  const n = x.rows, p = x.cols;
  const targets = toTargetMatrix(op, y, n);
  const t = targets.nTargets;
  const yOffset = fitIntercept ? columnMeans(targets.data, n, t) : new Float64Array(t);
  let Xc = x.t, xOffset = new Float64Array(p);
  if (fitIntercept) {
    const mu = mean(x.t, 0);
    xOffset = peek(mu).slice();
    Xc = sub(x.t, mu);
  }
  return {
    n, p, t, targets, xOffset, yOffset, Xc, device: x.device,
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
    tidy(() => {
      const d = prepareDense('LinearRegression.fit', X, y, this.fitIntercept);
      const sol = lstsqMinNorm(peek(d.Xc), d.n, d.p, d.Yc, d.t, d.Xc.device);
      const coef = transpose(sol.x, d.p, d.t);
      this.lstsq = { rank: sol.rank, singular: sol.singular };
      this.setModel(coef, interceptFrom(coef, d.xOffset, d.yOffset), d.targets, d.p, d.device);
    });
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
    tidy(() => {
      const d = prepareDense('Ridge.fit', X, y, this.fitIntercept);
      const { n, p, t, Xc, Yc } = d;
      const alpha = this.alpha, dev = Xc.device;
      let coef: Float64Array | null = null;   // [t, p]
      if (this.solver !== 'svd') {
        if (p > n) {
          // More features than samples: the dual (kernel) system (XXᵀ + αI)·a = y, w = Xᵀa.
          const K = product(Xc, Xc, false, true);
          for (let i = 0; i < n; i++) K[i * n + i] += alpha;
          const dual = choleskySolve(K, n, Yc, t, dev);
          if (dual) coef = product(asTensor(dual, [n, t], dev), Xc, true, false);
        } else {
          const A = product(Xc, Xc, true, false);
          for (let i = 0; i < p; i++) A[i * p + i] += alpha;
          // Ycᵀ·Xc rather than Xcᵀ·Yc: a GEMM row per target, not a one-column product.
          const XtY = transpose(product(asTensor(Yc, [n, t], dev), Xc, true, false), t, p);
          const w = choleskySolve(A, p, XtY, t, dev);
          if (w) coef = transpose(w, p, t);
        }
      }
      this.solverUsed = coef ? 'cholesky' : 'svd';
      if (!coef) coef = transpose(svdSolve(peek(Xc), n, p, Yc, t, (s) => (s > 1e-15 ? s / (s * s + alpha) : 0), dev).x, p, t);
      this.setModel(coef, interceptFrom(coef, d.xOffset, d.yOffset), d.targets, p, d.device);
    });
    return this;
  }
}

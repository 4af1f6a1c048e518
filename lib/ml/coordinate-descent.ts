/**
 * Lasso and ElasticNet by coordinate descent, the algorithm of scikit-learn's
 * enet_coordinate_descent (cd_fast.pyx) step for step: scikit-learn's objective
 *   1/(2n)·‖y − Xw‖² + α·ρ·‖w‖₁ + ½·α·(1−ρ)·‖w‖²   (ρ = l1Ratio),
 * solved on centred data as ½‖y − Xw‖² + l1·‖w‖₁ + ½·l2·‖w‖² with l1 = nαρ, l2 = nα(1−ρ);
 * cyclic (or random) sweeps of soft-thresholded coordinate updates keeping the residual
 * current, and the duality gap (scaled by ‖y‖²) checked whenever the largest update is small
 * relative to the largest weight. The fit runs natively (native/src/ml/cd_impl.h, the same
 * steps) when the addon has it; the solver here is its oracle and fallback.
 */
import { TensileError } from '../errors.js';
import { type MatrixLike, checkParam, toMatrix } from './base.js';
import { CdRandom, iterLimit, nativeCd } from './cd-native.js';
import { LinearRegressor, type TargetsLike, booleanOption, interceptFrom, prepareRegression, toTargetMatrix } from './linear.js';

export interface ElasticNetOptions {
  /** Overall penalty strength α >= 0 (default 1). */
  alpha?: number;
  /** ρ in [0, 1]: 1 is the lasso, 0 ridge (default 0.5). */
  l1Ratio?: number;
  fitIntercept?: boolean;
  /** Most sweeps over the features (default 1000). */
  maxIter?: number;
  /** Duality-gap tolerance, relative to ‖y‖² (default 1e-4). */
  tol?: number;
  /** Constrain the weights to be >= 0 (default false). */
  positive?: boolean;
  /** 'cyclic' (default) or 'random' coordinate order (seeded by `seed`; CdRandom's stream). */
  selection?: 'cyclic' | 'random';
  seed?: number;
}

export interface DescentResult { gap: number; tol: number; nIter: number }

/**
 * Coordinate descent on ½‖y − Xw‖² + l1‖w‖₁ + ½·l2‖w‖², X column-major (xCols[j*n + i]),
 * updating w in place. The hot loop: two passes over a column per coordinate (dot and axpy).
 */
export function enetCoordinateDescent(
  xCols: Float64Array, n: number, p: number, y: Float64Array, w: Float64Array,
  l1: number, l2: number, maxIter: number, tol: number, positive: boolean, rng: { int(n: number): number } | null,
): DescentResult {
  const normCols = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    let s = 0;
    for (let i = j * n, e = i + n; i < e; i++) s += xCols[i] * xCols[i];
    normCols[j] = s;
  }
  const R = Float64Array.from(y);
  for (let j = 0; j < p; j++) {
    const wj = w[j];
    if (wj !== 0) for (let i = 0, o = j * n; i < n; i++) R[i] -= xCols[o + i] * wj;
  }
  let yy = 0;
  for (let i = 0; i < n; i++) yy += y[i] * y[i];
  const dwTol = tol;
  tol *= yy;
  let gap = tol + 1, iter = 0;
  for (iter = 0; iter < maxIter; iter++) {
    let wMax = 0, dwMax = 0;
    for (let f = 0; f < p; f++) {
      const j = rng ? rng.int(p) : f;
      if (normCols[j] === 0) continue;
      const o = j * n;
      const wOld = w[j];
      if (wOld !== 0) for (let i = 0; i < n; i++) R[i] += wOld * xCols[o + i];
      let tmp = 0;
      for (let i = 0; i < n; i++) tmp += xCols[o + i] * R[i];
      let wNew: number;
      if (positive && tmp < 0) wNew = 0;
      else wNew = (Math.sign(tmp) * Math.max(Math.abs(tmp) - l1, 0)) / (normCols[j] + l2);
      w[j] = wNew;
      if (wNew !== 0) for (let i = 0; i < n; i++) R[i] -= wNew * xCols[o + i];
      dwMax = Math.max(dwMax, Math.abs(wNew - wOld));
      wMax = Math.max(wMax, Math.abs(wNew));
    }
    if (wMax === 0 || dwMax / wMax < dwTol || iter === maxIter - 1) {
      // Duality gap of the scaled dual point R·min(1, l1/‖XᵀR − l2·w‖∞).
      let dualNorm = positive ? -Infinity : 0;
      for (let j = 0; j < p; j++) {
        let s = 0;
        for (let i = 0, o = j * n; i < n; i++) s += xCols[o + i] * R[i];
        const xta = s - l2 * w[j];
        dualNorm = positive ? Math.max(dualNorm, xta) : Math.max(dualNorm, Math.abs(xta));
      }
      let rNorm2 = 0, ry = 0, wNorm2 = 0, l1Norm = 0;
      for (let i = 0; i < n; i++) { rNorm2 += R[i] * R[i]; ry += R[i] * y[i]; }
      for (let j = 0; j < p; j++) { wNorm2 += w[j] * w[j]; l1Norm += Math.abs(w[j]); }
      let scale: number;
      if (dualNorm > l1) {
        scale = l1 / dualNorm;
        gap = 0.5 * (rNorm2 + rNorm2 * scale * scale);
      } else {
        scale = 1;
        gap = rNorm2;
      }
      gap += l1 * l1Norm - scale * ry + 0.5 * l2 * (1 + scale * scale) * wNorm2;
      if (gap < tol) break;
    }
  }
  return { gap, tol, nIter: Math.min(iter, maxIter - 1) + 1 };
}

/**
 * Linear regression with combined L1 and L2 penalties, as sklearn.linear_model.ElasticNet.
 * @example
 * const en = new tn.ml.ElasticNet({ alpha: 0.1, l1Ratio: 0.7 }).fit(X, y);
 * en.coef; en.nIter; en.dualGap
 */
export class ElasticNet extends LinearRegressor {
  protected readonly name: string = 'ElasticNet';
  readonly alpha: number;
  readonly l1Ratio: number;
  readonly fitIntercept: boolean;
  readonly maxIter: number;
  readonly tol: number;
  readonly positive: boolean;
  readonly selection: 'cyclic' | 'random';
  readonly seed?: number;
  private iters: number[] = [];
  private gaps: number[] = [];

  constructor(opts: ElasticNetOptions = {}, name = 'ElasticNet') {
    super();
    this.name = name;
    this.alpha = checkParam(name, 'alpha', opts.alpha ?? 1, { min: 0, exclusiveMin: false });
    this.l1Ratio = checkParam(name, 'l1Ratio', opts.l1Ratio ?? 0.5, { min: 0, exclusiveMin: false });
    if (this.l1Ratio > 1) throw new TensileError(name, `'l1Ratio' must be in [0, 1], got ${this.l1Ratio}`);
    this.fitIntercept = booleanOption(name, 'fitIntercept', opts.fitIntercept, true);
    this.maxIter = checkParam(name, 'maxIter', opts.maxIter ?? 1000, { integer: true });
    this.tol = checkParam(name, 'tol', opts.tol ?? 1e-4, { min: 0, exclusiveMin: false });
    this.positive = booleanOption(name, 'positive', opts.positive, false);
    const selection = opts.selection ?? 'cyclic';
    if (selection !== 'cyclic' && selection !== 'random') throw new TensileError(name, `option 'selection' must be 'cyclic' or 'random', got ${String(selection)}`);
    this.selection = selection;
    this.seed = opts.seed;
  }

  fit(X: MatrixLike, y: TargetsLike): this {
    const op = `${this.name}.fit`;
    const native = nativeCd('enetFit');
    if (native) {
      // One call: centring, the column-major copy and every target's descent.
      const x = toMatrix(op, X);
      const targets = toTargetMatrix(op, y, x.rows);
      const n = x.rows, p = x.cols, t = targets.nTargets;
      const rng = this.selection === 'random' ? CdRandom.from(op, this.seed) : null;
      const coef = new Float64Array(t * p), xOffset = new Float64Array(p), yOffset = new Float64Array(t);
      const stats = new Float64Array(2 * t);
      native(x.data, n, p, targets.data, t, this.fitIntercept, this.alpha * this.l1Ratio * n, this.alpha * (1 - this.l1Ratio) * n,
        iterLimit(this.maxIter), this.tol, this.positive, rng ? rng.s : null, coef, xOffset, yOffset, stats);
      this.iters = []; this.gaps = [];
      for (let k = 0; k < t; k++) { this.iters.push(stats[2 * k]); this.gaps.push(stats[2 * k + 1] / n); }
      this.setModel(coef, interceptFrom(coef, xOffset, yOffset), targets, p, x.device);
      return this;
    }
    const d = prepareRegression(op, X, y, this.fitIntercept);
    const { n, p, t, Xc, Yc } = d;
    const xCols = new Float64Array(n * p);
    for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) xCols[j * n + i] = Xc[i * p + j];
    const rng = this.selection === 'random' ? CdRandom.from(op, this.seed) : null;
    const coef = new Float64Array(t * p);
    this.iters = []; this.gaps = [];
    const yk = new Float64Array(n);
    for (let k = 0; k < t; k++) {
      for (let i = 0; i < n; i++) yk[i] = Yc[i * t + k];
      const w = coef.subarray(k * p, (k + 1) * p);
      const r = enetCoordinateDescent(xCols, n, p, yk, w, this.alpha * this.l1Ratio * n, this.alpha * (1 - this.l1Ratio) * n, this.maxIter, this.tol, this.positive, rng);
      this.iters.push(r.nIter);
      this.gaps.push(r.gap / n);
    }
    this.setModel(coef, interceptFrom(coef, d.xOffset, d.yOffset), d.targets, p, d.x.device);
    return this;
  }

  /** Sweeps run (per target when y is 2-D); equal to maxIter means it did not converge. */
  get nIter(): number | number[] {
    const m = this.fitted('nIter');
    return m.multi ? [...this.iters] : this.iters[0];
  }

  /** The final duality gap of the 1/(2n)-scaled objective (per target when y is 2-D). */
  get dualGap(): number | number[] {
    const m = this.fitted('dualGap');
    return m.multi ? [...this.gaps] : this.gaps[0];
  }
}

export interface LassoOptions extends Omit<ElasticNetOptions, 'l1Ratio'> {}

/**
 * L1-penalised least squares, as sklearn.linear_model.Lasso (ElasticNet with l1Ratio = 1):
 * minimizes 1/(2n)·‖y − Xw‖² + α‖w‖₁.
 * @example new tn.ml.Lasso({ alpha: 0.1 }).fit(X, y).coef
 */
export class Lasso extends ElasticNet {
  constructor(opts: LassoOptions = {}) {
    super({ ...opts, l1Ratio: 1 }, 'Lasso');
  }
}

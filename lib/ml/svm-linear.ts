/**
 * Linear support vector classification as scikit-learn's LinearSVC (liblinear): the dual
 * coordinate descent of Hsieh, Chang, Lin, Keerthi and Sundararajan (ICML 2008) with
 * liblinear's shrinking, for the L2-regularized squared hinge (default) or hinge loss. The
 * intercept is liblinear's: a constant feature `interceptScaling` appended to every sample
 * and regularized like a weight, so the result matches liblinear's, not an unpenalized
 * intercept. One-vs-rest for more than two classes; the sample order of each sweep is a
 * seeded random permutation (CdRandom's, not liblinear's rand()), so coefficients agree with
 * scikit-learn to the solver tolerance, not bit for bit. The fit runs natively
 * (native/src/ml/cd_impl.h, the same steps) when the addon has it; the solver here is its
 * oracle and fallback.
 */
import { TensileError } from '../errors.js';
import type { DeviceName } from '../backends/backend.js';
import { type Label, type LabelsLike, type MatrixLike, checkParam } from './base.js';
import { CdRandom, iterLimit, nativeCd } from './cd-native.js';
import { booleanOption } from './linear.js';
import { LinearClassifier, prepareClassification, warnNotConverged } from './logistic.js';

/**
 * liblinear's solve_l2r_l1l2_svc: minimizes the dual ½αᵀ(Q + D)α − eᵀα, 0 <= αᵢ <= U, with
 * Q_ij = yᵢyⱼxᵢᵀxⱼ, D = 1/(2C)·I and U = ∞ for the squared hinge, D = 0 and U = C for the
 * hinge, keeping w = Σ αᵢyᵢxᵢ current. X row-major [n, dim]. Returns w and the sweeps run.
 * The hot loop: one dot and one axpy over a sample row per coordinate.
 */
export function dualCoordinateDescent(
  x: Float64Array, n: number, dim: number, y: Int8Array, C: number, loss: 'hinge' | 'squared_hinge',
  tol: number, maxIter: number, rng: { int(n: number): number },
): { w: Float64Array; nIter: number } {
  const diag = loss === 'squared_hinge' ? 0.5 / C : 0;
  const upper = loss === 'squared_hinge' ? Infinity : C;
  const w = new Float64Array(dim), alpha = new Float64Array(n), QD = new Float64Array(n);
  const index = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let s = diag;
    for (let j = i * dim, e = j + dim; j < e; j++) s += x[j] * x[j];
    QD[i] = s;
    index[i] = i;
  }
  let activeSize = n, pgMaxOld = Infinity, pgMinOld = -Infinity, iter = 0;
  while (iter < maxIter) {
    let pgMaxNew = -Infinity, pgMinNew = Infinity;
    for (let i = 0; i < activeSize; i++) {
      const j = i + rng.int(activeSize - i);
      const t = index[i]; index[i] = index[j]; index[j] = t;
    }
    for (let s = 0; s < activeSize; s++) {
      const i = index[s], yi = y[i], o = i * dim;
      let G = 0;
      for (let j = 0; j < dim; j++) G += w[j] * x[o + j];
      G = yi * G - 1 + alpha[i] * diag;
      let PG = 0;
      if (alpha[i] === 0) {
        if (G > pgMaxOld) {
          // Shrink: at the lower bound with a gradient pushing it further out.
          activeSize--;
          index[s] = index[activeSize]; index[activeSize] = i;
          s--;
          continue;
        } else if (G < 0) PG = G;
      } else if (alpha[i] === upper) {
        if (G < pgMinOld) {
          activeSize--;
          index[s] = index[activeSize]; index[activeSize] = i;
          s--;
          continue;
        } else if (G > 0) PG = G;
      } else PG = G;
      pgMaxNew = Math.max(pgMaxNew, PG);
      pgMinNew = Math.min(pgMinNew, PG);
      if (Math.abs(PG) > 1e-12) {
        const old = alpha[i];
        alpha[i] = Math.min(Math.max(old - G / QD[i], 0), upper);
        const d = (alpha[i] - old) * yi;
        for (let j = 0; j < dim; j++) w[j] += d * x[o + j];
      }
    }
    iter++;
    if (pgMaxNew - pgMinNew <= tol) {
      if (activeSize === n) break;
      // Converged on the active set: check once more on all samples.
      activeSize = n;
      pgMaxOld = Infinity; pgMinOld = -Infinity;
      continue;
    }
    pgMaxOld = pgMaxNew <= 0 ? Infinity : pgMaxNew;
    pgMinOld = pgMinNew >= 0 ? -Infinity : pgMinNew;
  }
  return { w, nIter: iter };
}

export interface LinearSVCOptions {
  /** Penalty parameter C > 0 (default 1). */
  C?: number;
  /** 'squared_hinge' (default) or 'hinge'. */
  loss?: 'squared_hinge' | 'hinge';
  /** Only 'l2' is implemented. */
  penalty?: 'l2';
  /** Only the dual solver (true) is implemented. */
  dual?: true;
  /** Stop when the projected-gradient spread falls below tol (default 1e-4). */
  tol?: number;
  /** Most sweeps over the samples per class (default 1000). */
  maxIter?: number;
  fitIntercept?: boolean;
  /** The constant feature standing for the intercept (default 1); the intercept is its weight times it. */
  interceptScaling?: number;
  /** Seed of the per-sweep sample permutation. */
  seed?: number;
}

/**
 * A linear SVM, as sklearn.svm.LinearSVC: one-vs-rest, liblinear's penalised intercept.
 * @example
 * const svc = new tn.ml.LinearSVC({ C: 0.1, seed: 0 }).fit(X, y);
 * svc.decisionFunction(X); svc.predict(X);
 */
export class LinearSVC extends LinearClassifier {
  protected readonly name = 'LinearSVC';
  readonly C: number;
  readonly loss: 'squared_hinge' | 'hinge';
  readonly tol: number;
  readonly maxIter: number;
  readonly fitIntercept: boolean;
  readonly interceptScaling: number;
  readonly seed?: number;
  private iters = 0;

  constructor(opts: LinearSVCOptions = {}) {
    super();
    const op = 'LinearSVC';
    this.C = checkParam(op, 'C', opts.C ?? 1);
    const loss = opts.loss ?? 'squared_hinge';
    if (loss !== 'squared_hinge' && loss !== 'hinge') throw new TensileError(op, `option 'loss' must be 'squared_hinge' or 'hinge', got ${String(loss)}`);
    this.loss = loss;
    if (opts.penalty !== undefined && opts.penalty !== 'l2') throw new TensileError(op, `option 'penalty' must be 'l2' (l1 needs the primal solver, not implemented), got ${String(opts.penalty)}`);
    if (opts.dual !== undefined && opts.dual !== true) throw new TensileError(op, `option 'dual' must be true: only liblinear's dual solver is implemented`);
    this.tol = checkParam(op, 'tol', opts.tol ?? 1e-4);
    this.maxIter = checkParam(op, 'maxIter', opts.maxIter ?? 1000, { integer: true });
    this.fitIntercept = booleanOption(op, 'fitIntercept', opts.fitIntercept, true);
    this.interceptScaling = checkParam(op, 'interceptScaling', opts.interceptScaling ?? 1);
    this.seed = opts.seed;
  }

  fit(X: MatrixLike, y: LabelsLike): this {
    const op = 'LinearSVC.fit';
    const { x, classes, index } = prepareClassification(op, X, y);
    const rng = CdRandom.from(op, this.seed);
    const n = x.rows, p = x.cols, dim = p + (this.fitIntercept ? 1 : 0);
    const K = classes.length, rows = K === 2 ? 1 : K;
    const coef = new Float64Array(rows * p), intercept = new Float64Array(rows);
    const native = nativeCd('linearSvcFit');
    if (native) {
      const iters = new Float64Array(rows);
      native(x.data, n, p, index, K, this.C, this.loss === 'hinge', this.fitIntercept ? this.interceptScaling : 0, this.tol,
        iterLimit(this.maxIter), rng.s, coef, intercept, iters);
      this.finish(classes, coef, intercept, Math.max(...iters), p, x.device);
      return this;
    }
    // The samples with liblinear's bias feature appended.
    const xa = new Float64Array(n * dim);
    for (let i = 0; i < n; i++) {
      xa.set(x.data.subarray(i * p, (i + 1) * p), i * dim);
      if (this.fitIntercept) xa[i * dim + p] = this.interceptScaling;
    }
    const ypm = new Int8Array(n);
    let iters = 0;
    for (let r = 0; r < rows; r++) {
      const pos = K === 2 ? 1 : r;
      for (let i = 0; i < n; i++) ypm[i] = index[i] === pos ? 1 : -1;
      const { w, nIter } = dualCoordinateDescent(xa, n, dim, ypm, this.C, this.loss, this.tol, this.maxIter, rng);
      iters = Math.max(iters, nIter);
      coef.set(w.subarray(0, p), r * p);
      intercept[r] = this.fitIntercept ? this.interceptScaling * w[p] : 0;
    }
    this.finish(classes, coef, intercept, iters, p, x.device);
    return this;
  }

  private finish(classes: Label[], coef: Float64Array, intercept: Float64Array, iters: number, p: number, device?: DeviceName): void {
    this.iters = iters;
    if (iters >= this.maxIter) warnNotConverged(this.name, `reached maxIter = ${this.maxIter}; increase it or scale the data`);
    this.setModel(classes, coef, intercept, p, device);
  }

  /** The most sweeps any one-vs-rest problem took. */
  get nIter(): number {
    this.fitted('nIter');
    return this.iters;
  }
}

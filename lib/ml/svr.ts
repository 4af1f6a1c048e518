/**
 * ε-support vector regression with scikit-learn's semantics and defaults (libsvm's ε-SVR,
 * its 2n-variable formulation), trained by lib/ml/smo-native.ts's SMO.
 */
import { TensileError } from '../errors.js';
import { tensor } from '../ops/creation.js';
import type { Tensor } from '../tensor.js';
import { type LabelsLike, type Matrix, type MatrixLike, checkFitted, checkParam, result, toTargets } from './base.js';
import { BaseSVM, type SVROptions } from './svm-base.js';
import { solveSMO } from './smo-native.js';

/**
 * ε-support vector regression (libsvm's ε-SVR), as sklearn.svm.SVR.
 * @example
 * const reg = new tn.ml.SVR({ C: 100, epsilon: 0.1 }).fit(X, y);
 * reg.predict(X); reg.dualCoef; reg.intercept;
 */
export class SVR extends BaseSVM {
  readonly estimatorType = 'regressor' as const;
  protected readonly name = 'SVR';
  readonly epsilon: number;
  private iters = 0;
  private coefs = new Float64Array(0);
  private b = 0;

  constructor(opts: SVROptions = {}) {
    super(opts);
    this.epsilon = opts.epsilon ?? 0.1;
  }

  /** Solves libsvm's 2n-variable ε-SVR dual (α⁺ with y = +1, α⁻ with y = −1); returns this. */
  fit(X: MatrixLike, y: LabelsLike): this {
    const op = 'SVR.fit';
    this.checkParams(op);
    checkParam(op, 'epsilon', this.epsilon, { min: 0, exclusiveMin: false });
    const M = this.fitMatrix(op, X);
    const t = toTargets(op, y, M.rows);
    const l = M.rows;
    const ys = new Int8Array(2 * l).fill(1, 0, l).fill(-1, l);
    const p = new Float64Array(2 * l);
    for (let i = 0; i < l; i++) { p[i] = this.epsilon - t[i]; p[i + l] = this.epsilon + t[i]; }
    const sample = Int32Array.from({ length: 2 * l }, (_, k) => k % l);
    const f = solveSMO(this.kernelData(M), { y: ys, p, C: new Float64Array(2 * l).fill(this.C), sample }, this.solverOptions());
    const sv: number[] = [], coefs: number[] = [];
    for (let i = 0; i < l; i++) {
      const a = f.alpha[i] - f.alpha[i + l];
      if (a !== 0) { sv.push(i); coefs.push(a); }
    }
    this.coefs = Float64Array.from(coefs);
    this.b = f.rho !== 0 ? -f.rho : 0;
    this.iters = f.nIter;
    this.status = f.timedOut ? 1 : 0;
    this.keepSupport(M, Int32Array.from(sv));
    this.fitted = true;
    return this;
  }

  /** Σ dualCoef_k · k(x, sv_k) + intercept, [m]. */
  predict(X: MatrixLike): Tensor {
    const M = this.predictMatrix('SVR.predict', X);
    return result(this.predictValues(M), [M.rows], this.device);
  }

  private predictValues(M: Matrix): Float64Array {
    const out = new Float64Array(M.rows), n = this.sv.length;
    this.supportKernel(M, (a, m, K) => {
      for (let r = 0; r < m; r++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += this.coefs[k] * K[r * n + k];
        out[a + r] = s + this.b;
      }
    });
    return out;
  }

  /** Coefficient of determination R² on (X, y). */
  score(X: MatrixLike, y: LabelsLike): number {
    const M = this.predictMatrix('SVR.score', X);
    const t = toTargets('SVR.score', y, M.rows), pred = this.predictValues(M);
    let mean = 0;
    for (let i = 0; i < t.length; i++) mean += t[i];
    mean /= t.length;
    let ssRes = 0, ssTot = 0;
    for (let i = 0; i < t.length; i++) { ssRes += (t[i] - pred[i]) ** 2; ssTot += (t[i] - mean) ** 2; }
    return ssTot === 0 ? (ssRes === 0 ? 1 : 0) : 1 - ssRes / ssTot;
  }

  /** SMO iterations (sklearn's n_iter_). */
  get nIter(): number {
    checkFitted('SVR.nIter', this.fitted, 'SVR');
    return this.iters;
  }

  /** [nSV]: the count of support vectors, as sklearn's n_support_ for regression. */
  get nSupport(): Tensor {
    checkFitted('SVR.nSupport', this.fitted, 'SVR');
    return tensor(Int32Array.of(this.sv.length), { device: this.device });
  }

  /** α⁺ − α⁻ of the support vectors, [1, nSV]. */
  get dualCoef(): Tensor {
    checkFitted('SVR.dualCoef', this.fitted, 'SVR');
    return result(this.coefs.slice(), [1, this.sv.length], this.device);
  }

  /** [1]: −rho. */
  get intercept(): Tensor {
    checkFitted('SVR.intercept', this.fitted, 'SVR');
    return result(Float64Array.of(this.b), [1], this.device);
  }

  /** Primal weights for the linear kernel, [1, nFeatures]. */
  get coef(): Tensor {
    checkFitted('SVR.coef', this.fitted, 'SVR');
    if (this.kernel !== 'linear') throw new TensileError('SVR.coef', `coef is only available with the linear kernel (kernel is '${this.kernel}')`);
    const p = this.nFeatures, w = new Float64Array(p);
    for (let k = 0; k < this.sv.length; k++) for (let f = 0; f < p; f++) w[f] += this.coefs[k] * this.svX[k * p + f];
    return result(w, [1, p], this.device);
  }
}

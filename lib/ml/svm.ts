/**
 * Kernel support vector machines with scikit-learn's semantics and defaults: SVC (C-SVC,
 * one-vs-one multiclass exactly as libsvm: classes in sorted order, samples grouped by class,
 * votes with ties to the lowest class) here, SVR (ε-SVR) in lib/ml/svr.ts. Both train with
 * libsvm's SMO (lib/ml/smo-native.ts: the native solver, or lib/ml/smo.ts's without it) and
 * expose sklearn's fitted attributes in camelCase (dualCoef, intercept, support, ...).
 */
import { TensileError } from '../errors.js';
import { tensor } from '../ops/creation.js';
import type { Tensor } from '../tensor.js';
import {
  type Label, type LabelsLike, type Matrix, type MatrixLike, checkFitted, decodeLabels, encodeLabels, result, toLabels,
} from './base.js';
import { BaseSVM, type SVCOptions } from './svm-base.js';
import { solveSMO } from './smo-native.js';
import type { SMOResult } from './smo.js';

export { SVR } from './svr.js';
export type { BaseSVMOptions, Gamma, SVCOptions, SVROptions } from './svm-base.js';

/**
 * C-support vector classification (libsvm's C-SVC), as sklearn.svm.SVC.
 * @example
 * const clf = new tn.ml.SVC({ kernel: 'rbf', C: 1 }).fit(X, y);
 * clf.predict(X); clf.decisionFunction(X); clf.nSupport;
 */
export class SVC extends BaseSVM {
  readonly estimatorType = 'classifier' as const;
  protected readonly name = 'SVC';
  readonly classWeight: SVCOptions['classWeight'];
  readonly decisionFunctionShape: 'ovr' | 'ovo';
  readonly breakTies: boolean;

  private labels: Label[] = [];
  private nSV = new Int32Array(0);
  /** libsvm's sv_coef: (nClasses − 1) × nSV, row-major. */
  private svCoef = new Float64Array(0);
  /** libsvm's rho per class pair (intercept = −rho). */
  private rho = new Float64Array(0);
  private iters = new Int32Array(0);

  constructor(opts: SVCOptions = {}) {
    super(opts);
    this.classWeight = opts.classWeight ?? null;
    this.decisionFunctionShape = opts.decisionFunctionShape ?? 'ovr';
    this.breakTies = opts.breakTies ?? false;
  }

  /** Fits one binary C-SVC per class pair (i < j), libsvm's one-vs-one; returns this. */
  fit(X: MatrixLike, y: LabelsLike): this {
    const op = 'SVC.fit';
    this.checkParams(op);
    if (this.decisionFunctionShape !== 'ovr' && this.decisionFunctionShape !== 'ovo') {
      throw new TensileError(op, `'decisionFunctionShape' must be 'ovr' or 'ovo', got ${String(this.decisionFunctionShape)}`);
    }
    if (this.breakTies && this.decisionFunctionShape === 'ovo') throw new TensileError(op, "breakTies needs decisionFunctionShape 'ovr'");
    const M = this.fitMatrix(op, X);
    const labels = toLabels(op, y, M.rows);
    const { classes, index } = encodeLabels(op, labels);
    const K = classes.length, n = M.rows;
    const weightedC = this.weightedC(op, classes, index);

    // libsvm's svm_group_classes: samples grouped by class (sorted), stable within a class.
    const count = new Int32Array(K), start = new Int32Array(K);
    for (let i = 0; i < n; i++) count[index[i]]++;
    for (let c = 1; c < K; c++) start[c] = start[c - 1] + count[c - 1];
    const perm = new Int32Array(n), fill = start.slice();
    for (let i = 0; i < n; i++) perm[fill[index[i]]++] = i;
    const nonzero = new Uint8Array(n);
    const fs: SMOResult[] = [];
    let status = 0;
    for (let i = 0; i < K; i++) {
      for (let j = i + 1; j < K; j++) {
        const ci = count[i], cj = count[j], l = ci + cj;
        const sub = new Int32Array(l);
        sub.set(perm.subarray(start[i], start[i] + ci), 0);
        sub.set(perm.subarray(start[j], start[j] + cj), ci);
        const ys = new Int8Array(l).fill(1, 0, ci).fill(-1, ci);
        const Cs = new Float64Array(l).fill(weightedC[i], 0, ci).fill(weightedC[j], ci);
        const sample = Int32Array.from({ length: l }, (_, k) => k);
        const f: SMOResult = solveSMO(this.kernelData(M, sub), { y: ys, p: new Float64Array(l).fill(-1), C: Cs, sample }, this.solverOptions());
        for (let k = 0; k < l; k++) f.alpha[k] *= ys[k];
        if (f.timedOut) status = 1;
        for (let k = 0; k < ci; k++) if (f.alpha[k] !== 0) nonzero[start[i] + k] = 1;
        for (let k = 0; k < cj; k++) if (f.alpha[ci + k] !== 0) nonzero[start[j] + k] = 1;
        fs.push(f);
      }
    }

    // libsvm's model: SVs grouped by class; sv_coef[j-1] holds class i's coefficients of pair
    // (i, j) and sv_coef[i] class j's.
    const nSV = new Int32Array(K);
    for (let c = 0; c < K; c++) for (let k = 0; k < count[c]; k++) nSV[c] += nonzero[start[c] + k];
    const total = nSV.reduce((a, b) => a + b, 0);
    const support = new Int32Array(total);
    for (let q = 0, pos = 0; pos < n; pos++) if (nonzero[pos]) support[q++] = perm[pos];
    const nzStart = new Int32Array(K);
    for (let c = 1; c < K; c++) nzStart[c] = nzStart[c - 1] + nSV[c - 1];
    const svCoef = new Float64Array((K - 1) * total);
    for (let i = 0, p = 0; i < K; i++) {
      for (let j = i + 1; j < K; j++, p++) {
        const a = fs[p].alpha, ci = count[i], cj = count[j];
        let q = nzStart[i];
        for (let k = 0; k < ci; k++) if (nonzero[start[i] + k]) svCoef[(j - 1) * total + q++] = a[k];
        q = nzStart[j];
        for (let k = 0; k < cj; k++) if (nonzero[start[j] + k]) svCoef[i * total + q++] = a[ci + k];
      }
    }

    this.labels = classes;
    this.nSV = nSV;
    this.svCoef = svCoef;
    this.rho = Float64Array.from(fs, (f) => f.rho);
    this.iters = Int32Array.from(fs, (f) => f.nIter);
    this.status = status;
    this.keepSupport(M, support);
    this.fitted = true;
    return this;
  }

  /** C per class: C × classWeight (libsvm's weighted_C); 'balanced' = n / (nClasses · count). */
  private weightedC(op: string, classes: Label[], index: Int32Array): Float64Array {
    const K = classes.length, w = new Float64Array(K).fill(1), cw = this.classWeight;
    if (cw === 'balanced') {
      const cnt = new Float64Array(K);
      for (let i = 0; i < index.length; i++) cnt[index[i]]++;
      for (let c = 0; c < K; c++) w[c] = index.length / (K * cnt[c]);
    } else if (cw instanceof Map || (cw !== null && typeof cw === 'object')) {
      const entries: [Label, number][] = cw instanceof Map ? [...cw.entries()] : Object.entries(cw);
      for (const [key, value] of entries) {
        const c = classes.findIndex((k) => k === key || String(k) === String(key));
        if (c < 0) throw new TensileError(op, `classWeight names class ${String(key)}, which is not among the classes (${classes.join(', ')})`);
        if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new TensileError(op, `classWeight for class ${String(key)} must be a number >= 0, got ${String(value)}`);
        w[c] = value;
      }
    } else if (cw !== null) {
      throw new TensileError(op, `'classWeight' must be null, 'balanced' or a map from class to weight, got ${String(cw)}`);
    }
    return w.map((v) => this.C * v);
  }

  /** libsvm's decision values, one column per class pair (i, j), i < j: m × nPairs. */
  private pairDecisions(M: Matrix): Float64Array {
    const K = this.labels.length, P = (K * (K - 1)) / 2, total = this.sv.length;
    const start = new Int32Array(K);
    for (let c = 1; c < K; c++) start[c] = start[c - 1] + this.nSV[c - 1];
    const out = new Float64Array(M.rows * P);
    this.supportKernel(M, (a, m, Km) => {
      for (let r = 0; r < m; r++) {
        const kv = Km.subarray(r * total, (r + 1) * total);
        for (let i = 0, p = 0; i < K; i++) {
          for (let j = i + 1; j < K; j++, p++) {
            let sum = 0;
            const c1 = (j - 1) * total, c2 = i * total;
            for (let k = start[i]; k < start[i] + this.nSV[i]; k++) sum += this.svCoef[c1 + k] * kv[k];
            for (let k = start[j]; k < start[j] + this.nSV[j]; k++) sum += this.svCoef[c2 + k] * kv[k];
            out[(a + r) * P + p] = sum - this.rho[p];
          }
        }
      }
    });
    return out;
  }

  /**
   * Signed distances to the separating surfaces: [m] for two classes (positive → classes[1]);
   * else [m, nClasses] ('ovr': votes plus scaled confidences, sklearn's _ovr_decision_function)
   * or [m, nClasses·(nClasses−1)/2] ('ovo', libsvm's pairwise values).
   */
  decisionFunction(X: MatrixLike): Tensor {
    const M = this.predictMatrix('SVC.decisionFunction', X);
    const dec = this.pairDecisions(M);
    const K = this.labels.length, P = (K * (K - 1)) / 2;
    if (K === 2) return result(dec.map((v) => -v), [M.rows], this.device);
    if (this.decisionFunctionShape === 'ovo') return result(dec, [M.rows, P], this.device);
    return result(ovrDecision(dec, M.rows, K), [M.rows, K], this.device);
  }

  /** Predicted labels: libsvm's one-vs-one votes (ties to the lowest class). */
  predict(X: MatrixLike): Tensor | string[] {
    const M = this.predictMatrix('SVC.predict', X);
    return decodeLabels(this.labels, this.predictIndex(M), this.device);
  }

  private predictIndex(M: Matrix): Int32Array {
    const dec = this.pairDecisions(M);
    const K = this.labels.length, P = (K * (K - 1)) / 2, m = M.rows;
    const out = new Int32Array(m);
    if (this.breakTies && K > 2) {
      const ovr = ovrDecision(dec, m, K);
      for (let r = 0; r < m; r++) {
        let best = 0;
        for (let c = 1; c < K; c++) if (ovr[r * K + c] > ovr[r * K + best]) best = c;
        out[r] = best;
      }
      return out;
    }
    const vote = new Int32Array(K);
    for (let r = 0; r < m; r++) {
      vote.fill(0);
      for (let i = 0, p = 0; i < K; i++) for (let j = i + 1; j < K; j++, p++) vote[dec[r * P + p] > 0 ? i : j]++;
      let best = 0;
      for (let c = 1; c < K; c++) if (vote[c] > vote[best]) best = c;
      out[r] = best;
    }
    return out;
  }

  /** Mean accuracy on (X, y). */
  score(X: MatrixLike, y: LabelsLike): number {
    const M = this.predictMatrix('SVC.score', X);
    const labels = toLabels('SVC.score', y, M.rows);
    const idx = this.predictIndex(M);
    let hits = 0;
    for (let i = 0; i < idx.length; i++) if (this.labels[idx[i]] === labels[i]) hits++;
    return hits / idx.length;
  }

  /** The distinct labels, sorted (numbers ascending, strings by code unit). */
  get classes(): Label[] {
    checkFitted('SVC.classes', this.fitted, 'SVC');
    return [...this.labels];
  }

  /** Support vectors per class (int32, [nClasses]). */
  get nSupport(): Tensor {
    checkFitted('SVC.nSupport', this.fitted, 'SVC');
    return tensor(this.nSV.slice(), { device: this.device });
  }

  /**
   * Dual coefficients y_i·α_i of the support vectors, [nClasses − 1, nSV] in libsvm's layout
   * (sign flipped for two classes, as sklearn, so positive decisions mean classes[1]).
   */
  get dualCoef(): Tensor {
    checkFitted('SVC.dualCoef', this.fitted, 'SVC');
    const binary = this.labels.length === 2;
    return result(this.svCoef.map((v) => (binary ? -v : v)), [this.labels.length - 1, this.sv.length], this.device);
  }

  /** Intercepts per class pair, [nPairs] (−rho; rho for two classes, as sklearn). */
  get intercept(): Tensor {
    checkFitted('SVC.intercept', this.fitted, 'SVC');
    const binary = this.labels.length === 2;
    return result(this.rho.map((r) => (binary ? r : r !== 0 ? -r : 0)), [this.rho.length], this.device);
  }

  /** SMO iterations per class pair (int32, sklearn's n_iter_). */
  get nIter(): Tensor {
    checkFitted('SVC.nIter', this.fitted, 'SVC');
    return tensor(this.iters.slice(), { device: this.device });
  }

  /** Primal weights for the linear kernel: [1, nFeatures] for two classes, else [nPairs, nFeatures]. */
  get coef(): Tensor {
    checkFitted('SVC.coef', this.fitted, 'SVC');
    if (this.kernel !== 'linear') throw new TensileError('SVC.coef', `coef is only available with the linear kernel (kernel is '${this.kernel}')`);
    const K = this.labels.length, p = this.nFeatures, total = this.sv.length;
    if (K === 2) {
      const w = new Float64Array(p);
      for (let k = 0; k < total; k++) for (let f = 0; f < p; f++) w[f] -= this.svCoef[k] * this.svX[k * p + f];
      return result(w, [1, p], this.device);
    }
    const start = new Int32Array(K);
    for (let c = 1; c < K; c++) start[c] = start[c - 1] + this.nSV[c - 1];
    const P = (K * (K - 1)) / 2, w = new Float64Array(P * p);
    for (let i = 0, q = 0; i < K; i++) {
      for (let j = i + 1; j < K; j++, q++) {
        for (let k = start[i]; k < start[i] + this.nSV[i]; k++) for (let f = 0; f < p; f++) w[q * p + f] += this.svCoef[(j - 1) * total + k] * this.svX[k * p + f];
        for (let k = start[j]; k < start[j] + this.nSV[j]; k++) for (let f = 0; f < p; f++) w[q * p + f] += this.svCoef[i * total + k] * this.svX[k * p + f];
      }
    }
    return result(w, [P, p], this.device);
  }
}

/**
 * sklearn's _ovr_decision_function from libsvm's pairwise values: votes (a pair votes for i
 * when its value is ≥ 0) plus the summed confidences squashed into (−1/3, 1/3).
 */
export function ovrDecision(dec: Float64Array, m: number, K: number): Float64Array {
  const P = (K * (K - 1)) / 2, out = new Float64Array(m * K), conf = new Float64Array(K);
  for (let r = 0; r < m; r++) {
    conf.fill(0);
    const o = r * K;
    for (let i = 0, p = 0; i < K; i++) {
      for (let j = i + 1; j < K; j++, p++) {
        const d = dec[r * P + p];
        conf[i] += d;
        conf[j] -= d;
        out[o + (d < 0 ? j : i)] += 1;
      }
    }
    for (let c = 0; c < K; c++) out[o + c] += conf[c] / (3 * (Math.abs(conf[c]) + 1));
  }
  return out;
}

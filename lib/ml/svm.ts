/**
 * Kernel support vector machines with scikit-learn's semantics and defaults: SVC (C-SVC,
 * one-vs-one multiclass exactly as libsvm: classes in sorted order, samples grouped by class,
 * votes with ties to the lowest class) and SVR (ε-SVR, libsvm's 2n-variable formulation).
 * Both train with the SMO solver of lib/ml/smo.ts on kernel rows from lib/ml/kernels.ts and
 * expose sklearn's fitted attributes in camelCase (dualCoef, intercept, support, ...).
 */
import { TensileError } from '../errors.js';
import { tensor } from '../ops/creation.js';
import type { Tensor } from '../tensor.js';
import type { DeviceName } from '../backends/backend.js';
import {
  type Label, type LabelsLike, type Matrix, type MatrixLike, checkFeatures, checkFitted, checkParam, decodeLabels,
  encodeLabels, result, toLabels, toMatrix, toTargets,
} from './base.js';
import {
  DenseKernelRows, KERNEL_NAMES, type KernelName, type KernelRowSource, type KernelSpec, PrecomputedKernelRows,
  kernelMatrix,
} from './kernels.js';
import { SMOSolver, type SMOResult } from './smo.js';

/** 'scale' = 1 / (nFeatures · X.var()), 'auto' = 1 / nFeatures, or a number ≥ 0. */
export type Gamma = 'scale' | 'auto' | number;

export interface BaseSVMOptions {
  /** Default 'rbf'. 'precomputed': fit with the n×n Gram matrix, predict with the m×n one. */
  kernel?: KernelName;
  /** Degree of the poly kernel (default 3). */
  degree?: number;
  /** Default 'scale'. */
  gamma?: Gamma;
  /** Independent term of poly and sigmoid (default 0). */
  coef0?: number;
  /** Stopping tolerance (default 1e-3). */
  tol?: number;
  /** libsvm's shrinking heuristic (default true). */
  shrinking?: boolean;
  /** Kernel cache in MB (default 200). */
  cacheSize?: number;
  /** Iteration limit per QP, -1 for none (default). */
  maxIter?: number;
}

export interface SVCOptions extends BaseSVMOptions {
  /** Regularisation (default 1). */
  C?: number;
  /** Per-class multipliers of C: a map or object from class label to weight, or 'balanced'. */
  classWeight?: 'balanced' | Record<string, number> | Map<Label, number> | null;
  /** Shape of decisionFunction for more than two classes (default 'ovr'). */
  decisionFunctionShape?: 'ovr' | 'ovo';
  /** With 'ovr', predict by the argmax of decisionFunction instead of libsvm's votes. */
  breakTies?: boolean;
}

export interface SVROptions extends BaseSVMOptions {
  C?: number;
  /** Width of the ε-insensitive tube (default 0.1). */
  epsilon?: number;
}

/** What both estimators share: kernel parameters, validation, the support set and kernels to it. */
abstract class BaseSVM {
  readonly kernel: KernelName;
  readonly degree: number;
  readonly gamma: Gamma;
  readonly coef0: number;
  readonly tol: number;
  readonly shrinking: boolean;
  readonly cacheSize: number;
  readonly maxIter: number;
  readonly C: number;

  protected fitted = false;
  protected status = 0;
  protected nFeatures = 0;
  protected spec!: KernelSpec;
  protected nTrain = 0;
  /** Indices of the support vectors in the training data. */
  protected sv: Int32Array = new Int32Array(0);
  /** Rows of the support vectors (empty for a precomputed kernel, as sklearn). */
  protected svX: Float64Array = new Float64Array(0);
  protected device?: DeviceName;

  protected abstract readonly name: string;

  constructor(opts: BaseSVMOptions & { C?: number }) {
    this.kernel = opts.kernel ?? 'rbf';
    this.degree = opts.degree ?? 3;
    this.gamma = opts.gamma ?? 'scale';
    this.coef0 = opts.coef0 ?? 0;
    this.tol = opts.tol ?? 1e-3;
    this.shrinking = opts.shrinking ?? true;
    this.cacheSize = opts.cacheSize ?? 200;
    this.maxIter = opts.maxIter ?? -1;
    this.C = opts.C ?? 1;
  }

  /** Checks every hyper-parameter, as sklearn's fit does, naming the one at fault. */
  protected checkParams(op: string): void {
    if (!KERNEL_NAMES.includes(this.kernel)) {
      throw new TensileError(op, `unknown kernel '${String(this.kernel)}'; expected one of ${KERNEL_NAMES.join(', ')}`);
    }
    checkParam(op, 'C', this.C);
    checkParam(op, 'tol', this.tol);
    checkParam(op, 'cacheSize', this.cacheSize);
    checkParam(op, 'degree', this.degree, { min: 0, exclusiveMin: false, integer: true });
    if (typeof this.coef0 !== 'number' || !Number.isFinite(this.coef0)) throw new TensileError(op, `'coef0' must be a finite number, got ${String(this.coef0)}`);
    if (!Number.isInteger(this.maxIter) || this.maxIter < -1) throw new TensileError(op, `'maxIter' must be -1 (no limit) or an integer >= 0, got ${String(this.maxIter)}`);
    if (typeof this.shrinking !== 'boolean') throw new TensileError(op, `'shrinking' must be a boolean, got ${String(this.shrinking)}`);
    if (this.gamma !== 'scale' && this.gamma !== 'auto') {
      if (typeof this.gamma !== 'number' || !Number.isFinite(this.gamma) || this.gamma < 0) {
        throw new TensileError(op, `'gamma' must be 'scale', 'auto' or a number >= 0, got ${String(this.gamma)}`);
      }
    }
  }

  /** X for fit, with the square check of a precomputed Gram matrix; resolves gamma. */
  protected fitMatrix(op: string, X: MatrixLike): Matrix {
    const M = toMatrix(op, X);
    if (this.kernel === 'precomputed' && M.rows !== M.cols) {
      throw new TensileError(op, `a precomputed kernel must be a square Gram matrix [nSamples, nSamples], got [${M.rows},${M.cols}]`);
    }
    let gamma: number;
    if (this.kernel === 'precomputed') {
      gamma = 0; // unused, as sklearn's _gamma
    } else if (this.gamma === 'scale') {
      let mean = 0;
      for (let i = 0; i < M.data.length; i++) mean += M.data[i];
      mean /= M.data.length;
      let v = 0;
      for (let i = 0; i < M.data.length; i++) v += (M.data[i] - mean) ** 2;
      v /= M.data.length;
      gamma = v !== 0 ? 1 / (M.cols * v) : 1;
    } else if (this.gamma === 'auto') {
      gamma = 1 / M.cols;
    } else {
      gamma = this.gamma;
    }
    this.spec = { kernel: this.kernel, gamma, degree: this.degree, coef0: this.coef0 };
    this.nTrain = M.rows;
    this.nFeatures = M.cols;
    this.device = M.device;
    return M;
  }

  /**
   * The kernel-row source for the training samples `index` (into X); `rows`, when given, are
   * those samples' features already gathered (row-major).
   */
  protected rowSource(M: Matrix, index: Int32Array, rows?: Float64Array): KernelRowSource {
    if (this.kernel === 'precomputed') return new PrecomputedKernelRows(M.data, M.rows, index);
    const p = M.cols;
    let Xs = rows;
    if (!Xs) {
      Xs = new Float64Array(index.length * p);
      for (let r = 0; r < index.length; r++) Xs.set(M.data.subarray(index[r] * p, index[r] * p + p), r * p);
    }
    return new DenseKernelRows(this.spec, Xs, index.length, p);
  }

  protected solverOptions(): { tol: number; shrinking: boolean; maxIter: number; cacheBytes: number } {
    return { tol: this.tol, shrinking: this.shrinking, maxIter: this.maxIter, cacheBytes: this.cacheSize * 2 ** 20 };
  }

  /** Keeps the support vectors (indices into the training data, in libsvm's order). */
  protected keepSupport(M: Matrix, support: Int32Array): void {
    this.sv = support;
    if (this.kernel === 'precomputed') {
      this.svX = new Float64Array(0);
      return;
    }
    const p = M.cols;
    this.svX = new Float64Array(support.length * p);
    for (let k = 0; k < support.length; k++) this.svX.set(M.data.subarray(support[k] * p, support[k] * p + p), k * p);
  }

  /** X for predict: checked against the fitted feature count (or training size). */
  protected predictMatrix(op: string, X: MatrixLike): Matrix {
    checkFitted(op, this.fitted, this.name);
    const M = toMatrix(op, X);
    if (this.kernel === 'precomputed') {
      if (M.cols !== this.nTrain) {
        throw new TensileError(op, `a precomputed kernel for prediction needs one column per training sample: got ${M.cols} columns, the model was fitted on ${this.nTrain} samples`);
      }
    } else {
      checkFeatures(op, M, this.nFeatures, this.name);
    }
    return M;
  }

  /** K(X, support vectors), m × nSV row-major, in blocks of rows to bound memory. */
  protected supportKernel(M: Matrix, visit: (rowStart: number, rows: number, K: Float64Array) => void): void {
    const nSV = this.sv.length, block = 2048;
    for (let a = 0; a < M.rows; a += block) {
      const m = Math.min(block, M.rows - a);
      let K: Float64Array;
      if (this.kernel === 'precomputed') {
        K = new Float64Array(m * nSV);
        for (let i = 0; i < m; i++) for (let k = 0; k < nSV; k++) K[i * nSV + k] = M.data[(a + i) * M.cols + this.sv[k]];
      } else {
        K = kernelMatrix(this.spec, M.data.subarray(a * M.cols, (a + m) * M.cols), m, this.svX, nSV, M.cols);
      }
      visit(a, m, K);
    }
  }

  /** 0 when every QP converged, 1 when maxIter stopped one (sklearn's fit_status_). */
  get fitStatus(): number {
    checkFitted(`${this.name}.fitStatus`, this.fitted, this.name);
    return this.status;
  }

  /** Number of features (training samples, for a precomputed kernel) seen by fit. */
  get nFeaturesIn(): number {
    checkFitted(`${this.name}.nFeaturesIn`, this.fitted, this.name);
    return this.nFeatures;
  }

  /** The gamma fit used (sklearn's private _gamma): 'scale' and 'auto' resolved. */
  get fittedGamma(): number {
    checkFitted(`${this.name}.fittedGamma`, this.fitted, this.name);
    return this.spec.gamma;
  }

  /** Support vectors, [nSV, nFeatures] ([0, 0] for a precomputed kernel, as sklearn). */
  get supportVectors(): Tensor {
    checkFitted(`${this.name}.supportVectors`, this.fitted, this.name);
    const p = this.kernel === 'precomputed' ? 0 : this.nFeatures;
    return result(this.svX.slice(), [p ? this.sv.length : 0, p], this.device);
  }

  /** Indices of the support vectors in the training data (int32). */
  get support(): Tensor {
    checkFitted(`${this.name}.support`, this.fitted, this.name);
    return tensor(this.sv.slice(), { device: this.device });
  }
}

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
    // Features in grouped order, so each pair's problem is two contiguous copies.
    const nf = M.cols;
    const Xg = this.kernel !== 'precomputed' ? new Float64Array(n * nf) : null;
    if (Xg) for (let q = 0; q < n; q++) Xg.set(M.data.subarray(perm[q] * nf, perm[q] * nf + nf), q * nf);

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
        let rows: Float64Array | undefined;
        if (Xg) {
          rows = new Float64Array(l * nf);
          rows.set(Xg.subarray(start[i] * nf, (start[i] + ci) * nf), 0);
          rows.set(Xg.subarray(start[j] * nf, (start[j] + cj) * nf), ci * nf);
        }
        const source = this.rowSource(M, sub, rows);
        let f: SMOResult;
        try {
          f = new SMOSolver(source, { y: ys, p: new Float64Array(l).fill(-1), C: Cs, sample: Int32Array.from({ length: l }, (_, k) => k) }, this.solverOptions()).solve();
        } finally {
          source.dispose();
        }
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
    const source = this.rowSource(M, Int32Array.from({ length: l }, (_, k) => k));
    let f: SMOResult;
    try {
      f = new SMOSolver(source, { y: ys, p, C: new Float64Array(2 * l).fill(this.C), sample }, this.solverOptions()).solve();
    } finally {
      source.dispose();
    }
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

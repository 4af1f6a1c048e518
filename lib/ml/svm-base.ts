/**
 * What SVC and SVR share (lib/ml/svm.ts, lib/ml/svr.ts): their options, hyper-parameter
 * checks as sklearn's fit does them, gamma resolution, the support set and the kernel between
 * new rows and the support vectors for prediction.
 */
import { TensileError } from '../errors.js';
import { tensor } from '../ops/creation.js';
import type { Tensor } from '../tensor.js';
import type { DeviceName } from '../backends/backend.js';
import { type Label, type Matrix, type MatrixLike, checkFeatures, checkFitted, checkParam, result, toMatrix } from './base.js';
import { KERNEL_NAMES, type KernelName, type KernelSpec, kernelMatrix } from './kernels.js';
import type { SMOKernelData } from './smo-native.js';

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
export abstract class BaseSVM {
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

  /** One QP's samples (rows of M, for a Gram matrix rows and columns) and their kernel. */
  protected kernelData(M: Matrix, index?: Int32Array): SMOKernelData {
    return { spec: this.spec, x: M.data, rows: M.rows, cols: M.cols, index };
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

/**
 * Logistic regression as scikit-learn 1.2's LogisticRegression(solver='lbfgs'): the summed
 * log-loss plus ‖W‖²/(2C) (intercepts unpenalised), minimized by tn.optim.lbfgs, which follows
 * scipy's L-BFGS-B iteration, so coefficients agree with scikit-learn to the optimizer's
 * tolerance or better. Binary problems and multi_class='ovr' fit one sigmoid model per class;
 * 'auto' with more than two classes fits the multinomial (softmax) model. Each evaluation's
 * two products (logits and gradient) run on the input's device through the backend's GEMM
 * (native on cpu); the per-sample loss terms are one host loop over the logits.
 * The shared linear-classifier base (classes, coef, decisionFunction, predict, score) is here.
 */
import { TensileError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import type { DeviceName } from '../backends/backend.js';
import { tidy } from '../memory.js';
import { contiguous, matmul, transpose, zeros } from '../ops/index.js';
import {
  type Label, type LabelsLike, type Matrix, type MatrixLike, checkFeatures, checkFitted, checkParam, decodeLabels,
  encodeLabels, result, toClassLabels, toMatrix, toMatrixTensor,
} from './base.js';
import { booleanOption } from './linear.js';
import { accuracy } from './metrics.js';
import { peek } from './solvers.js';
import { type CdAddon, nativeCd } from './cd-native.js';
import { lbfgs } from '../optim/lbfgs.js';

interface ClassifierModel {
  classes: Label[];
  coef: Float64Array;       // [rows, p], rows = 1 for two classes
  intercept: Float64Array;  // [rows]
  rows: number;
  nFeatures: number;
  device?: DeviceName;
}

/** Validated X and encoded labels for a classifier's fit. */
export function prepareClassification(op: string, X: MatrixLike, y: LabelsLike): { x: Matrix; classes: Label[]; index: Int32Array } {
  const x = toMatrix(op, X);
  const { classes, index } = encodeLabels(op, toClassLabels(op, y, x.rows));
  return { x, classes, index };
}

/**
 * What LogisticRegression, LinearSVC and SGDClassifier share: a linear decision function per
 * class (one for two classes, positive meaning classes[1]), argmax prediction mapped back to
 * the original labels, and accuracy as the score.
 */
export abstract class LinearClassifier {
  readonly estimatorType = 'classifier' as const;
  protected model?: ClassifierModel;
  protected abstract readonly name: string;

  protected fitted(op: string): ClassifierModel {
    checkFitted(`${this.name}.${op}`, this.model !== undefined, this.name);
    return this.model!;
  }

  /** The distinct training labels, sorted (numbers ascending, strings by code unit). */
  get classes(): Label[] {
    return [...this.fitted('classes').classes];
  }

  /** Weights [1, nFeatures] for two classes, [nClasses, nFeatures] otherwise. */
  get coef(): Tensor {
    const m = this.fitted('coef');
    return result(m.coef.slice(), [m.rows, m.nFeatures], m.device);
  }

  /** Intercepts [1] or [nClasses]. */
  get intercept(): Tensor {
    const m = this.fitted('intercept');
    return result(m.intercept.slice(), [m.rows], m.device);
  }

  get nFeaturesIn(): number {
    return this.fitted('nFeaturesIn').nFeatures;
  }

  /** X·coefᵀ + intercept on the host, row-major [n, rows]. */
  protected scores(op: string, X: MatrixLike): { d: Float64Array; n: number; m: ClassifierModel; device?: DeviceName } {
    const m = this.fitted(op);
    const full = `${this.name}.${op}`;
    const x = toMatrix(full, X);
    checkFeatures(full, x, m.nFeatures, this.name);
    const n = x.rows, p = m.nFeatures, r = m.rows;
    const d = new Float64Array(n * r);
    for (let i = 0; i < n; i++) {
      const xi = i * p;
      for (let k = 0; k < r; k++) {
        let s = m.intercept[k];
        const wk = k * p;
        for (let j = 0; j < p; j++) s += x.data[xi + j] * m.coef[wk + j];
        d[i * r + k] = s;
      }
    }
    return { d, n, m, device: x.device ?? m.device };
  }

  /** Signed distances to the hyperplanes: [n] for two classes (> 0 means classes[1]), else [n, nClasses]. */
  decisionFunction(X: MatrixLike): Tensor {
    const { d, n, m, device } = this.scores('decisionFunction', X);
    return result(d, m.rows === 1 ? [n] : [n, m.rows], device);
  }

  /** The predicted labels: a tensor for numeric classes (int32 when integral), else strings. */
  predict(X: MatrixLike): Tensor | string[] {
    const { d, n, m, device } = this.scores('predict', X);
    const r = m.rows;
    const idx = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      if (r === 1) { idx[i] = d[i] > 0 ? 1 : 0; continue; }
      let best = 0;
      for (let k = 1; k < r; k++) if (d[i * r + k] > d[i * r + best]) best = k;
      idx[i] = best;
    }
    return decodeLabels(m.classes, idx, device);
  }

  /** Mean accuracy of predict(X) against y. */
  score(X: MatrixLike, y: LabelsLike): number {
    const pred = this.predict(X);
    try {
      return accuracy(y, pred);
    } finally {
      if (!Array.isArray(pred)) pred.dispose();
    }
  }

  protected setModel(classes: Label[], coef: Float64Array, intercept: Float64Array, nFeatures: number, device?: DeviceName): void {
    this.model = { classes, coef, intercept, rows: intercept.length, nFeatures, device };
  }
}

/** Reports a solver that stopped at its iteration limit, as scikit-learn's ConvergenceWarning. */
export function warnNotConverged(name: string, detail: string): void {
  process.emitWarning(`${name} did not converge: ${detail}`, 'ConvergenceWarning');
}

function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/**
 * The design matrix for the objectives: X [n, p], float64 on js or cpu, and (made on first
 * use, by the multinomial objective only) a contiguous copy of Xᵀ [p, n]. The binary
 * objective reads X alone: z = X·w and g = r·X are matrix-vector products (the cpu backend's
 * GEMV), so an evaluation streams X twice and no transposed copy is made.
 */
export interface LogisticDesign { X: Tensor; n: number; p: number; xt(): Tensor }

/** The design for X [n, p] (a float64 js/cpu tensor); its tensors belong to the caller's tidy. */
export function logisticDesign(X: Tensor): LogisticDesign {
  const [n, p] = X.shape as [number, number];
  let XT: Tensor | null = null;
  return { X, n, p, xt: () => (XT ??= contiguous(transpose(X))) };
}

/**
 * G = R·X into grad: row k of G [K, p] to grad[k·dof …], the intercept gradients Σᵢ R[k, i]
 * (given as gb) after each row, and the L2 term; returns ½·invC·‖W‖².
 */
function gradientFrom(d: LogisticDesign, R: Tensor, w: Float64Array, gb: Float64Array, K: number, invC: number, fitIntercept: boolean, grad: Float64Array): number {
  const p = d.p, dof = p + (fitIntercept ? 1 : 0);
  const G = matmul(R, d.X);
  const gv = peek(G);
  let ww = 0;
  for (let k = 0; k < K; k++) {
    for (let j = 0; j < p; j++) {
      const v = w[k * dof + j];
      ww += v * v;
      grad[k * dof + j] = gv[k * p + j] + invC * v;
    }
    if (fitIntercept) grad[k * dof + p] = gb[k];
  }
  G.dispose();
  return 0.5 * invC * ww;
}

/**
 * The binary objective Σ log(1 + e^{zᵢ}) − yᵢzᵢ + ‖w‖²/(2C), z = Xw + b, y ∈ {0, 1}, as
 * scikit-learn's LinearModelLoss(HalfBinomialLoss); w = [coef…, intercept]. The products run
 * on the GEMM, the per-sample terms in binaryTerms.
 */
export function binaryObjective(d: LogisticDesign, y01: Float64Array, invC: number, fitIntercept: boolean) {
  const { X, n, p } = d;
  const dev = X.device;
  const dof = p + (fitIntercept ? 1 : 0);
  const native = dev === 'cpu' ? nativeCd('logisticBinary') : null;
  if (native) return nativeBinaryObjective(native, peek(X), n, p, y01, invC, fitIntercept);
  const W = zeros([p, 1], { dtype: 'float64', device: dev }), R = zeros([1, n], { dtype: 'float64', device: dev });
  const wv = peek(W), rv = peek(R), gb = new Float64Array(1);
  return (w: Float64Array): [number, Float64Array] => {
    wv.set(w.subarray(0, p));
    const Z = matmul(X, W);
    const loss = binaryTerms(peek(Z), fitIntercept ? w[p] : 0, y01, rv, n, gb);
    Z.dispose();
    const grad = new Float64Array(dof);
    return [loss + gradientFrom(d, R, w, gb, 1, invC, fitIntercept, grad), grad];
  };
}

/**
 * binaryObjective through the addon's one-pass kernel (each row read once for its logit and
 * its gradient share; the per-sample arithmetic is binaryTerms'), with the same L2 term.
 */
function nativeBinaryObjective(native: CdAddon['logisticBinary'], x: Float64Array, n: number, p: number, y01: Float64Array, invC: number, fitIntercept: boolean) {
  const dof = p + (fitIntercept ? 1 : 0);
  const wv = new Float64Array(p), r = new Float64Array(n), g = new Float64Array(p), sums = new Float64Array(2);
  return (w: Float64Array): [number, Float64Array] => {
    wv.set(w.subarray(0, p));
    native(x, n, p, y01, wv, fitIntercept ? w[p] : 0, r, g, sums);
    const grad = new Float64Array(dof);
    let ww = 0;
    for (let j = 0; j < p; j++) {
      ww += w[j] * w[j];
      grad[j] = g[j] + invC * w[j];
    }
    if (fitIntercept) grad[p] = sums[1];
    return [sums[0] + 0.5 * invC * ww, grad];
  };
}

// The per-sample loops are top-level functions, not parts of the objective closures: V8 then
// optimises one small function once for every fit (a closure whose loop is optimised mid-call
// deoptimises at the code after it and ran the first few fits several times slower).

/**
 * Σᵢ softplus(zᵢ) − yᵢzᵢ for zᵢ = z[i] + b, writing rᵢ = σ(zᵢ) − yᵢ and gb[0] = Σᵢ rᵢ. One exp
 * and one log1p per sample: softplus(z) = max(z, 0) + log1p(e^{−|z|}), σ from the same e^{−|z|}.
 */
function binaryTerms(z: Float64Array, b: number, y01: Float64Array, r: Float64Array, n: number, gb: Float64Array): number {
  let loss = 0, sb = 0;
  for (let i = 0; i < n; i++) {
    const zi = z[i] + b, yi = y01[i];
    const e = Math.exp(-Math.abs(zi));
    loss += (zi > 0 ? zi + Math.log1p(e) : Math.log1p(e)) - yi * zi;
    const g = (zi >= 0 ? 1 / (1 + e) : e / (1 + e)) - yi;
    r[i] = g;
    sb += g;
  }
  gb[0] = sb;
  return loss;
}

/**
 * Σᵢ logsumexp(zᵢ) − z_{i,yᵢ} for Z [K, n] plus b [K], writing R = softmax − onehot ([K, n])
 * and gb[k] = Σᵢ R[k, i].
 */
function multinomialTerms(z: Float64Array, b: Float64Array, yIdx: Int32Array, r: Float64Array, n: number, K: number, gb: Float64Array): number {
  let loss = 0;
  gb.fill(0);
  for (let i = 0; i < n; i++) {
    let zmax = -Infinity;
    for (let k = 0; k < K; k++) zmax = Math.max(zmax, z[k * n + i] + b[k]);
    let sum = 0;
    for (let k = 0; k < K; k++) { const e = Math.exp(z[k * n + i] + b[k] - zmax); r[k * n + i] = e; sum += e; }
    // loss = log Σ e^z − z_y, with the max shifted out for stability.
    const y = yIdx[i];
    loss += Math.log(sum) + zmax - (z[y * n + i] + b[y]);
    for (let k = 0; k < K; k++) {
      const g = r[k * n + i] / sum - (y === k ? 1 : 0);
      r[k * n + i] = g;
      gb[k] += g;
    }
  }
  return loss;
}

/**
 * The multinomial objective Σ logsumexp(zᵢ) − z_{i,yᵢ} + ‖W‖²/(2C), z = XWᵀ + b, as
 * scikit-learn's HalfMultinomialLoss; w holds K rows of [coef…, intercept]. Z is [K, n]
 * (classes by samples), so a sample's logits are strided by n.
 */
export function multinomialObjective(d: LogisticDesign, yIdx: Int32Array, K: number, invC: number, fitIntercept: boolean) {
  const { n, p } = d;
  const XT = d.xt();
  const dev = XT.device;
  const dof = p + (fitIntercept ? 1 : 0);
  const W = zeros([K, p], { dtype: 'float64', device: dev }), R = zeros([K, n], { dtype: 'float64', device: dev });
  const wv = peek(W), rv = peek(R), b = new Float64Array(K), gb = new Float64Array(K);
  return (w: Float64Array): [number, Float64Array] => {
    for (let k = 0; k < K; k++) {
      wv.set(w.subarray(k * dof, k * dof + p), k * p);
      b[k] = fitIntercept ? w[k * dof + p] : 0;
    }
    const Z = matmul(W, XT);
    const loss = multinomialTerms(peek(Z), b, yIdx, rv, n, K, gb);
    Z.dispose();
    const grad = new Float64Array(K * dof);
    return [loss + gradientFrom(d, R, w, gb, K, invC, fitIntercept, grad), grad];
  };
}

export interface LogisticRegressionOptions {
  /** 'l2' (default) or 'none' (also null): no penalty. */
  penalty?: 'l2' | 'none' | null;
  /** Inverse regularization strength C > 0 (default 1). */
  C?: number;
  fitIntercept?: boolean;
  /** L-BFGS iterations per problem (default 100). */
  maxIter?: number;
  /** Gradient tolerance: L-BFGS stops when max |∂f/∂wᵢ| <= tol (default 1e-4). */
  tol?: number;
  /** 'auto' (default: multinomial above two classes), 'ovr' or 'multinomial'. */
  multiClass?: 'auto' | 'ovr' | 'multinomial';
  /** Only 'lbfgs' is implemented. */
  solver?: 'lbfgs';
}

/**
 * Regularized logistic regression, as sklearn.linear_model.LogisticRegression (1.2 defaults:
 * lbfgs, C = 1, multinomial for more than two classes).
 * @example
 * const clf = new tn.ml.LogisticRegression({ C: 0.5 }).fit(X, y);
 * clf.predictProba(X); clf.predict(X); clf.score(X, y);
 */
export class LogisticRegression extends LinearClassifier {
  protected readonly name = 'LogisticRegression';
  readonly penalty: 'l2' | 'none';
  readonly C: number;
  readonly fitIntercept: boolean;
  readonly maxIter: number;
  readonly tol: number;
  readonly multiClass: 'auto' | 'ovr' | 'multinomial';
  private multinomial = false;
  private iters: number[] = [];

  constructor(opts: LogisticRegressionOptions = {}) {
    super();
    const op = 'LogisticRegression';
    const penalty = opts.penalty === null ? 'none' : opts.penalty ?? 'l2';
    if (penalty !== 'l2' && penalty !== 'none') throw new TensileError(op, `option 'penalty' must be 'l2' or 'none' (the lbfgs solver supports no other), got ${String(opts.penalty)}`);
    this.penalty = penalty;
    this.C = checkParam(op, 'C', opts.C ?? 1);
    this.fitIntercept = booleanOption(op, 'fitIntercept', opts.fitIntercept, true);
    this.maxIter = checkParam(op, 'maxIter', opts.maxIter ?? 100, { integer: true });
    this.tol = checkParam(op, 'tol', opts.tol ?? 1e-4, { min: 0, exclusiveMin: false });
    const mc = opts.multiClass ?? 'auto';
    if (!['auto', 'ovr', 'multinomial'].includes(mc)) throw new TensileError(op, `option 'multiClass' must be 'auto', 'ovr' or 'multinomial', got ${String(mc)}`);
    this.multiClass = mc;
    if (opts.solver !== undefined && opts.solver !== 'lbfgs') throw new TensileError(op, `option 'solver' must be 'lbfgs', got ${String(opts.solver)}`);
  }

  fit(X: MatrixLike, y: LabelsLike): this {
    const op = 'LogisticRegression.fit';
    tidy(() => {
      const x = toMatrixTensor(op, X);
      const { classes, index } = encodeLabels(op, toClassLabels(op, y, x.rows));
      const K = classes.length, p = x.cols, dof = p + (this.fitIntercept ? 1 : 0);
      const invC = this.penalty === 'none' ? 0 : 1 / this.C;
      this.multinomial = this.multiClass === 'multinomial' || (this.multiClass === 'auto' && K > 2);
      const opts = { maxIter: this.maxIter, tol: this.tol };
      const rows = K === 2 ? 1 : K;
      const coef = new Float64Array(rows * p), intercept = new Float64Array(rows);
      const design = logisticDesign(x.t);
      this.iters = [];
      const take = (w: Float64Array, row: number) => {
        coef.set(w.subarray(0, p), row * p);
        intercept[row] = this.fitIntercept ? w[p] : 0;
      };
      if (this.multinomial) {
        const res = lbfgs(multinomialObjective(design, index, K, invC, this.fitIntercept), new Float64Array(K * dof), opts);
        this.iters.push(Math.min(res.nIter, this.maxIter));
        if (!res.converged) warnNotConverged(this.name, `${res.message}; increase maxIter or scale the data`);
        // scikit-learn keeps only the second class's row for a binary multinomial fit.
        if (K === 2) take(res.x.subarray(dof), 0);
        else for (let k = 0; k < K; k++) take(res.x.subarray(k * dof, (k + 1) * dof), k);
      } else {
        for (let r = 0; r < rows; r++) {
          const pos = K === 2 ? 1 : r;
          const y01 = new Float64Array(index.length);
          for (let i = 0; i < index.length; i++) y01[i] = index[i] === pos ? 1 : 0;
          const res = lbfgs(binaryObjective(design, y01, invC, this.fitIntercept), new Float64Array(dof), opts);
          this.iters.push(Math.min(res.nIter, this.maxIter));
          if (!res.converged) warnNotConverged(this.name, `${res.message}; increase maxIter or scale the data`);
          take(res.x, r);
        }
      }
      this.setModel(classes, coef, intercept, p, x.device);
    });
    return this;
  }

  /** L-BFGS iterations: one entry for binary or multinomial fits, one per class for 'ovr'. */
  get nIter(): number[] {
    this.fitted('nIter');
    return [...this.iters];
  }

  /**
   * Class probabilities [n, nClasses]: the softmax of the decision values for multinomial fits,
   * otherwise per-class sigmoids normalized to sum to 1 (scikit-learn's one-vs-rest rule).
   */
  predictProba(X: MatrixLike): Tensor {
    const { d, n, m, device } = this.scores('predictProba', X);
    const K = m.classes.length, r = m.rows;
    const out = new Float64Array(n * K);
    for (let i = 0; i < n; i++) {
      const o = i * K;
      if (r === 1) {
        if (this.multinomial) {
          // softmax([−d, d]), scikit-learn's treatment of a binary multinomial fit.
          out[o + 1] = sigmoid(2 * d[i]);
          out[o] = 1 - out[o + 1];
        } else {
          out[o + 1] = sigmoid(d[i]);
          out[o] = 1 - out[o + 1];
        }
        continue;
      }
      if (this.multinomial) {
        let zmax = -Infinity;
        for (let k = 0; k < K; k++) zmax = Math.max(zmax, d[i * r + k]);
        let s = 0;
        for (let k = 0; k < K; k++) { out[o + k] = Math.exp(d[i * r + k] - zmax); s += out[o + k]; }
        for (let k = 0; k < K; k++) out[o + k] /= s;
      } else {
        let s = 0;
        for (let k = 0; k < K; k++) { out[o + k] = sigmoid(d[i * r + k]); s += out[o + k]; }
        for (let k = 0; k < K; k++) out[o + k] /= s;
      }
    }
    return result(out, [n, K], device);
  }

  /** Natural log of predictProba. */
  predictLogProba(X: MatrixLike): Tensor {
    const p = this.predictProba(X);
    const v = p.dataSync() as Float64Array;
    const out = Float64Array.from(v, Math.log);
    const t = result(out, p.shape, p.device);
    p.dispose();
    return t;
  }
}

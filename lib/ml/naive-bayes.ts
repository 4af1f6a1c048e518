/**
 * Gaussian naive Bayes as sklearn.naive_bayes.GaussianNB: per-class feature means and
 * (population) variances, every variance increased by varSmoothing × the largest feature
 * variance of X, class priors from the counts unless given.
 */
import { TensileError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import type { DeviceName } from '../backends/backend.js';
import {
  type Label, type LabelsLike, type MatrixLike, checkFeatures, checkFitted, decodeLabels, encodeLabels, result,
  toLabels, toMatrix,
} from './base.js';

export interface GaussianNBOptions {
  /** Class prior probabilities, in sorted-class order (default: the class frequencies). */
  priors?: readonly number[] | null;
  /** Fraction of the largest feature variance added to every variance (default 1e-9). */
  varSmoothing?: number;
}

interface NBModel {
  classes: Label[];
  theta: Float64Array;
  variance: Float64Array;
  prior: Float64Array;
  count: Float64Array;
  epsilon: number;
  p: number;
  device?: DeviceName;
}

/**
 * Gaussian naive Bayes classifier.
 * @example
 * const nb = new tn.ml.GaussianNB().fit(X, y);
 * nb.predict(X); nb.predictProba(X); nb.theta; nb.var;
 */
export class GaussianNB {
  readonly estimatorType = 'classifier' as const;
  readonly priors: readonly number[] | null;
  readonly varSmoothing: number;
  private model?: NBModel;

  constructor(opts: GaussianNBOptions = {}) {
    this.priors = opts.priors ?? null;
    this.varSmoothing = opts.varSmoothing ?? 1e-9;
  }

  /** Fits means, variances and priors; returns this. */
  fit(X: MatrixLike, y: LabelsLike): this {
    const op = 'GaussianNB.fit';
    if (typeof this.varSmoothing !== 'number' || !Number.isFinite(this.varSmoothing) || this.varSmoothing < 0) {
      throw new TensileError(op, `'varSmoothing' must be a number >= 0, got ${String(this.varSmoothing)}`);
    }
    const M = toMatrix(op, X);
    const { rows: n, cols: p, data } = M;
    const { classes, index } = encodeLabels(op, toLabels(op, y, n), 1);
    const K = classes.length;
    // epsilon = varSmoothing · max_j var(X[:, j]) (np.var: mean, then mean squared deviation).
    let maxVar = 0;
    for (let j = 0; j < p; j++) {
      let mu = 0;
      for (let i = 0; i < n; i++) mu += data[i * p + j];
      mu /= n;
      let v = 0;
      for (let i = 0; i < n; i++) v += (data[i * p + j] - mu) ** 2;
      maxVar = Math.max(maxVar, v / n);
    }
    const epsilon = this.varSmoothing * maxVar;
    const count = new Float64Array(K), theta = new Float64Array(K * p), variance = new Float64Array(K * p);
    for (let i = 0; i < n; i++) {
      count[index[i]]++;
      for (let j = 0; j < p; j++) theta[index[i] * p + j] += data[i * p + j];
    }
    for (let c = 0; c < K; c++) for (let j = 0; j < p; j++) theta[c * p + j] /= count[c];
    for (let i = 0; i < n; i++) {
      const c = index[i];
      for (let j = 0; j < p; j++) variance[c * p + j] += (data[i * p + j] - theta[c * p + j]) ** 2;
    }
    for (let c = 0; c < K; c++) for (let j = 0; j < p; j++) variance[c * p + j] = variance[c * p + j] / count[c] + epsilon;
    let prior: Float64Array;
    if (this.priors !== null) {
      const pr = this.priors;
      if (!Array.isArray(pr) || pr.length !== K) throw new TensileError(op, `'priors' must have one probability per class (${K}), got ${Array.isArray(pr) ? pr.length : String(pr)}`);
      prior = Float64Array.from(pr);
      const sum = prior.reduce((a, b) => a + b, 0);
      if (prior.some((v) => !Number.isFinite(v) || v < 0)) throw new TensileError(op, `'priors' must be non-negative, got [${pr.join(', ')}]`);
      // np.isclose(sum, 1): |sum − 1| <= 1e-8 + 1e-5
      if (!(Math.abs(sum - 1) <= 1e-8 + 1e-5)) throw new TensileError(op, `'priors' must sum to 1, got ${sum}`);
    } else {
      prior = count.map((v) => v / n);
    }
    this.model = { classes, theta, variance, prior, count, epsilon, p, device: M.device };
    return this;
  }

  private fitted(op: string): NBModel {
    checkFitted(op, this.model !== undefined, 'GaussianNB');
    return this.model!;
  }

  /** log P(c) + Σ_j log N(x_j; θ_cj, σ²_cj), [m, nClasses], as sklearn's _joint_log_likelihood. */
  private jointLogLikelihood(op: string, X: MatrixLike): { jll: Float64Array; m: number; model: NBModel; device?: DeviceName } {
    const model = this.fitted(op);
    const x = toMatrix(op, X);
    checkFeatures(op, x, model.p, 'GaussianNB');
    const { p, theta, variance, prior } = model, K = model.classes.length, m = x.rows;
    const jll = new Float64Array(m * K);
    for (let c = 0; c < K; c++) {
      let norm = 0;
      for (let j = 0; j < p; j++) norm += Math.log(2 * Math.PI * variance[c * p + j]);
      const logPrior = Math.log(prior[c]), nij = -0.5 * norm;
      for (let i = 0; i < m; i++) {
        let q = 0;
        for (let j = 0; j < p; j++) q += (x.data[i * p + j] - theta[c * p + j]) ** 2 / variance[c * p + j];
        jll[i * K + c] = logPrior + (nij - 0.5 * q);
      }
    }
    return { jll, m, model, device: x.device ?? model.device };
  }

  /** Log class probabilities, [m, nClasses]. */
  predictLogProba(X: MatrixLike): Tensor {
    const { jll, m, model, device } = this.jointLogLikelihood('GaussianNB.predictLogProba', X);
    return result(normalizeLog(jll, m, model.classes.length), [m, model.classes.length], device);
  }

  /** Class probabilities, [m, nClasses]. */
  predictProba(X: MatrixLike): Tensor {
    const { jll, m, model, device } = this.jointLogLikelihood('GaussianNB.predictProba', X);
    return result(normalizeLog(jll, m, model.classes.length).map(Math.exp), [m, model.classes.length], device);
  }

  /** The most probable class of each row, as the original labels. */
  predict(X: MatrixLike): Tensor | string[] {
    const { jll, m, model, device } = this.jointLogLikelihood('GaussianNB.predict', X);
    return decodeLabels(model.classes, argmaxRows(jll, m, model.classes.length), device);
  }

  /** Mean accuracy on (X, y). */
  score(X: MatrixLike, y: LabelsLike): number {
    const { jll, m, model } = this.jointLogLikelihood('GaussianNB.score', X);
    const labels = toLabels('GaussianNB.score', y, m);
    const idx = argmaxRows(jll, m, model.classes.length);
    let hits = 0;
    for (let i = 0; i < m; i++) if (model.classes[idx[i]] === labels[i]) hits++;
    return hits / m;
  }

  get classes(): Label[] {
    return [...this.fitted('GaussianNB.classes').classes];
  }

  /** Per-class feature means, [nClasses, nFeatures]. */
  get theta(): Tensor {
    const m = this.fitted('GaussianNB.theta');
    return result(m.theta.slice(), [m.classes.length, m.p], m.device);
  }

  /** Per-class feature variances including epsilon, [nClasses, nFeatures] (sklearn 1.2's var_). */
  get var(): Tensor {
    const m = this.fitted('GaussianNB.var');
    return result(m.variance.slice(), [m.classes.length, m.p], m.device);
  }

  get classPrior(): Tensor {
    const m = this.fitted('GaussianNB.classPrior');
    return result(m.prior.slice(), [m.classes.length], m.device);
  }

  /** Training samples per class (float64, as sklearn). */
  get classCount(): Tensor {
    const m = this.fitted('GaussianNB.classCount');
    return result(m.count.slice(), [m.classes.length], m.device);
  }

  /** The variance added to every variance (sklearn's epsilon_). */
  get epsilon(): number {
    return this.fitted('GaussianNB.epsilon').epsilon;
  }

  get nFeaturesIn(): number {
    return this.fitted('GaussianNB.nFeaturesIn').p;
  }
}

/** Each row minus its logsumexp (scipy's logsumexp: shifted by the row max). */
function normalizeLog(jll: Float64Array, m: number, K: number): Float64Array {
  const out = new Float64Array(m * K);
  for (let i = 0; i < m; i++) {
    let mx = -Infinity;
    for (let c = 0; c < K; c++) mx = Math.max(mx, jll[i * K + c]);
    let s = 0;
    for (let c = 0; c < K; c++) s += Math.exp(jll[i * K + c] - mx);
    const lse = mx + Math.log(s);
    for (let c = 0; c < K; c++) out[i * K + c] = jll[i * K + c] - lse;
  }
  return out;
}

function argmaxRows(a: Float64Array, m: number, K: number): Int32Array {
  const out = new Int32Array(m);
  for (let i = 0; i < m; i++) {
    let best = 0;
    for (let c = 1; c < K; c++) if (a[i * K + c] > a[i * K + best]) best = c;
    out[i] = best;
  }
  return out;
}

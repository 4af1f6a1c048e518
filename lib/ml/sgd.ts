/**
 * Stochastic gradient descent for linear models, following scikit-learn's _plain_sgd: one
 * sample at a time in a shuffled order each epoch, the L2 penalty applied by shrinking a
 * weight scale (w = s·v, so a step costs O(nnz) instead of O(p)), scikit-learn's learning-rate
 * schedules ('optimal' with its initial η heuristic, 'invscaling', 'constant') and its
 * stopping rule (nIterNoChange epochs without the summed loss improving by tol·n).
 * Shuffles come from tensile's seeded stream, not numpy's, so models are compared with
 * scikit-learn by score, not by coefficients.
 */
import { TensileError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { type LabelsLike, type MatrixLike, checkParam, result, toMatrix, toTargets } from './base.js';
import { LinearRegressor, booleanOption } from './linear.js';
import { LinearClassifier, prepareClassification, warnNotConverged } from './logistic.js';
import { HostRandom } from './model-selection.js';

interface Loss {
  loss(p: number, y: number): number;
  dloss(p: number, y: number): number;
}

const LOSSES: Record<'squared_error' | 'hinge' | 'log_loss', Loss> = {
  squared_error: { loss: (p, y) => 0.5 * (p - y) * (p - y), dloss: (p, y) => p - y },
  hinge: { loss: (p, y) => Math.max(0, 1 - p * y), dloss: (p, y) => (p * y <= 1 ? -y : 0) },
  // scikit-learn's Log loss, with its cut-offs at |z| = 18 against overflow.
  log_loss: {
    loss: (p, y) => {
      const z = p * y;
      return z > 18 ? Math.exp(-z) : z < -18 ? -z : Math.log1p(Math.exp(-z));
    },
    dloss: (p, y) => {
      const z = p * y;
      return z > 18 ? -y * Math.exp(-z) : z < -18 ? -y : -y / (Math.exp(z) + 1);
    },
  },
};

type Schedule = 'optimal' | 'invscaling' | 'constant';

interface SgdSettings {
  loss: Loss;
  penalty: 'l2' | 'none';
  alpha: number;
  fitIntercept: boolean;
  maxIter: number;
  tol: number | null;
  nIterNoChange: number;
  shuffle: boolean;
  learningRate: Schedule;
  eta0: number;
  powerT: number;
}

const MAX_DLOSS = 1e12;

/**
 * One linear model by plain SGD on row-major X [n, p] and targets y (±1 for classification).
 * Returns the weights, intercept, epochs run and whether the stopping rule fired.
 */
export function plainSgd(x: Float64Array, n: number, p: number, y: Float64Array, s: SgdSettings, rng: HostRandom) {
  const v = new Float64Array(p);
  let scale = 1, intercept = 0, t = 1;
  let optimalInit = 0;
  if (s.learningRate === 'optimal') {
    // scikit-learn's heuristic initial step (after Bottou's SvmSgd).
    const typw = Math.sqrt(1 / Math.sqrt(s.alpha));
    const eta0 = typw / Math.max(1, s.loss.dloss(-typw, 1));
    optimalInit = 1 / (eta0 * s.alpha);
  }
  let bestLoss = Infinity, noImprovement = 0, epoch = 0, stopped = false;
  const order = Int32Array.from({ length: n }, (_, i) => i);
  // The settings as locals: the per-sample loop below is the whole cost of a fit (as
  // scikit-learn's Cython loop), so it reads no option objects and allocates nothing.
  const { alpha, eta0, powerT, loss, fitIntercept } = s;
  const schedule = s.learningRate === 'optimal' ? 0 : s.learningRate === 'invscaling' ? 1 : 2;
  const l2 = s.penalty === 'l2';
  for (epoch = 0; epoch < s.maxIter; epoch++) {
    if (s.shuffle) rng.shuffle(order);
    let sumLoss = 0;
    for (let c = 0; c < n; c++) {
      const i = order[c], o = i * p;
      let dot = 0;
      for (let j = 0; j < p; j++) dot += v[j] * x[o + j];
      const pred = scale * dot + intercept;
      const eta = schedule === 0 ? 1 / (alpha * (optimalInit + t - 1)) : schedule === 1 ? eta0 / Math.pow(t, powerT) : eta0;
      sumLoss += loss.loss(pred, y[i]);
      const update = -eta * Math.min(MAX_DLOSS, Math.max(-MAX_DLOSS, loss.dloss(pred, y[i])));
      if (l2) scale *= Math.max(0, 1 - eta * alpha);
      if (update !== 0) {
        const a = update / scale;
        for (let j = 0; j < p; j++) v[j] += a * x[o + j];
        if (fitIntercept) intercept += update;
      }
      t++;
      if (scale < 1e-9) {
        for (let j = 0; j < p; j++) v[j] *= scale;
        scale = 1;
      }
    }
    if (s.tol !== null) {
      if (sumLoss > bestLoss - s.tol * n) noImprovement++;
      else noImprovement = 0;
      if (sumLoss < bestLoss) bestLoss = sumLoss;
    }
    if (noImprovement >= s.nIterNoChange) { stopped = true; break; }
  }
  for (let j = 0; j < p; j++) v[j] *= scale;
  if (!Number.isFinite(intercept) || v.some((a) => !Number.isFinite(a))) {
    throw new TensileError('SGD', `the weights diverged to non-finite values; scale the data or lower eta0`);
  }
  return { w: v, intercept, nIter: stopped ? epoch + 1 : s.maxIter, stopped };
}

interface SgdOptions {
  /** 'l2' (default) or 'none'. */
  penalty?: 'l2' | 'none';
  /** Regularization strength (default 1e-4); also sets the 'optimal' schedule. */
  alpha?: number;
  fitIntercept?: boolean;
  /** Most epochs (default 1000). */
  maxIter?: number;
  /** Stop after nIterNoChange epochs whose loss did not fall by tol·n; null disables (default 1e-3). */
  tol?: number | null;
  nIterNoChange?: number;
  shuffle?: boolean;
  seed?: number;
  learningRate?: Schedule;
  eta0?: number;
  powerT?: number;
}

function settings(op: string, opts: SgdOptions, loss: Loss, dflt: { learningRate: Schedule; eta0: number; powerT: number }): SgdSettings {
  const penalty = opts.penalty ?? 'l2';
  if (penalty !== 'l2' && penalty !== 'none') throw new TensileError(op, `option 'penalty' must be 'l2' or 'none', got ${String(penalty)}`);
  const learningRate = opts.learningRate ?? dflt.learningRate;
  if (!['optimal', 'invscaling', 'constant'].includes(learningRate)) throw new TensileError(op, `option 'learningRate' must be 'optimal', 'invscaling' or 'constant', got ${String(learningRate)}`);
  const eta0 = checkParam(op, 'eta0', opts.eta0 ?? dflt.eta0, { min: 0, exclusiveMin: learningRate !== 'optimal' });
  const tol = opts.tol === null ? null : checkParam(op, 'tol', opts.tol ?? 1e-3, { min: 0, exclusiveMin: false });
  return {
    loss, penalty, learningRate, eta0, tol,
    // 'optimal' divides by α, so it needs α > 0.
    alpha: checkParam(op, 'alpha', opts.alpha ?? 1e-4, { min: 0, exclusiveMin: learningRate === 'optimal' }),
    fitIntercept: booleanOption(op, 'fitIntercept', opts.fitIntercept, true),
    maxIter: checkParam(op, 'maxIter', opts.maxIter ?? 1000, { integer: true }),
    nIterNoChange: checkParam(op, 'nIterNoChange', opts.nIterNoChange ?? 5, { integer: true }),
    shuffle: booleanOption(op, 'shuffle', opts.shuffle, true),
    powerT: checkParam(op, 'powerT', opts.powerT ?? dflt.powerT, { min: 0, exclusiveMin: false }),
  };
}

export interface SGDRegressorOptions extends SgdOptions {
  /** Only 'squared_error' is implemented. */
  loss?: 'squared_error';
}

/**
 * Linear regression fitted by SGD, as sklearn.linear_model.SGDRegressor (squared loss, L2
 * penalty α = 1e-4, 'invscaling' η = 0.01/t^0.25).
 * @example new tn.ml.SGDRegressor({ seed: 0 }).fit(XScaled, y).score(XScaled, y)
 */
export class SGDRegressor extends LinearRegressor {
  protected readonly name = 'SGDRegressor';
  private readonly settings: SgdSettings;
  readonly seed?: number;
  private iters = 0;

  constructor(opts: SGDRegressorOptions = {}) {
    super();
    if (opts.loss !== undefined && opts.loss !== 'squared_error') throw new TensileError('SGDRegressor', `option 'loss' must be 'squared_error', got ${String(opts.loss)}`);
    this.settings = settings('SGDRegressor', opts, LOSSES.squared_error, { learningRate: 'invscaling', eta0: 0.01, powerT: 0.25 });
    this.seed = opts.seed;
  }

  fit(X: MatrixLike, y: LabelsLike): this {
    const op = 'SGDRegressor.fit';
    const x = toMatrix(op, X);
    const target = toTargets(op, y, x.rows);
    const r = plainSgd(x.data, x.rows, x.cols, target, this.settings, HostRandom.from(op, this.seed));
    if (!r.stopped && this.settings.tol !== null) warnNotConverged(this.name, `reached maxIter = ${this.settings.maxIter}`);
    this.iters = r.nIter;
    this.setModel(r.w, Float64Array.of(r.intercept), { data: target, nTargets: 1, multi: false }, x.cols, x.device);
    return this;
  }

  /** Intercept [1], as scikit-learn's SGDRegressor.intercept_. */
  override get intercept(): Tensor {
    const m = this.fitted('intercept');
    return result(m.intercept.slice(), [1], m.device);
  }

  /** Epochs run. */
  get nIter(): number {
    this.fitted('nIter');
    return this.iters;
  }
}

export interface SGDClassifierOptions extends SgdOptions {
  /** 'hinge' (a linear SVM, default) or 'log_loss' (logistic regression, with predictProba). */
  loss?: 'hinge' | 'log_loss';
}

/**
 * Linear classifiers fitted by SGD, as sklearn.linear_model.SGDClassifier (hinge loss, L2
 * penalty α = 1e-4, 'optimal' learning rate); one-vs-rest for more than two classes.
 * @example new tn.ml.SGDClassifier({ loss: 'log_loss', seed: 0 }).fit(X, y).predictProba(X)
 */
export class SGDClassifier extends LinearClassifier {
  protected readonly name = 'SGDClassifier';
  readonly loss: 'hinge' | 'log_loss';
  private readonly settings: SgdSettings;
  readonly seed?: number;
  private iters = 0;

  constructor(opts: SGDClassifierOptions = {}) {
    super();
    const loss = opts.loss ?? 'hinge';
    if (loss !== 'hinge' && loss !== 'log_loss') throw new TensileError('SGDClassifier', `option 'loss' must be 'hinge' or 'log_loss', got ${String(loss)}`);
    this.loss = loss;
    this.settings = settings('SGDClassifier', opts, LOSSES[loss], { learningRate: 'optimal', eta0: 0, powerT: 0.5 });
    this.seed = opts.seed;
  }

  fit(X: MatrixLike, y: LabelsLike): this {
    const op = 'SGDClassifier.fit';
    const { x, classes, index } = prepareClassification(op, X, y);
    const rng = HostRandom.from(op, this.seed);
    const K = classes.length, rows = K === 2 ? 1 : K, p = x.cols;
    const coef = new Float64Array(rows * p), intercept = new Float64Array(rows);
    const ypm = new Float64Array(x.rows);
    this.iters = 0;
    let allStopped = true;
    for (let r = 0; r < rows; r++) {
      const pos = K === 2 ? 1 : r;
      for (let i = 0; i < x.rows; i++) ypm[i] = index[i] === pos ? 1 : -1;
      const res = plainSgd(x.data, x.rows, p, ypm, this.settings, rng);
      coef.set(res.w, r * p);
      intercept[r] = res.intercept;
      this.iters = Math.max(this.iters, res.nIter);
      allStopped &&= res.stopped;
    }
    if (!allStopped && this.settings.tol !== null) warnNotConverged(this.name, `reached maxIter = ${this.settings.maxIter}`);
    this.setModel(classes, coef, intercept, p, x.device);
    return this;
  }

  /** The most epochs any one-vs-rest problem ran. */
  get nIter(): number {
    this.fitted('nIter');
    return this.iters;
  }

  /** Probabilities [n, nClasses] for loss 'log_loss': sigmoids, normalized across classes. */
  predictProba(X: MatrixLike): Tensor {
    if (this.loss !== 'log_loss') throw new TensileError('SGDClassifier.predictProba', `probability estimates need loss 'log_loss', not '${this.loss}'`);
    const { d, n, m, device } = this.scores('predictProba', X);
    const K = m.classes.length, r = m.rows;
    const out = new Float64Array(n * K);
    const sig = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));
    for (let i = 0; i < n; i++) {
      if (r === 1) {
        out[i * 2 + 1] = sig(d[i]);
        out[i * 2] = 1 - out[i * 2 + 1];
        continue;
      }
      let s = 0;
      for (let k = 0; k < K; k++) { out[i * K + k] = sig(d[i * r + k]); s += out[i * K + k]; }
      for (let k = 0; k < K; k++) out[i * K + k] /= s;
    }
    return result(out, [n, K], device);
  }
}

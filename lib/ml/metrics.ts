/**
 * tn.ml.metrics: classification and regression scores with scikit-learn's definitions and
 * edge cases (zero_division → 0, r2 of a constant target, ROC AUC with tied scores counted
 * half). Labels may be numbers or strings, given as tensors or arrays; predict's output can be
 * passed straight in.
 */
import { TensileError } from '../errors.js';
import { Tensor } from '../tensor.js';
import { tensor } from '../ops/creation.js';
import { type Label, type LabelsLike, type MatrixLike, encodeLabels, toLabels, toMatrix } from './base.js';

export type Average = 'binary' | 'macro' | 'micro' | 'weighted';

export interface PrecisionRecallOptions {
  /** How per-class scores combine (default 'binary': the score of `posLabel` alone). */
  average?: Average;
  /** The positive class for average 'binary' (default 1). */
  posLabel?: Label;
  /** The value when a denominator is 0 (scikit-learn's zero_division; default 0). */
  zeroDivision?: 0 | 1;
}

function lengthOf(op: string, y: unknown, arg: string): number {
  if (y instanceof Tensor) return y.rank === 0 ? 0 : y.shape[0];
  if (Array.isArray(y)) return y.length;
  throw new TensileError(op, `argument '${arg}' must be a 1-D Tensor or an array`);
}

/** Both label vectors, checked for equal length, encoded over their union of classes. */
function pairedLabels(op: string, yTrue: LabelsLike, yPred: LabelsLike) {
  const n = lengthOf(op, yTrue, 'yTrue');
  const t = toLabels(op, yTrue, n, 'yTrue');
  const p = toLabels(op, yPred, n, 'yPred');
  if (n === 0) throw new TensileError(op, `argument 'yTrue' is empty`);
  const { classes, index } = encodeLabels(op, [...t, ...p], 1);
  return { n, classes, trueIdx: index.subarray(0, n), predIdx: index.subarray(n) };
}

/**
 * Fraction (or, with normalize false, count) of exact matches.
 * @example tn.ml.metrics.accuracy([0, 1, 1], [0, 1, 0]) // 0.6667
 */
export function accuracy(yTrue: LabelsLike, yPred: LabelsLike, opts: { normalize?: boolean } = {}): number {
  const { n, trueIdx, predIdx } = pairedLabels('accuracy', yTrue, yPred);
  let hits = 0;
  for (let i = 0; i < n; i++) if (trueIdx[i] === predIdx[i]) hits++;
  return opts.normalize === false ? hits : hits / n;
}

/**
 * Counts C[i][j] of samples of true class labels[i] predicted as labels[j]; labels default to
 * the sorted union of both. Returns an int32 tensor [K, K].
 * @example tn.ml.metrics.confusionMatrix(['a', 'b', 'b'], ['a', 'a', 'b']) // [[1, 0], [1, 1]]
 */
export function confusionMatrix(yTrue: LabelsLike, yPred: LabelsLike, opts: { labels?: readonly Label[] } = {}): Tensor {
  const op = 'confusionMatrix';
  const { n, classes, trueIdx, predIdx } = pairedLabels(op, yTrue, yPred);
  const labels = opts.labels ?? classes;
  if (!Array.isArray(labels) || labels.length === 0) throw new TensileError(op, `option 'labels' must be a non-empty array`);
  const pos = new Map<Label, number>(labels.map((l, i) => [l, i]));
  if (pos.size !== labels.length) throw new TensileError(op, `option 'labels' has duplicates`);
  const remap = classes.map((c) => pos.get(c) ?? -1);
  const k = labels.length;
  const counts = new Int32Array(k * k);
  for (let i = 0; i < n; i++) {
    const a = remap[trueIdx[i]], b = remap[predIdx[i]];
    if (a >= 0 && b >= 0) counts[a * k + b]++;
  }
  return tensor(counts, { shape: [k, k] });
}

/** Per-class true positives, predicted counts and true counts, then the requested average. */
function precisionRecallF1(op: string, yTrue: LabelsLike, yPred: LabelsLike, opts: PrecisionRecallOptions) {
  const average = opts.average ?? 'binary';
  if (!['binary', 'macro', 'micro', 'weighted'].includes(average)) {
    throw new TensileError(op, `option 'average' must be 'binary', 'macro', 'micro' or 'weighted', got ${String(average)}`);
  }
  const zero = opts.zeroDivision ?? 0;
  if (zero !== 0 && zero !== 1) throw new TensileError(op, `option 'zeroDivision' must be 0 or 1, got ${String(zero)}`);
  const { n, classes, trueIdx, predIdx } = pairedLabels(op, yTrue, yPred);
  const k = classes.length;
  const tp = new Float64Array(k), predCount = new Float64Array(k), trueCount = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    predCount[predIdx[i]]++;
    trueCount[trueIdx[i]]++;
    if (trueIdx[i] === predIdx[i]) tp[trueIdx[i]]++;
  }
  let picked = classes.map((_, i) => i);
  if (average === 'binary') {
    const posLabel = opts.posLabel ?? 1;
    if (k > 2) throw new TensileError(op, `the labels are multiclass (${classes.join(', ')}) but average is 'binary'; choose 'macro', 'micro' or 'weighted'`);
    const p = classes.indexOf(posLabel);
    if (p < 0 && k === 2) throw new TensileError(op, `posLabel ${String(posLabel)} is not a valid label; it should be one of ${classes.join(', ')}`);
    picked = p < 0 ? [] : [p];
  }
  const div = (a: number, b: number) => (b === 0 ? zero : a / b);
  let precision: number, recall: number, f1: number;
  if (average === 'micro' || picked.length === 0) {
    let t = 0, pc = 0, tc = 0;
    for (const i of picked) { t += tp[i]; pc += predCount[i]; tc += trueCount[i]; }
    precision = div(t, pc); recall = div(t, tc);
    f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  } else {
    const per = picked.map((i) => {
      const p = div(tp[i], predCount[i]), r = div(tp[i], trueCount[i]);
      return { p, r, f: p + r === 0 ? 0 : (2 * p * r) / (p + r), w: trueCount[i] };
    });
    let wsum = 0;
    for (const c of per) wsum += average === 'weighted' ? c.w : 1;
    const mean = (key: 'p' | 'r' | 'f') => {
      if (wsum === 0) return 0;
      let s = 0;
      for (const c of per) s += c[key] * (average === 'weighted' ? c.w : 1);
      return s / wsum;
    };
    precision = mean('p'); recall = mean('r'); f1 = mean('f');
  }
  return { precision, recall, f1 };
}

/**
 * tp / (tp + fp), as sklearn.metrics.precision_score.
 * @example tn.ml.metrics.precision(yTrue, yPred, { average: 'macro' })
 */
export function precision(yTrue: LabelsLike, yPred: LabelsLike, opts: PrecisionRecallOptions = {}): number {
  return precisionRecallF1('precision', yTrue, yPred, opts).precision;
}

/** tp / (tp + fn), as sklearn.metrics.recall_score. @example tn.ml.metrics.recall(y, p) */
export function recall(yTrue: LabelsLike, yPred: LabelsLike, opts: PrecisionRecallOptions = {}): number {
  return precisionRecallF1('recall', yTrue, yPred, opts).recall;
}

/** Harmonic mean of precision and recall, as sklearn.metrics.f1_score. @example tn.ml.metrics.f1(y, p, { average: 'weighted' }) */
export function f1(yTrue: LabelsLike, yPred: LabelsLike, opts: PrecisionRecallOptions = {}): number {
  return precisionRecallF1('f1', yTrue, yPred, opts).f1;
}

/**
 * Area under the ROC curve of a binary problem: the larger of the two (sorted) labels is the
 * positive class; tied scores form one threshold, so a tie counts as half, as scikit-learn.
 * @example tn.ml.metrics.rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) // 0.75
 */
export function rocAuc(yTrue: LabelsLike, yScore: LabelsLike): number {
  const op = 'rocAuc';
  const n = lengthOf(op, yTrue, 'yTrue');
  const labels = toLabels(op, yTrue, n, 'yTrue');
  const scores = toLabels(op, yScore, n, 'yScore');
  if (scores.some((s) => typeof s !== 'number')) throw new TensileError(op, `argument 'yScore' must be numeric`);
  const { classes, index } = encodeLabels(op, labels, 1);
  if (classes.length === 1) throw new TensileError(op, `only one class (${String(classes[0])}) is present in yTrue; ROC AUC is not defined`);
  if (classes.length > 2) throw new TensileError(op, `yTrue has ${classes.length} classes; rocAuc supports binary labels only`);
  const order = Array.from(scores.keys()).sort((a, b) => (scores[b] as number) - (scores[a] as number));
  let tp = 0, fp = 0, prevTp = 0, prevFp = 0, area = 0;
  for (let i = 0; i < n; i++) {
    const s = order[i];
    if (index[s] === 1) tp++; else fp++;
    // Close a threshold only after the last sample with this score: ties move together.
    if (i === n - 1 || scores[order[i + 1]] !== scores[s]) {
      area += ((fp - prevFp) * (tp + prevTp)) / 2;
      prevTp = tp; prevFp = fp;
    }
  }
  return area / (tp * fp);
}

type Outputs = { data: Float64Array; rows: number; cols: number };

/** Regression values: a vector, or a matrix [n, outputs]. */
function toOutputs(op: string, y: LabelsLike | MatrixLike, arg: string, n?: number): Outputs {
  const twoD = y instanceof Tensor ? y.rank === 2 && y.shape[1] !== 1 : Array.isArray(y) && Array.isArray(y[0]);
  if (twoD) {
    const m = toMatrix(op, y as MatrixLike, arg);
    if (n !== undefined && m.rows !== n) throw new TensileError(op, `yTrue has ${n} samples but ${arg} has ${m.rows}`);
    return { data: m.data, rows: m.rows, cols: m.cols };
  }
  const len = lengthOf(op, y, arg);
  if (n !== undefined && len !== n) throw new TensileError(op, `yTrue has ${n} samples but ${arg} has ${len}`);
  const v = toLabels(op, y as LabelsLike, len, arg);
  if (v.some((x) => typeof x !== 'number')) throw new TensileError(op, `argument '${arg}' must be numeric`);
  if (len === 0) throw new TensileError(op, `argument '${arg}' is empty`);
  return { data: Float64Array.from(v as number[]), rows: len, cols: 1 };
}

function pairedOutputs(op: string, yTrue: LabelsLike | MatrixLike, yPred: LabelsLike | MatrixLike): [Outputs, Outputs] {
  const t = toOutputs(op, yTrue, 'yTrue');
  const p = toOutputs(op, yPred, 'yPred', t.rows);
  if (p.cols !== t.cols) throw new TensileError(op, `yTrue has ${t.cols} outputs but yPred has ${p.cols}`);
  return [t, p];
}

/** Mean over samples of f(true − pred), averaged uniformly over outputs. */
function meanError(op: string, yTrue: LabelsLike | MatrixLike, yPred: LabelsLike | MatrixLike, f: (d: number) => number): number {
  const [t, p] = pairedOutputs(op, yTrue, yPred);
  let total = 0;
  for (let j = 0; j < t.cols; j++) {
    let s = 0;
    for (let i = 0; i < t.rows; i++) s += f(t.data[i * t.cols + j] - p.data[i * t.cols + j]);
    total += s / t.rows;
  }
  return total / t.cols;
}

/** Mean squared error (several outputs: the uniform average). @example tn.ml.metrics.mse([1, 2], [1, 4]) // 2 */
export function mse(yTrue: LabelsLike | MatrixLike, yPred: LabelsLike | MatrixLike): number {
  return meanError('mse', yTrue, yPred, (d) => d * d);
}

/** Mean absolute error (several outputs: the uniform average). @example tn.ml.metrics.mae([1, 2], [1, 4]) // 1 */
export function mae(yTrue: LabelsLike | MatrixLike, yPred: LabelsLike | MatrixLike): number {
  return meanError('mae', yTrue, yPred, Math.abs);
}

/**
 * Coefficient of determination 1 − SS_res/SS_tot; a constant yTrue scores 1 when predicted
 * exactly, else 0 (scikit-learn's force_finite). Several outputs: 'uniform_average' (default)
 * or 'variance_weighted'.
 * @example tn.ml.metrics.r2([3, -0.5, 2, 7], [2.5, 0, 2, 8]) // 0.9486
 */
export function r2(yTrue: LabelsLike | MatrixLike, yPred: LabelsLike | MatrixLike, opts: { multioutput?: 'uniform_average' | 'variance_weighted' } = {}): number {
  const [t, p] = pairedOutputs('r2', yTrue, yPred);
  const mode = opts.multioutput ?? 'uniform_average';
  if (mode !== 'uniform_average' && mode !== 'variance_weighted') throw new TensileError('r2', `option 'multioutput' must be 'uniform_average' or 'variance_weighted', got ${String(mode)}`);
  let sum = 0, num = 0, den = 0;
  for (let j = 0; j < t.cols; j++) {
    let mean = 0;
    for (let i = 0; i < t.rows; i++) mean += t.data[i * t.cols + j];
    mean /= t.rows;
    let ssRes = 0, ssTot = 0;
    for (let i = 0; i < t.rows; i++) {
      const v = t.data[i * t.cols + j];
      ssRes += (v - p.data[i * t.cols + j]) ** 2;
      ssTot += (v - mean) ** 2;
    }
    sum += ssTot !== 0 ? 1 - ssRes / ssTot : ssRes === 0 ? 1 : 0;
    num += ssRes; den += ssTot;
  }
  if (mode === 'variance_weighted' && t.cols > 1) return den !== 0 ? 1 - num / den : num === 0 ? 1 : 0;
  return sum / t.cols;
}

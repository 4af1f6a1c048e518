/**
 * What every tn.ml estimator shares: turning X and y (tensors on js/cpu, or nested arrays)
 * into float64 host matrices with clear errors, label encoding (any numbers or strings,
 * `classes` sorted as scikit-learn's np.unique), and the not-fitted check. Estimators compute
 * in float64, as scikit-learn does, and return tensors on the input's device.
 */
import { TensileError, fmtShape } from '../errors.js';
import { Tensor } from '../tensor.js';
import { tensor } from '../ops/creation.js';
import type { DeviceName } from '../backends/backend.js';

/** A feature matrix: a 2-D Tensor (js or cpu) or nested number arrays. */
export type MatrixLike = Tensor | number[][];
/** Targets: a 1-D Tensor, or an array of numbers or strings. */
export type LabelsLike = Tensor | readonly number[] | readonly string[];
export type Label = number | string;

/** A dense row-major float64 matrix on the host. */
export interface Matrix {
  data: Float64Array;
  rows: number;
  cols: number;
  /** Where results should go (the input tensor's device, or the default). */
  device?: DeviceName;
}

function hostValues(op: string, arg: string, t: Tensor): Float64Array {
  if (t.device === 'webgpu') {
    throw new TensileError(op, `argument '${arg}' is on webgpu; tn.ml runs on the host: pass await ${arg}.toAsync('cpu')`);
  }
  return Float64Array.from(t.dataSync());
}

/** X as a float64 matrix; rejects ragged, non-2-D, empty and non-finite input. */
export function toMatrix(op: string, X: MatrixLike, arg = 'X'): Matrix {
  let data: Float64Array, rows: number, cols: number, device: DeviceName | undefined;
  if (X instanceof Tensor) {
    X.assertAlive(op, arg);
    if (X.rank !== 2) throw new TensileError(op, `argument '${arg}' must be 2-D [nSamples, nFeatures], got shape ${fmtShape(X.shape)}`);
    [rows, cols] = X.shape as [number, number];
    data = hostValues(op, arg, X);
    device = X.device;
  } else if (Array.isArray(X)) {
    rows = X.length;
    cols = rows ? (Array.isArray(X[0]) ? X[0].length : -1) : 0;
    if (cols < 0) throw new TensileError(op, `argument '${arg}' must be 2-D: an array of rows`);
    data = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++) {
      const r = X[i];
      if (!Array.isArray(r) || r.length !== cols) throw new TensileError(op, `argument '${arg}' is ragged: row ${i} has ${Array.isArray(r) ? r.length : 'no'} columns, expected ${cols}`);
      for (let j = 0; j < cols; j++) data[i * cols + j] = r[j];
    }
  } else {
    throw new TensileError(op, `argument '${arg}' must be a 2-D Tensor or an array of rows`);
  }
  if (rows === 0 || cols === 0) throw new TensileError(op, `argument '${arg}' is empty (shape [${rows},${cols}])`);
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      throw new TensileError(op, `argument '${arg}' contains ${data[i]} at row ${Math.floor(i / cols)}, column ${i % cols}; remove or impute non-finite values`);
    }
  }
  return { data, rows, cols, device };
}

/** y as a JS array of labels (numbers or strings), checked against the number of samples. */
export function toLabels(op: string, y: LabelsLike, nSamples: number, arg = 'y'): Label[] {
  let out: Label[];
  if (y instanceof Tensor) {
    y.assertAlive(op, arg);
    if (y.rank !== 1 && !(y.rank === 2 && y.shape[1] === 1)) {
      throw new TensileError(op, `argument '${arg}' must be 1-D, got shape ${fmtShape(y.shape)}`);
    }
    out = Array.from(hostValues(op, arg, y));
  } else if (Array.isArray(y)) {
    out = [...y];
  } else {
    throw new TensileError(op, `argument '${arg}' must be a 1-D Tensor or an array`);
  }
  if (out.length !== nSamples) throw new TensileError(op, `X has ${nSamples} samples but ${arg} has ${out.length}`);
  for (let i = 0; i < out.length; i++) {
    const v = out[i];
    if (typeof v === 'number' ? !Number.isFinite(v) : typeof v !== 'string') {
      throw new TensileError(op, `argument '${arg}' has an invalid value ${String(v)} at index ${i}`);
    }
  }
  return out;
}

/** y as float64 regression targets. */
export function toTargets(op: string, y: LabelsLike, nSamples: number, arg = 'y'): Float64Array {
  const labels = toLabels(op, y, nSamples, arg);
  if (labels.some((v) => typeof v !== 'number')) throw new TensileError(op, `argument '${arg}' must be numeric for regression`);
  return Float64Array.from(labels as number[]);
}

/** The sorted distinct classes and each sample's class index, as np.unique(return_inverse). */
export function encodeLabels(op: string, labels: readonly Label[], minClasses = 2): { classes: Label[]; index: Int32Array } {
  const numeric = labels.every((v) => typeof v === 'number');
  if (!numeric && labels.some((v) => typeof v === 'number')) throw new TensileError(op, 'labels mix numbers and strings');
  const classes = [...new Set(labels)].sort((a, b) => (numeric ? (a as number) - (b as number) : String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));
  if (classes.length < minClasses) {
    throw new TensileError(op, `needs samples of at least ${minClasses} classes; the data has ${classes.length} (${classes.join(', ')})`);
  }
  const pos = new Map<Label, number>(classes.map((c, i) => [c, i]));
  return { classes, index: Int32Array.from(labels, (v) => pos.get(v)!) };
}

/** Predicted class indices → the original labels: a Tensor for numeric classes, else string[]. */
export function decodeLabels(classes: readonly Label[], idx: ArrayLike<number>, device?: DeviceName): Tensor | string[] {
  if (classes.every((c) => typeof c === 'number')) {
    const vals = Array.from(idx, (i) => classes[i] as number);
    const integral = vals.every(Number.isInteger);
    return tensor(integral ? Int32Array.from(vals) : Float64Array.from(vals), { device });
  }
  return Array.from(idx, (i) => String(classes[i]));
}

/** A float64 result tensor on the estimator's device. */
export function result(data: Float64Array, shape: readonly number[], device?: DeviceName): Tensor {
  return tensor(data, { dtype: 'float64', shape, device });
}

export function checkFitted(op: string, fitted: boolean, name: string): void {
  if (!fitted) throw new TensileError(op, `this ${name} is not fitted yet: call fit(X, y) first`);
}

export function checkFeatures(op: string, X: Matrix, expected: number, name: string): void {
  if (X.cols !== expected) throw new TensileError(op, `X has ${X.cols} features, but ${name} was fitted with ${expected}`);
}

/** Positive (or non-negative) hyper-parameter check naming the estimator and the argument. */
export function checkParam(op: string, name: string, v: unknown, opts: { min?: number; exclusiveMin?: boolean; integer?: boolean } = {}): number {
  const { min = 0, exclusiveMin = true, integer = false } = opts;
  if (typeof v !== 'number' || !Number.isFinite(v) || (exclusiveMin ? v <= min : v < min) || (integer && !Number.isInteger(v))) {
    throw new TensileError(op, `'${name}' must be ${integer ? 'an integer ' : 'a number '}${exclusiveMin ? '>' : '>='} ${min}, got ${String(v)}`);
  }
  return v;
}

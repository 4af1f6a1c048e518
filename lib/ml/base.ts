/**
 * What every tn.ml estimator shares: turning X and y (tensors on js/cpu, or nested arrays)
 * into float64 host matrices with clear errors, label encoding (any numbers or strings,
 * `classes` sorted as scikit-learn's np.unique), and the not-fitted check. Estimators compute
 * in float64, as scikit-learn does, and return tensors on the input's device.
 */
import { TensileError, fmtShape } from '../errors.js';
import { Tensor } from '../tensor.js';
import { tensor } from '../ops/creation.js';
import { cast, contiguous } from '../ops/cast.js';
import { sum } from '../ops/reduce.js';
import { availableDevices, getDefaultDevice } from '../device.js';
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
  // dataSync returns a fresh array: float64 needs no second copy.
  const v = t.dataSync();
  return v instanceof Float64Array ? v : new Float64Array(v);
}

/** Throws naming the first non-finite value of a row-major matrix. */
function checkFinite(op: string, arg: string, data: Float64Array, cols: number): void {
  // x·0 is 0 for finite x and NaN otherwise: one cheap pass, the search only on failure.
  let acc = 0;
  for (let i = 0; i < data.length; i++) acc += data[i] * 0;
  if (acc === 0) return;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      throw new TensileError(op, `argument '${arg}' contains ${data[i]} at row ${Math.floor(i / cols)}, column ${i % cols}; remove or impute non-finite values`);
    }
  }
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
  checkFinite(op, arg, data, cols);
  return { data, rows, cols, device };
}

/** X as a float64 tensor for the GEMM-based solvers; `device` is where results go, as in Matrix. */
export interface MatrixTensor { t: Tensor; rows: number; cols: number; device?: DeviceName }

/**
 * X as a float64 tensor on js or cpu, checked as toMatrix checks it. A js/cpu tensor stays on
 * its device without a host round trip (the input itself when it is float64 and contiguous,
 * so never write to it); nested arrays go to the default device (when that is webgpu: cpu if
 * loaded, else js). Tensors made here belong to the caller's tn.tidy scope.
 */
export function toMatrixTensor(op: string, X: MatrixLike, arg = 'X'): MatrixTensor {
  if (X instanceof Tensor && (X.device === 'js' || X.device === 'cpu')) {
    X.assertAlive(op, arg);
    if (X.rank !== 2) throw new TensileError(op, `argument '${arg}' must be 2-D [nSamples, nFeatures], got shape ${fmtShape(X.shape)}`);
    const [rows, cols] = X.shape as [number, number];
    if (rows === 0 || cols === 0) throw new TensileError(op, `argument '${arg}' is empty (shape [${rows},${cols}])`);
    // detach: the products below must not record a graph through a user's requiresGrad tensor.
    const t = contiguous(cast(X.requiresGrad ? X.detach() : X, 'float64'));
    // The sum is finite when every value is (unless it overflows): the host scan, which names
    // the value at fault, runs only then.
    const total = sum(t);
    const finite = Number.isFinite(total.itemSync() as number);
    total.dispose();
    if (!finite) toMatrix(op, X, arg);
    return { t, rows, cols, device: X.device };
  }
  const m = toMatrix(op, X, arg);
  // The default device when it runs the kernels, so arrays and tensors made there fit alike.
  const dflt = getDefaultDevice();
  const device = dflt === 'js' || dflt === 'cpu' ? dflt : availableDevices().includes('cpu') ? 'cpu' : 'js';
  return { t: tensor(m.data, { dtype: 'float64', shape: [m.rows, m.cols], device }), rows: m.rows, cols: m.cols, device: m.device };
}

function labelShape(op: string, arg: string, y: Tensor): void {
  y.assertAlive(op, arg);
  if (y.rank !== 1 && !(y.rank === 2 && y.shape[1] === 1)) {
    throw new TensileError(op, `argument '${arg}' must be 1-D, got shape ${fmtShape(y.shape)}`);
  }
}

/** A tensor y's values as float64, checked as toLabels checks them (no JS array in between). */
export function tensorLabels(op: string, y: Tensor, nSamples: number, arg = 'y'): Float64Array {
  labelShape(op, arg, y);
  const v = hostValues(op, arg, y);
  if (v.length !== nSamples) throw new TensileError(op, `X has ${nSamples} samples but ${arg} has ${v.length}`);
  for (let i = 0; i < v.length; i++) {
    if (!Number.isFinite(v[i])) throw new TensileError(op, `argument '${arg}' has an invalid value ${String(v[i])} at index ${i}`);
  }
  return v;
}

/** y as a JS array of labels (numbers or strings), checked against the number of samples. */
export function toLabels(op: string, y: LabelsLike, nSamples: number, arg = 'y'): Label[] {
  let out: Label[];
  if (y instanceof Tensor) {
    return Array.from(tensorLabels(op, y, nSamples, arg));
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

/** Labels for a classifier: a tensor's values as float64 (the fast numeric path), else toLabels. */
export function toClassLabels(op: string, y: LabelsLike, nSamples: number, arg = 'y'): Label[] | Float64Array {
  return y instanceof Tensor ? tensorLabels(op, y, nSamples, arg) : toLabels(op, y, nSamples, arg);
}

/** y as float64 regression targets. */
export function toTargets(op: string, y: LabelsLike, nSamples: number, arg = 'y'): Float64Array {
  if (y instanceof Tensor) return tensorLabels(op, y, nSamples, arg);
  const labels = toLabels(op, y, nSamples, arg);
  if (labels.some((v) => typeof v !== 'number')) throw new TensileError(op, `argument '${arg}' must be numeric for regression`);
  return Float64Array.from(labels as number[]);
}

/**
 * The sorted distinct classes and each sample's class index, as np.unique(return_inverse).
 * Numeric labels (or a Float64Array of them) take a typed-array path: a numeric sort and a
 * binary search per sample.
 */
export function encodeLabels(op: string, labels: readonly Label[] | Float64Array, minClasses = 2): { classes: Label[]; index: Int32Array } {
  const n = labels.length;
  let numeric = labels instanceof Float64Array;
  if (!numeric) {
    const arr = labels as readonly Label[];
    numeric = arr.every((v) => typeof v === 'number');
    if (!numeric && arr.some((v) => typeof v === 'number')) throw new TensileError(op, 'labels mix numbers and strings');
  }
  const few = (classes: Label[]) => {
    if (classes.length < minClasses) {
      throw new TensileError(op, `needs samples of at least ${minClasses} classes; the data has ${classes.length} (${classes.join(', ')})`);
    }
  };
  if (numeric) {
    const vals = labels instanceof Float64Array ? labels : Float64Array.from(labels as number[]);
    // The distinct values in one pass (few, for labels), then sorted: no sort of all n.
    const distinct = new Set<number>();
    for (let i = 0; i < n; i++) distinct.add(vals[i] === 0 ? 0 : vals[i]);
    const classes = Array.from(distinct).sort((a, b) => a - b);
    few(classes);
    const index = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const v = vals[i];
      let lo = 0, hi = classes.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (classes[mid] < v) lo = mid + 1; else hi = mid;
      }
      index[i] = lo;
    }
    return { classes, index };
  }
  const arr = labels as readonly string[];
  const classes = [...new Set(arr)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  few(classes);
  const pos = new Map<Label, number>(classes.map((c, i) => [c, i]));
  const index = new Int32Array(n);
  for (let i = 0; i < n; i++) index[i] = pos.get(arr[i])!;
  return { classes, index };
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

/**
 * SVM kernels as libsvm evaluates them, computed in blocks: the dot products of a batch of
 * rows against all training rows are one GEMM (tn.matmulT on the native cpu backend, the js
 * oracle without the addon), and the kernel transform is then applied elementwise in
 * libsvm's operation order (rbf as exp(-γ(‖a‖² + ‖b‖² − 2a·b)), poly by libsvm's `powi`), so
 * a cached value rounds to the same float32 (libsvm's Qfloat) as libsvm's. The native SMO
 * (native/src/ml/smo_rows.cc) computes its rows with the same GEMM call and transform.
 */
import { TensileError } from '../errors.js';
import { availableDevices } from '../device.js';
import { tensor } from '../ops/creation.js';
import { matmulT } from '../ops/matmul.js';
import type { Tensor } from '../tensor.js';

export type KernelName = 'linear' | 'poly' | 'rbf' | 'sigmoid' | 'precomputed';
export const KERNEL_NAMES: readonly KernelName[] = ['linear', 'poly', 'rbf', 'sigmoid', 'precomputed'];

/** A kernel with its resolved parameters (gamma already a number). */
export interface KernelSpec {
  kernel: KernelName;
  gamma: number;
  degree: number;
  coef0: number;
}

/** libsvm's powi: base^times by binary powering, with libsvm's rounding rather than Math.pow's. */
export function powi(base: number, times: number): number {
  let tmp = base, ret = 1.0;
  for (let t = times; t > 0; t = Math.floor(t / 2)) {
    if (t % 2 === 1) ret *= tmp;
    tmp = tmp * tmp;
  }
  return ret;
}

/** k(a, b) from the dot product a·b and, for rbf, the squared norms ‖a‖², ‖b‖². */
export function kernelFromDot(spec: KernelSpec, dot: number, sqA: number, sqB: number): number {
  switch (spec.kernel) {
    case 'linear': return dot;
    case 'poly': return powi(spec.gamma * dot + spec.coef0, spec.degree);
    case 'rbf': return Math.exp(-spec.gamma * (sqA + sqB - 2 * dot));
    case 'sigmoid': return Math.tanh(spec.gamma * dot + spec.coef0);
    default: throw new TensileError('kernel', `kernel '${spec.kernel}' has no dot-product form`);
  }
}

/** The squared norm of each row of a row-major n×p matrix, summed in order as libsvm's dot. */
export function rowSquares(X: Float64Array, n: number, p: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0, o = i * p; k < p; k++) s += X[o + k] * X[o + k];
    out[i] = s;
  }
  return out;
}

/** k(x_i, x_i) for each row, as libsvm's QD (the diagonal the solver keeps in float64). */
export function kernelDiagonal(spec: KernelSpec, X: Float64Array, n: number, p: number): Float64Array {
  const sq = rowSquares(X, n, p);
  return sq.map((s) => kernelFromDot(spec, s, s, s));
}

/**
 * A·Bᵀ for a fixed row-major B (n×p) and a stream of row blocks A (m×p), on the native GEMM
 * when the cpu backend exists. B is uploaded once; each call makes and frees two tensors.
 */
export class RowDotEngine {
  private readonly b: Tensor;
  private readonly device: 'cpu' | 'js';

  constructor(B: Float64Array, readonly n: number, readonly p: number) {
    this.device = availableDevices().includes('cpu') ? 'cpu' : 'js';
    this.b = tensor(B, { dtype: 'float64', shape: [n, p], device: this.device });
  }

  /** The m×n products of the rows in `a` (m×p, row-major) with every row of B (a new array). */
  dots(a: Float64Array, m: number): Float64Array {
    const at = tensor(a.subarray(0, m * this.p), { dtype: 'float64', shape: [m, this.p], device: this.device });
    let out: Tensor | undefined;
    try {
      out = matmulT(at, this.b, false, true);
      return out.dataSync() as Float64Array; // a copy on js and cpu
    } finally {
      at.dispose();
      out?.dispose();
    }
  }

  dispose(): void {
    this.b.dispose();
  }
}

/**
 * The kernel matrix K(A, B) (m×n, row-major float64) for prediction: one GEMM, then the
 * transform. Squared distances for rbf are clamped at 0 (a row against itself).
 */
export function kernelMatrix(spec: KernelSpec, A: Float64Array, m: number, B: Float64Array, n: number, p: number): Float64Array {
  const out = new Float64Array(m * n);
  if (m === 0 || n === 0) return out;
  const engine = new RowDotEngine(B, n, p);
  try {
    const sqA = spec.kernel === 'rbf' ? rowSquares(A, m, p) : null;
    const sqB = spec.kernel === 'rbf' ? rowSquares(B, n, p) : null;
    const d = engine.dots(A, m);
    for (let i = 0; i < m; i++) {
      for (let j = 0, o = i * n; j < n; j++) {
        if (sqA && sqB) out[o + j] = Math.exp(-spec.gamma * Math.max(0, sqA[i] + sqB[j] - 2 * d[o + j]));
        else out[o + j] = kernelFromDot(spec, d[o + j], 0, 0);
      }
    }
  } finally {
    engine.dispose();
  }
  return out;
}

/**
 * Kernel rows of one training problem for the SMO solver, in two steps so that speculative
 * rows cost only their GEMM share: `computeRaw` returns the raw rows (dot products, or Gram
 * values) of a batch of samples as a new row-major count×size array the caller owns;
 * `finish` turns one raw row into the float32 kernel row k(x_s, x_t) for every t (libsvm's
 * Qfloat). `diagonal` is k(x_s, x_s) in float64 (libsvm's QD).
 */
export interface KernelRowSource {
  readonly size: number;
  readonly diagonal: Float64Array;
  computeRaw(samples: ArrayLike<number>, count: number): Float64Array;
  finish(sample: number, raw: Float64Array, row: Float32Array): void;
  dispose(): void;
}

/** Rows of k over dense features X (n×p, row-major, float64). */
export class DenseKernelRows implements KernelRowSource {
  readonly diagonal: Float64Array;
  private readonly sq: Float64Array;
  private readonly engine: RowDotEngine;
  private block = new Float64Array(0);
  /** Kernel rows finished so far (a statistic for benchmarks). */
  rowsComputed = 0;

  constructor(private readonly spec: KernelSpec, private readonly X: Float64Array, readonly size: number, private readonly p: number) {
    this.sq = rowSquares(X, size, p);
    this.diagonal = this.sq.map((s) => kernelFromDot(spec, s, s, s));
    this.engine = new RowDotEngine(X, size, p);
  }

  computeRaw(samples: ArrayLike<number>, count: number): Float64Array {
    const p = this.p;
    if (this.block.length < count * p) this.block = new Float64Array(count * p);
    for (let r = 0; r < count; r++) this.block.set(this.X.subarray(samples[r] * p, samples[r] * p + p), r * p);
    return this.engine.dots(this.block, count);
  }

  finish(sample: number, d: Float64Array, row: Float32Array): void {
    const { size: n, sq, spec } = this, g = spec.gamma, c0 = spec.coef0;
    this.rowsComputed++;
    switch (spec.kernel) {
      case 'linear':
        row.set(d.subarray(0, n));
        break;
      case 'rbf': {
        const si = sq[sample];
        for (let t = 0; t < n; t++) row[t] = Math.exp(-g * (si + sq[t] - 2 * d[t]));
        break;
      }
      case 'poly':
        for (let t = 0; t < n; t++) row[t] = powi(g * d[t] + c0, spec.degree);
        break;
      case 'sigmoid':
        for (let t = 0; t < n; t++) row[t] = Math.tanh(g * d[t] + c0);
        break;
      default:
        throw new TensileError('kernel', `kernel '${spec.kernel}' has no dot-product form`);
    }
  }

  dispose(): void {
    this.engine.dispose();
  }
}

/** Rows of a precomputed Gram matrix restricted to the samples `index` (into the full Gram). */
export class PrecomputedKernelRows implements KernelRowSource {
  readonly diagonal: Float64Array;
  readonly size: number;

  constructor(private readonly gram: Float64Array, private readonly nGram: number, private readonly index: Int32Array) {
    this.size = index.length;
    this.diagonal = Float64Array.from(index, (s) => gram[s * nGram + s]);
  }

  computeRaw(samples: ArrayLike<number>, count: number): Float64Array {
    const { gram, nGram, index, size } = this;
    const raw = new Float64Array(count * size);
    for (let r = 0; r < count; r++) {
      const o = index[samples[r]] * nGram;
      for (let t = 0; t < size; t++) raw[r * size + t] = gram[o + index[t]];
    }
    return raw;
  }

  finish(_sample: number, raw: Float64Array, row: Float32Array): void {
    row.set(raw.subarray(0, this.size));
  }

  dispose(): void {}
}

/**
 * What the tn.linalg ops share: argument checks, reading a batch of matrices as float64,
 * making result tensors in the input's dtype, and the small differentiable matrix helpers
 * (transpose of the last two dims, triangles, diagonals) that the backward formulas use.
 */
import type { DType } from '../dtype.js';
import { allocArray, isFloat, promoteTypes } from '../dtype.js';
import { TensileError, fmtShape } from '../errors.js';
import { broadcastShapes, sizeOf } from '../shape.js';
import { type Tensor, fromHost } from '../tensor.js';
import { type TensorLike, cast, expand, mul, reshape, slice, toTensor, transpose, unsqueeze, sameDevice } from '../ops/index.js';
import { type LinalgKernels, linalgKernels } from './kernels.js';

/** Machine epsilon of the dtype the values came in (the noise level rank decisions use). */
export function epsOf(dtype: DType): number {
  return dtype === 'float32' ? 2 ** -23 : 2 ** -52;
}

/**
 * A tensor argument (or nested array) as a float matrix batch: rank >= 2, int and bool
 * promoted to float32. `square` also requires the last two dims to be equal.
 */
export function matrixArg(op: string, arg: string, x: TensorLike, square = false): Tensor {
  const t = toTensor(op, arg, x);
  if (t.rank < 2) {
    throw new TensileError(op, `argument '${arg}' must be a matrix or a batch of matrices (rank >= 2), got shape ${fmtShape(t.shape)}`);
  }
  if (square && t.shape[t.rank - 1] !== t.shape[t.rank - 2]) {
    throw new TensileError(op, `argument '${arg}' must be square in its last two dims, got shape ${fmtShape(t.shape)}`);
  }
  return isFloat(t.dtype) ? t : cast(t, 'float32');
}

/** Any tensor argument, float (ints promote to float32). */
export function floatArg(op: string, arg: string, x: TensorLike): Tensor {
  const t = toTensor(op, arg, x);
  return isFloat(t.dtype) ? t : cast(t, 'float32');
}

/** The kernels for t's device (throws for webgpu, naming toAsync). */
export function kernelsFor(op: string, t: Tensor): LinalgKernels {
  return linalgKernels(t.device, op);
}

/** Two arguments on one device, in their promoted float dtype. */
export function promotePair(op: string, names: [string, string], a: Tensor, b: Tensor): [Tensor, Tensor] {
  sameDevice(op, [[names[0], a], [names[1], b]]);
  const d = promoteTypes(a.dtype, b.dtype);
  return [cast(a, d), cast(b, d)];
}

/** The broadcast batch dims of two matrix batches, or an error naming both shapes. */
export function batchOf(op: string, names: [string, string], a: Tensor, b: Tensor): number[] {
  try {
    return broadcastShapes(op, a.shape.slice(0, -2), b.shape.slice(0, -2));
  } catch {
    throw new TensileError(op, `batch dims of '${names[0]}' ${fmtShape(a.shape)} and '${names[1]}' ${fmtShape(b.shape)} cannot broadcast`);
  }
}

/** Row-major float64 copy of t's values (dataSync already copies, so float64 is used as is). */
export function read64(t: Tensor): Float64Array {
  const d = t.dataSync();
  return d instanceof Float64Array ? d : Float64Array.from(d);
}

/** A new tensor on `like`'s device holding float64 values rounded to `dtype`. */
export function fromF64(like: Tensor, values: Float64Array, shape: readonly number[], dtype: DType = like.dtype): Tensor {
  if (dtype === 'float64') return fromHost(like.backend, values, shape, dtype);
  const arr = allocArray(dtype, values.length);
  arr.set(values);
  return fromHost(like.backend, arr, shape, dtype);
}

/** An int32 tensor on `like`'s device. */
export function fromInt(like: Tensor, values: Int32Array, shape: readonly number[]): Tensor {
  return fromHost(like.backend, values, shape, 'int32');
}

/** " in batch element [1,0]" for batched inputs (the flat index unravelled), else "". */
export function whereInBatch(batchShape: readonly number[], b: number): string {
  if (batchShape.length === 0) return '';
  const idx = new Array<number>(batchShape.length);
  for (let d = batchShape.length - 1; d >= 0; d--) { idx[d] = b % batchShape[d]; b = Math.floor(b / batchShape[d]); }
  return ` in batch element ${fmtShape(idx)}`;
}

/** Number of matrices in a batch shape. */
export function count(batchShape: readonly number[]): number {
  return sizeOf(batchShape);
}

/** True when any of the n×n (or r×c) values of matrix b is NaN or infinite. */
export function hasNonFinite(a: Float64Array, b: number, size: number): boolean {
  for (let i = b * size; i < (b + 1) * size; i++) if (!Number.isFinite(a[i])) return true;
  return false;
}

// ---------------- differentiable helpers (compositions of ops) ----------------

/** The transpose of the last two dims (a view). */
export function mT(x: Tensor): Tensor {
  return transpose(x, -2, -1);
}

/** A constant 0/1 mask of the last two dims: j - i <= k (lower) or j - i >= k (upper). */
function triangleMask(like: Tensor, k: number, lower: boolean): Tensor {
  const r = like.shape[like.rank - 2], c = like.shape[like.rank - 1];
  const m = allocArray(like.dtype, r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) m[i * c + j] = (lower ? j - i <= k : j - i >= k) ? 1 : 0;
  return fromHost(like.backend, m, [r, c], like.dtype);
}

/** The lower triangle of the last two dims, on and below diagonal k (torch.tril). */
export function tril(x: Tensor, k = 0): Tensor {
  return mul(x, triangleMask(x, k, true));
}

/** The upper triangle of the last two dims, on and above diagonal k (torch.triu). */
export function triu(x: Tensor, k = 0): Tensor {
  return mul(x, triangleMask(x, k, false));
}

/** The main diagonal of the last two dims: [..., m, n] → [..., min(m, n)], differentiably. */
export function diagonal(x: Tensor): Tensor {
  const r = x.rank, m = x.shape[r - 2], n = x.shape[r - 1];
  const p = Math.min(m, n);
  const flat = reshape(x, [...x.shape.slice(0, -2), m * n]);
  // Element (i, i) sits at i·(n+1) in the flattened matrix.
  const lead = new Array<null>(r - 2).fill(null);
  return slice(flat, ...lead, [0, p === 0 ? 0 : (p - 1) * (n + 1) + 1, n + 1]);
}

/** Diagonal matrices from vectors: [..., k] → [..., k, k] (torch.diag_embed). */
export function diagEmbed(v: Tensor): Tensor {
  const k = v.shape[v.rank - 1];
  return mul(unsqueeze(v, -1), identity(v, k));
}

/** The k×k identity in `like`'s dtype and device (a constant). */
export function identity(like: Tensor, k: number): Tensor {
  const m = allocArray(like.dtype, k * k);
  for (let i = 0; i < k; i++) m[i * k + i] = 1;
  return fromHost(like.backend, m, [k, k], like.dtype);
}

/** x expanded to batch dims `batch` (its last two dims kept). */
export function expandBatch(x: Tensor, batch: readonly number[]): Tensor {
  return expand(x, [...batch, ...x.shape.slice(-2)]);
}

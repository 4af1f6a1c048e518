/**
 * Vector and matrix norms, as torch.linalg.{vector_norm, matrix_norm, norm}. Compositions of
 * ops (the spectral ones through svdvals), so gradients come from autograd and the
 * elementwise ones run on every device, webgpu included.
 */
import { noGrad } from '../autograd/mode.js';
import { TensileError, fmtShape } from '../errors.js';
import { normalizeAxes, normalizeAxis } from '../shape.js';
import type { Tensor } from '../tensor.js';
import {
  type TensorLike, abs, cast, div, eq, logicalOr, max, min, mul, ne, permute, pow, record, reshape, sqrt, square, sum, where,
} from '../ops/index.js';
import { floatArg } from './batch.js';
import { svdvals } from './decompositions.js';

export type VectorOrd = number;
export type MatrixOrd = 'fro' | 'nuc' | number;

function keptShape(shape: readonly number[], axes: readonly number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

/**
 * The Euclidean norm over `axes`, computed as max|x|·‖x / max|x|‖ so squares cannot overflow
 * or underflow; its gradient x·g/‖x‖ is taken as 0 at x = 0 (as torch), not 0/0.
 */
function l2(x: Tensor, axes: number[], keepdim: boolean): Tensor {
  const kept = keptShape(x.shape, axes);
  const y = noGrad(() => {
    const m = max(abs(x), axes, true);
    const safe = where(logicalOr(eq(m, 0), eq(m, Infinity)), 1, m);
    const r = mul(sqrt(sum(square(div(x, safe)), axes, true)), safe);
    return keepdim ? r : reshape(r, x.shape.filter((_, i) => !axes.includes(i)));
  });
  return record(y, 'vectorNorm', [x], (g) => {
    const yk = reshape(y, kept), gk = reshape(g, kept);
    return [mul(x, div(gk, where(eq(yk, 0), 1, yk)))];
  });
}

/**
 * The vector norm (sum |x_i|^ord)^(1/ord) over `dim` (all dims when null), as
 * torch.linalg.vector_norm: ord 2 (default), 1, Infinity (max |x_i|), -Infinity (min), 0 (the
 * count of non-zeros), or any other real.
 * @example tn.linalg.vectorNorm([3, 4]) // 5
 */
export function vectorNorm(xin: TensorLike, ord: VectorOrd = 2, dim: number | readonly number[] | null = null, keepdim = false): Tensor {
  const op = 'vectorNorm';
  const x = floatArg(op, 'x', xin);
  if (typeof ord !== 'number' || Number.isNaN(ord)) throw new TensileError(op, `argument 'ord' must be a number (or ±Infinity), got ${String(ord)}`);
  if (x.rank === 0) return ord === 0 ? cast(ne(x, 0), x.dtype) : abs(x);
  const axes = normalizeAxes(op, dim, x.rank);
  if (ord === 2) return l2(x, axes, keepdim);
  if (ord === Infinity) return max(abs(x), axes, keepdim);
  if (ord === -Infinity) return min(abs(x), axes, keepdim);
  if (ord === 0) return sum(cast(ne(x, 0), x.dtype), axes, keepdim);
  if (ord === 1) return sum(abs(x), axes, keepdim);
  return pow(sum(pow(abs(x), ord), axes, keepdim), 1 / ord);
}

const MATRIX_ORDS: readonly MatrixOrd[] = ['fro', 'nuc', 1, -1, 2, -2, Infinity, -Infinity];

/**
 * Matrix norms over the two dims `dim` (default the last two), as torch.linalg.matrix_norm:
 * 'fro' (default), 'nuc' (sum of singular values), 2 / -2 (largest / smallest singular
 * value), 1 / -1 (max / min column sum of |a_ij|), Infinity / -Infinity (max / min row sum).
 * The spectral ones (nuc, ±2) need js or cpu tensors.
 * @example tn.linalg.matrixNorm([[1, 2], [3, 4]], 1) // 6
 */
export function matrixNorm(Ain: TensorLike, ord: MatrixOrd = 'fro', dim: readonly [number, number] = [-2, -1], keepdim = false): Tensor {
  const op = 'matrixNorm';
  const A = floatArg(op, 'A', Ain);
  if (!MATRIX_ORDS.includes(ord)) throw new TensileError(op, `argument 'ord' must be one of 'fro', 'nuc', 1, -1, 2, -2, Infinity, -Infinity, got ${String(ord)}`);
  if (A.rank < 2) throw new TensileError(op, `argument 'A' must have at least 2 dims, got shape ${fmtShape(A.shape)}`);
  if (!Array.isArray(dim) || dim.length !== 2) throw new TensileError(op, `argument 'dim' must be a pair of dims, got ${String(dim)}`);
  const d0 = normalizeAxis(op, dim[0], A.rank, 'dim'), d1 = normalizeAxis(op, dim[1], A.rank, 'dim');
  if (d0 === d1) throw new TensileError(op, `argument 'dim' names dim ${d0} twice`);
  if (ord === 'fro') return l2(A, [d0, d1].sort((a, b) => a - b), keepdim);
  // Move the matrix dims last (rows d0, columns d1), reduce, then restore kept dims.
  const rest = A.shape.map((_, i) => i).filter((i) => i !== d0 && i !== d1);
  const M = permute(A, [...rest, d0, d1]);
  let r: Tensor;
  if (ord === 'nuc') r = sum(svdvals(M), -1);
  else if (ord === 2) r = max(svdvals(M), -1);
  else if (ord === -2) r = min(svdvals(M), -1);
  else if (ord === 1) r = max(sum(abs(M), -2), -1);
  else if (ord === -1) r = min(sum(abs(M), -2), -1);
  else if (ord === Infinity) r = max(sum(abs(M), -1), -1);
  else r = min(sum(abs(M), -1), -1);
  return keepdim ? reshape(r, keptShape(A.shape, [d0, d1])) : r;
}

/**
 * torch.linalg.norm: a vector norm when `dim` is one dim, a matrix norm when it is two; with
 * no dim, the 2-norm of all elements when ord is not given, else a vector norm of a 1-D input
 * or a matrix norm of a 2-D one.
 * @example tn.linalg.norm([[1, 2], [3, 4]], 'nuc')
 */
export function norm(xin: TensorLike, ord?: MatrixOrd, dim?: number | readonly number[] | null, keepdim = false): Tensor {
  const op = 'norm';
  const x = floatArg(op, 'x', xin);
  const dims = dim === undefined || dim === null ? null : typeof dim === 'number' ? [dim] : [...dim];
  if (dims !== null && dims.length === 2) return matrixNorm(x, ord ?? 'fro', dims as [number, number], keepdim);
  if (dims !== null && dims.length !== 1) throw new TensileError(op, `argument 'dim' must be one dim or two, got ${fmtShape(dims)}`);
  if (dims === null && ord !== undefined) {
    if (x.rank === 2) return matrixNorm(x, ord, [-2, -1], keepdim);
    if (x.rank !== 1) throw new TensileError(op, `with 'ord' and no 'dim' the input must be 1-D or 2-D, got shape ${fmtShape(x.shape)}`);
  }
  if (typeof ord === 'string') throw new TensileError(op, `ord '${ord}' is a matrix norm: give two dims or a 2-D input`);
  return vectorNorm(x, ord ?? 2, dims, keepdim);
}

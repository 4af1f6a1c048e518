/**
 * trace, outer and kron: compositions of ops (views, broadcasting multiplies, sums), so they
 * are differentiable and run on every device, webgpu included.
 */
import { TensileError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { type TensorLike, mul, reshape, sum, toTensor, unsqueeze } from '../ops/index.js';
import { diagonal } from './batch.js';

/**
 * The sum of the main diagonal of the last two dims (batched; non-square allowed).
 * @example tn.linalg.trace([[1, 2], [3, 4]]) // 5
 */
export function trace(Ain: TensorLike): Tensor {
  const A = toTensor('trace', 'A', Ain);
  if (A.rank < 2) throw new TensileError('trace', `argument 'A' must have at least 2 dims, got shape ${fmtShape(A.shape)}`);
  return sum(diagonal(A), -1);
}

/**
 * The outer product a·bᵀ of vectors: [m] and [n] give [m, n]; leading dims broadcast as a
 * batch ([..., m] and [..., n] give [..., m, n]).
 * @example tn.linalg.outer([1, 2], [3, 4, 5]) // [[3, 4, 5], [6, 8, 10]]
 */
export function outer(ain: TensorLike, bin: TensorLike): Tensor {
  const a = toTensor('outer', 'a', ain), b = toTensor('outer', 'b', bin);
  if (a.rank < 1 || b.rank < 1) throw new TensileError('outer', `arguments must be vectors (rank >= 1), got shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  return mul(unsqueeze(a, -1), unsqueeze(b, -2));
}

/**
 * The Kronecker product, as torch.kron: for inputs padded to the same rank with leading 1s,
 * out[i·q + j] = a[i]·b[j] along every dim (so [m, n] ⊗ [p, q] is [m·p, n·q]).
 * @example tn.linalg.kron(tn.eye(2), [[1, 2], [3, 4]]) // block diagonal 4×4
 */
export function kron(ain: TensorLike, bin: TensorLike): Tensor {
  const a = toTensor('kron', 'a', ain), b = toTensor('kron', 'b', bin);
  const r = Math.max(a.rank, b.rank);
  const sa = [...new Array<number>(r - a.rank).fill(1), ...a.shape];
  const sb = [...new Array<number>(r - b.rank).fill(1), ...b.shape];
  // a as [a0, 1, a1, 1, ...] times b as [1, b0, 1, b1, ...], then merge each pair of dims.
  const ai = reshape(a, sa.flatMap((d) => [d, 1]));
  const bi = reshape(b, sb.flatMap((d) => [1, d]));
  return reshape(mul(ai, bi), sa.map((d, i) => d * sb[i]));
}

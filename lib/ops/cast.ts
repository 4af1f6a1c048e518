/** Copies that change layout or dtype: cast, contiguous, clone. */
import { type DType, checkDType, isFloat } from '../dtype.js';
import type { Tensor } from '../tensor.js';
import { type TensorLike, empty, record, toTensor } from './define.js';

function copyOp(op: string, x: Tensor, dtype: DType): Tensor {
  const out = empty(x.backend, x.shape, dtype);
  x.backend.copy(x.view(op), out.view(op));
  return record(out, op, [x], (g) => [isFloat(x.dtype) ? cast(g, x.dtype) : null]);
}

/**
 * Converts to another dtype (float → int32 truncates toward zero; → bool means non-zero).
 * Returns x itself when the dtype already matches.
 * @example tn.tensor([1.7, -1.7]).cast('int32') // [1, -1]
 */
export function cast(xin: TensorLike, dtype: DType): Tensor {
  const x = toTensor('cast', 'x', xin);
  const d = checkDType('cast', 'dtype', dtype);
  return x.dtype === d ? x : copyOp('cast', x, d);
}

/** x itself when already contiguous, else a contiguous copy. */
export function contiguous(xin: TensorLike): Tensor {
  const x = toTensor('contiguous', 'x', xin);
  return x.isContiguous ? x : copyOp('contiguous', x, x.dtype);
}

/** A contiguous copy with its own storage (gradients flow through it). */
export function clone(xin: TensorLike): Tensor {
  const x = toTensor('clone', 'x', xin);
  return copyOp('clone', x, x.dtype);
}

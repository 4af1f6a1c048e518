/** Fused softmax and log-softmax; their backward is written with ops (differentiable again). */
import { isFloat } from '../dtype.js';
import { TensileError } from '../errors.js';
import { normalizeAxis } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { type TensorLike, empty, record, toTensor } from './define.js';
import { exp, mul, sub } from './elementwise.js';
import { sum } from './reduce.js';

function fused(op: 'softmax' | 'logSoftmax', xin: TensorLike, axis: number): { x: Tensor; out: Tensor; a: number } {
  const x = toTensor(op, 'x', xin);
  if (!isFloat(x.dtype)) throw new TensileError(op, `needs a float tensor, got ${x.dtype}; cast first`);
  const a = normalizeAxis(op, axis, Math.max(x.rank, 1));
  const out = empty(x.backend, x.shape, x.dtype);
  if (x.rank === 0) {
    x.backend.fill(out.view(op), op === 'softmax' ? 1 : 0);
  } else {
    x.backend[op](x.view(op), a, out.view(op));
  }
  return { x, out, a };
}

/**
 * exp(x) / sum(exp(x)) along an axis (default last), stable for large |x|.
 * @example tn.softmax(logits, -1)
 */
export function softmax(xin: TensorLike, axis = -1): Tensor {
  const { x, out, a } = fused('softmax', xin, axis);
  // dx = y * (g - sum(g * y)); y is this op's output, so the rule differentiates again.
  return record(out, 'softmax', [x], (g) => [mul(out, sub(g, sum(mul(g, out), x.rank ? a : [], true)))]);
}

/** x - logsumexp(x) along an axis (default last). */
export function logSoftmax(xin: TensorLike, axis = -1): Tensor {
  const { x, out, a } = fused('logSoftmax', xin, axis);
  return record(out, 'logSoftmax', [x], (g) => [sub(g, mul(exp(out), sum(g, x.rank ? a : [], true)))]);
}

/**
 * Reductions over any axes with keepdims. sum/prod/max/min/argmax/argmin are kernels; mean,
 * var, std and logsumexp are compositions, so their gradients come for free.
 */
import type { ReduceOp } from '../backends/backend.js';
import { type DType, isFloat } from '../dtype.js';
import { TensileError, fmtShape } from '../errors.js';
import { normalizeAxes, normalizeAxis } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { type TensorLike, empty, record, toTensor } from './define.js';
import { noGrad } from '../autograd/mode.js';
import { add, div, eq, exp, logicalAnd, mul, sqrt, sub, where, abs, log, ne } from './elementwise.js';
import { cast } from './cast.js';
import { expand, reshape } from './shape.js';

export type Axes = number | readonly number[] | null | undefined;

function keptShape(shape: readonly number[], axes: readonly number[], keepdims: boolean): number[] {
  const out: number[] = [];
  shape.forEach((d, i) => {
    if (!axes.includes(i)) out.push(d);
    else if (keepdims) out.push(1);
  });
  return out;
}

/** Runs a reduce kernel; returns the output with keepdims applied. */
function reduceKernel(op: ReduceOp, x: Tensor, axes: readonly number[], keepdims: boolean, dtype: DType): Tensor {
  const reducedEmpty = axes.some((a) => x.shape[a] === 0);
  const outShape = keptShape(x.shape, axes, false);
  if (reducedEmpty && (op === 'max' || op === 'min' || op === 'argmax' || op === 'argmin') && outShape.every((d) => d > 0)) {
    throw new TensileError(op, `cannot reduce over an empty axis (shape ${fmtShape(x.shape)}, axes ${fmtShape(axes)}): there is no identity for ${op}`);
  }
  const out = empty(x.backend, outShape, dtype);
  x.backend.reduce(op, x.view(op), axes, out.view(op));
  return keepdims ? reshape(out, keptShape(x.shape, axes, true)) : out;
}

/** Expands a reduced gradient back over the reduced axes. */
function unreduce(g: Tensor, shape: readonly number[], axes: readonly number[], keepdims: boolean): Tensor {
  const kshape = keptShape(shape, axes, true);
  return expand(keepdims ? g : reshape(g, kshape), shape);
}

/**
 * Sum over axes (all when omitted). Integer and bool inputs sum to int32.
 * @example x.sum(1, true)
 */
export function sum(xin: TensorLike, axis?: Axes, keepdims = false): Tensor {
  const x = toTensor('sum', 'x', xin);
  const axes = normalizeAxes('sum', axis, x.rank);
  const out = reduceKernel('sum', x, axes, keepdims, isFloat(x.dtype) ? x.dtype : 'int32');
  return record(out, 'sum', [x], (g) => [unreduce(g, x.shape, axes, keepdims)]);
}

/** Product over axes; the gradient is exact with zeros present. */
export function prod(xin: TensorLike, axis?: Axes, keepdims = false): Tensor {
  const x = toTensor('prod', 'x', xin);
  const axes = normalizeAxes('prod', axis, x.rank);
  const out = reduceKernel('prod', x, axes, keepdims, isFloat(x.dtype) ? x.dtype : 'int32');
  return record(out, 'prod', [x], (g) => {
    // d prod / d x_i = prod_{j != i} x_j: out / x_i away from zeros; at a zero it is the
    // product of the others when that zero is the only one in its slice, else 0.
    const isZero = eq(x, 0);
    const others = prod(where(isZero, 1, x), axes, true);
    const zeros = sum(isZero, axes, true);
    const outK = unreduce(keepdims ? out : reshape(out, keptShape(x.shape, axes, true)), x.shape, axes, true);
    // With two zeros in a slice, d/dz1 = z2 * others is 0 in value but not in its own
    // derivative, so it is written with z2 (= the slice's zero sum minus z1) to stay exact
    // to second order.
    const zsum = sum(where(isZero, x, 0), axes, true);
    const atZero = mul(others, where(eq(zeros, 1), 1, where(eq(zeros, 2), sub(zsum, x), 0)));
    const local = where(isZero, atZero, div(outK, where(isZero, 1, x)));
    return [mul(unreduce(g, x.shape, axes, keepdims), local)];
  });
}

function extreme(op: 'max' | 'min', xin: TensorLike, axis: Axes, keepdims: boolean): Tensor {
  const x = toTensor(op, 'x', xin);
  const axes = normalizeAxes(op, axis, x.rank);
  const out = reduceKernel(op, x, axes, keepdims, x.dtype);
  return record(out, op, [x], (g) => {
    // Ties share the gradient evenly, as torch.amax does.
    const outK = unreduce(keepdims ? out : reshape(out, keptShape(x.shape, axes, true)), x.shape, axes, true);
    const mask = cast(eq(x, outK), x.dtype);
    const count = sum(mask, axes, true);
    return [mul(unreduce(g, x.shape, axes, keepdims), div(mask, count))];
  });
}

/** Maximum over axes (values only, NaN-propagating). */
export const max = (x: TensorLike, axis?: Axes, keepdims = false) => extreme('max', x, axis, keepdims);
/** Minimum over axes (values only, NaN-propagating). */
export const min = (x: TensorLike, axis?: Axes, keepdims = false) => extreme('min', x, axis, keepdims);

function argExtreme(op: 'argmax' | 'argmin', xin: TensorLike, axis: number | null | undefined, keepdims: boolean): Tensor {
  const x = toTensor(op, 'x', xin);
  if (axis === undefined || axis === null) {
    const flat = reshape(x, [x.size]);
    const r = reduceKernel(op, flat, [0], false, 'int32');
    return keepdims ? reshape(r, x.shape.map(() => 1)) : r;
  }
  const a = normalizeAxis(op, axis, x.rank);
  if (x.rank === 0) return reduceKernel(op, reshape(x, [1]), [0], false, 'int32');
  return reduceKernel(op, x, [a], keepdims, 'int32');
}

/** Index (int32) of the first maximum along an axis, or in the flattened tensor. */
export const argmax = (x: TensorLike, axis?: number | null, keepdims = false) => argExtreme('argmax', x, axis, keepdims);
export const argmin = (x: TensorLike, axis?: number | null, keepdims = false) => argExtreme('argmin', x, axis, keepdims);

function requireFloat(op: string, x: Tensor): void {
  if (!isFloat(x.dtype)) {
    throw new TensileError(op, `needs a float tensor, got ${x.dtype}; cast first, e.g. x.cast('float32')`);
  }
}

/** Mean over axes (float tensors; the mean of nothing is NaN). */
export function mean(xin: TensorLike, axis?: Axes, keepdims = false): Tensor {
  const x = toTensor('mean', 'x', xin);
  requireFloat('mean', x);
  const axes = normalizeAxes('mean', axis, x.rank);
  let n = 1;
  for (const a of axes) n *= x.shape[a];
  return div(sum(x, axes, keepdims), n);
}

/**
 * Variance over axes with Bessel's correction by default (correction = 1, as PyTorch).
 * @example x.var(0, false, 0) // population variance
 */
export function variance(xin: TensorLike, axis?: Axes, keepdims = false, correction = 1): Tensor {
  const x = toTensor('var', 'x', xin);
  requireFloat('var', x);
  const axes = normalizeAxes('var', axis, x.rank);
  let n = 1;
  for (const a of axes) n *= x.shape[a];
  const d = sub(x, mean(x, axes, true));
  return div(sum(mul(d, d), axes, keepdims), Math.max(n - correction, 0));
}

/** Standard deviation: sqrt(var). */
export function std(xin: TensorLike, axis?: Axes, keepdims = false, correction = 1): Tensor {
  return sqrt(variance(xin, axis, keepdims, correction));
}

/**
 * log(sum(exp(x))) over axes, shifted by the (detached) max so ±1000 is exact.
 * @example tn.logsumexp(logits, -1)
 */
export function logsumexp(xin: TensorLike, axis?: Axes, keepdims = false): Tensor {
  const x = toTensor('logsumexp', 'x', xin);
  requireFloat('logsumexp', x);
  const axes = normalizeAxes('logsumexp', axis, x.rank);
  if (x.size === 0) return log(sum(exp(x), axes, keepdims));
  // The shift is a constant for the gradient; an infinite max shifts by 0 (PyTorch's rule).
  const m = noGrad(() => {
    const mx = max(x, axes, true);
    return where(eq(abs(mx), Infinity), 0, mx);
  });
  const s = log(sum(exp(sub(x, m)), axes, true));
  const r = add(s, m);
  return keepdims ? r : reshape(r, keptShape(x.shape, axes, false));
}

/**
 * Sums a broadcast gradient back to `shape`: over the leading dims it gained and the dims
 * where `shape` has 1.
 */
export function sumTo(g: Tensor, shape: readonly number[]): Tensor {
  if (g.shape.length === shape.length && g.shape.every((d, i) => d === shape[i])) return g;
  const lead = g.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.rank; i++) if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  const s = sum(g, axes, true);
  return reshape(s, shape);
}

export { logicalAnd, ne };

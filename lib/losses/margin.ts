/**
 * Margin losses with Keras semantics (keras.losses.hinge, squared_hinge): the loss of a
 * sample is the mean over the LAST axis of max(1 - t * x, 0) (squared for squaredHinge), and
 * `reduction` then combines the per-sample values (shape input.shape[:-1]). Targets are -1 or
 * 1; when every target is 0 or 1 they are mapped to -1 / 1 first, as Keras does.
 */
import type { Tensor } from '../tensor.js';
import {
  type TensorLike, clamp, eq, logicalNot, logicalOr, mean, mul, square, sub, sum, where,
} from '../ops/index.js';
import { type Reduction, checkInput, checkOptions, elementwiseTarget, reduce } from './arguments.js';

export interface MarginOptions {
  /** Applied to the per-sample losses: 'mean' (default), 'sum' or 'none' (shape input.shape[:-1]). */
  reduction?: Reduction;
}

/** Keras's _maybe_convert_labels: 2t - 1 when all targets are 0 or 1, else t. Decided on the device (no read-back). */
function signedLabels(t: Tensor): Tensor {
  const allBinary = eq(sum(logicalNot(logicalOr(eq(t, 0), eq(t, 1)))), 0);
  return where(allBinary, sub(mul(t, 2), 1), t);
}

/** max(1 - t x, 0) elementwise. clamp passes the gradient at the kink (as tf.maximum and torch.clamp). */
function margin(loss: string, input: Tensor, target: TensorLike): Tensor {
  const x = checkInput(loss, 'input', input);
  const t = signedLabels(elementwiseTarget(loss, x, target));
  return clamp(sub(1, mul(t, x)), 0);
}

/** Mean over the last axis (a 0-d input is its own sample). */
function perSample(m: Tensor): Tensor {
  return m.rank === 0 ? m : mean(m, -1);
}

/**
 * Hinge loss for labels in {-1, 1} (or {0, 1}): mean over the last axis of max(1 - t x, 0).
 * @example tn.losses.hinge(scores, tn.tensor([[1, -1, 1]]))
 */
export function hinge(input: Tensor, target: TensorLike, opts?: MarginOptions): Tensor {
  const reduction = checkOptions('hinge', opts, []);
  return reduce(perSample(margin('hinge', input, target)), reduction);
}

/**
 * Squared hinge: mean over the last axis of max(1 - t x, 0)^2.
 * @example tn.losses.squaredHinge(scores, labels01)
 */
export function squaredHinge(input: Tensor, target: TensorLike, opts?: MarginOptions): Tensor {
  const reduction = checkOptions('squaredHinge', opts, []);
  return reduce(perSample(square(margin('squaredHinge', input, target))), reduction);
}

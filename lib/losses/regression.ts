/**
 * Regression losses: mse, l1, huber (torch.nn.functional.mse_loss, l1_loss, huber_loss).
 * input and target must have the same shape (PyTorch broadcasts them with a warning that the
 * result is probably wrong; here a mismatch is an error).
 */
import type { Tensor } from '../tensor.js';
import { type TensorLike, abs, lt, mul, square, sub, where } from '../ops/index.js';
import { type Reduction, checkInput, checkOptions, elementwiseTarget, numberOption, reduce } from './arguments.js';

export interface LossOptions {
  /** 'mean' (default) averages over every element, 'sum' adds, 'none' keeps the input's shape. */
  reduction?: Reduction;
}

export interface HuberOptions extends LossOptions {
  /** Where the loss turns from quadratic to linear (> 0). Default 1. */
  delta?: number;
}

function pair(loss: string, input: Tensor, target: TensorLike): [Tensor, Tensor] {
  const x = checkInput(loss, 'input', input);
  return [x, elementwiseTarget(loss, x, target)];
}

/**
 * Mean squared error, (input - target)^2 reduced.
 * @example tn.losses.mse(pred, y)                        // scalar
 * @example tn.losses.mse(pred, y, { reduction: 'none' }) // pred's shape
 */
export function mse(input: Tensor, target: TensorLike, opts?: LossOptions): Tensor {
  const reduction = checkOptions('mse', opts, []);
  const [x, t] = pair('mse', input, target);
  return reduce(square(sub(x, t)), reduction);
}

/**
 * Mean absolute error, |input - target| reduced (the gradient at 0 is 0, as in PyTorch).
 * @example tn.losses.l1(pred, y, { reduction: 'sum' })
 */
export function l1(input: Tensor, target: TensorLike, opts?: LossOptions): Tensor {
  const reduction = checkOptions('l1', opts, []);
  const [x, t] = pair('l1', input, target);
  return reduce(abs(sub(x, t)), reduction);
}

/**
 * Huber loss: 0.5 d^2 where |d| < delta, else delta (|d| - 0.5 delta), with d = input - target.
 * @example tn.losses.huber(pred, y, { delta: 0.5 })
 */
export function huber(input: Tensor, target: TensorLike, opts?: HuberOptions): Tensor {
  const reduction = checkOptions('huber', opts, ['delta']);
  const delta = numberOption('huber', 'delta', opts?.delta, 1, (v) => v > 0, 'a positive number');
  const [x, t] = pair('huber', input, target);
  const d = sub(x, t);
  const a = abs(d);
  // Both branches meet with equal value and slope at |d| = delta, so the choice there is moot.
  return reduce(where(lt(a, delta), mul(square(d), 0.5), mul(sub(a, 0.5 * delta), delta)), reduction);
}

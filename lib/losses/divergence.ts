/** Kullback-Leibler divergence (torch.nn.functional.kl_div): the input is log-probabilities. */
import { TensileError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { type TensorLike, div, eq, exp, log, mul, sub, sum, where } from '../ops/index.js';
import { checkInput, checkOptions, elementwiseTarget, reduce } from './arguments.js';

export interface KlDivOptions {
  /**
   * 'mean' (default, as PyTorch: the mean over every element, which is not the KL divergence
   * of a batch), 'batchmean' (the sum divided by the batch size input.shape[0]: the true KL
   * per sample), 'sum' or 'none'.
   */
  reduction?: 'mean' | 'batchmean' | 'sum' | 'none';
  /** The target is log-probabilities too. Default false. */
  logTarget?: boolean;
}

/** t log t, defined as 0 at t = 0 (torch.xlogy(t, t)); the log never sees a zero. */
function xlogx(t: Tensor): Tensor {
  return mul(t, log(where(eq(t, 0), 1, t)));
}

/**
 * Pointwise KL divergence target * (log target - input), summed as `reduction` says.
 * @example tn.losses.klDiv(tn.logSoftmax(logits, 1), probs, { reduction: 'batchmean' })
 */
export function klDiv(input: Tensor, target: TensorLike, opts?: KlDivOptions): Tensor {
  const loss = 'klDiv';
  const reduction = checkOptions(loss, opts, ['logTarget'], ['mean', 'batchmean', 'sum', 'none'] as const);
  const logTarget = opts?.logTarget ?? false;
  if (typeof logTarget !== 'boolean') throw new TensileError(loss, `option 'logTarget' must be a boolean, got ${String(logTarget)}`);
  const x = checkInput(loss, 'input', input);
  const t = elementwiseTarget(loss, x, target);
  const pointwise = logTarget ? mul(exp(t), sub(t, x)) : sub(xlogx(t), mul(t, x));
  if (reduction !== 'batchmean') return reduce(pointwise, reduction);
  // PyTorch divides by input.size(0), and leaves a 0-d input's sum as it is.
  if (x.rank === 0) return sum(pointwise);
  if (x.shape[0] === 0) throw new TensileError(loss, `reduction 'batchmean' needs a non-empty batch, got input of shape ${fmtShape(x.shape)}`);
  return div(sum(pointwise), x.shape[0]);
}

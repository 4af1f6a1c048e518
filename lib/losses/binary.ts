/**
 * Binary cross-entropy on probabilities (torch binary_cross_entropy) and on logits
 * (torch binary_cross_entropy_with_logits). Target and input have the same shape.
 */
import { noGrad } from '../autograd/mode.js';
import { promoteTypes } from '../dtype.js';
import { TensileError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor.js';
import {
  type TensorLike, abs, add, cast, div, exp, expand, log, log1p, maximum, mul, neg, record, sub,
} from '../ops/index.js';
import { type Reduction, broadcastWeight, checkInput, checkOptions, elementwiseTarget, reduce } from './arguments.js';

export interface BceOptions {
  reduction?: Reduction;
  /** Rescales each element's loss; broadcasts to the input's shape. */
  weight?: TensorLike;
}

export interface BceWithLogitsOptions extends BceOptions {
  /** Weight of the positive term (per class, broadcast to the input's shape), as torch's pos_weight. */
  posWeight?: TensorLike;
}

/** log(x) clamped below at -100, as PyTorch does so that p = 0 or 1 gives a finite loss. */
function clampedLog(x: Tensor): Tensor {
  return maximum(log(x), -100);
}

/** -(t log x + (1 - t) log(1 - x)) with both logs clamped at -100. */
function bceTerms(x: Tensor, t: Tensor): Tensor {
  return neg(add(mul(t, clampedLog(x)), mul(sub(1, t), clampedLog(sub(1, x)))));
}

/**
 * PyTorch reads the input on CPU and rejects probabilities outside [0, 1]; so do js and cpu.
 * On webgpu the values are not read back, so the check is skipped.
 */
function checkProbabilities(x: Tensor): void {
  if (x.device === 'webgpu') return;
  const d = x.dataSync();
  for (let i = 0; i < d.length; i++) {
    if (!(d[i] >= 0 && d[i] <= 1)) {
      throw new TensileError('binaryCrossEntropy', `argument 'input' must hold probabilities in [0, 1], got ${d[i]} at flat position ${i} (input ${fmtShape(x.shape)}); for logits use bceWithLogits`);
    }
  }
}

/**
 * Binary cross-entropy of probabilities `input` against `target` (in [0, 1]):
 * -w (t log x + (1 - t) log(1 - x)), each log clamped at -100 as in PyTorch. On js and cpu an
 * input outside [0, 1] (or NaN) throws, as PyTorch's; on webgpu that check is skipped.
 * @example tn.losses.binaryCrossEntropy(tn.sigmoid(logits), y)
 */
export function binaryCrossEntropy(input: Tensor, target: TensorLike, opts?: BceOptions): Tensor {
  const loss = 'binaryCrossEntropy';
  const reduction = checkOptions(loss, opts, ['weight']);
  const x0 = checkInput(loss, 'input', input);
  const t0 = elementwiseTarget(loss, x0, target);
  const w0 = broadcastWeight(loss, 'weight', opts?.weight, x0, x0.shape);
  checkProbabilities(x0);
  const d = promoteTypes(promoteTypes(x0.dtype, t0.dtype), w0 ? w0.dtype : x0.dtype);
  const x = cast(x0, d), t = cast(t0, d);
  const w = w0 ? expand(cast(w0, d), x.shape) : null;
  const out = noGrad(() => (w ? mul(bceTerms(x, t), w) : bceTerms(x, t)));
  // The backward is PyTorch's, not the derivative of the clamped composition: it divides by
  // max(x (1 - x), 1e-12), so p at or near 0 and 1 gives a large finite gradient (the
  // composition would give 0 * inf = NaN at exactly 0 and 1, and overflow to inf near them).
  // Written with ops, so it differentiates again.
  const inputs = w ? [x, t, w] : [x, t];
  const elementwise = record(out, loss, inputs, (g) => {
    const gw = w ? mul(g, w) : g;
    return [
      x.requiresGrad ? mul(gw, div(sub(x, t), maximum(mul(x, sub(1, x)), 1e-12))) : null,
      // d/dt is log(1 - x) - log(x), both clamped: the derivative of the forward as computed.
      t.requiresGrad ? mul(gw, sub(clampedLog(sub(1, x)), clampedLog(x))) : null,
      w && w.requiresGrad ? mul(g, bceTerms(x, t)) : null,
    ];
  });
  return reduce(elementwise, reduction);
}

/**
 * Binary cross-entropy on logits, stable for any |input|:
 * max(x, 0) - x t + log(1 + exp(-|x|)), and with posWeight p:
 * (1 - t) x + (1 + (p - 1) t) (log(1 + exp(-|x|)) + max(-x, 0)).
 * @example tn.losses.bceWithLogits(logits, y, { posWeight: tn.tensor([3]) })
 */
export function bceWithLogits(input: Tensor, target: TensorLike, opts?: BceWithLogitsOptions): Tensor {
  const loss = 'bceWithLogits';
  const reduction = checkOptions(loss, opts, ['weight', 'posWeight']);
  const x = checkInput(loss, 'input', input);
  const t = elementwiseTarget(loss, x, target);
  const w = broadcastWeight(loss, 'weight', opts?.weight, x, x.shape);
  const pw = broadcastWeight(loss, 'posWeight', opts?.posWeight, x, x.shape);
  // log(1 + e^-|x|) never exponentiates a positive number. maximum (not relu) on purpose:
  // ties split the gradient, so at x = 0 it is 1/2 - t = sigmoid(0) - t, as PyTorch's.
  const softplusNegAbs = log1p(exp(neg(abs(x))));
  let l: Tensor;
  if (pw) {
    const logWeight = add(mul(sub(pw, 1), t), 1);
    l = add(mul(sub(1, t), x), mul(logWeight, add(softplusNegAbs, maximum(neg(x), 0))));
  } else {
    l = add(sub(maximum(x, 0), mul(x, t)), softplusNegAbs);
  }
  if (w) l = mul(l, w);
  return reduce(l, reduction);
}

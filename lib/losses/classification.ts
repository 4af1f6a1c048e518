/**
 * Multi-class losses: nll (torch nll_loss) on log-probabilities and crossEntropy (torch
 * cross_entropy) on logits. Inputs are [C] (one sample), [N, C] or [N, C, d1, ...] with the
 * classes on axis 1; class-index targets are int32 of shape [], [N] or [N, d1, ...].
 * On js and cpu the labels are read back and checked to lie in [0, C) (or equal ignoreIndex);
 * on webgpu that check is skipped (a read-back would stall the queue), and an out-of-range
 * label gives an undefined result.
 */
import { isFloat } from '../dtype.js';
import { TensileError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor.js';
import {
  type TensorLike, add, cast, div, eq, gather, indexSelect, logSoftmax, logicalNot, mul, neg, reshape, squeeze, sum, unsqueeze, where,
} from '../ops/index.js';
import {
  type Reduction, checkInput, checkLabelRange, checkOptions, classWeight, labelsArg, numberOption, sameShape,
} from './arguments.js';

export interface NllOptions {
  /** 'mean' (default): the weighted mean over samples whose label is not ignoreIndex. */
  reduction?: Reduction;
  /** Per-class weight of shape [C]. */
  weight?: TensorLike;
  /** Samples with this label add nothing to the loss or its gradient. Default -100. */
  ignoreIndex?: number;
}

export interface CrossEntropyOptions extends NllOptions {
  /** Mixes the target with the uniform distribution: (1 - s) target + s / C. Default 0. */
  labelSmoothing?: number;
}

const INT32_MIN = -(2 ** 31), INT32_MAX = 2 ** 31 - 1;

function ignoreIndexOption(loss: string, v: unknown): number {
  return numberOption(loss, 'ignoreIndex', v, -100, (x) => Number.isInteger(x) && x >= INT32_MIN && x <= INT32_MAX, 'an int32 integer');
}

/** The input as [N, C, ...] and the labels as [N, ...] (a [C] input is one sample). */
function batched(loss: string, x: Tensor, t: Tensor): { x: Tensor; t: Tensor; unbatched: boolean } {
  if (t.dtype !== 'int32') {
    throw new TensileError(loss, `argument 'target' must hold int32 class indices, got ${t.dtype} of shape ${fmtShape(t.shape)} ` +
      `(input ${fmtShape(x.shape)})` + (isFloat(t.dtype) ? "; cast with .cast('int32'), or give class probabilities of the input's shape" : ''));
  }
  const want = x.rank === 1 ? [] : [x.shape[0], ...x.shape.slice(2)];
  if (!sameShape(t.shape, want)) {
    throw new TensileError(loss, `argument 'target' of shape ${fmtShape(t.shape)} does not fit 'input' of shape ${fmtShape(x.shape)}: ` +
      `class indices need shape ${fmtShape(want)} (the input's shape without the class axis ${x.rank === 1 ? 0 : 1})`);
  }
  return x.rank === 1 ? { x: unsqueeze(x, 0), t: reshape(t, [1]), unbatched: true } : { x, t, unbatched: false };
}

function checkRank(loss: string, x: Tensor): void {
  if (x.rank === 0) throw new TensileError(loss, `argument 'input' must have a class axis: shape [C], [N, C] or [N, C, d1, ...], got []`);
}

/**
 * The picked log-probabilities: per-sample loss -w[t] logp[t] and weight w[t], both 0 where
 * the label is ignoreIndex. logp is [N, C, ...], t int32 [N, ...].
 */
function picked(logp: Tensor, t: Tensor, weight: Tensor | null, ignoreIndex: number) {
  const ignored = eq(t, ignoreIndex);
  // Ignored labels may lie outside [0, C): gather a valid class there and mask it out.
  const safe = where(ignored, 0, t);
  const logpT = squeeze(gather(logp, 1, unsqueeze(safe, 1)), 1);
  const keep = cast(logicalNot(ignored), logp.dtype);
  const w = weight ? mul(reshape(indexSelect(weight, 0, reshape(safe, [-1])), safe.shape), keep) : keep;
  return { loss: neg(mul(logpT, w)), weight: w, ignored };
}

/**
 * mean = sum of losses / sum of the weights of the samples that count, as PyTorch. With no
 * weight left (every label ignored) the loss is NaN and the gradient 0, as PyTorch's: the
 * NaN is a constant branch of a where, so no 0 * inf reaches the gradient.
 */
function reduceWeighted(loss: Tensor, weight: Tensor, reduction: Reduction): Tensor {
  if (reduction === 'none') return loss;
  if (reduction === 'sum') return sum(loss);
  const total = sum(weight);
  const none = eq(total, 0);
  return where(none, NaN, div(sum(loss), where(none, 1, total)));
}

/** [C] → [1, C, 1, ...] so a class weight broadcasts along axis 1 of a rank-r tensor. */
function alongClassAxis(w: Tensor, rank: number): Tensor {
  return reshape(w, [1, w.shape[0], ...new Array<number>(rank - 2).fill(1)]);
}

/**
 * Negative log-likelihood of log-probabilities `input` at the labelled classes.
 * @example tn.losses.nll(tn.logSoftmax(logits, 1), labels)
 */
export function nll(input: Tensor, target: TensorLike, opts?: NllOptions): Tensor {
  const loss = 'nll';
  const reduction = checkOptions(loss, opts, ['weight', 'ignoreIndex']);
  const ignoreIndex = ignoreIndexOption(loss, opts?.ignoreIndex);
  const x0 = checkInput(loss, 'input', input);
  checkRank(loss, x0);
  const C = x0.rank === 1 ? x0.shape[0] : x0.shape[1];
  const weight = classWeight(loss, opts?.weight, x0, C);
  const { x, t, unbatched } = batched(loss, x0, labelsArg(loss, target, x0));
  checkLabelRange(loss, t, C, ignoreIndex, x0.shape);
  const p = picked(x, t, weight, ignoreIndex);
  const out = reduceWeighted(p.loss, p.weight, reduction);
  return unbatched && reduction === 'none' ? reshape(out, []) : out;
}

/**
 * Cross-entropy of logits `input` against int32 class indices (shape [N] or [N, d1, ...]) or
 * class probabilities (a float target of the input's shape), as torch.nn.functional.cross_entropy.
 * Uses the fused, max-shifted logSoftmax, so logits of ±1000 are exact.
 * @example tn.losses.crossEntropy(logits, labels, { labelSmoothing: 0.1 })
 */
export function crossEntropy(input: Tensor, target: TensorLike, opts?: CrossEntropyOptions): Tensor {
  const loss = 'crossEntropy';
  const reduction = checkOptions(loss, opts, ['weight', 'ignoreIndex', 'labelSmoothing']);
  const ignoreIndex = ignoreIndexOption(loss, opts?.ignoreIndex);
  const smoothing = numberOption(loss, 'labelSmoothing', opts?.labelSmoothing, 0, (v) => v >= 0 && v <= 1, 'a number in [0, 1]');
  const x0 = checkInput(loss, 'input', input);
  checkRank(loss, x0);
  const C = x0.rank === 1 ? x0.shape[0] : x0.shape[1];
  const weight = classWeight(loss, opts?.weight, x0, C);
  const t0 = labelsArg(loss, target, x0);
  if (sameShape(t0.shape, x0.shape)) return probabilityCrossEntropy(x0, t0, weight, ignoreIndex, smoothing, reduction);

  const { x, t, unbatched } = batched(loss, x0, t0);
  checkLabelRange(loss, t, C, ignoreIndex, x0.shape);
  const logp = logSoftmax(x, 1);
  const p = picked(logp, t, weight, ignoreIndex);
  let out = reduceWeighted(p.loss, p.weight, reduction);
  if (smoothing > 0) {
    // PyTorch's form: (1 - s) nll + (s / C) * (-sum_c w_c logp_c), the second term masked and
    // normalised like the first.
    const all = neg(sum(weight ? mul(logp, alongClassAxis(weight, logp.rank)) : logp, 1));
    const smooth = reduceWeighted(where(p.ignored, 0, all), p.weight, reduction);
    out = add(mul(out, 1 - smoothing), mul(smooth, smoothing / C));
  }
  return unbatched && reduction === 'none' ? reshape(out, []) : out;
}

/** Soft targets: -sum_c w_c q_c logp_c per sample; 'mean' divides by the sample count. */
function probabilityCrossEntropy(x: Tensor, q0: Tensor, weight: Tensor | null, ignoreIndex: number, smoothing: number, reduction: Reduction): Tensor {
  const loss = 'crossEntropy';
  if (!isFloat(q0.dtype)) {
    throw new TensileError(loss, `argument 'target' has the input's shape ${fmtShape(x.shape)}, so it is read as class probabilities and must be float, got ${q0.dtype}`);
  }
  if (ignoreIndex >= 0) {
    throw new TensileError(loss, `option 'ignoreIndex' (${ignoreIndex}) applies to class indices, not to probability targets of shape ${fmtShape(q0.shape)}`);
  }
  const axis = x.rank === 1 ? 0 : 1;
  const C = x.shape[axis];
  const logp = logSoftmax(x, axis);
  const q = smoothing > 0 ? add(mul(q0, 1 - smoothing), smoothing / C) : q0;
  let terms = mul(logp, q);
  if (weight) terms = mul(terms, x.rank === 1 ? weight : alongClassAxis(weight, x.rank));
  const perSample = neg(sum(terms, axis));
  if (reduction === 'none') return perSample;
  if (reduction === 'sum') return sum(perSample);
  return div(sum(perSample), C === 0 ? 0 : x.size / C);
}

/**
 * tn.losses: functional losses with PyTorch's argument order `(input, target, opts?)`,
 * semantics and defaults (hinge and squaredHinge follow Keras). Each is a composition of ops,
 * so gradients come from autograd and work on every backend.
 * @example
 * const loss = tn.losses.crossEntropy(logits, labels, { labelSmoothing: 0.1 });
 * loss.backward();
 */
export type { Reduction } from './arguments.js';
export { mse, l1, huber, type LossOptions, type HuberOptions } from './regression.js';
export { binaryCrossEntropy, bceWithLogits, type BceOptions, type BceWithLogitsOptions } from './binary.js';
export { crossEntropy, nll, type CrossEntropyOptions, type NllOptions } from './classification.js';
export { klDiv, type KlDivOptions } from './divergence.js';
export { hinge, squaredHinge, type MarginOptions } from './margin.js';

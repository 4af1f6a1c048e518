/**
 * tn.optim: optimizers with PyTorch's update rules and defaults, gradient clipping and
 * learning-rate schedulers.
 * @example
 * const opt = new tn.optim.Adam(model.parameters(), { lr: 1e-3 });
 * const sched = new tn.optim.CosineAnnealingLR(opt, { tMax: 100 });
 */
export { Optimizer, type OptimizerStateDict, type ParamGroup, type ParamGroupInput, type Params } from './optimizer.js';
export { SGD, type SGDOptions } from './sgd.js';
export { Adam, AdamW, type AdamOptions } from './adam.js';
export { RMSprop, type RMSpropOptions } from './rmsprop.js';
export { Adagrad, type AdagradOptions } from './adagrad.js';
export { clipGradNorm, clipGradNormAsync, clipGradValue } from './clip.js';
export { lbfgs, type LbfgsObjective, type LbfgsOptions, type LbfgsResult } from './lbfgs.js';
export {
  LRScheduler, StepLR, ExponentialLR, CosineAnnealingLR, LinearWarmup, type LinearWarmupOptions,
  ReduceLROnPlateau, type ReduceLROnPlateauOptions,
} from './schedulers.js';

/**
 * tensile: tensors with reverse-mode autograd for Node.js. This file is the whole public API.
 * @example
 * import * as tn from 'tensile';
 * const w = tn.zeros([3, 1], { requiresGrad: true });
 */
export { Tensor, type NestedArray } from './tensor.js';
// Attaches the op methods (x.add(y)) to Tensor.prototype once Tensor exists.
import './ops/methods.js';
export { TensileError } from './errors.js';
export type { DType, TypedArray } from './dtype.js';
export type { DeviceName, Backend, View, Storage } from './backends/backend.js';
export { setDefaultDevice, getDefaultDevice, availableDevices, setNumThreads, nativeInfo, initWebGPU } from './device.js';
export { tidy, keep, memory, type MemoryInfo } from './memory.js';
export { noGrad, enableGrad, isGradEnabled } from './autograd/mode.js';
export { grad, valueAndGrad } from './autograd/functional.js';
export type { BackwardOptions } from './autograd/backward.js';
export type { TensorLike, CreateOptions } from './ops/define.js';
export type { RandomOptions } from './ops/creation.js';
export type { SliceSpec } from './ops/shape.js';
export type { Axes } from './ops/reduce.js';
export {
  // creation
  tensor, zeros, ones, full, zerosLike, onesLike, fullLike, arange, linspace, eye, rand, randn, randint, manualSeed,
  // elementwise
  neg, exp, log, sqrt, rsqrt, abs, sign, sin, cos, tanh, sigmoid, relu, square, reciprocal, floor, ceil, round,
  log1p, expm1, erf, erfc, logicalNot, add, sub, mul, div, pow, maximum, minimum, eq, ne, lt, le, gt, ge, logicalAnd, logicalOr,
  where, clamp,
  // reductions
  sum, mean, prod, max, min, argmax, argmin, variance as var, std, logsumexp,
  // matmul, softmax
  matmul, matmulT, softmax, logSoftmax,
  // shape and indexing
  reshape, permute, transpose, squeeze, unsqueeze, expand, broadcastTo, flatten, slice, concat, stack, split,
  gather, indexSelect, scatterAdd,
  // dtype and copies
  cast, contiguous, clone,
  // in place
  addInPlace, subInPlace, mulInPlace, divInPlace, assign, fillInPlace,
} from './ops/index.js';
export * as data from './data/index.js';
export * as losses from './losses/index.js';
export * as optim from './optim/index.js';
export * as nn from './nn/index.js';
export * as linalg from './linalg/index.js';
export * as ml from './ml/index.js';
export * as io from './io/index.js';

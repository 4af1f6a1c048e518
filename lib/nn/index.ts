/**
 * tn.nn: layers with PyTorch's names, parameter layout and state-dict keys, plus Keras's
 * Dense. Re-exports only.
 * @example const model = new tn.nn.Sequential(new tn.nn.Linear(4, 8), new tn.nn.ReLU(), new tn.nn.Linear(8, 1));
 */
export { Module, functionalCall, type AnyModule, type StateDict, type FactoryOptions, type LoadResult } from './module.js';
export { Linear, Dense, Flatten, linear, type LinearOptions, type DenseOptions } from './linear.js';
export { ReLU, LeakyReLU, Tanh, Sigmoid, GELU, Softmax, gelu, leakyRelu, normalCdf, type ActivationName } from './activation.js';
export { Dropout, dropout, type DropoutOptions } from './dropout.js';
export { Embedding, type EmbeddingOptions } from './embedding.js';
export { LSTM, type LSTMOptions, type LSTMState, type LSTMResult } from './recurrent.js';
export { LayerNorm, BatchNorm1d, type LayerNormOptions, type BatchNormOptions } from './norm.js';
export { Sequential } from './container.js';
export * as init from './init.js';
export { History, type CompileOptions, type FitOptions, type EvaluateOptions, type PredictOptions } from './training.js';
export type { OptimizerSpec, OptimizerName, LossName, LossFunction } from './compile.js';
export type { MetricSpec, MetricName, MetricFunction } from './metrics.js';
export type { ProgressStream } from './progress.js';
export * as callbacks from './callbacks.js';

/**
 * Keras's training API on every Module: `compile`, `fit`, `evaluate`, `predict` (attached to
 * Module.prototype here, as the op methods are attached to Tensor).
 *
 * fit keeps the data on the model's device and runs each batch inside `tidy`: the rows are
 * gathered on the device, the loss and metric values of a batch are stacked into one small
 * tensor, and those are read back together a few times per epoch on webgpu (every batch on js
 * and cpu, where a read costs nothing), so the GPU never waits for the host between batches.
 */
import { TensileError, fmtShape } from '../errors.js';
import { Tensor } from '../tensor.js';
import type { DeviceName } from '../backends/backend.js';
import { keep, tidy } from '../memory.js';
import { noGrad } from '../autograd/mode.js';
import { type TensorLike, cast, reshape, slice, stack, tensor } from '../ops/index.js';
import { checkSampleCounts, permutation, takeRows } from '../data/batching.js';
import { type AnyModule, Module } from './module.js';
import {
  type AnyOptimizer, type LossFunction, type LossName, type OptimizerSpec, type ResolvedLoss,
  buildOptimizer, checkModule, checkOptimizerSpec, describe, forwardWithHead, resolveLoss,
} from './compile.js';
import { type Metric, type MetricSpec, metricName, resolveMetric } from './metrics.js';
import type { Callback, FitContext, Logs } from './callbacks.js';
import { type ProgressStream, progressLogger } from './progress.js';
import { modelDevice, modelFloat, inputTensor, hostValues, targetTensor, sameShape, inEvalMode, probeOutputShape, checkKeys, positiveInt } from './training-inputs.js';
import { predict } from './predict.js';

export interface CompileOptions {
  /** 'adam' | 'sgd' | 'rmsprop' | 'adagrad' | 'adamw' (PyTorch's defaults; sgd lr 0.01), an Optimizer, or { type, ...options }. */
  optimizer: OptimizerSpec;
  /** A loss name (Keras semantics) or a function (yPred, yTrue) => scalar Tensor. */
  loss: LossName | LossFunction;
  /** Reported by fit and evaluate under the names given. */
  metrics?: MetricSpec[];
  /** The model outputs logits, not probabilities (cross-entropy losses; default false). */
  fromLogits?: boolean;
}

export interface FitOptions {
  /** Passes over the data (default 1). */
  epochs?: number;
  /** Samples per gradient step (default 32). */
  batchSize?: number;
  /** A new sample order each epoch (default true). */
  shuffle?: boolean;
  /** Seed of the shuffle (see tn.data.batches); without it the global generator is used. */
  seed?: number;
  /** Hold out this fraction of the samples, taken from the end before shuffling (as Keras). */
  validationSplit?: number;
  /** [x, y] evaluated after each epoch (overrides validationSplit). */
  validationData?: [TensorLike, TensorLike];
  callbacks?: Callback[];
  /** 1: a progress bar on a TTY, one line per epoch otherwise; 2: one line per epoch; 0: silent. */
  verbose?: 0 | 1 | 2;
  /** Stop with a TensileError naming the epoch and batch when the loss is NaN or infinite (default true). */
  terminateOnNaN?: boolean;
  /** Where progress is written (default process.stdout). */
  stream?: ProgressStream;
}

export interface EvaluateOptions {
  /** Samples per forward pass (default 32). */
  batchSize?: number;
}

export interface PredictOptions {
  /** Samples per forward pass (default 32). */
  batchSize?: number;
}

/** What fit returns (Keras's History): per-epoch values by name, and the epoch numbers. */
export class History {
  /** `loss`, each metric, and `val_` versions with validation data; one value per epoch. */
  readonly history: Record<string, number[]> = {};
  /** The epochs that ran, from 0. */
  readonly epoch: number[] = [];
  constructor(readonly params: FitContext['params']) {}
  /** @internal */
  record(epoch: number, logs: Logs): void {
    this.epoch.push(epoch);
    for (const [k, v] of Object.entries(logs)) (this.history[k] ??= []).push(v);
  }
}

/** @internal what compile stored */
export interface Compiled {
  options: CompileOptions;
  optimizer: AnyOptimizer | null;
  loss: ResolvedLoss;
}

declare module './module.js' {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  interface Module<In extends unknown[] = [Tensor], Out = Tensor> {
    /**
     * Sets the optimizer, loss and metrics for fit and evaluate (Keras's compile); returns this.
     * @example model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
     */
    compile(opts: CompileOptions): this;
    /**
     * Trains the model on x, y; resolves to the History.
     * @example const h = await model.fit(x, y, { epochs: 10, validationSplit: 0.1 }); h.history.loss
     */
    fit(x: TensorLike, y: TensorLike, opts?: FitOptions): Promise<History>;
    /**
     * The loss and metrics on x, y (eval mode, no gradients), averaged over every sample.
     * @example const { loss, accuracy } = await model.evaluate(xTest, yTest);
     */
    evaluate(x: TensorLike, y: TensorLike, opts?: EvaluateOptions): Promise<Logs>;
    /**
     * The model's output for x in batches (eval mode, no gradients), as one tensor.
     * @example const probs = model.predict(xTest);
     */
    predict(x: TensorLike, opts?: PredictOptions): Tensor;
    /** The optimizer fit uses (created at the first fit when compile got a name). */
    readonly optimizer: AnyOptimizer | null;
    /** Set to true in a callback to end fit after the current epoch (Keras's stop_training). */
    stopTraining?: boolean;
  }
}

const compiledModels = new WeakMap<AnyModule, Compiled>();

/** @internal the compile options of a model, or undefined (tn.io.save records them). */
export function compiledOf(model: AnyModule): Compiled | undefined {
  return compiledModels.get(model);
}

const READS_PER_EPOCH_WEBGPU = 4;
const FIT_KEYS = ['epochs', 'batchSize', 'shuffle', 'seed', 'validationSplit', 'validationData', 'callbacks', 'verbose', 'terminateOnNaN', 'stream'];

function compile(this: AnyModule, opts: CompileOptions): AnyModule {
  const model = checkModule('compile', this);
  checkKeys('compile', opts, ['optimizer', 'loss', 'metrics', 'fromLogits']);
  if (opts.optimizer === undefined) throw new TensileError('compile', "option 'optimizer' is required, e.g. 'adam'");
  if (opts.loss === undefined) throw new TensileError('compile', "option 'loss' is required, e.g. 'sparseCategoricalCrossentropy'");
  checkOptimizerSpec(opts.optimizer);
  const loss = resolveLoss(opts.loss);
  const metrics = opts.metrics ?? [];
  if (!Array.isArray(metrics)) throw new TensileError('compile', `option 'metrics' must be an array, got ${describe(metrics)}`);
  const names = metrics.map(metricName);
  const dup = names.find((n, i) => names.indexOf(n) !== i || n === 'loss');
  if (dup) throw new TensileError('compile', `metric name '${dup}' appears twice (or clashes with 'loss')`);
  if (opts.fromLogits !== undefined && typeof opts.fromLogits !== 'boolean') throw new TensileError('compile', `option 'fromLogits' must be a boolean, got ${describe(opts.fromLogits)}`);
  const previous = compiledModels.get(model);
  // An optimizer compile built is freed; one the user gave stays theirs.
  if (previous?.optimizer && !isOptimizerInstance(previous.options.optimizer)) previous.optimizer.dispose();
  compiledModels.set(model, { options: { ...opts, metrics: [...metrics] }, optimizer: null, loss });
  return model;
}

function compiled(op: string, model: AnyModule): Compiled {
  const c = compiledModels.get(model);
  if (!c) throw new TensileError(op, "the model is not compiled; call model.compile({ optimizer: 'adam', loss: ..., metrics: [...] }) first");
  return c;
}

function isOptimizerInstance(spec: OptimizerSpec): boolean {
  return typeof spec === 'object' && spec !== null && Array.isArray((spec as AnyOptimizer).paramGroups);
}

/** The compiled optimizer, built over the model's parameters at first use (or again after to()). */
function ensureOptimizer(model: AnyModule, c: Compiled): AnyOptimizer {
  const stale = c.optimizer?.paramGroups.some((g: { params: Tensor[] }) => g.params.some((p) => p.isDisposed));
  if (stale) {
    if (isOptimizerInstance(c.options.optimizer)) {
      throw new TensileError('fit', "the optimizer's parameters were disposed (model.to() replaces them); create the optimizer after to() and compile again");
    }
    c.optimizer!.dispose();
    c.optimizer = null;
  }
  c.optimizer ??= buildOptimizer(c.options.optimizer, model.parameters());
  return c.optimizer;
}

/** @internal the compiled model's optimizer, built if need be (tn.io.load restores its state) */
export function optimizerFor(model: AnyModule): AnyOptimizer {
  return ensureOptimizer(model, compiled('io.load', model));
}

// ---------------- data ----------------

interface Data { x: Tensor; y: Tensor; n: number }

// ---------------- the batch loop ----------------

/** One batch's loss and metric values, stacked into one small tensor (never read here). */
function batchValues(loss: Tensor, out: ReturnType<typeof forwardWithHead>, y: Tensor, metrics: Metric[]): Tensor {
  return noGrad(() => stack([loss.detach(), ...metrics.map((m) => cast(m.compute(out, y), loss.dtype))]));
}

function lossOf(model: AnyModule, c: Compiled, xb: Tensor, yb: Tensor) {
  const out = forwardWithHead(model, xb, c.options.fromLogits ?? false);
  const loss = c.loss.compute(out, yb);
  if (loss.size !== 1) throw new TensileError('fit', `the loss must be a scalar, got shape ${fmtShape(loss.shape)}`);
  return { out, loss: loss.rank === 0 ? loss : reshape(loss, []) };
}

/** Weighted running means of batch values read back from the device. */
class Accumulator {
  private sums: Float64Array;
  private count = 0;
  constructor(private readonly names: string[]) {
    this.sums = new Float64Array(names.length);
  }
  add(row: ArrayLike<number>, size: number): void {
    for (let j = 0; j < this.names.length; j++) this.sums[j] += row[j] * size;
    this.count += size;
  }
  logs(): Logs {
    const out: Logs = {};
    if (this.count > 0) this.names.forEach((k, j) => (out[k] = this.sums[j] / this.count));
    return out;
  }
}

/** Reads a window of per-batch value tensors with one readback; disposes them. */
async function readRows(pending: Tensor[]): Promise<Float64Array[]> {
  if (pending.length === 0) return [];
  // In tidy: outside one, stack leaves its per-input views to the garbage collector.
  const all = pending.length === 1 ? pending[0] : tidy(() => noGrad(() => stack(pending)));
  try {
    const data = await all.data();
    const k = data.length / pending.length;
    return pending.map((_, i) => Float64Array.from(data.subarray(i * k, (i + 1) * k)));
  } finally {
    if (all !== pending[0]) all.dispose();
    for (const t of pending) t.dispose();
    pending.length = 0;
  }
}

/** Loss and metrics over every sample, in eval mode without gradients (one readback). */
async function evaluateData(model: AnyModule, c: Compiled, metrics: Metric[], d: Data, batchSize: number): Promise<Logs> {
  const pending: Tensor[] = [];
  const sizes: number[] = [];
  try {
    inEvalMode(model, () => {
      for (let s = 0; s < d.n; s += batchSize) {
        const e = Math.min(s + batchSize, d.n);
        pending.push(tidy(() => noGrad(() => {
          const yb = slice(d.y, [s, e]);
          const { out, loss } = lossOf(model, c, slice(d.x, [s, e]), yb);
          return batchValues(loss, out, yb, metrics);
        })));
        sizes.push(e - s);
      }
    });
    const acc = new Accumulator(['loss', ...metrics.map((m) => m.name)]);
    (await readRows(pending)).forEach((row, i) => acc.add(row, sizes[i]));
    return acc.logs();
  } finally {
    for (const t of pending) t.dispose();
  }
}

/** Everything fit and evaluate share: the inputs on the model's device and the resolved metrics. */
async function prepare(op: string, model: AnyModule, c: Compiled, x: TensorLike, y: TensorLike, owned: Tensor[]): Promise<{ data: Data; outShape: number[] }> {
  const device = modelDevice(model, x);
  const float = modelFloat(model);
  const xt = await inputTensor(op, 'x', x, device, float, owned);
  const yShape = y instanceof Tensor ? y.shape : null;
  if (yShape) checkSampleCounts(op, xt, y as Tensor);
  const outShape = probeOutputShape(op, model, xt);
  const yt = await targetTensor(op, c.loss, y, outShape, device, modelFloat(model), owned);
  if (!yShape) checkSampleCounts(op, xt, yt);
  return { data: { x: xt, y: yt, n: xt.shape[0] }, outShape };
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

async function fit(this: AnyModule, x: TensorLike, y: TensorLike, opts: FitOptions = {}): Promise<History> {
  const op = 'fit';
  const model = checkModule(op, this);
  checkKeys(op, opts, FIT_KEYS);
  const c = compiled(op, model);
  const epochs = positiveInt(op, 'epochs', opts.epochs, 1);
  const batchSize = positiveInt(op, 'batchSize', opts.batchSize, 32);
  const shuffle = opts.shuffle ?? true;
  const verbose = opts.verbose ?? 1;
  if (verbose !== 0 && verbose !== 1 && verbose !== 2) throw new TensileError(op, `option 'verbose' must be 0, 1 or 2, got ${String(verbose)}`);
  if (opts.seed !== undefined && (!Number.isInteger(opts.seed) || opts.seed < 0)) throw new TensileError(op, `option 'seed' must be a non-negative integer, got ${String(opts.seed)}`);
  const split = opts.validationSplit ?? 0;
  if (typeof split !== 'number' || !(split >= 0 && split < 1)) throw new TensileError(op, `option 'validationSplit' must be a number in [0, 1), got ${String(split)}`);
  const callbacks = opts.callbacks ?? [];
  if (!Array.isArray(callbacks) || callbacks.some((cb) => cb === null || typeof cb !== 'object')) {
    throw new TensileError(op, "option 'callbacks' must be an array of callback objects ({ onEpochEnd(epoch, logs) { ... } }, earlyStopping(...), ...)");
  }
  if (opts.validationData !== undefined && (!Array.isArray(opts.validationData) || opts.validationData.length !== 2)) {
    throw new TensileError(op, "option 'validationData' must be [x, y]");
  }

  const owned: Tensor[] = [];
  const pending: Tensor[] = [];
  const progress = progressLogger(verbose, opts.stream ?? process.stdout);
  const mods = model.modules();
  const modes = mods.map((m) => m.training);
  let perm: Tensor | null = null;
  try {
    const { data: all, outShape } = await prepare(op, model, c, x, y, owned);
    let train = all, val: Data | null = null;
    if (opts.validationData) {
      const [vx, vy] = opts.validationData;
      val = (await prepare(op, model, c, vx, vy, owned)).data;
    } else if (split > 0) {
      // Keras holds out the last samples, before any shuffling.
      const nTrain = Math.floor(all.n * (1 - split));
      if (nTrain === 0 || nTrain === all.n) throw new TensileError(op, `validationSplit ${split} of ${all.n} samples leaves ${nTrain === 0 ? 'no training' : 'no validation'} samples`);
      const cut = (t: Tensor, r: [number, number]) => { const v = slice(t, r); owned.push(v); return v; };
      train = { x: cut(all.x, [0, nTrain]), y: cut(all.y, [0, nTrain]), n: nTrain };
      val = { x: cut(all.x, [nTrain, all.n]), y: cut(all.y, [nTrain, all.n]), n: all.n - nTrain };
    }
    const metrics = (c.options.metrics ?? []).map((s) => resolveMetric(s, c.loss.kind, outShape, all.y.rank));
    const names = ['loss', ...metrics.map((m) => m.name)];
    const opt = ensureOptimizer(model, c);
    const steps = Math.ceil(train.n / batchSize);
    const readEvery = train.x.device === 'webgpu' ? Math.max(1, Math.ceil(steps / READS_PER_EPOCH_WEBGPU)) : 1;
    const ctx: FitContext = { model, params: { epochs, steps, samples: train.n, batchSize, verbose } };
    const cbs: Callback[] = [progress, ...callbacks];
    const history = new History(ctx.params);
    model.stopTraining = false;
    for (const cb of cbs) await cb.onTrainBegin?.({}, ctx);
    let lastLogs: Logs = {};
    for (let epoch = 0; epoch < epochs; epoch++) {
      for (const cb of cbs) await cb.onEpochBegin?.(epoch, {}, ctx);
      model.train();
      const order = permutation(train.n, { shuffle, seed: opts.seed }, epoch);
      perm = shuffle ? keep(tensor(order, { dtype: 'int32', device: train.x.device })) : null;
      const acc = new Accumulator(names);
      let lastYield = performance.now();
      let read = 0; // batches read back so far
      for (let b = 0; b < steps; b++) {
        const s = b * batchSize, e = Math.min(s + batchSize, train.n);
        const p = perm;
        pending.push(tidy(() => {
          const xb = takeRows(train.x, p, s, e), yb = takeRows(train.y, p, s, e);
          const { out, loss } = lossOf(model, c, xb, yb);
          const values = batchValues(loss, out, yb, metrics);
          loss.backward();
          opt.step();
          opt.zeroGrad();
          model.zeroGrad();
          return values;
        }));
        if (pending.length >= readEvery || b === steps - 1) {
          const first = read;
          const rows = await readRows(pending);
          rows.forEach((row, i) => {
            const batch = first + i;
            if (opts.terminateOnNaN !== false && !Number.isFinite(row[0])) {
              throw new TensileError(op, `the loss is ${row[0]} at epoch ${epoch + 1}/${epochs}, batch ${batch + 1}/${steps}; ` +
                'lower the learning rate or check the data for NaN/Inf (pass { terminateOnNaN: false } to keep training)');
            }
            const size = Math.min(batchSize, train.n - batch * batchSize);
            acc.add(row, size);
          });
          read += rows.length;
        }
        for (const cb of cbs) await cb.onBatchEnd?.(b, { batch: b, size: e - s, ...acc.logs() }, ctx);
        if (performance.now() - lastYield > 100) {
          // Lets timers (the progress bar's redraw) and signals run during a long epoch.
          await yieldToEventLoop();
          lastYield = performance.now();
        }
      }
      perm?.dispose();
      perm = null;
      const logs = acc.logs();
      if (val) {
        const v = await evaluateData(model, c, metrics, val, batchSize);
        for (const [k, value] of Object.entries(v)) logs[`val_${k}`] = value;
      }
      history.record(epoch, logs);
      lastLogs = logs;
      for (const cb of cbs) await cb.onEpochEnd?.(epoch, logs, ctx);
      if (model.stopTraining) break;
    }
    for (const cb of cbs) await cb.onTrainEnd?.(lastLogs, ctx);
    return history;
  } finally {
    progress.close();
    perm?.dispose();
    for (const t of pending) t.dispose();
    for (const t of owned) t.dispose();
    mods.forEach((m, i) => (m.training = modes[i]));
  }
}

async function evaluate(this: AnyModule, x: TensorLike, y: TensorLike, opts: EvaluateOptions = {}): Promise<Logs> {
  const op = 'evaluate';
  const model = checkModule(op, this);
  checkKeys(op, opts, ['batchSize']);
  const c = compiled(op, model);
  const batchSize = positiveInt(op, 'batchSize', opts.batchSize, 32);
  const owned: Tensor[] = [];
  try {
    const { data, outShape } = await prepare(op, model, c, x, y, owned);
    const metrics = (c.options.metrics ?? []).map((s) => resolveMetric(s, c.loss.kind, outShape, data.y.rank));
    return await evaluateData(model, c, metrics, data, batchSize);
  } finally {
    for (const t of owned) t.dispose();
  }
}

// Attached once, like the op methods on Tensor.
Object.assign(Module.prototype, { compile, fit, evaluate, predict });
Object.defineProperty(Module.prototype, 'optimizer', {
  get(this: AnyModule) { return compiledModels.get(this)?.optimizer ?? null; },
  configurable: true,
});

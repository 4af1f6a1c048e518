/**
 * Saving and loading models as safetensors: the weights under their PyTorch state-dict keys,
 * and in `__metadata__` the architecture (JSON, to rebuild Sequential models of built-in
 * layers), the compile settings, and optionally the optimizer's state (its tensors stored
 * beside the weights under `optimizer.state.<i>.<name>`).
 */
import { TensileError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import type { DType, TypedArray } from '../dtype.js';
import type { DeviceName } from '../backends/backend.js';
import { getDefaultDevice } from '../device.js';
import { Module, type AnyModule, type StateDict } from '../nn/module.js';
import { type CompileOptions, compiledOf, optimizerFor } from '../nn/training.js';
import type { AnyOptimizer } from '../nn/compile.js';
import type { OptimizerStateDict } from '../optim/optimizer.js';
import { type Architecture, Unserializable, buildModel, describeModel } from './architecture.js';
import { encodeSafetensors, readSafetensors, writeFileAtomic } from './safetensors.js';

export interface SaveOptions {
  /** Also save an optimizer's state: true for the compiled model's, or an optimizer. */
  optimizer?: boolean | AnyOptimizer;
  /** Extra string metadata. */
  metadata?: Record<string, string>;
}

export interface LoadOptions {
  /** Where the weights go (default: the default device). */
  device?: DeviceName;
  /** Compile the model as it was when saved (default true; needs named optimizer, loss and metrics). */
  compile?: boolean;
}

type StateRef = number | null | { tensor: string };
interface OptimizerMeta {
  type: string;
  param_groups: OptimizerStateDict['param_groups'];
  state: Record<string, Record<string, StateRef>>;
}

const OPTIMIZER_NAMES: Record<string, CompileOptions['optimizer'] & string> = { adam: 'adam', adamw: 'adamw', sgd: 'sgd', rmsprop: 'rmsprop', adagrad: 'adagrad' };

/** The compile settings as JSON, when they can be written down (names, not functions). */
function trainingConfig(model: AnyModule): Record<string, unknown> | null {
  const c = compiledOf(model);
  if (!c) return null;
  const { optimizer, loss, metrics = [], fromLogits = false } = c.options;
  if (typeof loss !== 'string' || metrics.some((m) => typeof m !== 'string')) return null;
  let opt: unknown = optimizer;
  if (typeof optimizer === 'object' && optimizer !== null && Array.isArray((optimizer as AnyOptimizer).paramGroups)) {
    // An optimizer instance: its type and the first group's hyper-parameters.
    const inst = optimizer as AnyOptimizer;
    const type = OPTIMIZER_NAMES[inst.name.toLowerCase()];
    if (!type || inst.paramGroups.length !== 1) return null;
    const { params: _p, initialLr: _i, ...hyper } = inst.paramGroups[0] as Record<string, unknown>;
    opt = { type, ...hyper };
  }
  return { optimizer: opt, loss, metrics, fromLogits };
}

async function hostEntry(t: Tensor): Promise<{ dtype: DType; shape: readonly number[]; data: TypedArray }> {
  return { dtype: t.dtype, shape: t.shape, data: await t.data() };
}

/**
 * Saves a model as safetensors with its architecture (and compile settings, and optionally the
 * optimizer's state) in the metadata. PyTorch reads the weights with safetensors.torch.load_file.
 * @example await tn.io.save(model, 'model.safetensors', { optimizer: true });
 */
export async function save(model: AnyModule, path: string, opts: SaveOptions = {}): Promise<void> {
  if (!(model instanceof Module)) throw new TensileError('io.save', `argument 'model' must be a Module, got ${model === null ? 'null' : typeof model}`);
  if (typeof path !== 'string' || path === '') throw new TensileError('io.save', `argument 'path' must be a file path, got ${String(path)}`);
  const meta: Record<string, string> = { format: 'pt', ...(opts.metadata ?? {}) };
  try {
    meta.architecture = JSON.stringify(describeModel(model));
  } catch (e) {
    if (!(e instanceof Unserializable)) throw e;
    meta.architecture_skipped = e.message;
  }
  const training = trainingConfig(model);
  if (training) meta.training = JSON.stringify(training);
  const sd: StateDict = model.stateDict();
  try {
    const entries: [string, Awaited<ReturnType<typeof hostEntry>>][] = [];
    for (const [k, t] of Object.entries(sd)) entries.push([k, await hostEntry(t)]);
    const opt = opts.optimizer === true ? model.optimizer : opts.optimizer || null;
    if (opts.optimizer === true && !opt) throw new TensileError('io.save', 'the model has no optimizer yet (it is made at the first fit); pass { optimizer: false } or an optimizer');
    if (opt) {
      const osd = opt.stateDict();
      const state: OptimizerMeta['state'] = {};
      for (const [i, entriesOf] of Object.entries(osd.state)) {
        state[i] = {};
        for (const [k, v] of Object.entries(entriesOf)) {
          if (v === null || v === undefined || typeof v === 'number') { state[i][k] = v ?? null; continue; }
          const name = `optimizer.state.${i}.${k}`;
          if (name in sd) throw new TensileError('io.save', `the model has a tensor named '${name}', which the optimizer's state would overwrite`);
          entries.push([name, await hostEntry(v)]);
          state[i][k] = { tensor: name };
        }
      }
      meta.optimizer = JSON.stringify({ type: opt.name, param_groups: osd.param_groups, state } satisfies OptimizerMeta);
    }
    await writeFileAtomic(path, encodeSafetensors(entries, meta));
  } finally {
    for (const t of Object.values(sd)) t.dispose();
  }
}

function parseJson<T>(path: string, key: string, text: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new TensileError('io.load', `${path}: metadata '${key}' is not valid JSON (${(e as Error).message})`);
  }
}

function optimizerMeta(path: string, metadata: Record<string, string>): OptimizerMeta | null {
  if (!metadata.optimizer) return null;
  const m = parseJson<OptimizerMeta>(path, 'optimizer', metadata.optimizer);
  if (m === null || typeof m !== 'object' || typeof m.type !== 'string' || !Array.isArray(m.param_groups) || m.state === null || typeof m.state !== 'object') {
    throw new TensileError('io.load', `${path}: metadata 'optimizer' is not an optimizer state ({ type, param_groups, state })`);
  }
  return m;
}

/** Names of the optimizer's tensors in the file (the rest are weights). */
function optimizerTensorNames(m: OptimizerMeta | null): Set<string> {
  const names = new Set<string>();
  if (m) for (const s of Object.values(m.state)) for (const v of Object.values(s ?? {})) if (v && typeof v === 'object') names.add(v.tensor);
  return names;
}

function applyOptimizerState(path: string, opt: AnyOptimizer, m: OptimizerMeta, tensors: Record<string, Tensor>): void {
  if (m.type !== opt.name) throw new TensileError('io.load', `${path} holds ${m.type} state, which does not fit a ${opt.name} optimizer`);
  const state: OptimizerStateDict['state'] = {};
  for (const [i, entries] of Object.entries(m.state)) {
    state[Number(i)] = {};
    for (const [k, v] of Object.entries(entries ?? {})) {
      if (v !== null && typeof v === 'object') {
        const t = tensors[v.tensor];
        if (!t) throw new TensileError('io.load', `${path}: the optimizer state names tensor '${v.tensor}', which the file does not hold`);
        state[Number(i)][k] = t;
      } else {
        state[Number(i)][k] = v;
      }
    }
  }
  opt.loadStateDict({ state, param_groups: m.param_groups });
}

/**
 * Rebuilds a model saved by tn.io.save: the architecture from the metadata, the weights by
 * name, and (unless compile: false) the compile settings and any saved optimizer state.
 * @example const model = await tn.io.load('model.safetensors'); model.predict(x);
 */
export async function load(path: string, opts: LoadOptions = {}): Promise<AnyModule> {
  const device = opts.device ?? getDefaultDevice();
  const { tensors, metadata } = await readSafetensors(path, { device });
  try {
    if (!metadata.architecture) {
      const why = metadata.architecture_skipped ? ` (${metadata.architecture_skipped})` : ' (written by another library, or by writeSafetensors)';
      throw new TensileError('io.load', `${path} holds no model architecture${why}; build the model in code and load the weights with model.loadStateDict(await tn.io.loadStateDict(path))`);
    }
    const model = buildModel(parseJson<Architecture>(path, 'architecture', metadata.architecture), device);
    const om = optimizerMeta(path, metadata);
    const skip = optimizerTensorNames(om);
    model.loadStateDict(Object.fromEntries(Object.entries(tensors).filter(([k]) => !skip.has(k))));
    if (metadata.training && opts.compile !== false) {
      model.compile(parseJson<CompileOptions>(path, 'training', metadata.training));
      if (om) applyOptimizerState(path, optimizerFor(model), om, tensors);
    }
    return model;
  } finally {
    for (const t of Object.values(tensors)) t.dispose();
  }
}

/**
 * The weights in a safetensors file by name (optimizer state left out), for
 * `model.loadStateDict`; reads files written by PyTorch too. The tensors are the caller's.
 * @example model.loadStateDict(await tn.io.loadStateDict('torch_model.safetensors'));
 */
export async function loadStateDict(path: string, opts: { device?: DeviceName } = {}): Promise<StateDict> {
  const { tensors, metadata } = await readSafetensors(path, { device: opts.device });
  let skip: Set<string>;
  try {
    skip = optimizerTensorNames(optimizerMeta(path, metadata));
  } catch (e) {
    for (const t of Object.values(tensors)) t.dispose();
    throw e;
  }
  const out: StateDict = {};
  for (const [k, t] of Object.entries(tensors)) {
    if (skip.has(k)) t.dispose();
    else out[k] = t;
  }
  return out;
}

/**
 * Loads the optimizer state saved with `tn.io.save(model, path, { optimizer })` into an
 * optimizer over the same parameters (a manual training loop's).
 * @example await tn.io.loadOptimizerState('ckpt.safetensors', opt);
 */
export async function loadOptimizerState(path: string, optimizer: AnyOptimizer): Promise<void> {
  const { tensors, metadata } = await readSafetensors(path);
  try {
    const m = optimizerMeta(path, metadata);
    if (!m) throw new TensileError('io.load', `${path} holds no optimizer state (save with { optimizer: true })`);
    applyOptimizerState(path, optimizer, m, tensors);
  } finally {
    for (const t of Object.values(tensors)) t.dispose();
  }
}

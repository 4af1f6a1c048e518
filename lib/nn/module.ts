/**
 * Module: the base class of every layer. It owns parameters (tensors that require grad),
 * buffers (state such as BatchNorm's running statistics) and child modules, each registered
 * under a name, and derives PyTorch's dotted names from them (`0.weight`, `lstm.bias_hh_l0`),
 * so a state dict written by PyTorch loads here by name and the other way round.
 *
 * Order follows PyTorch's `state_dict()`: a module's own parameters, then its buffers, in
 * registration order, then each child's entries under `child.`.
 */
import '../ops/methods.js';
import type { DeviceName } from '../backends/backend.js';
import type { DType } from '../dtype.js';
import { TensileError, fmtShape } from '../errors.js';
import { Tensor } from '../tensor.js';
import { keep, tidy } from '../memory.js';
import { noGrad } from '../autograd/mode.js';
import { getDefaultDevice } from '../device.js';
import { assign, cast, zeros } from '../ops/index.js';

/** Name → tensor, in PyTorch's `state_dict()` order and with its keys. */
export type StateDict = Record<string, Tensor>;

/** Where a layer creates its parameters: PyTorch's `device=` / `dtype=` factory arguments. */
export interface FactoryOptions {
  /** Default: the default device at construction time. */
  device?: DeviceName;
  /** float32 (default) or float64. */
  dtype?: 'float32' | 'float64';
}

/** What `loadStateDict` reports with `strict: false` (PyTorch's `_IncompatibleKeys`). */
export interface LoadResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/** A module of any signature (containers and traversal do not care what forward takes). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyModule = Module<any[], unknown>;

/**
 * The base class of layers. Subclasses register state in their constructor and implement
 * `forward`; `call(x)` is what users and containers invoke.
 * @example
 * class TwoLayer extends tn.nn.Module {
 *   fc1 = this.registerModule('fc1', new tn.nn.Linear(4, 8));
 *   fc2 = this.registerModule('fc2', new tn.nn.Linear(8, 1));
 *   forward(x: tn.Tensor) { return this.fc2.call(this.fc1.call(x).relu()); }
 * }
 */
export abstract class Module<In extends unknown[] = [Tensor], Out = Tensor> {
  /** True in training mode (the default): Dropout drops, BatchNorm uses batch statistics. */
  training = true;
  private readonly params = new Map<string, Tensor | null>();
  private readonly bufs = new Map<string, Tensor | null>();
  private readonly subs = new Map<string, AnyModule>();

  /** The computation. Prefer `call`, which containers use too. */
  abstract forward(...inputs: In): Out;

  /** Runs `forward` (PyTorch's `module(x)`). @example const y = layer.call(x); */
  call(...inputs: In): Out {
    return this.forward(...inputs);
  }

  // ---------------- registration ----------------

  /**
   * Registers (or replaces) a parameter; `null` declares an absent one (Linear without bias).
   * The tensor is made a leaf that requires grad and is exempt from `tn.tidy`.
   */
  registerParameter(name: string, t: Tensor | null): Tensor | null {
    checkName(this, name);
    if (t !== null) {
      if (!(t instanceof Tensor)) throw new TensileError(this.constructor.name, `parameter '${name}' must be a Tensor`);
      if (!t.isLeaf) throw new TensileError(this.constructor.name, `parameter '${name}' must be a leaf tensor (use detach())`);
      t.requiresGrad_(true);
      keep(t);
    }
    this.params.set(name, t);
    return t;
  }

  /** Registers (or replaces) a buffer: state saved in the state dict but not trained. */
  registerBuffer(name: string, t: Tensor | null): Tensor | null {
    checkName(this, name);
    if (t !== null) keep(t);
    this.bufs.set(name, t);
    return t;
  }

  /** Registers a child module under `name`; returns it (for `fc = this.registerModule('fc', ...)`). */
  registerModule<M extends AnyModule>(name: string, m: M): M {
    checkName(this, name);
    if (!(m instanceof Module)) throw new TensileError(this.constructor.name, `child '${name}' must be a Module`);
    this.subs.set(name, m);
    return m;
  }

  /** A registered parameter or buffer by its own (undotted) name; throws when absent or null. */
  protected tensor(name: string): Tensor {
    const t = this.params.has(name) ? this.params.get(name) : this.bufs.get(name);
    if (!t) throw new TensileError(this.constructor.name, `has no parameter or buffer '${name}'`);
    return t;
  }

  /** A registered parameter or buffer, or null when it was registered as absent. */
  protected optionalTensor(name: string): Tensor | null {
    return (this.params.has(name) ? this.params.get(name) : this.bufs.get(name)) ?? null;
  }

  /** @internal swaps the tensor under an own name (functionalCall, to()); returns the old one */
  setTensor(name: string, t: Tensor | null): Tensor | null {
    if (this.params.has(name)) {
      const old = this.params.get(name)!;
      this.params.set(name, t);
      return old;
    }
    if (this.bufs.has(name)) {
      const old = this.bufs.get(name)!;
      this.bufs.set(name, t);
      return old;
    }
    throw new TensileError(this.constructor.name, `has no parameter or buffer named '${name}'`);
  }

  // ---------------- traversal ----------------

  /** Direct children with their names. */
  namedChildren(): [string, AnyModule][] {
    return [...this.subs];
  }

  /** Direct children. */
  children(): AnyModule[] {
    return [...this.subs.values()];
  }

  /** This module and all descendants, with dotted names ('' for this one). */
  namedModules(prefix = ''): [string, AnyModule][] {
    const out: [string, AnyModule][] = [[prefix, this]];
    for (const [n, m] of this.subs) out.push(...m.namedModules(prefix ? `${prefix}.${n}` : n));
    return out;
  }

  /** This module and all descendants. */
  modules(): AnyModule[] {
    return this.namedModules().map(([, m]) => m);
  }

  /**
   * Parameters with PyTorch's dotted names (`0.weight`, `weight_ih_l0`); a tensor shared by
   * two modules is listed once, as PyTorch does.
   */
  namedParameters(): [string, Tensor][] {
    const seen = new Set<Tensor>();
    const out: [string, Tensor][] = [];
    for (const [prefix, m] of this.namedModules()) {
      for (const [n, t] of m.params) {
        if (t === null || seen.has(t)) continue;
        seen.add(t);
        out.push([prefix ? `${prefix}.${n}` : n, t]);
      }
    }
    return out;
  }

  /** The trainable tensors, for an optimizer. @example new tn.optim.Adam(model.parameters()) */
  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  /** Buffers (running statistics, counters) with dotted names. */
  namedBuffers(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [prefix, m] of this.namedModules()) {
      for (const [n, t] of m.bufs) if (t !== null) out.push([prefix ? `${prefix}.${n}` : n, t]);
    }
    return out;
  }

  buffers(): Tensor[] {
    return this.namedBuffers().map(([, t]) => t);
  }

  /** Calls fn on every descendant and then on this module (PyTorch's `apply`); returns this. */
  apply(fn: (m: AnyModule) => void): this {
    for (const m of this.subs.values()) m.apply(fn);
    fn(this);
    return this;
  }

  // ---------------- modes and gradients ----------------

  /** Sets training mode here and in every descendant; returns this. */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /** Evaluation mode (`train(false)`): Dropout is the identity, BatchNorm uses running stats. */
  eval(): this {
    return this.train(false);
  }

  /** Clears every parameter's `.grad` (PyTorch's default `set_to_none=True`). */
  zeroGrad(): void {
    for (const p of this.parameters()) p.zeroGrad();
  }

  // ---------------- state ----------------

  /**
   * Parameters and buffers under PyTorch's keys, as detached views sharing storage (writing
   * into them writes into the model, as in PyTorch).
   * @example Object.keys(new tn.nn.Linear(3, 2).stateDict()) // ['weight', 'bias']
   */
  stateDict(): StateDict {
    const sd: StateDict = {};
    for (const [prefix, m] of this.namedModules()) {
      for (const map of [m.params, m.bufs]) {
        for (const [n, t] of map) if (t !== null) sd[prefix ? `${prefix}.${n}` : n] = t.detach();
      }
    }
    return sd;
  }

  /**
   * Copies values into the parameters and buffers in place (casting dtype and moving device
   * as needed). With `strict` (the default) missing or unexpected keys throw; without, they
   * are returned. A shape mismatch always throws.
   * @example model.loadStateDict(other.stateDict())
   */
  loadStateDict(sd: StateDict | Map<string, Tensor>, opts: { strict?: boolean } = {}): LoadResult {
    const strict = opts.strict ?? true;
    if (sd === null || typeof sd !== 'object') throw new TensileError('loadStateDict', `argument 'stateDict' must be an object of tensors, got ${String(sd)}`);
    const src = sd instanceof Map ? sd : new Map(Object.entries(sd));
    for (const [k, t] of src) {
      if (!(t instanceof Tensor)) throw new TensileError('loadStateDict', `entry '${k}' is not a Tensor`);
    }
    // Lazy layers (Dense without inputDim) take their shapes from the incoming tensors.
    for (const [prefix, m] of this.namedModules()) m.materializeFrom(src, prefix ? `${prefix}.` : '');
    const own = this.stateDict();
    const ownKeys = Object.keys(own);
    const missingKeys = ownKeys.filter((k) => !src.has(k));
    const unexpectedKeys = [...src.keys()].filter((k) => !(k in own));
    if (strict && (missingKeys.length || unexpectedKeys.length)) {
      const parts: string[] = [];
      if (missingKeys.length) parts.push(`missing keys: ${missingKeys.map((k) => `'${k}'`).join(', ')}`);
      if (unexpectedKeys.length) parts.push(`unexpected keys: ${unexpectedKeys.map((k) => `'${k}'`).join(', ')}`);
      throw new TensileError('loadStateDict', `state dict does not match ${this.constructor.name}: ${parts.join('; ')} (pass { strict: false } to load the matching keys only)`);
    }
    const mismatched: string[] = [];
    for (const k of ownKeys) {
      const s = src.get(k);
      if (s && !sameShape(s.shape, own[k].shape)) mismatched.push(`'${k}': expected shape ${fmtShape(own[k].shape)}, got ${fmtShape(s.shape)}`);
    }
    if (mismatched.length) throw new TensileError('loadStateDict', `shape mismatch for ${mismatched.join('; ')}`);
    tidy(() => noGrad(() => {
      for (const k of ownKeys) {
        const s = src.get(k);
        if (!s) continue;
        const dst = own[k];
        let v = s.device === dst.device ? s : s.to(dst.device);
        if (v.dtype !== dst.dtype) v = cast(v, dst.dtype);
        assign(dst, v);
      }
    }));
    for (const t of Object.values(own)) t.dispose();
    return { missingKeys, unexpectedKeys };
  }

  /** @internal hook for lazy layers: create parameters from a state dict's shapes */
  protected materializeFrom(_sd: Map<string, Tensor>, _prefix: string): void {}

  /**
   * Moves every parameter and buffer to a device, or casts the floating ones to a dtype
   * (integer buffers such as `num_batches_tracked` keep theirs, as in PyTorch). Parameters
   * are replaced by new tensors (the old ones are disposed), so create the optimizer after
   * `to()`. Returns this.
   * @example model.to('js'); model.to('float64');
   */
  to(target: DeviceName | 'float32' | 'float64'): this {
    const isDtype = target === 'float32' || target === 'float64';
    for (const m of this.modules()) {
      m.onTo(target);
      for (const [map, isParam] of [[m.params, true], [m.bufs, false]] as const) {
        for (const [n, t] of map) {
          if (t === null) continue;
          if (isDtype ? t.dtype === target || (t.dtype !== 'float32' && t.dtype !== 'float64') : t.device === target) continue;
          // Both give a fresh leaf with its own storage.
          const fresh = noGrad(() => (isDtype ? cast(t.detach(), target) : t.to(target)));
          if (isParam) fresh.requiresGrad_(true);
          keep(fresh);
          map.set(n, fresh);
          t.zeroGrad();
          t.dispose();
        }
      }
    }
    return this;
  }

  /** @internal lets layers that create tensors later (Dense) follow to() */
  protected onTo(_target: DeviceName | 'float32' | 'float64'): void {}

  // ---------------- printing ----------------

  /** The constructor arguments shown by toString (PyTorch's `extra_repr`). */
  extraRepr(): string {
    return '';
  }

  /** PyTorch-style summary: `Sequential(\n  (0): Linear(in_features=3, ...)\n)`. */
  toString(): string {
    const name = this.constructor.name;
    const extra = this.extraRepr();
    if (this.subs.size === 0) return `${name}(${extra})`;
    const lines = [...this.subs].map(([n, m]) => `  (${n}): ${String(m).split('\n').join('\n  ')}`);
    return `${name}(${extra ? `${extra}\n` : '\n'}${lines.join('\n')}\n)`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

function checkName(m: AnyModule, name: string): void {
  if (typeof name !== 'string' || name === '' || name.includes('.')) {
    throw new TensileError(m.constructor.name, `a registered name must be a non-empty string without '.', got '${String(name)}'`);
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** The device and dtype a layer creates its tensors with. */
export function factoryOf(op: string, opts: FactoryOptions): { device: DeviceName; dtype: 'float32' | 'float64' } {
  const dtype = opts.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'float64') throw new TensileError(op, `option 'dtype' must be float32 or float64, got ${String(dtype)}`);
  return { device: opts.device ?? getDefaultDevice(), dtype };
}

/** A new tensor of zeros on the layer's device and dtype (initializers then fill it). */
export function newTensor(shape: readonly number[], f: { device: DeviceName; dtype: DType }): Tensor {
  return zeros(shape, { device: f.device, dtype: f.dtype });
}

/** Throws unless `x` is a live Tensor; names the layer. */
export function checkInput(layer: string, x: unknown, arg = 'input'): Tensor {
  if (!(x instanceof Tensor)) throw new TensileError(layer, `${arg} must be a Tensor, got ${x === null ? 'null' : Array.isArray(x) ? 'an array' : typeof x}`);
  x.assertAlive(layer, arg);
  return x;
}

/** Throws unless x and the layer's tensor live on one device; names both. */
export function checkDevice(layer: string, x: Tensor, w: Tensor): void {
  if (x.device !== w.device) {
    throw new TensileError(layer, `input is on device '${x.device}' but the layer's parameters are on '${w.device}'; move one with .to()`);
  }
}

/** Whether a parameter/buffer path exists and where: [module, own name]. */
function resolve(root: AnyModule, path: string): [AnyModule, string] {
  const parts = path.split('.');
  let m: AnyModule = root;
  for (const p of parts.slice(0, -1)) {
    const child = m.namedChildren().find(([n]) => n === p);
    if (!child) throw new TensileError('functionalCall', `no submodule '${p}' on the way to '${path}'`);
    m = child[1];
  }
  return [m, parts[parts.length - 1]];
}

/**
 * Runs `module.call(...args)` with some parameters or buffers replaced by the given tensors
 * (torch.func.functional_call), then restores them. Differentiating the result with respect
 * to the given tensors works: `tn.grad((w) => tn.nn.functionalCall(lin, { weight: w }, x).sum())`.
 * @example const y = tn.nn.functionalCall(lin, { weight: w, bias: b }, x);
 */
export function functionalCall<In extends unknown[], Out>(module: Module<In, Out>, tensors: Record<string, Tensor>, ...args: In): Out {
  const restore: [AnyModule, string, Tensor | null][] = [];
  try {
    for (const [path, t] of Object.entries(tensors)) {
      if (!(t instanceof Tensor)) throw new TensileError('functionalCall', `entry '${path}' is not a Tensor`);
      const [m, name] = resolve(module, path);
      restore.push([m, name, m.setTensor(name, t)]);
    }
    return module.call(...args);
  } finally {
    for (const [m, name, old] of restore.reverse()) m.setTensor(name, old);
  }
}

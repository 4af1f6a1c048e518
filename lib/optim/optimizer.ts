/**
 * The optimizer base class, shaped like torch.optim.Optimizer: parameter groups with their own
 * hyper-parameters, per-parameter state created at the first step, `zeroGrad`, `step`, and a
 * state dict in PyTorch's layout. A subclass supplies its defaults, a check for each
 * hyper-parameter, the names of its state entries, and one update rule for one parameter.
 *
 * Memory: `step` runs inside `tidy` and `noGrad`, so its temporaries are freed at once and the
 * parameters can be updated in place; state tensors are created with `keep`, so they survive
 * any `tidy` the training loop runs in and live until the optimizer is disposed or reloaded.
 */
import '../ops/methods.js';
import { Tensor } from '../tensor.js';
import { TensileError, fmtShape } from '../errors.js';
import { keep, tidy } from '../memory.js';
import { noGrad } from '../autograd/mode.js';
import { isFloat } from '../dtype.js';

/** What every optimizer's hyper-parameters have: a learning rate that schedulers change. */
export interface BaseHyperParams { lr: number }

/**
 * A parameter group as the optimizer keeps it: the tensors and every hyper-parameter, filled in
 * from the defaults. Schedulers set `lr` and record the starting lr in `initialLr`.
 */
export type ParamGroup<H> = H & { params: Tensor[]; initialLr?: number };

/** A parameter group as the user gives it: tensors plus any hyper-parameters to override. */
export type ParamGroupInput<O> = O & { params: readonly Tensor[] };

/** What an optimizer takes: a list of tensors, or a list of parameter groups (as PyTorch). */
export type Params<O> = readonly Tensor[] | readonly ParamGroupInput<O>[];

/**
 * A check for one hyper-parameter: null when the value is fine, else what it must be
 * ("a number >= 0"), which the error message quotes.
 */
export type Check = (v: unknown) => string | null;
/** One check per hyper-parameter: a missing entry fails to compile. */
export type Schema<H> = { readonly [K in keyof H]-?: Check };

/** Per-parameter state entries; tensors are the optimizer's own (kept) tensors. */
export type StateValue = Tensor | number;

/**
 * The state dict, in PyTorch's layout and with PyTorch's names so it can be saved and compared:
 * `state` maps a parameter's index (counted across groups in order) to its state entries
 * (`step` is a number here, a 0-d tensor in torch 1.13), and `param_groups` holds each group's
 * hyper-parameters under their snake_case names with `params` as indices.
 */
export interface OptimizerStateDict {
  state: Record<number, Record<string, StateValue | null | undefined>>;
  param_groups: Array<Record<string, unknown> & { params: number[] }>;
}

export const nonNegative: Check = (v) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? null : 'a finite number >= 0');
export const unitInterval: Check = (v) => (typeof v === 'number' && v >= 0 && v <= 1 ? null : 'a number in [0, 1]');
export const boolean: Check = (v) => (typeof v === 'boolean' ? null : 'a boolean');
/** Adam's betas: two numbers in [0, 1). */
export const betaPair: Check = (v) =>
  Array.isArray(v) && v.length === 2 && v.every((b) => typeof b === 'number' && b >= 0 && b < 1) ? null : 'two numbers in [0, 1)';

/** weightDecay → weight_decay: PyTorch's name for a hyper-parameter in the state dict. */
function snakeCase(k: string): string {
  return k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function show(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(show).join(', ')}]`;
  if (v instanceof Tensor) return `a Tensor of shape ${fmtShape(v.shape)}`;
  return typeof v === 'string' ? `'${v}'` : String(v);
}

export abstract class Optimizer<H extends BaseHyperParams, S extends { [k: string]: StateValue } = { [k: string]: StateValue }> {
  /** The parameter groups; each holds its tensors and all its hyper-parameters. */
  readonly paramGroups: ParamGroup<H>[] = [];
  /** The options given to the constructor over the built-in defaults; new groups start from these. */
  readonly defaults: Partial<H>;
  /** Per-parameter state (created at a parameter's first step). */
  state = new Map<Tensor, Partial<S>>();

  /**
   * @param name the optimizer's name, used in every error message
   * @param defaults built-in defaults (the values torch 1.13 uses)
   * @param schema a check for every hyper-parameter; its keys are the hyper-parameters' names
   * @param stateKeys the names of the state entries this optimizer keeps
   */
  protected constructor(
    readonly name: string,
    params: Params<Partial<H>>,
    options: Partial<H>,
    defaults: Partial<H>,
    private readonly schema: Schema<H>,
    private readonly stateKeys: { readonly [K in keyof S]-?: true },
  ) {
    if (options === null || typeof options !== 'object' || Array.isArray(options)) {
      throw new TensileError(name, `argument 'options' must be an object, got ${show(options)}`);
    }
    this.checkKeys(options, '');
    this.defaults = { ...defaults, ...definedEntries(options) };
    if (!Array.isArray(params)) throw new TensileError(name, `argument 'params' must be an array of Tensors or of parameter groups, got ${show(params)}`);
    if (params.length === 0) throw new TensileError(name, "argument 'params' is an empty list; there is nothing to optimize");
    const groups = params.every((p) => p instanceof Tensor) ? [{ params: params as readonly Tensor[] }] : (params as readonly ParamGroupInput<Partial<H>>[]);
    for (const g of groups) this.addGroup(g as ParamGroupInput<Partial<H>>, groups.length === 1 && params[0] instanceof Tensor);
  }

  /**
   * Adds a group of parameters with its own hyper-parameters (others come from the defaults),
   * e.g. to train a frozen layer from now on.
   * @example opt.addParamGroup({ params: [head.weight], lr: 1e-4 });
   */
  addParamGroup(group: ParamGroupInput<Partial<H>>): void {
    this.addGroup(group, false);
  }

  /** `plain`: the user gave a list of tensors, so errors need not name a group. */
  private addGroup(group: ParamGroupInput<Partial<H>>, plain: boolean): void {
    const gi = this.paramGroups.length;
    const where = plain ? '' : ` (param group ${gi})`;
    if (group === null || typeof group !== 'object' || Array.isArray(group) || group instanceof Tensor || !Array.isArray(group.params)) {
      throw new TensileError(this.name, `param group ${gi} must be an object { params: Tensor[], ...options }, got ${show(group)}`);
    }
    const { params, ...options } = group;
    this.checkKeys(options, where);
    if (params.length === 0) throw new TensileError(this.name, `param group ${gi} has an empty 'params' list`);
    const seen = new Set<Tensor>(this.paramGroups.flatMap((g) => g.params));
    params.forEach((p, i) => {
      this.checkParam(p, `params[${i}]`, where);
      if (seen.has(p)) throw new TensileError(this.name, `argument 'params[${i}]'${where} (tensor #${p.id}) appears more than once in the optimizer's parameters`);
      seen.add(p);
    });
    const full = { ...this.defaults, ...definedEntries(options) } as Partial<H>;
    this.checkHyperParams(full, where);
    // Copy array values (betas) so groups, defaults and the caller's options never alias.
    for (const [k, v] of Object.entries(full)) if (Array.isArray(v)) (full as Record<string, unknown>)[k] = [...v];
    this.paramGroups.push({ ...(full as H), params: [...params] });
  }

  /** Disposes and clears every parameter's `.grad` (PyTorch's `zero_grad(set_to_none=True)`). */
  zeroGrad(): void {
    for (const g of this.paramGroups) for (const p of g.params) p.zeroGrad();
  }

  /**
   * One update of every parameter that has a gradient (parameters whose `.grad` is null are
   * skipped, as in PyTorch).
   * @example loss.backward(); opt.step(); opt.zeroGrad();
   */
  step(): void {
    tidy(() => noGrad(() => {
      for (const group of this.paramGroups) {
        for (const p of group.params) {
          const grad = p.grad;
          if (grad === null) continue;
          p.assertAlive(`${this.name}.step`, 'param');
          grad.assertAlive(`${this.name}.step`, 'param.grad');
          let s = this.state.get(p);
          if (!s) this.state.set(p, (s = {}));
          this.update(p, grad, group, s);
        }
      }
    }));
  }

  /**
   * Updates one parameter in place from its gradient. Runs under noGrad inside a tidy scope:
   * temporaries need no care, new state tensors must be made with `keep`.
   */
  protected abstract update(p: Tensor, grad: Tensor, group: ParamGroup<H>, state: Partial<S>): void;

  /**
   * The optimizer's state in PyTorch's layout. The tensors are the optimizer's own (not copies,
   * as in PyTorch): clone them to keep a snapshot while training goes on, and do not dispose them.
   * @example const sd = opt.stateDict(); sd.param_groups[0].lr; sd.state[0].exp_avg
   */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    const keys = Object.keys(this.schema);
    const param_groups = this.paramGroups.map((g) => {
      const packed: Record<string, unknown> = {};
      for (const k of keys) {
        const v = (g as unknown as Record<string, unknown>)[k];
        packed[snakeCase(k)] = Array.isArray(v) ? [...v] : v;
      }
      if (g.initialLr !== undefined) packed.initial_lr = g.initialLr;
      const params = g.params.map((p) => {
        index.set(p, index.size);
        return index.size - 1;
      });
      return { ...packed, params };
    });
    const state: OptimizerStateDict['state'] = {};
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i !== undefined && Object.keys(s).length > 0) state[i] = { ...s } as Record<string, StateValue>;
    }
    return { state, param_groups };
  }

  /**
   * Loads a state dict made by `stateDict()` (of an optimizer of the same kind over parameters
   * of the same shapes): hyper-parameters per group, and copies of the state tensors moved to
   * each parameter's device and dtype, as PyTorch does. Nothing changes if the dict is invalid.
   * @example const opt2 = new tn.optim.Adam(params); opt2.loadStateDict(opt.stateDict());
   */
  loadStateDict(sd: OptimizerStateDict): void {
    const op = `${this.name}.loadStateDict`;
    if (sd === null || typeof sd !== 'object' || !Array.isArray(sd.param_groups) || sd.state === null || typeof sd.state !== 'object') {
      throw new TensileError(op, "argument 'stateDict' must be an object { state, param_groups } as made by stateDict()");
    }
    if (sd.param_groups.length !== this.paramGroups.length) {
      throw new TensileError(op, `the state dict has ${sd.param_groups.length} parameter groups but the optimizer has ${this.paramGroups.length}`);
    }
    const byIndex = new Map<number, Tensor>();
    const keys = Object.keys(this.schema) as (keyof H & string)[];
    const updates = sd.param_groups.map((saved, gi) => {
      const cur = this.paramGroups[gi];
      if (saved === null || typeof saved !== 'object' || !Array.isArray(saved.params) || saved.params.length !== cur.params.length) {
        throw new TensileError(op, `param group ${gi} of the state dict has ${Array.isArray(saved?.params) ? saved.params.length : 'no'} params but the optimizer's has ${cur.params.length}`);
      }
      saved.params.forEach((idx, j) => byIndex.set(idx, cur.params[j]));
      const values: Record<string, unknown> = {};
      for (const k of keys) {
        const v = saved[snakeCase(k)];
        if (snakeCase(k) in saved) values[k] = Array.isArray(v) ? [...v] : v;
      }
      if ('initial_lr' in saved) {
        if (nonNegative(saved.initial_lr) !== null) throw new TensileError(op, `param group ${gi}: 'initial_lr' must be a finite number >= 0, got ${show(saved.initial_lr)}`);
        values.initialLr = saved.initial_lr;
      }
      this.checkHyperParams({ ...cur, ...values } as Partial<H>, ` (param group ${gi} of the state dict)`, op);
      return values;
    });

    const state = new Map<Tensor, Partial<S>>();
    const dropAll = () => { for (const s of state.values()) disposeState(s); };
    try {
      for (const [key, entries] of Object.entries(sd.state)) {
        const p = byIndex.get(Number(key));
        if (!p) throw new TensileError(op, `the state dict has state for parameter ${key}, which no param group lists`);
        const s: Record<string, StateValue> = {};
        state.set(p, s as Partial<S>);
        for (const [k, v] of Object.entries(entries ?? {})) s[k] = this.loadEntry(op, key, p, k, v) as StateValue;
        for (const k of Object.keys(s)) if (s[k] === undefined) delete s[k];
      }
    } catch (e) {
      dropAll();
      throw e;
    }
    this.paramGroups.forEach((g, gi) => Object.assign(g, updates[gi]));
    for (const s of this.state.values()) disposeState(s);
    this.state = state;
  }

  /** Frees the state tensors; the optimizer starts afresh at its next step. */
  dispose(): void {
    for (const s of this.state.values()) disposeState(s);
    this.state.clear();
  }

  private loadEntry(op: string, index: string, p: Tensor, k: string, v: unknown): StateValue | undefined {
    if (!Object.prototype.hasOwnProperty.call(this.stateKeys, k)) {
      throw new TensileError(op, `state of parameter ${index} has an entry '${k}' that ${this.name} does not keep (it keeps ${Object.keys(this.stateKeys).join(', ')})`);
    }
    if (v === null || v === undefined) return undefined; // torch stores momentum_buffer = None
    if (k === 'step') {
      const n = v instanceof Tensor ? Number(v.itemSync()) : v;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw new TensileError(op, `state '${k}' of parameter ${index} must be a whole number >= 0, got ${show(v)}`);
      return n;
    }
    if (!(v instanceof Tensor)) throw new TensileError(op, `state '${k}' of parameter ${index} must be a Tensor, got ${show(v)}`);
    v.assertAlive(op, `state[${index}].${k}`);
    if (v.shape.length !== p.shape.length || v.shape.some((d, i) => d !== p.shape[i])) {
      throw new TensileError(op, `state '${k}' of parameter ${index} has shape ${fmtShape(v.shape)} but the parameter has ${fmtShape(p.shape)}`);
    }
    return keep(tidy(() => noGrad(() => v.to(p.device).cast(p.dtype).clone())));
  }

  private checkKeys(options: object, where: string): void {
    for (const k of Object.keys(options)) {
      if (k !== 'params' && !Object.prototype.hasOwnProperty.call(this.schema, k)) {
        throw new TensileError(this.name, `unknown option '${k}'${where}; ${this.name} takes ${Object.keys(this.schema).join(', ')}`);
      }
    }
  }

  private checkParam(p: unknown, arg: string, where: string): void {
    if (!(p instanceof Tensor)) throw new TensileError(this.name, `argument '${arg}'${where} must be a Tensor, got ${show(p)}`);
    p.assertAlive(this.name, arg);
    const what = `argument '${arg}'${where} (tensor #${p.id}, shape ${fmtShape(p.shape)}, dtype ${p.dtype})`;
    if (!isFloat(p.dtype)) throw new TensileError(this.name, `${what} is not a float tensor; only float32/float64 tensors can be optimized`);
    if (!p.requiresGrad) throw new TensileError(this.name, `${what} does not require grad; create it with { requiresGrad: true } or call requiresGrad_()`);
    if (!p.isLeaf) throw new TensileError(this.name, `${what} is not a leaf (it was computed by an op); optimize the tensors it was computed from`);
  }

  /** Runs the schema's check on every hyper-parameter, then the optimizer's own cross-checks. */
  private checkHyperParams(h: Partial<H>, where: string, op = this.name): void {
    for (const k of Object.keys(this.schema) as (keyof H & string)[]) {
      const v = h[k];
      if (v === undefined) throw new TensileError(op, `argument '${k}'${where} is required`);
      const want = this.schema[k](v);
      if (want !== null) throw new TensileError(op, `argument '${k}'${where} must be ${want}, got ${show(v)}`);
    }
    const msg = this.crossCheck(h as H);
    if (msg) throw new TensileError(op, `${msg}${where}`);
  }

  /** Checks that involve several hyper-parameters; returns what is wrong, or null. */
  protected crossCheck(_h: H): string | null {
    return null;
  }
}

function definedEntries<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function disposeState(s: object): void {
  for (const v of Object.values(s)) if (v instanceof Tensor) v.dispose();
}

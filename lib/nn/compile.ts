/**
 * What `model.compile` resolves: the optimizer (built lazily, once the model has weights), the
 * loss with Keras's semantics, and the split of a model's last activation so that the loss is
 * computed from the pre-activation (logits), as Keras does for Softmax and Sigmoid outputs.
 */
import { TensileError } from '../errors.js';
import { Tensor } from '../tensor.js';
import { add, clamp, div, log, mean, mul, neg, reshape, sigmoid, softmax, sub, sum } from '../ops/index.js';
import { bceWithLogits, crossEntropy, huber, l1, mse, nll } from '../losses/index.js';
import { type Optimizer, SGD, Adam, AdamW, RMSprop, Adagrad } from '../optim/index.js';
import { type AnyModule, Module } from './module.js';
import { Sequential } from './container.js';
import { Dense } from './linear.js';
import { Sigmoid, Softmax } from './activation.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyOptimizer = Optimizer<any, any>;
export type OptimizerName = 'adam' | 'sgd' | 'rmsprop' | 'adagrad' | 'adamw';
/** A name, an optimizer over the model's parameters, or `{ type, ...options }`. */
export type OptimizerSpec = OptimizerName | AnyOptimizer | ({ type: OptimizerName } & Record<string, unknown>);
export type LossName = 'sparseCategoricalCrossentropy' | 'categoricalCrossentropy' | 'binaryCrossentropy' | 'mse' | 'mae' | 'huber';
/** A custom loss: (prediction, target) in PyTorch's order, returning a scalar; tn.losses.* fit. */
export type LossFunction = (yPred: Tensor, yTrue: Tensor) => Tensor;
/** How a resolved loss reads its target. */
export type LossKind = 'sparse' | 'categorical' | 'binary' | 'regression' | 'custom';

/** Keras's epsilon: probabilities are clipped to [eps, 1 - eps] before a log. */
const EPSILON = 1e-7;

const OPTIMIZERS: { [K in OptimizerName]: (params: Tensor[], opts: Record<string, unknown>) => AnyOptimizer } = {
  adam: (p, o) => new Adam(p, o),
  adamw: (p, o) => new AdamW(p, o),
  // PyTorch's SGD has no default learning rate; Keras's is 0.01.
  sgd: (p, o) => new SGD(p, { lr: 0.01, ...o }),
  rmsprop: (p, o) => new RMSprop(p, o),
  adagrad: (p, o) => new Adagrad(p, o),
};

/** 'Adam' and 'adam' alike; Keras's snake_case names too ('mean_squared_error'). */
function normalizeName(s: string): string {
  return s.replace(/_/g, '').toLowerCase();
}

function isOptimizer(v: unknown): v is AnyOptimizer {
  return v !== null && typeof v === 'object' && Array.isArray((v as AnyOptimizer).paramGroups) && typeof (v as AnyOptimizer).step === 'function';
}

/** The optimizer's name and options when given by name (serializable), or null for an instance. */
export function optimizerConfig(spec: OptimizerSpec): { type: OptimizerName; options: Record<string, unknown> } | null {
  if (isOptimizer(spec)) return null;
  if (typeof spec === 'string') return { type: optimizerName(spec), options: {} };
  if (spec !== null && typeof spec === 'object' && typeof spec.type === 'string') {
    const { type, ...options } = spec;
    return { type: optimizerName(type), options };
  }
  throw new TensileError('compile', `option 'optimizer' must be one of ${Object.keys(OPTIMIZERS).map((k) => `'${k}'`).join(', ')}, an Optimizer, or { type, ...options }, got ${describe(spec)}`);
}

function optimizerName(s: string): OptimizerName {
  const n = normalizeName(s) as OptimizerName;
  if (!Object.prototype.hasOwnProperty.call(OPTIMIZERS, n)) {
    throw new TensileError('compile', `unknown optimizer '${s}'; use one of ${Object.keys(OPTIMIZERS).map((k) => `'${k}'`).join(', ')}, an Optimizer, or { type, ...options }`);
  }
  return n;
}

/** Checks a spec at compile time (options are checked by the optimizer when it is built). */
export function checkOptimizerSpec(spec: OptimizerSpec): void {
  if (!isOptimizer(spec)) optimizerConfig(spec);
}

/** The optimizer of a spec over `params` (an instance is used as it is). */
export function buildOptimizer(spec: OptimizerSpec, params: Tensor[]): AnyOptimizer {
  if (isOptimizer(spec)) return spec;
  const cfg = optimizerConfig(spec)!;
  if (params.length === 0) throw new TensileError('compile', 'the model has no parameters to optimize');
  return OPTIMIZERS[cfg.type](params, cfg.options);
}

/**
 * A forward pass with the last activation split off: `logits` is the pre-activation when the
 * model ends in Softmax or Sigmoid (or the output itself with fromLogits), and `value` (the
 * model's real output) is computed from it only when asked for.
 */
export class ModelOutput {
  private computed: Tensor | null;
  constructor(value: Tensor | null, readonly logits: Tensor | null, readonly activation: 'softmax' | 'sigmoid' | null) {
    this.computed = value;
  }
  /** What model.call(x) returns. */
  get value(): Tensor {
    if (!this.computed) this.computed = this.activation === 'softmax' ? softmax(this.logits!, -1) : sigmoid(this.logits!);
    return this.computed;
  }
  /** Class scores, monotone in the probabilities: logits when known (argmax, top-k). */
  get scores(): Tensor {
    return this.logits ?? this.value;
  }
  /**
   * The logits when the output is `kind` of them (the split-off activation, or fromLogits);
   * null otherwise, e.g. a sigmoid head under a softmax loss, which then uses the probabilities.
   */
  logitsFor(kind: 'softmax' | 'sigmoid'): Tensor | null {
    return this.activation === kind || this.activation === null ? this.logits : null;
  }
}

/** The last activation of a model, if Keras would fold it into the loss. */
function headActivation(m: AnyModule, rank: number): 'softmax' | 'sigmoid' | null {
  if (m.constructor === Softmax) return (m as Softmax).axis === -1 || (m as Softmax).axis === rank - 1 ? 'softmax' : null;
  if (m.constructor === Sigmoid) return 'sigmoid';
  if (m.constructor === Dense) {
    const a = (m as Dense).activation;
    return a === 'softmax' || a === 'sigmoid' ? a : null;
  }
  return null;
}

/**
 * Runs the model, splitting off a final Softmax/Sigmoid (a layer, or a Dense's activation,
 * at the end of nested Sequentials) so the loss can use the logits.
 */
export function forwardWithHead(model: AnyModule, x: Tensor, fromLogits: boolean): ModelOutput {
  if (fromLogits) {
    const y = callTensor(model, x, 'model');
    return new ModelOutput(y, y, null);
  }
  return splitForward(model, x);
}

function splitForward(m: AnyModule, x: Tensor): ModelOutput {
  if (m instanceof Sequential && m.constructor === Sequential && m.length > 0) {
    const named = m.namedChildren();
    let h = x;
    for (const [name, layer] of named.slice(0, -1)) h = callTensor(layer, h, name);
    return splitForward(named[named.length - 1][1], h);
  }
  const act = headActivation(m, x.rank);
  if (act === null) return new ModelOutput(callTensor(m, x, 'model'), null, null);
  const logits = m instanceof Dense ? m.preActivation(x) : x;
  return new ModelOutput(null, logits, act);
}

function callTensor(m: AnyModule, x: Tensor, name: string): Tensor {
  const y = m.call(x);
  if (!(y instanceof Tensor)) {
    const hint = Array.isArray(y) ? '; an LSTM returns [output, [h, c]] unless built with { returnSequences: true | false }' : '';
    throw new TensileError('fit', `layer '${name}' (${m.constructor.name}) returned ${Array.isArray(y) ? 'an array' : typeof y}, not a Tensor${hint}`);
  }
  return y as Tensor;
}

/** A loss as fit uses it. `kind` says how the target is prepared (see training.ts). */
export interface ResolvedLoss {
  name: string;
  kind: LossKind;
  compute(out: ModelOutput, y: Tensor): Tensor;
}

/** [..., C] scores and [...] labels as [M, C] and [M] (classes on axis 1, as crossEntropy wants). */
function flatClasses(s: Tensor, y: Tensor): [Tensor, Tensor] {
  const C = s.shape[s.rank - 1];
  return s.rank === 2 ? [s, reshape(y, [-1])] : [reshape(s, [-1, C]), reshape(y, [-1])];
}

const LOSSES: { [K in LossName]: ResolvedLoss } = {
  sparseCategoricalCrossentropy: {
    name: 'sparseCategoricalCrossentropy', kind: 'sparse',
    compute(out, y) {
      const logits = out.logitsFor('softmax');
      if (logits) return crossEntropy(...flatClasses(logits, y));
      const [p, t] = flatClasses(out.value, y);
      return nll(log(clamp(p, EPSILON, 1 - EPSILON)), t);
    },
  },
  categoricalCrossentropy: {
    name: 'categoricalCrossentropy', kind: 'categorical',
    compute(out, y) {
      const C = y.shape[y.rank - 1];
      const logits = out.logitsFor('softmax');
      if (logits) return crossEntropy(reshape(logits, [-1, C]), reshape(y, [-1, C]));
      // Keras rescales the probabilities to sum to 1, then clips.
      const p = out.value;
      const q = clamp(div(p, sum(p, -1, true)), EPSILON, 1 - EPSILON);
      return mean(neg(sum(mul(y, log(q)), -1)));
    },
  },
  binaryCrossentropy: {
    name: 'binaryCrossentropy', kind: 'binary',
    compute(out, y) {
      const logits = out.logitsFor('sigmoid');
      if (logits) return bceWithLogits(logits, y);
      const p = clamp(out.value, EPSILON, 1 - EPSILON);
      return mean(neg(add(mul(y, log(p)), mul(sub(1, y), log(sub(1, p))))));
    },
  },
  mse: { name: 'mse', kind: 'regression', compute: (out, y) => mse(out.value, y) },
  mae: { name: 'mae', kind: 'regression', compute: (out, y) => l1(out.value, y) },
  huber: { name: 'huber', kind: 'regression', compute: (out, y) => huber(out.value, y) },
};

const LOSS_ALIASES: Record<string, LossName> = {
  sparsecategoricalcrossentropy: 'sparseCategoricalCrossentropy',
  categoricalcrossentropy: 'categoricalCrossentropy',
  binarycrossentropy: 'binaryCrossentropy',
  mse: 'mse', meansquarederror: 'mse',
  mae: 'mae', meanabsoluteerror: 'mae',
  huber: 'huber',
};

/** The loss for a name or function; throws naming the choices. */
export function resolveLoss(spec: LossName | LossFunction): ResolvedLoss {
  if (typeof spec === 'function') {
    return {
      name: spec.name || 'custom', kind: 'custom',
      compute(out, y) {
        const l = spec(out.value, y);
        if (!(l instanceof Tensor)) {
          throw new TensileError('fit', `the loss function returned ${describe(l)}, not a Tensor`);
        }
        // A per-sample loss is averaged, as Keras does.
        return l.size === 1 ? reshape(l, []) : mean(l);
      },
    };
  }
  const n = typeof spec === 'string' ? LOSS_ALIASES[normalizeName(spec)] : undefined;
  if (!n) {
    throw new TensileError('compile', `option 'loss' must be one of ${Object.keys(LOSSES).map((k) => `'${k}'`).join(', ')} or a function (yPred, yTrue) => Tensor, got ${describe(spec)}`);
  }
  return LOSSES[n];
}

/** Throws unless `module` is a Module (compile/fit called on something else through the prototype). */
export function checkModule(op: string, m: unknown): AnyModule {
  if (!(m instanceof Module)) throw new TensileError(op, `must be called on a Module, got ${describe(m)}`);
  return m;
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'object') return (v as object).constructor?.name ? `a ${(v as object).constructor.name}` : 'an object';
  return String(v);
}

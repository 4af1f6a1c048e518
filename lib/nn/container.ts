/** Sequential: layers applied in order, named '0', '1', ... as PyTorch (or by the names given). */
import { TensileError, fmtShape } from '../errors.js';
import { Tensor } from '../tensor.js';
import { tidy } from '../memory.js';
import { noGrad } from '../autograd/mode.js';
import { zeros } from '../ops/index.js';
import { type AnyModule, Module } from './module.js';

/**
 * torch.nn.Sequential (and Keras's Sequential container): `call(x)` feeds x through each
 * layer. Layers are children named '0', '1', ... so state-dict keys are `0.weight`; a plain
 * object of named layers gives those names instead (PyTorch's OrderedDict form).
 * @example
 * const model = new tn.nn.Sequential(new tn.nn.Linear(4, 8), new tn.nn.ReLU(), new tn.nn.Linear(8, 1));
 * const y = model.call(x);
 */
export class Sequential extends Module {
  constructor(...layers: AnyModule[] | [Record<string, AnyModule>]) {
    super();
    if (layers.length === 1 && !(layers[0] instanceof Module) && layers[0] !== null && typeof layers[0] === 'object') {
      for (const [name, m] of Object.entries(layers[0] as Record<string, AnyModule>)) this.registerModule(name, checkLayer(m, name));
    } else {
      (layers as AnyModule[]).forEach((m, i) => this.add(checkLayer(m, String(i))));
    }
  }

  /** Appends a layer under the next index (Keras's `model.add`); returns this. */
  add(layer: AnyModule): this {
    this.registerModule(String(this.length), checkLayer(layer, String(this.length)));
    return this;
  }

  /** Appends a layer (PyTorch's name for add). */
  append(layer: AnyModule): this {
    return this.add(layer);
  }

  /** The layers, in order. */
  get layers(): AnyModule[] {
    return this.children();
  }

  get length(): number {
    return this.children().length;
  }

  /** The i-th layer (negative counts from the end). */
  at(i: number): AnyModule {
    const ls = this.layers;
    const k = i < 0 ? i + ls.length : i;
    if (!Number.isInteger(k) || k < 0 || k >= ls.length) throw new TensileError('Sequential', `index ${i} is out of range for ${ls.length} layers`);
    return ls[k];
  }

  [Symbol.iterator](): Iterator<AnyModule> {
    return this.layers[Symbol.iterator]();
  }

  forward(x: Tensor): Tensor {
    let y: unknown = x;
    for (const [name, layer] of this.namedChildren()) {
      y = layer.call(y);
      if (!(y instanceof Tensor)) {
        const hint = Array.isArray(y) ? '; an LSTM returns [output, [h, c]] unless built with { returnSequences: true | false }' : '';
        throw new TensileError('Sequential', `layer '${name}' (${layer.constructor.name}) returned ${Array.isArray(y) ? 'an array' : typeof y}, not a Tensor${hint}`);
      }
    }
    return y as Tensor;
  }

  /**
   * Creates the weights of lazy layers (Dense without inputDim) by running a sample of
   * `inputShape` (the full shape, batch dim included, e.g. [1, 784]) through the model in
   * eval mode without gradients; the training mode is restored after. Returns this.
   * @example new tn.nn.Sequential(new tn.nn.Dense(10)).build([1, 784]).parameters().length // 2
   */
  build(inputShape: readonly number[]): this {
    if (!Array.isArray(inputShape) || inputShape.some((d) => !Number.isInteger(d) || d < 0)) {
      throw new TensileError('Sequential', `build needs the input's shape as non-negative integers, got ${Array.isArray(inputShape) ? fmtShape(inputShape) : String(inputShape)}`);
    }
    const first = this.parameters()[0];
    const modes = this.modules().map((m) => m.training);
    this.eval();
    try {
      tidy(() => noGrad(() => {
        this.forward(zeros(inputShape, first ? { device: first.device, dtype: first.dtype } : {}));
      }));
    } finally {
      this.modules().forEach((m, i) => (m.training = modes[i]));
    }
    return this;
  }
}

function checkLayer(m: unknown, name: string): AnyModule {
  if (!(m instanceof Module)) {
    throw new TensileError('Sequential', `layer '${name}' must be a Module, got ${m === null ? 'null' : typeof m === 'function' ? 'a function (did you forget new?)' : typeof m}`);
  }
  return m;
}

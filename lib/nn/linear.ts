/** Affine layers (Linear, Keras-style Dense) and Flatten. */
import type { DeviceName } from '../backends/backend.js';
import { TensileError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { add, flatten, matmulT, reshape, squeeze, unsqueeze } from '../ops/index.js';
import { Module, type FactoryOptions, checkDevice, checkInput, factoryOf, newTensor } from './module.js';
import { type Initializer, applyInitializer, heUniform, uniform } from './init.js';
import { type ActivationName, activationFunction } from './activation.js';

/**
 * y = x W^T + b over the last dim (any leading dims), W of shape [out, in] as PyTorch.
 * `layer` names the caller in the error a wrong feature size raises.
 */
export function linear(x: Tensor, w: Tensor, b: Tensor | null, layer = 'linear'): Tensor {
  const inF = w.shape[1];
  if (x.rank === 0 || x.shape[x.rank - 1] !== inF) {
    throw new TensileError(layer, `expected input with ${inF} features in its last dim, got shape ${fmtShape(x.shape)}`);
  }
  checkDevice(layer, x, w);
  let y: Tensor;
  if (x.rank === 2) y = matmulT(x, w, false, true);
  else if (x.rank === 1) y = squeeze(matmulT(unsqueeze(x, 0), w, false, true), 0);
  // Leading dims fold into one matrix, so the weight's gradient is one GEMM, not a batch.
  else y = reshape(matmulT(reshape(x, [-1, inF]), w, false, true), [...x.shape.slice(0, -1), w.shape[0]]);
  return b ? add(y, b) : y;
}

export interface LinearOptions extends FactoryOptions {
  /** Learn an additive bias (default true). */
  bias?: boolean;
}

/**
 * Fully connected layer as torch.nn.Linear: weight [outFeatures, inFeatures] with PyTorch's
 * initialization (kaiming_uniform with a = √5, i.e. U(±1/√in); bias U(±1/√in)).
 * @example const fc = new tn.nn.Linear(784, 10); const logits = fc.call(x);
 */
export class Linear extends Module {
  constructor(readonly inFeatures: number, readonly outFeatures: number, opts: LinearOptions = {}) {
    super();
    checkFeatures('Linear', { inFeatures, outFeatures });
    const f = factoryOf('Linear', opts);
    const w = newTensor([outFeatures, inFeatures], f);
    // torch.nn.init warns and skips zero-element tensors; so do we (fan 0 has no bound).
    if (w.size > 0) heUniform(w, { a: Math.sqrt(5) });
    this.registerParameter('weight', w);
    let b: Tensor | null = null;
    if (opts.bias ?? true) {
      const bound = inFeatures > 0 ? 1 / Math.sqrt(inFeatures) : 0;
      b = uniform(newTensor([outFeatures], f), -bound, bound);
    }
    this.registerParameter('bias', b);
  }
  get weight(): Tensor { return this.tensor('weight'); }
  get bias(): Tensor | null { return this.optionalTensor('bias'); }

  forward(x: Tensor): Tensor {
    return linear(checkInput('Linear', x), this.weight, this.bias, this.label());
  }
  private label(): string {
    return `Linear(in_features=${this.inFeatures}, out_features=${this.outFeatures})`;
  }
  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${this.bias !== null ? 'True' : 'False'}`;
  }
}

function checkFeatures(layer: string, dims: Record<string, number | undefined>): void {
  for (const [k, v] of Object.entries(dims)) {
    if (v !== undefined && (!Number.isInteger(v) || v < 0)) throw new TensileError(layer, `${k} must be a non-negative integer, got ${String(v)}`);
  }
}

export interface DenseOptions extends FactoryOptions {
  /** Applied after the affine map (Keras names); default 'linear' (none). */
  activation?: ActivationName | ((x: Tensor) => Tensor) | null;
  /** Input features; when omitted the weights are created at the first forward (or load). */
  inputDim?: number;
  /** Keras's alternative to inputDim: the per-sample input shape, e.g. [784]. */
  inputShape?: readonly number[];
  /** Keras's name for bias (default true). */
  useBias?: boolean;
  /** Default 'glorotUniform', as Keras. */
  kernelInitializer?: Initializer;
  /** Default 'zeros', as Keras. */
  biasInitializer?: Initializer;
}

/**
 * Keras-style fully connected layer: `units` outputs, an optional activation, Keras's
 * initialization (Glorot-uniform weight, zero bias). Its weight is [units, inputDim] and its
 * state-dict keys are `weight` and `bias`, as Linear. Without inputDim the weights are
 * created at the first forward from the input's last dim (or by `build`, or from a state
 * dict being loaded), as Keras builds layers lazily.
 * @example new tn.nn.Dense(64, { activation: 'relu', inputDim: 784 })
 */
export class Dense extends Module {
  readonly units: number;
  readonly useBias: boolean;
  /** The activation's name ('linear' when none, 'custom' for a function). */
  readonly activation: ActivationName | 'custom';
  private readonly act: ((x: Tensor) => Tensor) | null;
  private factory: { device: DeviceName; dtype: 'float32' | 'float64' };
  private readonly kernelInit: Initializer;
  private readonly biasInit: Initializer;
  private inDim: number | null = null;

  constructor(units: number, opts: DenseOptions = {}) {
    super();
    checkFeatures('Dense', { units });
    if (units === 0) throw new TensileError('Dense', 'units must be a positive integer, got 0');
    this.units = units;
    this.useBias = opts.useBias ?? true;
    this.factory = factoryOf('Dense', opts);
    this.kernelInit = opts.kernelInitializer ?? 'glorotUniform';
    this.biasInit = opts.biasInitializer ?? 'zeros';
    const a = opts.activation ?? 'linear';
    this.activation = typeof a === 'function' ? 'custom' : a;
    this.act = typeof a === 'function' ? a : activationFunction('Dense', a);
    this.registerParameter('weight', null);
    this.registerParameter('bias', null);
    if (opts.inputDim !== undefined && opts.inputShape !== undefined) throw new TensileError('Dense', 'give inputDim or inputShape, not both');
    const inputDim = opts.inputShape !== undefined ? opts.inputShape[opts.inputShape.length - 1] : opts.inputDim;
    if (inputDim !== undefined) this.build(inputDim);
  }

  /** Whether the weights exist yet. */
  get built(): boolean { return this.inDim !== null; }
  /** The input features once built, else null. */
  get inputDim(): number | null { return this.inDim; }
  get weight(): Tensor | null { return this.optionalTensor('weight'); }
  get bias(): Tensor | null { return this.optionalTensor('bias'); }

  /**
   * Creates the weights for `inputDim` input features (Keras's `build`); a no-op when built
   * with the same size.
   */
  build(inputDim: number): this {
    checkFeatures('Dense', { inputDim });
    if (this.inDim !== null) {
      if (this.inDim !== inputDim) throw new TensileError('Dense', `already built for ${this.inDim} input features, asked to build for ${inputDim}`);
      return this;
    }
    const w = newTensor([this.units, inputDim], this.factory);
    applyInitializer('Dense', w, this.kernelInit);
    this.registerParameter('weight', w);
    if (this.useBias) {
      const b = newTensor([this.units], this.factory);
      applyInitializer('Dense', b, this.biasInit);
      this.registerParameter('bias', b);
    }
    this.inDim = inputDim;
    return this;
  }

  /** The affine part alone (logits before a softmax/sigmoid activation), for stable losses. */
  preActivation(x: Tensor): Tensor {
    checkInput('Dense', x);
    if (this.inDim === null) {
      if (x.rank === 0) throw new TensileError('Dense', 'input must have at least one dim, got a scalar');
      this.build(x.shape[x.rank - 1]);
    }
    return linear(x, this.weight!, this.bias, `Dense(units=${this.units}, input_dim=${this.inDim})`);
  }

  forward(x: Tensor): Tensor {
    const y = this.preActivation(x);
    return this.act ? this.act(y) : y;
  }

  protected override materializeFrom(sd: Map<string, Tensor>, prefix: string): void {
    const w = sd.get(`${prefix}weight`);
    if (this.inDim === null && w && w.rank === 2 && w.shape[0] === this.units) this.build(w.shape[1]);
  }

  protected override onTo(target: DeviceName | 'float32' | 'float64'): void {
    if (target === 'float32' || target === 'float64') this.factory = { ...this.factory, dtype: target };
    else this.factory = { ...this.factory, device: target };
  }

  override extraRepr(): string {
    return `units=${this.units}, input_dim=${this.inDim ?? 'None'}, activation=${this.activation}, use_bias=${this.useBias ? 'True' : 'False'}`;
  }
}

/**
 * Merges dims startDim..endDim into one (torch.nn.Flatten; defaults keep the batch dim).
 * @example new tn.nn.Flatten().call(tn.zeros([8, 1, 28, 28])).shape // [8, 784]
 */
export class Flatten extends Module {
  constructor(readonly startDim = 1, readonly endDim = -1) {
    super();
    checkInteger('Flatten', { startDim, endDim });
  }
  forward(x: Tensor): Tensor {
    checkInput('Flatten', x);
    const r = x.rank;
    const s = this.startDim < 0 ? this.startDim + r : this.startDim;
    const e = this.endDim < 0 ? this.endDim + r : this.endDim;
    if (s < 0 || s >= Math.max(r, 1) || e < 0 || e >= Math.max(r, 1) || s > e) {
      throw new TensileError('Flatten', `cannot flatten dims ${this.startDim}..${this.endDim} of an input of shape ${fmtShape(x.shape)}`);
    }
    return flatten(x, this.startDim, this.endDim);
  }
  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}

function checkInteger(layer: string, vals: Record<string, number>): void {
  for (const [k, v] of Object.entries(vals)) if (!Number.isInteger(v)) throw new TensileError(layer, `${k} must be an integer, got ${String(v)}`);
}

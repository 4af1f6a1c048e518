/** Normalization layers: LayerNorm and BatchNorm1d, composed from ops (gradients for free). */
import { TensileError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { tidy } from '../memory.js';
import { noGrad } from '../autograd/mode.js';
import { add, addInPlace, assign, cast, mean, mul, reciprocal, reshape, rsqrt, sub } from '../ops/index.js';
import { Module, type FactoryOptions, checkDevice, checkInput, factoryOf, newTensor } from './module.js';
import { ones, zeros } from './init.js';

/** (x - mean) / sqrt(var + eps) over `axes`, with the biased variance (as both torch norms). */
function normalize(x: Tensor, axes: number[], eps: number): { y: Tensor; mu: Tensor; v: Tensor } {
  const mu = mean(x, axes, true);
  const d = sub(x, mu);
  const v = mean(mul(d, d), axes, true);
  return { y: mul(d, rsqrt(add(v, eps))), mu, v };
}

export interface LayerNormOptions extends FactoryOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Learn a per-element scale (weight, ones) and shift (bias, zeros); default true. */
  elementwiseAffine?: boolean;
}

/**
 * torch.nn.LayerNorm: normalizes over the trailing dims given by `normalizedShape`.
 * @example new tn.nn.LayerNorm(64).call(x)   // x: [..., 64]
 */
export class LayerNorm extends Module {
  readonly normalizedShape: readonly number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  constructor(normalizedShape: number | readonly number[], opts: LayerNormOptions = {}) {
    super();
    const shape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    if (shape.length === 0 || shape.some((d) => !Number.isInteger(d) || d < 0)) {
      throw new TensileError('LayerNorm', `normalizedShape must be a non-negative integer or a non-empty list of them, got ${String(normalizedShape)}`);
    }
    this.normalizedShape = Object.freeze(shape);
    this.eps = checkEps('LayerNorm', opts.eps ?? 1e-5);
    this.elementwiseAffine = opts.elementwiseAffine ?? true;
    const f = factoryOf('LayerNorm', opts);
    this.registerParameter('weight', this.elementwiseAffine ? ones(newTensor(shape, f)) : null);
    this.registerParameter('bias', this.elementwiseAffine ? zeros(newTensor(shape, f)) : null);
  }
  get weight(): Tensor | null { return this.optionalTensor('weight'); }
  get bias(): Tensor | null { return this.optionalTensor('bias'); }

  forward(x: Tensor): Tensor {
    checkInput('LayerNorm', x);
    const k = this.normalizedShape.length;
    const tail = x.shape.slice(x.rank - k);
    if (x.rank < k || tail.some((d, i) => d !== this.normalizedShape[i])) {
      throw new TensileError('LayerNorm', `expected input with shape [*, ${this.normalizedShape.join(', ')}], got ${fmtShape(x.shape)}`);
    }
    const axes = Array.from({ length: k }, (_, i) => x.rank - k + i);
    let { y } = normalize(x, axes, this.eps);
    const w = this.weight, b = this.bias;
    if (w) { checkDevice('LayerNorm', x, w); y = mul(y, w); }
    if (b) y = add(y, b);
    return y;
  }

  override extraRepr(): string {
    return `(${this.normalizedShape.join(', ')}${this.normalizedShape.length === 1 ? ',' : ''}), eps=${this.eps}, elementwise_affine=${this.elementwiseAffine ? 'True' : 'False'}`;
  }
}

function checkEps(layer: string, eps: number): number {
  if (typeof eps !== 'number' || !(eps >= 0)) throw new TensileError(layer, `eps must be a non-negative number, got ${String(eps)}`);
  return eps;
}

export interface BatchNormOptions extends FactoryOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /**
   * Weight of the new batch in the running statistics (default 0.1, PyTorch's convention:
   * running = (1 - momentum) running + momentum batch); null for a cumulative average.
   */
  momentum?: number | null;
  /** Learn a per-feature scale and shift (default true). */
  affine?: boolean;
  /** Keep running statistics for eval (default true); without, batch statistics are always used. */
  trackRunningStats?: boolean;
}

/**
 * torch.nn.BatchNorm1d over [N, C] or [N, C, L] inputs: batch statistics in training (the
 * running variance is updated with the unbiased batch variance, as PyTorch), running
 * statistics in eval. Buffers: running_mean, running_var, num_batches_tracked (int32 here,
 * int64 in PyTorch).
 * @example const bn = new tn.nn.BatchNorm1d(16); bn.call(x); bn.eval(); bn.call(x);
 */
export class BatchNorm1d extends Module {
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  constructor(readonly numFeatures: number, opts: BatchNormOptions = {}) {
    super();
    if (!Number.isInteger(numFeatures) || numFeatures < 1) throw new TensileError('BatchNorm1d', `numFeatures must be a positive integer, got ${String(numFeatures)}`);
    this.eps = checkEps('BatchNorm1d', opts.eps ?? 1e-5);
    const m = opts.momentum === undefined ? 0.1 : opts.momentum;
    if (m !== null && (typeof m !== 'number' || !(m >= 0 && m <= 1))) throw new TensileError('BatchNorm1d', `momentum must be in [0, 1] or null, got ${String(m)}`);
    this.momentum = m;
    this.affine = opts.affine ?? true;
    this.trackRunningStats = opts.trackRunningStats ?? true;
    const f = factoryOf('BatchNorm1d', opts);
    this.registerParameter('weight', this.affine ? ones(newTensor([numFeatures], f)) : null);
    this.registerParameter('bias', this.affine ? zeros(newTensor([numFeatures], f)) : null);
    const track = this.trackRunningStats;
    this.registerBuffer('running_mean', track ? newTensor([numFeatures], f) : null);
    this.registerBuffer('running_var', track ? ones(newTensor([numFeatures], f)) : null);
    this.registerBuffer('num_batches_tracked', track ? newTensor([], { device: f.device, dtype: 'int32' }) : null);
  }
  get weight(): Tensor | null { return this.optionalTensor('weight'); }
  get bias(): Tensor | null { return this.optionalTensor('bias'); }
  get runningMean(): Tensor | null { return this.optionalTensor('running_mean'); }
  get runningVar(): Tensor | null { return this.optionalTensor('running_var'); }
  get numBatchesTracked(): Tensor | null { return this.optionalTensor('num_batches_tracked'); }

  forward(x: Tensor): Tensor {
    checkInput('BatchNorm1d', x);
    if ((x.rank !== 2 && x.rank !== 3) || x.shape[1] !== this.numFeatures) {
      throw new TensileError('BatchNorm1d', `expected input of shape [N, ${this.numFeatures}] or [N, ${this.numFeatures}, L], got ${fmtShape(x.shape)}`);
    }
    const axes = x.rank === 2 ? [0] : [0, 2];
    // Per-feature tensors broadcast against [N, C] as [C], against [N, C, L] as [C, 1].
    const perFeature = (t: Tensor) => (x.rank === 2 ? t : reshape(t, [this.numFeatures, 1]));
    const rm = this.runningMean, rv = this.runningVar;
    if (rm) checkDevice('BatchNorm1d', x, rm);
    let y: Tensor;
    if (this.training || !rm || !rv) {
      const n = x.size / this.numFeatures;
      if (this.training && n <= 1) {
        throw new TensileError('BatchNorm1d', `expected more than 1 value per channel when training, got input of shape ${fmtShape(x.shape)}`);
      }
      const stats = normalize(x, axes, this.eps);
      y = stats.y;
      if (this.training && rm && rv) this.updateRunningStats(stats.mu, stats.v, n);
    } else {
      y = mul(sub(x, perFeature(rm)), perFeature(rsqrt(add(rv, this.eps))));
    }
    const w = this.weight, b = this.bias;
    if (w) y = mul(y, perFeature(w));
    if (b) y = add(y, perFeature(b));
    return y;
  }

  private updateRunningStats(mu: Tensor, v: Tensor, n: number): void {
    const rm = this.runningMean!, rv = this.runningVar!, count = this.numBatchesTracked!;
    tidy(() => noGrad(() => {
      addInPlace(count, 1);
      // With momentum null the factor is 1 / batches seen, computed on the device (no readback).
      const factor: Tensor | number = this.momentum ?? reciprocal(cast(count, rm.dtype));
      const batchMean = reshape(mu.detach(), [this.numFeatures]);
      // The running variance takes the unbiased batch variance, as PyTorch.
      const batchVar = mul(reshape(v.detach(), [this.numFeatures]), n / (n - 1));
      assign(rm, add(rm, mul(sub(batchMean, rm), factor)));
      assign(rv, add(rv, mul(sub(batchVar, rv), factor)));
    }));
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum ?? 'None'}, affine=${this.affine ? 'True' : 'False'}, track_running_stats=${this.trackRunningStats ? 'True' : 'False'}`;
  }
}

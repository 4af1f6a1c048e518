/**
 * Adam and AdamW (with AMSGrad), the update rules of torch.optim.Adam and torch.optim.AdamW
 * (torch 1.13): Adam adds weight decay to the gradient (L2), AdamW shrinks the weights directly
 * (decoupled weight decay, Loshchilov & Hutter 2019).
 */
import type { Tensor } from '../tensor.js';
import { keep } from '../memory.js';
import { adamUpdate, zerosLike } from '../ops/index.js';
import { type ParamGroup, type Params, Optimizer, betaPair, boolean, nonNegative } from './optimizer.js';

export interface AdamOptions {
  /** Learning rate (default 1e-3). */
  lr?: number;
  /** Decay rates of the first and second moment averages (default [0.9, 0.999]). */
  betas?: readonly [number, number] | number[];
  /** Added to the denominator for numerical stability (default 1e-8). */
  eps?: number;
  /** Weight decay: L2 in Adam (default 0), decoupled in AdamW (default 0.01). */
  weightDecay?: number;
  /** Use the running maximum of the second moment (AMSGrad, Reddi et al. 2018; default false). */
  amsgrad?: boolean;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize?: boolean;
  /**
   * Update each parameter with one fused kernel (default true, as torch's `fused`); false runs
   * the composed tensor ops, the reference the fused kernel is tested against.
   */
  fused?: boolean;
}

type AdamHyperParams = Required<AdamOptions>;
interface AdamState {
  [k: string]: Tensor | number;
  step: number;
  exp_avg: Tensor;
  exp_avg_sq: Tensor;
  max_exp_avg_sq: Tensor;
}

const SCHEMA = { lr: nonNegative, betas: betaPair, eps: nonNegative, weightDecay: nonNegative, amsgrad: boolean, maximize: boolean, fused: boolean };
const STATE_KEYS = { step: true, exp_avg: true, exp_avg_sq: true, max_exp_avg_sq: true } as const;

/** The shared update; `decoupled` picks AdamW's weight decay. */
abstract class AdamFamily extends Optimizer<AdamHyperParams, AdamState> {
  protected abstract readonly decoupled: boolean;

  protected update(p: Tensor, grad: Tensor, g: ParamGroup<AdamHyperParams>, s: Partial<AdamState>): void {
    const [beta1, beta2] = g.betas;
    if (s.step === undefined) {
      s.step = 0;
      s.exp_avg = keep(zerosLike(p));
      s.exp_avg_sq = keep(zerosLike(p));
    }
    const step = (s.step += 1);
    const m = s.exp_avg!, v = s.exp_avg_sq!;
    if (g.fused) {
      const vmax = g.amsgrad ? (s.max_exp_avg_sq ??= keep(zerosLike(p))) : null;
      const done = adamUpdate(p, grad, m, v, vmax, {
        beta1, beta2, eps: g.eps, weightDecay: g.weightDecay, decoupled: this.decoupled, maximize: g.maximize, lr: g.lr,
        stepSize: g.lr / (1 - beta1 ** step), biasCorrection2Sqrt: Math.sqrt(1 - beta2 ** step),
      });
      if (done) return;
    }
    let gr = g.maximize ? grad.neg() : grad;
    if (g.weightDecay !== 0) {
      if (this.decoupled) p.mulInPlace(1 - g.lr * g.weightDecay);
      else gr = gr.add(p.mul(g.weightDecay));
    }
    m.mulInPlace(beta1).addInPlace(gr.mul(1 - beta1));
    // The order of torch's addcmul (value·g)·g, so float32 results round the same way.
    v.mulInPlace(beta2).addInPlace(gr.mul(1 - beta2).mul(gr));
    const stepSize = g.lr / (1 - beta1 ** step);
    const biasCorrection2Sqrt = Math.sqrt(1 - beta2 ** step);
    let second = v;
    if (g.amsgrad) {
      const vmax = (s.max_exp_avg_sq ??= keep(zerosLike(p)));
      vmax.assign(vmax.maximum(v));
      second = vmax;
    }
    const denom = second.sqrt().div(biasCorrection2Sqrt).add(g.eps);
    p.addInPlace(m.div(denom).mul(-stepSize));
  }
}

/**
 * Adam (Kingma & Ba 2015) as torch.optim.Adam: m ← β1·m + (1−β1)·g, v ← β2·v + (1−β2)·g²,
 * p ← p − lr/(1−β1ᵗ) · m / (√v / √(1−β2ᵗ) + eps); weightDecay adds weightDecay·p to g.
 * @example const opt = new tn.optim.Adam(params, { lr: 1e-3 });
 */
export class Adam extends AdamFamily {
  protected readonly decoupled = false;
  constructor(params: Params<AdamOptions>, options: AdamOptions = {}) {
    super('Adam', params, options as Partial<AdamHyperParams>,
      { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, fused: true }, SCHEMA, STATE_KEYS);
  }
}

/**
 * AdamW as torch.optim.AdamW: Adam with decoupled weight decay, p ← p·(1 − lr·weightDecay)
 * before the Adam step (default weightDecay 0.01).
 * @example const opt = new tn.optim.AdamW(params, { lr: 1e-3, weightDecay: 0.05 });
 */
export class AdamW extends AdamFamily {
  protected readonly decoupled = true;
  constructor(params: Params<AdamOptions>, options: AdamOptions = {}) {
    super('AdamW', params, options as Partial<AdamHyperParams>,
      { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-2, amsgrad: false, maximize: false, fused: true }, SCHEMA, STATE_KEYS);
  }
}

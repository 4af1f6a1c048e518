/** RMSprop (Hinton's lecture 6e; centered as Graves 2013), the update rule of torch.optim.RMSprop (torch 1.13). */
import type { Tensor } from '../tensor.js';
import { keep } from '../memory.js';
import { zerosLike } from '../ops/index.js';
import { type ParamGroup, type Params, Optimizer, boolean, nonNegative } from './optimizer.js';

export interface RMSpropOptions {
  /** Learning rate (default 0.01). */
  lr?: number;
  /** Decay rate of the squared-gradient average (default 0.99). */
  alpha?: number;
  /** Added to the denominator for numerical stability (default 1e-8). */
  eps?: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
  /** Momentum factor (default 0). */
  momentum?: number;
  /** Normalize by an estimate of the gradient's variance instead of its raw second moment (default false). */
  centered?: boolean;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize?: boolean;
}

type RMSpropHyperParams = Required<RMSpropOptions>;
interface RMSpropState {
  [k: string]: Tensor | number;
  step: number;
  square_avg: Tensor;
  momentum_buffer: Tensor;
  grad_avg: Tensor;
}

/**
 * RMSprop as torch.optim.RMSprop: s ← α·s + (1−α)·g², d = √s + eps (centered: √(s − ḡ²) + eps
 * with ḡ ← α·ḡ + (1−α)·g); p ← p − lr·g/d, or with momentum b ← μ·b + g/d, p ← p − lr·b.
 * @example const opt = new tn.optim.RMSprop(params, { lr: 0.01, centered: true });
 */
export class RMSprop extends Optimizer<RMSpropHyperParams, RMSpropState> {
  constructor(params: Params<RMSpropOptions>, options: RMSpropOptions = {}) {
    super('RMSprop', params, options,
      { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false },
      { lr: nonNegative, alpha: nonNegative, eps: nonNegative, weightDecay: nonNegative, momentum: nonNegative, centered: boolean, maximize: boolean },
      { step: true, square_avg: true, momentum_buffer: true, grad_avg: true });
  }

  protected update(p: Tensor, grad: Tensor, g: ParamGroup<RMSpropHyperParams>, s: Partial<RMSpropState>): void {
    if (s.step === undefined) {
      s.step = 0;
      s.square_avg = keep(zerosLike(p));
    }
    s.step += 1;
    let gr = g.maximize ? grad.neg() : grad;
    if (g.weightDecay !== 0) gr = gr.add(p.mul(g.weightDecay));
    const sq = s.square_avg!;
    sq.mulInPlace(g.alpha).addInPlace(gr.mul(1 - g.alpha).mul(gr));
    let avg: Tensor;
    if (g.centered) {
      const ga = (s.grad_avg ??= keep(zerosLike(p)));
      ga.mulInPlace(g.alpha).addInPlace(gr.mul(1 - g.alpha));
      avg = sq.sub(ga.mul(ga)).sqrt();
    } else {
      avg = sq.sqrt();
    }
    avg = avg.add(g.eps);
    if (g.momentum > 0) {
      const buf = (s.momentum_buffer ??= keep(zerosLike(p)));
      buf.mulInPlace(g.momentum).addInPlace(gr.div(avg));
      p.addInPlace(buf.mul(-g.lr));
    } else {
      p.addInPlace(gr.div(avg).mul(-g.lr));
    }
  }
}

/** Adagrad (Duchi et al. 2011), the update rule of torch.optim.Adagrad (torch 1.13). */
import type { Tensor } from '../tensor.js';
import { keep } from '../memory.js';
import { fullLike } from '../ops/index.js';
import { type ParamGroup, type Params, Optimizer, boolean, nonNegative } from './optimizer.js';

export interface AdagradOptions {
  /** Learning rate (default 0.01). */
  lr?: number;
  /** The learning rate at step t is lr / (1 + (t − 1)·lrDecay) (default 0). */
  lrDecay?: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
  /** Starting value of the sum of squared gradients (default 0). */
  initialAccumulatorValue?: number;
  /** Added to the denominator for numerical stability (default 1e-10). */
  eps?: number;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize?: boolean;
}

type AdagradHyperParams = Required<AdagradOptions>;
interface AdagradState { [k: string]: Tensor | number; step: number; sum: Tensor }

/**
 * Adagrad as torch.optim.Adagrad: S ← S + g², p ← p − lr_t · g / (√S + eps).
 * The state is created at a parameter's first step (torch creates it in the constructor).
 * @example const opt = new tn.optim.Adagrad(params, { lr: 0.1 });
 */
export class Adagrad extends Optimizer<AdagradHyperParams, AdagradState> {
  constructor(params: Params<AdagradOptions>, options: AdagradOptions = {}) {
    super('Adagrad', params, options,
      { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false },
      { lr: nonNegative, lrDecay: nonNegative, weightDecay: nonNegative, initialAccumulatorValue: nonNegative, eps: nonNegative, maximize: boolean },
      { step: true, sum: true });
  }

  protected update(p: Tensor, grad: Tensor, g: ParamGroup<AdagradHyperParams>, s: Partial<AdagradState>): void {
    if (s.step === undefined) {
      s.step = 0;
      s.sum = keep(fullLike(p, g.initialAccumulatorValue));
    }
    const step = (s.step += 1);
    let gr = g.maximize ? grad.neg() : grad;
    if (g.weightDecay !== 0) gr = gr.add(p.mul(g.weightDecay));
    const clr = g.lr / (1 + (step - 1) * g.lrDecay);
    const sum = s.sum!;
    sum.addInPlace(gr.mul(gr));
    p.addInPlace(gr.div(sum.sqrt().add(g.eps)).mul(-clr));
  }
}

/**
 * Stochastic gradient descent with momentum, dampening, Nesterov momentum and L2 weight decay,
 * the update rule of torch.optim.SGD (torch 1.13).
 */
import type { Tensor } from '../tensor.js';
import { keep } from '../memory.js';
import { type ParamGroup, type Params, Optimizer, boolean, nonNegative, unitInterval } from './optimizer.js';

export interface SGDOptions {
  /** Learning rate; required, as in torch 1.13 (in the options or in every param group). */
  lr?: number;
  /** Momentum factor (default 0: plain SGD). */
  momentum?: number;
  /** Dampening of the momentum's new gradient term (default 0); not applied at the first step. */
  dampening?: number;
  /** Nesterov momentum (default false; needs momentum > 0 and dampening 0). */
  nesterov?: boolean;
  /** L2 penalty added to the gradient: g + weightDecay·p (default 0). */
  weightDecay?: number;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize?: boolean;
}

type SGDHyperParams = Required<SGDOptions>;
interface SGDState { [k: string]: Tensor; momentum_buffer: Tensor }

/**
 * SGD, as torch.optim.SGD: with momentum μ and dampening τ,
 * b ← μ·b + (1−τ)·g (b ← g at the first step), then p ← p − lr·(g + μ·b if nesterov else b).
 * @example
 * const opt = new tn.optim.SGD([w, b], { lr: 0.1, momentum: 0.9 });
 * loss.backward(); opt.step(); opt.zeroGrad();
 */
export class SGD extends Optimizer<SGDHyperParams, SGDState> {
  constructor(params: Params<SGDOptions>, options: SGDOptions = {}) {
    super('SGD', params, options, { momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, maximize: false },
      { lr: nonNegative, momentum: nonNegative, dampening: unitInterval, nesterov: boolean, weightDecay: nonNegative, maximize: boolean },
      { momentum_buffer: true });
  }

  protected override crossCheck(h: SGDHyperParams): string | null {
    return h.nesterov && (h.momentum <= 0 || h.dampening !== 0) ? `'nesterov' needs momentum > 0 and dampening 0, got momentum ${h.momentum} and dampening ${h.dampening}` : null;
  }

  protected update(p: Tensor, grad: Tensor, g: ParamGroup<SGDHyperParams>, s: Partial<SGDState>): void {
    let d = g.maximize ? grad.neg() : grad;
    if (g.weightDecay !== 0) d = d.add(p.mul(g.weightDecay));
    if (g.momentum !== 0) {
      let buf = s.momentum_buffer;
      if (!buf) s.momentum_buffer = buf = keep(d.clone());
      else buf.mulInPlace(g.momentum).addInPlace(d.mul(1 - g.dampening));
      d = g.nesterov ? d.add(buf.mul(g.momentum)) : buf;
    }
    p.addInPlace(d.mul(-g.lr));
  }
}

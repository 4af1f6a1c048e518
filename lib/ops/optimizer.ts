/**
 * Fused optimizer updates: fast paths of the composed updates in lib/optim (which stay the
 * reference). In place and not recorded (optimizer steps run under noGrad).
 */
import type { AdamUpdateOptions } from '../backends/backend.js';
import type { Tensor } from '../tensor.js';

/**
 * One Adam/AdamW step on param with its state, in place, in one kernel. Returns false, doing
 * nothing, when the layout does not allow it (non-contiguous, mixed devices or dtypes) so the
 * caller takes the composed path.
 */
export function adamUpdate(param: Tensor, grad: Tensor, m: Tensor, v: Tensor, vmax: Tensor | null, o: AdamUpdateOptions): boolean {
  const all = vmax ? [param, grad, m, v, vmax] : [param, grad, m, v];
  const n = param.size;
  for (const t of all) {
    t.assertAlive('adamUpdate');
    if (t.device !== param.device || t.dtype !== param.dtype || !t.isContiguous || t.size !== n) return false;
  }
  if (param.dtype !== 'float32' && param.dtype !== 'float64') return false;
  param.backend.adamUpdate(param.view(), grad.view(), m.view(), v.view(), vmax ? vmax.view() : null, o);
  return true;
}

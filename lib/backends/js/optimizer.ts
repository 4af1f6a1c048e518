import type { AdamUpdateOptions, View } from '../backend.js';
import type { TypedArray } from '../../dtype.js';

/**
 * Adam in place, each operation rounded to the storage dtype (Math.fround for float32) in the
 * order torch's single-tensor Adam uses, so it equals the composed ops bit for bit.
 */
export function adamUpdateKernel(
  p: View, pd: TypedArray, g: View, gd: TypedArray, m: View, md: TypedArray, v: View, vd: TypedArray,
  vmax: View | null, xd: TypedArray | null, o: AdamUpdateOptions,
): void {
  const r = p.dtype === 'float32' ? Math.fround : (x: number) => x;
  const n = p.shape.reduce((a, b) => a * b, 1);
  const b1 = r(o.beta1), b2 = r(o.beta2), c1 = r(1 - o.beta1), c2 = r(1 - o.beta2);
  const wd = r(o.weightDecay), decay = r(1 - o.lr * o.weightDecay);
  const bc2 = r(o.biasCorrection2Sqrt), eps = r(o.eps), negStep = r(-o.stepSize);
  for (let i = 0; i < n; i++) {
    const ip = p.offset + i, ig = g.offset + i, im = m.offset + i, iv = v.offset + i;
    let gr = o.maximize ? -gd[ig] : gd[ig];
    let pv = pd[ip];
    if (o.weightDecay !== 0) {
      if (o.decoupled) pv = r(pv * decay);
      else gr = r(gr + r(pv * wd));
    }
    const mv = r(r(md[im] * b1) + r(gr * c1));
    const vv = r(r(vd[iv] * b2) + r(r(gr * c2) * gr));
    md[im] = mv;
    vd[iv] = vv;
    let second = vv;
    if (vmax && xd) {
      const ix = vmax.offset + i;
      second = xd[ix] > vv || xd[ix] !== xd[ix] ? xd[ix] : vv;
      xd[ix] = second;
    }
    const denom = r(r(r(Math.sqrt(second)) / bc2) + eps);
    pd[ip] = r(pv + r(r(mv / denom) * negStep));
  }
}

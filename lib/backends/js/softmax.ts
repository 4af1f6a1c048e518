import type { View } from '../backend.js';
import type { TypedArray } from '../../dtype.js';
import { forEachRow, innerStrides } from './strided.js';

/**
 * Softmax / log-softmax along `axis`, max-subtracted so ±1000 neither overflows nor
 * underflows, with float64 accumulation. A row of all -inf gives NaN, as in PyTorch.
 */
function softmaxRows(x: View, xd: TypedArray, axis: number, out: View, od: TypedArray, log: boolean): void {
  const n = x.shape[axis];
  const sx = x.strides[axis], so = out.strides[axis];
  const shape = x.shape.slice();
  shape[axis] = 1;
  const st = [x.strides, out.strides];
  const [ix0, io0] = innerStrides(st);
  forEachRow(shape, st, [x.offset, out.offset], (p, m) => {
    for (let r = 0; r < m; r++) {
      const bx = p[0] + r * ix0, bo = p[1] + r * io0;
      let mx = -Infinity;
      for (let i = 0; i < n; i++) { const v = xd[bx + i * sx]; if (v > mx || v !== v) mx = v; }
      if (mx === Infinity) mx = NaN; // inf - inf: undefined, as in PyTorch
      let s = 0;
      for (let i = 0; i < n; i++) s += Math.exp(xd[bx + i * sx] - mx);
      if (log) {
        const lse = mx + Math.log(s);
        for (let i = 0; i < n; i++) od[bo + i * so] = xd[bx + i * sx] - lse;
      } else {
        for (let i = 0; i < n; i++) od[bo + i * so] = Math.exp(xd[bx + i * sx] - mx) / s;
      }
    }
  });
}

export function softmaxKernel(x: View, xd: TypedArray, axis: number, out: View, od: TypedArray): void {
  softmaxRows(x, xd, axis, out, od, false);
}

export function logSoftmaxKernel(x: View, xd: TypedArray, axis: number, out: View, od: TypedArray): void {
  softmaxRows(x, xd, axis, out, od, true);
}

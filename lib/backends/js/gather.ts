import type { View } from '../backend.js';
import type { TypedArray } from '../../dtype.js';
import { TensileError } from '../../errors.js';
import { forEachRow, innerStrides } from './strided.js';

function checkIndex(op: string, v: number, size: number, axis: number): void {
  if (!(v >= 0 && v < size)) {
    throw new TensileError(op, `index ${v} is out of range for axis ${axis} of size ${size}`);
  }
}

/** out[i] = x[i with i[axis] := index[i]]. */
export function gatherKernel(x: View, xd: TypedArray, index: View, id: TypedArray, axis: number, out: View, od: TypedArray): void {
  const xs = x.strides.slice();
  const axisStride = xs[axis];
  xs[axis] = 0;
  const size = x.shape[axis];
  const st = [xs, index.strides, out.strides];
  const [sx, si, so] = innerStrides(st);
  forEachRow(out.shape, st, [x.offset, index.offset, out.offset], (p, n) => {
    for (let t = 0, ix = p[0], ii = p[1], io = p[2]; t < n; t++, ix += sx, ii += si, io += so) {
      const v = id[ii];
      checkIndex('gather', v, size, axis);
      od[io] = xd[ix + v * axisStride];
    }
  });
}

/** out[i with i[axis] := index[i]] += src[i]. */
export function scatterAddKernel(index: View, id: TypedArray, src: View, sd: TypedArray, axis: number, out: View, od: TypedArray): void {
  const os = out.strides.slice();
  const axisStride = os[axis];
  os[axis] = 0;
  const size = out.shape[axis];
  const st = [index.strides, src.strides, os];
  const [si, ss, so] = innerStrides(st);
  forEachRow(src.shape, st, [index.offset, src.offset, out.offset], (p, n) => {
    for (let t = 0, ii = p[0], is = p[1], io = p[2]; t < n; t++, ii += si, is += ss, io += so) {
      const v = id[ii];
      checkIndex('scatterAdd', v, size, axis);
      od[io + v * axisStride] += sd[is];
    }
  });
}

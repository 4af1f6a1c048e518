import type { ReduceOp, View } from '../backend.js';
import type { TypedArray } from '../../dtype.js';
import { forEachRow, innerStrides } from './strided.js';

/** Splits x's dims into kept (outer) and reduced (inner) parts. */
export function splitAxes(x: View, axes: readonly number[]) {
  const keptShape: number[] = [], keptStrides: number[] = [], redShape: number[] = [], redStrides: number[] = [];
  for (let d = 0; d < x.shape.length; d++) {
    if (axes.includes(d)) { redShape.push(x.shape[d]); redStrides.push(x.strides[d]); }
    else { keptShape.push(x.shape[d]); keptStrides.push(x.strides[d]); }
  }
  return { keptShape, keptStrides, redShape, redStrides };
}

/** Calls f(offset) for every element of a strided block, in row-major order. */
function forEachElement(shape: readonly number[], strides: readonly number[], offset: number, f: (o: number) => void): void {
  const [s] = innerStrides([strides]);
  forEachRow(shape, [strides], [offset], (p, n) => {
    for (let i = 0, o = p[0]; i < n; i++, o += s) f(o);
  });
}

type Reducer = (xd: TypedArray, shape: readonly number[], strides: readonly number[], offset: number) => number;

/** Neumaier-compensated float64 sum: the oracle should not be the least accurate backend. */
const sum: Reducer = (xd, shape, strides, offset) => {
  let s = 0, c = 0;
  forEachElement(shape, strides, offset, (o) => {
    const v = xd[o];
    const t = s + v;
    c += Math.abs(s) >= Math.abs(v) ? s - t + v : v - t + s;
    s = t;
  });
  const r = s + c;
  return r === r ? r : s; // inf - inf in the compensation must not turn an inf sum into NaN
};

const prod: Reducer = (xd, shape, strides, offset) => {
  let p = 1;
  forEachElement(shape, strides, offset, (o) => { p *= xd[o]; });
  return p;
};

/** max/min propagate NaN, as torch.amax does. */
function extreme(better: (a: number, b: number) => boolean): Reducer {
  return (xd, shape, strides, offset) => {
    let best = NaN, first = true;
    forEachElement(shape, strides, offset, (o) => {
      const v = xd[o];
      if (first) { best = v; first = false; }
      else if (best === best && (v !== v || better(v, best))) best = v;
    });
    return best;
  };
}

/** Index of the first extreme value; a NaN counts as the extreme (torch.argmax). */
function argExtreme(better: (a: number, b: number) => boolean): Reducer {
  return (xd, shape, strides, offset) => {
    let best = NaN, bestI = 0, i = 0;
    forEachElement(shape, strides, offset, (o) => {
      const v = xd[o];
      if (i === 0) best = v;
      else if (best === best && (v !== v || better(v, best))) { best = v; bestI = i; }
      i++;
    });
    return bestI;
  };
}

const REDUCERS: { [K in ReduceOp]: Reducer } = {
  sum,
  prod,
  max: extreme((a, b) => a > b),
  min: extreme((a, b) => a < b),
  argmax: argExtreme((a, b) => a > b),
  argmin: argExtreme((a, b) => a < b),
};

export function reduceKernel(op: ReduceOp, x: View, xd: TypedArray, axes: readonly number[], out: View, od: TypedArray): void {
  const { keptShape, keptStrides, redShape, redStrides } = splitAxes(x, axes);
  const r = REDUCERS[op];
  let io = out.offset;
  forEachElement(keptShape, keptStrides, x.offset, (o) => {
    od[io++] = r(xd, redShape, redStrides, o);
  });
}

/**
 * The reference backend: plain TypeScript over TypedArrays, written for clarity and exactness
 * (float64 accumulation everywhere). Every other backend is tested against it.
 */
import type { AdamUpdateOptions, Backend, BinaryOp, MatmulOptions, RandomDist, ReduceOp, Storage, UnaryOp, View } from '../backend.js';
import { adamUpdateKernel } from './optimizer.js';
import { allocArray, type DType, type TypedArray } from '../../dtype.js';
import { TensileError } from '../../errors.js';
import { BINARY, UNARY, binaryKernel, copyKernel, fillKernel, unaryKernel, whereKernel } from './elementwise.js';
import { reduceKernel } from './reduce.js';
import { matmulKernel } from './matmul.js';
import { gatherKernel, scatterAddKernel } from './gather.js';
import { logSoftmaxKernel, softmaxKernel } from './softmax.js';
import { philoxFill } from './philox.js';
import { forEachRow, innerStrides } from './strided.js';

export class JsStorage implements Storage {
  readonly device = 'js' as const;
  constructor(readonly dtype: DType, readonly data: TypedArray) {}
  get size(): number { return this.data.length; }
}

function arr(v: View | Storage): TypedArray {
  const s = 'buf' in v ? v.buf : v;
  if (!(s instanceof JsStorage)) throw new TensileError('js', `expected a js storage, got one on '${s.device}'`);
  return s.data;
}

export const jsBackend: Backend = {
  name: 'js',
  delegated: [],
  alloc: (dtype: DType, size: number) => new JsStorage(dtype, allocArray(dtype, size)),
  free: () => { /* garbage-collected memory */ },
  write: (s: Storage, data: TypedArray) => { arr(s).set(data); },
  read: async (s: Storage) => arr(s).slice(),
  readSync: (s: Storage) => arr(s).slice(),
  hostArray: (s: Storage) => arr(s),
  unary: (op: UnaryOp, x: View, out: View) => unaryKernel(UNARY[op], x, arr(x), out, arr(out)),
  binary: (op: BinaryOp, a: View, b: View, out: View) => binaryKernel(BINARY[op], a, arr(a), b, arr(b), out, arr(out)),
  where: (c: View, a: View, b: View, out: View) => whereKernel(c, arr(c), a, arr(a), b, arr(b), out, arr(out)),
  reduce: (op: ReduceOp, x: View, axes: readonly number[], out: View) => reduceKernel(op, x, arr(x), axes, out, arr(out)),
  matmul: (a: View, b: View, out: View, o: MatmulOptions) => matmulKernel(a, arr(a), b, arr(b), out, arr(out), o),
  gather: (x: View, index: View, axis: number, out: View) => gatherKernel(x, arr(x), index, arr(index), axis, out, arr(out)),
  scatterAdd: (index: View, src: View, axis: number, out: View) => scatterAddKernel(index, arr(index), src, arr(src), axis, out, arr(out)),
  copy: (x: View, out: View) => copyKernel(x, arr(x), out, arr(out)),
  fill: (out: View, value: number) => fillKernel(out, arr(out), value),
  random: (out: View, dist: RandomDist, seed: number, counter: number) => {
    let n = 1;
    for (const d of out.shape) n *= d;
    const tmp = new Float64Array(n);
    philoxFill(tmp, n, dist, seed, counter);
    const od = arr(out);
    const st = [out.strides];
    const [so] = innerStrides(st);
    let k = 0;
    forEachRow(out.shape, st, [out.offset], (p, m) => {
      for (let i = 0, io = p[0]; i < m; i++, io += so) od[io] = tmp[k++];
    });
  },
  softmax: (x: View, axis: number, out: View) => softmaxKernel(x, arr(x), axis, out, arr(out)),
  logSoftmax: (x: View, axis: number, out: View) => logSoftmaxKernel(x, arr(x), axis, out, arr(out)),
  adamUpdate: (p: View, g: View, m: View, v: View, vmax: View | null, o: AdamUpdateOptions) =>
    adamUpdateKernel(p, arr(p), g, arr(g), m, arr(m), v, arr(v), vmax, vmax && arr(vmax), o),
};

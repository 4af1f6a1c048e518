/**
 * The `cpu` device: thin typed wrappers over the native addon, no math here. Storage is a
 * TypedArray handed to C++ without copies; a view's shape, offset and strides go through one
 * shared Int32Array (cheaper than marshalling arrays per call).
 */
import {
  BINARY_OPS, REDUCE_OPS, UNARY_OPS,
  type Backend, type BinaryOp, type MatmulOptions, type RandomDist, type ReduceOp, type Storage, type UnaryOp, type View,
} from '../backend.js';
import { allocArray, type DType, type TypedArray } from '../../dtype.js';
import { TensileError } from '../../errors.js';
import type { NativeAddon } from './addon.js';

export class CpuStorage implements Storage {
  readonly device = 'cpu' as const;
  constructor(readonly dtype: DType, readonly data: TypedArray) {}
  get size(): number { return this.data.length; }
}

function arr(v: View | Storage): TypedArray {
  const s = 'buf' in v ? v.buf : v;
  if (!(s instanceof CpuStorage)) throw new TensileError('cpu', `expected a cpu storage, got one on '${s.device}'`);
  return s.data;
}

const META_LEN = 4096;

/**
 * Freed arrays kept for reuse, by dtype and length. A fresh large TypedArray costs page
 * faults and GC pressure (V8 frees it only at a later GC); a training loop reallocates the
 * same shapes every step, so reuse removes both. Bounded so idle memory stays small.
 */
class ArrayPool {
  private readonly lists = new Map<string, TypedArray[]>();
  private bytes = 0;
  constructor(private readonly maxBytes: number, private readonly maxPerSize: number) {}

  take(dtype: DType, size: number): TypedArray | undefined {
    const list = this.lists.get(`${dtype}:${size}`);
    const a = list?.pop();
    if (a) this.bytes -= a.byteLength;
    return a;
  }

  give(dtype: DType, a: TypedArray): void {
    if (a.byteLength === 0 || this.bytes + a.byteLength > this.maxBytes) return;
    const key = `${dtype}:${a.length}`;
    let list = this.lists.get(key);
    if (!list) this.lists.set(key, (list = []));
    if (list.length >= this.maxPerSize) return;
    list.push(a);
    this.bytes += a.byteLength;
  }
}

export function createCpuBackend(addon: NativeAddon): Backend {
  const info = addon.info();
  // The op codes are indices into these lists on both sides: they must agree exactly.
  const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
  if (!same(info.unaryOps, UNARY_OPS) || !same(info.binaryOps, BINARY_OPS) || !same(info.reduceOps, REDUCE_OPS)) {
    throw new Error('the native addon was built from other op tables than this library (rebuild it: npm run build:native)');
  }
  const UNARY_CODE = Object.fromEntries(UNARY_OPS.map((k, i) => [k, i])) as { [K in UnaryOp]: number };
  const BINARY_CODE = Object.fromEntries(BINARY_OPS.map((k, i) => [k, i])) as { [K in BinaryOp]: number };
  const REDUCE_CODE = Object.fromEntries(REDUCE_OPS.map((k, i) => [k, i])) as { [K in ReduceOp]: number };

  const pool = new ArrayPool(256 * 2 ** 20, 16);
  const meta = new Int32Array(META_LEN);
  addon.init(meta);
  let p = 0;
  const shape = (s: readonly number[]) => {
    p = 0;
    meta[p++] = s.length;
    for (const d of s) meta[p++] = d;
  };
  const view = (v: View) => {
    meta[p++] = v.offset;
    for (const s of v.strides) meta[p++] = s;
  };
  const int = (n: number) => { meta[p++] = n; };

  /** Native errors become TensileErrors named after the kernel. */
  function call(f: () => void): void {
    try {
      f();
    } catch (e) {
      const err = e as Error & { kernel?: string };
      const m = /^(\w+): (.*)$/s.exec(err.message);
      throw new TensileError(m ? m[1] : err.kernel ?? 'cpu', m ? m[2] : err.message);
    }
  }

  return {
    name: 'cpu',
    delegated: [],
    // Contents of a recycled array are stale: alloc promises no initial values.
    alloc: (dtype: DType, size: number) => new CpuStorage(dtype, pool.take(dtype, size) ?? allocArray(dtype, size)),
    free: (s: Storage) => pool.give(s.dtype, arr(s)),
    write: (s: Storage, data: TypedArray) => { arr(s).set(data); },
    read: async (s: Storage) => arr(s).slice(),
    readSync: (s: Storage) => arr(s).slice(),
    unary: (op: UnaryOp, x: View, out: View) => call(() => {
      shape(out.shape); view(x); view(out);
      addon.unary(UNARY_CODE[op], arr(x), arr(out));
    }),
    binary: (op: BinaryOp, a: View, b: View, out: View) => call(() => {
      shape(out.shape); view(a); view(b); view(out);
      addon.binary(BINARY_CODE[op], arr(a), arr(b), arr(out));
    }),
    where: (c: View, a: View, b: View, out: View) => call(() => {
      shape(out.shape); view(c); view(a); view(b); view(out);
      addon.where(arr(c), arr(a), arr(b), arr(out));
    }),
    reduce: (op: ReduceOp, x: View, axes: readonly number[], out: View) => call(() => {
      shape(x.shape); view(x); int(out.offset); int(axes.length);
      for (const a of axes) int(a);
      addon.reduce(REDUCE_CODE[op], arr(x), arr(out));
    }),
    matmul: (a: View, b: View, out: View, o: MatmulOptions) => call(() => {
      const r = a.shape.length;
      shape(out.shape); view(a); view(b); view(out);
      int(o.transA ? a.shape[r - 2] : a.shape[r - 1]); int(o.transA ? 1 : 0); int(o.transB ? 1 : 0);
      addon.matmul(arr(a), arr(b), arr(out));
    }),
    gather: (x: View, index: View, axis: number, out: View) => call(() => {
      shape(out.shape); view(x); view(index); view(out); int(axis); int(x.shape[axis]);
      addon.gather(arr(x), arr(index), arr(out));
    }),
    scatterAdd: (index: View, src: View, axis: number, out: View) => call(() => {
      shape(src.shape); view(index); view(src); view(out); int(axis); int(out.shape[axis]);
      addon.scatterAdd(arr(index), arr(src), arr(out));
    }),
    copy: (x: View, out: View) => call(() => {
      shape(out.shape); view(x); view(out);
      addon.copy(arr(x), arr(out));
    }),
    fill: (out: View, value: number) => call(() => {
      shape(out.shape); view(out);
      addon.fill(arr(out), value);
    }),
    random: (out: View, dist: RandomDist, seed: number, counter: number) => call(() => {
      shape(out.shape); view(out);
      addon.random(arr(out), dist === 'normal' ? 1 : 0, seed, counter);
    }),
    softmax: (x: View, axis: number, out: View) => call(() => {
      shape(x.shape); view(x); view(out); int(axis);
      addon.softmax(false, arr(x), arr(out));
    }),
    logSoftmax: (x: View, axis: number, out: View) => call(() => {
      shape(x.shape); view(x); view(out); int(axis);
      addon.softmax(true, arr(x), arr(out));
    }),
  };
}

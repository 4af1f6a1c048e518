/**
 * The `cpu` device: thin typed wrappers over the native addon, no math here. Storage is a
 * TypedArray handed to C++ without copies; a view's shape, offset and strides go through one
 * shared Int32Array (cheaper than marshalling arrays per call).
 */
import {
  BINARY_OPS, REDUCE_OPS, UNARY_OPS,
  type AdamUpdateOptions, type Backend, type BinaryOp, type MatmulOptions, type RandomDist, type ReduceOp, type Storage, type UnaryOp, type View,
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
  private readonly lists = new Map<DType, Map<number, TypedArray[]>>();
  private bytes = 0;
  constructor(private readonly maxBytes: number, private readonly maxPerSize: number) {}

  take(dtype: DType, size: number): TypedArray | undefined {
    const a = this.lists.get(dtype)?.get(size)?.pop();
    if (a) this.bytes -= a.byteLength;
    return a;
  }

  give(dtype: DType, a: TypedArray): void {
    if (a.byteLength === 0 || this.bytes + a.byteLength > this.maxBytes) return;
    let bySize = this.lists.get(dtype);
    if (!bySize) this.lists.set(dtype, (bySize = new Map()));
    let list = bySize.get(a.length);
    if (!list) bySize.set(a.length, (list = []));
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
  // Every value goes through put(): the buffer is an Int32Array, which would silently wrap
  // 2^32 + 1 to 1 and turn NaN or 1.5 into a valid-looking number the addon cannot question.
  let p = 0;
  let rank = 0;
  const put = (n: number) => {
    if ((n | 0) !== n) throw new Error(`metadata value ${String(n)} is not a 32-bit integer`);
    meta[p++] = n;
  };
  const shape = (s: readonly number[]) => {
    p = 0;
    rank = s.length;
    put(rank);
    for (const d of s) put(d);
  };
  const view = (v: View) => {
    if (v.strides.length !== rank) throw new Error(`a view has ${v.strides.length} strides for rank ${rank}`);
    put(v.offset);
    for (const s of v.strides) put(s);
  };
  const int = put;

  /** Errors from the addon (plain Errors, "kernel: why") and from here become TensileErrors naming the kernel. */
  function call(kernel: string, f: () => void): void {
    try {
      f();
    } catch (e) {
      if (e instanceof TensileError && e.op === kernel) throw e;
      const msg = e instanceof Error ? e.message : String(e);
      const m = /^(\w+): (.*)$/s.exec(msg);
      throw new TensileError(kernel, m && m[1] === kernel ? m[2] : msg);
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
    hostArray: (s: Storage) => arr(s),
    unary: (op: UnaryOp, x: View, out: View) => call('unary', () => {
      shape(out.shape); view(x); view(out);
      addon.unary(UNARY_CODE[op], arr(x), arr(out));
    }),
    binary: (op: BinaryOp, a: View, b: View, out: View) => call('binary', () => {
      shape(out.shape); view(a); view(b); view(out);
      addon.binary(BINARY_CODE[op], arr(a), arr(b), arr(out));
    }),
    where: (c: View, a: View, b: View, out: View) => call('where', () => {
      shape(out.shape); view(c); view(a); view(b); view(out);
      addon.where(arr(c), arr(a), arr(b), arr(out));
    }),
    reduce: (op: ReduceOp, x: View, axes: readonly number[], out: View) => call('reduce', () => {
      shape(x.shape); view(x); int(out.offset); int(axes.length);
      for (const a of axes) int(a);
      addon.reduce(REDUCE_CODE[op], arr(x), arr(out));
    }),
    matmul: (a: View, b: View, out: View, o: MatmulOptions) => call('matmul', () => {
      const r = a.shape.length;
      shape(out.shape); view(a); view(b); view(out);
      int(o.transA ? a.shape[r - 2] : a.shape[r - 1]); int(o.transA ? 1 : 0); int(o.transB ? 1 : 0);
      addon.matmul(arr(a), arr(b), arr(out));
    }),
    gather: (x: View, index: View, axis: number, out: View) => call('gather', () => {
      shape(out.shape); view(x); view(index); view(out); int(axis); int(x.shape[axis] ?? -1);
      addon.gather(arr(x), arr(index), arr(out));
    }),
    scatterAdd: (index: View, src: View, axis: number, out: View) => call('scatterAdd', () => {
      shape(src.shape); view(index); view(src); view(out); int(axis); int(out.shape[axis] ?? -1);
      addon.scatterAdd(arr(index), arr(src), arr(out));
    }),
    copy: (x: View, out: View) => call('copy', () => {
      shape(out.shape); view(x); view(out);
      addon.copy(arr(x), arr(out));
    }),
    fill: (out: View, value: number) => call('fill', () => {
      shape(out.shape); view(out);
      addon.fill(arr(out), value);
    }),
    random: (out: View, dist: RandomDist, seed: number, counter: number) => call('random', () => {
      shape(out.shape); view(out);
      addon.random(arr(out), dist === 'normal' ? 1 : 0, seed, counter);
    }),
    softmax: (x: View, axis: number, out: View) => call('softmax', () => {
      shape(x.shape); view(x); view(out); int(axis);
      addon.softmax(false, arr(x), arr(out));
    }),
    logSoftmax: (x: View, axis: number, out: View) => call('logSoftmax', () => {
      shape(x.shape); view(x); view(out); int(axis);
      addon.softmax(true, arr(x), arr(out));
    }),
    adamUpdate: (pv: View, g: View, m: View, v: View, vmax: View | null, o: AdamUpdateOptions) => call('adamUpdate', () => {
      p = 0;
      int(pv.shape.reduce((a, b) => a * b, 1));
      for (const x of [pv, g, m, v]) int(x.offset);
      if (vmax) int(vmax.offset);
      addon.adamUpdate(arr(pv), arr(g), arr(m), arr(v), vmax && arr(vmax), o);
    }),
  };
}

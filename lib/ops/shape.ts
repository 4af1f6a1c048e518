/**
 * Shape ops. reshape (of contiguous data), permute, squeeze, unsqueeze, expand and slice are
 * views: they share storage and cost nothing; concat and stack copy.
 */
import { promoteTypes } from '../dtype.js';
import { TensileError, fmtShape } from '../errors.js';
import { checkShape, contiguousStrides, normalizeAxis, sizeOf } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { type TensorLike, checkTensor, empty, record, sameDevice, toTensor, viewOf } from './define.js';
import { cast, contiguous } from './cast.js';
import { addInPlace } from './inplace.js';
import { sumTo } from './reduce.js';

/**
 * The same elements in a new shape (one dim may be -1). A view when x is contiguous.
 * @example x.reshape([2, -1])
 */
export function reshape(xin: TensorLike, shape: readonly number[]): Tensor {
  const x = toTensor('reshape', 'x', xin);
  if (!Array.isArray(shape)) throw new TensileError('reshape', `argument 'shape' must be an array, got ${String(shape)}`);
  const s = [...shape];
  const neg = s.filter((d) => d === -1).length;
  if (neg > 1) throw new TensileError('reshape', `only one dim may be -1, got ${fmtShape(s)}`);
  const known = s.reduce((p, d) => (d === -1 ? p : p * d), 1);
  if (neg === 1) {
    const i = s.indexOf(-1);
    if (known === 0 || x.size % known !== 0) {
      throw new TensileError('reshape', `cannot reshape ${fmtShape(x.shape)} (${x.size} elements) into ${fmtShape(shape)}`);
    }
    s[i] = x.size / known;
  }
  checkShape('reshape', 'shape', s);
  if (sizeOf(s) !== x.size) {
    throw new TensileError('reshape', `cannot reshape ${fmtShape(x.shape)} (${x.size} elements) into ${fmtShape(shape)} (${sizeOf(s)} elements)`);
  }
  if (s.length === x.rank && s.every((d, i) => d === x.shape[i])) return x;
  const c = contiguous(x);
  const out = viewOf(c, s, contiguousStrides(s), c.offset);
  return record(out, 'reshape', [c], (g) => [reshape(g, c.shape)]);
}

/** Reorders dims (a view). @example x.permute([0, 2, 1]) */
export function permute(xin: TensorLike, dims: readonly number[]): Tensor {
  const x = toTensor('permute', 'x', xin);
  if (!Array.isArray(dims) || dims.length !== x.rank) {
    throw new TensileError('permute', `argument 'dims' must list all ${x.rank} dims of shape ${fmtShape(x.shape)}, got ${Array.isArray(dims) ? fmtShape(dims) : String(dims)}`);
  }
  const p = dims.map((d) => normalizeAxis('permute', d, x.rank, 'dims'));
  if (new Set(p).size !== p.length) throw new TensileError('permute', `argument 'dims' repeats a dim: ${fmtShape(dims)}`);
  const out = viewOf(x, p.map((d) => x.shape[d]), p.map((d) => x.strides[d]), x.offset);
  const inv = new Array<number>(p.length);
  p.forEach((d, i) => (inv[d] = i));
  return record(out, 'permute', [x], (g) => [permute(g, inv)]);
}

/**
 * Swaps two dims; with none given, reverses all dims (x.transpose() of a matrix is x^T).
 * @example x.transpose(0, 1)
 */
export function transpose(xin: TensorLike, dim0?: number, dim1?: number): Tensor {
  const x = toTensor('transpose', 'x', xin);
  const p = Array.from({ length: x.rank }, (_, i) => i);
  if (dim0 === undefined && dim1 === undefined) return permute(x, p.reverse());
  if (dim0 === undefined || dim1 === undefined) throw new TensileError('transpose', 'give both dim0 and dim1, or neither');
  const a = normalizeAxis('transpose', dim0, x.rank, 'dim0'), b = normalizeAxis('transpose', dim1, x.rank, 'dim1');
  if (x.rank === 0) return x;
  [p[a], p[b]] = [p[b], p[a]];
  return permute(x, p);
}

/** Removes size-1 dims (all, or the given ones; a given dim of another size is kept, as torch). */
export function squeeze(xin: TensorLike, axis?: number | readonly number[] | null): Tensor {
  const x = toTensor('squeeze', 'x', xin);
  const axes = axis === undefined || axis === null ? null : (typeof axis === 'number' ? [axis] : [...axis]).map((a) => normalizeAxis('squeeze', a, x.rank));
  const shape: number[] = [], strides: number[] = [];
  x.shape.forEach((d, i) => {
    const drop = d === 1 && (axes === null || axes.includes(i));
    if (!drop) { shape.push(d); strides.push(x.strides[i]); }
  });
  if (shape.length === x.rank) return x;
  const out = viewOf(x, shape, strides, x.offset);
  return record(out, 'squeeze', [x], (g) => [reshape(g, x.shape)]);
}

/** Inserts a size-1 dim at `axis` (-1 appends). */
export function unsqueeze(xin: TensorLike, axis: number): Tensor {
  const x = toTensor('unsqueeze', 'x', xin);
  const a = normalizeAxis('unsqueeze', axis, x.rank + 1);
  const shape = [...x.shape], strides = [...x.strides];
  shape.splice(a, 0, 1);
  strides.splice(a, 0, a < x.rank ? x.strides[a] * x.shape[a] : 1);
  const out = viewOf(x, shape, strides, x.offset);
  return record(out, 'unsqueeze', [x], (g) => [reshape(g, x.shape)]);
}

/**
 * Broadcasts size-1 dims (and new leading dims) to `shape` without copying; -1 keeps a dim.
 * @example tn.tensor([1, 2]).expand([3, 2])
 */
export function expand(xin: TensorLike, shape: readonly number[]): Tensor {
  const x = toTensor('expand', 'x', xin);
  if (!Array.isArray(shape) || shape.length < x.rank) {
    throw new TensileError('expand', `argument 'shape' ${Array.isArray(shape) ? fmtShape(shape) : String(shape)} has fewer dims than the tensor ${fmtShape(x.shape)}`);
  }
  const lead = shape.length - x.rank;
  const outShape: number[] = [], strides: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    const want = shape[i];
    const have = i < lead ? 1 : x.shape[i - lead];
    const st = i < lead ? 0 : x.strides[i - lead];
    if (want === -1) {
      if (i < lead) throw new TensileError('expand', `-1 is not allowed for a new leading dim (shape ${fmtShape(shape)})`);
      outShape.push(have); strides.push(st);
    } else if (have === want) { outShape.push(want); strides.push(st); }
    else if (have === 1 && Number.isInteger(want) && want >= 0) { outShape.push(want); strides.push(0); }
    else throw new TensileError('expand', `cannot expand shape ${fmtShape(x.shape)} to ${fmtShape(shape)} (dim ${i}: ${have} vs ${want})`);
  }
  if (outShape.length === x.rank && outShape.every((d, i) => d === x.shape[i])) return x;
  const out = viewOf(x, outShape, strides, x.offset);
  return record(out, 'expand', [x], (g) => [sumTo(g, x.shape)]);
}

/** NumPy's name for expand. */
export const broadcastTo = expand;

/** Merges dims startDim..endDim into one (a scalar becomes shape [1]). */
export function flatten(xin: TensorLike, startDim = 0, endDim = -1): Tensor {
  const x = toTensor('flatten', 'x', xin);
  if (x.rank === 0) return reshape(x, [1]);
  const s = normalizeAxis('flatten', startDim, x.rank, 'startDim'), e = normalizeAxis('flatten', endDim, x.rank, 'endDim');
  if (s > e) throw new TensileError('flatten', `startDim ${startDim} comes after endDim ${endDim} for shape ${fmtShape(x.shape)}`);
  const merged = x.shape.slice(s, e + 1).reduce((p, d) => p * d, 1);
  return reshape(x, [...x.shape.slice(0, s), merged, ...x.shape.slice(e + 1)]);
}

// ---------------- slicing ----------------

/** One dim's slice: Python's [start:stop:step] (null = default). A bare number picks one index and drops the dim. */
export type SliceSpec = readonly [(number | null)?, (number | null)?, (number | null)?] | number | null;
/** A normalized slice: first index, step, count; `drop` removes the dim (an integer index). */
interface Range { start: number; step: number; count: number; drop: boolean }

function normalizeSlice(spec: SliceSpec, len: number, dim: number): Range {
  if (spec === null || spec === undefined) return { start: 0, step: 1, count: len, drop: false };
  if (typeof spec === 'number') {
    if (!Number.isInteger(spec) || spec < -len || spec >= len) {
      throw new TensileError('slice', `index ${spec} is out of range for dim ${dim} of size ${len}`);
    }
    return { start: spec < 0 ? spec + len : spec, step: 1, count: 1, drop: true };
  }
  if (!Array.isArray(spec)) throw new TensileError('slice', `dim ${dim}: expected [start, stop, step], a number or null, got ${String(spec)}`);
  const [a, b, c] = spec;
  const step = c ?? 1;
  for (const v of [a, b, step]) {
    if (v !== null && v !== undefined && !Number.isInteger(v)) throw new TensileError('slice', `dim ${dim}: slice bounds must be integers, got ${fmtShape(spec as number[])}`);
  }
  if (step === 0) throw new TensileError('slice', `dim ${dim}: step must not be zero`);
  // Python's slice.indices(len).
  const lower = step > 0 ? 0 : -1, upper = step > 0 ? len : len - 1;
  const clampIdx = (v: number | null | undefined, dflt: number) =>
    v === null || v === undefined ? dflt : v < 0 ? Math.max(v + len, lower) : Math.min(v, upper);
  const start = clampIdx(a, step > 0 ? lower : upper);
  const stop = clampIdx(b, step > 0 ? upper : lower);
  const count = step > 0 ? Math.max(0, Math.ceil((stop - start) / step)) : Math.max(0, Math.ceil((start - stop) / -step));
  return { start: count > 0 ? start : 0, step, count, drop: false };
}

function sliceView(x: Tensor, ranges: readonly Range[]): Tensor {
  let offset = x.offset;
  const shape: number[] = [], strides: number[] = [];
  x.shape.forEach((_, i) => {
    const r = ranges[i];
    offset += r.start * x.strides[i];
    if (!r.drop) { shape.push(r.count); strides.push(x.strides[i] * r.step); }
  });
  const out = viewOf(x, shape, strides, offset);
  record(out, 'slice', [x], (g) => [sliceBackward(g, x.shape, ranges)]);
  if (out.node) {
    out.node.accumulate = (g, acc) => {
      const target = sliceView(acc, ranges);
      addInPlace(target, g);
      target.dispose();
    };
  }
  return out;
}

/** Places g into zeros of `shape` at the slice: the adjoint of sliceView, itself differentiable. */
function sliceBackward(g: Tensor, shape: readonly number[], ranges: readonly Range[]): Tensor {
  const out = empty(g.backend, shape, g.dtype);
  out.backend.fill(out.view('slice'), 0);
  const target = sliceView(out, ranges);
  g.backend.copy(g.view('slice'), target.view('slice'));
  target.dispose();
  return record(out, 'sliceBackward', [g], (gg) => [sliceView(gg, ranges)]);
}

/**
 * Python-style slicing per leading dim: [start, stop, step] (each may be null), a number (an
 * index: the dim is dropped) or null (everything). Negative indices and steps work. A view.
 * @example x.slice([1, 3], null, [null, null, -1])   // x[1:3, :, ::-1]
 */
export function slice(xin: TensorLike, ...specs: SliceSpec[]): Tensor {
  const x = toTensor('slice', 'x', xin);
  if (specs.length > x.rank) throw new TensileError('slice', `${specs.length} slices given for a tensor of rank ${x.rank} (shape ${fmtShape(x.shape)})`);
  const ranges = x.shape.map((len, i) => normalizeSlice(i < specs.length ? specs[i] : null, len, i));
  return sliceView(x, ranges);
}

/** @internal a slice along one axis [start, start+count) */
export function narrow(x: Tensor, axis: number, start: number, count: number): Tensor {
  const ranges = x.shape.map((len, i) => (i === axis ? { start, step: 1, count, drop: false } : { start: 0, step: 1, count: len, drop: false }));
  return sliceView(x, ranges);
}

// ---------------- joining and splitting ----------------

/**
 * Joins tensors along an existing axis (dtypes promote).
 * @example tn.concat([a, b], 0)
 */
export function concat(tensors: readonly TensorLike[], axis = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) throw new TensileError('concat', "argument 'tensors' must be a non-empty array");
  const ts = tensors.map((t, i) => toTensor('concat', `tensors[${i}]`, t));
  const backend = sameDevice('concat', ts.map((t, i) => [`tensors[${i}]`, t] as [string, Tensor]));
  const r = ts[0].rank;
  if (r === 0) throw new TensileError('concat', 'zero-dimensional tensors cannot be concatenated; use stack');
  const a = normalizeAxis('concat', axis, r);
  ts.forEach((t, i) => {
    if (t.rank !== r || t.shape.some((d, k) => k !== a && d !== ts[0].shape[k])) {
      throw new TensileError('concat', `tensors[${i}] has shape ${fmtShape(t.shape)} but tensors[0] has ${fmtShape(ts[0].shape)}: all dims but axis ${a} must match`);
    }
  });
  const dtype = ts.reduce((d, t) => promoteTypes(d, t.dtype), ts[0].dtype);
  const cs = ts.map((t) => cast(t, dtype));
  const shape = [...ts[0].shape];
  shape[a] = ts.reduce((s, t) => s + t.shape[a], 0);
  const out = empty(backend, shape, dtype);
  let at = 0;
  for (const t of cs) {
    const dst = viewOf(out, t.shape, out.strides, out.offset + at * out.strides[a]);
    backend.copy(t.view('concat'), dst.view('concat'));
    dst.dispose();
    at += t.shape[a];
  }
  return record(out, 'concat', cs, (g) => {
    let s = 0;
    return cs.map((t) => {
      const part = t.requiresGrad ? narrow(g, a, s, t.shape[a]) : null;
      s += t.shape[a];
      return part;
    });
  });
}

/** Joins same-shaped tensors along a new axis. @example tn.stack([a, b], 0) */
export function stack(tensors: readonly TensorLike[], axis = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) throw new TensileError('stack', "argument 'tensors' must be a non-empty array");
  const ts = tensors.map((t, i) => toTensor('stack', `tensors[${i}]`, t));
  ts.forEach((t, i) => {
    if (t.rank !== ts[0].rank || t.shape.some((d, k) => d !== ts[0].shape[k])) {
      throw new TensileError('stack', `tensors[${i}] has shape ${fmtShape(t.shape)} but tensors[0] has ${fmtShape(ts[0].shape)}`);
    }
  });
  const a = normalizeAxis('stack', axis, ts[0].rank + 1);
  const views = ts.map((t) => unsqueeze(t, a));
  const out = concat(views, a);
  // The views are only this call's: free them unless the graph holds them for backward.
  if (!out.node) for (const v of views) if (!ts.includes(v)) v.dispose();
  return out;
}

/**
 * Splits along an axis into chunks of `sizes` (an int: equal chunks of that size, the last may
 * be smaller, as torch.split) or of the listed sizes. Views.
 */
export function split(xin: TensorLike, sizes: number | readonly number[], axis = 0): Tensor[] {
  const x = checkTensor('split', 'x', toTensor('split', 'x', xin));
  const a = normalizeAxis('split', axis, x.rank);
  const len = x.shape[a];
  let parts: number[];
  if (typeof sizes === 'number') {
    if (!Number.isInteger(sizes) || sizes <= 0) throw new TensileError('split', `argument 'sizes' must be a positive integer, got ${sizes}`);
    parts = [];
    for (let s = 0; s < len; s += sizes) parts.push(Math.min(sizes, len - s));
    if (parts.length === 0) parts.push(0);
  } else {
    parts = [...sizes];
    if (parts.some((p) => !Number.isInteger(p) || p < 0) || parts.reduce((s, p) => s + p, 0) !== len) {
      throw new TensileError('split', `sizes ${fmtShape(parts)} must be non-negative integers summing to ${len} (axis ${a} of ${fmtShape(x.shape)})`);
    }
  }
  let s = 0;
  return parts.map((p) => {
    const t = narrow(x, a, s, p);
    s += p;
    return t;
  });
}

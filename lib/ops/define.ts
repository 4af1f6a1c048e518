/**
 * What every op declaration uses: turning arguments into tensors, allocating outputs, views
 * that share storage, and recording the op on the tape.
 */
import type { Backend, View } from '../backends/backend.js';
import { type DType, type TypedArray, dtypeOfArray, isFloat } from '../dtype.js';
import { TensileError, fmtShape } from '../errors.js';
import { Tensor, emptyTensor, fromHost, type NestedArray } from '../tensor.js';
import { isGradEnabled } from '../autograd/mode.js';
import { getBackend, getDefaultDevice } from '../device.js';
import { allocArray } from '../dtype.js';
import { sizeOf } from '../shape.js';
import { keep, markInternal } from '../memory.js';

export type TensorLike = Tensor | number | boolean | NestedArray | TypedArray;

export function isTensor(x: unknown): x is Tensor {
  return x instanceof Tensor;
}

/** Throws unless x is a live tensor; names the op and the argument. */
export function checkTensor(op: string, arg: string, x: unknown): Tensor {
  if (!(x instanceof Tensor)) {
    throw new TensileError(op, `argument '${arg}' must be a Tensor, got ${x === null ? 'null' : typeof x}`);
  }
  x.assertAlive(op, arg);
  return x;
}

/** All tensors on one device: returns its backend or names both devices. */
export function sameDevice(op: string, args: readonly [string, Tensor][]): Backend {
  const [n0, t0] = args[0];
  for (const [n, t] of args) {
    t.assertAlive(op, n);
    if (t.device !== t0.device) {
      throw new TensileError(op, `argument '${n}' is on device '${t.device}' but '${n0}' is on '${t0.device}'; move one with .to()`);
    }
  }
  return t0.backend;
}

/** A fresh contiguous output. */
export function empty(backend: Backend, shape: readonly number[], dtype: DType): Tensor {
  return emptyTensor(backend, shape, dtype);
}

/** A tensor sharing t's storage with another shape/strides/offset (no copy). */
export function viewOf(t: Tensor, shape: readonly number[], strides: readonly number[], offset: number): Tensor {
  return new Tensor(t.ref, shape, t.dtype, strides, offset);
}

/** The kernel view of t broadcast to `shape` (stride 0 on broadcast dims). */
export function broadcastView(t: Tensor, shape: readonly number[], op: string): View {
  const v = t.view(op);
  const r = shape.length, k = t.shape.length;
  const strides = new Array<number>(r);
  for (let i = 0; i < r; i++) {
    const j = i - (r - k);
    strides[i] = j < 0 || (t.shape[j] === 1 && shape[i] !== 1) ? 0 : t.strides[j];
  }
  return { ...v, shape, strides };
}

/**
 * Records `out = op(inputs)` on the tape when recording is on and an input requires grad.
 * `backward(g)` returns one gradient per input (null where none flows), written with ops.
 */
export function record(out: Tensor, op: string, inputs: readonly Tensor[], backward: (g: Tensor) => readonly (Tensor | null | undefined)[]): Tensor {
  if (isGradEnabled() && isFloat(out.dtype) && inputs.some((t) => t.requiresGrad)) {
    out.requiresGrad = true;
    out.node = { op, inputs, backward, freed: false };
  }
  return out;
}

// ---- converting JS values ----

function inferShape(op: string, data: unknown): number[] {
  const shape: number[] = [];
  let cur: unknown = data;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    cur = cur[0];
  }
  if (ArrayBuffer.isView(cur)) shape.push((cur as TypedArray).length);
  return shape;
}

/** Flattens nested arrays into `out`, checking that they are rectangular. */
function flatten(op: string, arg: string, data: unknown, shape: readonly number[], d: number, out: number[], hasBool: { v: boolean }): void {
  if (d === shape.length) {
    if (typeof data === 'boolean') { hasBool.v = true; out.push(data ? 1 : 0); return; }
    if (Array.isArray(data) || ArrayBuffer.isView(data)) {
      throw new TensileError(op, `argument '${arg}' is ragged: found an array where a number belongs at depth ${d} (shape so far ${fmtShape(shape)})`);
    }
    if (typeof data !== 'number') throw new TensileError(op, `argument '${arg}' holds a non-number value: ${String(data)}`);
    out.push(data);
    return;
  }
  const len = Array.isArray(data) ? data.length : ArrayBuffer.isView(data) ? (data as TypedArray).length : -1;
  if (len !== shape[d]) {
    throw new TensileError(op, `argument '${arg}' is ragged: expected length ${shape[d]} at depth ${d}, got ${len < 0 ? typeof data : len} (shape so far ${fmtShape(shape.slice(0, d + 1))})`);
  }
  for (let i = 0; i < len; i++) flatten(op, arg, (data as ArrayLike<unknown>)[i], shape, d + 1, out, hasBool);
}

export interface CreateOptions {
  dtype?: DType;
  device?: import('../backends/backend.js').DeviceName;
  requiresGrad?: boolean;
}

/** Nested arrays, numbers, booleans or a TypedArray → a new tensor (float32 unless stated). */
export function fromData(op: string, data: TensorLike, opts: CreateOptions = {}, shapeOverride?: readonly number[], arg = 'data'): Tensor {
  const backend = getBackend(opts.device ?? getDefaultDevice(), op);
  if (data instanceof Tensor) throw new TensileError(op, `argument '${arg}' is already a Tensor; use .to(), cast() or clone()`);
  let flat: ArrayLike<number>;
  let shape: number[];
  let inferred: DType = 'float32';
  if (ArrayBuffer.isView(data)) {
    flat = data as TypedArray;
    shape = [flat.length];
    inferred = dtypeOfArray(flat) ?? 'float32';
  } else {
    shape = inferShape(op, data);
    const out: number[] = [];
    const hasBool = { v: false };
    flatten(op, arg, data, shape, 0, out, hasBool);
    flat = out;
    if (hasBool.v) inferred = 'bool';
  }
  if (shapeOverride) {
    if (sizeOf(shapeOverride) !== flat.length) {
      throw new TensileError(op, `argument 'shape' ${fmtShape(shapeOverride)} needs ${sizeOf(shapeOverride)} values, got ${flat.length}`);
    }
    shape = [...shapeOverride];
  }
  const dtype = opts.dtype ?? inferred;
  const arr = allocArray(dtype, flat.length);
  if (dtype === 'bool') for (let i = 0; i < flat.length; i++) arr[i] = flat[i] ? 1 : 0;
  else if (dtype === 'int32') for (let i = 0; i < flat.length; i++) arr[i] = Math.trunc(flat[i]);
  else arr.set(flat);
  const t = fromHost(backend, arr, shape, dtype);
  if (opts.requiresGrad) t.requiresGrad_(true);
  return t;
}

/** A 0-d tensor holding a JS number on `like`'s device. */
export function scalarLike(value: number | boolean, dtype: DType, like: Tensor): Tensor {
  // JS numbers in ops (x.mul(2)) become shared, immutable 0-d constants: no allocation per op
  // and nothing for tidy or the caller to dispose. Bounded: past the limit, entries are only
  // dropped from the cache (a graph may still hold one), never disposed.
  const v = typeof value === 'boolean' ? (value ? 1 : 0) : value;
  const key = `${like.device}:${dtype}:${Object.is(v, -0) ? '-0' : v}`;
  let t = constants.get(key);
  if (t && !t.isDisposed) return t;
  const arr = allocArray(dtype, 1);
  arr[0] = v;
  t = keep(fromHost(like.backend, arr, [], dtype));
  markInternal(t, t.ref);
  if (constants.size >= MAX_CONSTANTS) constants.delete(constants.keys().next().value as string);
  constants.set(key, t);
  return t;
}

const MAX_CONSTANTS = 4096;
const constants = new Map<string, Tensor>();

/** Tensor arguments pass through; JS values become tensors on the default device. */
export function toTensor(op: string, arg: string, x: TensorLike): Tensor {
  if (x instanceof Tensor) return checkTensor(op, arg, x);
  return fromData(op, x, {}, undefined, arg);
}

export function deviceBackend(op: string, opts: CreateOptions): Backend {
  return getBackend(opts.device ?? getDefaultDevice(), op);
}

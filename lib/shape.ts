import { TensileError, fmtShape } from './errors.js';

/** Largest element count of one tensor (int32 indexing in the kernels). */
export const MAX_ELEMENTS = 2 ** 31 - 1;

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

export function isContiguous(shape: readonly number[], strides: readonly number[]): boolean {
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && strides[i] !== s) return false;
    s *= shape[i];
  }
  return true;
}

export function checkShape(op: string, arg: string, shape: readonly number[]): number[] {
  if (!Array.isArray(shape)) throw new TensileError(op, `argument '${arg}' must be an array of dims, got ${String(shape)}`);
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      throw new TensileError(op, `argument '${arg}' must hold non-negative integers, got ${fmtShape(shape as number[])}`);
    }
  }
  const n = sizeOf(shape);
  if (n > MAX_ELEMENTS) {
    throw new TensileError(op, `argument '${arg}' ${fmtShape(shape as number[])} has ${n} elements, more than the ${MAX_ELEMENTS} a tensor may hold`);
  }
  return [...shape];
}

/** NumPy broadcasting of two shapes. */
export function broadcastShapes(op: string, a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)];
    const db = i < n - b.length ? 1 : b[i - (n - b.length)];
    if (da !== db && da !== 1 && db !== 1) {
      throw new TensileError(op, `shapes ${fmtShape(a)} and ${fmtShape(b)} cannot broadcast (dim ${i - n}: ${da} vs ${db})`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Resolves a possibly negative axis against a rank, or throws naming the op. */
export function normalizeAxis(op: string, axis: number, rank: number, arg = 'axis'): number {
  if (typeof axis !== 'number' || !Number.isInteger(axis)) {
    throw new TensileError(op, `argument '${arg}' must be an integer, got ${String(axis)}`);
  }
  const lo = rank === 0 ? -1 : -rank;
  const hi = rank === 0 ? 0 : rank - 1;
  if (axis < lo || axis > hi) {
    throw new TensileError(op, `argument '${arg}' = ${axis} is out of range for a tensor of rank ${rank} (expected ${lo}..${hi})`);
  }
  return axis < 0 ? axis + Math.max(rank, 1) : axis;
}

/** Axes for a reduction: undefined/null = all; duplicates are an error. Sorted ascending. */
export function normalizeAxes(op: string, axes: number | readonly number[] | null | undefined, rank: number): number[] {
  if (axes === undefined || axes === null) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axes === 'number' ? [axes] : [...axes];
  const out = list.map((a) => normalizeAxis(op, a, rank));
  if (rank === 0) return [];
  if (new Set(out).size !== out.length) throw new TensileError(op, `argument 'axis' repeats an axis: ${fmtShape(list)}`);
  return out.sort((x, y) => x - y);
}

import { TensileError } from './errors.js';

/** Element types. `bool` holds comparison results and masks (one byte per element on js/cpu). */
export type DType = 'float32' | 'float64' | 'int32' | 'bool';
export const DTYPES: readonly DType[] = ['float32', 'float64', 'int32', 'bool'];

export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

const ARRAY_OF: { [K in DType]: { new (n: number): TypedArray; BYTES_PER_ELEMENT: number } } = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  bool: Uint8Array,
};

export function allocArray(dtype: DType, size: number): TypedArray {
  return new ARRAY_OF[dtype](size);
}

export function bytesPerElement(dtype: DType): number {
  return ARRAY_OF[dtype].BYTES_PER_ELEMENT;
}

export function isFloat(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64';
}

/** The dtype a TypedArray maps to (Float64Array → float64, Int32Array → int32, ...). */
export function dtypeOfArray(a: ArrayLike<number>): DType | undefined {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof Uint8Array) return 'bool';
  return undefined;
}

export function checkDType(op: string, arg: string, d: unknown): DType {
  if (typeof d === 'string' && (DTYPES as readonly string[]).includes(d)) return d as DType;
  throw new TensileError(op, `argument '${arg}' must be one of ${DTYPES.join(', ')}, got ${String(d)}`);
}

const RANK: { [K in DType]: number } = { bool: 0, int32: 1, float32: 2, float64: 3 };

/** Type promotion between two tensors, as PyTorch: bool < int32 < float32 < float64. */
export function promoteTypes(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
}

/**
 * Promotion of a tensor with a JS number (a "weak" scalar, as in PyTorch): the number never
 * widens a float tensor; a non-integral number makes an int/bool tensor float32.
 */
export function promoteWithScalar(t: DType, s: number | boolean): DType {
  if (typeof s === 'boolean') return t;
  if (isFloat(t)) return t;
  if (!Number.isInteger(s)) return 'float32';
  return t === 'bool' ? 'int32' : t;
}

/** The dtype a float op (exp, div, mean, ...) computes in: ints promote to float32. */
export function floatTypeOf(d: DType): DType {
  return isFloat(d) ? d : 'float32';
}

const CATEGORY: { [K in DType]: number } = { bool: 0, int32: 1, float32: 2, float64: 2 };

/**
 * Promotion between two tensors as PyTorch does it: a 0-d tensor only widens a dimensioned
 * one when it is of a higher category (bool < int < float), so float32[3] + float64 0-d
 * stays float32 while int32[3] + float64 0-d becomes float64.
 */
export function promoteTensorTypes(a: { dtype: DType; rank: number }, b: { dtype: DType; rank: number }): DType {
  if ((a.rank === 0) === (b.rank === 0)) return promoteTypes(a.dtype, b.dtype);
  const [dim, zero] = a.rank === 0 ? [b, a] : [a, b];
  return CATEGORY[zero.dtype] > CATEGORY[dim.dtype] ? zero.dtype : dim.dtype;
}

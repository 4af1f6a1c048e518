import type { BinaryOp, UnaryOp, View } from '../backend.js';
import type { TypedArray } from '../../dtype.js';
import { forEachRow, innerStrides } from './strided.js';

type Arr = TypedArray;

/** Round half to even, as numpy and PyTorch do. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : r;
}

/** Sigmoid without overflow: exp only ever sees a non-positive argument. */
function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

export const UNARY: { [K in UnaryOp]: (x: number) => number } = {
  neg: (x) => -x,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  rsqrt: (x) => 1 / Math.sqrt(x),
  abs: Math.abs,
  sign: (x) => (x > 0 ? 1 : x < 0 ? -1 : x), // keeps NaN and signed zero, like torch.sign
  sin: Math.sin,
  cos: Math.cos,
  tanh: Math.tanh,
  sigmoid,
  relu: (x) => (x > 0 ? x : x !== x ? x : 0), // NaN propagates, as in PyTorch
  square: (x) => x * x,
  reciprocal: (x) => 1 / x,
  floor: Math.floor,
  ceil: Math.ceil,
  round: roundHalfEven,
  log1p: Math.log1p,
  expm1: Math.expm1,
  logicalNot: (x) => (x ? 0 : 1),
};

export const BINARY: { [K in BinaryOp]: (a: number, b: number) => number } = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: Math.pow,
  maximum: (a, b) => (a !== a || b !== b ? NaN : a > b ? a : b),
  minimum: (a, b) => (a !== a || b !== b ? NaN : a < b ? a : b),
  eq: (a, b) => (a === b ? 1 : 0),
  ne: (a, b) => (a !== b ? 1 : 0),
  lt: (a, b) => (a < b ? 1 : 0),
  le: (a, b) => (a <= b ? 1 : 0),
  gt: (a, b) => (a > b ? 1 : 0),
  ge: (a, b) => (a >= b ? 1 : 0),
  logicalAnd: (a, b) => (a && b ? 1 : 0),
  logicalOr: (a, b) => (a || b ? 1 : 0),
};

export function unaryKernel(f: (x: number) => number, x: View, xd: Arr, out: View, od: Arr): void {
  const st = [x.strides, out.strides];
  const [sx, so] = innerStrides(st);
  forEachRow(out.shape, st, [x.offset, out.offset], (p, n) => {
    for (let i = 0, ix = p[0], io = p[1]; i < n; i++, ix += sx, io += so) od[io] = f(xd[ix]);
  });
}

export function binaryKernel(f: (a: number, b: number) => number, a: View, ad: Arr, b: View, bd: Arr, out: View, od: Arr): void {
  const st = [a.strides, b.strides, out.strides];
  const [sa, sb, so] = innerStrides(st);
  forEachRow(out.shape, st, [a.offset, b.offset, out.offset], (p, n) => {
    for (let i = 0, ia = p[0], ib = p[1], io = p[2]; i < n; i++, ia += sa, ib += sb, io += so) od[io] = f(ad[ia], bd[ib]);
  });
}

export function whereKernel(c: View, cd: Arr, a: View, ad: Arr, b: View, bd: Arr, out: View, od: Arr): void {
  const st = [c.strides, a.strides, b.strides, out.strides];
  const [sc, sa, sb, so] = innerStrides(st);
  forEachRow(out.shape, st, [c.offset, a.offset, b.offset, out.offset], (p, n) => {
    for (let i = 0, ic = p[0], ia = p[1], ib = p[2], io = p[3]; i < n; i++, ic += sc, ia += sa, ib += sb, io += so) {
      od[io] = cd[ic] ? ad[ia] : bd[ib];
    }
  });
}

/** Strided copy; to bool means "non-zero" (NaN is true), other casts use typed-array rules. */
export function copyKernel(x: View, xd: Arr, out: View, od: Arr): void {
  if (out.dtype === 'bool' && x.dtype !== 'bool') return unaryKernel((v) => (v !== 0 ? 1 : 0), x, xd, out, od);
  if (out.dtype === 'int32' && x.dtype !== 'int32') return unaryKernel((v) => (v !== v ? 0 : Math.trunc(v)), x, xd, out, od);
  unaryKernel((v) => v, x, xd, out, od);
}

export function fillKernel(out: View, od: Arr, value: number): void {
  const st = [out.strides];
  const [so] = innerStrides(st);
  forEachRow(out.shape, st, [out.offset], (p, n) => {
    for (let i = 0, io = p[0]; i < n; i++, io += so) od[io] = value;
  });
}

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

// erfc(z) for z >= 0 as t·exp(-z² + f(2t - 1)), t = 2/(2 + z), with f in Chebyshev form
// (Numerical Recipes' erfccheb; coefficients computed in mpmath at 50 digits by
// test/reference/gen_nn.py --erfc-coefficients): float64 round-off, full relative accuracy
// in the far tail.
const ERFC_CHEB = [
  -0.65132685989085471710, 0.64196979235649026030, 0.019476473204185836312, -0.0095615147868086316419,
  -0.00094659534448203686630, 0.00036683949785276145187, 0.000042523324806907771645, -0.000020278578112534243154,
  -1.6242900046470255135e-6, 1.3036558355805232018e-6, 1.5626441722066143178e-8, -8.5238095914926542525e-8,
  6.5290544390988514964e-9, 5.0593434955514689418e-9, -9.9136415649303308674e-10, -2.2736512229318358557e-10,
  9.6467911020155268020e-11, 2.3940380830391147447e-12, -6.8860275264975533984e-12, 8.9448792730907257167e-13,
  3.1309213993429580783e-13, -1.1270822361367252366e-13, 3.8109052551892320552e-16, 7.1060976136092369878e-15,
  -1.5230282014571043043e-15, -9.4574945712912340005e-17, 1.2102371892242789923e-16, -2.8166630877471769718e-17,
];

function erfcNonNegative(z: number): number {
  const t = 2 / (2 + z), y = 2 * t - 1;
  let b1 = 0, b2 = 0;
  for (let k = ERFC_CHEB.length - 1; k >= 1; k--) {
    const next = 2 * y * b1 - b2 + ERFC_CHEB[k];
    b2 = b1;
    b1 = next;
  }
  return t * Math.exp(y * b1 - b2 + ERFC_CHEB[0] - z * z);
}

function erfc(x: number): number {
  if (x !== x) return x;
  // Near 0, 1 - erf(x) is exact to rounding (erf is small there): erfc(0) is exactly 1.
  if (Math.abs(x) < 0.5) return 1 - erf(x);
  return x >= 0 ? erfcNonNegative(x) : 2 - erfcNonNegative(-x);
}

/** erf by its Maclaurin series near 0 (no cancellation), else from erfc. */
function erf(x: number): number {
  if (x !== x || x === 0) return x; // NaN, and ±0 keeps its sign
  if (Math.abs(x) < 0.5) {
    let term = x, sum = x;
    const x2 = x * x;
    for (let n = 1; n < 30; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  return x > 0 ? 1 - erfcNonNegative(x) : erfcNonNegative(-x) - 1;
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
  erf,
  erfc,
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

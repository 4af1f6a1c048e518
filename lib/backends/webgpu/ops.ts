/**
 * The WGSL expression of every elementwise op, one table per closed op union (typed, so a
 * missing op fails to compile), with the same keys as the js and cpu tables. `a0`, `a1` are
 * the loaded operands; `T` is replaced by the WGSL element type.
 */
import type { BinaryOp, UnaryOp } from '../backend.js';

/** Element type class a kernel instance computes in. */
export type Kind = 'f32' | 'i32' | 'u32';

// Float expressions. WGSL may assume no NaN/Inf and may flush subnormals (DESIGN: WGSL
// numerics); where it matters the expressions avoid overflow in intermediate values.
export const UNARY_F32: { [K in UnaryOp]: string } = {
  neg: '-a0',
  exp: 'exp(a0)',
  log: 'log(a0)',
  sqrt: 'sqrt(a0)',
  rsqrt: 'inverseSqrt(a0)',
  abs: 'abs(a0)',
  sign: 'sign(a0)',
  sin: 'sin(a0)',
  cos: 'cos(a0)',
  // tanh(x) = sign(x) beyond |x| > 15 in f32; some drivers overflow computing it directly.
  tanh: 'select(tanh(a0), sign(a0), abs(a0) > 15.0)',
  sigmoid: 'sigmoid_f(a0)',
  relu: 'max(a0, 0.0)',
  square: 'a0 * a0',
  reciprocal: '1.0 / a0',
  floor: 'floor(a0)',
  ceil: 'ceil(a0)',
  round: 'round(a0)', // WGSL's round is half-to-even, as NumPy and PyTorch
  log1p: 'log1p_f(a0)',
  expm1: 'expm1_f(a0)',
  erf: '1.0 - erfc_f(a0)',
  erfc: 'erfc_f(a0)',
  logicalNot: 'select(1u, 0u, a0 != 0.0)',
};

/** Integer versions: float-only ops go through f32 (the op layer promotes ints first anyway). */
export const UNARY_I32: { [K in UnaryOp]: string } = {
  neg: '-a0',
  exp: 'i32(exp(f32(a0)))',
  log: 'i32(log(f32(a0)))',
  sqrt: 'i32(sqrt(f32(a0)))',
  rsqrt: 'i32(inverseSqrt(f32(a0)))',
  abs: 'abs(a0)',
  sign: 'sign(a0)',
  sin: 'i32(sin(f32(a0)))',
  cos: 'i32(cos(f32(a0)))',
  tanh: 'i32(tanh(f32(a0)))',
  sigmoid: 'i32(sigmoid_f(f32(a0)))',
  relu: 'max(a0, 0)',
  square: 'a0 * a0',
  reciprocal: 'select(0, 1 / a0, a0 == 1 || a0 == -1)',
  floor: 'a0',
  ceil: 'a0',
  round: 'a0',
  log1p: 'i32(log1p_f(f32(a0)))',
  expm1: 'i32(expm1_f(f32(a0)))',
  erf: 'i32(1.0 - erfc_f(f32(a0)))',
  erfc: 'i32(erfc_f(f32(a0)))',
  logicalNot: 'select(1u, 0u, a0 != 0)',
};

export const BINARY_F32: { [K in BinaryOp]: string } = {
  add: 'a0 + a1',
  sub: 'a0 - a1',
  mul: 'a0 * a1',
  div: 'a0 / a1',
  pow: 'pow_f(a0, a1)',
  maximum: 'max(a0, a1)',
  minimum: 'min(a0, a1)',
  eq: 'select(0u, 1u, a0 == a1)',
  ne: 'select(0u, 1u, a0 != a1)',
  lt: 'select(0u, 1u, a0 < a1)',
  le: 'select(0u, 1u, a0 <= a1)',
  gt: 'select(0u, 1u, a0 > a1)',
  ge: 'select(0u, 1u, a0 >= a1)',
  logicalAnd: 'select(0u, 1u, a0 != 0.0 && a1 != 0.0)',
  logicalOr: 'select(0u, 1u, a0 != 0.0 || a1 != 0.0)',
};

export const BINARY_I32: { [K in BinaryOp]: string } = {
  add: 'a0 + a1',
  sub: 'a0 - a1',
  mul: 'a0 * a1',
  // JS semantics (the js oracle): x / 0 is ±Infinity or NaN, which int32 stores as 0.
  div: 'select(0, a0 / a1, a1 != 0)',
  pow: 'pow_i(a0, a1)',
  maximum: 'max(a0, a1)',
  minimum: 'min(a0, a1)',
  eq: 'select(0u, 1u, a0 == a1)',
  ne: 'select(0u, 1u, a0 != a1)',
  lt: 'select(0u, 1u, a0 < a1)',
  le: 'select(0u, 1u, a0 <= a1)',
  gt: 'select(0u, 1u, a0 > a1)',
  ge: 'select(0u, 1u, a0 >= a1)',
  logicalAnd: 'select(0u, 1u, a0 != 0 && a1 != 0)',
  logicalOr: 'select(0u, 1u, a0 != 0 || a1 != 0)',
};

/** Helper functions the expressions use; included in every elementwise kernel. */
export const ELEMENTWISE_HELPERS = `
fn sigmoid_f(x: f32) -> f32 {
  if (x >= 0.0) { return 1.0 / (1.0 + exp(-x)); }
  let e = exp(x);
  return e / (1.0 + e);
}
fn log1p_f(x: f32) -> f32 {
  let u = 1.0 + x;
  if (u == 1.0) { return x; }
  return log(u) * x / (u - 1.0);
}
fn expm1_f(x: f32) -> f32 {
  if (abs(x) < 1e-5) { return x + 0.5 * x * x; }
  return exp(x) - 1.0;
}
// Numerical Recipes' erfcc: fractional error below 1.2e-7 everywhere, enough for f32.
fn erfc_f(x: f32) -> f32 {
  let z = abs(x);
  let t = 1.0 / (1.0 + 0.5 * z);
  let r = t * exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
    + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return select(2.0 - r, r, x >= 0.0);
}
// WGSL's pow is undefined for a negative base: integer exponents become |a|^b with the sign
// of an odd power, as in NumPy.
fn pow_f(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return 1.0; }
  if (a < 0.0) {
    if (b != floor(b)) { return f32_bits(0x7fc00000u); }
    let r = pow(-a, b);
    return select(r, -r, fract(b * 0.5) != 0.0);
  }
  if (a == 0.0) { return select(0.0, f32_bits(0x7f800000u), b < 0.0); }
  return pow(a, b);
}
fn pow_i(a: i32, b: i32) -> i32 {
  if (b < 0) { return select(0, select(1, select(-1, 1, (b & 1) == 0), a == -1), a == 1 || a == -1); }
  var r = 1;
  var base = a;
  var e = b;
  loop {
    if (e == 0) { break; }
    if ((e & 1) == 1) { r = r * base; }
    base = base * base;
    e = e >> 1u;
  }
  return r;
}
`;

/** The expression converting a0 (kind `from`) to kind `to` (casts; bool is u32 0/1). */
export function castExpr(from: Kind, to: Kind): string {
  if (from === to) return 'a0';
  if (to === 'u32') return from === 'f32' ? 'select(0u, 1u, a0 != 0.0)' : 'select(0u, 1u, a0 != 0)';
  if (to === 'i32') return 'i32(a0)';
  return 'f32(a0)';
}

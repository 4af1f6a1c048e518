/**
 * Elementwise ops: each is one entry in a table with its backward beside it. Binary ops
 * broadcast by NumPy rules; their gradients are summed back to each input's shape.
 */
import { COMPARISON_OPS, type BinaryOp, type UnaryOp } from '../backends/backend.js';
import { type DType, floatTypeOf, isFloat, promoteTensorTypes, promoteWithScalar } from '../dtype.js';
import { TensileError, fmtShape } from '../errors.js';
import { broadcastShapes } from '../shape.js';
import { Tensor } from '../tensor.js';
import { type TensorLike, broadcastView, checkTensor, empty, record, sameDevice, scalarLike, toTensor } from './define.js';
import { cast } from './cast.js';
import { sumTo } from './reduce.js';

// ---------------- unary ----------------

/** Ops that compute in floating point: int inputs are promoted to float32 first. */
const FLOAT_ONLY = new Set<UnaryOp>(['exp', 'log', 'sqrt', 'rsqrt', 'sin', 'cos', 'tanh', 'sigmoid', 'reciprocal', 'log1p', 'expm1', 'erf', 'erfc']);
/** Rounding ops are the identity on integers. */
const ROUNDING = new Set<UnaryOp>(['floor', 'ceil', 'round']);

type UnaryGrad = (x: Tensor, y: Tensor, g: Tensor) => Tensor;
/** Backward of each unary op; null: piecewise constant, the gradient is zero. */
const UNARY_GRAD: { [K in UnaryOp]: UnaryGrad | null } = {
  neg: (_x, _y, g) => neg(g),
  exp: (_x, y, g) => mul(g, y),
  log: (x, _y, g) => div(g, x),
  sqrt: (_x, y, g) => div(g, mul(y, 2)),
  rsqrt: (_x, y, g) => mul(g, mul(pow(y, 3), -0.5)),
  abs: (x, _y, g) => mul(g, sign(x)),
  sign: null,
  sin: (x, _y, g) => mul(g, cos(x)),
  cos: (x, _y, g) => mul(g, neg(sin(x))),
  tanh: (_x, y, g) => mul(g, sub(1, square(y))),
  sigmoid: (_x, y, g) => mul(g, mul(y, sub(1, y))),
  // relu'(0) = 0, as in PyTorch (a max(x, 0) composition would give 0.5 at the kink).
  relu: (x, _y, g) => mul(g, gt(x, 0)),
  square: (x, _y, g) => mul(g, mul(x, 2)),
  reciprocal: (_x, y, g) => mul(g, neg(square(y))),
  floor: null,
  ceil: null,
  round: null,
  log1p: (x, _y, g) => div(g, add(x, 1)),
  expm1: (_x, y, g) => mul(g, add(y, 1)),
  // d/dx erf = 2/√π e^{-x²}
  erf: (x, _y, g) => mul(g, mul(exp(neg(square(x))), 2 / Math.sqrt(Math.PI))),
  erfc: (x, _y, g) => mul(g, mul(exp(neg(square(x))), -2 / Math.sqrt(Math.PI))),
  logicalNot: null,
};

function unary(op: UnaryOp, xin: TensorLike): Tensor {
  let x = toTensor(op, 'x', xin);
  if (op === 'logicalNot') {
    const out = empty(x.backend, x.shape, 'bool');
    x.backend.unary(op, x.view(op), out.view(op));
    return out;
  }
  if (FLOAT_ONLY.has(op) && !isFloat(x.dtype)) x = cast(x, 'float32');
  if (x.dtype === 'bool' && !FLOAT_ONLY.has(op)) x = cast(x, 'int32');
  if (ROUNDING.has(op) && !isFloat(x.dtype)) return x;
  const out = empty(x.backend, x.shape, x.dtype);
  x.backend.unary(op, x.view(op), out.view(op));
  const rule = UNARY_GRAD[op];
  return record(out, op, [x], (g) => [rule ? rule(x, out, g) : zerosLikeGrad(g)]);
}

function zerosLikeGrad(g: Tensor): Tensor {
  return mul(g, 0);
}

/** -x */
export const neg = (x: TensorLike) => unary('neg', x);
/** e^x */
export const exp = (x: TensorLike) => unary('exp', x);
/** Natural log (log of 0 is -inf, of negatives NaN). */
export const log = (x: TensorLike) => unary('log', x);
export const sqrt = (x: TensorLike) => unary('sqrt', x);
/** 1 / sqrt(x) */
export const rsqrt = (x: TensorLike) => unary('rsqrt', x);
export const abs = (x: TensorLike) => unary('abs', x);
/** -1, 0 or 1 (NaN stays NaN). */
export const sign = (x: TensorLike) => unary('sign', x);
export const sin = (x: TensorLike) => unary('sin', x);
export const cos = (x: TensorLike) => unary('cos', x);
export const tanh = (x: TensorLike) => unary('tanh', x);
/** 1 / (1 + e^-x), computed without overflow. */
export const sigmoid = (x: TensorLike) => unary('sigmoid', x);
/** max(x, 0); the gradient at 0 is 0. */
export const relu = (x: TensorLike) => unary('relu', x);
export const square = (x: TensorLike) => unary('square', x);
export const reciprocal = (x: TensorLike) => unary('reciprocal', x);
export const floor = (x: TensorLike) => unary('floor', x);
export const ceil = (x: TensorLike) => unary('ceil', x);
/** Rounds half to even, as NumPy and PyTorch. */
export const round = (x: TensorLike) => unary('round', x);
/** log(1 + x), accurate for small x. */
export const log1p = (x: TensorLike) => unary('log1p', x);
/** e^x - 1, accurate for small x. */
export const expm1 = (x: TensorLike) => unary('expm1', x);
/** The error function, (2/√π)∫₀ˣ e^{-t²} dt. */
export const erf = (x: TensorLike) => unary('erf', x);
/** 1 - erf(x), accurate where erf(x) is near 1. */
export const erfc = (x: TensorLike) => unary('erfc', x);
export const logicalNot = (x: TensorLike) => unary('logicalNot', x);

// ---------------- binary ----------------

type BinaryGrad = (a: Tensor, b: Tensor, y: Tensor, g: Tensor) => [Tensor | null, Tensor | null];
const BINARY_GRAD: { [K in BinaryOp]: BinaryGrad | null } = {
  add: (_a, _b, _y, g) => [g, g],
  sub: (_a, _b, _y, g) => [g, neg(g)],
  mul: (a, b, _y, g) => [mul(g, b), mul(g, a)],
  div: (_a, b, y, g) => [div(g, b), b.requiresGrad ? neg(div(mul(g, y), b)) : null],
  pow: (a, b, y, g) => [
    a.requiresGrad ? mul(g, mul(b, pow(a, sub(b, 1)))) : null,
    // d/db a^b = a^b log a; PyTorch defines it as 0 where a == 0 and b >= 0.
    b.requiresGrad ? mul(g, where(logicalAnd(eq(a, 0), ge(b, 0)), 0, mul(y, log(a)))) : null,
  ],
  // Ties split the gradient evenly, as in PyTorch.
  maximum: (a, b, _y, g) => minMaxGrad(a, b, g, gt),
  minimum: (a, b, _y, g) => minMaxGrad(a, b, g, lt),
  eq: null, ne: null, lt: null, le: null, gt: null, ge: null, logicalAnd: null, logicalOr: null,
};

function minMaxGrad(a: Tensor, b: Tensor, g: Tensor, wins: (x: TensorLike, y: TensorLike) => Tensor): [Tensor, Tensor] {
  const half = mul(eq(a, b), 0.5);
  return [mul(g, add(wins(a, b), half)), mul(g, add(wins(b, a), half))];
}

/** Result dtype of a binary op given the promoted input dtype. */
function computeType(op: BinaryOp, d: DType): DType {
  if (op === 'div') return floatTypeOf(d);
  if (d === 'bool' && !COMPARISON_OPS.includes(op) && op !== 'maximum' && op !== 'minimum') return 'int32';
  return d;
}

function binary(op: BinaryOp, ain: TensorLike, bin: TensorLike): Tensor {
  let a: Tensor, b: Tensor;
  if (ain instanceof Tensor && !(bin instanceof Tensor) && (typeof bin === 'number' || typeof bin === 'boolean')) {
    checkTensor(op, 'a', ain);
    const d = computeType(op, promoteWithScalar(ain.dtype, bin));
    a = ain;
    b = scalarLike(bin, d, ain);
  } else if (bin instanceof Tensor && (typeof ain === 'number' || typeof ain === 'boolean')) {
    checkTensor(op, 'b', bin);
    const d = computeType(op, promoteWithScalar(bin.dtype, ain));
    a = scalarLike(ain, d, bin);
    b = bin;
  } else {
    a = toTensor(op, 'a', ain);
    b = toTensor(op, 'b', bin);
  }
  const backend = sameDevice(op, [['a', a], ['b', b]]);
  const shape = broadcastShapes(op, a.shape, b.shape);
  const d = computeType(op, promoteTensorTypes(a, b));
  const ac = cast(a, d), bc = cast(b, d);
  const out = empty(backend, shape, COMPARISON_OPS.includes(op) ? 'bool' : d);
  backend.binary(op, broadcastView(ac, shape, op), broadcastView(bc, shape, op), out.view(op));
  const rule = BINARY_GRAD[op];
  if (rule) {
    record(out, op, [ac, bc], (g) => {
      const [ga, gb] = rule(ac, bc, out, g);
      return [ga && ac.requiresGrad ? sumTo(ga, ac.shape) : null, gb && bc.requiresGrad ? sumTo(gb, bc.shape) : null];
    });
  }
  if (!out.node) freeTemporaries([[ain, a, ac], [bin, b, bc]]);
  return out;
}

/**
 * Frees the tensors an op made only for itself (from JS arrays, or dtype casts) once it is
 * done with them; when the op is recorded the graph keeps them for backward instead.
 */
function freeTemporaries(args: readonly [TensorLike, Tensor, Tensor][]): void {
  for (const [given, t, c] of args) {
    if (c !== t) c.dispose();
    if (t !== given && t.rank > 0) t.dispose(); // a tensor made from a JS array (numbers are shared constants)
  }
}

/** a + b with broadcasting. @example tn.add(x, 1) */
export const add = (a: TensorLike, b: TensorLike) => binary('add', a, b);
export const sub = (a: TensorLike, b: TensorLike) => binary('sub', a, b);
export const mul = (a: TensorLike, b: TensorLike) => binary('mul', a, b);
/** True division: integers divide as float32. */
export const div = (a: TensorLike, b: TensorLike) => binary('div', a, b);
/** a ** b (a negative base with a non-integer exponent gives NaN). */
export const pow = (a: TensorLike, b: TensorLike) => binary('pow', a, b);
/** Elementwise max, NaN-propagating. */
export const maximum = (a: TensorLike, b: TensorLike) => binary('maximum', a, b);
export const minimum = (a: TensorLike, b: TensorLike) => binary('minimum', a, b);
export const eq = (a: TensorLike, b: TensorLike) => binary('eq', a, b);
export const ne = (a: TensorLike, b: TensorLike) => binary('ne', a, b);
export const lt = (a: TensorLike, b: TensorLike) => binary('lt', a, b);
export const le = (a: TensorLike, b: TensorLike) => binary('le', a, b);
export const gt = (a: TensorLike, b: TensorLike) => binary('gt', a, b);
export const ge = (a: TensorLike, b: TensorLike) => binary('ge', a, b);
export const logicalAnd = (a: TensorLike, b: TensorLike) => binary('logicalAnd', a, b);
export const logicalOr = (a: TensorLike, b: TensorLike) => binary('logicalOr', a, b);

// ---------------- where, clamp ----------------

/**
 * cond ? a : b elementwise, broadcasting all three.
 * @example tn.where(x.gt(0), x, 0)
 */
export function where(condIn: TensorLike, ain: TensorLike, bin: TensorLike): Tensor {
  const cond = toTensor('where', 'cond', condIn);
  if (cond.dtype !== 'bool') throw new TensileError('where', `argument 'cond' must be bool (a comparison result), got ${cond.dtype}`);
  const ref = ain instanceof Tensor ? ain : bin instanceof Tensor ? bin : null;
  let a: Tensor, b: Tensor;
  if (ref === null) { a = toTensor('where', 'a', ain); b = toTensor('where', 'b', bin); }
  else {
    const scalarType = (v: number | boolean) => promoteWithScalar(ref.dtype, v);
    a = ain instanceof Tensor ? checkTensor('where', 'a', ain) : typeof ain === 'number' || typeof ain === 'boolean' ? scalarLike(ain, scalarType(ain), ref) : toTensor('where', 'a', ain);
    b = bin instanceof Tensor ? checkTensor('where', 'b', bin) : typeof bin === 'number' || typeof bin === 'boolean' ? scalarLike(bin, scalarType(bin), ref) : toTensor('where', 'b', bin);
  }
  const backend = sameDevice('where', [['cond', cond], ['a', a], ['b', b]]);
  let shape: number[];
  try {
    shape = broadcastShapes('where', broadcastShapes('where', cond.shape, a.shape), b.shape);
  } catch {
    throw new TensileError('where', `shapes of 'cond' ${fmtShape(cond.shape)}, 'a' ${fmtShape(a.shape)} and 'b' ${fmtShape(b.shape)} cannot broadcast together`);
  }
  const d = promoteTensorTypes(a, b);
  const ac = cast(a, d), bc = cast(b, d);
  const out = empty(backend, shape, d);
  backend.where(broadcastView(cond, shape, 'where'), broadcastView(ac, shape, 'where'), broadcastView(bc, shape, 'where'), out.view('where'));
  record(out, 'where', [ac, bc], (g) => [
    ac.requiresGrad ? sumTo(where(cond, g, 0), ac.shape) : null,
    bc.requiresGrad ? sumTo(where(cond, 0, g), bc.shape) : null,
  ]);
  if (!out.node) freeTemporaries([[ain, a, ac], [bin, b, bc]]);
  return out;
}

/**
 * Limits values to [min, max] (either bound may be omitted). The gradient passes where
 * min <= x <= max, as in PyTorch.
 * @example x.clamp(0, 1)
 */
export function clamp(xin: TensorLike, min?: number | null, max?: number | null): Tensor {
  const x = toTensor('clamp', 'x', xin);
  if (min == null && max == null) throw new TensileError('clamp', "at least one of 'min' and 'max' must be given");
  if ((min != null && typeof min !== 'number') || (max != null && typeof max !== 'number')) {
    throw new TensileError('clamp', `'min' and 'max' must be numbers, got ${String(min)} and ${String(max)}`);
  }
  const forward = () => {
    let y = x;
    if (min != null) y = maximum(y, min);
    if (max != null) y = minimum(y, max);
    return y;
  };
  const y = noRecord(forward);
  return record(y, 'clamp', [x], (g) => {
    let mask: Tensor = ge(x, min ?? -Infinity);
    if (max != null) mask = logicalAnd(mask, le(x, max));
    return [mul(g, mask)];
  });
}

import { noGrad } from '../autograd/mode.js';
/** Runs a forward composition without recording, so the caller records one node for it. */
function noRecord(fn: () => Tensor): Tensor {
  return noGrad(fn);
}

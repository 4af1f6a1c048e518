/**
 * Gradient checks for every differentiable op: analytical gradients (tn.grad and backward())
 * against float64 central differences (see ./gradcheck.ts), second derivatives for the ops
 * whose backward must itself be differentiable, and backward()'s graph-freeing rules.
 */
import * as tn from '../lib/index.js';
import { GradcheckError, gradcheck, gradgradcheck } from './gradcheck.js';

type T = tn.Tensor;
type Gen = (shape: number[], seed: number) => T;
const F64 = 'float64' as const;

// ---------------- input generators (fresh, seeded, float64, contiguous) ----------------

/** A new contiguous float64 tensor with fn applied to each of t's values. */
function mapT(t: T, fn: (v: number, i: number) => number): T {
  const src = t.dataSync() as ArrayLike<number>;
  return tn.tensor(Float64Array.from(src, fn), { dtype: F64, shape: t.shape });
}
function f64(data: number[], shape: number[]): T {
  return tn.tensor(Float64Array.from(data), { dtype: F64, shape });
}
function idx(data: number[], shape: number[]): T {
  return tn.tensor(Int32Array.from(data), { dtype: 'int32', shape });
}
const randn: Gen = (shape, seed) => tn.randn(shape, { dtype: F64, seed });
const uniform = (lo: number, hi: number): Gen => (shape, seed) =>
  mapT(tn.rand(shape, { dtype: F64, seed }), (v) => lo + (hi - lo) * v);
/** Normal draws pushed at least `margin` away from 0 (for abs, relu, reciprocal, divisors). */
const awayFromZero = (margin = 0.3): Gen => (shape, seed) => mapT(randn(shape, seed), (v) => (v >= 0 ? v + margin : v - margin));
/** Values in [0.5k, 0.5k + 0.1) and [0.5m + 0.25, 0.5m + 0.35): any a-b pair differs by >= 0.15 (no ties). */
const gridA: Gen = (shape, seed) => mapT(tn.rand(shape, { dtype: F64, seed }), (v, i) => 0.5 * (((i * 7 + seed) % 9) - 4) + 0.1 * v);
const gridB: Gen = (shape, seed) => mapT(tn.rand(shape, { dtype: F64, seed }), (v, i) => 0.5 * (((i * 5 + seed) % 9) - 4) + 0.25 + 0.1 * v);
const positive = uniform(0.5, 2);

/** Gradcheck one function on several input sets, naming each case in the report. */
function checkAll(name: string, f: (...xs: T[]) => T | T[], cases: [string, T[]][]): void {
  for (const [label, inputs] of cases) gradcheck(f, inputs, { name: `${name} ${label}` });
}

// ---------------- the helper itself ----------------

describe('gradcheck helper', () => {
  test('accepts a correct gradient and rejects a wrong one, naming op, input, element and values', () => {
    expect(gradcheck((x) => tn.mul(x, x), [randn([3], 1)], { name: 'square-by-mul' })).toBe(true);
    // x * stopgrad(x): the analytical gradient is x, the true one 2x.
    const wrong = (x: T) => tn.mul(x, x.detach());
    let err: unknown;
    try {
      gradcheck(wrong, [randn([2, 2], 2)], { name: 'wrong' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GradcheckError);
    const msg = (err as Error).message;
    expect(msg).toContain("'wrong'");
    expect(msg).toMatch(/input 0 element 3 \[1,1\]: analytical .*, numerical /);
    const res = (err as GradcheckError).result;
    expect(res.mismatches.length).toBe(8); // 4 elements x 2 modes (tn.grad and backward)
    const m = res.mismatches[0];
    expect(m.analytical).toBeCloseTo(m.numerical / 2, 6);
  });

  test('detects a wrong second derivative', () => {
    // f(x) = x^2 with a backward that is not differentiable (2 * stopgrad(x)): d2 is 0, not 2.
    const f = (x: T) => {
      const d = x.detach();
      return tn.add(tn.mul(d, d), tn.mul(tn.mul(d, 2), tn.sub(x, d))); // value x^2, gradient 2 * detach(x)
    };
    expect(gradcheck(f, [randn([3], 3)])).toBe(true);
    expect(() => gradgradcheck(f, [randn([3], 3)], { name: 'nondiff' })).toThrow(GradcheckError);
  });

  test('rejects float32 inputs', () => {
    expect(() => gradcheck(tn.exp, [tn.randn([2], { seed: 1 })])).toThrow(/float64/);
  });

  test('inputs that are views (expanded, transposed, sliced) are perturbed through a contiguous copy', () => {
    const base = randn([3, 1], 4);
    const expanded = base.expand([3, 4]); // stride 0: perturbing its storage would move 4 elements
    expect(expanded.isContiguous).toBe(false);
    gradcheck((x) => tn.mul(x, x), [expanded], { name: 'mul of expanded view' });
    gradcheck((x) => tn.exp(x), [randn([4, 3], 5).T], { name: 'exp of transposed view' });
    gradcheck((x) => tn.sin(x), [randn([5, 6], 6).slice([1, null, 2], [null, null, -2])], { name: 'sin of strided slice' });
    // the inputs were not modified
    expect(Array.from(expanded.dataSync())).toEqual(Array.from(base.expand([3, 4]).contiguous().dataSync()));
  });
});

// ---------------- unary ----------------

const UNARY: [string, (x: T) => T, Gen][] = [
  ['neg', tn.neg, randn],
  ['exp', tn.exp, randn],
  ['log', tn.log, positive],
  ['sqrt', tn.sqrt, positive],
  ['rsqrt', tn.rsqrt, positive],
  ['abs', tn.abs, awayFromZero()],
  ['sin', tn.sin, randn],
  ['cos', tn.cos, randn],
  ['tanh', tn.tanh, randn],
  ['sigmoid', tn.sigmoid, randn],
  ['relu', tn.relu, awayFromZero()],
  ['square', tn.square, randn],
  ['reciprocal', tn.reciprocal, awayFromZero(0.5)],
  ['log1p', tn.log1p, uniform(-0.6, 2)],
  ['expm1', tn.expm1, randn],
];

describe('unary ops', () => {
  test.each(UNARY)('%s', (name, op, gen) => {
    checkAll(name, op, [
      ['[2,3,1]', [gen([2, 3, 1], 11)]],
      ['0-d', [gen([], 12)]],
      ['transposed input', [gen([4, 3], 13).T]],
      ['sliced input (negative step)', [gen([3, 6], 14).slice(null, [null, null, -2])]],
    ]);
    // method form, and a non-contiguous tensor created inside f
    gradcheck((x) => op(x.permute([1, 0, 2])), [gen([2, 3, 2], 15)], { name: `${name} of permuted` });
  });
});

// ---------------- binary ----------------

interface BinaryCase { name: string; op: (a: T, b: T) => T; scalarOp: (a: T, s: number) => T; scalarFirst: (s: number, b: T) => T; genA: Gen; genB: Gen; scalar: number; self: Gen | null }
const BINARY: BinaryCase[] = [
  { name: 'add', op: tn.add, scalarOp: tn.add, scalarFirst: tn.add, genA: randn, genB: randn, scalar: 1.7, self: randn },
  { name: 'sub', op: tn.sub, scalarOp: tn.sub, scalarFirst: tn.sub, genA: randn, genB: randn, scalar: 1.7, self: randn },
  { name: 'mul', op: tn.mul, scalarOp: tn.mul, scalarFirst: tn.mul, genA: randn, genB: randn, scalar: 1.7, self: randn },
  { name: 'div', op: tn.div, scalarOp: tn.div, scalarFirst: tn.div, genA: randn, genB: awayFromZero(0.5), scalar: 1.7, self: awayFromZero(0.5) },
  { name: 'pow', op: tn.pow, scalarOp: tn.pow, scalarFirst: tn.pow, genA: positive, genB: randn, scalar: 1.7, self: positive },
  { name: 'maximum', op: tn.maximum, scalarOp: tn.maximum, scalarFirst: tn.maximum, genA: gridA, genB: gridB, scalar: 0.3, self: null },
  { name: 'minimum', op: tn.minimum, scalarOp: tn.minimum, scalarFirst: tn.minimum, genA: gridA, genB: gridB, scalar: 0.3, self: null },
];

describe('binary ops (gradients w.r.t. both arguments)', () => {
  test.each(BINARY.map((c) => [c.name, c] as const))('%s', (name, c) => {
    const { op, genA, genB } = c;
    checkAll(name, op, [
      ['same shape [2,3]', [genA([2, 3], 21), genB([2, 3], 22)]],
      ['broadcast [3,1] with [4]', [genA([3, 1], 23), genB([4], 24)]],
      ['broadcast [4] with [3,1]', [genA([4], 25), genB([3, 1], 26)]],
      ['broadcast [2,1,4] with [3,1]', [genA([2, 1, 4], 27), genB([3, 1], 28)]],
      ['size-1 dims [1,1] with [1,3]', [genA([1, 1], 29), genB([1, 3], 30)]],
      ['0-d with [2,3]', [genA([], 31), genB([2, 3], 32)]],
      ['[2,3] with 0-d', [genA([2, 3], 33), genB([], 34)]],
      ['transposed a, strided b', [genA([3, 2], 35).T, genB([2, 6], 36).slice(null, [null, null, 2])]],
      ['expanded-view inputs', [genA([3, 1], 37).expand([3, 4]), genB([1, 4], 38).expand([3, 4])]],
    ]);
    gradcheck((a) => c.scalarOp(a, c.scalar), [genA([2, 3], 39)], { name: `${name}(tensor, JS scalar)` });
    gradcheck((b) => c.scalarFirst(c.scalar, b), [genB([2, 3], 40)], { name: `${name}(JS scalar, tensor)` });
    if (c.self) gradcheck((x) => op(x, x), [c.self([2, 3], 41)], { name: `${name}(x, x)` });
  });

  test('pow with constant exponents, negative bases for integer exponents', () => {
    gradcheck((x) => tn.pow(x, 3), [randn([2, 3], 42)], { name: 'pow(x, 3)' });
    gradcheck((x) => tn.pow(x, 2), [randn([2, 3], 43)], { name: 'pow(x, 2)' });
    gradcheck((x) => tn.pow(x, -1.5), [positive([2, 3], 44)], { name: 'pow(x, -1.5)' });
    gradcheck((x) => tn.pow(x, 0.5), [positive([2, 3], 45)], { name: 'pow(x, 0.5)' });
  });
});

// ---------------- where, clamp ----------------

describe('where', () => {
  const cond = randn([3, 4], 50).gt(0);
  test('the condition mixes both branches', () => {
    const c = Array.from(cond.dataSync());
    expect(c).toContain(1);
    expect(c).toContain(0);
  });
  test('both branches, broadcasting cond [3,4], a [3,1], b [4]', () => {
    gradcheck((a, b) => tn.where(cond, a, b), [randn([3, 1], 51), randn([4], 52)], { name: 'where broadcast' });
    gradcheck((a, b) => tn.where(cond, a, b), [randn([3, 4], 53), randn([3, 4], 54)], { name: 'where same shape' });
    gradcheck((a, b) => tn.where(cond, a, b), [randn([4, 3], 55).T, randn([3, 4], 56)], { name: 'where transposed a' });
  });
  test('condition broadcast, scalar branches', () => {
    const c1 = f64([1, -1, 1, -1], [4]).gt(0);
    gradcheck((a) => tn.where(c1, a, 0), [randn([3, 4], 57)], { name: 'where(cond, a, 0)' });
    gradcheck((b) => tn.where(c1, 2.5, b), [randn([3, 1], 58)], { name: 'where(cond, 2.5, b)' });
    gradcheck((a) => a.where(c1, a.mul(3)), [randn([2, 4], 59)], { name: 'where(cond, a, 3a) (a used twice)' });
  });
});

describe('clamp', () => {
  // normal draws, nudged at least 0.05 away from the bounds -0.5 and 0.5
  const x = mapT(randn([4, 5], 60), (v) => (Math.abs(Math.abs(v) - 0.5) < 0.05 ? v + 0.1 * Math.sign(v) : v));
  test('inputs cover all three regions', () => {
    const d = Array.from(x.dataSync());
    expect(d.some((v) => v < -0.5)).toBe(true);
    expect(d.some((v) => v > 0.5)).toBe(true);
    expect(d.some((v) => Math.abs(v) < 0.5)).toBe(true);
  });
  test('min and max, min only, max only', () => {
    gradcheck((t) => tn.clamp(t, -0.5, 0.5), [x], { name: 'clamp(-0.5, 0.5)' });
    gradcheck((t) => tn.clamp(t, -0.5), [x], { name: 'clamp(-0.5, null)' });
    gradcheck((t) => tn.clamp(t, null, 0.5), [x], { name: 'clamp(null, 0.5)' });
    gradcheck((t) => t.clamp(-0.5, 0.5), [x.T], { name: 'clamp of transposed' });
  });
});

// ---------------- reductions ----------------

type Reduction = (x: T, axis?: tn.Axes, keepdims?: boolean) => T;
const AXES: [string, tn.Axes, boolean][] = [
  ['all', undefined, false],
  ['all keepdims', null, true],
  ['axis 0', 0, false],
  ['axis 1 keepdims', 1, true],
  ['axis -1', -1, false],
  ['axes [0,2]', [0, 2], false],
  ['axes [0,2] keepdims', [0, 2], true],
  ['axes [2,1] keepdims', [2, 1], true],
];

function checkReduction(name: string, op: Reduction, gen: Gen, size1Axis = true): void {
  for (const [label, axis, keepdims] of AXES) {
    gradcheck((x) => op(x, axis, keepdims), [gen([2, 3, 4], 70)], { name: `${name} ${label}` });
  }
  gradcheck((x) => op(x, 1, false), [gen([4, 3, 2], 71).permute([2, 1, 0])], { name: `${name} of permuted input` });
  // (var/std with Bessel's correction are 0/0 = NaN over one element, as in PyTorch: skipped)
  if (size1Axis) gradcheck((x) => op(x, 0, true), [gen([1, 3], 72)], { name: `${name} over a size-1 axis` });
  gradcheck((x) => op(x), [gen([5], 73)], { name: `${name} of 1-D` });
}

describe('reductions', () => {
  test('sum', () => checkReduction('sum', tn.sum, randn));
  test('mean', () => checkReduction('mean', tn.mean, randn));
  // magnitudes in [0.5, 1.5), every third value negative
  const signed: Gen = (shape, seed) => mapT(uniform(0.5, 1.5)(shape, seed), (v, i) => (i % 3 === 1 ? -v : v));
  test('prod', () => checkReduction('prod', tn.prod, signed));
  test('max', () => checkReduction('max', tn.max, randn));
  test('min', () => checkReduction('min', tn.min, randn));
  test('var', () => {
    checkReduction('var', tn.var, randn, false);
    gradcheck((x) => tn.var(x, 0, true, 0), [randn([1, 3], 72)], { name: 'var correction 0 over a size-1 axis' });
    gradcheck((x) => tn.var(x, 1, false, 0), [randn([3, 4], 74)], { name: 'var correction 0' });
    gradcheck((x) => tn.var(x, [0, 1], true, 2), [randn([3, 4], 75)], { name: 'var correction 2' });
  });
  test('std', () => {
    checkReduction('std', tn.std, randn, false);
    gradcheck((x) => tn.std(x, 0, true, 0), [randn([3, 4], 76)], { name: 'std correction 0' });
  });
  test('logsumexp', () => {
    checkReduction('logsumexp', tn.logsumexp, randn);
    gradcheck((x) => tn.logsumexp(x, -1), [mapT(randn([2, 3], 77), (v) => 30 * v)], { name: 'logsumexp of large values' });
  });

  describe('prod with zeros', () => {
    // exactly one zero, at [0,1]
    const one = f64([0.7, 0, -1.3, 1.1, 0.9, -0.6], [2, 3]);
    // two zeros in row 0 ([0,0] and [0,2]), none in row 1
    const two = f64([0, 1.2, 0, -0.8, 1.5, 0.6], [2, 3]);
    test('exactly one zero', () => {
      gradcheck((x) => tn.prod(x), [one], { name: 'prod(one zero) all' });
      gradcheck((x) => tn.prod(x, 1), [one], { name: 'prod(one zero) axis 1' });
      gradcheck((x) => tn.prod(x, 0, true), [one], { name: 'prod(one zero) axis 0 keepdims' });
      gradcheck((x) => tn.prod(x, 1), [one.T.contiguous().T], { name: 'prod(one zero) axis 1, transposed layout' });
    });
    test('two zeros', () => {
      gradcheck((x) => tn.prod(x), [two], { name: 'prod(two zeros) all' });
      gradcheck((x) => tn.prod(x, 1, true), [two], { name: 'prod(two zeros in one slice) axis 1' });
      gradcheck((x) => tn.prod(x, 0), [two], { name: 'prod(two zeros, one per slice) axis 0' });
    });
  });
});

// ---------------- matmul ----------------

describe('matmul', () => {
  const mm = (a: T, b: T) => tn.matmul(a, b);
  test('2-D', () => {
    checkAll('matmul', mm, [
      ['[3,4]@[4,5]', [randn([3, 4], 80), randn([4, 5], 81)]],
      ['[1,4]@[4,1]', [randn([1, 4], 82), randn([4, 1], 83)]],
      ['transposed a', [randn([4, 3], 84).T, randn([4, 5], 85)]],
      ['transposed b, sliced a', [randn([3, 8], 86).slice(null, [null, null, 2]), randn([5, 4], 87).T]],
    ]);
  });
  test('1-D operands', () => {
    checkAll('matmul', mm, [
      ['[4]@[4,5]', [randn([4], 88), randn([4, 5], 89)]],
      ['[3,4]@[4]', [randn([3, 4], 90), randn([4], 91)]],
      ['[4]@[4] (dot)', [randn([4], 92), randn([4], 93)]],
      ['[4]@[2,4,3] (batched)', [randn([4], 94), randn([2, 4, 3], 95)]],
      ['[2,3,4]@[4] (batched)', [randn([2, 3, 4], 96), randn([4], 97)]],
    ]);
  });
  test('batched, with broadcast batch dims', () => {
    checkAll('matmul', mm, [
      ['[2,3,4]@[2,4,5]', [randn([2, 3, 4], 98), randn([2, 4, 5], 99)]],
      ['[2,3,4]@[4,5]', [randn([2, 3, 4], 100), randn([4, 5], 101)]],
      ['[3,4]@[2,4,5]', [randn([3, 4], 102), randn([2, 4, 5], 103)]],
      ['[2,1,3,4]@[3,4,2]', [randn([2, 1, 3, 4], 104), randn([3, 4, 2], 105)]],
      ['[1,3,4]@[2,4,2]', [randn([1, 3, 4], 106), randn([2, 4, 2], 107)]],
      ['permuted batch', [randn([3, 2, 4], 108).permute([1, 0, 2]), randn([2, 4, 2], 109)]],
    ]);
  });
  test.each([
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ])('matmulT transA=%s transB=%s', (ta, tb) => {
    const shapeA = (batch: number[]) => [...batch, ...(ta ? [4, 3] : [3, 4])];
    const shapeB = (batch: number[]) => [...batch, ...(tb ? [5, 4] : [4, 5])];
    const f = (a: T, b: T) => tn.matmulT(a, b, ta, tb);
    checkAll(`matmulT(${ta},${tb})`, f, [
      ['2-D', [randn(shapeA([]), 110), randn(shapeB([]), 111)]],
      ['batched', [randn(shapeA([2]), 112), randn(shapeB([2]), 113)]],
      ['broadcast batch [2,1] x [3]', [randn(shapeA([2, 1]), 114), randn(shapeB([3]), 115)]],
      ['a unbatched, b batched', [randn(shapeA([]), 116), randn(shapeB([2]), 117)]],
    ]);
  });
});

// ---------------- softmax ----------------

describe('softmax / logSoftmax', () => {
  test.each([['softmax', tn.softmax], ['logSoftmax', tn.logSoftmax]] as const)('%s', (name, op) => {
    for (const axis of [0, 1, 2, -1, -2]) gradcheck((x) => op(x, axis), [randn([3, 4, 2], 120)], { name: `${name} axis ${axis}` });
    gradcheck((x) => op(x), [randn([5], 121)], { name: `${name} 1-D` });
    gradcheck((x) => op(x, 0), [randn([4, 3], 122).T], { name: `${name} transposed input axis 0` });
    gradcheck((x) => op(x, -1), [randn([4, 3], 123).T], { name: `${name} transposed input axis -1` });
    gradcheck((x) => op(x, 1), [randn([3, 1], 124)], { name: `${name} over a size-1 axis` });
    gradcheck((x) => tn.mul(op(x, 0), x), [randn([], 125)], { name: `${name} of 0-d (times x)` });
  });
});

// ---------------- shape and indexing ----------------

describe('shape ops', () => {
  test('reshape', () => {
    const x = randn([2, 3, 4], 130);
    for (const s of [[6, 4], [-1], [4, 1, 6], [2, 12], [24, 1]]) gradcheck((t) => tn.reshape(t, s), [x], { name: `reshape to [${s}]` });
    gradcheck((t) => tn.reshape(t, [12]), [randn([4, 3], 131).T], { name: 'reshape of transposed (copies)' });
    gradcheck((t) => tn.reshape(t, [2, 3]), [randn([6], 132).slice([null, null, -1])], { name: 'reshape of reversed slice' });
  });
  test('permute / transpose', () => {
    gradcheck((t) => tn.permute(t, [2, 0, 1]), [randn([2, 3, 4], 133)], { name: 'permute [2,0,1]' });
    gradcheck((t) => tn.permute(t, [1, -1, 0]), [randn([4, 2, 3], 134).permute([1, 2, 0])], { name: 'permute of permuted' });
    gradcheck((t) => tn.transpose(t, 0, 2), [randn([2, 3, 4], 135)], { name: 'transpose(0,2)' });
    gradcheck((t) => tn.transpose(t), [randn([2, 3, 4], 136)], { name: 'transpose()' });
    gradcheck((t) => t.T, [randn([3, 5], 137)], { name: '.T' });
  });
  test('squeeze / unsqueeze', () => {
    const x = randn([2, 1, 3, 1], 138);
    gradcheck((t) => tn.squeeze(t), [x], { name: 'squeeze()' });
    gradcheck((t) => tn.squeeze(t, 1), [x], { name: 'squeeze(1)' });
    gradcheck((t) => tn.squeeze(t, [1, -1]), [x], { name: 'squeeze([1,-1])' });
    gradcheck((t) => tn.squeeze(t, 0), [x], { name: 'squeeze(0) (not size 1: no-op)' });
    for (const a of [0, 1, 2, -1]) gradcheck((t) => tn.unsqueeze(t, a), [randn([2, 3], 139)], { name: `unsqueeze(${a})` });
    gradcheck((t) => tn.unsqueeze(t, 1), [randn([3, 2], 140).T], { name: 'unsqueeze of transposed' });
  });
  test('expand / broadcastTo', () => {
    gradcheck((t) => tn.expand(t, [2, 3, 4]), [randn([3, 1], 141)], { name: 'expand [3,1] -> [2,3,4]' });
    gradcheck((t) => tn.expand(t, [5]), [randn([1], 142)], { name: 'expand [1] -> [5]' });
    gradcheck((t) => tn.expand(t, [-1, 4]), [randn([3, 1], 143)], { name: 'expand [3,1] -> [-1,4]' });
    gradcheck((t) => tn.expand(t, [2, 3]), [randn([], 144)], { name: 'expand 0-d -> [2,3]' });
    gradcheck((t) => tn.broadcastTo(t, [2, 3, 2]), [randn([2, 3], 145).T.slice([0, 1])], { name: 'broadcastTo of a view' });
  });
  test('flatten', () => {
    const x = randn([2, 3, 4], 146);
    gradcheck((t) => tn.flatten(t), [x], { name: 'flatten()' });
    gradcheck((t) => tn.flatten(t, 1), [x], { name: 'flatten(1)' });
    gradcheck((t) => tn.flatten(t, 0, 1), [x], { name: 'flatten(0,1)' });
    gradcheck((t) => tn.flatten(t), [randn([4, 3], 147).T], { name: 'flatten of transposed' });
  });
  test('slice', () => {
    const x = randn([5, 6], 148);
    const specs: [string, tn.SliceSpec[]][] = [
      ['[1:4]', [[1, 4]]],
      ['[:, ::-1]', [null, [null, null, -1]]],
      ['[4:0:-2, 1::2]', [[4, 0, -2], [1, null, 2]]],
      ['[2] (integer index)', [2]],
      ['[-1, ::-3]', [-1, [null, null, -3]]],
      ['[-3:, 2]', [[-3, null], 2]],
      ['[::-1, ::-1]', [[null, null, -1], [null, null, -1]]],
    ];
    for (const [label, s] of specs) gradcheck((t) => tn.slice(t, ...s), [x], { name: `slice ${label}` });
    gradcheck((t) => tn.slice(tn.slice(t, [null, null, -1]), [1, 4], [null, null, 2]), [x], { name: 'slice of slice' });
    gradcheck((t) => tn.slice(t, [null, null, -2], 1), [randn([6, 5], 149).T], { name: 'slice of transposed' });
  });
  test('concat', () => {
    const cat0 = (a: T, b: T) => tn.concat([a, b], 0);
    const cat1 = (a: T, b: T, c: T) => tn.concat([a, b, c], 1);
    gradcheck(cat0, [randn([2, 3], 150), randn([4, 3], 151)], { name: 'concat axis 0' });
    gradcheck(cat1, [randn([2, 3], 152), randn([2, 1], 153), randn([2, 2], 154)], { name: 'concat axis 1 (size-1 part)' });
    gradcheck(cat0, [randn([3, 2], 155).T, randn([1, 3], 156)], { name: 'concat of transposed' });
    gradcheck((a) => tn.concat([a, a.mul(2), a], -1), [randn([2, 2], 157)], { name: 'concat of one tensor thrice' });
  });
  test('stack', () => {
    const st = (axis: number) => (a: T, b: T, c: T) => tn.stack([a, b, c], axis);
    const xs = () => [randn([2, 3], 158), randn([2, 3], 159), randn([3, 2], 160).T];
    for (const axis of [0, 1, 2, -1]) gradcheck(st(axis), xs(), { name: `stack axis ${axis}` });
  });
  test('split (several outputs)', () => {
    gradcheck((t) => tn.split(t, 2, 0), [randn([5, 4], 161)], { name: 'split(2) axis 0' });
    gradcheck((t) => tn.split(t, [1, 3], 1), [randn([5, 4], 162)], { name: 'split([1,3]) axis 1' });
    gradcheck((t) => tn.split(t, 2, -1)[1], [randn([3, 4], 163).T.contiguous()], { name: 'split, one part used' });
    gradcheck((t) => tn.split(t, [2, 1], 0), [randn([4, 3], 164).T], { name: 'split of transposed' });
  });
});

describe('indexing ops', () => {
  test('gather', () => {
    const x = randn([3, 4], 170);
    gradcheck((t, i) => tn.gather(t, 1, i), [x, idx([0, 0, 3, 2, 1, 1], [3, 2])], { name: 'gather axis 1 (repeated indices)' });
    gradcheck((t, i) => tn.gather(t, 0, i), [x, idx([2, 0, 1, 2, 2, 2, 0, 1], [2, 4])], { name: 'gather axis 0' });
    gradcheck((t, i) => tn.gather(t, 1, i), [x, idx([3, 3, 1, 0], [2, 2])], { name: 'gather index smaller than x' });
    gradcheck((t, i) => tn.gather(t, 0, i), [randn([4, 3], 171).T, idx([1, 1, 0, 2, 2, 0], [2, 3])], { name: 'gather of transposed' });
  });
  test('indexSelect', () => {
    gradcheck((t, i) => tn.indexSelect(t, 0, i), [randn([4, 3], 172), idx([2, 0, 2, 3], [4])], { name: 'indexSelect axis 0 (repeated)' });
    gradcheck((t, i) => tn.indexSelect(t, 1, i), [randn([2, 3], 173), idx([1, 1, 0], [3])], { name: 'indexSelect axis 1' });
    gradcheck((t, i) => tn.indexSelect(t, -1, i), [randn([3, 2], 174).T, idx([2, 0], [2])], { name: 'indexSelect of transposed' });
  });
  test('scatterAdd (gradients for x and src)', () => {
    const f1 = (x: T, i: T, s: T) => tn.scatterAdd(x, 1, i, s);
    const f0 = (x: T, i: T, s: T) => tn.scatterAdd(x, 0, i, s);
    gradcheck(f1, [randn([3, 4], 175), idx([0, 0, 3, 2, 1, 1], [3, 2]), randn([3, 2], 176)], { name: 'scatterAdd axis 1 (repeated)' });
    gradcheck(f0, [randn([3, 4], 177), idx([2, 0, 1, 2, 2, 2, 0, 1], [2, 4]), randn([2, 4], 178)], { name: 'scatterAdd axis 0' });
    gradcheck(f1, [randn([4, 3], 179).T, idx([1, 1, 0, 3, 2, 2], [3, 2]), randn([2, 3], 180).T], { name: 'scatterAdd of transposed x and src' });
  });
  test('scatterAdd with src larger than index (only src[:, :2] is used; its other entries get 0)', () => {
    const f1 = (x: T, i: T, s: T) => tn.scatterAdd(x, 1, i, s);
    gradcheck(f1, [randn([3, 4], 181), idx([0, 0, 3, 2, 1, 1], [3, 2]), randn([3, 3], 182)], { name: 'scatterAdd src [3,3], index [3,2]' });
  });
});

describe('copies', () => {
  test('cast float64 -> float64', () => {
    gradcheck((t) => tn.cast(t, 'float64'), [randn([2, 3], 190)], { name: 'cast f64->f64' });
    gradcheck((t) => tn.cast(t, 'float64').mul(t), [randn([3, 2], 191).T], { name: 'cast f64->f64 of transposed, times x' });
  });
  test('contiguous / clone', () => {
    gradcheck((t) => tn.contiguous(t), [randn([3, 4], 192).T], { name: 'contiguous of transposed' });
    gradcheck((t) => tn.contiguous(t.T).mul(t.T), [randn([3, 4], 193)], { name: 'contiguous inside f' });
    gradcheck((t) => tn.clone(t), [randn([2, 3], 194)], { name: 'clone' });
    gradcheck((t) => tn.clone(t.slice([null, null, -1])), [randn([4, 2], 195)], { name: 'clone of reversed slice' });
  });
});

// ---------------- composites (accumulation) ----------------

describe('composites', () => {
  test('2-layer MLP loss w.r.t. every parameter (weights used twice: forward and weight decay)', () => {
    const X = randn([5, 3], 200);
    const y = randn([5, 2], 201);
    const loss = (w1: T, b1: T, w2: T, b2: T) => {
      const h = tn.tanh(tn.add(tn.matmul(X, w1), b1));
      const out = tn.add(tn.matmul(h, w2), b2);
      const mse = tn.mean(tn.square(tn.sub(out, y)));
      const decay = tn.add(tn.sum(tn.mul(w1, w1)), tn.sum(tn.square(w2)));
      return tn.add(mse, tn.mul(decay, 0.01));
    };
    gradcheck(loss, [randn([3, 4], 202), randn([4], 203), randn([4, 2], 204), randn([2], 205)], { name: 'mlp loss' });
  });

  test('MLP with softmax cross-entropy, relu, gather (classification)', () => {
    const X = randn([6, 3], 206);
    const labels = idx([0, 2, 1, 1, 0, 2], [6, 1]);
    const loss = (w1: T, w2: T) => {
      const h = tn.relu(tn.matmul(X, w1));
      const logp = tn.logSoftmax(tn.matmul(h, w2), -1);
      return tn.neg(tn.mean(tn.gather(logp, 1, labels)));
    };
    // relu inputs: check they are not near 0 for these seeds
    const pre = Array.from(tn.matmul(X, randn([3, 5], 207)).dataSync());
    expect(Math.min(...pre.map(Math.abs))).toBeGreaterThan(1e-3);
    gradcheck(loss, [randn([3, 5], 207), randn([5, 3], 208)], { name: 'classifier loss' });
  });

  test('a tensor used many times, through views and a shared intermediate', () => {
    const f = (x: T) => {
      const h = tn.exp(x);
      return tn.add(tn.add(tn.mul(h, h), h.T.T), tn.mul(x, tn.sum(h, 0, true)));
    };
    gradcheck(f, [randn([3, 2], 209)], { name: 'reuse' });
    gradcheck((a, b) => tn.mul(tn.add(a, b), tn.sub(a, b)), [randn([3, 1], 210), randn([4], 211)], { name: '(a+b)(a-b) broadcast' });
    gradcheck((x) => tn.mul(x, x.T), [randn([3, 3], 212)], { name: 'x * x^T' });
    gradcheck((x) => tn.matmul(x, x), [randn([3, 3], 213)], { name: 'x @ x' });
    gradcheck((x) => tn.concat([tn.split(x, 1, 0)[1], tn.split(x, 1, 0)[0]], 0).mul(x), [randn([2, 3], 214)], { name: 'split twice, reassembled' });
  });
});

// ---------------- second derivatives ----------------

describe('second derivatives (gradgradcheck)', () => {
  test('mul', () => {
    gradgradcheck(tn.mul, [randn([3, 1], 300), randn([4], 301)], { name: 'mul' });
    gradgradcheck((x) => tn.mul(x, x), [randn([2, 3], 302)], { name: 'mul(x, x)' });
  });
  test('div', () => {
    gradgradcheck(tn.div, [randn([2, 3], 303), awayFromZero(0.5)([3], 304)], { name: 'div' });
  });
  test('exp', () => {
    gradgradcheck(tn.exp, [randn([2, 3], 305)], { name: 'exp' });
  });
  test('tanh', () => {
    gradgradcheck(tn.tanh, [randn([2, 3], 306)], { name: 'tanh' });
  });
  test('sigmoid', () => {
    gradgradcheck(tn.sigmoid, [randn([2, 3], 307)], { name: 'sigmoid' });
  });
  test('pow', () => {
    gradgradcheck(tn.pow, [positive([2, 3], 308), randn([2, 3], 309)], { name: 'pow' });
    gradgradcheck((x) => tn.pow(x, 3), [randn([4], 310)], { name: 'pow(x, 3)' });
  });
  test('softmax', () => {
    gradgradcheck((x) => tn.softmax(x, -1), [randn([2, 4], 311)], { name: 'softmax -1' });
    gradgradcheck((x) => tn.softmax(x, 0), [randn([3, 2], 312)], { name: 'softmax 0' });
  });
  test('logSoftmax', () => {
    gradgradcheck((x) => tn.logSoftmax(x, -1), [randn([2, 4], 313)], { name: 'logSoftmax -1' });
    gradgradcheck((x) => tn.logSoftmax(x, 0), [randn([3, 2], 314)], { name: 'logSoftmax 0' });
  });
  test('logsumexp', () => {
    gradgradcheck((x) => tn.logsumexp(x, 1), [randn([2, 4], 315)], { name: 'logsumexp 1' });
    gradgradcheck((x) => tn.logsumexp(x), [randn([2, 3], 316)], { name: 'logsumexp all' });
  });
  test('matmul', () => {
    gradgradcheck(tn.matmul, [randn([3, 4], 317), randn([4, 2], 318)], { name: 'matmul 2-D' });
    gradgradcheck(tn.matmul, [randn([2, 3, 4], 319), randn([4], 320)], { name: 'matmul batched @ 1-D' });
    gradgradcheck((a, b) => tn.matmulT(a, b, true, true), [randn([2, 4, 3], 321), randn([2, 4], 322)], { name: 'matmulT(true,true) broadcast' });
  });
  test('sum / mean', () => {
    // linear ops: the second derivative of sum(f * v) is 0, but the backward graph must exist
    gradgradcheck((x) => tn.mul(tn.sum(x, 1, true), x), [randn([2, 3], 323)], { name: 'sum(x,1)*x' });
    gradgradcheck((x) => tn.mul(tn.mean(x, 0), tn.mean(x)), [randn([3, 2], 324)], { name: 'mean(x,0)*mean(x)' });
    gradgradcheck((x) => tn.square(tn.sum(x)), [randn([4], 325)], { name: 'sum(x)^2' });
  });
  test('composite MLP', () => {
    const X = randn([4, 3], 326);
    gradgradcheck((w) => tn.mean(tn.square(tn.tanh(tn.matmul(X, w)))), [randn([3, 2], 327)], { name: 'mlp' });
  });

  test.each(UNARY)('unary %s', (name, op, gen) => {
    gradgradcheck(op, [gen([2, 3], 330)], { name });
    gradgradcheck((x) => op(x.T), [gen([3, 2], 331)], { name: `${name} of transposed` });
  });
  test.each(BINARY.map((c) => [c.name, c] as const))('binary %s (broadcast [3,1] with [4])', (name, c) => {
    gradgradcheck(c.op, [c.genA([3, 1], 332), c.genB([4], 333)], { name });
  });
  test('reductions', () => {
    const signed: Gen = (shape, seed) => mapT(uniform(0.5, 1.5)(shape, seed), (v, i) => (i % 3 === 1 ? -v : v));
    for (const [label, axis, keepdims] of AXES) {
      gradgradcheck((x) => tn.prod(x, axis, keepdims), [signed([2, 3, 2], 334)], { name: `prod ${label}` });
      gradgradcheck((x) => tn.square(tn.max(x, axis, keepdims)), [randn([2, 3, 2], 335)], { name: `max ${label}` });
      gradgradcheck((x) => tn.square(tn.min(x, axis, keepdims)), [randn([2, 3, 2], 336)], { name: `min ${label}` });
      gradgradcheck((x) => tn.var(x, axis, keepdims), [randn([2, 3, 2], 337)], { name: `var ${label}` });
      gradgradcheck((x) => tn.std(x, axis, keepdims), [randn([2, 3, 2], 338)], { name: `std ${label}` });
      gradgradcheck((x) => tn.logsumexp(x, axis, keepdims), [randn([2, 3, 2], 339)], { name: `logsumexp ${label}` });
      gradgradcheck((x) => tn.square(tn.sum(x, axis, keepdims)), [randn([2, 3, 2], 340)], { name: `sum^2 ${label}` });
      gradgradcheck((x) => tn.square(tn.mean(x, axis, keepdims)), [randn([2, 3, 2], 341)], { name: `mean^2 ${label}` });
    }
  });
  test('prod with zeros', () => {
    const one = f64([0.7, 0, -1.3, 1.1, 0.9, -0.6], [2, 3]);
    const two = f64([0, 1.2, 0, -0.8, 1.5, 0.6], [2, 3]);
    gradgradcheck((x) => tn.prod(x), [one], { name: 'prod(one zero) all' });
    gradgradcheck((x) => tn.prod(x, 1), [one], { name: 'prod(one zero) axis 1' });
    gradgradcheck((x) => tn.prod(x), [two], { name: 'prod(two zeros) all' });
    gradgradcheck((x) => tn.prod(x, 1), [two], { name: 'prod(two zeros) axis 1' });
  });
  test('where, clamp, matmulT flags', () => {
    const cond = randn([3, 4], 342).gt(0);
    gradgradcheck((a, b) => tn.square(tn.where(cond, a, b)), [randn([3, 1], 343), randn([4], 344)], { name: 'where^2' });
    gradgradcheck((x) => tn.square(tn.clamp(x, -0.5, 0.5)), [mapT(randn([3, 4], 345), (v) => (Math.abs(Math.abs(v) - 0.5) < 0.05 ? v + 0.1 * Math.sign(v) : v))], { name: 'clamp^2' });
    for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]]) {
      gradgradcheck((a, b) => tn.matmulT(a, b, ta, tb), [randn([2, 1, 3, 3], 346), randn([2, 3, 3], 347)], { name: `matmulT(${ta},${tb})` });
    }
  });
  test('shape and indexing ops inside a nonlinearity', () => {
    const sq = (op: (x: T) => T | T[]) => (x: T) => {
      const y = op(x);
      return Array.isArray(y) ? y.map((t) => tn.square(t)) : tn.square(y);
    };
    const x = () => randn([3, 4], 348);
    const cases: [string, (x: T) => T | T[]][] = [
      ['reshape', (t) => tn.reshape(t, [2, 6])],
      ['reshape of transposed', (t) => tn.reshape(t.T, [12])],
      ['permute', (t) => tn.permute(t, [1, 0])],
      ['unsqueeze/squeeze', (t) => tn.squeeze(tn.unsqueeze(t, 1))],
      ['expand', (t) => tn.expand(tn.unsqueeze(t, 0), [2, 3, 4])],
      ['slice', (t) => tn.slice(t, [2, 0, -1], [null, null, -2])],
      ['slice index', (t) => tn.slice(t, 1)],
      ['concat', (t) => tn.concat([t, t.T.T], 1)],
      ['stack', (t) => tn.stack([t, t], -1)],
      ['split', (t) => tn.split(t, [1, 3], 1)],
      ['gather', (t) => tn.gather(t, 1, idx([0, 0, 3, 2, 1, 1], [3, 2]))],
      ['indexSelect', (t) => tn.indexSelect(t, 0, idx([2, 0, 2], [3]))],
      ['scatterAdd src', (t) => tn.scatterAdd(tn.zeros([3, 4], { dtype: F64 }), 1, idx([0, 0, 3, 2, 1, 1, 0, 2], [2, 4]), t.slice([0, 2]))],
      ['contiguous', (t) => tn.contiguous(t.T)],
      ['clone', (t) => tn.clone(t)],
    ];
    for (const [label, op] of cases) gradgradcheck(sq(op), [x()], { name: label });
  });

  test('tn.grad(tn.grad(f)) of x^3 is 6x (and the third derivative is 6)', () => {
    const f = (x: T) => tn.sum(tn.pow(x, 3));
    for (const v of [-1.5, 0.5, 2]) {
      const x = f64([v], [1]);
      const d1 = tn.grad(f)(x);
      const d2 = tn.grad(tn.grad(f))(x);
      const d3 = tn.grad(tn.grad(tn.grad(f)))(x);
      expect(d1.dataSync()[0]).toBeCloseTo(3 * v * v, 10);
      expect(d2.dataSync()[0]).toBeCloseTo(6 * v, 10);
      expect(d3.dataSync()[0]).toBeCloseTo(6, 10);
    }
    // elementwise on a vector: d/dx sum(grad f) = 6x
    const xs = randn([5], 328);
    const h = tn.grad((x: T) => tn.sum(tn.grad(f)(x)))(xs);
    const want = Array.from(xs.dataSync(), (v) => 6 * v);
    Array.from(h.dataSync()).forEach((g, i) => expect(g).toBeCloseTo(want[i], 10));
  });

  test('backward({ createGraph: true }) records a differentiable .grad', () => {
    const x = f64([0.5, -1.2, 2], [3]).requiresGrad_();
    tn.sum(tn.pow(x, 3)).backward(undefined, { createGraph: true });
    const g = x.grad!; // 3x^2, with a graph
    expect(g.requiresGrad).toBe(true);
    x.grad = null;
    tn.sum(g).backward();
    Array.from(x.grad!.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(6 * [0.5, -1.2, 2][i], 10));
  });
});

// ---------------- backward() graph lifetime ----------------

describe('backward() twice', () => {
  test('without retainGraph the second call throws a TensileError', () => {
    const x = randn([3], 400).requiresGrad_();
    const loss = tn.sum(tn.mul(x, x));
    loss.backward();
    expect(() => loss.backward()).toThrow(tn.TensileError);
    expect(() => loss.backward()).toThrow(/retainGraph/);
  });

  test('with retainGraph the gradient accumulates (doubles)', () => {
    const x = randn([3], 401).requiresGrad_();
    const loss = tn.sum(tn.mul(x, x));
    loss.backward(undefined, { retainGraph: true });
    const first = Array.from(x.grad!.dataSync());
    Array.from(x.dataSync()).forEach((v, i) => expect(first[i]).toBeCloseTo(2 * v, 12));
    loss.backward(undefined, { retainGraph: true });
    Array.from(x.grad!.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(2 * first[i], 12));
    loss.backward(); // a third, last pass without retainGraph is still allowed
    Array.from(x.grad!.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(3 * first[i], 12));
    expect(() => loss.backward()).toThrow(tn.TensileError);
  });

  test('with retainGraph, two leaves fed the same gradient tensor (a + b) both accumulate', () => {
    const a = randn([3], 402).requiresGrad_();
    const b = randn([3], 403).requiresGrad_();
    const c = randn([3], 404);
    const loss = tn.sum(tn.mul(tn.add(a, b), c)); // d/da = d/db = c
    loss.backward(undefined, { retainGraph: true });
    loss.backward(undefined, { retainGraph: true });
    const want = Array.from(c.dataSync(), (v) => 2 * v);
    Array.from(a.grad!.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(want[i], 12));
    Array.from(b.grad!.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(want[i], 12));
  });

  test('the gradient passed to backward(grad) is not taken over (disposed) by a later backward', () => {
    const a = randn([3], 405).requiresGrad_();
    const y = tn.add(a, randn([3], 406)); // dy/da = I: the gradient reaches a unchanged
    const g = randn([3], 407);
    y.backward(g, { retainGraph: true });
    y.backward(g);
    expect(g.isDisposed).toBe(false);
    const want = Array.from(g.dataSync(), (v) => 2 * v);
    Array.from(a.grad!.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(want[i], 12));
  });
});

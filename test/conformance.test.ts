/**
 * Kernel conformance: every kernel of every non-js backend, property-tested against the js
 * oracle at the kernel level. Storages are allocated and written by hand and Views are built
 * by hand (permuted, gapped, negative-stride, offset, broadcast by stride 0, size-0 and size-1
 * dims, rank 0..4), from a seeded generator, so strides and offsets are exercised directly and
 * every failure names the seed that reproduces it. Both backends get byte-identical storages;
 * the whole output storage is compared, so a write outside the view is caught too.
 *
 * The GEMM checks run under every ISA path the CPU has (setGemmIsa), and a thread-count
 * section checks that 1 and N threads agree on large inputs.
 *
 * With only the js backend there is nothing to compare: the suite says why, and fails when
 * TENSILE_REQUIRE_NATIVE=1. TENSILE_CONFORMANCE_LIGHT=1 shrinks the largest sizes (used by
 * the sanitizer run, whose debug build is slow).
 */
import {
  BINARY_OPS, COMPARISON_OPS, DEVICES, REDUCE_OPS, UNARY_OPS,
  type Backend, type View,
} from '../lib/backends/backend.js';
import { getBackend, listBackends, nativeInfo, setGemmIsa, setNumThreads, unavailableReason } from '../lib/device.js';
import { allocArray, type DType, type TypedArray } from '../lib/dtype.js';
import {
  EXACT, FLOAT_SPECIALS, Failures, Gen, INT_SPECIALS, LayoutOpts, Rng, Spec, Tol, abs, compareCase, describeSpecs, finite, fmt, genFor, layout, makeSpec, mapSpec, mismatches, numel, place, randShape, runOn,
} from './conformance-harness.js';


const js = getBackend('js');
const targets = listBackends().filter((b) => b.name !== 'js');
const LIGHT = process.env.TENSILE_CONFORMANCE_LIGHT === '1';
const EPS32 = 2 ** -23;
const EPS64 = 2 ** -52;
const FLOATS: readonly DType[] = ['float32', 'float64'];
const NUMERIC: readonly DType[] = ['float32', 'float64', 'int32'];
const ALL: readonly DType[] = ['float32', 'float64', 'int32', 'bool'];

// ---------------------------------------------------------------------------------------------
// Device settings (cpu only): GEMM ISA paths and thread counts, always restored.

function isasFor(b: Backend): (string | null)[] {
  if (b.name !== 'cpu') return [null];
  return nativeInfo()?.isas ?? [null];
}

async function withIsa<T>(isa: string | null, fn: () => Promise<T>): Promise<T> {
  if (isa === null) return fn();
  const def = nativeInfo()!.isa;
  if (!setGemmIsa(isa)) throw new Error(`setGemmIsa('${isa}') refused, though nativeInfo().isas lists it`);
  try {
    return await fn();
  } finally {
    setGemmIsa(def);
  }
}

function canUse(b: Backend, dtype: DType): boolean {
  try {
    b.free(b.alloc(dtype, 1));
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------

if (targets.length === 0 || (process.env.TENSILE_REQUIRE_NATIVE === '1' && !targets.some((b) => b.name === 'cpu'))) {
  test('conformance needs a non-js backend', () => {
    const why = DEVICES.filter((d) => d !== 'js').map((d) => `${d}: ${unavailableReason(d) ?? 'available'}`).join('; ');
    if (process.env.TENSILE_REQUIRE_NATIVE === '1') {
      throw new Error(`TENSILE_REQUIRE_NATIVE=1, but the native cpu backend is not available (${why})`);
    }
    console.log(`conformance: only the js backend is available, so there is nothing to check against the oracle (${why})`);
  });
}

/** test.each over dtypes, as a skipped test when the backend supports none of them. */
function eachDtype(ds: DType[], title: string, fn: (dtype: DType) => Promise<void>): void {
  if (ds.length) test.each(ds)(title, fn);
  else test.skip(title.replace('%s', '(no supported dtype)'), () => undefined);
}

for (const target of targets) describe(`conformance of ${target.name} against the js oracle`, () => {
  const dtypes = (ds: readonly DType[]) => ds.filter((d) => canUse(target, d));

  // ----- elementwise --------------------------------------------------------------------------

  // The oracle's erf/erfc are a Chebyshev series (a few ulp in float64), libm's are within one.
  const ulps = (op?: string) => (op === 'erf' || op === 'erfc' ? 16 : 4);
  const elemTol = (dtype: DType, op?: string): Tol =>
    dtype === 'float32' ? { rtol: ulps(op) * EPS32, atol: 1e-40, zeroSign: true }
      : dtype === 'float64' ? { rtol: ulps(op) * EPS64, atol: 1e-300, zeroSign: true }
        : EXACT;

  test.each([...UNARY_OPS])('unary %s: random strided/broadcast views, all dtypes, in place', async (op) => {
    const f = new Failures();
    for (const dtype of dtypes(op === 'logicalNot' ? ALL : NUMERIC)) {
      const outDtype: DType = op === 'logicalNot' ? 'bool' : dtype;
      for (let c = 0; c < 30; c++) {
        const seed = 1000 * UNARY_OPS.indexOf(op) + 100 * ALL.indexOf(dtype) + c;
        const rng = new Rng(seed);
        const shape = randShape(rng);
        const x = makeSpec(rng, dtype, shape, { noncontig: 0.6, broadcast: 0.2 }, genFor(dtype));
        const out = makeSpec(rng, outDtype, shape, { noncontig: 0.5 }, genFor(outDtype));
        await compareCase(f, target, `unary ${op} ${dtype} seed ${seed}`, [x, out], ['x', 'out'], [1],
          (b, [xv, ov]) => b.unary(op, xv, ov), elemTol(outDtype, op));
        // In place: out is x's own view.
        if (outDtype === dtype && !x.strides.some((s, d) => s === 0 && x.shape[d] > 1)) {
          await compareCase(f, target, `unary ${op} ${dtype} in place seed ${seed}`, [x], ['x'], [0],
            (b, [xv]) => b.unary(op, xv, xv), elemTol(outDtype, op));
        }
      }
      // Every special value, with the input broadcast down a column.
      if (dtype !== 'bool') {
        const vals = dtype === 'int32' ? INT_SPECIALS : [...FLOAT_SPECIALS, 3.5, -3.5, 0.49999999999999994, 4503599627370497, 1e300, -1e-300];
        const x: Spec = { dtype, shape: [vals.length, 3], strides: [1, 0], offset: 0, data: allocArray(dtype, vals.length) };
        vals.forEach((v, i) => { x.data[i] = v; });
        const out: Spec = { dtype: outDtype, shape: [vals.length, 3], strides: [3, 1], offset: 0, data: allocArray(outDtype, vals.length * 3) };
        await compareCase(f, target, `unary ${op} ${dtype} special values`, [x, out], ['x', 'out'], [1],
          (b, [xv, ov]) => b.unary(op, xv, ov), elemTol(outDtype, op));
      }
    }
    f.check();
  });

  test.each([...BINARY_OPS])('binary %s: random strided/broadcast views, all dtypes, special-value grid', async (op) => {
    const f = new Failures();
    const cmp = COMPARISON_OPS.includes(op);
    const logical = op === 'logicalAnd' || op === 'logicalOr';
    for (const dtype of dtypes(cmp ? ALL : NUMERIC)) {
      const outDtype: DType = cmp ? 'bool' : dtype;
      // int32 pow is computed in double and truncated: keep results exact (< 2^53) so the
      // two libms cannot round differently.
      const genA: Gen = op === 'pow' && dtype === 'int32' ? (r) => r.int(-20, 20) : genFor(dtype);
      const genB: Gen = op === 'pow' && dtype === 'int32' ? (r) => r.int(-2, 6) : genFor(dtype);
      for (let c = 0; c < 30; c++) {
        const seed = 50000 + 1000 * BINARY_OPS.indexOf(op) + 100 * ALL.indexOf(dtype) + c;
        const rng = new Rng(seed);
        const shape = randShape(rng);
        const a = makeSpec(rng, dtype, shape, { noncontig: 0.6, broadcast: 0.25 }, genA);
        const b = rng.chance(0.1) ? { ...a } : makeSpec(rng, dtype, shape, { noncontig: 0.6, broadcast: 0.25 }, genB);
        const out = makeSpec(rng, outDtype, shape, { noncontig: 0.5 }, genFor(outDtype));
        await compareCase(f, target, `binary ${op} ${dtype} seed ${seed}`, [a, b, out], ['a', 'b', 'out'], [2],
          (be, [av, bv, ov]) => be.binary(op, av, bv, ov), elemTol(outDtype));
        if (outDtype === dtype && !a.strides.some((s, d) => s === 0 && a.shape[d] > 1)) {
          await compareCase(f, target, `binary ${op} ${dtype} in place (out = a) seed ${seed}`, [a, b], ['a', 'b'], [0],
            (be, [av, bv]) => be.binary(op, av, bv, av), elemTol(outDtype));
        }
      }
      // All pairs of special values: a broadcast along rows, b along columns.
      if (dtype !== 'bool' && !(op === 'pow' && dtype === 'int32')) {
        const vals = dtype === 'int32' ? INT_SPECIALS : [NaN, Infinity, -Infinity, 0, -0, 1, -1, 0.5, -0.5, 2, -2.5, 3, 1e30, 1e-30, 1e300];
        const n = vals.length;
        const av = allocArray(dtype, n), bv = allocArray(dtype, n);
        vals.forEach((v, i) => { av[i] = v; bv[i] = v; });
        const a: Spec = { dtype, shape: [n, n], strides: [1, 0], offset: 0, data: av };
        const b: Spec = { dtype, shape: [n, n], strides: [0, 1], offset: 0, data: bv };
        const out: Spec = { dtype: outDtype, shape: [n, n], strides: [n, 1], offset: 0, data: allocArray(outDtype, n * n) };
        await compareCase(f, target, `binary ${op} ${dtype} special-value grid (rows: a, cols: b) ${JSON.stringify(vals.map(String))}`,
          [a, b, out], ['a', 'b', 'out'], [2], (be, [x, y, o]) => be.binary(op, x, y, o), elemTol(outDtype));
      }
      if (logical && dtype === 'float32') {
        // NaN is truthy in JS.
        const a: Spec = { dtype, shape: [4], strides: [1], offset: 0, data: Float32Array.from([NaN, NaN, 0, -0]) };
        const b: Spec = { dtype, shape: [4], strides: [1], offset: 0, data: Float32Array.from([1, 0, NaN, -0]) };
        const out: Spec = { dtype: 'bool', shape: [4], strides: [1], offset: 0, data: new Uint8Array(4) };
        await compareCase(f, target, `binary ${op} NaN truthiness`, [a, b, out], ['a', 'b', 'out'], [2],
          (be, [x, y, o]) => be.binary(op, x, y, o), EXACT);
      }
    }
    f.check();
  });

  test('where: all dtypes, broadcast condition and operands', async () => {
    const f = new Failures();
    for (const dtype of dtypes(ALL)) {
      for (let c = 0; c < 40; c++) {
        const seed = 90000 + 100 * ALL.indexOf(dtype) + c;
        const rng = new Rng(seed);
        const shape = randShape(rng);
        const cond = makeSpec(rng, 'bool', shape, { noncontig: 0.6, broadcast: 0.3 }, genFor('bool'));
        const a = makeSpec(rng, dtype, shape, { noncontig: 0.6, broadcast: 0.3 }, genFor(dtype));
        const b = makeSpec(rng, dtype, shape, { noncontig: 0.6, broadcast: 0.3 }, genFor(dtype));
        const out = makeSpec(rng, dtype, shape, { noncontig: 0.5 }, genFor(dtype));
        await compareCase(f, target, `where ${dtype} seed ${seed}`, [cond, a, b, out], ['cond', 'a', 'b', 'out'], [3],
          (be, [cv, av, bv, ov]) => be.where(cv, av, bv, ov), EXACT);
      }
    }
    f.check();
  });

  test('copy: every dtype pair, strided and broadcast, with conversion edge values', async () => {
    const f = new Failures();
    const edge = [NaN, Infinity, -Infinity, 0, -0, 0.5, -0.5, 1.5, -1.7, 255.9, 256, 65536.5, 2147483647, 2147483648, -2147483649,
      3e9, -3e9, 4294967296.5, 1e20, -1e20, 1e-50, 1e40, 16777217, 0.1];
    for (const from of dtypes(ALL)) {
      for (const to of dtypes(ALL)) {
        for (let c = 0; c < 20; c++) {
          const seed = 100000 + 1000 * ALL.indexOf(from) + 100 * ALL.indexOf(to) + c;
          const rng = new Rng(seed);
          const shape = randShape(rng);
          const gen: Gen = from === 'bool' ? genFor('bool') : (r) => (r.chance(0.3) ? r.pick(edge) : r.uniform(-1000, 1000));
          const x = makeSpec(rng, from, shape, { noncontig: 0.6, broadcast: 0.2 }, gen);
          const out = makeSpec(rng, to, shape, { noncontig: 0.5 }, genFor(to));
          await compareCase(f, target, `copy ${from} -> ${to} seed ${seed}`, [x, out], ['x', 'out'], [1],
            (b, [xv, ov]) => b.copy(xv, ov), EXACT);
        }
      }
    }
    f.check();
  });

  test('fill: every dtype, strided views, edge values', async () => {
    const f = new Failures();
    const values = [0, -0, 1, 1.5, -2.7, NaN, Infinity, -Infinity, 3e9, -3e9, 300, 256, 1e-50, 1e40, 0.1, 2147483648];
    for (const dtype of dtypes(ALL)) {
      for (let c = 0; c < 30; c++) {
        const seed = 120000 + 100 * ALL.indexOf(dtype) + c;
        const rng = new Rng(seed);
        const value = rng.pick(values);
        const out = makeSpec(rng, dtype, randShape(rng), { noncontig: 0.6 }, genFor(dtype));
        await compareCase(f, target, `fill ${dtype} value ${Object.is(value, -0) ? '-0' : value} seed ${seed}`, [out], ['out'], [0],
          (b, [ov]) => b.fill(ov, value), EXACT);
      }
    }
    f.check();
  });

  // ----- reductions ---------------------------------------------------------------------------

  test.each([...REDUCE_OPS])('reduce %s: random axes, strided/broadcast inputs, all dtypes', async (op) => {
    const f = new Failures();
    const arg = op === 'argmax' || op === 'argmin';
    for (const dtype of dtypes(ALL)) {
      const outDtype: DType = arg ? 'int32' : (op === 'sum' || op === 'prod') ? (dtype === 'float32' || dtype === 'float64' ? dtype : 'int32') : dtype;
      // Integer products stay exact in double (powers of two) so summation order cannot matter.
      const gen: Gen = op === 'prod' && dtype === 'int32' ? (r) => r.pick([-2, -1, 0, 1, 1, 2]) : genFor(dtype, 0.03);
      for (let c = 0; c < 40; c++) {
        const seed = 140000 + 1000 * REDUCE_OPS.indexOf(op) + 100 * ALL.indexOf(dtype) + c;
        const rng = new Rng(seed);
        const shape = randShape(rng, arg ? 1 : 0, 4, c < 30 ? 6 : 40);
        if (c >= 30 && numel(shape) > 20000) continue;
        let axes: number[];
        if (arg) axes = [rng.int(0, shape.length - 1)];
        else axes = [...shape.keys()].filter(() => rng.chance(0.5));
        const kept = shape.filter((_, d) => !axes.includes(d));
        const redShape = axes.map((a) => shape[a]);
        const n = numel(redShape);
        if (n === 0 && numel(kept) > 0 && (op === 'max' || op === 'min' || arg)) continue; // no identity: ops reject it
        const x = makeSpec(rng, dtype, shape, { noncontig: 0.6, broadcast: 0.2 }, gen);
        const out = makeSpec(rng, outDtype, kept, { offset: true }, genFor(outDtype));
        // Error bounds: both sides accumulate in double (js compensated), then round to out.
        let tol: Tol | ((w: TypedArray[]) => Tol) = EXACT;
        if (outDtype === 'float32' || outDtype === 'float64') {
          const ulp = outDtype === 'float32' ? EPS32 : EPS64;
          if (op === 'sum') {
            // |error| <= 2 ulp(result) + n eps64 sum|x| (per output element).
            const absX = mapSpec(x, abs);
            const sAbs = (await runOn(js, [absX, out], [1], (b, [xv, ov]) => b.reduce('sum', xv, axes, ov)))[0];
            const extra = Array.from(sAbs, (v, i) => (i >= out.offset && i < out.offset + numel(kept) ? 2 * n * EPS64 * v : 0));
            tol = { rtol: 2 * ulp, atol: 0, abs: extra };
          } else if (op === 'prod') {
            tol = { rtol: 2 * ulp + 2 * n * EPS64, atol: 1e-300 };
          } else {
            tol = EXACT;
          }
        }
        await compareCase(f, target, `reduce ${op} ${dtype} axes ${JSON.stringify(axes)} seed ${seed}`, [x, out], ['x', 'out'], [1],
          (b, [xv, ov]) => b.reduce(op, xv, axes, ov), tol);
      }
    }
    f.check();
  });

  // ----- gather / scatterAdd ------------------------------------------------------------------

  test('gather: every dtype, any axis, strided and broadcast index', async () => {
    const f = new Failures();
    for (const dtype of dtypes(ALL)) {
      for (let c = 0; c < 50; c++) {
        const seed = 160000 + 100 * ALL.indexOf(dtype) + c;
        const rng = new Rng(seed);
        const shape = randShape(rng, 1, 4);
        const axis = rng.int(0, shape.length - 1);
        const S = numel(shape) === 0 && rng.chance(0.5) ? 0 : rng.int(1, 6);
        const xShape = shape.map((d, i) => (i === axis ? S : d + (rng.chance(0.2) ? rng.int(0, 2) : 0)));
        const x = makeSpec(rng, dtype, xShape, { noncontig: 0.6, broadcast: 0.2 }, genFor(dtype));
        const index = makeSpec(rng, 'int32', shape, { noncontig: 0.6, broadcast: 0.2 }, (r) => r.int(0, Math.max(S - 1, 0)));
        const out = makeSpec(rng, dtype, shape, { noncontig: 0.5 }, genFor(dtype));
        await compareCase(f, target, `gather ${dtype} axis ${axis} seed ${seed}`, [x, index, out], ['x', 'index', 'out'], [2],
          (b, [xv, iv, ov]) => b.gather(xv, iv, axis, ov), EXACT);
      }
    }
    f.check();
  });

  test('scatterAdd: every dtype, repeated indices, strided and broadcast index/src', async () => {
    const f = new Failures();
    for (const dtype of dtypes(NUMERIC)) {
      for (let c = 0; c < 50; c++) {
        const seed = 180000 + 100 * ALL.indexOf(dtype) + c;
        const rng = new Rng(seed);
        const shape = randShape(rng, 1, 4, 8);
        const axis = rng.int(0, shape.length - 1);
        const S = rng.int(1, 3); // few targets, so indices repeat
        const outShape = shape.map((d, i) => (i === axis ? S : d + (rng.chance(0.2) ? rng.int(0, 2) : 0)));
        const index = makeSpec(rng, 'int32', shape, { noncontig: 0.6, broadcast: 0.2 }, (r) => r.int(0, S - 1));
        const src = makeSpec(rng, dtype, shape, { noncontig: 0.6, broadcast: 0.2 }, genFor(dtype, 0.02));
        const out = makeSpec(rng, dtype, outShape, { noncontig: 0.5 }, genFor(dtype, 0));
        // Same accumulation order on both sides (row-major over src): only rounding may differ.
        const tol: Tol = dtype === 'int32' ? EXACT : { rtol: 2 * (dtype === 'float32' ? EPS32 : EPS64), atol: 1e-300 };
        await compareCase(f, target, `scatterAdd ${dtype} axis ${axis} seed ${seed}`, [index, src, out], ['index', 'src', 'out'], [2],
          (b, [iv, sv, ov]) => b.scatterAdd(iv, sv, axis, ov), tol);
      }
    }
    f.check();
  });

  // ----- random -------------------------------------------------------------------------------

  test('random: uniform bits identical to js, normals within float tolerance, for any seed/counter/view', async () => {
    const f = new Failures();
    const seeds = [0, 1, 42, 0xffffffff, 2 ** 32, 2 ** 32 + 7, 2 ** 53 - 1, 123456789012345];
    const counters = [0, 1, 3, 2 ** 32 - 2, 2 ** 32 - 1, 2 ** 32, 2 ** 52];
    for (const dtype of dtypes(FLOATS)) {
      for (const dist of ['uniform', 'normal'] as const) {
        for (let c = 0; c < 40; c++) {
          const seed = 200000 + 1000 * FLOATS.indexOf(dtype) + (dist === 'normal' ? 100 : 0) + c;
          const rng = new Rng(seed);
          const shape = c === 0 ? [] : c === 1 ? [1] : c === 2 ? [7] : c === 3 ? [3, 5] : randShape(rng, 0, 4, 9);
          const out = makeSpec(rng, dtype, shape, { noncontig: 0.6 }, genFor(dtype, 0));
          const s = c < seeds.length ? seeds[c] : rng.chance(0.5) ? rng.pick(seeds) : rng.int(0, 2 ** 31) * 4096 + rng.int(0, 4095);
          const ctr = rng.chance(0.5) ? rng.pick(counters) : rng.int(0, 2 ** 30);
          const tol: Tol = dist === 'uniform' ? EXACT
            : dtype === 'float32' ? { rtol: 2 * EPS32, atol: 1e-14 } : { rtol: 8 * EPS64, atol: 1e-14 };
          await compareCase(f, target, `random ${dist} ${dtype} seed ${s} counter ${ctr} (case ${seed})`, [out], ['out'], [0],
            (b, [ov]) => b.random(ov, dist, s, ctr), tol);
        }
      }
    }
    f.check();
  });

  // ----- softmax ------------------------------------------------------------------------------

  test.each(['softmax', 'logSoftmax'] as const)('%s: any axis, strided/broadcast views, rows with -inf/inf/NaN', async (kind) => {
    const f = new Failures();
    for (const dtype of dtypes(FLOATS)) {
      for (let c = 0; c < 50; c++) {
        const seed = 220000 + (kind === 'logSoftmax' ? 1000 : 0) + 100 * FLOATS.indexOf(dtype) + c;
        const rng = new Rng(seed);
        const shape = randShape(rng, 1, 4, c < 40 ? 7 : 300);
        if (numel(shape) > 30000) continue;
        const axis = rng.int(0, shape.length - 1);
        const range = rng.pick([3, 30, 1000]);
        const specials = [-Infinity, -Infinity, Infinity, NaN, 1000, -1000];
        const gen: Gen = c % 4 === 3 ? (r) => (r.chance(0.15) ? r.pick(specials) : r.uniform(-range, range)) : (r) => r.uniform(-range, range);
        const x = makeSpec(rng, dtype, shape, { noncontig: 0.6, broadcast: 0.2 }, gen);
        const out = makeSpec(rng, dtype, shape, { noncontig: 0.5 }, genFor(dtype, 0));
        const n = shape[axis];
        const ulp = dtype === 'float32' ? EPS32 : EPS64;
        // exp/log differ by an ulp between libms; log-softmax cancels against the max.
        const tol: Tol = kind === 'softmax'
          ? { rtol: 4 * ulp + 4 * n * EPS64, atol: 1e-300 }
          : { rtol: 4 * ulp, atol: 16 * EPS64 * (range + Math.log(Math.max(n, 1)) + 1) };
        await compareCase(f, target, `${kind} ${dtype} axis ${axis} seed ${seed}`, [x, out], ['x', 'out'], [1],
          (b, [xv, ov]) => (kind === 'softmax' ? b.softmax(xv, axis, ov) : b.logSoftmax(xv, axis, ov)), tol);
      }
    }
    f.check();
  });

  // ----- matmul -------------------------------------------------------------------------------

  const SIZES = [1, 7, 13, 17, 31, 33, 65, 127, 129];

  interface MmCase { batch: number[]; M: number; N: number; K: number; transA: boolean; transB: boolean }

  function mmSpecs(rng: Rng, dtype: DType, c: MmCase, o: { noncontig: number; broadcast: number }, gen: Gen): Spec[] {
    const nb = c.batch.length;
    const aShape = [...c.batch, ...(c.transA ? [c.K, c.M] : [c.M, c.K])];
    const bShape = [...c.batch, ...(c.transB ? [c.N, c.K] : [c.K, c.N])];
    const batchDims = [...Array(nb).keys()];
    // Batch dims broadcast (stride 0) often; matrix dims now and then.
    const bdims = rng.chance(0.15) ? [...batchDims, nb, nb + 1] : batchDims;
    const a = makeSpec(rng, dtype, aShape, { noncontig: o.noncontig, broadcast: o.broadcast, bcastDims: bdims }, gen);
    const b = makeSpec(rng, dtype, bShape, { noncontig: o.noncontig, broadcast: o.broadcast, bcastDims: bdims }, gen);
    // out is contiguous (the kernel contract), at an offset, pre-filled with NaN garbage that
    // must never leak into the result.
    const out = makeSpec(rng, dtype, [...c.batch, c.M, c.N], { offset: true }, dtype === 'int32' ? genFor('int32') : () => NaN);
    return [a, b, out];
  }

  /** |A||B| per out element (for the error bound), on the js oracle. */
  async function absProduct(specs: Spec[], c: MmCase): Promise<TypedArray> {
    const [a, b, out] = specs;
    const absSpecs = [mapSpec(a, abs, 'float64'), mapSpec(b, abs, 'float64'), mapSpec(out, () => 0, 'float64')];
    return (await runOn(js, absSpecs, [2], (be, [av, bv, ov]) => be.matmul(av, bv, ov, { transA: c.transA, transB: c.transB })))[0];
  }

  function mmTol(dtype: DType, K: number, absAB: TypedArray | null): Tol {
    if (dtype === 'int32') return EXACT;
    const rtol = dtype === 'float32' ? 1e-6 * Math.sqrt(Math.max(K, 1)) : 1e-15 * Math.sqrt(Math.max(K, 1));
    // Relative to |A||B| (cancellation), plus an ulp or two of the rounded result.
    const abs = absAB ? Array.from(absAB, (v) => rtol * v) : undefined;
    return { rtol: dtype === 'float32' ? 2 * EPS32 : 2 * EPS64, atol: 1e-300, abs };
  }

  /** Runs one matmul case under every ISA, against one oracle result. */
  async function mmCase(f: Failures, dtype: DType, c: MmCase, seed: number, o = { noncontig: 0.5, broadcast: 0.3 }, gen?: Gen): Promise<void> {
    const rng = new Rng(seed);
    const specs = mmSpecs(rng, dtype, c, o, gen ?? genFor(dtype, 0, 2));
    const call = (be: Backend, [av, bv, ov]: View[]) => be.matmul(av, bv, ov, { transA: c.transA, transB: c.transB });
    const want = await runOn(js, specs, [2], call);
    const absAB = dtype === 'int32' ? null : await absProduct(specs, c);
    const tol = mmTol(dtype, c.K, absAB);
    const label = `matmul ${dtype} batch ${JSON.stringify(c.batch)} M ${c.M} N ${c.N} K ${c.K} transA ${c.transA} transB ${c.transB} seed ${seed}`;
    for (const isa of dtype === 'int32' ? [null] : isasFor(target)) {
      await withIsa(isa, () => compareCase(f, target, `${label}${isa ? ` isa ${isa}` : ''}`, specs, ['a', 'b', 'out'], [2], call, tol, want));
    }
  }

  eachDtype(dtypes(NUMERIC), 'matmul %s: odd sizes (1..129), every transpose, strided operands, every ISA', async (dtype) => {
    const f = new Failures();
    let seed = 300000 + 10000 * NUMERIC.indexOf(dtype);
    const rng = new Rng(seed);
    // A sweep of M x N at K = 17 (one k-block) and K = 257 (crosses KC = 256), then random triples.
    const Ks = dtype === 'int32' ? [17] : [17, 257];
    for (const K of Ks) {
      for (const M of SIZES) {
        for (const N of SIZES) {
          if (K === 257 && M * N > 65 * 129) continue;
          await mmCase(f, dtype, { batch: [], M, N, K, transA: rng.chance(0.5), transB: rng.chance(0.5) }, seed++);
        }
      }
    }
    for (let c = 0; c < (LIGHT ? 30 : 80); c++) {
      const M = rng.pick(SIZES), N = rng.pick(SIZES), K = rng.pick(SIZES);
      await mmCase(f, dtype, { batch: [], M, N, K, transA: rng.chance(0.5), transB: rng.chance(0.5) }, seed++);
    }
    f.check();
  });

  eachDtype(dtypes(FLOATS), 'matmul %s: matrix-vector shapes (N = 1 or M = 1) past the threading threshold, every transpose', async (dtype) => {
    // The cpu backend runs these as a GEMV (dot products per row, or axpys over a transposed
    // operand, split over threads past 2^18 multiply-adds), not through the packed GEMM.
    const f = new Failures();
    let seed = 335000 + 1000 * FLOATS.indexOf(dtype);
    for (const [M, N, K] of [[600, 1, 700], [1, 600, 700], [300, 1, 9], [1, 1, 1000], [2, 1, 131072]]) {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) await mmCase(f, dtype, { batch: [], M, N, K, transA, transB }, seed++);
      }
    }
    await mmCase(f, dtype, { batch: [3], M: 70, N: 1, K: 40, transA: true, transB: false }, seed++);
    f.check();
  });

  eachDtype(dtypes(NUMERIC), 'matmul %s: batch broadcast (stride 0), K = 0, empty and size-1 dims', async (dtype) => {
    const f = new Failures();
    let seed = 340000 + 10000 * NUMERIC.indexOf(dtype);
    const rng = new Rng(seed);
    const edge: MmCase[] = [];
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        for (const [M, N, K] of [[3, 4, 0], [0, 4, 5], [3, 0, 5], [0, 0, 0], [1, 1, 1], [1, 33, 17], [33, 1, 17], [1, 1, 300], [40, 40, 0]]) {
          edge.push({ batch: [], M, N, K, transA, transB });
          edge.push({ batch: [2, 3], M, N, K, transA, transB });
        }
        edge.push({ batch: [0, 2], M: 3, N: 3, K: 3, transA, transB });
      }
    }
    for (const c of edge) await mmCase(f, dtype, c, seed++);
    for (let c = 0; c < 60; c++) {
      const batch = randShape(rng, 1, 2, 4, 0.03);
      const M = rng.pick([0, 1, 2, 5, 7, 13, 17, 33]), N = rng.pick([0, 1, 3, 7, 13, 17, 31]), K = rng.pick([0, 1, 4, 9, 17, 40]);
      await mmCase(f, dtype, { batch, M, N, K, transA: rng.chance(0.5), transB: rng.chance(0.5) }, seed++, { noncontig: 0.5, broadcast: 0.5 });
    }
    // Batched products big enough to go through the packed GEMM path, one batch operand broadcast.
    for (let c = 0; c < 6; c++) {
      const M = rng.pick([31, 65, 129]), N = rng.pick([33, 65, 127]), K = rng.pick([17, 65, 129]);
      await mmCase(f, dtype, { batch: [3], M, N, K, transA: rng.chance(0.5), transB: rng.chance(0.5) }, seed++, { noncontig: 0.5, broadcast: 0.5 });
    }
    f.check();
  });

  eachDtype(dtypes(FLOATS), 'matmul %s: non-finite values propagate as in the oracle, every ISA', async (dtype) => {
    const f = new Failures();
    let seed = 360000 + 10000 * FLOATS.indexOf(dtype);
    const gen: Gen = (r) => (r.chance(0.01) ? r.pick([NaN, Infinity, -Infinity]) : r.uniform(-2, 2));
    for (const [M, N, K] of [[5, 6, 7], [33, 65, 17], [129, 127, 300], [1, 64, 64], [64, 1, 64]]) {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) await mmCase(f, dtype, { batch: [], M, N, K, transA, transB }, seed++, { noncontig: 0.5, broadcast: 0 }, gen);
      }
    }
    f.check();
  });

  eachDtype(dtypes(FLOATS), 'matmul %s: 300x257x511 (M x N x K), every transpose, every ISA', async (dtype) => {
    const f = new Failures();
    let seed = 380000 + 10000 * FLOATS.indexOf(dtype);
    const [M, N, K] = LIGHT ? [130, 67, 260] : [300, 257, 511];
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        await mmCase(f, dtype, { batch: [], M, N, K, transA, transB }, seed++, { noncontig: transA === transB ? 0.5 : 0, broadcast: 0 });
      }
    }
    f.check();
  });

  /**
   * BLIS's cheap check at sizes too large for the oracle: C = A B from the backend, then C t
   * against A (B t) for a random vector t, in float64 in JS, with the bound
   * |C t - A (B t)| <= tol |A| (|B| |t|) that the per-element GEMM error bound implies.
   */
  async function cheapCheck(f: Failures, dtype: DType, M: number, N: number, K: number, transA: boolean, transB: boolean, seed: number, noncontig = 0): Promise<void> {
    const rng = new Rng(seed);
    const c: MmCase = { batch: [], M, N, K, transA, transB };
    const [a, b, out] = mmSpecs(rng, dtype, c, { noncontig, broadcast: 0 }, (r) => r.uniform(-1, 1));
    const t = Float64Array.from({ length: N }, () => rng.uniform(-1, 1));
    // Element accessors through the views: A(i,k), B(k,j).
    const aI = transA ? a.strides[1] : a.strides[0], aK = transA ? a.strides[0] : a.strides[1];
    const bK = transB ? b.strides[1] : b.strides[0], bJ = transB ? b.strides[0] : b.strides[1];
    const Bt = new Float64Array(K), absBt = new Float64Array(K);
    for (let k = 0; k < K; k++) {
      let s = 0, sa = 0;
      for (let j = 0, p = b.offset + k * bK; j < N; j++, p += bJ) { s += b.data[p] * t[j]; sa += abs(b.data[p] * t[j]); }
      Bt[k] = s; absBt[k] = sa;
    }
    const ABt = new Float64Array(M), bound = new Float64Array(M);
    for (let i = 0; i < M; i++) {
      let s = 0, sa = 0;
      for (let k = 0, p = a.offset + i * aI; k < K; k++, p += aK) { s += a.data[p] * Bt[k]; sa += abs(a.data[p]) * absBt[k]; }
      ABt[i] = s; bound[i] = sa;
    }
    const rtol = (dtype === 'float32' ? 1e-6 : 1e-15) * Math.sqrt(K) + 4 * (dtype === 'float32' ? EPS32 : EPS64);
    for (const isa of isasFor(target)) {
      const label = `cheap check ${dtype} M ${M} N ${N} K ${K} transA ${transA} transB ${transB} seed ${seed}${isa ? ` isa ${isa}` : ''}`;
      let C: TypedArray;
      try {
        C = (await withIsa(isa, () => runOn(target, [a, b, out], [2], (be, [av, bv, ov]) => be.matmul(av, bv, ov, { transA, transB }))))[0];
      } catch (e) {
        f.add(`${label}: ${target.name} threw: ${(e as Error).message}`);
        continue;
      }
      let worst = 0, worstI = -1, count = 0;
      for (let i = 0; i < M; i++) {
        let s = 0;
        for (let j = 0, p = out.offset + i * N; j < N; j++, p++) s += C[p] * t[j];
        const err = abs(s - ABt[i]);
        const lim = rtol * bound[i] + 1e-300;
        if (!(err <= lim)) { count++; if (!(err / lim <= worst)) { worst = err / lim; worstI = i; } }
      }
      // Nothing outside the output view may change (it was NaN-filled garbage).
      let outside = 0;
      for (let p = 0; p < out.data.length; p++) {
        if ((p < out.offset || p >= out.offset + M * N) && !(Number.isNaN(C[p]) && Number.isNaN(out.data[p]))) outside++;
      }
      if (count) f.add(`${label}: ${count} row(s) of C t differ from A (B t) beyond the bound; worst row ${worstI} at ${worst.toFixed(1)}x the bound`);
      if (outside) f.add(`${label}: ${outside} element(s) outside the output view were written`);
    }
  }

  eachDtype(dtypes(FLOATS), 'matmul %s: cheap check C t = A (B t) at 512..2048, every ISA', async (dtype) => {
    const f = new Failures();
    let seed = 400000 + 10000 * FLOATS.indexOf(dtype);
    const big: [number, number, number, boolean, boolean, number][] = LIGHT
      ? [[512, 512, 512, false, false, 0], [520, 515, 300, true, true, 0.5], [67, 4103, 260, false, false, 0]]
      : [
        [512, 512, 512, false, false, 0], [512, 512, 512, false, true, 0], [512, 512, 512, true, false, 0], [512, 512, 512, true, true, 0],
        [1031, 1029, 777, false, false, 0], [777, 1031, 1029, true, true, 0.5], [129, 4103, 520, false, true, 0],
        [2048, 2048, 2048, false, false, 0],
        // Row blocks (MC: 3072 avx512, 1536 avx2, 1024 generic) and two balanced KC passes;
        // N = 10 is one column panel, so the threads split the rows of each block instead.
        [3100, 70, 530, true, false, 0], [1300, 10, 1000, false, true, 0.5],
      ];
    for (const [M, N, K, ta, tb, nc] of big) await cheapCheck(f, dtype, M, N, K, ta, tb, seed++, nc);
    f.check();
  });
});

// ---------------------------------------------------------------------------------------------
// Thread-count independence (cpu): large inputs at 1 thread and at N threads agree.

const cpu = targets.find((b) => b.name === 'cpu');
(cpu ? describe : describe.skip)('cpu: results do not depend on the thread count', () => {
  const be = cpu!;
  const defaultThreads = cpu ? nativeInfo()!.threads : 1;
  const counts = [...new Set([1, 3, Math.max(4, defaultThreads)])];
  const big = LIGHT ? 1 << 18 : 1 << 20;
  const side = Math.round(Math.sqrt(big));

  afterAll(() => { if (cpu) setNumThreads(defaultThreads); });

  /** Runs `call` at every thread count; compares each run with the 1-thread one. */
  async function agree(label: string, specs: Spec[], outs: number[], call: (b: Backend, v: View[]) => void, tol: Tol): Promise<void> {
    const f = new Failures();
    let ref: TypedArray[] | null = null;
    try {
      for (const n of counts) {
        setNumThreads(n);
        const got = await runOn(be, specs, outs, call);
        if (!ref) { ref = got; continue; }
        got.forEach((g, k) => {
          const m = mismatches(g, ref![k], tol);
          if (m) f.add(`${label}: ${n} threads vs 1 thread: ${m}`);
        });
      }
    } finally {
      setNumThreads(defaultThreads);
    }
    f.check();
  }

  test.each(['float32', 'float64'] as const)('matmul %s (1M outputs)', async (dtype) => {
    const rng = new Rng(500000);
    const K = LIGHT ? 64 : 128;
    for (const [transA, transB] of [[false, false], [true, true]] as const) {
      const specs = [
        makeSpec(rng, dtype, transA ? [K, side] : [side, K], {}, (r) => r.uniform(-1, 1)),
        makeSpec(rng, dtype, transB ? [side, K] : [K, side], {}, (r) => r.uniform(-1, 1)),
        makeSpec(rng, dtype, [side, side], {}, () => NaN),
      ];
      // Rows and columns of A and B have entries in [-1, 1]: |A||B| <= K.
      const rtol = (dtype === 'float32' ? 1e-6 : 1e-15) * Math.sqrt(K);
      await agree(`matmul ${dtype} ${side}x${side}x${K} transA ${transA} transB ${transB}`, specs, [2],
        (b, [av, bv, ov]) => b.matmul(av, bv, ov, { transA, transB }), { rtol: 0, atol: rtol * K });
    }
    // Many small batched products (threads over the batch).
    const batch = LIGHT ? 64 : 256;
    const specs = [
      makeSpec(rng, dtype, [batch, 24, 20], {}, (r) => r.uniform(-1, 1)),
      makeSpec(rng, dtype, [batch, 20, 28], {}, (r) => r.uniform(-1, 1)),
      makeSpec(rng, dtype, [batch, 24, 28], {}, () => NaN),
    ];
    await agree(`matmul ${dtype} batched [${batch},24,20]x[${batch},20,28]`, specs, [2],
      (b, [av, bv, ov]) => b.matmul(av, bv, ov, { transA: false, transB: false }), { rtol: 0, atol: (dtype === 'float32' ? 1e-6 : 1e-15) * 20 * Math.sqrt(20) });
  });

  test.each(['float32', 'float64'] as const)('sum %s: all elements, rows, columns, strided', async (dtype) => {
    const rng = new Rng(510000);
    const x = makeSpec(rng, dtype, [side, side], {}, (r) => r.uniform(-1, 1));
    const xt: Spec = { ...x, strides: [1, side] }; // transposed view of the same storage
    const ulp = dtype === 'float32' ? EPS32 : EPS64;
    for (const [v, name] of [[x, 'contiguous'], [xt, 'transposed']] as const) {
      for (const axes of [[0, 1], [1], [0]]) {
        const kept = v.shape.filter((_, d) => !axes.includes(d));
        const out = makeSpec(rng, dtype, kept, {}, () => NaN);
        const n = axes.reduce((p, a) => p * v.shape[a], 1);
        // Different partial-sum splits: |diff| <= 2 ulp(result) + 2 n eps64 sum|x| (sum|x| <= n).
        await agree(`sum ${dtype} ${name} axes ${JSON.stringify(axes)}`, [v, out], [1], (b, [xv, ov]) => b.reduce('sum', xv, axes, ov),
          { rtol: 2 * ulp, atol: 4 * n * n * EPS64 });
      }
    }
    for (const op of ['max', 'argmin', 'prod'] as const) {
      const out = makeSpec(rng, op === 'argmin' ? 'int32' : dtype, [], {}, () => 0);
      const x1 = makeSpec(rng, dtype, [big], {}, (r) => (op === 'prod' ? r.uniform(0.999, 1.001) : r.uniform(-1, 1)));
      await agree(`${op} ${dtype} over ${big} elements`, [x1, out], [1], (b, [xv, ov]) => b.reduce(op, xv, [0], ov),
        op === 'prod' ? { rtol: 2 * ulp + 4 * big * EPS64, atol: 0 } : EXACT);
    }
  });

  test.each(['float32', 'float64'] as const)('softmax and logSoftmax %s, along rows and columns', async (dtype) => {
    const rng = new Rng(520000);
    const x = makeSpec(rng, dtype, [side, side], {}, (r) => r.uniform(-10, 10));
    for (const axis of [0, 1]) {
      for (const log of [false, true]) {
        const out = makeSpec(rng, dtype, [side, side], {}, () => NaN);
        await agree(`${log ? 'logSoftmax' : 'softmax'} ${dtype} axis ${axis}`, [x, out], [1],
          (b, [xv, ov]) => (log ? b.logSoftmax(xv, axis, ov) : b.softmax(xv, axis, ov)), EXACT);
      }
    }
  });

  test.each(['float32', 'float64', 'int32'] as const)('elementwise %s: unary, binary with broadcast, where, copy, strided', async (dtype) => {
    const rng = new Rng(530000);
    const gen = genFor(dtype, 0.01);
    const a = makeSpec(rng, dtype, [side, side], {}, gen);
    const at: Spec = { ...a, strides: [1, side] };
    const row = makeSpec(rng, dtype, [side, side], { broadcast: 1, bcastDims: [0] }, gen);
    const out = makeSpec(rng, dtype, [side, side], {}, () => 0);
    const outB = makeSpec(rng, 'bool', [side, side], {}, () => 0);
    const cond = makeSpec(rng, 'bool', [side, side], {}, genFor('bool'));
    const outF = makeSpec(rng, 'float64', [side, side], { noncontig: 1 }, () => 0);
    for (const op of ['exp', 'tanh', 'neg'] as const) {
      await agree(`unary ${op} ${dtype} transposed`, [at, out], [1], (b, [xv, ov]) => b.unary(op, xv, ov), EXACT);
    }
    await agree(`binary add ${dtype} broadcast row`, [a, row, out], [2], (b, [x, y, o]) => b.binary('add', x, y, o), EXACT);
    await agree(`binary lt ${dtype} transposed`, [at, row, outB], [2], (b, [x, y, o]) => b.binary('lt', x, y, o), EXACT);
    await agree(`where ${dtype}`, [cond, at, row, out], [3], (b, [c, x, y, o]) => b.where(c, x, y, o), EXACT);
    await agree(`copy ${dtype} -> float64 strided`, [at, outF], [1], (b, [x, o]) => b.copy(x, o), EXACT);
  });
});

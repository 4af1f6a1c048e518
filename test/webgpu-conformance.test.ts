/**
 * Every webgpu kernel against the js oracle on random strided layouts (permuted, gapped,
 * flipped, offset and broadcast views; sizes that are not multiples of the workgroup or tile
 * sizes), with every matmul tile configuration forced. Small shapes: lavapipe is slow.
 * WGSL numerics (DESIGN): builtins are not correctly rounded, NaN/Inf and signed zeros are not
 * guaranteed, so inputs are finite and inside each op's domain and float tolerances are WGSL's.
 */
import { BINARY_OPS, COMPARISON_OPS, REDUCE_OPS, UNARY_OPS, type Backend, type UnaryOp } from '../lib/backends/backend.js';
import { MATMUL_CONFIGS, type WebGpuBackend } from '../lib/backends/webgpu/webgpu-backend.js';
import { getBackend, initWebGPU } from '../lib/device.js';
import type { DType } from '../lib/dtype.js';
import { EXACT, Failures, Rng, type Tol, compareCase, genFor, makeSpec, randShape } from './conformance-harness.js';

let gpu: Backend | null = null;
beforeAll(async () => {
  try {
    await initWebGPU();
    gpu = getBackend('webgpu');
  } catch (e) {
    if (process.env.TENSILE_REQUIRE_WEBGPU === '1') throw e;
    console.log(`webgpu conformance skipped: ${(e as Error).message}`);
  }
});

const CASES = 6;
const F32: Tol = { rtol: 2e-5, atol: 2e-6 };
/** Ops whose input must be positive (WGSL leaves them undefined below). */
const POSITIVE = new Set<UnaryOp>(['log', 'sqrt', 'rsqrt', 'log1p']);

const run = (name: string, fn: (g: Backend) => Promise<void>, timeout = 60000) => test(name, async () => { if (gpu) await fn(gpu); }, timeout);

describe('webgpu kernels against the js oracle', () => {
  run('unary: every op, float32 and int32', async (g) => {
    const f = new Failures();
    for (const op of UNARY_OPS) {
      for (const dtype of ['float32', 'int32'] as DType[]) {
        const rng = new Rng(1000 + UNARY_OPS.indexOf(op));
        for (let c = 0; c < CASES / 2; c++) {
          const shape = randShape(rng, 0, 4, 5, 0.05);
          const gen = POSITIVE.has(op) ? (r: Rng) => (dtype === 'int32' ? r.int(1, 15) : r.uniform(0.1, 4)) : genFor(dtype, 0, 3);
          const x = makeSpec(rng, dtype, shape, { noncontig: 0.6, broadcast: 0.2 }, gen);
          const outDtype: DType = op === 'logicalNot' ? 'bool' : dtype;
          const out = makeSpec(rng, outDtype, shape, { noncontig: 0.4 }, genFor(outDtype, 0));
          // Float-only ops on int32 go through f32 on the GPU: compare loosely.
          const tol = outDtype === 'float32' || (dtype === 'int32' && !['neg', 'abs', 'sign', 'relu', 'square', 'floor', 'ceil', 'round', 'logicalNot'].includes(op)) ? F32 : EXACT;
          await compareCase(f, g, `unary ${op} ${dtype} case ${c}`, [x, out], ['x', 'out'], [1], (b, [xv, ov]) => b.unary(op, xv, ov),
            dtype === 'int32' && tol === F32 ? { rtol: 0, atol: 1 } : { ...tol, zeroSign: false });
        }
      }
    }
    f.check();
  });

  run('binary: every op with broadcasting, float32 and int32', async (g) => {
    const f = new Failures();
    for (const op of BINARY_OPS) {
      for (const dtype of ['float32', 'int32'] as DType[]) {
        const rng = new Rng(2000 + BINARY_OPS.indexOf(op));
        for (let c = 0; c < CASES / 2; c++) {
          const shape = randShape(rng, 0, 4, 5, 0.05);
          const ga = op === 'pow' && dtype === 'float32' ? (r: Rng) => r.uniform(0.2, 3) : genFor(dtype, 0);
          const gb = op === 'div' && dtype === 'int32' ? (r: Rng) => r.pick([-3, -2, -1, 1, 2, 3]) : op === 'pow' ? (r: Rng) => (dtype === 'int32' ? r.int(0, 4) : r.uniform(-2, 2)) : genFor(dtype, 0);
          const a = makeSpec(rng, dtype, shape, { noncontig: 0.5, broadcast: 0.25 }, ga);
          const b = makeSpec(rng, dtype, shape, { noncontig: 0.5, broadcast: 0.25 }, gb);
          const outDtype: DType = COMPARISON_OPS.includes(op) ? 'bool' : dtype;
          const out = makeSpec(rng, outDtype, shape, { noncontig: 0.4 }, genFor(outDtype, 0));
          await compareCase(f, g, `binary ${op} ${dtype} case ${c}`, [a, b, out], ['a', 'b', 'out'], [2], (be, [av, bv, ov]) => be.binary(op, av, bv, ov),
            outDtype === 'float32' ? F32 : EXACT);
        }
      }
    }
    f.check();
  });

  run('where, copy (every dtype pair but float64), fill', async (g) => {
    const f = new Failures();
    const rng = new Rng(3000);
    const dts: DType[] = ['float32', 'int32', 'bool'];
    for (let c = 0; c < CASES; c++) {
      const shape = randShape(rng, 0, 4, 5);
      const dtype = rng.pick(dts);
      const cnd = makeSpec(rng, 'bool', shape, { noncontig: 0.5, broadcast: 0.3 }, genFor('bool'));
      const a = makeSpec(rng, dtype, shape, { noncontig: 0.5, broadcast: 0.3 }, genFor(dtype, 0));
      const b = makeSpec(rng, dtype, shape, { noncontig: 0.5, broadcast: 0.3 }, genFor(dtype, 0));
      const out = makeSpec(rng, dtype, shape, { noncontig: 0.4 }, genFor(dtype, 0));
      await compareCase(f, g, `where ${dtype} case ${c}`, [cnd, a, b, out], ['cond', 'a', 'b', 'out'], [3], (be, [cv, av, bv, ov]) => be.where(cv, av, bv, ov), EXACT);
      for (const to of dts) {
        const x = makeSpec(rng, dtype, shape, { noncontig: 0.6, broadcast: 0.2 }, dtype === 'float32' ? (r: Rng) => r.uniform(-50, 50) : genFor(dtype, 0));
        const o = makeSpec(rng, to, shape, { noncontig: 0.4 }, genFor(to, 0));
        await compareCase(f, g, `copy ${dtype}->${to} case ${c}`, [x, o], ['x', 'out'], [1], (be, [xv, ov]) => be.copy(xv, ov), EXACT);
      }
      const value = dtype === 'bool' ? 1 : dtype === 'int32' ? -7 : 2.5;
      await compareCase(f, g, `fill ${dtype} case ${c}`, [out], ['out'], [0], (be, [ov]) => be.fill(ov, value), EXACT);
    }
    f.check();
  });

  run('reduce: every op over random axes, float32 and int32', async (g) => {
    const f = new Failures();
    for (const op of REDUCE_OPS) {
      const rng = new Rng(4000 + REDUCE_OPS.indexOf(op));
      for (let c = 0; c < CASES; c++) {
        const dtype: DType = c % 2 ? 'int32' : 'float32';
        const shape = randShape(rng, 1, 4, 6, 0);
        const arg = op === 'argmax' || op === 'argmin';
        const axes = arg ? [rng.int(0, shape.length - 1)] : [...Array(shape.length).keys()].filter(() => rng.chance(0.5));
        const gen = op === 'prod' ? (r: Rng) => (dtype === 'int32' ? r.pick([-1, 1, 2]) : r.uniform(0.5, 1.5)) : genFor(dtype, 0);
        const x = makeSpec(rng, dtype, shape, { noncontig: 0.6, broadcast: 0.15 }, gen);
        const kept = shape.filter((_, d) => !axes.includes(d));
        const outDtype: DType = arg ? 'int32' : dtype;
        const out = makeSpec(rng, outDtype, kept, { offset: true }, genFor(outDtype, 0));
        await compareCase(f, g, `reduce ${op} ${dtype} axes ${JSON.stringify(axes)} case ${c}`, [x, out], ['x', 'out'], [1],
          (be, [xv, ov]) => be.reduce(op, xv, axes, ov), outDtype === 'float32' ? { rtol: 1e-5, atol: 1e-5 } : EXACT);
      }
    }
    f.check();
  });

  run('matmul: transposes, batch broadcast, odd sizes, every tile config, float32 and int32', async (g) => {
    const f = new Failures();
    const rng = new Rng(5000);
    const sizes = [1, 3, 17, 33, 65];
    for (const config of Object.keys(MATMUL_CONFIGS) as (keyof typeof MATMUL_CONFIGS)[]) {
      (g as WebGpuBackend).setMatmulConfig(config);
      try {
        for (let c = 0; c < CASES; c++) {
          const dtype: DType = c === CASES - 1 ? 'int32' : 'float32';
          const M = rng.pick(sizes), N = rng.pick(sizes), K = rng.pick([1, 5, 16, 40]);
          const transA = rng.chance(0.5), transB = rng.chance(0.5);
          const batch = rng.chance(0.5) ? [rng.int(1, 3)] : [];
          const a = makeSpec(rng, dtype, [...batch, ...(transA ? [K, M] : [M, K])], { noncontig: 0.4, broadcast: 0.3, bcastDims: batch.length ? [0] : [] }, genFor(dtype, 0, 1));
          const b = makeSpec(rng, dtype, [...batch, ...(transB ? [N, K] : [K, N])], { noncontig: 0.4, broadcast: 0.3, bcastDims: batch.length ? [0] : [] }, genFor(dtype, 0, 1));
          const out = makeSpec(rng, dtype, [...batch, M, N], {}, genFor(dtype, 0));
          await compareCase(f, g, `matmul ${config} ${dtype} M${M} N${N} K${K} tA${transA} tB${transB} batch ${batch}`, [a, b, out], ['a', 'b', 'out'], [2],
            (be, [av, bv, ov]) => be.matmul(av, bv, ov, { transA, transB }), dtype === 'float32' ? { rtol: 1e-5, atol: 1e-5 * Math.sqrt(K) } : EXACT);
        }
      } finally {
        (g as WebGpuBackend).setMatmulConfig('auto');
      }
    }
    f.check();
  }, 300000); // each tile configuration x operand layout is its own shader: lavapipe compiles each for seconds

  run('gather and scatterAdd (repeated indices), softmax and logSoftmax, random', async (g) => {
    const f = new Failures();
    const rng = new Rng(6000);
    for (let c = 0; c < CASES; c++) {
      const dtype: DType = c % 2 ? 'int32' : 'float32';
      const shape = randShape(rng, 1, 3, 5, 0);
      const axis = rng.int(0, shape.length - 1);
      const x = makeSpec(rng, dtype, shape, { noncontig: 0.5 }, genFor(dtype, 0));
      const ishape = shape.map((d, i) => (i === axis ? rng.int(1, 6) : rng.int(1, d)));
      const idx = makeSpec(rng, 'int32', ishape, { noncontig: 0.4 }, (r) => r.int(0, shape[axis] - 1));
      const out = makeSpec(rng, dtype, ishape, {}, genFor(dtype, 0));
      await compareCase(f, g, `gather ${dtype} axis ${axis} case ${c}`, [x, idx, out], ['x', 'index', 'out'], [2], (be, [xv, iv, ov]) => be.gather(xv, iv, axis, ov), EXACT);
      const src = makeSpec(rng, dtype, ishape, { noncontig: 0.4 }, genFor(dtype, 0));
      const acc = makeSpec(rng, dtype, shape, {}, genFor(dtype, 0));
      await compareCase(f, g, `scatterAdd ${dtype} axis ${axis} case ${c}`, [idx, src, acc], ['index', 'src', 'out'], [2],
        (be, [iv, sv, ov]) => be.scatterAdd(iv, sv, axis, ov), dtype === 'float32' ? F32 : EXACT);
      const sx = makeSpec(rng, 'float32', shape, { noncontig: 0.5 }, (r) => r.uniform(-20, 20));
      const so = makeSpec(rng, 'float32', shape, { noncontig: 0.3 }, genFor('float32', 0));
      await compareCase(f, g, `softmax axis ${axis} case ${c}`, [sx, so], ['x', 'out'], [1], (be, [xv, ov]) => be.softmax(xv, axis, ov), F32);
      await compareCase(f, g, `logSoftmax axis ${axis} case ${c}`, [sx, so], ['x', 'out'], [1], (be, [xv, ov]) => be.logSoftmax(xv, axis, ov), { rtol: 2e-5, atol: 2e-5 });
      const ro = makeSpec(rng, 'float32', shape, { noncontig: 0.5 }, genFor('float32', 0));
      await compareCase(f, g, `random uniform case ${c}`, [ro], ['out'], [0], (be, [ov]) => be.random(ov, 'uniform', 77 + c, 2 ** 32 - 2), EXACT);
      await compareCase(f, g, `random normal case ${c}`, [ro], ['out'], [0], (be, [ov]) => be.random(ov, 'normal', 77 + c, 5), { rtol: 1e-5, atol: 1e-5 });
    }
    f.check();
  });

  run('adamUpdate (Adam, AdamW, amsgrad) in place', async (g) => {
    const f = new Failures();
    const rng = new Rng(7000);
    for (let c = 0; c < 4; c++) {
      const n = rng.int(1, 700);
      const mk = (gen: (r: Rng) => number) => makeSpec(rng, 'float32', [n], { offset: true }, gen);
      const specs = [mk((r) => r.uniform(-1, 1)), mk((r) => r.uniform(-1, 1)), mk((r) => r.uniform(-0.1, 0.1)), mk((r) => r.uniform(0, 0.01)), mk((r) => r.uniform(0, 0.01))];
      const o = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: c % 2 ? 0.01 : 0, decoupled: c === 3, maximize: c === 2, lr: 1e-3, stepSize: 1e-3 / (1 - 0.9 ** 3), biasCorrection2Sqrt: Math.sqrt(1 - 0.999 ** 3) };
      const ams = c >= 2;
      await compareCase(f, g, `adamUpdate case ${c}`, specs, ['param', 'grad', 'm', 'v', 'vmax'], ams ? [0, 2, 3, 4] : [0, 2, 3],
        (be, [pv, gv, mv, vv, xv]) => be.adamUpdate(pv, gv, mv, vv, ams ? xv : null, o), { rtol: 1e-5, atol: 1e-7 });
    }
    f.check();
  });
});


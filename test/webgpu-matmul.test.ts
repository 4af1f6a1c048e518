/**
 * webgpu matmul against the js oracle on the layouts that pick each shader variant: vec4
 * loads along K or along M/N (plain, transposed via matmulT and via .T views, batched,
 * broadcast batches, aligned slices) and the scalar fallbacks (odd sizes, slices whose
 * offset or stride is not a multiple of 4, int32 edges). Each case asserts which variant ran
 * (backend.lastMatmul), so a planner that silently stopped using vec4 would fail here.
 * Small shapes, and one tile configuration for the layout cases (each configuration x
 * layout is its own shader, and lavapipe compiles each for seconds); every configuration
 * runs the vec4 path once, and test/webgpu-conformance.test.ts runs each on odd layouts.
 */
import * as tn from '../lib/index.js';
import { getBackend } from '../lib/device.js';
import { MATMUL_CONFIGS, type WebGpuBackend, chooseMatmulConfig } from '../lib/backends/webgpu/webgpu-backend.js';

let gpu: WebGpuBackend | null = null;
beforeAll(async () => {
  try {
    await tn.initWebGPU();
    gpu = getBackend('webgpu') as unknown as WebGpuBackend;
  } catch (e) {
    if (process.env.TENSILE_REQUIRE_WEBGPU === '1') throw e;
    console.log(`webgpu matmul tests skipped: ${(e as Error).message}`);
  }
});

/** Layout cases run under one configuration (cpu32: the quickest to compile on lavapipe). */
const gpuTest = (name: string, fn: (g: WebGpuBackend) => Promise<void>, config: keyof typeof MATMUL_CONFIGS | 'auto' = 'cpu32') =>
  test(name, async () => {
    if (!gpu) return;
    gpu.setMatmulConfig(config);
    try { await fn(gpu); } finally { gpu.setMatmulConfig('auto'); }
  }, 300000);

type Build = (x: tn.Tensor[]) => tn.Tensor;

/**
 * Runs f on js tensors and on the same values on webgpu, compares, and returns the variant
 * the webgpu matmul ran (`matmul:config:kind:aAxis:bAxis:store`).
 */
async function check(g: WebGpuBackend, shapes: number[][], f: Build, seed: number, dtype: 'float32' | 'int32' = 'float32'): Promise<string> {
  const js = shapes.map((s, i) => (dtype === 'int32'
    ? tn.randint(-9, 10, s, { seed: seed + i, device: 'js' })
    : tn.randn(s, { seed: seed + i, device: 'js' })));
  const gs = await Promise.all(js.map((t) => t.toAsync('webgpu')));
  g.lastMatmul = '';
  const res = f(gs);
  const got = await res.data();
  const variant = g.lastMatmul;
  const want = f(js);
  expect(Array.from(res.shape)).toEqual(Array.from(want.shape));
  const w = want.dataSync();
  expect(got.length).toBe(w.length);
  const K = Math.max(...shapes.flat());
  let bad = -1;
  for (let i = 0; i < w.length && bad < 0; i++) {
    const tol = dtype === 'int32' ? 0 : 1e-5 * Math.sqrt(K) * (1 + Math.abs(w[i]));
    if (!(Math.abs(got[i] - w[i]) <= tol)) bad = i;
  }
  if (bad >= 0) throw new Error(`${variant} shapes ${JSON.stringify(shapes)}: element ${bad} is ${got[bad]}, the oracle says ${w[bad]}`);
  return variant;
}

const mm: Build = ([a, b]) => tn.matmul(a, b);

describe('webgpu matmul variants against the js oracle', () => {
  gpuTest('plain products: vec4 when K and N are multiples of 4, scalar otherwise', async (g) => {
    expect(await check(g, [[128, 64], [64, 96]], mm, 1)).toMatch(/:f32:k:mn:vec4$/);
    expect(await check(g, [[63, 65], [65, 67]], mm, 2)).toMatch(/:f32:scalar:scalar:scalar$/);
    // K multiple of 4, N not: A still loads vec4, B and C fall back.
    expect(await check(g, [[33, 12], [12, 7]], mm, 3)).toMatch(/:f32:k:scalar:scalar$/);
    // N multiple of 4, K not; M = 1 and K = 1 edges.
    expect(await check(g, [[5, 3], [3, 8]], mm, 4)).toMatch(/:f32:scalar:mn:vec4$/);
    expect(await check(g, [[1, 16], [16, 4]], mm, 5)).toMatch(/:f32:k:mn:vec4$/);
    expect(await check(g, [[6, 1], [1, 9]], mm, 6)).toMatch(/:f32:scalar:scalar:scalar$/);
  });

  gpuTest('transposed operands via matmulT and via .T views load vec4 along the other axis', async (g) => {
    // a stored [K, M], b stored [N, K]: op(A) is contiguous along M, op(B) along K.
    expect(await check(g, [[40, 24], [36, 40]], ([a, b]) => tn.matmulT(a, b, true, true), 7)).toMatch(/:mn:k:vec4$/);
    expect(await check(g, [[40, 24], [36, 40]], ([a, b]) => tn.matmul(a.T, b.T), 8)).toMatch(/:mn:k:vec4$/);
    expect(await check(g, [[24, 40], [36, 40]], ([a, b]) => tn.matmulT(a, b, false, true), 9)).toMatch(/:k:k:vec4$/);
    expect(await check(g, [[40, 24], [40, 36]], ([a, b]) => tn.matmulT(a, b, true, false), 10)).toMatch(/:mn:mn:vec4$/);
    // Transposed with extents that are not multiples of 4: scalar.
    expect(await check(g, [[37, 21], [35, 37]], ([a, b]) => tn.matmulT(a, b, true, true), 11)).toMatch(/:scalar:scalar:scalar$/);
  });

  gpuTest('batched and broadcast batches', async (g) => {
    expect(await check(g, [[3, 20, 16], [3, 16, 12]], mm, 12)).toMatch(/:k:mn:vec4$/);
    // b broadcast over a's leading dims (stride 0), and a batch of 1 against 3.
    expect(await check(g, [[2, 1, 8, 12], [3, 12, 8]], mm, 13)).toMatch(/:k:mn:vec4$/);
    expect(await check(g, [[2, 3, 9, 13], [13, 6]], mm, 14)).toMatch(/:scalar:scalar:scalar$/);
    expect(await check(g, [[2, 16, 8], [2, 12, 16]], ([a, b]) => tn.matmulT(a, b, true, true), 15)).toMatch(/:mn:k:vec4$/);
  });

  gpuTest('slices: vec4 only where the offset and strides are multiples of 4', async (g) => {
    const sl = (s: number[][]) => ([a, b]: tn.Tensor[]) => tn.matmul(a.slice(...(s as [number, number][])), b);
    // Rows 1..64, cols 4..68 of a [70, 72]: offset 76, row stride 72.
    expect(await check(g, [[70, 72], [64, 20]], sl([[1, 65], [4, 68]]), 16)).toMatch(/:k:mn:vec4$/);
    // Cols 1..65: offset 73 is not a multiple of 4.
    expect(await check(g, [[70, 72], [64, 20]], sl([[1, 65], [1, 65]]), 17)).toMatch(/:scalar:mn:vec4$/);
    // A row stride of 70 (not a multiple of 4) even though K is.
    expect(await check(g, [[70, 70], [64, 20]], sl([[0, 64], [4, 68]]), 18)).toMatch(/:scalar:mn:vec4$/);
    // Every other column: strided along K.
    expect(await check(g, [[16, 128], [64, 20]], ([a, b]) => tn.matmul(a.slice(null, [0, 128, 2]), b), 19)).toMatch(/:scalar:mn:vec4$/);
    // b sliced along N at an offset of 2: B falls back, the fresh C still stores vec4.
    expect(await check(g, [[12, 16], [16, 30]], ([a, b]) => tn.matmul(a, b.slice(null, [2, 26])), 20)).toMatch(/:k:scalar:vec4$/);
  });

  gpuTest('int32 uses the same variants, exactly', async (g) => {
    expect(await check(g, [[20, 16], [16, 12]], mm, 21, 'int32')).toMatch(/:i32:k:mn:vec4$/);
    expect(await check(g, [[7, 5], [5, 3]], mm, 22, 'int32')).toMatch(/:i32:scalar:scalar:scalar$/);
  });

  gpuTest('every tile configuration on the vec4 path, with partial tiles', async (g) => {
    for (const config of Object.keys(MATMUL_CONFIGS) as (keyof typeof MATMUL_CONFIGS)[]) {
      g.setMatmulConfig(config);
      expect(await check(g, [[132, 40], [40, 136]], mm, 30)).toBe(`matmul:${config}:f32:k:mn:vec4`);
    }
  });

  gpuTest('the configuration chosen for this adapter', async (g) => {
    expect(await check(g, [[200, 64], [64, 136]], mm, 31)).toMatch(/:f32:k:mn:vec4$/);
  }, 'auto');
});

describe('matmul tile configuration per adapter', () => {
  const cpu = { software: true, cores: 2, maxInvocations: 256, maxWorkgroupStorage: 16384 };
  const gpuLike = { software: false, cores: 16, maxInvocations: 256, maxWorkgroupStorage: 16384 };
  test('a CPU adapter gets 16x16 outputs per thread in the largest tile M and N fill, a workgroup per core', () => {
    expect(chooseMatmulConfig(1024, 1024, 1, cpu)).toBe('cpu128');
    expect(chooseMatmulConfig(128, 256, 1, cpu)).toBe('cpu128');
    expect(chooseMatmulConfig(128, 128, 1, cpu)).toBe('cpu64');
    expect(chooseMatmulConfig(128, 128, 2, cpu)).toBe('cpu128');
    expect(chooseMatmulConfig(128, 128, 1, { ...cpu, cores: 1 })).toBe('cpu128');
    expect(chooseMatmulConfig(100, 4096, 1, cpu)).toBe('cpu64');
    expect(chooseMatmulConfig(128, 10, 1, cpu)).toBe('cpu32');
    expect(chooseMatmulConfig(1, 1, 1, cpu)).toBe('cpu32');
  });
  test('a GPU gets xl only for large products', () => {
    expect(chooseMatmulConfig(1024, 512, 1, gpuLike)).toBe('xl');
    expect(chooseMatmulConfig(256, 256, 1, gpuLike)).toBe('large');
    expect(chooseMatmulConfig(64, 64, 1, gpuLike)).toBe('small');
  });
  test('a configuration over the adapter limits is never picked', () => {
    // cpu128 stages 16 KiB; with 8 KiB only cpu64 or smaller fit.
    expect(chooseMatmulConfig(1024, 1024, 1, { ...cpu, maxWorkgroupStorage: 8192 })).toBe('cpu64');
    expect(chooseMatmulConfig(1024, 1024, 1, { ...gpuLike, maxInvocations: 128 })).toBe('small');
    for (const [name, c] of Object.entries(MATMUL_CONFIGS)) {
      for (const v of [c.TK, c.RM, c.RN]) expect(`${name} ${v % 4}`).toBe(`${name} 0`);
      expect(c.TM % c.RM + c.TN % c.RN).toBe(0);
    }
  });
});

/**
 * The native SMO solver (native/src/ml, the addon's smoSolve) against the TypeScript
 * SMOSolver (lib/ml/smo.ts, the oracle) on fresh random problems: every kernel, a Gram
 * matrix, class weights, ε-SVR, shrinking on and off, a max_iter cap, a small cache (evictions
 * and speculative rows), a non-zero start and a problem large enough for the threaded kernel
 * transform. Both compute each kernel row from the same GEMM call and transform, so they must
 * take the same path: the same iteration count and support set, alphas and rho to rounding.
 * Then bad input to smoSolve: a TensileError naming the field, never a crash.
 */
import { loadAddon } from '../lib/backends/cpu/addon.js';
import { TensileError } from '../lib/errors.js';
import type { KernelSpec } from '../lib/ml/kernels.js';
import { type NativeSmoProblem, type SMOKernelData, callNativeSmo, smoImplementation, solveSMO } from '../lib/ml/smo-native.js';
import type { SMOOptions, SMOProblem, SMOResult } from '../lib/ml/smo.js';
import { seededUniform as rng } from './fixture.js';

const impl = smoImplementation();
const SEED = (Math.random() * 2 ** 31) >>> 0;


/** Two gaussian blobs, overlapping so that many variables end up free or at the bound. */
function blobs(n: number, p: number, seed: number): { X: Float64Array; label: Int8Array } {
  const r = rng(seed), X = new Float64Array(n * p), label = new Int8Array(n);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  for (let i = 0; i < n; i++) {
    label[i] = r() < 0.45 ? 1 : -1;
    for (let k = 0; k < p; k++) X[i * p + k] = gauss() + (k < 2 ? 0.8 * label[i] : 0.1);
  }
  return { X, label };
}

function cSvc(label: Int8Array, Cpos: number, Cneg = Cpos): SMOProblem {
  const l = label.length;
  return {
    y: Int8Array.from(label), p: new Float64Array(l).fill(-1), C: Float64Array.from(label, (v) => (v === 1 ? Cpos : Cneg)),
    sample: Int32Array.from({ length: l }, (_, k) => k),
  };
}

const OPTS: SMOOptions = { tol: 1e-3, shrinking: true, maxIter: -1, cacheBytes: 200 * 2 ** 20 };

function compare(what: string, data: SMOKernelData, problem: SMOProblem, opts: SMOOptions): { js: SMOResult; nat: SMOResult } {
  const js = solveSMO(data, problem, opts, 'js');
  const nat = solveSMO(data, problem, opts, 'native');
  const ctx = `${what} (seed ${SEED})`;
  expect({ ctx, nIter: nat.nIter, timedOut: nat.timedOut }).toEqual({ ctx, nIter: js.nIter, timedOut: js.timedOut });
  const supp = (a: Float64Array) => Array.from(a, (v, i) => (v !== 0 ? i : -1)).filter((i) => i >= 0);
  expect({ ctx, support: supp(nat.alpha) }).toEqual({ ctx, support: supp(js.alpha) });
  const scale = Math.max(1, ...Array.from(js.alpha, Math.abs));
  let worst = 0;
  for (let i = 0; i < js.alpha.length; i++) worst = Math.max(worst, Math.abs(nat.alpha[i] - js.alpha[i]) / scale);
  expect({ ctx, alphaErr: worst <= 1e-12 }).toEqual({ ctx, alphaErr: true });
  expect({ ctx, rhoErr: Math.abs(nat.rho - js.rho) <= 1e-12 * Math.max(1, Math.abs(js.rho)) }).toEqual({ ctx, rhoErr: true });
  expect({ ctx, objErr: Math.abs(nat.obj - js.obj) <= 1e-10 * Math.max(1, Math.abs(js.obj)) }).toEqual({ ctx, objErr: true });
  // The problem was not trivial: some variables moved.
  expect(js.nIter).toBeGreaterThan(0);
  return { js, nat };
}

const spec = (kernel: KernelSpec['kernel'], gamma: number, degree = 3, coef0 = 0): KernelSpec => ({ kernel, gamma, degree, coef0 });
const maybe = impl.impl === 'native' ? describe : describe.skip;

// eslint-disable-next-line no-console
if (impl.impl !== 'native') console.warn(`ml-smo-native: skipped, ${impl.reason}`);

maybe('native SMO equals the TypeScript solver', () => {
  const n = 400, p = 6;
  const { X, label } = blobs(n, p, SEED);
  const dense = (s: KernelSpec): SMOKernelData => ({ spec: s, x: X, rows: n, cols: p });

  test.each([
    ['rbf', spec('rbf', 0.3)],
    ['linear', spec('linear', 0)],
    ['poly', spec('poly', 0.2, 3, 1)],
    ['poly degree 2, coef0 0', spec('poly', 0.5, 2, 0)],
    ['sigmoid', spec('sigmoid', 0.01, 3, -0.5)],
  ])('%s kernel', (name, s) => {
    compare(name, dense(s), cSvc(label, 1), OPTS);
  });

  test('class weights (per-variable C), shrinking off', () => {
    compare('weighted rbf', dense(spec('rbf', 0.2)), cSvc(label, 2.5, 0.4), OPTS);
    compare('no shrinking', dense(spec('rbf', 0.2)), cSvc(label, 3), { ...OPTS, shrinking: false });
    compare('no shrinking linear', dense(spec('linear', 0)), cSvc(label, 0.7), { ...OPTS, shrinking: false });
  });

  test('a subset of rows picked by an index (one-vs-one pairs)', () => {
    const r = rng(SEED ^ 0x55), index = Int32Array.from({ length: 150 }, () => Math.floor(r() * n));
    const sub = Int8Array.from(index, (i) => label[i]);
    compare('indexed rbf', { spec: spec('rbf', 0.4), x: X, rows: n, cols: p, index }, cSvc(sub, 1), OPTS);
  });

  test('precomputed Gram matrix, whole and by index', () => {
    const G = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let d = 0;
        for (let k = 0; k < p; k++) d += (X[i * p + k] - X[j * p + k]) ** 2;
        G[i * n + j] = Math.exp(-0.25 * d);
      }
    }
    compare('gram', { spec: spec('precomputed', 0), x: G, rows: n, cols: n }, cSvc(label, 1), OPTS);
    const index = Int32Array.from({ length: 120 }, (_, k) => (k * 7 + 3) % n);
    compare('gram indexed', { spec: spec('precomputed', 0), x: G, rows: n, cols: n, index }, cSvc(Int8Array.from(index, (i) => label[i]), 2), OPTS);
  });

  test('ε-SVR: 2n variables sharing n kernel rows', () => {
    const r = rng(SEED ^ 0x99), l = n, t = Float64Array.from({ length: l }, (_, i) => Math.sin(X[i * p]) + 0.3 * X[i * p + 1] + 0.1 * (r() - 0.5));
    const eps = 0.1, P = new Float64Array(2 * l);
    for (let i = 0; i < l; i++) { P[i] = eps - t[i]; P[i + l] = eps + t[i]; }
    const problem: SMOProblem = {
      y: new Int8Array(2 * l).fill(1, 0, l).fill(-1, l), p: P, C: new Float64Array(2 * l).fill(3),
      sample: Int32Array.from({ length: 2 * l }, (_, k) => k % l),
    };
    compare('svr rbf', dense(spec('rbf', 0.3)), problem, OPTS);
    compare('svr linear', dense(spec('linear', 0)), problem, { ...OPTS, shrinking: false });
  });

  test('a max_iter cap stops both at the same point', () => {
    const { nat } = compare('capped', dense(spec('rbf', 0.3)), cSvc(label, 10), { ...OPTS, maxIter: 37 });
    expect(nat.timedOut).toBe(true);
    expect(nat.nIter).toBe(37);
  });

  test('a small cache (evictions, speculative blocks) and other batch sizes change nothing', () => {
    const small = { ...OPTS, cacheBytes: 40 * 4 * n + 32 * n };
    compare('small cache', dense(spec('rbf', 0.5)), cSvc(label, 5), small);
    compare('tiny cache', dense(spec('rbf', 0.5)), cSvc(label, 5), { ...OPTS, cacheBytes: 1 });
    compare('batch 1', dense(spec('rbf', 0.5)), cSvc(label, 5), { ...small, batchRows: 1 });
    compare('batch 7', dense(spec('poly', 0.3, 3, 1)), cSvc(label, 5), { ...small, batchRows: 7 });
  });

  test('a non-zero feasible start (gradient initialisation from the rows of non-zero alphas)', () => {
    const r = rng(SEED ^ 0x1234), prob = cSvc(label, 2);
    // Equal mass on both classes keeps yᵀα = 0, as an SMO start must be feasible.
    const alpha = new Float64Array(n);
    for (let i = 0; i < n; i++) if (r() < 0.3) alpha[i] = r() < 0.2 ? 2 : 2 * r();
    let sp = 0, sn = 0;
    for (let i = 0; i < n; i++) if (label[i] === 1) sp += alpha[i]; else sn += alpha[i];
    for (let i = 0; i < n; i++) if (label[i] === (sp > sn ? 1 : -1)) alpha[i] *= Math.min(sp, sn) / Math.max(sp, sn);
    compare('warm start', dense(spec('rbf', 0.3)), { ...prob, alpha }, OPTS);
  });

  test('every ISA build of the solver loops (AVX2 lanes, scalar) takes the same path', () => {
    const addon = loadAddon().addon!;
    const before = addon.info().isa;
    try {
      for (const isa of addon.info().isas) {
        expect(addon.setIsa(isa)).toBe(true);
        compare(`rbf on ${isa}`, dense(spec('rbf', 0.3)), cSvc(label, 2), OPTS);
        compare(`linear on ${isa}`, dense(spec('linear', 0)), cSvc(label, 0.5, 1.5), OPTS);
      }
    } finally {
      addon.setIsa(before);
    }
  });

  test('a problem large enough for the threaded kernel transform', () => {
    // 8200 samples: a row of 8200 kernel values is split across the pool (2 × 4096 or more).
    const N = 8200, q = 3, big = blobs(N, q, SEED ^ 0xbeef);
    compare('large rbf', { spec: spec('rbf', 0.5), x: big.X, rows: N, cols: q }, cSvc(big.label, 1), { ...OPTS, maxIter: 60 });
  });
});

maybe('smoSolve rejects bad input with a TensileError', () => {
  const n = 5, p = 2, X = Float64Array.from({ length: n * p }, (_, i) => Math.cos(i + 1));
  const good = (): NativeSmoProblem => ({
    kernel: 'rbf', gamma: 0.5, degree: 3, coef0: 0, x: X, rows: n, cols: p, index: null,
    y: Int32Array.of(1, -1, 1, -1, 1), linear: new Float64Array(n).fill(-1), C: new Float64Array(n).fill(1),
    sample: Int32Array.of(0, 1, 2, 3, 4), alpha: null, tol: 1e-3, shrinking: true, maxIter: -1, cacheBytes: 1e6, batchRows: 4,
  });

  test('a good problem solves', () => {
    const r = callNativeSmo(good());
    expect(Object.prototype.toString.call(r.alpha)).toBe('[object Float64Array]'); // another realm under jest
    expect(r.alpha.length).toBe(n);
    expect(r.nIter).toBeGreaterThan(0);
  });

  test.each<[string, Partial<NativeSmoProblem> | Record<string, unknown>, RegExp]>([
    ['unknown kernel', { kernel: 'cubic' }, /'kernel' must be linear, poly, rbf, sigmoid or precomputed/],
    ['x too short', { x: X.subarray(0, 7) }, /'x' has 7 elements, expected 10/],
    ['x not Float64Array', { x: Float32Array.from(X) }, /'x' must be a Float64Array/],
    ['non-square Gram', { kernel: 'precomputed' }, /'x' must be a square Gram matrix/],
    ['index out of range', { index: Int32Array.of(0, 5) }, /'index' entry 1 is 5, outside \[0, 5\)/],
    ['sample out of range', { sample: Int32Array.of(0, 1, 2, 3, 9) }, /'sample' entry 4 is 9/],
    ['negative sample', { sample: Int32Array.of(0, -1, 2, 3, 4) }, /'sample' entry 1 is -1/],
    ['label not ±1', { y: Int32Array.of(1, -1, 0, -1, 1) }, /'y' entry 2 is 0, expected \+1 or -1/],
    ['C length', { C: new Float64Array(4).fill(1) }, /'C' has 4 elements, expected 5/],
    ['negative C', { C: Float64Array.of(1, 1, -2, 1, 1) }, /'C' entry 2 is -2/],
    ['NaN linear term', { linear: Float64Array.of(-1, NaN, -1, -1, -1) }, /'linear' entry 1 is not finite/],
    ['start outside the box', { alpha: Float64Array.of(0, 0, 3, 0, 0) }, /'alpha' entry 2 is 3, outside \[0, C\]/],
    ['tol zero', { tol: 0 }, /'tol' must be > 0/],
    ['fractional maxIter', { maxIter: 2.5 }, /'maxIter' must be an integer/],
    ['maxIter below -1', { maxIter: -2 }, /'maxIter' must be an integer/],
    ['batchRows zero', { batchRows: 0 }, /'batchRows' must be an integer/],
    ['cacheBytes negative', { cacheBytes: -1 }, /'cacheBytes' must be > 0/],
    ['degree negative', { degree: -1 }, /'degree' must be an integer/],
    ['gamma not finite', { gamma: Infinity }, /'gamma' must be finite/],
    ['shrinking not boolean', { shrinking: 1 }, /'shrinking' must be a boolean/],
    ['rows too large', { rows: 2 ** 31 }, /'rows' must be an integer/],
  ])('%s', (_name, patch, msg) => {
    let err: unknown;
    try {
      callNativeSmo({ ...good(), ...patch } as NativeSmoProblem);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TensileError);
    expect((err as Error).message).toMatch(/smoSolve/);
    expect((err as Error).message).toMatch(msg);
  });

  test('a getter that detaches x while the fields are read: x reads as empty, never freed memory', () => {
    const x = Float64Array.from(X);
    const p = { ...good(), x } as Record<string, unknown>;
    Object.defineProperty(p, 'tol', { get: () => { structuredClone(x.buffer, { transfer: [x.buffer] }); return 1e-3; } });
    expect(() => callNativeSmo(p as unknown as NativeSmoProblem)).toThrow(/'x' has 0 elements, expected 10/);
  });

  test('not an object', () => {
    expect(() => callNativeSmo(undefined as unknown as NativeSmoProblem)).toThrow(TensileError);
  });
});

test('the implementation in use is reported', () => {
  const s = smoImplementation();
  expect(['native', 'js']).toContain(s.impl);
  expect(s.reason.length).toBeGreaterThan(0);
});

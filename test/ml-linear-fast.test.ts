/**
 * The GEMM-based paths of tn.ml's linear models against the host loops they replaced, on fresh
 * random data every run (the seed is in each test's name on failure):
 * - the logistic objectives (binary and multinomial, with and without intercept) equal the
 *   per-sample loop versions kept below as references, on every js/cpu device;
 * - their gradients equal central finite differences in float64 (PyTorch's gradcheck
 *   tolerances: eps 1e-6, atol 1e-5, rtol 1e-3), along random directions and per coordinate;
 * - Ridge and LinearRegression agree between the js oracle and the cpu device (GEMM and the
 *   native linalg kernels), on the Cholesky, dual and SVD paths and a rank-deficient X;
 * - the dense solvers (QR-then-SVD, Cholesky) against their defining identities;
 * - the numeric label encoding and the on-device input checks.
 */
import * as tn from '../lib/index.js';
import { binaryObjective, logisticDesign, multinomialObjective } from '../lib/ml/logistic.js';
import { choleskySolve, lstsqMinNorm, svdThin } from '../lib/ml/solvers.js';
import { encodeLabels, toMatrixTensor } from '../lib/ml/base.js';
import { delegatedCdKernels, nativeCd } from '../lib/ml/cd-native.js';

const DEVICES = tn.availableDevices().filter((d) => d === 'js' || d === 'cpu');
const SEED = Math.floor(Math.random() * 2 ** 30);

/** Fresh normal draws (never all zeros), float64 host data. */
function randn(n: number, seed: number, scale = 1): Float64Array {
  const t = tn.randn([n], { seed, dtype: 'float64', device: 'js' });
  const v = Float64Array.from(t.dataSync(), (x) => x * scale);
  t.dispose();
  return v;
}

function maxRelDiff(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let diff = 0, scale = 0;
  for (let i = 0; i < want.length; i++) { diff = Math.max(diff, Math.abs(got[i] - want[i])); scale = Math.max(scale, Math.abs(want[i])); }
  return diff / Math.max(scale, 1e-300);
}

// ---------------- the host loops the GEMM objectives replaced (references) ----------------

interface HostMatrix { data: Float64Array; rows: number; cols: number }

function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}
function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

function binaryObjectiveReference(x: HostMatrix, y01: Float64Array, invC: number, fitIntercept: boolean) {
  const { data, rows: n, cols: p } = x;
  const dof = p + (fitIntercept ? 1 : 0);
  return (w: Float64Array): [number, Float64Array] => {
    const grad = new Float64Array(dof);
    const b = fitIntercept ? w[p] : 0;
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const o = i * p;
      let z = b;
      for (let j = 0; j < p; j++) z += data[o + j] * w[j];
      loss += softplus(z) - y01[i] * z;
      const g = sigmoid(z) - y01[i];
      for (let j = 0; j < p; j++) grad[j] += g * data[o + j];
      if (fitIntercept) grad[p] += g;
    }
    let ww = 0;
    for (let j = 0; j < p; j++) { ww += w[j] * w[j]; grad[j] += invC * w[j]; }
    return [loss + 0.5 * invC * ww, grad];
  };
}

function multinomialObjectiveReference(x: HostMatrix, yIdx: Int32Array, K: number, invC: number, fitIntercept: boolean) {
  const { data, rows: n, cols: p } = x;
  const dof = p + (fitIntercept ? 1 : 0);
  const z = new Float64Array(K);
  return (w: Float64Array): [number, Float64Array] => {
    const grad = new Float64Array(K * dof);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const o = i * p;
      let zmax = -Infinity;
      for (let k = 0; k < K; k++) {
        const wk = k * dof;
        let s = fitIntercept ? w[wk + p] : 0;
        for (let j = 0; j < p; j++) s += data[o + j] * w[wk + j];
        z[k] = s;
        if (s > zmax) zmax = s;
      }
      const zy = z[yIdx[i]];
      let sum = 0;
      for (let k = 0; k < K; k++) { z[k] = Math.exp(z[k] - zmax); sum += z[k]; }
      loss += Math.log(sum) + zmax - zy;
      for (let k = 0; k < K; k++) {
        const g = z[k] / sum - (yIdx[i] === k ? 1 : 0);
        const wk = k * dof;
        for (let j = 0; j < p; j++) grad[wk + j] += g * data[o + j];
        if (fitIntercept) grad[wk + p] += g;
      }
    }
    let ww = 0;
    for (let k = 0; k < K; k++) {
      for (let j = 0; j < p; j++) { const v = w[k * dof + j]; ww += v * v; grad[k * dof + j] += invC * v; }
    }
    return [loss + 0.5 * invC * ww, grad];
  };
}

// ---------------- problems ----------------

interface Problem { x: HostMatrix; K: number; y: Int32Array; w: Float64Array; fitIntercept: boolean; invC: number }

/** A random problem; the weights are large enough that some logits pass ±20 (the stable branches). */
function problem(n: number, p: number, K: number, fitIntercept: boolean, seed: number): Problem {
  const data = randn(n * p, seed);
  const labels = randn(n, seed + 1);
  const y = Int32Array.from(labels, (v) => Math.min(K - 1, Math.floor(Math.abs(v) * K) % K));
  const rows = K === 2 ? 1 : K;
  const w = randn(rows * (p + (fitIntercept ? 1 : 0)), seed + 2, 3);
  return { x: { data, rows: n, cols: p }, K, y, w, fitIntercept, invC: 0.7 };
}

function objectives(pr: Problem, device: tn.DeviceName) {
  const X = tn.tensor(pr.x.data, { dtype: 'float64', shape: [pr.x.rows, pr.x.cols], device });
  const design = logisticDesign(X);
  if (pr.K === 2) {
    const y01 = Float64Array.from(pr.y, (c) => (c === 1 ? 1 : 0));
    return { fast: binaryObjective(design, y01, pr.invC, pr.fitIntercept), ref: binaryObjectiveReference(pr.x, y01, pr.invC, pr.fitIntercept) };
  }
  return { fast: multinomialObjective(design, pr.y, pr.K, pr.invC, pr.fitIntercept), ref: multinomialObjectiveReference(pr.x, pr.y, pr.K, pr.invC, pr.fitIntercept) };
}

const SHAPES: [string, number, number, number, boolean][] = [
  ['binary 300x7', 300, 7, 2, true],
  ['binary no intercept 5x3', 5, 3, 2, false],
  ['binary 426x30 (breast cancer size)', 426, 30, 2, true],
  ['binary 4000x20 (the native pass in threaded chunks)', 4000, 20, 2, true],
  ['multinomial K=4 200x9', 200, 9, 4, true],
  ['multinomial K=3 no intercept 17x1', 17, 1, 3, false],
];

describe.each(DEVICES)('logistic objectives on %s (seed ' + SEED + ')', (device) => {
  test.each(SHAPES)('%s: GEMM objective equals the per-sample loop', (_name, n, p, K, fitIntercept) => {
    tn.tidy(() => {
      const pr = problem(n, p, K, fitIntercept, SEED + n);
      const { fast, ref } = objectives(pr, device);
      const [f1, g1] = fast(pr.w);
      const [f0, g0] = ref(pr.w);
      // Only the summation order of the products differs.
      expect(Math.abs(f1 - f0)).toBeLessThanOrEqual(1e-12 * Math.abs(f0));
      expect(maxRelDiff(g1, g0)).toBeLessThan(1e-12);
      // A second evaluation at another point reuses the buffers and must not see the first.
      const w2 = pr.w.map((v) => -0.5 * v);
      const [f2, g2] = fast(w2);
      const [f2r, g2r] = ref(w2);
      expect(Math.abs(f2 - f2r)).toBeLessThanOrEqual(1e-12 * Math.abs(f2r));
      expect(maxRelDiff(g2, g2r)).toBeLessThan(1e-12);
    });
  });

  test.each(SHAPES)('%s: gradient equals central differences', (_name, n, p, K, fitIntercept) => {
    tn.tidy(() => {
      const pr = problem(n, p, K, fitIntercept, SEED + 7 * n);
      // Smaller weights: keep f smooth enough at eps = 1e-6 on every sample.
      const w = pr.w.map((v) => v / 3);
      const { fast } = objectives(pr, device);
      const [, g] = fast(w);
      const eps = 1e-6, atol = 1e-5, rtol = 1e-3;
      const at = (d: Float64Array, s: number) => fast(w.map((v, i) => v + s * d[i]))[0];
      for (let trial = 0; trial < 3; trial++) {
        const v = randn(w.length, SEED + 100 + trial);
        const fd = (at(v, eps) - at(v, -eps)) / (2 * eps);
        let an = 0;
        for (let i = 0; i < w.length; i++) an += g[i] * v[i];
        expect(Math.abs(fd - an)).toBeLessThanOrEqual(atol + rtol * Math.abs(an));
      }
      for (const i of [0, w.length - 1, Math.floor(w.length / 2)]) {
        const e = new Float64Array(w.length);
        e[i] = 1;
        const fd = (at(e, eps) - at(e, -eps)) / (2 * eps);
        expect(Math.abs(fd - g[i])).toBeLessThanOrEqual(atol + rtol * Math.abs(g[i]));
      }
    });
  });
});

describe('the native binary logistic pass (logisticBinary)', () => {
  const native = DEVICES.includes('cpu') ? nativeCd('logisticBinary') : null;
  if (!native) {
    test('skipped', () => console.log(`logisticBinary: no native kernel here (${DEVICES.includes('cpu') ? 'the addon lacks it: ' + delegatedCdKernels().join(', ') : 'no cpu device'}); the js objective runs`));
    return;
  }
  test('equals the per-sample reference loop without the L2 term, and writes r', () => {
    const n = 513, p = 37;
    const pr = problem(n, p, 2, true, SEED + 5);
    const y01 = Float64Array.from(pr.y, (c) => (c === 1 ? 1 : 0));
    const w = pr.w.subarray(0, p), b = pr.w[p];
    const r = new Float64Array(n), g = new Float64Array(p), sums = new Float64Array(2);
    native(pr.x.data, n, p, y01, Float64Array.from(w), b, r, g, sums);
    const [f0, g0] = binaryObjectiveReference(pr.x, y01, 0, true)(pr.w);
    expect(Math.abs(sums[0] - f0)).toBeLessThanOrEqual(1e-12 * Math.abs(f0));
    expect(maxRelDiff(g, g0.subarray(0, p))).toBeLessThan(1e-12);
    expect(Math.abs(sums[1] - g0[p])).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(g0[p])));
    let sr = 0;
    for (let i = 0; i < n; i++) sr += r[i];
    expect(Math.abs(sr - sums[1])).toBeLessThanOrEqual(1e-9);
  });

  test('bad sizes and arrays give TensileErrors naming the argument', () => {
    const f64 = (k: number) => new Float64Array(k).fill(0.5);
    const ok = (): unknown[] => [f64(12), 4, 3, f64(4), f64(3), 0.1, f64(4), f64(3), f64(2)];
    const call = (i: number, v: unknown) => () => { const a = ok(); a[i] = v; (native as (...a: unknown[]) => void)(...a); };
    expect(() => (native as (...a: unknown[]) => void)(...ok())).not.toThrow(); // the baseline call works
    for (const [i, v, re] of [
      [0, f64(11), /'x' has 11 elements, expected 12/],
      [1, 0, /'n' must be an integer in \[1, 2\^31\)/],
      [3, new Float32Array(4), /'y' must be a Float64Array/],
      [5, NaN, /'b' must be finite/],
      [7, f64(2), /'grad' has 2 elements, expected 3/],
      [8, undefined, /'sums' is missing/],
    ] as [number, unknown, RegExp][]) {
      expect(call(i, v)).toThrow(tn.TensileError);
      expect(call(i, v)).toThrow(re);
    }
  });
});

// ---------------- Ridge and LinearRegression: js oracle vs cpu ----------------

const cpuIt = DEVICES.includes('cpu') ? test : test.skip;

describe(`Ridge and LinearRegression agree on js and cpu (seed ${SEED})`, () => {
  const cases: [string, number, number, () => tn.ml.LinearRegressor & { fit(X: tn.Tensor, y: tn.Tensor): unknown }][] = [
    ['Ridge cholesky 200x12', 200, 12, () => new tn.ml.Ridge({ alpha: 0.3 })],
    ['Ridge dual (p > n) 15x40', 15, 40, () => new tn.ml.Ridge({ alpha: 2 })],
    ['Ridge svd 120x9 no intercept', 120, 9, () => new tn.ml.Ridge({ solver: 'svd', fitIntercept: false })],
    ['LinearRegression 300x20', 300, 20, () => new tn.ml.LinearRegression()],
    ['LinearRegression wide 8x20', 8, 20, () => new tn.ml.LinearRegression()],
  ];
  cpuIt.each(cases)('%s', (_name, n, p, make) => {
    const data = randn(n * p, SEED + n + p, 2), target = randn(n * 2, SEED + 3);
    // Offsets: centring must matter. Two targets: the multi-target path.
    for (let i = 0; i < data.length; i++) data[i] += (i % p) * 0.5;
    const fits = (['js', 'cpu'] as const).map((device) => {
      const X = tn.tensor(data, { dtype: 'float64', shape: [n, p], device });
      const Y = tn.tensor(target, { dtype: 'float64', shape: [n, 2], device });
      const m = make();
      m.fit(X, Y);
      return { coef: m.coef.dataSync(), intercept: m.intercept.dataSync(), device: m.coef.device };
    });
    expect(fits.map((f) => f.device)).toEqual(['js', 'cpu']);
    expect(maxRelDiff(fits[1].coef, fits[0].coef)).toBeLessThan(1e-10);
    expect(maxRelDiff(fits[1].intercept, fits[0].intercept)).toBeLessThan(1e-10);
  });

  cpuIt('LinearRegression on a rank-deficient X: the same rank and minimum-norm solution', () => {
    const n = 60, p = 8;
    const base = randn(n * 5, SEED + 11);
    const data = new Float64Array(n * p);
    // Columns 5..7 are combinations of columns 0..4: rank 5 (6 with the intercept removed by centring).
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < 5; j++) data[i * p + j] = base[i * 5 + j];
      data[i * p + 5] = base[i * 5] + base[i * 5 + 1];
      data[i * p + 6] = 2 * base[i * 5 + 2] - base[i * 5 + 4];
      data[i * p + 7] = base[i * 5 + 3];
    }
    const y = randn(n, SEED + 12);
    const fits = (['js', 'cpu'] as const).map((device) => new tn.ml.LinearRegression().fit(
      tn.tensor(data, { dtype: 'float64', shape: [n, p], device }), tn.tensor(y, { dtype: 'float64', device })));
    expect(fits.map((m) => m.rank)).toEqual([5, 5]);
    expect(maxRelDiff(fits[1].coef.dataSync(), fits[0].coef.dataSync())).toBeLessThan(1e-10);
    // Minimum norm: the duplicated column 7 = column 3 gets the same weight as column 3.
    const c = fits[1].coef.dataSync();
    expect(Math.abs(c[3] - c[7])).toBeLessThan(1e-10 * Math.max(...Array.from(c, Math.abs)));
  });
});

// ---------------- dense solvers ----------------

describe.each(DEVICES)(`dense solvers on %s (seed ${SEED})`, (device) => {
  test.each([[50, 6], [6, 6], [4, 9]])('svdThin of a %ix%i matrix reconstructs it with orthonormal U, V', (m, n) => {
    const a = randn(m * n, SEED + m * n);
    const { U, S, V, r } = svdThin(a, m, n, device);
    for (let j = 1; j < r; j++) expect(S[j]).toBeLessThanOrEqual(S[j - 1]);
    const back = new Float64Array(m * n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) { let s = 0; for (let l = 0; l < r; l++) s += U[i * r + l] * S[l] * V[j * r + l]; back[i * n + j] = s; }
    expect(maxRelDiff(back, a)).toBeLessThan(1e-13);
    for (const [M, rows] of [[U, m], [V, n]] as const) {
      for (let a1 = 0; a1 < r; a1++) for (let b1 = 0; b1 < r; b1++) {
        let s = 0;
        for (let i = 0; i < rows; i++) s += M[i * r + a1] * M[i * r + b1];
        expect(Math.abs(s - (a1 === b1 ? 1 : 0))).toBeLessThan(1e-13);
      }
    }
  });

  test('lstsqMinNorm on a full-rank tall system satisfies the normal equations', () => {
    const m = 80, n = 7, k = 2;
    const a = randn(m * n, SEED + 21), b = randn(m * k, SEED + 22);
    const { x, rank } = lstsqMinNorm(a, m, n, b, k, device);
    expect(rank).toBe(n);
    // Aᵀ(A·x − b) = 0 up to rounding.
    for (let c = 0; c < k; c++) {
      for (let j = 0; j < n; j++) {
        let s = 0, scale = 0;
        for (let i = 0; i < m; i++) {
          let ax = 0;
          for (let l = 0; l < n; l++) ax += a[i * n + l] * x[l * k + c];
          s += a[i * n + j] * (ax - b[i * k + c]);
          scale += Math.abs(a[i * n + j] * b[i * k + c]);
        }
        expect(Math.abs(s)).toBeLessThan(1e-12 * scale);
      }
    }
  });

  test('choleskySolve solves SPD systems and refuses an indefinite one', () => {
    const n = 9, k = 3;
    const g = randn(n * n, SEED + 31), b = randn(n * k, SEED + 32);
    const A = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) { let s = i === j ? 0.5 : 0; for (let l = 0; l < n; l++) s += g[i * n + l] * g[j * n + l]; A[i * n + j] = s; }
    const x = choleskySolve(A.slice(), n, b, k, device)!;
    expect(x).not.toBeNull();
    for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) {
      let s = 0;
      for (let l = 0; l < n; l++) s += A[i * n + l] * x[l * k + c];
      expect(Math.abs(s - b[i * k + c])).toBeLessThan(1e-9 * (1 + Math.abs(b[i * k + c])));
    }
    const indefinite = A.slice();
    indefinite[4 * n + 4] = -1;
    expect(choleskySolve(indefinite, n, b, k, device)).toBeNull();
  });
});

// ---------------- inputs ----------------

describe('input preparation', () => {
  test('numeric labels: the typed-array encoding equals np.unique on arrays and tensors', () => {
    const raw = Array.from(randn(200, SEED + 41), (v) => [-2.5, 0, 1, 7, 3.25][Math.floor(Math.abs(v) * 5) % 5]);
    const want = [...new Set(raw)].sort((a, b) => a - b);
    const a = encodeLabels('t', raw);
    const b = encodeLabels('t', Float64Array.from(raw));
    expect(a.classes).toEqual(want);
    expect(b.classes).toEqual(want);
    expect(Array.from(a.index)).toEqual(raw.map((v) => want.indexOf(v)));
    expect(Array.from(b.index)).toEqual(Array.from(a.index));
    expect(encodeLabels('t', ['b', 'a', 'b']).classes).toEqual(['a', 'b']);
    expect(() => encodeLabels('t', Float64Array.of(3, 3, 3))).toThrow(/at least 2 classes/);
  });

  test.each(DEVICES)('on-device checks (%s): NaN names its place; a sum that overflows is fine', (device) => {
    const data = randn(12, SEED + 51);
    data[7] = NaN;
    const bad = tn.tensor(data, { dtype: 'float64', shape: [4, 3], device });
    expect(() => new tn.ml.LogisticRegression().fit(bad, [0, 1, 0, 1])).toThrow(/contains NaN at row 2, column 1/);
    expect(() => new tn.ml.Ridge().fit(bad, [0, 1, 0, 1])).toThrow(tn.TensileError);
    const huge = tn.tensor([[1e308, 1], [1e308, 2], [-1e308, 3]], { dtype: 'float64', device });
    tn.tidy(() => expect(toMatrixTensor('t', huge).rows).toBe(3));
  });
});

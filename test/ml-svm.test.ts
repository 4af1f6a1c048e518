/**
 * tn.ml kernel methods against scikit-learn 1.2 (test/reference/gen_ml_svm.py writes
 * test/fixtures/ml_svm.json): SVC on scaled breast cancer, iris (every kernel, class weights,
 * maxIter, a precomputed Gram matrix) and a digits subset; SVR on diabetes; PCA on digits and
 * iris; GaussianNB on iris and breast cancer; then invariants of the SMO solver (the kernel
 * cache and row batching never change the path), labels, devices and the errors.
 *
 * SMO follows libsvm step for step on kernel values rounded to float32 as libsvm's cache does,
 * so with the same iteration count the fits agree with sklearn to rounding; a GEMM summing in
 * another order (another CPU's ISA path) may round one kernel value differently and change the
 * path, and then the fit agrees to the solver's tolerance: the checks pick their tolerance by
 * whether the iteration counts match.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tn from '../lib/index.js';
import { GaussianNB, PCA, SVC, SVR } from '../lib/ml/svm-index.js';
import { DenseKernelRows } from '../lib/ml/kernels.js';
import { SMOSolver } from '../lib/ml/smo.js';
import { compareArrays } from './fixture.js';

interface Arr { shape: number[]; data: number[] }
interface Rec {
  name: string;
  model: 'SVC' | 'SVR' | 'PCA' | 'GaussianNB';
  data: { name: 'iris' | 'breastCancer' | 'digits' | 'diabetes'; rows?: number; scaled?: boolean };
  nEval: number;
  params: Record<string, any>;
  gamma?: number;
  expected: Record<string, any>;
}

const records = (JSON.parse(readFileSync(join(__dirname, 'fixtures', 'ml_svm.json'), 'utf8')) as { records: Rec[] }).records;
const byModel = (m: Rec['model']) => records.filter((r) => r.model === m).map((r) => [r.name, r] as const);
const named = (name: string) => records.find((r) => r.name === name)!;

function expectClose(got: ArrayLike<number>, want: Arr | number[], rtol: number, atol: number, what = ''): void {
  const w = Array.isArray(want) ? want : want.data;
  const err = compareArrays(got, w, rtol, atol);
  if (err) throw new Error(`${what}: values differ at ${err}`);
}

/** (X - mean) / std with the population std, as StandardScaler. */
function standardize(X: number[][]): number[][] {
  const n = X.length, p = X[0].length, out = X.map((r) => r.slice());
  for (let j = 0; j < p; j++) {
    let m = 0;
    for (let i = 0; i < n; i++) m += X[i][j];
    m /= n;
    let v = 0;
    for (let i = 0; i < n; i++) v += (X[i][j] - m) ** 2;
    const sd = Math.sqrt(v / n);
    for (let i = 0; i < n; i++) out[i][j] = (X[i][j] - m) / sd;
  }
  return out;
}

const cache = new Map<string, { X: number[][]; y: number[] }>();
function dataset(spec: Rec['data']): { X: number[][]; y: number[] } {
  const key = JSON.stringify(spec);
  if (!cache.has(key)) {
    const load = { iris: tn.data.loadIris, breastCancer: tn.data.loadBreastCancer, digits: tn.data.loadDigits, diabetes: tn.data.loadDiabetes }[spec.name];
    const ds = load({ dtype: 'float64' });
    let X = ds.data.arraySync() as number[][], y = Array.from(ds.target.dataSync() as ArrayLike<number>);
    if (spec.rows) { X = X.slice(0, spec.rows); y = y.slice(0, spec.rows); }
    if (spec.scaled) X = standardize(X);
    cache.set(key, { X, y });
  }
  return cache.get(key)!;
}

/** exp(-gamma * sum_k (a_k - b_k)^2), summed in feature order as the generator does. */
function rbfGram(A: number[][], B: number[][], gamma: number): number[][] {
  return A.map((a) => B.map((b) => Math.exp(-gamma * a.reduce((s, v, k) => s + (v - b[k]) ** 2, 0))));
}

/** sklearn's snake_case parameters as tensile's camelCase options. */
function options(params: Record<string, any>): Record<string, any> {
  const out: Record<string, any> = {};
  for (const [k, v] of Object.entries(params)) {
    if (k === 'precomputedGamma') continue;
    out[k.replace(/_(\w)/g, (_, c: string) => c.toUpperCase())] = v;
  }
  return out;
}

function svmInputs(r: Rec): { X: number[][]; y: number[]; Xe: number[][] } {
  const { X, y } = dataset(r.data);
  const Xf = r.params.precomputedGamma ? rbfGram(X, X, r.params.precomputedGamma) : X;
  return { X: Xf, y, Xe: Xf.slice(0, r.nEval) };
}

function ints(t: tn.Tensor): number[] {
  return Array.from(t.dataSync() as ArrayLike<number>);
}

describe('SVC against scikit-learn', () => {
  test.each(byModel('SVC'))('%s', (_name, r) => {
    const { X, y, Xe } = svmInputs(r);
    const e = r.expected;
    const clf = new SVC(options(r.params)).fit(X, y);
    expect(clf.classes).toEqual(e.classes.data);
    expect(clf.fitStatus).toBe(e.fitStatus);
    expect(clf.fittedGamma).toBeCloseTo(r.gamma!, 12);
    const nSV = ints(clf.nSupport), wantNSV = e.nSupport.data as number[];
    const samePath = JSON.stringify(ints(clf.nIter)) === JSON.stringify(e.nIter.data);
    if (samePath) {
      // The same iterations: agreement to rounding (here ~1e-13; 1e-6 leaves room for a
      // kernel value that a GEMM on another CPU rounds to the neighbouring float32).
      expect(nSV).toEqual(wantNSV);
      expect(ints(clf.support)).toEqual(e.support.data);
      expectClose(clf.dualCoef.dataSync(), e.dualCoef, 1e-6, 1e-6, 'dualCoef');
      expectClose(clf.intercept.dataSync(), e.intercept, 1e-6, 1e-6, 'intercept');
      expectClose(clf.decisionFunction(Xe).dataSync(), e.decision, 1e-6, 1e-6, 'decision');
      if (e.coef) expectClose(clf.coef.dataSync(), e.coef, 1e-6, 1e-6, 'coef');
      if (e.decisionOvo) {
        const ovo = new SVC({ ...options(r.params), decisionFunctionShape: 'ovo' }).fit(X, y);
        expectClose(ovo.decisionFunction(Xe).dataSync(), e.decisionOvo, 1e-6, 1e-6, 'decision ovo');
      }
      expect(ints(clf.predict(Xe) as tn.Tensor)).toEqual(e.predict.data);
    } else {
      // Another path to the same tolerance: support counts within a few, decisions close.
      nSV.forEach((v, c) => expect(Math.abs(v - wantNSV[c])).toBeLessThanOrEqual(Math.max(3, 0.05 * wantNSV[c])));
      expectClose(clf.intercept.dataSync(), e.intercept, 0.05, 0.02, 'intercept');
      const dec = clf.decisionFunction(Xe).dataSync();
      expectClose(dec, e.decision, 0.05, 0.02, 'decision');
      const pred = ints(clf.predict(Xe) as tn.Tensor);
      const wrong = pred.filter((v, i) => v !== e.predict.data[i]).length;
      expect(wrong).toBeLessThanOrEqual(Math.ceil(0.01 * pred.length));
    }
  });

  test('binary decisions are positive for classes[1]; score is the accuracy', () => {
    const r = named('svc_bc_rbf');
    const { X, y } = svmInputs(r);
    const clf = new SVC().fit(X, y);
    const dec = clf.decisionFunction(X).dataSync(), pred = ints(clf.predict(X) as tn.Tensor);
    dec.forEach((d, i) => expect(pred[i]).toBe(d > 0 ? 1 : 0));
    expect(clf.score(X, y)).toBeCloseTo(pred.filter((v, i) => v === y[i]).length / y.length, 15);
    expect(clf.dualCoef.shape).toEqual([1, ints(clf.support).length]);
    expect(clf.supportVectors.shape).toEqual([ints(clf.support).length, 30]);
  });

  test('a precomputed Gram matrix gives the rbf kernel\'s model exactly', () => {
    const { X, y } = dataset({ name: 'iris' });
    const rbf = new SVC({ kernel: 'rbf', gamma: 0.25 }).fit(X, y);
    const pre = new SVC({ kernel: 'precomputed' }).fit(rbfGram(X, X, 0.25), y);
    expect(ints(pre.support)).toEqual(ints(rbf.support));
    expect(ints(pre.nIter)).toEqual(ints(rbf.nIter));
    expectClose(pre.dualCoef.dataSync(), Array.from(rbf.dualCoef.dataSync()), 1e-12, 1e-12, 'dualCoef');
    expectClose(pre.intercept.dataSync(), Array.from(rbf.intercept.dataSync()), 1e-12, 1e-12, 'intercept');
    const Xt = X.slice(0, 40);
    expectClose(pre.decisionFunction(rbfGram(Xt, X, 0.25)).dataSync(), Array.from(rbf.decisionFunction(Xt).dataSync()), 1e-9, 1e-9, 'decision');
    expect(pre.supportVectors.shape).toEqual([0, 0]);
  });

  test('classWeight: a Map, an object and per-class C agree; balanced weights n/(k·count)', () => {
    const { X, y } = dataset({ name: 'iris' });
    const a = new SVC({ classWeight: { 0: 1, 1: 5, 2: 0.5 } }).fit(X, y);
    const b = new SVC({ classWeight: new Map([[0, 1], [1, 5], [2, 0.5]]) }).fit(X, y);
    expect(ints(a.support)).toEqual(ints(b.support));
    expect(Array.from(a.dualCoef.dataSync())).toEqual(Array.from(b.dualCoef.dataSync()));
    // Balanced weights on iris (50 per class) are all 1: the unweighted model.
    const bal = new SVC({ classWeight: 'balanced' }).fit(X, y), plain = new SVC().fit(X, y);
    expect(Array.from(bal.dualCoef.dataSync())).toEqual(Array.from(plain.dualCoef.dataSync()));
  });

  test('string labels: classes sorted, predictions in the original labels, ovr ties as sklearn', () => {
    const { X, y } = dataset({ name: 'iris' });
    const names = ['setosa', 'versicolor', 'virginica'];
    const s = new SVC({ kernel: 'linear' }).fit(X, y.map((v) => names[v]));
    const n = new SVC({ kernel: 'linear' }).fit(X, y);
    expect(s.classes).toEqual(names);
    expect(s.predict(X)).toEqual(ints(n.predict(X) as tn.Tensor).map((v) => names[v]));
    expect(s.score(X, y.map((v) => names[v]))).toBeCloseTo(n.score(X, y), 15);
    // breakTies picks the argmax of the ovr decision values.
    const bt = new SVC({ kernel: 'linear', breakTies: true }).fit(X, y);
    const ovr = bt.decisionFunction(X).arraySync() as number[][];
    expect(ints(bt.predict(X) as tn.Tensor)).toEqual(ovr.map((row) => row.indexOf(Math.max(...row))));
  });

  test('tensors in, tensors out on the input device', () => {
    const devices = tn.availableDevices().filter((d) => d === 'js' || d === 'cpu');
    for (const device of devices) {
      const ds = tn.data.loadIris({ dtype: 'float64', device });
      const clf = new SVC({ kernel: 'linear' }).fit(ds.data, ds.target);
      expect(clf.supportVectors.device).toBe(device);
      const pred = clf.predict(ds.data) as tn.Tensor;
      expect(pred.device).toBe(device);
      expect(pred.dtype).toBe('int32');
    }
  });
});

describe('the SMO solver', () => {
  test('cache size and row batching change the speed, never the path', () => {
    const r = named('svc_bc_rbf');
    const { X, y } = svmInputs(r);
    const base = new SVC().fit(X, y);
    const tiny = new SVC({ cacheSize: 0.02 }).fit(X, y); // room for a few rows: constant eviction
    expect(ints(tiny.nIter)).toEqual(ints(base.nIter));
    expect(Array.from(tiny.dualCoef.dataSync())).toEqual(Array.from(base.dualCoef.dataSync()));
    // The solver alone, one row per GEMM vs 64: the same α bit for bit.
    const n = X.length, p = X[0].length;
    const flat = Float64Array.from(X.flat());
    const spec = { kernel: 'rbf' as const, gamma: base.fittedGamma, degree: 3, coef0: 0 };
    const problem = {
      y: Int8Array.from(y, (v) => (v === 0 ? 1 : -1)), p: new Float64Array(n).fill(-1), C: new Float64Array(n).fill(1),
      sample: Int32Array.from({ length: n }, (_, i) => i),
    };
    const solve = (batchRows: number) => {
      const rows = new DenseKernelRows(spec, flat, n, p);
      try {
        return new SMOSolver(rows, problem, { tol: 1e-3, shrinking: true, maxIter: -1, cacheBytes: 200 * 2 ** 20, batchRows }).solve();
      } finally {
        rows.dispose();
      }
    };
    const one = solve(1), many = solve(64);
    expect(many.nIter).toBe(one.nIter);
    expect(Array.from(many.alpha)).toEqual(Array.from(one.alpha));
    expect(many.rho).toBe(one.rho);
  });

  test('maxIter stops each QP and sets fitStatus, as sklearn', () => {
    const { X, y } = dataset({ name: 'iris' });
    const clf = new SVC({ kernel: 'linear', maxIter: 5 }).fit(X, y);
    expect(clf.fitStatus).toBe(1);
    expect(ints(clf.nIter).every((v) => v <= 5)).toBe(true);
    expect(new SVC({ kernel: 'linear' }).fit(X, y).fitStatus).toBe(0);
  });
});

describe('SVR against scikit-learn', () => {
  test.each(byModel('SVR'))('%s', (_name, r) => {
    const { X, y } = svmInputs(r);
    const e = r.expected;
    const reg = new SVR(options(r.params)).fit(X, y);
    if (reg.nIter === e.nIter.data[0]) {
      expect(ints(reg.support)).toEqual(e.support.data);
      expect(ints(reg.nSupport)).toEqual(e.nSupport.data);
      expectClose(reg.dualCoef.dataSync(), e.dualCoef, 1e-6, 1e-6, 'dualCoef');
      expectClose(reg.intercept.dataSync(), e.intercept, 1e-6, 1e-6, 'intercept');
      expectClose(reg.predict(X).dataSync(), e.predict, 1e-6, 1e-6, 'predict');
      if (e.coef) expectClose(reg.coef.dataSync(), e.coef, 1e-6, 1e-6, 'coef');
    } else {
      expect(Math.abs(ints(reg.nSupport)[0] - e.nSupport.data[0])).toBeLessThanOrEqual(5);
      expectClose(reg.predict(X).dataSync(), e.predict, 0.01, 0.5, 'predict');
    }
    expect(reg.score(X, y)).toBeCloseTo(e.score, 6);
  });
});

describe('PCA against scikit-learn (full SVD)', () => {
  test.each(byModel('PCA'))('%s', (_name, r) => {
    const { X } = dataset(r.data);
    const e = r.expected;
    const opts = options(r.params);
    const pca = new PCA(opts).fit(X);
    const k = pca.nComponents, p = X[0].length;
    expect(k).toBe(e.nComponents);
    const s = Array.from(pca.singularValues.dataSync()), ws = e.singularValues.data as number[];
    // Singular values to working precision of the largest; components where s is non-zero
    // (a zero singular value's vector is any unit vector of the null space).
    expectClose(s, ws, 0, 1e-12 * ws[0], 'singularValues');
    expectClose(pca.explainedVariance.dataSync(), e.explainedVariance, 1e-10, 1e-10 * e.explainedVariance.data[0], 'explainedVariance');
    expectClose(pca.explainedVarianceRatio.dataSync(), e.explainedVarianceRatio, 1e-10, 1e-13, 'explainedVarianceRatio');
    expectClose(pca.mean.dataSync(), e.mean, 1e-13, 1e-13, 'mean');
    expect(pca.noiseVariance).toBeCloseTo(e.noiseVariance, 10);
    const comps = pca.components.dataSync();
    for (let c = 0; c < k; c++) {
      if (ws[c] <= 1e-9 * ws[0]) continue;
      expectClose(comps.subarray(c * p, (c + 1) * p), e.components.data.slice(c * p, (c + 1) * p), 1e-9, 1e-9, `component ${c} (signs by svd_flip)`);
    }
    const live = ws.slice(0, k).every((v) => v > 1e-9 * ws[0]);
    const Xe = X.slice(0, r.nEval);
    if (live) {
      const scale = Math.max(...e.transform.data.map(Math.abs));
      expectClose(pca.transform(Xe).dataSync(), e.transform, 1e-9, 1e-10 * scale, 'transform');
      const ft = new PCA(opts).fitTransform(X).dataSync().subarray(0, r.nEval * k);
      expectClose(ft, e.fitTransform, 1e-9, 1e-10 * scale, 'fitTransform');
    }
    expectClose(pca.inverseTransform(pca.transform(Xe)).dataSync(), e.inverse, 1e-9, 1e-9, 'inverseTransform');
  });

  test('all components: inverseTransform(transform(X)) is X; whitened projections have unit variance', () => {
    const { X } = dataset({ name: 'iris' });
    const pca = new PCA().fit(X);
    expectClose(pca.inverseTransform(pca.transform(X)).dataSync(), X.flat(), 1e-12, 1e-12, 'round trip');
    const Z = new PCA({ nComponents: 3, whiten: true }).fitTransform(X).arraySync() as number[][];
    for (let c = 0; c < 3; c++) {
      const col = Z.map((r) => r[c]), m = col.reduce((a, b) => a + b, 0) / col.length;
      expect(col.reduce((a, b) => a + (b - m) ** 2, 0) / (col.length - 1)).toBeCloseTo(1, 12);
    }
  });
});

describe('GaussianNB against scikit-learn', () => {
  test.each(byModel('GaussianNB'))('%s', (_name, r) => {
    const { X, y } = dataset(r.data);
    const e = r.expected;
    const nb = new GaussianNB(options(r.params)).fit(X, y);
    expectClose(nb.theta.dataSync(), e.theta, 1e-13, 0, 'theta');
    expectClose(nb.var.dataSync(), e.var, 1e-12, 0, 'var');
    expectClose(nb.classPrior.dataSync(), e.classPrior, 1e-15, 0, 'classPrior');
    expectClose(nb.classCount.dataSync(), e.classCount, 0, 0, 'classCount');
    expect(nb.epsilon).toBeCloseTo(e.epsilon, 20);
    expectClose(nb.predictProba(X).dataSync(), e.proba, 1e-9, 1e-12, 'predictProba');
    expectClose(nb.predictLogProba(X).dataSync(), e.logProba, 1e-10, 1e-10, 'predictLogProba');
    expect(ints(nb.predict(X) as tn.Tensor)).toEqual(e.predict.data);
    expect(nb.score(X, y)).toBe(e.score);
  });
});

describe('bad input throws TensileError', () => {
  const { X, y } = dataset({ name: 'iris' });
  const Xs = X.slice(0, 60), ys = y.slice(0, 60);
  const err = (fn: () => unknown, msg: RegExp) => {
    expect(fn).toThrow(tn.TensileError);
    expect(fn).toThrow(msg);
  };

  test('SVC and SVR', () => {
    const nan = Xs.map((r) => r.slice());
    nan[3][1] = NaN;
    err(() => new SVC().fit(nan, ys), /contains NaN at row 3, column 1/);
    err(() => new SVC().fit(Xs, ys.slice(1)), /X has 60 samples but y has 59/);
    err(() => new SVC().fit(Xs.slice(0, 40), ys.slice(0, 40)), /at least 2 classes; the data has 1/);
    err(() => new SVC({ C: -1 }).fit(Xs, ys), /'C' must be a number > 0, got -1/);
    err(() => new SVC({ C: 0 }).fit(Xs, ys), /'C' must be a number > 0/);
    err(() => new SVC({ gamma: -0.5 }).fit(Xs, ys), /'gamma' must be 'scale', 'auto' or a number >= 0, got -0.5/);
    err(() => new SVC({ kernel: 'cubic' as any }).fit(Xs, ys), /unknown kernel 'cubic'/);
    err(() => new SVC({ kernel: 'precomputed' }).fit(Xs, ys), /square Gram matrix .*got \[60,4\]/);
    err(() => new SVC().predict(Xs), /not fitted yet/);
    err(() => new SVC().supportVectors, /not fitted yet/);
    const clf = new SVC().fit(Xs, ys);
    err(() => clf.predict(Xs.map((r) => r.slice(0, 3))), /X has 3 features, but SVC was fitted with 4/);
    err(() => clf.coef, /only available with the linear kernel/);
    const pre = new SVC({ kernel: 'precomputed' }).fit(rbfGram(Xs, Xs, 0.1), ys);
    err(() => pre.predict(rbfGram(Xs, Xs.slice(0, 10), 0.1)), /one column per training sample: got 10 columns, the model was fitted on 60/);
    err(() => new SVC({ classWeight: { 7: 2 } }).fit(Xs, ys), /classWeight names class 7/);
    err(() => new SVC({ degree: 1.5, kernel: 'poly' }).fit(Xs, ys), /'degree' must be an integer >= 0/);
    err(() => new SVC({ maxIter: -2 }).fit(Xs, ys), /'maxIter' must be -1/);
    err(() => new SVR().fit(Xs, ys.map(String)), /must be numeric for regression/);
    err(() => new SVR({ epsilon: -1 }).fit(Xs, ys), /'epsilon' must be a number >= 0/);
    err(() => new SVR().predict(Xs), /not fitted yet/);
  });

  test('PCA and GaussianNB', () => {
    err(() => new PCA({ nComponents: 5 }).fit(X), /'nComponents' must be an integer in \[1, 4\]/);
    err(() => new PCA({ nComponents: 1.5 }).fit(X), /'nComponents'/);
    err(() => new PCA().transform(X), /not fitted yet/);
    const pca = new PCA({ nComponents: 2 }).fit(X);
    err(() => pca.transform(Xs.map((r) => r.slice(0, 3))), /X has 3 features, but PCA was fitted with 4/);
    err(() => pca.inverseTransform(X), /Z has 4 columns, but PCA was fitted with 2 components/);
    err(() => new GaussianNB().predict(X), /not fitted yet/);
    err(() => new GaussianNB({ priors: [0.5, 0.5, 0.5] }).fit(X, y), /'priors' must sum to 1/);
    err(() => new GaussianNB({ priors: [0.5, 0.5] }).fit(X, y), /one probability per class \(3\)/);
    err(() => new GaussianNB({ varSmoothing: -1 }).fit(X, y), /'varSmoothing' must be a number >= 0/);
    const nb = new GaussianNB().fit(X, y);
    err(() => nb.predictProba(Xs.map((r) => r.slice(0, 2))), /X has 2 features, but GaussianNB was fitted with 4/);
  });
});

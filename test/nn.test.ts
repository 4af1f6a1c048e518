/**
 * tn.nn against PyTorch (torch 1.13, test/reference/gen_nn.py): every layer's forward with
 * identical weights (loaded through loadStateDict), LSTM/LayerNorm/BatchNorm gradients
 * against torch autograd, BatchNorm running statistics over three steps, state-dict keys of a
 * mixed Sequential; float64 gradient checks; Dropout statistics and seeding; initializer
 * statistics; Module behaviour (modes, state, devices, lazy Dense); and the errors.
 * Runs on js and cpu.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tn from '../lib/index.js';
import { compareArrays } from './fixture.js';
import { gradcheck, gradgradcheck } from './gradcheck.js';

type T = tn.Tensor;
type Float = 'float32' | 'float64';
interface FxT { dtype: 'float64' | 'int32'; shape: number[]; data: number[] }
interface Rec {
  name: string;
  kind: string;
  config: Record<string, any>;
  state: Record<string, FxT>;
  inputs: Record<string, FxT>;
  expected: Record<string, FxT>;
  grads?: Record<string, FxT>;
  weights?: FxT[];
  keys?: [string, number[]][];
  parameters?: string[];
}

const records = (JSON.parse(readFileSync(join(__dirname, 'fixtures', 'nn.json'), 'utf8')) as { records: Rec[] }).records;
const byKind = (kind: string) => records.filter((r) => r.kind === kind).map((r) => [r.name, r] as const);
const recordNamed = (name: string) => records.find((r) => r.name === name)!;

// float32: tensile and torch differ in summation order; the reference is float64.
const TOL: Record<Float, { rtol: number; atol: number }> = {
  float32: { rtol: 1e-5, atol: 1e-6 },
  float64: { rtol: 1e-12, atol: 1e-13 },
};
const DTYPES: Float[] = ['float32', 'float64'];
const devices = tn.availableDevices().filter((d) => d === 'js' || d === 'cpu');
if (process.env.TENSILE_REQUIRE_NATIVE === '1' && !devices.includes('cpu')) {
  throw new Error('TENSILE_REQUIRE_NATIVE=1, but the native cpu backend is not available');
}

function toT(f: FxT, dtype: Float): T {
  return f.dtype === 'int32'
    ? tn.tensor(Int32Array.from(f.data), { dtype: 'int32', shape: f.shape })
    : tn.tensor(f.data, { dtype, shape: f.shape });
}

function stateOf(r: Rec, dtype: Float): Record<string, T> {
  return Object.fromEntries(Object.entries(r.state).map(([k, v]) => [k, toT(v, dtype)]));
}

function expectClose(t: T, want: FxT, dtype: Float, what: string, tol = TOL[dtype]): void {
  expect({ what, shape: [...t.shape] }).toEqual({ what, shape: want.shape });
  const err = compareArrays(t.dataSync(), want.data, tol.rtol, tol.atol);
  if (err) throw new Error(`${what}: ${err}`);
}

/** The generator's loss: sum_k sum(out_k * v_k). */
function weightedLoss(outs: T[], weights: FxT[], dtype: Float): T {
  return outs.map((o, k) => o.mul(toT(weights[k], dtype)).sum()).reduce((a, b) => a.add(b));
}

/** Gradients of a module's parameters by name after backward. */
function paramGrads(m: tn.nn.AnyModule): Record<string, T | null> {
  return Object.fromEntries(m.namedParameters().map(([n, p]) => [n, p.grad]));
}

function expectGrads(got: Record<string, T | null>, rec: Rec, dtype: Float, tol = TOL[dtype]): void {
  const names = Object.keys(rec.grads!);
  expect(Object.keys(got).sort()).toEqual([...names].sort());
  for (const n of names) {
    const g = got[n];
    if (!g) throw new Error(`${rec.name}: no gradient for '${n}'`);
    expectClose(g, rec.grads![n], dtype, `${rec.name} grad ${n}`, tol);
  }
}

function expectThrows(fn: () => unknown, op: string, pattern: RegExp): void {
  let err: unknown;
  try { fn(); } catch (e) { err = e; }
  expect(err).toBeInstanceOf(tn.TensileError);
  expect((err as tn.TensileError).op).toBe(op);
  expect((err as Error).message).toMatch(pattern);
}

function makeActivation(r: Rec): tn.nn.Module {
  const c = r.config;
  switch (r.kind) {
    case 'activation:ReLU': return new tn.nn.ReLU();
    case 'activation:LeakyReLU': return new tn.nn.LeakyReLU(c.negativeSlope);
    case 'activation:Tanh': return new tn.nn.Tanh();
    case 'activation:Sigmoid': return new tn.nn.Sigmoid();
    case 'activation:GELU': return new tn.nn.GELU({ approximate: c.approximate });
    case 'activation:Softmax': return new tn.nn.Softmax(c.axis);
    default: throw new Error(`no activation for ${r.kind}`);
  }
}

const makeLSTM = (c: Record<string, any>, dtype: Float) =>
  new tn.nn.LSTM(c.inputSize, c.hiddenSize, { numLayers: c.numLayers, batchFirst: c.batchFirst, bias: c.bias, dtype });
const makeBN = (c: Record<string, any>, dtype: Float) =>
  new tn.nn.BatchNorm1d(c.numFeatures, { momentum: c.momentum, affine: c.affine, trackRunningStats: c.trackRunningStats, dtype });
const makeLN = (c: Record<string, any>, dtype: Float) =>
  new tn.nn.LayerNorm(c.normalizedShape, { eps: c.eps, elementwiseAffine: c.elementwiseAffine, dtype });

describe.each(devices)('tn.nn on %s', (device) => {
  const before = tn.getDefaultDevice();
  beforeAll(() => tn.setDefaultDevice(device));
  afterAll(() => tn.setDefaultDevice(before));
  const f64 = (shape: number[], seed: number) => tn.randn(shape, { dtype: 'float64', seed });

  // ---------------- forward (and gradients) against PyTorch ----------------

  describe.each(DTYPES)('against PyTorch in %s', (dtype) => {
    test.each(byKind('Linear'))('%s', (_n, r) => {
      const m = new tn.nn.Linear(r.config.inFeatures, r.config.outFeatures, { bias: r.config.bias, dtype });
      m.loadStateDict(stateOf(r, dtype));
      const x = toT(r.inputs.x, dtype).requiresGrad_();
      const y = m.call(x);
      expectClose(y, r.expected.y, dtype, r.name);
      weightedLoss([y], r.weights!, dtype).backward();
      expectGrads({ x: x.grad, ...paramGrads(m) }, r, dtype);
    });

    test.each(records.filter((r) => r.kind.startsWith('activation:')).map((r) => [r.name, r] as const))('%s', (_n, r) => {
      const m = makeActivation(r);
      const x = toT(r.inputs.x, dtype).requiresGrad_();
      const y = m.call(x);
      // float32 within a few ulps of the float64 reference. (Not against torch's float32 GELU:
      // its 1 + erf(x/√2) cancels in the left tail, e.g. gelu(-3) is off in the 5th digit.)
      expectClose(y, r.expected.y, dtype, r.name, dtype === 'float32' ? { rtol: 2e-6, atol: 1e-7 } : undefined);
      weightedLoss([y], r.weights!, dtype).backward();
      expectGrads({ x: x.grad }, r, dtype);
    });

    test('embedding with paddingIdx: values, and no gradient for the padding row', () => {
      const r = recordNamed('embedding padding');
      const m = new tn.nn.Embedding(r.config.numEmbeddings, r.config.embeddingDim, { paddingIdx: r.config.paddingIdx, dtype });
      m.loadStateDict(stateOf(r, dtype));
      const y = m.call(toT(r.inputs.ids, dtype));
      expectClose(y, r.expected.y, dtype, r.name);
      weightedLoss([y], r.weights!, dtype).backward();
      expectGrads(paramGrads(m), r, dtype);
      const g = m.weight.grad!.arraySync() as number[][];
      expect(g[1]).toEqual([0, 0, 0, 0]);
      expect(g[3].some((v) => v !== 0)).toBe(true);
    });

    test.each(byKind('LSTM'))('%s: output, h, c and every gradient', (_n, r) => {
      const m = makeLSTM(r.config, dtype);
      m.loadStateDict(stateOf(r, dtype));
      const x = toT(r.inputs.x, dtype).requiresGrad_();
      const state = r.inputs.h0 ? [toT(r.inputs.h0, dtype).requiresGrad_(), toT(r.inputs.c0, dtype).requiresGrad_()] as [T, T] : undefined;
      const [out, [h, c]] = m.call(x, state);
      expectClose(out, r.expected.output, dtype, `${r.name} output`);
      expectClose(h, r.expected.h, dtype, `${r.name} h`);
      expectClose(c, r.expected.c, dtype, `${r.name} c`);
      if (!r.grads) return;
      weightedLoss([out, h, c], r.weights!, dtype).backward();
      const got: Record<string, T | null> = { x: x.grad, ...paramGrads(m) };
      if (state) Object.assign(got, { h0: state[0].grad, c0: state[1].grad });
      expectGrads(got, r, dtype);
    });

    test.each(byKind('LayerNorm'))('%s: train and eval', (_n, r) => {
      const m = makeLN(r.config, dtype);
      m.loadStateDict(stateOf(r, dtype));
      const x = toT(r.inputs.x, dtype).requiresGrad_();
      const y = m.call(x);
      expectClose(y, r.expected.y, dtype, r.name);
      weightedLoss([y], r.weights!, dtype).backward();
      expectGrads({ x: x.grad, ...paramGrads(m) }, r, dtype);
      m.eval();
      expectClose(tn.noGrad(() => m.call(x)), r.expected.y, dtype, `${r.name} (eval)`);
    });

    test.each(byKind('BatchNorm1d'))('%s: 3 training steps, running stats, eval, gradients', (_n, r) => {
      const m = makeBN(r.config, dtype);
      m.loadStateDict(stateOf(r, dtype));
      for (let s = 0; s < 3; s++) expectClose(m.call(toT(r.inputs[`x${s}`], dtype)), r.expected[`y${s}`], dtype, `${r.name} step ${s}`);
      const sd = m.stateDict();
      const finals = Object.keys(r.expected).filter((k) => k.startsWith('final.')).map((k) => k.slice(6));
      expect(Object.keys(sd)).toEqual(finals);
      for (const k of finals) {
        const want = r.expected[`final.${k}`];
        if (want.dtype === 'int32') expect(Array.from(sd[k].dataSync())).toEqual(want.data);
        else expectClose(sd[k], want, dtype, `${r.name} ${k}`);
      }
      m.eval();
      expectClose(m.call(toT(r.inputs.xeval, dtype)), r.expected.yeval, dtype, `${r.name} eval`);
      // Gradients of one training step from the initial state.
      const g = makeBN(r.config, dtype);
      g.loadStateDict(stateOf(r, dtype));
      const x0 = toT(r.inputs.x0, dtype).requiresGrad_();
      weightedLoss([g.call(x0)], r.weights!, dtype).backward();
      expectGrads({ x0: x0.grad, ...paramGrads(g) }, r, dtype);
    });
  });

  test('LSTM returnSequences gives the output sequence or the last step, as Keras', () => {
    for (const name of ['lstm 2 layers batchFirst', 'lstm 2 layers']) {
      const r = recordNamed(name);
      const all = new tn.nn.LSTM(r.config.inputSize, r.config.hiddenSize, { ...r.config, dtype: 'float64', returnSequences: true });
      const last = new tn.nn.LSTM(r.config.inputSize, r.config.hiddenSize, { ...r.config, dtype: 'float64', returnSequences: false });
      all.loadStateDict(stateOf(r, 'float64'));
      last.loadStateDict(stateOf(r, 'float64'));
      const x = toT(r.inputs.x, 'float64');
      expectClose(all.call(x), r.expected.output, 'float64', name);
      const h = r.expected.h;
      const perLayer = h.shape[1] * h.shape[2];
      const lastH: FxT = { dtype: 'float64', shape: h.shape.slice(1), data: h.data.slice(h.data.length - perLayer) };
      expectClose(last.call(x), lastH, 'float64', `${name} last step`);
      const [out] = last.forwardWithState(x);
      expectClose(out, r.expected.output, 'float64', `${name} forwardWithState`);
    }
  });

  test('LSTM on unbatched input [T, F] gives [T, H] and [L, H] states', () => {
    const r = recordNamed('lstm unbatched');
    const m = makeLSTM(r.config, 'float64');
    m.loadStateDict(stateOf(r, 'float64'));
    const [out, [h, c]] = m.call(toT(r.inputs.x, 'float64'));
    expectClose(out, r.expected.output, 'float64', 'output');
    expectClose(h, r.expected.h, 'float64', 'h');
    expectClose(c, r.expected.c, 'float64', 'c');
  });

  test("a mixed Sequential's state-dict keys, shapes and parameter names equal torch's", () => {
    const r = recordNamed('sequential keys');
    const seq = new tn.nn.Sequential(
      new tn.nn.Linear(3, 4), new tn.nn.ReLU(), new tn.nn.LSTM(4, 5, { numLayers: 2 }), new tn.nn.LayerNorm(5),
      new tn.nn.BatchNorm1d(5), new tn.nn.Embedding(7, 2), new tn.nn.Dropout(0.1), new tn.nn.Linear(5, 2, { bias: false }),
    );
    const sd = seq.stateDict();
    expect(Object.entries(sd).map(([k, t]) => [k, [...t.shape]])).toEqual(r.keys);
    expect(seq.namedParameters().map(([n]) => n)).toEqual(r.parameters);
    expect(sd['4.num_batches_tracked'].dtype).toBe('int32');
    // A state dict round trip reproduces the outputs.
    const copy = new tn.nn.Sequential(
      new tn.nn.Linear(3, 4), new tn.nn.ReLU(), new tn.nn.LSTM(4, 5, { numLayers: 2 }), new tn.nn.LayerNorm(5),
      new tn.nn.BatchNorm1d(5), new tn.nn.Embedding(7, 2), new tn.nn.Dropout(0.1), new tn.nn.Linear(5, 2, { bias: false }),
    );
    copy.loadStateDict(sd);
    for (const [k, t] of Object.entries(copy.stateDict())) expect(Array.from(t.dataSync())).toEqual(Array.from(sd[k].dataSync()));
  });

  // ---------------- float64 gradient checks ----------------

  describe('gradcheck (float64)', () => {
    test('Linear: input, weight and bias (2-D and 3-D input)', () => {
      const m = new tn.nn.Linear(3, 2, { dtype: 'float64' });
      const f = (x: T, weight: T, bias: T) => tn.nn.functionalCall(m, { weight, bias }, x);
      gradcheck(f, [f64([4, 3], 1), f64([2, 3], 2), f64([2], 3)], { name: 'Linear 2-D' });
      gradcheck(f, [f64([2, 2, 3], 4), f64([2, 3], 5), f64([2], 6)], { name: 'Linear 3-D' });
    });

    test('LSTM (2 layers, with state): input, h0, c0 and all eight weights', () => {
      const m = new tn.nn.LSTM(2, 2, { numLayers: 2, batchFirst: true, dtype: 'float64' });
      const names = m.namedParameters().map(([n]) => n);
      const f = (x: T, h0: T, c0: T, ...ws: T[]) => {
        const [out, [h, c]] = tn.nn.functionalCall(m, Object.fromEntries(names.map((n, i) => [n, ws[i]])), x, [h0, c0]);
        return [out, h, c];
      };
      const ws = names.map((n, i) => f64([...m.stateDict()[n].shape], 20 + i).mul(0.5));
      gradcheck(f, [f64([2, 3, 2], 10), f64([2, 2, 2], 11), f64([2, 2, 2], 12), ...ws], { name: 'LSTM' });
    });

    test('LayerNorm over one and two trailing dims', () => {
      const m = new tn.nn.LayerNorm([3], { dtype: 'float64' });
      const f = (x: T, weight: T, bias: T) => tn.nn.functionalCall(m, { weight, bias }, x);
      gradcheck(f, [f64([2, 4, 3], 1), f64([3], 2), f64([3], 3)], { name: 'LayerNorm' });
      const m2 = new tn.nn.LayerNorm([2, 3], { dtype: 'float64', elementwiseAffine: false });
      gradcheck((x: T) => m2.call(x), [f64([3, 2, 3], 4)], { name: 'LayerNorm 2 dims' });
    });

    test('BatchNorm1d in training mode, [N, C] and [N, C, L]', () => {
      const m = new tn.nn.BatchNorm1d(3, { dtype: 'float64' });
      const f = (x: T, weight: T, bias: T) => tn.nn.functionalCall(m, { weight, bias }, x);
      gradcheck(f, [f64([5, 3], 1), f64([3], 2), f64([3], 3)], { name: 'BatchNorm1d 2-D' });
      gradcheck(f, [f64([3, 3, 2], 4), f64([3], 5), f64([3], 6)], { name: 'BatchNorm1d 3-D' });
      expect(m.numBatchesTracked!.itemSync()).toBeGreaterThan(0);
    });

    test('GELU (exact and tanh), also in the tails and at 0; second derivative of the exact form', () => {
      const x = tn.tensor([-9, -4.5, -1.3, -1e-4, 0, 1e-4, 0.7, 2.2, 6, 9.5], { dtype: 'float64' });
      for (const approximate of ['none', 'tanh'] as const) {
        const g = new tn.nn.GELU({ approximate });
        gradcheck((t: T) => g.call(t), [x], { name: `GELU ${approximate}` });
        gradcheck((t: T) => g.call(t), [f64([3, 4], 7).mul(3)], { name: `GELU ${approximate} random` });
      }
      gradgradcheck((t: T) => new tn.nn.GELU().call(t), [x], { name: 'GELU' });
    });

    test('Embedding: gradient flows to the used rows only, never to the padding row', () => {
      const m = new tn.nn.Embedding(5, 3, { paddingIdx: 0, dtype: 'float64' });
      const ids = tn.tensor(Int32Array.from([0, 2, 2, 4, 0]), { dtype: 'int32', shape: [5] });
      const used = tn.tensor(Int32Array.from([3, 2, 2, 4]), { dtype: 'int32', shape: [2, 2] });
      gradcheck((weight: T) => tn.nn.functionalCall(m, { weight }, used), [f64([5, 3], 1)], { name: 'Embedding' });
      const w = f64([5, 3], 1);
      const g = tn.grad((weight: T) => tn.nn.functionalCall(m, { weight }, ids).sum())(w).arraySync() as number[][];
      expect(g).toEqual([[0, 0, 0], [0, 0, 0], [2, 2, 2], [0, 0, 0], [1, 1, 1]]);
    });
  });

  // ---------------- Dropout ----------------

  describe('Dropout', () => {
    test('drops about p of the elements and scales the rest by 1/(1-p); mean is kept', () => {
      const d = new tn.nn.Dropout(0.3, { seed: 11 });
      const y = Array.from(d.call(tn.ones([20000])).dataSync());
      const zeros = y.filter((v) => v === 0).length / y.length;
      expect(Math.abs(zeros - 0.3)).toBeLessThan(0.015);
      expect(y.every((v) => v === 0 || Math.abs(v - 1 / 0.7) < 1e-6)).toBe(true);
      expect(Math.abs(y.reduce((a, b) => a + b, 0) / y.length - 1)).toBeLessThan(0.03);
    });

    test('seeded: the same seed replays the same masks; calls and seeds differ', () => {
      const a = new tn.nn.Dropout(0.5, { seed: 3 }), b = new tn.nn.Dropout(0.5, { seed: 3 }), c = new tn.nn.Dropout(0.5, { seed: 4 });
      const x = tn.ones([256]);
      const a1 = Array.from(a.call(x).dataSync()), a2 = Array.from(a.call(x).dataSync());
      expect(Array.from(b.call(x).dataSync())).toEqual(a1);
      expect(Array.from(b.call(x).dataSync())).toEqual(a2);
      expect(a2).not.toEqual(a1);
      expect(Array.from(c.call(x).dataSync())).not.toEqual(a1);
      tn.manualSeed(9);
      const u1 = Array.from(new tn.nn.Dropout(0.5).call(x).dataSync());
      tn.manualSeed(9);
      expect(Array.from(new tn.nn.Dropout(0.5).call(x).dataSync())).toEqual(u1);
    });

    test('eval is the identity; p = 0 is the identity, p = 1 gives zeros; the gradient is the mask', () => {
      const d = new tn.nn.Dropout(0.4, { seed: 1 });
      const x = tn.randn([50], { seed: 2 }).requiresGrad_();
      const y = d.call(x);
      y.sum().backward();
      const mask = Array.from(y.dataSync()).map((v, i) => (v === 0 ? 0 : v / (x.dataSync()[i] as number)));
      expect(Array.from(x.grad!.dataSync()).map((v) => Math.fround(v))).toEqual(mask.map((v) => Math.fround(v === 0 ? 0 : 1 / 0.6)));
      d.eval();
      expect(d.call(x)).toBe(x);
      expect(new tn.nn.Dropout(0).call(x)).toBe(x);
      expect(Array.from(new tn.nn.Dropout(1).call(x).dataSync()).every((v) => v === 0)).toBe(true);
    });
  });

  // ---------------- initializers ----------------

  describe('tn.nn.init', () => {
    const stats = (t: T) => {
      const v = Array.from(t.dataSync() as Float32Array);
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
      return { mean, std, min: Math.min(...v), max: Math.max(...v) };
    };
    const shape = [200, 300]; // fanOut 200, fanIn 300

    test('uniform families: bounds, mean and std', () => {
      const cases: [string, (t: T) => T, number][] = [
        ['glorotUniform', (t) => tn.nn.init.glorotUniform(t, { seed: 1 }), Math.sqrt(6 / 500)],
        ['glorotUniform gain 2', (t) => tn.nn.init.glorotUniform(t, { seed: 1, gain: 2 }), 2 * Math.sqrt(6 / 500)],
        ['heUniform', (t) => tn.nn.init.heUniform(t, { seed: 2 }), Math.sqrt(6 / 300)],
        ['heUniform fan_out relu', (t) => tn.nn.init.heUniform(t, { seed: 2, mode: 'fan_out', nonlinearity: 'relu' }), Math.sqrt(6 / 200)],
        ['kaimingUniform a=sqrt(5) (Linear)', (t) => tn.nn.init.kaimingUniform(t, { seed: 3, a: Math.sqrt(5) }), 1 / Math.sqrt(300)],
        ['uniform(-2, 3)', (t) => tn.nn.init.uniform(t, -2, 3, { seed: 4 }), NaN],
      ];
      for (const [name, init, bound] of cases) {
        const s = stats(init(tn.zeros(shape)));
        const [lo, hi] = Number.isNaN(bound) ? [-2, 3] : [-bound, bound];
        expect({ name, inRange: s.min >= lo && s.max <= hi }).toEqual({ name, inRange: true });
        expect(s.min).toBeLessThan(lo + 0.01 * (hi - lo));
        expect(s.max).toBeGreaterThan(hi - 0.01 * (hi - lo));
        expect(Math.abs(s.mean - (lo + hi) / 2)).toBeLessThan(0.01 * (hi - lo));
        expect(s.std / ((hi - lo) / Math.sqrt(12))).toBeCloseTo(1, 1);
      }
    });

    test('normal families: mean and std', () => {
      const cases: [string, (t: T) => T, number, number][] = [
        ['glorotNormal', (t) => tn.nn.init.glorotNormal(t, { seed: 5 }), 0, Math.sqrt(2 / 500)],
        ['heNormal', (t) => tn.nn.init.heNormal(t, { seed: 6 }), 0, Math.sqrt(2 / 300)],
        ['heNormal tanh fan_out', (t) => tn.nn.init.heNormal(t, { seed: 6, nonlinearity: 'tanh', mode: 'fanOut' }), 0, (5 / 3) / Math.sqrt(200)],
        ['normal(1, 0.5)', (t) => tn.nn.init.normal(t, 1, 0.5, { seed: 7 }), 1, 0.5],
      ];
      for (const [name, init, mean, std] of cases) {
        const s = stats(init(tn.zeros(shape)));
        expect({ name, mean: Math.abs(s.mean - mean) < 0.02 * std, std: Math.abs(s.std / std - 1) < 0.02 }).toEqual({ name, mean: true, std: true });
      }
      expect(tn.nn.init.calculateGain('leaky_relu', 0.2)).toBeCloseTo(Math.sqrt(2 / 1.04), 12);
    });

    test('constant, zeros, ones; seeding is deterministic; in place and without gradient', () => {
      const w = tn.zeros([3, 4]).requiresGrad_();
      expect(tn.nn.init.constant(w, 0.25)).toBe(w);
      expect(Array.from(w.dataSync())).toEqual(new Array(12).fill(0.25));
      expect(Array.from(tn.nn.init.ones(w).dataSync())).toEqual(new Array(12).fill(1));
      expect(Array.from(tn.nn.init.zeros(w).dataSync())).toEqual(new Array(12).fill(0));
      expect(w.isLeaf && w.requiresGrad).toBe(true);
      const a = Array.from(tn.nn.init.heNormal(tn.zeros([5, 6]), { seed: 42 }).dataSync());
      expect(Array.from(tn.nn.init.heNormal(tn.zeros([5, 6]), { seed: 42 }).dataSync())).toEqual(a);
      expect(Array.from(tn.nn.init.heNormal(tn.zeros([5, 6]), { seed: 43 }).dataSync())).not.toEqual(a);
      tn.manualSeed(1);
      const b = Array.from(new tn.nn.Linear(4, 3).weight.dataSync());
      tn.manualSeed(1);
      expect(Array.from(new tn.nn.Linear(4, 3).weight.dataSync())).toEqual(b);
    });

    test("layers' default initializations follow PyTorch's bounds", () => {
      const lin = new tn.nn.Linear(300, 200);
      const b = 1 / Math.sqrt(300);
      for (const t of [lin.weight, lin.bias!]) {
        const s = stats(t);
        expect(s.min >= -b && s.max <= b && s.max > 0.9 * b).toBe(true);
      }
      const lstm = new tn.nn.LSTM(3, 16);
      for (const p of lstm.parameters()) {
        const s = stats(p);
        expect(s.min >= -0.25 && s.max <= 0.25).toBe(true);
      }
      const emb = new tn.nn.Embedding(400, 50, { paddingIdx: -1 });
      expect(emb.paddingIdx).toBe(399);
      const s = stats(emb.weight);
      expect(Math.abs(s.std - 1)).toBeLessThan(0.03);
      expect((emb.weight.slice(399).dataSync() as Float32Array).every((v) => v === 0)).toBe(true);
    });
  });

  // ---------------- Module behaviour ----------------

  describe('Module', () => {
    const mlp = () => new tn.nn.Sequential(new tn.nn.Linear(4, 8), new tn.nn.ReLU(), new tn.nn.Dropout(0.5), new tn.nn.Linear(8, 2));

    test('parameters, names, children, train/eval, zeroGrad', () => {
      const m = mlp();
      expect(m.namedParameters().map(([n]) => n)).toEqual(['0.weight', '0.bias', '3.weight', '3.bias']);
      expect(m.parameters().every((p) => p.requiresGrad && p.isLeaf)).toBe(true);
      expect(m.children().map((c) => c.constructor.name)).toEqual(['Linear', 'ReLU', 'Dropout', 'Linear']);
      expect(m.length).toBe(4);
      expect(m.at(-1)).toBe(m.children()[3]);
      expect(m.training && m.children().every((c) => c.training)).toBe(true);
      m.eval();
      expect(m.training || m.children().some((c) => c.training)).toBe(false);
      const x = tn.randn([3, 4], { seed: 1 });
      expect(Array.from(m.call(x).dataSync())).toEqual(Array.from(m.call(x).dataSync())); // no dropout in eval
      m.train();
      expect(m.children()[2].training).toBe(true);
      m.call(x).sum().backward();
      expect(m.parameters().every((p) => p.grad !== null)).toBe(true);
      m.zeroGrad();
      expect(m.parameters().every((p) => p.grad === null)).toBe(true);
      expect(String(m)).toContain('(0): Linear(in_features=4, out_features=8, bias=True)');
    });

    test('a custom Module: registered children, parameters and buffers get dotted names', () => {
      class Net extends tn.nn.Module {
        fc1 = this.registerModule('fc1', new tn.nn.Linear(4, 8));
        scale = this.registerParameter('scale', tn.ones([8]))!;
        steps = this.registerBuffer('steps', tn.zeros([], { dtype: 'int32' }))!;
        out = this.registerModule('out', new tn.nn.Sequential(new tn.nn.ReLU(), new tn.nn.Linear(8, 1)));
        forward(x: T): T {
          return this.out.call(this.fc1.call(x).mul(this.scale));
        }
      }
      const net = new Net();
      expect(Object.keys(net.stateDict())).toEqual(['scale', 'steps', 'fc1.weight', 'fc1.bias', 'out.1.weight', 'out.1.bias']);
      expect(net.namedParameters().map(([n]) => n)).toEqual(['scale', 'fc1.weight', 'fc1.bias', 'out.1.weight', 'out.1.bias']);
      expect(net.namedModules().map(([n]) => n)).toEqual(['', 'fc1', 'out', 'out.0', 'out.1']);
      expect(net.call(tn.zeros([2, 4])).shape).toEqual([2, 1]);
    });

    test('stateDict views share storage; loadStateDict copies in place; Sequential of named layers', () => {
      const a = new tn.nn.Sequential({ fc: new tn.nn.Linear(2, 2), act: new tn.nn.Tanh() });
      expect(Object.keys(a.stateDict())).toEqual(['fc.weight', 'fc.bias']);
      const w = a.parameters()[0];
      const src = { 'fc.weight': tn.tensor([[1, 2], [3, 4]], { dtype: 'float64' }), 'fc.bias': tn.tensor([0.5, -0.5]) };
      a.loadStateDict(src);
      expect(a.parameters()[0]).toBe(w); // same tensor, new values
      expect(w.arraySync()).toEqual([[1, 2], [3, 4]]);
      expect(w.dtype).toBe('float32');
      expect(a.stateDict()['fc.bias'].arraySync()).toEqual([0.5, -0.5]);
    });

    test('to(dtype) casts floats only; to(device) moves; functionalCall restores the parameters', () => {
      const bn = new tn.nn.BatchNorm1d(3);
      bn.to('float64');
      expect(bn.weight!.dtype).toBe('float64');
      expect(bn.runningVar!.dtype).toBe('float64');
      expect(bn.numBatchesTracked!.dtype).toBe('int32');
      expect(bn.weight!.requiresGrad).toBe(true);
      bn.call(tn.randn([4, 3], { dtype: 'float64', seed: 1 }));
      expect(bn.numBatchesTracked!.itemSync()).toBe(1);
      const other = devices.find((d) => d !== device);
      if (other) {
        const lin = new tn.nn.Linear(2, 3);
        lin.to(other);
        expect(lin.parameters().map((p) => p.device)).toEqual([other, other]);
        expectThrows(() => lin.call(tn.zeros([1, 2])), 'Linear(in_features=2, out_features=3)', new RegExp(`input is on device '${device}' but the layer's parameters are on '${other}'`));
      }
      const lin = new tn.nn.Linear(2, 1, { bias: false });
      const w0 = lin.weight;
      const y = tn.nn.functionalCall(lin, { weight: tn.tensor([[1, 1]]) }, tn.tensor([[2, 3]]));
      expect(y.arraySync()).toEqual([[5]]);
      expect(lin.weight).toBe(w0);
    });

    test('Dense: Keras-style, lazy weights, activation, preActivation, build, loading into an unbuilt layer', () => {
      const d = new tn.nn.Dense(3, { activation: 'relu' });
      expect(d.built).toBe(false);
      expect(d.parameters()).toEqual([]);
      const x = tn.randn([5, 4], { seed: 3 });
      const y = tn.tidy(() => d.call(x)); // built inside tidy: the weights survive it
      expect(d.built && d.inputDim === 4).toBe(true);
      expect(d.weight!.shape).toEqual([3, 4]);
      expect(d.weight!.isDisposed).toBe(false);
      expect(Object.keys(d.stateDict())).toEqual(['weight', 'bias']);
      expect(Array.from(d.bias!.dataSync())).toEqual([0, 0, 0]);
      const bound = Math.sqrt(6 / 7);
      expect((d.weight!.dataSync() as Float32Array).every((v) => Math.abs(v) <= bound)).toBe(true);
      const pre = d.preActivation(x);
      expect(Array.from(y.dataSync())).toEqual(Array.from(pre.relu().dataSync()));
      expectThrows(() => d.call(tn.zeros([2, 5])), 'Dense(units=3, input_dim=4)', /expected input with 4 features in its last dim, got shape \[2,5\]/);

      const fresh = new tn.nn.Dense(3, { activation: 'relu' });
      fresh.loadStateDict(d.stateDict());
      expect(Array.from(fresh.call(x).dataSync())).toEqual(Array.from(y.dataSync()));
      const model = new tn.nn.Sequential(new tn.nn.Dense(8, { activation: 'tanh' }), new tn.nn.Dense(2, { activation: 'softmax' })).build([1, 6]);
      expect(model.parameters().map((p) => [...p.shape])).toEqual([[8, 6], [8], [2, 8], [2]]);
      expect(model.training).toBe(true);
      const eager = new tn.nn.Dense(4, { inputDim: 2, useBias: false });
      expect(Object.keys(eager.stateDict())).toEqual(['weight']);
      expect(new tn.nn.Dense(2, { inputShape: [7] }).weight!.shape).toEqual([2, 7]);
    });

    test('layers built inside tidy keep their state; Embedding.fromPretrained; LSTM inter-layer dropout', () => {
      const lin = tn.tidy(() => new tn.nn.Linear(2, 2));
      const bn = tn.tidy(() => new tn.nn.BatchNorm1d(2));
      expect([...lin.parameters(), ...bn.buffers()].every((t) => !t.isDisposed)).toBe(true);
      const emb = tn.nn.Embedding.fromPretrained(tn.tensor([[1, 2], [3, 4], [5, 6]]));
      expect(emb.call(tn.tensor(Int32Array.from([2, 0]), { dtype: 'int32' })).arraySync()).toEqual([[5, 6], [1, 2]]);
      expect(emb.weight.requiresGrad).toBe(false);
      const make = () => new tn.nn.LSTM(3, 4, { numLayers: 2, dropout: 0.5, seed: 5 });
      const a = make(), b = make();
      b.loadStateDict(a.stateDict());
      const x = tn.randn([5, 2, 3], { seed: 6 });
      const run = (m: tn.nn.LSTM) => Array.from(m.call(x)[0].dataSync());
      expect(run(b)).toEqual(run(a)); // same seed, same masks
      const train2 = run(a);
      a.eval();
      b.eval();
      expect(run(a)).not.toEqual(train2);
      expect(run(a)).toEqual(run(b));
    });

    test('LSTM in Keras mode composes inside Sequential; Flatten; forward+backward in tidy leaks nothing', () => {
      const model = new tn.nn.Sequential(
        new tn.nn.LSTM(3, 4, { batchFirst: true, returnSequences: true }),
        new tn.nn.LayerNorm(4),
        new tn.nn.LSTM(4, 5, { batchFirst: true, returnSequences: false }),
        new tn.nn.Dense(2),
      );
      const x = tn.randn([6, 7, 3], { seed: 4 });
      expect(model.call(x).shape).toEqual([6, 2]);
      expect(new tn.nn.Flatten().call(tn.zeros([2, 3, 4])).shape).toEqual([2, 12]);
      expect(new tn.nn.Flatten(0, 1).call(tn.zeros([2, 3, 4])).shape).toEqual([6, 4]);
      const before = tn.memory().numTensors;
      tn.tidy(() => {
        model.call(x).square().mean().backward();
      });
      const grads = model.parameters().filter((p) => p.grad).length;
      expect(grads).toBe(model.parameters().length);
      // Only the new .grad tensors remain.
      expect(tn.memory().numTensors - before).toBe(grads);
    });
  });

  // ---------------- bad input ----------------

  describe('errors', () => {
    test('a wrong feature size names the layer and the shapes', () => {
      expectThrows(() => new tn.nn.Linear(3, 4).call(tn.zeros([2, 5])), 'Linear(in_features=3, out_features=4)', /expected input with 3 features in its last dim, got shape \[2,5\]/);
      const lstm = new tn.nn.LSTM(3, 4, { numLayers: 2 });
      expectThrows(() => lstm.call(tn.zeros([5, 2, 6])), 'LSTM', /expected input with 3 features in its last dim \(\[time, batch, features\]\), got shape \[5,2,6\]/);
      expectThrows(() => lstm.call(tn.zeros([5, 4])), 'LSTM', /expected input with 3 features in its last dim \(\[time, batch, features\]\), got shape \[5,4\]/);
    });

    test('LSTM state shapes, LayerNorm and BatchNorm shapes, Embedding ids, Sequential outputs', () => {
      const lstm = new tn.nn.LSTM(3, 4, { numLayers: 2 });
      expectThrows(() => lstm.call(tn.zeros([5, 2, 3]), [tn.zeros([1, 2, 4]), tn.zeros([2, 2, 4])]), 'LSTM', /h0 must have shape \[2,2,4\] \(numLayers, batch, hiddenSize\) for input of shape \[5,2,3\], got \[1,2,4\]/);
      expectThrows(() => lstm.call(tn.zeros([3])), 'LSTM', /expected a 3-D input \[time, batch, features\] or a 2-D unbatched one \[time, features\], got shape \[3\]/);
      expectThrows(() => new tn.nn.LayerNorm([4]).call(tn.zeros([2, 5])), 'LayerNorm', /expected input with shape \[\*, 4\], got \[2,5\]/);
      expectThrows(() => new tn.nn.BatchNorm1d(4).call(tn.zeros([8, 3])), 'BatchNorm1d', /expected input of shape \[N, 4\] or \[N, 4, L\], got \[8,3\]/);
      expectThrows(() => new tn.nn.BatchNorm1d(4).call(tn.zeros([1, 4])), 'BatchNorm1d', /expected more than 1 value per channel when training, got input of shape \[1,4\]/);
      const emb = new tn.nn.Embedding(5, 2);
      expectThrows(() => emb.call(tn.tensor(Int32Array.from([1, 5]), { dtype: 'int32' })), 'Embedding', /an id is out of range for 5 embeddings/);
      expectThrows(() => emb.call(tn.tensor([0.5, 1])), 'Embedding', /ids must be int32 \(or floats holding integers\), got dtype float32/);
      expect(emb.call(tn.tensor([[1, 4]])).shape).toEqual([1, 2, 2]);
      expectThrows(() => new tn.nn.Sequential(new tn.nn.LSTM(2, 3)).call(tn.zeros([4, 1, 2])), 'Sequential', /layer '0' \(LSTM\) returned an array, not a Tensor; an LSTM returns \[output, \[h, c\]\] unless built with \{ returnSequences: true \| false \}/);
      expectThrows(() => new tn.nn.Sequential(tn.nn.ReLU as never), 'Sequential', /layer '0' must be a Module, got a function \(did you forget new\?\)/);
      expectThrows(() => new tn.nn.Dropout(1.5), 'Dropout', /between 0 and 1, got 1.5/);
      expectThrows(() => new tn.nn.Dense(2, { activation: 'relux' as never }), 'Dense', /unknown activation 'relux'/);
      expectThrows(() => new tn.nn.LSTM(2, 3, { bidirectional: true } as never), 'LSTM', /option 'bidirectional' is not supported/);
    });

    test('loadStateDict: missing, unexpected and mis-shaped entries', () => {
      const m = new tn.nn.Sequential(new tn.nn.Linear(2, 3), new tn.nn.BatchNorm1d(3));
      const sd = m.stateDict();
      const { '1.running_var': _dropped, ...missing } = sd;
      expectThrows(() => m.loadStateDict(missing), 'loadStateDict', /state dict does not match Sequential: missing keys: '1.running_var' \(pass \{ strict: false \}/);
      expectThrows(() => m.loadStateDict({ ...sd, '2.weight': tn.zeros([1]) }), 'loadStateDict', /unexpected keys: '2.weight'/);
      expectThrows(() => m.loadStateDict({ ...sd, '0.weight': tn.zeros([2, 3]) }), 'loadStateDict', /shape mismatch for '0.weight': expected shape \[3,2\], got \[2,3\]/);
      const res = m.loadStateDict({ '0.bias': tn.tensor([1, 2, 3]), extra: tn.zeros([1]) }, { strict: false });
      expect(res.unexpectedKeys).toEqual(['extra']);
      expect(res.missingKeys).toEqual(['0.weight', '1.weight', '1.bias', '1.running_mean', '1.running_var', '1.num_batches_tracked']);
      expect((m.at(0) as tn.nn.Linear).bias!.arraySync()).toEqual([1, 2, 3]);
    });
  });
});

test('Dropout masks and seeded initializers agree between js and cpu', () => {
  if (!devices.includes('cpu') || !devices.includes('js')) return;
  const x = { js: tn.ones([300], { device: 'js' }), cpu: tn.ones([300], { device: 'cpu' }) };
  const mask = (d: 'js' | 'cpu') => Array.from(new tn.nn.Dropout(0.25, { seed: 77 }).call(x[d]).dataSync());
  expect(mask('js')).toEqual(mask('cpu'));
  const u = (d: 'js' | 'cpu') => Array.from(tn.nn.init.glorotUniform(tn.zeros([10, 20], { device: d }), { seed: 5 }).dataSync());
  expect(u('js')).toEqual(u('cpu'));
});

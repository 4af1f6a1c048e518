/**
 * tn.optim against torch.optim (torch 1.13): 25-step trajectories of every optimizer and option
 * on a fixed problem, parameter groups, gradient clipping, scheduler lr sequences, the state
 * dict round trip, flat memory, and the errors. Reference values: test/reference/gen_optim.py.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tn from '../lib/index.js';
import { compareArrays } from './fixture.js';

interface FxTensor { shape: number[]; data: number[] }
interface OptimizerRecord {
  name: string;
  optimizer: 'SGD' | 'Adam' | 'AdamW' | 'RMSprop' | 'Adagrad';
  options: Record<string, unknown>;
  groups?: ({ params: number[] } & Record<string, unknown>)[];
  trajectory: number[][];
}
interface SchedulerRecord {
  name: string;
  scheduler: string;
  options: Record<string, unknown>;
  after?: { scheduler: string; options: Record<string, unknown> };
  metrics?: number[];
  lrs: number[][];
}
interface ClipCase { kind: 'norm' | 'value'; maxNorm?: number; normType?: number | 'inf'; clip?: number; total?: number; clipped: FxTensor[] }

const fx = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'optim.json'), 'utf8')) as {
  steps: number;
  problem: { init: FxTensor[]; A: FxTensor; b: FxTensor; X: FxTensor; Y: FxTensor };
  optimizers: OptimizerRecord[];
  clip: { grads: FxTensor[]; cases: ClipCase[] };
  schedulers: SchedulerRecord[];
};

// float32 trajectories: tensile and torch round differently in the loss's reductions and in
// fused multiply-adds, so the first steps agree to about an ulp (checked tighter), and 25 steps
// of the dynamics carry those last-bit differences along (measured: at most ~1e-5 relative).
const RTOL = 4e-5, ATOL = 1e-6;
const FIRST_STEPS = 3, FIRST_RTOL = 2e-6, FIRST_ATOL = 1e-7;

type OptimizerClass = new (params: tn.optim.Params<Record<string, unknown>>, options?: Record<string, unknown>) => tn.optim.Optimizer<{ lr: number }>;
const CLASSES = tn.optim as unknown as Record<string, OptimizerClass>;

const devices = tn.availableDevices().filter((d) => d === 'js' || d === 'cpu');
const flat = (ts: readonly tn.Tensor[]) => ts.flatMap((t) => Array.from(t.dataSync()));

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string, rtol = RTOL, atol = ATOL): void {
  const err = compareArrays(got, want, rtol, atol);
  if (err) throw new Error(`${what}: ${err}`);
}

describe.each(devices)('tn.optim on %s', (device) => {
  const data = (t: FxTensor) => tn.tensor(t.data, { shape: t.shape, device });
  const [A, b, X, Y] = [fx.problem.A, fx.problem.b, fx.problem.X, fx.problem.Y].map(data);
  const makeParams = () => fx.problem.init.map((t) => tn.tensor(t.data, { shape: t.shape, device, requiresGrad: true }));

  /** 0.5·|A x − b|² + mean((tanh(X W1ᵀ + b1) W2ᵀ + b2 − Y)²), as in gen_optim.py. */
  function loss([x, w1, b1, w2, b2]: tn.Tensor[]): tn.Tensor {
    const quad = A.matmul(x).sub(b).square().sum().mul(0.5);
    const h = X.matmul(w1.T).add(b1).tanh();
    return quad.add(h.matmul(w2.T).add(b2).sub(Y).square().mean());
  }

  function trainStep(opt: tn.optim.Optimizer<{ lr: number }>, params: tn.Tensor[]): void {
    tn.tidy(() => {
      loss(params).backward();
      opt.step();
      opt.zeroGrad();
    });
  }

  function build(rec: OptimizerRecord, params: tn.Tensor[]): tn.optim.Optimizer<{ lr: number }> {
    const spec = rec.groups ? rec.groups.map((g) => ({ ...g, params: g.params.map((i) => params[i]) })) : params;
    return new CLASSES[rec.optimizer](spec, rec.options);
  }

  describe('25-step trajectories match torch.optim', () => {
    test.each(fx.optimizers.map((r) => [r.name, r] as const))('%s', (_name, rec) => {
      const params = makeParams();
      const opt = build(rec, params);
      for (let k = 0; k < fx.steps; k++) {
        trainStep(opt, params);
        if (k < FIRST_STEPS) expectClose(flat(params), rec.trajectory[k], `step ${k + 1}`, FIRST_RTOL, FIRST_ATOL);
        else expectClose(flat(params), rec.trajectory[k], `step ${k + 1}`);
      }
      opt.dispose();
    });
  });

  test('defaults are torch 1.13\'s', () => {
    const p = [tn.zeros([2], { device, requiresGrad: true })];
    const group = (o: tn.optim.Optimizer<{ lr: number }>) => { const { params, ...rest } = o.paramGroups[0]; return rest; };
    expect(group(new tn.optim.SGD(p, { lr: 0.1 }))).toEqual({ lr: 0.1, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, maximize: false });
    expect(group(new tn.optim.Adam(p))).toEqual({ lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, fused: true });
    expect(group(new tn.optim.AdamW(p))).toEqual({ lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-2, amsgrad: false, maximize: false, fused: true });
    expect(group(new tn.optim.RMSprop(p))).toEqual({ lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false });
    expect(group(new tn.optim.Adagrad(p))).toEqual({ lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false });
  });

  test('parameter groups keep their own lr, other options from the defaults', () => {
    const params = makeParams();
    const opt = new tn.optim.SGD([{ params: params.slice(0, 2), lr: 0.5 }, { params: params.slice(2) }], { lr: 0.1, momentum: 0.9 });
    expect(opt.paramGroups.map((g) => [g.lr, g.momentum, g.params.length])).toEqual([[0.5, 0.9, 2], [0.1, 0.9, 3]]);
    opt.addParamGroup({ params: [tn.zeros([1], { device, requiresGrad: true })], momentum: 0 });
    expect(opt.paramGroups[2].lr).toBe(0.1);
    expect(opt.paramGroups[2].momentum).toBe(0);
  });

  test('zeroGrad disposes and clears grads; step skips parameters without a gradient', () => {
    const [x, y] = [tn.ones([3], { device, requiresGrad: true }), tn.ones([2], { device, requiresGrad: true })];
    const opt = new tn.optim.Adam([x, y], { lr: 0.1 });
    tn.tidy(() => x.mul(2).sum().backward());
    const g = x.grad!;
    opt.step();
    expectClose(x.dataSync(), [0.9, 0.9, 0.9], 'x after one Adam step (lr 0.1)', 1e-6, 0);
    expect(Array.from(y.dataSync())).toEqual([1, 1]);
    expect(opt.state.has(y)).toBe(false);
    opt.zeroGrad();
    expect(x.grad).toBeNull();
    expect(g.isDisposed).toBe(true);
    opt.dispose();
  });

  test('200 steps inside tn.tidy keep tn.memory().numTensors flat', () => {
    for (const make of [
      (p: tn.Tensor[]) => new tn.optim.Adam(p, { amsgrad: true, weightDecay: 0.1 }),
      (p: tn.Tensor[]) => new tn.optim.SGD(p, { lr: 0.01, momentum: 0.9, nesterov: true }),
      (p: tn.Tensor[]) => new tn.optim.RMSprop(p, { centered: true, momentum: 0.5 }),
    ]) {
      const params = makeParams();
      const opt = make(params);
      const counts: number[] = [];
      for (let i = 0; i < 200; i++) {
        trainStep(opt, params);
        counts.push(tn.memory().numTensors);
      }
      expect(new Set(counts).size).toBe(1);
      const bytes = tn.memory().numBytes;
      opt.dispose();
      expect(tn.memory().numBytes).toBeLessThan(bytes);
    }
  });

  test('step() outside any tidy frees its own temporaries (only the state tensors remain)', () => {
    const p = tn.ones([4], { device, requiresGrad: true });
    p.grad = tn.full([4], 0.5, { device });
    const opt = new tn.optim.Adam([p], { amsgrad: true, weightDecay: 0.1 });
    const n0 = tn.memory().numTensors;
    opt.step();
    expect(tn.memory().numTensors).toBe(n0 + 3); // exp_avg, exp_avg_sq, max_exp_avg_sq
    for (let i = 0; i < 5; i++) opt.step();
    expect(tn.memory().numTensors).toBe(n0 + 3);
    opt.dispose();
    p.zeroGrad();
    expect(tn.memory().numTensors).toBe(n0 - 1);
  });

  describe('stateDict round trip: a fresh optimizer loaded from the dict continues identically', () => {
    const names = ['sgd_nesterov_weight_decay', 'adam_amsgrad', 'adamw_amsgrad', 'rmsprop_centered_momentum', 'adagrad_options', 'adam_groups'];
    test.each(names)('%s', (name) => {
      const rec = fx.optimizers.find((r) => r.name === name)!;
      const params = makeParams();
      const opt = build(rec, params);
      for (let k = 0; k < 10; k++) trainStep(opt, params);
      const sd = opt.stateDict();
      const params2 = params.map((p) => tn.noGrad(() => p.clone()).requiresGrad_());
      const fresh = build({ ...rec, options: rec.optimizer === 'SGD' ? { lr: 1 } : {}, groups: rec.groups?.map((g) => ({ params: g.params })) }, params2);
      fresh.loadStateDict(sd);
      expect(fresh.stateDict().param_groups).toEqual(sd.param_groups);
      for (let k = 10; k < fx.steps; k++) {
        trainStep(opt, params);
        trainStep(fresh, params2);
        expect(flat(params2)).toEqual(flat(params));
        expectClose(flat(params2), rec.trajectory[k], `step ${k + 1}`);
      }
      opt.dispose();
      fresh.dispose();
    });

    test('the dict has PyTorch\'s layout and names', () => {
      const params = makeParams();
      const opt = new tn.optim.Adam([{ params: params.slice(0, 2) }, { params: params.slice(2), lr: 0.1 }], { amsgrad: true, weightDecay: 0.5 });
      trainStep(opt, params);
      const sd = opt.stateDict();
      expect(sd.param_groups).toEqual([
        { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0.5, amsgrad: true, maximize: false, fused: true, params: [0, 1] },
        { lr: 0.1, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0.5, amsgrad: true, maximize: false, fused: true, params: [2, 3, 4] },
      ]);
      expect(Object.keys(sd.state)).toEqual(['0', '1', '2', '3', '4']);
      expect(Object.keys(sd.state[3]).sort()).toEqual(['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq', 'step']);
      expect(sd.state[3].step).toBe(1);
      expect((sd.state[3].exp_avg as tn.Tensor).shape).toEqual([2, 4]);
      opt.dispose();
    });
  });

  test('float64 parameters keep float64 state', () => {
    const p = tn.tensor(new Float64Array([1, 2, 3]), { device, requiresGrad: true });
    const opt = new tn.optim.RMSprop([p], { centered: true, momentum: 0.9 });
    tn.tidy(() => { p.square().sum().backward(); opt.step(); opt.zeroGrad(); });
    expect(Object.values(opt.state.get(p)!).filter((v) => v instanceof tn.Tensor).map((v) => (v as tn.Tensor).dtype)).toEqual(['float64', 'float64', 'float64']);
    opt.dispose();
  });

  describe('gradient clipping matches torch.nn.utils', () => {
    const withGrads = () => fx.clip.grads.map((g) => {
      const p = tn.zeros(g.shape, { device, requiresGrad: true });
      p.grad = data(g);
      return p;
    });
    test.each(fx.clip.cases.map((c) => [c.kind === 'norm' ? `clipGradNorm(maxNorm ${c.maxNorm}, normType ${c.normType})` : `clipGradValue(${c.clip})`, c] as const))('%s', (_n, c) => {
      const params = withGrads();
      if (c.kind === 'norm') {
        const total = tn.optim.clipGradNorm(params, c.maxNorm!, c.normType === 'inf' ? Infinity : c.normType);
        expect(typeof total).toBe('number');
        expectClose([total], [c.total!], 'total norm', 1e-5, 0);
      } else {
        tn.optim.clipGradValue(params, c.clip!);
      }
      params.forEach((p, i) => expectClose(p.grad!.dataSync(), c.clipped[i].data, `grad ${i}`, 1e-5, 1e-7));
      params.forEach((p) => p.zeroGrad());
    });

    test('parameters without a gradient are skipped; none at all gives 0', () => {
      const p = tn.zeros([2], { device, requiresGrad: true });
      expect(tn.optim.clipGradNorm([p], 1)).toBe(0);
      tn.optim.clipGradValue(p, 1);
      expect(p.grad).toBeNull();
    });
  });
});

const bothDevices = devices.length === 2 ? test : test.skip;
bothDevices('a state dict made on js loads into an optimizer on cpu (state moves to the parameters\' device)', () => {
  const p = tn.tensor([1, -2], { device: 'js', requiresGrad: true });
  const opt = new tn.optim.Adam([p], { lr: 0.1, amsgrad: true });
  p.grad = tn.tensor([0.5, 0.25], { device: 'js' });
  opt.step();
  const q = tn.tensor([1, -2], { device: 'cpu', requiresGrad: true });
  const opt2 = new tn.optim.Adam([q]);
  opt2.loadStateDict(opt.stateDict());
  const s = opt2.state.get(q)!;
  expect([s.exp_avg!.device, s.exp_avg_sq!.device, s.max_exp_avg_sq!.device, s.step]).toEqual(['cpu', 'cpu', 'cpu', 1]);
  expect(Array.from(s.exp_avg!.dataSync())).toEqual(Array.from(opt.state.get(p)!.exp_avg!.dataSync()));
  expect(opt2.paramGroups[0].lr).toBe(0.1);
  opt.dispose();
  opt2.dispose();
});

describe('learning-rate schedulers match torch.optim.lr_scheduler over 30 steps', () => {
  const SCHEDULERS = tn.optim as unknown as Record<string, new (opt: tn.optim.Optimizer<{ lr: number }>, opts: Record<string, unknown>) => { step(m?: number): void; getLastLr(): number[] }>;
  test.each(fx.schedulers.map((r) => [r.name, r] as const))('%s', (_n, rec) => {
    const opt = new tn.optim.SGD([
      { params: [tn.zeros([1], { requiresGrad: true })], lr: 0.1 },
      { params: [tn.zeros([1], { requiresGrad: true })], lr: 0.01 },
    ], { lr: 0.1 });
    const options = { ...rec.options };
    if (rec.after) options.after = new SCHEDULERS[rec.after.scheduler](opt, rec.after.options);
    const sched = new SCHEDULERS[rec.scheduler](opt, options);
    const lrs = [opt.paramGroups.map((g) => g.lr)];
    expect(sched.getLastLr()).toEqual(lrs[0]);
    for (let i = 0; i < rec.lrs.length - 1; i++) {
      opt.step();
      sched.step(rec.metrics?.[i]);
      lrs.push(sched.getLastLr());
    }
    expectClose(lrs.flat(), rec.lrs.flat(), rec.name, 1e-12, 1e-15);
  });

  test('LinearWarmup without `after` leaves later lr changes alone (it chains with ReduceLROnPlateau)', () => {
    const opt = new tn.optim.SGD([tn.zeros([1], { requiresGrad: true })], { lr: 1 });
    const warm = new tn.optim.LinearWarmup(opt, { warmupSteps: 2 });
    const plateau = new tn.optim.ReduceLROnPlateau(opt, { patience: 0, factor: 0.5 });
    const seen: number[] = [];
    for (let i = 0; i < 5; i++) {
      warm.step();
      if (i >= 2) plateau.step(1);
      seen.push(opt.paramGroups[0].lr);
    }
    expect(seen).toEqual([0.5, 1, 1, 0.5, 0.25]);
  });
});

describe('errors name the optimizer and the argument', () => {
  const p = () => tn.zeros([2], { requiresGrad: true });
  const cases: [string, () => unknown, RegExp][] = [
    ['negative lr', () => new tn.optim.SGD([p()], { lr: -1 }), /^SGD: argument 'lr' must be a finite number >= 0, got -1$/],
    ['SGD without lr', () => new tn.optim.SGD([p()]), /^SGD: argument 'lr' is required$/],
    ['lr missing in one group', () => new tn.optim.SGD([{ params: [p()], lr: 0.1 }, { params: [p()] }]), /^SGD: argument 'lr' \(param group 1\) is required$/],
    ['beta2 = 1', () => new tn.optim.Adam([p()], { betas: [0.9, 1] }), /^Adam: argument 'betas' must be two numbers in \[0, 1\), got \[0.9, 1\]$/],
    ['negative beta1', () => new tn.optim.AdamW([p()], { betas: [-0.1, 0.9] }), /^AdamW: argument 'betas' must be two numbers in \[0, 1\)/],
    ['negative eps', () => new tn.optim.RMSprop([p()], { eps: -1e-8 }), /^RMSprop: argument 'eps' must be a finite number >= 0, got -1e-8$/],
    ['negative weightDecay in a group', () => new tn.optim.Adagrad([{ params: [p()], weightDecay: -0.1 }]), /^Adagrad: argument 'weightDecay' \(param group 0\) must be/],
    ['nesterov without momentum', () => new tn.optim.SGD([p()], { lr: 0.1, nesterov: true }), /^SGD: 'nesterov' needs momentum > 0 and dampening 0, got momentum 0 and dampening 0$/],
    ['unknown option', () => new tn.optim.Adam([p()], { weight_decay: 0.1 } as never), /^Adam: unknown option 'weight_decay'; Adam takes lr, betas, eps, weightDecay, amsgrad, maximize, fused$/],
    ['param without requiresGrad', () => new tn.optim.Adam([tn.zeros([2])]), /^Adam: argument 'params\[0\]' \(tensor #\d+, shape \[2\], dtype float32\) does not require grad/],
    ['int tensor', () => new tn.optim.SGD([tn.zeros([2], { dtype: 'int32' })], { lr: 0.1 }), /^SGD: argument 'params\[0\]' .*dtype int32\) is not a float tensor/],
    ['non-leaf param', () => new tn.optim.SGD([p().mul(2)], { lr: 0.1 }), /^SGD: argument 'params\[0\]' .* is not a leaf/],
    ['not a tensor', () => new tn.optim.SGD([[1, 2]] as never, { lr: 0.1 }), /^SGD: /],
    ['empty params', () => new tn.optim.Adam([]), /^Adam: argument 'params' is an empty list/],
    ['duplicate param', () => { const q = p(); return new tn.optim.Adam([{ params: [q] }, { params: [q] }]); }, /^Adam: argument 'params\[0\]' \(param group 1\) \(tensor #\d+\) appears more than once/],
    ['clipGradNorm maxNorm', () => tn.optim.clipGradNorm([p()], -1), /^clipGradNorm: argument 'maxNorm' must be a number >= 0, got -1$/],
    ['clipGradValue clip', () => tn.optim.clipGradValue([p()], NaN), /^clipGradValue: argument 'clipValue' must be a number >= 0, got NaN$/],
    ['StepLR stepSize', () => new tn.optim.StepLR(new tn.optim.Adam([p()]), { stepSize: 0 }), /^StepLR: argument 'stepSize' must be a whole number > 0, got 0$/],
    ['scheduler without optimizer', () => new tn.optim.ExponentialLR({} as never, { gamma: 0.9 }), /^ExponentialLR: argument 'optimizer' must be a tn.optim optimizer/],
    ['plateau factor', () => new tn.optim.ReduceLROnPlateau(new tn.optim.Adam([p()]), { factor: 1 }), /^ReduceLROnPlateau: argument 'factor' must be a number in \[0, 1\), got 1$/],
    ['warmup after stepped', () => {
      const opt = new tn.optim.Adam([p()]);
      const cos = new tn.optim.CosineAnnealingLR(opt, { tMax: 3 });
      cos.step();
      return new tn.optim.LinearWarmup(opt, { warmupSteps: 2, after: cos });
    }, /^LinearWarmup: argument 'after' has already been stepped/],
  ];
  test.each(cases)('%s', (_n, fn, msg) => {
    let err: unknown;
    try { fn(); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(tn.TensileError);
    expect((err as Error).message).toMatch(msg);
  });

  test('loadStateDict rejects a dict that does not fit, and changes nothing', () => {
    const a = tn.zeros([2], { requiresGrad: true }), c = tn.zeros([3], { requiresGrad: true });
    const opt = new tn.optim.Adam([a, c], { lr: 0.1 });
    a.grad = tn.ones([2]); c.grad = tn.ones([3]);
    opt.step();
    const sd = opt.stateDict();
    const other = new tn.optim.Adam([c, a]);
    expect(() => other.loadStateDict(sd)).toThrow(/^Adam.loadStateDict: state 'exp_avg' of parameter 0 has shape \[2\] but the parameter has \[3\]$/);
    expect(other.state.size).toBe(0);
    expect(other.paramGroups[0].lr).toBe(1e-3);
    expect(() => new tn.optim.Adam([a]).loadStateDict(sd)).toThrow(/param group 0 of the state dict has 2 params but the optimizer's has 1/);
    expect(() => new tn.optim.SGD([a, c], { lr: 0.1 }).loadStateDict(sd)).toThrow(/^SGD.loadStateDict: /);
    expect(() => new tn.optim.Adam([a, c]).loadStateDict({ ...sd, param_groups: [{ ...sd.param_groups[0], lr: -1 }] }))
      .toThrow(/^Adam.loadStateDict: argument 'lr' \(param group 0 of the state dict\) must be a finite number >= 0, got -1$/);
    opt.dispose();
  });
});

describe.each(tn.availableDevices().filter((d) => d !== 'webgpu'))('fused Adam on %s', (device) => {
  // The fused kernel is a fast path of the composed ops (the reference): same numbers.
  test.each([
    ['Adam', {}], ['Adam weightDecay', { weightDecay: 0.1 }], ['Adam amsgrad maximize', { amsgrad: true, maximize: true }],
    ['AdamW', { weightDecay: 0.05, decoupled: true }],
  ] as const)('%s: 20 steps equal the composed update', (_name, opts) => {
    const run = (fused: boolean, dtype: 'float32' | 'float64') => {
      const w = tn.randn([7, 5], { seed: 3, dtype, device }).requiresGrad_();
      const b = tn.randn([5], { seed: 4, dtype, device }).requiresGrad_();
      const x = tn.randn([9, 7], { seed: 5, dtype, device });
      const { decoupled, ...rest } = opts as { decoupled?: boolean; weightDecay?: number };
      const Opt = decoupled ? tn.optim.AdamW : tn.optim.Adam;
      const opt = new Opt([w, b], { lr: 0.01, ...rest, fused });
      for (let i = 0; i < 20; i++) {
        tn.tidy(() => {
          opt.zeroGrad();
          x.matmul(w).add(b).tanh().square().mean().backward();
          opt.step();
        });
      }
      return [...w.dataSync(), ...b.dataSync()];
    };
    for (const dtype of ['float32', 'float64'] as const) {
      const f = run(true, dtype), c = run(false, dtype);
      f.forEach((v, i) => expect(Math.abs(v - c[i])).toBeLessThanOrEqual((dtype === 'float32' ? 1e-6 : 1e-14) * (1 + Math.abs(c[i]))));
    }
  });
});

test('clipGradNormAsync equals clipGradNorm and works on every device; clipGradNorm on webgpu says to await', async () => {
  const mk = (device: tn.DeviceName) => {
    const w = tn.tensor([3, -4, 12], { device, requiresGrad: true });
    w.square().sum().backward(); // grad = 2w, norm 26
    return w;
  };
  const a = mk('js'), b = mk('js');
  expect(tn.optim.clipGradNorm([a], 1)).toBeCloseTo(26, 5);
  expect(await tn.optim.clipGradNormAsync([b], 1)).toBeCloseTo(26, 5);
  expect(Array.from(b.grad!.dataSync())).toEqual(Array.from(a.grad!.dataSync()));
  try {
    await tn.initWebGPU();
  } catch {
    return; // the webgpu half needs an adapter (CI has lavapipe)
  }
  const g = mk('webgpu');
  expect(() => tn.optim.clipGradNorm([g], 1)).toThrow(/clipGradNormAsync/);
  expect(await tn.optim.clipGradNormAsync([g], 1)).toBeCloseTo(26, 4);
  const gv = await g.grad!.data();
  Array.from(a.grad!.dataSync()).forEach((v, i) => expect(gv[i]).toBeCloseTo(v, 5));
});


/**
 * The Keras-style training API (compile/fit/evaluate/predict, callbacks, progress output),
 * tn.io (safetensors round trips, PyTorch-written files, corrupt files) and the tn.data
 * helpers (batches, padSequences, Tokenizer, oneHot).
 *
 * Reference values: test/reference/gen_training.py (PyTorch loss curves of 100 full-batch
 * steps from fixed weights) and test/reference/gen_safetensors.py (files written by PyTorch and
 * its outputs). fit runs on js and cpu; a webgpu smoke run is skipped, with the reason
 * printed, when no adapter exists, unless TENSILE_REQUIRE_WEBGPU=1.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tn from '../lib/index.js';
import { compareArrays } from './fixture.js';
import { runDemo } from '../lib/cli/demo.js';

type T = tn.Tensor;
interface FxT { dtype: 'float32' | 'int32'; shape: number[]; data: number[] }
interface Case {
  name: string;
  layers: { units: number; activation: string; inputDim: number }[];
  optimizer: { type: string } & Record<string, unknown>;
  loss: tn.nn.LossName;
  metrics: tn.nn.MetricSpec[];
  state: Record<string, FxT>;
  x: FxT;
  y: FxT;
  losses: number[];
  final: Record<string, FxT>;
}

const FIX = join(__dirname, 'fixtures');
const training = JSON.parse(readFileSync(join(FIX, 'training.json'), 'utf8')) as { cases: Case[]; steps: number };
const stFix = JSON.parse(readFileSync(join(FIX, 'safetensors.json'), 'utf8'));
const devices = tn.availableDevices().filter((d) => d === 'js' || d === 'cpu');
if (process.env.TENSILE_REQUIRE_NATIVE === '1' && !devices.includes('cpu')) {
  throw new Error('TENSILE_REQUIRE_NATIVE=1, but the native cpu backend is not available');
}

const fx = (f: FxT, device?: tn.DeviceName): T => tn.tensor(f.data, { dtype: f.dtype, shape: f.shape, device });
const stateOf = (s: Record<string, FxT>, device?: tn.DeviceName) => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, fx(v, device)]));
const silent = { verbose: 0 as const };

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, rtol: number, atol: number, what: string): void {
  const err = compareArrays(got, want, rtol, atol);
  if (err) throw new Error(`${what}: ${err}`);
}

function modelOf(c: Case, device: tn.DeviceName): tn.nn.Sequential {
  return new tn.nn.Sequential(...c.layers.map((l) => new tn.nn.Dense(l.units, { activation: l.activation as tn.nn.ActivationName, inputDim: l.inputDim, device })));
}

/** A seeded iris MLP (Dense 16 relu → Dense 3 softmax) on a device, weights from one seed. */
function irisModel(device: tn.DeviceName): tn.nn.Sequential {
  const m = new tn.nn.Sequential(
    new tn.nn.Dense(16, { activation: 'relu', inputDim: 4, device }),
    new tn.nn.Dense(3, { activation: 'softmax', inputDim: 16, device }),
  );
  m.loadStateDict({
    '0.weight': tn.rand([16, 4], { seed: 11 }).sub(0.5), '0.bias': tn.zeros([16]),
    '1.weight': tn.rand([3, 16], { seed: 12 }).sub(0.5).mul(0.8), '1.bias': tn.zeros([3]),
  });
  return m;
}

/** Iris with features scaled to about unit range (fit itself does not scale). */
function iris(device: tn.DeviceName = 'cpu'): { x: T; y: T } {
  const { data, target } = tn.data.loadIris();
  return { x: data.div(8).to(device), y: target.to(device) };
}

class Sink {
  text = '';
  constructor(readonly isTTY = false) {}
  write(s: string): boolean { this.text += s; return true; }
  get lines(): string[] { return this.text.split('\n').filter((l) => l !== ''); }
}

describe.each(devices)('fit matches PyTorch loss curves (%s)', (device) => {
  test.each(training.cases.map((c) => [c.name, c] as const))('%s: 100 full-batch steps', async (_n, c) => {
    const model = modelOf(c, device);
    model.loadStateDict(stateOf(c.state));
    model.compile({ optimizer: c.optimizer as tn.nn.OptimizerSpec, loss: c.loss, metrics: c.metrics });
    const x = fx(c.x, device), y = fx(c.y, device);
    const h = await model.fit(x, y, { epochs: training.steps, batchSize: x.shape[0], shuffle: false, ...silent });
    expect(h.epoch).toEqual([...Array(training.steps).keys()]);
    // float32 against float32 (the observed gap is below 1e-6 relative; summation orders differ).
    expectClose(h.history.loss, c.losses, 1e-5, 1e-7, `${c.name} loss curve`);
    for (const [k, p] of Object.entries(model.stateDict())) expectClose(p.dataSync(), c.final[k].data, 1e-4, 1e-5, `${c.name} final ${k}`);
    expect(Object.keys(h.history)).toEqual(['loss', ...c.metrics]);
  });
});

describe.each(devices)('fit on iris (%s)', (device) => {
  test('reaches >= 0.9 train accuracy; evaluate and predict agree', async () => {
    const { x, y } = iris(device);
    const model = irisModel(device);
    model.compile({ optimizer: { type: 'adam', lr: 0.02 }, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const h = await model.fit(x, y, { epochs: 40, batchSize: 16, seed: 1, ...silent });
    const ev = await model.evaluate(x, y);
    expect(ev.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(h.history.loss[h.history.loss.length - 1]).toBeLessThan(h.history.loss[0]);
    const pred = model.predict(x, { batchSize: 7 });
    expect(pred.shape).toEqual([150, 3]);
    expectClose(pred.dataSync(), model.predict(x, { batchSize: 1000 }).dataSync(), 1e-6, 1e-7, 'batched predict');
    const acc = tn.tidy(() => pred.argmax(-1).eq(y).cast('float32').mean().itemSync()) as number;
    expect(acc).toBeCloseTo(ev.accuracy, 6);
    expect(ev.loss).toBeCloseTo(tn.tidy(() => tn.losses.nll(pred.log(), y).itemSync()) as number, 4);
  });
});

describe('History, callbacks and options', () => {
  const { x, y } = iris();

  test('History holds one value per epoch for loss, metrics and their val_ versions', async () => {
    const model = irisModel('cpu');
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy', 'top2'] });
    const h = await model.fit(x, y, { epochs: 3, batchSize: 32, validationSplit: 0.2, seed: 0, ...silent });
    expect(h).toBeInstanceOf(tn.nn.History);
    expect(h.epoch).toEqual([0, 1, 2]);
    expect(Object.keys(h.history)).toEqual(['loss', 'accuracy', 'top2', 'val_loss', 'val_accuracy', 'val_top2']);
    for (const v of Object.values(h.history)) expect(v).toHaveLength(3);
    expect(h.params).toEqual({ epochs: 3, steps: 4, samples: 120, batchSize: 32, verbose: 0 });
    // Keras holds out the last samples: iris's last 30 are all class 2.
    const ev = await model.evaluate(x.slice([120, 150]), y.slice([120, 150]));
    expect(ev.loss).toBeCloseTo(h.history.val_loss[2], 5);
    expect(ev.accuracy).toBeCloseTo(h.history.val_accuracy[2], 6);
  });

  test('validationData, plain-object hooks in order, and stopTraining', async () => {
    const model = irisModel('cpu');
    model.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    const events: string[] = [];
    const h = await model.fit(x, y, {
      epochs: 5, batchSize: 50, validationData: [x.slice([0, 30]), y.slice([0, 30])], ...silent,
      callbacks: [{
        onTrainBegin: () => { events.push('begin'); },
        onEpochBegin: (e) => { events.push(`e${e}`); },
        onBatchEnd: (b, logs) => { events.push(`b${b}:${logs.size}`); expect(typeof logs.loss).toBe('number'); },
        onEpochEnd: async (e, logs, ctx) => {
          events.push(`end${e}`);
          expect(Object.keys(logs)).toEqual(['loss', 'val_loss']);
          if (e === 1) ctx.model.stopTraining = true;
        },
        onTrainEnd: () => { events.push('done'); },
      }],
    });
    expect(events).toEqual(['begin', 'e0', 'b0:50', 'b1:50', 'b2:50', 'end0', 'e1', 'b0:50', 'b1:50', 'b2:50', 'end1', 'done']);
    expect(h.epoch).toEqual([0, 1]);
  });

  test('shuffle with a seed repeats exactly; without shuffle the order is fixed', async () => {
    const run = async (opts: tn.nn.FitOptions) => {
      const m = irisModel('cpu');
      m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
      return (await m.fit(x, y, { epochs: 2, batchSize: 16, ...silent, ...opts })).history.loss;
    };
    expect(await run({ seed: 5 })).toEqual(await run({ seed: 5 }));
    expect(await run({ seed: 5 })).not.toEqual(await run({ seed: 6 }));
    expect(await run({ shuffle: false })).toEqual(await run({ shuffle: false }));
  });

  test('earlyStopping stops after patience epochs without improvement and restores the best weights', async () => {
    const model = irisModel('cpu');
    model.compile({ optimizer: { type: 'sgd', lr: 0.05 }, loss: 'sparseCategoricalCrossentropy' });
    // minDelta larger than any change: epoch 0 sets the best, nothing improves after it.
    const es = tn.nn.callbacks.earlyStopping({ monitor: 'loss', patience: 2, minDelta: 100, restoreBestWeights: true });
    const weights: Float32Array[] = [];
    const h = await model.fit(x, y, {
      epochs: 10, batchSize: 50, seed: 0, ...silent,
      callbacks: [{ onEpochEnd: (_e, _l, ctx) => { weights.push(Float32Array.from(ctx.model.stateDict()['0.weight'].dataSync())); } }, es],
    });
    expect(h.epoch).toEqual([0, 1, 2]);
    expect(es.stoppedEpoch).toBe(2);
    expect(es.bestEpoch).toBe(0);
    expect(Array.from(model.stateDict()['0.weight'].dataSync())).toEqual(Array.from(weights[0]));
  });

  test('earlyStopping follows Keras: improvements reset the wait, max mode for accuracy, missing monitor throws', () => {
    const fake = { stateDict: () => ({}), loadStateDict: () => ({}) } as unknown as tn.nn.AnyModule;
    const ctx = { model: fake, params: { epochs: 10, steps: 1, samples: 1, batchSize: 1, verbose: 0 as const } };
    const drive = (cb: tn.nn.callbacks.Callback, values: number[], key = 'val_loss') => {
      fake.stopTraining = false;
      cb.onTrainBegin!({}, ctx);
      for (let e = 0; e < values.length; e++) {
        cb.onEpochEnd!(e, { [key]: values[e] }, ctx);
        if (fake.stopTraining) return e;
      }
      return -1;
    };
    expect(drive(tn.nn.callbacks.earlyStopping({ patience: 2 }), [1, 0.9, 0.95, 0.8, 0.85, 0.86, 0.7])).toBe(5);
    expect(drive(tn.nn.callbacks.earlyStopping({ patience: 0 }), [1, 0.9, 0.95])).toBe(2);
    expect(drive(tn.nn.callbacks.earlyStopping({ patience: 1, minDelta: 0.2 }), [1, 0.9, 0.85])).toBe(1);
    expect(drive(tn.nn.callbacks.earlyStopping({ monitor: 'val_accuracy', patience: 0 }), [0.5, 0.6, 0.55], 'val_accuracy')).toBe(2);
    expect(drive(tn.nn.callbacks.earlyStopping({ patience: 5, baseline: 0.5 }), [1, 0.9, 0.8, 0.7, 0.6, 0.55])).toBe(4);
    expect(() => drive(tn.nn.callbacks.earlyStopping(), [1], 'loss')).toThrow(/monitors 'val_loss', which is not in the epoch's logs: loss \(validation metrics need validationData or validationSplit\)/);
  });

  test('modelCheckpoint saves each epoch or only the best; the path takes {epoch}', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tensile-ckpt-'));
    try {
      expect(tn.nn.callbacks.checkpointPath('m-{epoch:03d}.safetensors', 7)).toBe('m-007.safetensors');
      const model = irisModel('cpu');
      model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
      const every = tn.nn.callbacks.modelCheckpoint({ path: join(dir, 'e{epoch}.safetensors') });
      const best = tn.nn.callbacks.modelCheckpoint({ path: join(dir, 'best.safetensors'), monitor: 'loss', saveBestOnly: true, saveOptimizer: true });
      const h = await model.fit(x, y, { epochs: 3, batchSize: 32, seed: 0, callbacks: [every, best], ...silent });
      expect(every.saved).toEqual([1, 2, 3].map((e) => join(dir, `e${e}.safetensors`)));
      expect(best.best).toBe(Math.min(...h.history.loss));
      const again = await tn.io.load(join(dir, 'e3.safetensors'));
      expectClose(again.predict(x).dataSync(), model.predict(x).dataSync(), 0, 0, 'checkpoint of the last epoch');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('custom loss and metric functions, categorical labels, fromLogits', async () => {
    const logits = new tn.nn.Sequential(new tn.nn.Linear(4, 3));
    logits.loadStateDict({ '0.weight': tn.rand([3, 4], { seed: 3 }).sub(0.5), '0.bias': tn.zeros([3]) });
    const yHot = tn.data.oneHot(y, 3);
    const meanLogit = function meanLogit(p: T) { return p.mean(); };
    logits.compile({ optimizer: { type: 'adam', lr: 0.05 }, loss: 'categoricalCrossentropy', fromLogits: true, metrics: ['accuracy', meanLogit] });
    const h = await logits.fit(x, yHot, { epochs: 30, batchSize: 30, seed: 0, ...silent });
    expect(Object.keys(h.history)).toEqual(['loss', 'accuracy', 'meanLogit']);
    expect(h.history.accuracy[29]).toBeGreaterThan(0.7);
    // A function loss sees the model's output and the target as given.
    const custom = new tn.nn.Sequential(new tn.nn.Linear(4, 3));
    custom.loadStateDict(logits.stateDict());
    custom.compile({ optimizer: 'sgd', loss: (p, t) => tn.losses.crossEntropy(p, t) });
    const a = await custom.evaluate(x, y);
    const b = await logits.evaluate(x, yHot);
    expect(a.loss).toBeCloseTo(b.loss, 5);
  });

  test('the pre-activation is used only for its own loss: a sigmoid head under softmax cross-entropy uses probabilities', async () => {
    const m = new tn.nn.Sequential(new tn.nn.Dense(3, { activation: 'sigmoid', inputDim: 4 }));
    m.loadStateDict({ '0.weight': tn.rand([3, 4], { seed: 4 }).sub(0.5), '0.bias': tn.zeros([3]) });
    m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    const p = m.predict(x);
    const keras = tn.tidy(() => tn.losses.nll(p.clamp(1e-7, 1 - 1e-7).log(), y).itemSync()) as number;
    expect((await m.evaluate(x, y)).loss).toBeCloseTo(keras, 5);
    const soft = new tn.nn.Sequential(new tn.nn.Dense(3, { activation: 'softmax', inputDim: 4 }));
    soft.loadStateDict(m.stateDict());
    soft.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    const logits = tn.tidy(() => tn.losses.crossEntropy(x.matmul(soft.stateDict()['0.weight'].T), y).itemSync()) as number;
    expect((await soft.evaluate(x, y)).loss).toBeCloseTo(logits, 5);
  });

  test('JS arrays as x and y; binary and regression heads', async () => {
    const xs = [[0, 0], [0, 1], [1, 0], [1, 1], [0.2, 0.1], [0.9, 0.8], [0.1, 0.9], [0.8, 0.2]];
    const ys = xs.map(([a, b]) => (a + b > 1 ? 1 : 0));
    const clf = new tn.nn.Sequential(new tn.nn.Dense(1, { activation: 'sigmoid', inputDim: 2 }));
    clf.compile({ optimizer: { type: 'adam', lr: 0.1 }, loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const h = await clf.fit(xs, ys, { epochs: 60, batchSize: 8, ...silent });
    expect(h.history.accuracy[59]).toBe(1);
    const reg = new tn.nn.Sequential(new tn.nn.Dense(1, { inputDim: 2 }));
    reg.compile({ optimizer: { type: 'sgd', lr: 0.2 }, loss: 'mse', metrics: ['mae'] });
    const hr = await reg.fit(xs, xs.map(([a, b]) => 2 * a - b), { epochs: 200, batchSize: 8, ...silent });
    expect(hr.history.loss[199]).toBeLessThan(1e-3);
    expect(hr.history.mae[199]).toBeLessThan(0.03);
  });
});

describe('progress output', () => {
  const { x, y } = iris();
  const fitWith = async (opts: tn.nn.FitOptions) => {
    const model = irisModel('cpu');
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    await model.fit(x, y, { epochs: 3, batchSize: 32, seed: 0, ...opts });
  };

  test('not a TTY: one line per epoch with the loss and metrics', async () => {
    const sink = new Sink(false);
    await fitWith({ stream: sink, validationSplit: 0.2 });
    expect(sink.lines).toHaveLength(3);
    sink.lines.forEach((l, i) => {
      expect(l).toMatch(new RegExp(`^Epoch ${i + 1}/3 - 4/4 - [0-9.]+s \\([0-9.]+ ms/batch\\) - loss: \\d\\.\\d{4} - accuracy: \\d\\.\\d{4} - val_loss: \\d\\.\\d{4} - val_accuracy: \\d\\.\\d{4}$`));
    });
    expect(sink.text).not.toMatch(/\u001b/);
  });

  test('the default stream is stdout; verbose 0 is silent; verbose 2 prints lines on a TTY', async () => {
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      await fitWith({ verbose: 1 });
      const written = spy.mock.calls.map((c) => String(c[0])).join('');
      expect(process.stdout.isTTY ? written.length > 0 : written.split('\n').filter(Boolean).length === 3).toBe(true);
      spy.mockClear();
      await fitWith({ verbose: 0 });
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
    const tty = new Sink(true);
    await fitWith({ verbose: 2, stream: tty });
    expect(tty.lines).toHaveLength(3);
  });

  test('a TTY gets a cli-progress bar with the loss, the rate and the ETA', async () => {
    const tty = new Sink(true);
    await fitWith({ stream: tty });
    expect(tty.text).toMatch(/\u001b/);
    expect(tty.text).toMatch(/Epoch 3\/3 [█░]+ 5\/5 \| loss: \d\.\d{4} - accuracy: \d\.\d{4} \| [0-9.]+s, [0-9.]+ ms\/batch \| ETA/);
    expect(tty.text).toMatch(/batch\/s|ETA 0s/);
  });
});

describe('bad input', () => {
  const { x, y } = iris();
  const compiled = () => {
    const m = irisModel('cpu');
    m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    return m;
  };

  test('labels out of range name the label and the class count', async () => {
    const bad = y.add(1).cast('int32');
    await expect(compiled().fit(x, bad, silent)).rejects.toThrow(/fit: label 3 \(sample 100\) is out of range for 3 classes/);
    await expect(compiled().evaluate(x, tn.full([150], 0.5))).rejects.toThrow(/label 0.5 \(sample 0\) is not an integer class index for 3 classes/);
    await expect(compiled().fit(x, tn.data.oneHot(y, 3), silent)).rejects.toThrow(/one-hot labels: use loss 'categoricalCrossentropy'/);
  });

  test('x and y with different sample counts', async () => {
    await expect(compiled().fit(x, y.slice([0, 149]), silent)).rejects.toThrow(/fit: 'x' has 150 samples \(shape \[150,4\]\) but 'y' has 149/);
    await expect(compiled().fit(x.slice([0, 10]), Array.from({ length: 12 }, () => 0), silent)).rejects.toThrow(/'x' has 10 samples .* but 'y' has 12/);
  });

  test('NaN loss stops fit naming the epoch and batch, unless terminateOnNaN is false', async () => {
    const poisoned = tn.tidy(() => tn.where(tn.arange(150).eq(25).unsqueeze(1), NaN, x));
    const m = compiled();
    await expect(m.fit(poisoned, y, { epochs: 2, batchSize: 10, shuffle: false, ...silent })).rejects.toThrow(
      /fit: the loss is NaN at epoch 1\/2, batch 3\/15; .*terminateOnNaN: false/);
    const h = await compiled().fit(poisoned, y, { epochs: 1, batchSize: 10, shuffle: false, terminateOnNaN: false, ...silent });
    expect(h.history.loss[0]).toBeNaN();
  });

  test('compile and fit options are checked', async () => {
    const m = irisModel('cpu');
    await expect(m.fit(x, y)).rejects.toThrow(/not compiled; call model.compile/);
    expect(() => m.compile({ optimizer: 'adamm' as 'adam', loss: 'mse' })).toThrow(/unknown optimizer 'adamm'/);
    expect(() => m.compile({ optimizer: 'adam', loss: 'crossentropy' as 'mse' })).toThrow(/option 'loss' must be one of/);
    expect(() => m.compile({ optimizer: 'adam', loss: 'mse', metrics: ['acc' as 'accuracy'] })).toThrow(/unknown metric 'acc'/);
    expect(() => m.compile({ optimizer: { type: 'adam', lr: 0.1 }, loss: 'mse', metrics: ['mae', 'mae'] })).toThrow(/appears twice/);
    m.compile({ optimizer: { type: 'adam', lrr: 0.1 }, loss: 'sparseCategoricalCrossentropy' });
    await expect(m.fit(x, y, silent)).rejects.toThrow(/Adam: unknown option 'lrr'/);
    m.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' as 'mse' });
    await expect(m.fit(x, y, { epoch: 3 } as tn.nn.FitOptions)).rejects.toThrow(/unknown option 'epoch'/);
    await expect(m.fit(x, y, { validationSplit: 1, ...silent })).rejects.toThrow(/validationSplit/);
    await expect(m.fit(x, y, { batchSize: 0, ...silent })).rejects.toThrow(/'batchSize' must be a positive integer/);
  });

  test('an LSTM in PyTorch mode inside Sequential is explained', async () => {
    const m = new tn.nn.Sequential(new tn.nn.LSTM(4, 3, { batchFirst: true }), new tn.nn.Dense(1));
    m.compile({ optimizer: 'adam', loss: 'mse' });
    await expect(m.fit(tn.zeros([2, 5, 4]), tn.zeros([2, 1]), silent)).rejects.toThrow(/returnSequences/);
  });
});

describe('webgpu training', () => {
  let unavailable: string | null = null;
  beforeAll(async () => {
    try {
      await tn.initWebGPU();
    } catch (e) {
      unavailable = (e as Error).message;
      if (process.env.TENSILE_REQUIRE_WEBGPU === '1') throw e;
      console.log(`webgpu training tests skipped: ${unavailable}`);
    }
  });

  test('a smoke run: the loss falls, matches cpu, and is read back only a few times per epoch', async () => {
    if (unavailable) return;
    const { x, y } = iris('cpu');
    const run = async (device: tn.DeviceName) => {
      const m = irisModel(device);
      m.compile({ optimizer: { type: 'adam', lr: 0.02 }, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
      const xd = x.to(device), yd = y.to(device);
      const backend = xd.backend;
      const read = backend.read.bind(backend);
      let reads = 0;
      backend.read = (s) => { reads++; return read(s); };
      try {
        const h = await m.fit(xd, yd, { epochs: 3, batchSize: 16, seed: 2, ...silent });
        return { h, reads };
      } finally {
        backend.read = read;
      }
    };
    const cpu = await run('cpu');
    const gpu = await run('webgpu');
    const loss = gpu.h.history.loss;
    expect(loss[2]).toBeLessThan(loss[0]);
    expectClose(loss, cpu.h.history.loss, 1e-4, 1e-5, 'webgpu vs cpu loss');
    expectClose(gpu.h.history.accuracy, cpu.h.history.accuracy, 0, 0.02, 'webgpu vs cpu accuracy');
    // 10 batches per epoch: 4 reads per epoch (every 3 batches and the last), one for the labels' check.
    expect(gpu.reads).toBeLessThanOrEqual(3 * 4 + 1);
  }, 60000);
});

describe('tn.io', () => {
  let dir: string;
  beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'tensile-io-')); });
  afterAll(() => { rmSync(dir, { recursive: true, force: true }); });
  const { x, y } = iris();

  test('save/load round trip: architecture, weights, compile settings and optimizer state', async () => {
    const model = new tn.nn.Sequential(
      new tn.nn.Dense(16, { activation: 'relu', inputDim: 4 }),
      new tn.nn.BatchNorm1d(16),
      new tn.nn.Dense(3, { activation: 'softmax' }),
    );
    model.compile({ optimizer: { type: 'adam', lr: 0.01 }, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    await model.fit(x, y, { epochs: 2, batchSize: 32, seed: 0, ...silent });
    const path = join(dir, 'mlp.safetensors');
    await tn.io.save(model, path, { optimizer: true });
    const again = await tn.io.load(path);
    expect(String(again)).toBe(String(model));
    expect(Array.from(again.predict(x).dataSync())).toEqual(Array.from(model.predict(x).dataSync()));
    expect(await again.evaluate(x, y)).toEqual(await model.evaluate(x, y));
    // The optimizer came back too: one more epoch gives the same weights on both.
    await model.fit(x, y, { epochs: 1, batchSize: 32, seed: 9, ...silent });
    await again.fit(x, y, { epochs: 1, batchSize: 32, seed: 9, ...silent });
    expect(Array.from(again.predict(x).dataSync())).toEqual(Array.from(model.predict(x).dataSync()));
    // Weights only, into a model built in code.
    const sd = await tn.io.loadStateDict(path);
    expect(Object.keys(sd)).toEqual(Object.keys(model.stateDict()));
  });

  test('an Embedding + LSTM + Dense model round trips', async () => {
    const model = new tn.nn.Sequential(
      new tn.nn.Embedding(20, 6, { paddingIdx: 0 }),
      new tn.nn.LSTM(6, 5, { batchFirst: true, returnSequences: false }),
      new tn.nn.Dropout(0.2, { seed: 1 }),
      new tn.nn.Dense(1, { activation: 'sigmoid' }),
    );
    const ids = tn.randint(0, 20, [4, 7], { seed: 1 });
    const before = model.predict(ids);
    const path = join(dir, 'lstm.safetensors');
    await tn.io.save(model, path);
    const again = await tn.io.load(path);
    expect(Array.from(again.predict(ids).dataSync())).toEqual(Array.from(before.dataSync()));
  });

  test('a file PyTorch wrote loads by name into the equivalent model with identical outputs', async () => {
    const mlp = new tn.nn.Sequential(new tn.nn.Linear(4, 16), new tn.nn.BatchNorm1d(16), new tn.nn.ReLU(), new tn.nn.Linear(16, 3));
    const sd = await tn.io.loadStateDict(join(FIX, stFix.mlp.file));
    expect(Object.keys(sd)).toEqual(stFix.mlp.keys);
    expect(sd['1.num_batches_tracked'].dtype).toBe('int32'); // int64 in PyTorch
    mlp.loadStateDict(sd);
    expectClose(mlp.predict(fx(stFix.mlp.x)).dataSync(), stFix.mlp.expected.data, 1e-5, 1e-6, 'torch MLP');

    const text = new tn.nn.Sequential({
      emb: new tn.nn.Embedding(50, 8, { paddingIdx: 0 }),
      lstm: new tn.nn.LSTM(8, 12, { numLayers: 2, batchFirst: true, returnSequences: false }),
      fc: new tn.nn.Linear(12, 1),
      act: new tn.nn.Sigmoid(),
    });
    text.loadStateDict(await tn.io.loadStateDict(join(FIX, stFix.lstm.file)));
    expectClose(text.predict(fx(stFix.lstm.x)).dataSync(), stFix.lstm.expected.data, 1e-5, 1e-6, 'torch LSTM');
  });

  test('every safetensors dtype reads (halves to float32, integers to int32)', async () => {
    const { tensors, metadata } = await tn.io.readSafetensors(join(FIX, stFix.dtypes.file));
    expect(metadata).toEqual({ format: 'pt', note: 'dtype coverage' });
    const want: Record<string, tn.DType> = { F64: 'float64', F32: 'float32', F16: 'float32', BF16: 'float32', BOOL: 'bool' };
    for (const [k, v] of Object.entries(stFix.dtypes.values as Record<string, { dtype: string; shape: number[]; data: number[] }>)) {
      const t = tensors[k];
      expect({ k, dtype: t.dtype, shape: [...t.shape] }).toEqual({ k, dtype: want[v.dtype] ?? 'int32', shape: v.shape });
      expect(Array.from(t.dataSync())).toEqual(v.data);
    }
  });

  test('writeSafetensors output parses as the format says (header, padding, offsets)', async () => {
    const path = join(dir, 'raw.safetensors');
    await tn.io.writeSafetensors(path, { a: tn.tensor([[1, 2], [3, 4]]), b: tn.tensor([7], { dtype: 'int32' }) }, { k: 'v' });
    const buf = readFileSync(path);
    const n = Number(buf.readBigUInt64LE(0));
    expect((8 + n) % 8).toBe(0);
    const header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8'));
    expect(header).toEqual({
      __metadata__: { k: 'v' },
      a: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] },
      b: { dtype: 'I32', shape: [1], data_offsets: [16, 20] },
    });
    expect(Array.from(new Float32Array(buf.buffer.slice(buf.byteOffset + 8 + n, buf.byteOffset + 8 + n + 16)))).toEqual([1, 2, 3, 4]);
  });

  test('wrong and corrupt files give TensileErrors', async () => {
    const good = readFileSync(join(FIX, stFix.mlp.file));
    const write = (name: string, bytes: Uint8Array | string) => { const p = join(dir, name); writeFileSync(p, bytes); return p; };
    const n = Number(good.readBigUInt64LE(0));
    const withHeader = (h: string) => { const b = Buffer.alloc(8 + h.length); b.writeBigUInt64LE(BigInt(h.length)); b.write(h, 8); return b; };
    const cases: [string, Uint8Array | string, RegExp][] = [
      ['short', 'abc', /has 3 bytes, fewer than the 8-byte header length/],
      ['huge-header', Buffer.concat([Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]), Buffer.alloc(16)]), /header length 4294967295 exceeds the 16 bytes/],
      ['not-json', withHeader('{"a": nope}'), /header is not valid UTF-8 JSON/],
      ['array', withHeader('[1,2]'), /header is not a JSON object/],
      ['dtype', withHeader('{"a":{"dtype":"F8","shape":[1],"data_offsets":[0,1]}}'), /tensor 'a' has dtype "F8"/],
      ['offsets', withHeader('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}'), /data_offsets \[0,8\] outside the 0 data bytes/],
      ['size', Buffer.concat([withHeader('{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}'), Buffer.alloc(8)]), /needs 12 bytes but data_offsets give 8/],
      ['truncated', good.subarray(0, 8 + n + 10), /outside the 10 data bytes/],
    ];
    for (const [name, bytes, msg] of cases) {
      const p = write(`${name}.safetensors`, bytes);
      await expect(tn.io.loadStateDict(p)).rejects.toThrow(tn.TensileError);
      await expect(tn.io.loadStateDict(p)).rejects.toThrow(msg);
    }
    await expect(tn.io.load(join(dir, 'missing.safetensors'))).rejects.toThrow(/io.load: cannot read .*missing.safetensors/);
    await expect(tn.io.load(join(FIX, stFix.mlp.file))).rejects.toThrow(/holds no model architecture .* model.loadStateDict\(await tn.io.loadStateDict\(path\)\)/);
    const wrong = new tn.nn.Sequential(new tn.nn.Linear(4, 16), new tn.nn.ReLU(), new tn.nn.Linear(16, 3));
    await expect((async () => wrong.loadStateDict(await tn.io.loadStateDict(join(FIX, stFix.mlp.file))))()).rejects.toThrow(/unexpected keys: '1.weight'/);
    class Custom extends tn.nn.Module { forward(t: T) { return t; } }
    const withCustom = new tn.nn.Sequential(new tn.nn.Linear(2, 2), new Custom());
    const p = join(dir, 'custom.safetensors');
    await tn.io.save(withCustom, p);
    await expect(tn.io.load(p)).rejects.toThrow(/cannot describe layer '1' \(Custom\)/);
    expect(existsSync(p)).toBe(true);
  });
});

describe('tn.data helpers', () => {
  test('padSequences: Keras semantics for padding, truncating, value and maxLen', () => {
    const seqs = [[1, 2, 3], [4], [], [5, 6, 7, 8, 9]];
    expect(tn.data.padSequences(seqs).arraySync()).toEqual([[0, 0, 1, 2, 3], [0, 0, 0, 0, 4], [0, 0, 0, 0, 0], [5, 6, 7, 8, 9]]);
    expect(tn.data.padSequences(seqs, { maxLen: 3 }).arraySync()).toEqual([[1, 2, 3], [0, 0, 4], [0, 0, 0], [7, 8, 9]]);
    expect(tn.data.padSequences(seqs, { maxLen: 3, padding: 'post', truncating: 'post', value: -1 }).arraySync()).toEqual([[1, 2, 3], [4, -1, -1], [-1, -1, -1], [5, 6, 7]]);
    expect(tn.data.padSequences(seqs, { maxLen: 2, truncating: 'post' }).arraySync()).toEqual([[1, 2], [0, 4], [0, 0], [5, 6]]);
    const t = tn.data.padSequences([[1.5]], { dtype: 'float32', maxLen: 2 });
    expect([t.dtype, t.arraySync()]).toEqual(['float32', [[0, 1.5]]]);
    expect(tn.data.padSequences([], { maxLen: 4 }).shape).toEqual([0, 4]);
    expect(() => tn.data.padSequences(seqs, { padding: 'middle' as 'pre' })).toThrow(/option 'padding' must be 'pre' or 'post'/);
    expect(() => tn.data.padSequences([[1, 'a' as unknown as number]])).toThrow(/sequence 0 holds a non-number at position 1/);
  });

  test('Tokenizer: Keras word index, numWords, oovToken and filters', () => {
    const texts = ['The cat sat on the mat.', 'The dog ate my homework!'];
    const tok = new tn.data.Tokenizer().fitOnTexts(texts);
    expect([...tok.wordIndex]).toEqual([['the', 1], ['cat', 2], ['sat', 3], ['on', 4], ['mat', 5], ['dog', 6], ['ate', 7], ['my', 8], ['homework', 9]]);
    expect(tok.wordCounts.get('the')).toBe(3);
    expect(tok.wordDocs.get('the')).toBe(2);
    expect(tok.documentCount).toBe(2);
    expect(tok.textsToSequences(['the fish ate the mat'])).toEqual([[1, 7, 1, 5]]);
    const oov = new tn.data.Tokenizer({ numWords: 4, oovToken: '<OOV>' }).fitOnTexts(texts);
    expect(oov.wordIndex.get('<OOV>')).toBe(1);
    expect(oov.wordIndex.get('the')).toBe(2);
    // Indices >= numWords and unknown words map to the OOV index.
    expect(oov.textsToSequences(['the cat ate the fish'])).toEqual([[2, 3, 1, 2, 1]]);
    expect(oov.sequencesToTexts([[2, 3, 1, 9]])).toEqual(['the cat <OOV> <OOV>']);
    expect(new tn.data.Tokenizer({ lower: false, filters: '' }).tokenize('A b,c  d')).toEqual(['A', 'b,c', 'd']);
    expect(new tn.data.Tokenizer({ charLevel: true }).fitOnTexts(['aab']).textsToSequences(['ba'])).toEqual([[2, 1]]);
    const back = tn.data.Tokenizer.fromJSON(JSON.parse(JSON.stringify(oov)));
    expect([...back.wordIndex]).toEqual([...oov.wordIndex]);
    expect(() => new tn.data.Tokenizer({ numWords: 0 })).toThrow(/numWords/);
  });

  test('oneHot: rows of zeros and a one, any index shape, out-of-range indices throw', () => {
    expect(tn.data.oneHot([0, 2], 3).arraySync()).toEqual([[1, 0, 0], [0, 0, 1]]);
    const t = tn.data.oneHot(tn.tensor([[1, 0], [2, 2]], { dtype: 'int32' }));
    expect([t.dtype, t.shape]).toEqual(['float32', [2, 2, 3]]);
    expect(() => tn.data.oneHot([0, 3], 3)).toThrow(/oneHot: index 3 at flat position 1 is outside \[0, 3\)/);
    expect(() => tn.data.oneHot([-1], 3)).toThrow(/index -1/);
  });

  test('batches: every sample once per epoch, seeded orders repeat, epochs differ', () => {
    const x = tn.arange(10).cast('float32').reshape([10, 1]);
    const y = tn.arange(10);
    const epoch = (it: Iterable<[T, T | null]>) => [...it].map(([xb, yb]) => {
      expect(Array.from(xb.dataSync())).toEqual(Array.from(yb!.dataSync()));
      return Array.from(yb!.dataSync());
    });
    expect(epoch(tn.data.batches(x, y, { batchSize: 4 }))).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
    expect(epoch(tn.data.batches(x, y, { batchSize: 4, dropRemainder: true }))).toEqual([[0, 1, 2, 3], [4, 5, 6, 7]]);
    const it = tn.data.batches(x, y, { batchSize: 3, shuffle: true, seed: 7 });
    const e1 = epoch(it), e2 = epoch(it);
    expect(e1.flat().sort((a, b) => a - b)).toEqual([...Array(10).keys()]);
    expect(e2.flat().sort((a, b) => a - b)).toEqual([...Array(10).keys()]);
    expect(e1.map((b) => b.length)).toEqual([3, 3, 3, 1]);
    expect(e1).not.toEqual(e2);
    expect(epoch(tn.data.batches(x, y, { batchSize: 3, shuffle: true, seed: 7 }))).toEqual(e1);
    const [[xb, none]] = [...tn.data.batches(x, null, { batchSize: 20 })];
    expect([xb.shape, none]).toEqual([[10, 1], null]);
    expect(() => tn.data.batches(x, y.slice([0, 9]))).toThrow(/'x' has 10 samples .* but 'y' has 9/);
    expect(() => tn.data.batches(x, y, { batchSize: 0 })).toThrow(/batchSize/);
  });

  test('batches and fit see the same seeded order', async () => {
    const x = tn.arange(12).cast('float32').reshape([12, 1]);
    const seen: number[][] = [];
    class Recorder extends tn.nn.Module {
      w = this.registerParameter('w', tn.ones([1, 1]))!;
      forward(t: T) { if (this.training) seen.push(Array.from(t.dataSync())); return t.matmul(this.w); }
    }
    const m = new Recorder();
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    await m.fit(x, x, { epochs: 2, batchSize: 5, seed: 3, ...silent });
    const it = tn.data.batches(x, null, { batchSize: 5, shuffle: true, seed: 3 });
    const want = [...[...it], ...[...it]].map(([xb]) => Array.from(xb.dataSync()));
    expect(seen).toEqual(want);
  });
});

describe('tensile demo', () => {
  test('--quick trains the digits MLP and prints the test accuracy', async () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => {});
    const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(await runDemo({ device: 'cpu', quick: true })).toBe(0);
      const printed = log.mock.calls.map((c) => String(c[0])).join('\n');
      const m = /test accuracy (0\.\d{4}) \(test loss \d\.\d{4}\), trained in [0-9.]+s/.exec(printed);
      expect(m).not.toBeNull();
      expect(Number(m![1])).toBeGreaterThan(0.85);
      expect(await runDemo({ device: 'gpu' })).toBe(1);
    } finally {
      log.mockRestore();
      out.mockRestore();
    }
  });
});

describe('memory', () => {
  test('fit, evaluate and predict leave no tensors behind', async () => {
    const { x, y } = iris();
    const model = irisModel('cpu');
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy', 'top2'] });
    await model.fit(x, y, { epochs: 1, batchSize: 32, validationSplit: 0.2, ...silent });
    await model.evaluate(x, y);
    model.predict(x).dispose();
    const before = tn.memory().numTensors;
    await model.fit(x, y, { epochs: 2, batchSize: 32, validationSplit: 0.2, ...silent });
    await model.evaluate(x, y);
    model.predict(x).dispose();
    expect(tn.memory().numTensors).toBe(before);
  });
});

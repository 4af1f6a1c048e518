/**
 * tn.losses: every loss and its gradients against PyTorch (test/reference/gen_losses.py writes
 * test/fixtures/losses.json), float64 finite-difference gradient checks, and bad input, on
 * every available device.
 */
import * as tn from '../lib/index.js';
import { type FixtureRecord, type FixtureTensor, compareArrays, decode, fixtureTensor, loadFixture } from './fixture.js';
import { gradcheck, gradgradcheck } from './gradcheck.js';

type Any = any;
type LossFn = (input: tn.Tensor, target: tn.TensorLike, opts?: Any) => tn.Tensor;

const LOSSES: Record<string, LossFn> = {
  mse: tn.losses.mse, l1: tn.losses.l1, huber: tn.losses.huber,
  binaryCrossEntropy: tn.losses.binaryCrossEntropy, bceWithLogits: tn.losses.bceWithLogits,
  crossEntropy: tn.losses.crossEntropy, nll: tn.losses.nll, klDiv: tn.losses.klDiv,
  hinge: tn.losses.hinge, squaredHinge: tn.losses.squaredHinge,
};

// float32: torch and tensile round differently inside log-softmax and reductions (tensile
// accumulates in float64), so a few ulps of the largest term.
const TOL: Record<string, { rtol: number; atol: number }> = {
  float32: { rtol: 1e-5, atol: 1e-6 },
  float64: { rtol: 1e-12, atol: 1e-14 },
};

const { records } = loadFixture('losses.json');
const devices = tn.availableDevices();

async function expectClose(what: string, t: tn.Tensor | null, want: FixtureTensor, tol: { rtol: number; atol: number }): Promise<void> {
  if (t === null) throw new Error(`${what}: no gradient was computed`);
  expect({ what, dtype: t.dtype, shape: [...t.shape] }).toEqual({ what, dtype: want.dtype, shape: want.shape });
  const err = compareArrays(await t.data(), want.data.map(decode), tol.rtol, tol.atol);
  if (err) throw new Error(`${what} differs at ${err}`);
}

/** Builds the call of one fixture record on a device: [input, target, options]. */
function setUp(r: FixtureRecord, device: tn.DeviceName): { input: tn.Tensor; target: tn.Tensor; opts: Any; gradOutput: tn.Tensor | null } {
  const args = r.attrs.args as string[];
  const ts = new Map(args.map((name, i) => [name, fixtureTensor(r.inputs[i], device)]));
  const opts: Any = { ...(r.attrs.options as object) };
  for (const k of ['weight', 'posWeight']) if (ts.has(k)) opts[k] = ts.get(k);
  const g = r.attrs.gradOutput as FixtureTensor | undefined;
  return { input: ts.get('input')!, target: ts.get('target')!, opts, gradOutput: g ? fixtureTensor(g, device) : null };
}

describe.each(devices)('tn.losses on %s', (device) => {
  beforeAll(() => tn.setDefaultDevice(device));

  describe('against PyTorch (value, input.grad, target.grad)', () => {
    test.each(records.map((r) => [r.name, r] as const))('%s', async (_name, r) => {
      const { input, target, opts, gradOutput } = setUp(r, device);
      const expected = r.expected as FixtureTensor[];
      input.requiresGrad_();
      if (expected.length > 2) target.requiresGrad_();
      const tol = { ...TOL[input.dtype], ...r.tol };
      const out = LOSSES[r.op](input, target, opts);
      await expectClose('loss', out, expected[0], tol);
      if (gradOutput) out.backward(gradOutput);
      else out.backward();
      await expectClose('input.grad', input.grad, expected[1], tol);
      if (expected.length > 2) await expectClose('target.grad', target.grad, expected[2], tol);
    });
  });

  describe('gradcheck (float64 central differences)', () => {
    const f64 = (shape: number[], seed: number, lo = -2, hi = 2) =>
      tn.rand(shape, { dtype: 'float64', seed, device }).mul(hi - lo).add(lo);
    const labels = (values: number[], shape = [values.length]) => tn.tensor(values, { dtype: 'int32', shape, device });
    const probs = (shape: number[], seed: number, axis: number) => tn.softmax(f64(shape, seed), axis);
    const signs = (shape: number[], seed: number) => tn.sign(f64(shape, seed)).add(tn.eq(f64(shape, seed), 0).cast('float64'));

    const cases: [string, tn.Tensor[], (...xs: tn.Tensor[]) => tn.Tensor][] = [];
    for (const reduction of ['mean', 'none'] as const) {
      cases.push(
        [`mse/${reduction}`, [f64([3, 4], 1), f64([3, 4], 2)], (x, t) => tn.losses.mse(x, t, { reduction })],
        [`l1/${reduction}`, [f64([3, 4], 3), f64([3, 4], 4)], (x, t) => tn.losses.l1(x, t, { reduction })],
        [`huber/${reduction}`, [f64([3, 4], 5, -3, 3), f64([3, 4], 6)], (x, t) => tn.losses.huber(x, t, { reduction, delta: 0.7 })],
        [`binaryCrossEntropy/${reduction}`, [f64([2, 3], 7, 0.05, 0.95), f64([2, 3], 8, 0, 1), f64([3], 9, 0.5, 2)],
          (x, t, w) => tn.losses.binaryCrossEntropy(x, t, { reduction, weight: w })],
        [`bceWithLogits/${reduction}`, [f64([2, 3], 10, -4, 4), f64([2, 3], 11, 0, 1)], (x, t) => tn.losses.bceWithLogits(x, t, { reduction })],
        [`bceWithLogits/weight+posWeight/${reduction}`, [f64([2, 3], 12, -4, 4), f64([2, 3], 13, 0, 1), f64([3], 14, 0.5, 2), f64([3], 15, 0.5, 3)],
          (x, t, w, pw) => tn.losses.bceWithLogits(x, t, { reduction, weight: w, posWeight: pw })],
        [`crossEntropy/${reduction}`, [f64([4, 3], 16, -3, 3), labels([0, 2, 1, 2])], (x, t) => tn.losses.crossEntropy(x, t, { reduction })],
        [`crossEntropy/weight+ignoreIndex+labelSmoothing/${reduction}`, [f64([4, 3], 17, -3, 3), labels([0, -100, 1, 2]), f64([3], 18, 0.5, 2)],
          (x, t, w) => tn.losses.crossEntropy(x, t, { reduction, weight: w, labelSmoothing: 0.2 })],
        [`crossEntropy/spatial/${reduction}`, [f64([2, 3, 2, 2], 19, -3, 3), labels([0, 1, 2, 1, -100, 0, 2, 2], [2, 2, 2])],
          (x, t) => tn.losses.crossEntropy(x, t, { reduction, labelSmoothing: 0.1 })],
        [`crossEntropy/probabilities/${reduction}`, [f64([3, 4], 20, -3, 3), probs([3, 4], 21, 1), f64([4], 22, 0.5, 2)],
          (x, q, w) => tn.losses.crossEntropy(x, q, { reduction, weight: w, labelSmoothing: 0.1 })],
        [`crossEntropy/unbatched/${reduction}`, [f64([5], 23, -3, 3), labels([3], [])], (x, t) => tn.losses.crossEntropy(x, t, { reduction })],
        [`nll/${reduction}`, [f64([4, 3], 24, -3, 0), labels([2, 0, -100, 1]), f64([3], 25, 0.5, 2)],
          (x, t, w) => tn.losses.nll(x, t, { reduction, weight: w })],
        [`klDiv/${reduction}`, [tn.log(probs([3, 4], 26, 1)), probs([3, 4], 27, 1)], (x, t) => tn.losses.klDiv(x, t, { reduction })],
        [`klDiv/logTarget/${reduction}`, [tn.log(probs([3, 4], 28, 1)), tn.log(probs([3, 4], 29, 1))], (x, t) => tn.losses.klDiv(x, t, { reduction, logTarget: true })],
        [`hinge/${reduction}`, [f64([3, 4], 30), signs([3, 4], 31)], (x, t) => tn.losses.hinge(x, t, { reduction })],
        [`squaredHinge/${reduction}`, [f64([3, 4], 32), signs([3, 4], 33)], (x, t) => tn.losses.squaredHinge(x, t, { reduction })],
      );
    }
    cases.push([`klDiv/batchmean`, [tn.log(probs([3, 4], 34, 1)), probs([3, 4], 35, 1)], (x, t) => tn.losses.klDiv(x, t, { reduction: 'batchmean' })]);

    test.each(cases)('%s', (name, inputs, f) => {
      expect(gradcheck(f, inputs, { name })).toBe(true);
    });

    // The backward of binaryCrossEntropy is written by hand (PyTorch's formula); the others
    // are compositions. Each must differentiate again.
    test.each(cases.filter(([n]) => /^(binaryCrossEntropy|bceWithLogits\/weight|crossEntropy\/weight|crossEntropy\/probabilities|mse|huber)/.test(n) && n.endsWith('/none')))(
      'gradgradcheck %s', (name, inputs, f) => {
        expect(gradgradcheck(f, inputs, { name })).toBe(true);
      });
  });

  describe('semantics', () => {
    const x = () => tn.tensor([[1.5, -0.3, 2.0], [0.1, 0.2, -1.0], [3.0, 3.0, -2.0], [0, 1, 2]], { device });
    test('crossEntropy takes JS arrays of labels, and matches nll of logSoftmax', () => {
      const a = tn.losses.crossEntropy(x(), [0, 2, 1, -100]).itemSync() as number;
      const b = tn.losses.crossEntropy(x(), tn.tensor([0, 2, 1, -100], { dtype: 'int32', device })).itemSync() as number;
      const c = tn.losses.nll(tn.logSoftmax(x(), 1), tn.tensor([0, 2, 1, -100], { dtype: 'int32', device })).itemSync() as number;
      expect(a).toBeCloseTo(b, 6);
      expect(a).toBeCloseTo(c, 6);
    });
    test('crossEntropy is finite and exact for logits of ±1000', () => {
      const big = tn.tensor([[1000, -1000, 0], [-1000, 1000, 1000]], { device, requiresGrad: true });
      const l = tn.losses.crossEntropy(big, tn.tensor([0, 1], { dtype: 'int32', device }), { reduction: 'none' });
      expect(Array.from(l.dataSync())).toEqual([expect.closeTo(0, 6), expect.closeTo(Math.LN2, 6)]);
      l.sum().backward();
      expect(Array.from(big.grad!.dataSync()).every(Number.isFinite)).toBe(true);
    });
    test('a non-contiguous input gives the same loss as its contiguous copy', () => {
      const xt = tn.randn([3, 4], { seed: 3, device }).transpose();
      const t = tn.tensor([0, 2, 1, 1], { dtype: 'int32', device });
      expect(tn.losses.crossEntropy(xt, t).itemSync()).toBeCloseTo(tn.losses.crossEntropy(xt.contiguous(), t).itemSync() as number, 6);
      expect(tn.losses.mse(xt, xt.mul(0.5).contiguous()).itemSync()).toBeCloseTo(tn.losses.mse(xt.contiguous(), xt.mul(0.5)).itemSync() as number, 6);
    });
    test('hinge maps {0, 1} targets to {-1, 1}, as Keras', () => {
      const s = tn.tensor([[0.3, -0.8], [1.2, 0.1]], { device });
      const h01 = tn.losses.hinge(s, tn.tensor([[1, 0], [0, 1]], { device }), { reduction: 'none' });
      const hpm = tn.losses.hinge(s, tn.tensor([[1, -1], [-1, 1]], { device }), { reduction: 'none' });
      expect(Array.from(h01.dataSync())).toEqual(Array.from(hpm.dataSync()));
      expect(h01.shape).toEqual([2]);
    });
    test('klDiv batchmean is the sum over the batch size', () => {
      const lp = tn.logSoftmax(tn.randn([4, 5], { seed: 4, device }), 1), q = tn.softmax(tn.randn([4, 5], { seed: 5, device }), 1);
      const s = tn.losses.klDiv(lp, q, { reduction: 'sum' }).itemSync() as number;
      expect(tn.losses.klDiv(lp, q, { reduction: 'batchmean' }).itemSync()).toBeCloseTo(s / 4, 6);
    });
    test('bceWithLogits equals binaryCrossEntropy of the sigmoid', () => {
      const z = tn.randn([3, 4], { seed: 6, device }), y = tn.rand([3, 4], { seed: 7, device });
      expect(tn.losses.bceWithLogits(z, y).itemSync()).toBeCloseTo(tn.losses.binaryCrossEntropy(tn.sigmoid(z), y).itemSync() as number, 5);
    });
    test('tidy frees every intermediate tensor', () => {
      const before = tn.memory().numTensors;
      const z = tn.randn([4, 3], { seed: 8, device, requiresGrad: true });
      tn.tidy(() => {
        tn.losses.crossEntropy(z, [0, 1, 2, -100], { labelSmoothing: 0.1, weight: [1, 2, 3] }).backward();
      });
      z.grad!.dispose();
      z.dispose();
      expect(tn.memory().numTensors).toBe(before);
    });
  });

  describe('bad input throws a TensileError naming the loss, the argument and the shapes', () => {
    const f = (shape: number[]) => tn.zeros(shape, { device });
    const i32 = (values: number[]) => tn.tensor(values, { dtype: 'int32', device });
    const cases: [string, () => unknown, string, RegExp][] = [
      ['shape mismatch', () => tn.losses.mse(f([2, 3]), f([3, 2])), 'mse', /argument 'target' of shape \[3,2\] does not match 'input' of shape \[2,3\]/],
      ['broadcastable shapes are still a mismatch', () => tn.losses.l1(f([2, 3]), f([3])), 'l1', /'target' of shape \[3\] does not match 'input' of shape \[2,3\]/],
      ['bad reduction', () => tn.losses.huber(f([2]), f([2]), { reduction: 'avg' } as Any), 'huber', /option 'reduction' must be 'mean' \| 'sum' \| 'none', got "avg"/],
      ['batchmean outside klDiv', () => tn.losses.mse(f([2]), f([2]), { reduction: 'batchmean' } as Any), 'mse', /option 'reduction'.*got "batchmean"/],
      ['bad klDiv reduction', () => tn.losses.klDiv(f([2]), f([2]), { reduction: 'batchsum' } as Any), 'klDiv', /'mean' \| 'batchmean' \| 'sum' \| 'none', got "batchsum"/],
      ['misspelt option', () => tn.losses.crossEntropy(f([2, 3]), i32([0, 1]), { label_smoothing: 0.1 } as Any), 'crossEntropy', /unknown option 'label_smoothing'.*'labelSmoothing'/],
      ['non-positive delta', () => tn.losses.huber(f([2]), f([2]), { delta: 0 }), 'huber', /option 'delta' must be a positive number, got 0/],
      ['int input', () => tn.losses.mse(i32([1, 2]), f([2])), 'mse', /argument 'input' must be float32 or float64, got int32 of shape \[2\]/],
      ['non-tensor input', () => tn.losses.mse([1, 2] as Any, f([2])), 'mse', /argument 'input' must be a Tensor/],
      ['label out of range', () => tn.losses.crossEntropy(f([3, 3]), i32([0, 3, 1])), 'crossEntropy', /class index 3 at flat position 1, outside \[0, 3\).*input \[3,3\], target \[3\]/],
      ['negative label other than ignoreIndex', () => tn.losses.nll(f([2, 4]), i32([-1, 0])), 'nll', /class index -1 at flat position 0, outside \[0, 4\) \(ignoreIndex is -100\)/],
      ['float labels', () => tn.losses.crossEntropy(f([2, 3]), f([2])), 'crossEntropy', /argument 'target' must hold int32 class indices, got float32 of shape \[2\] \(input \[2,3\]\)/],
      ['labels of the wrong shape', () => tn.losses.crossEntropy(f([4, 3]), i32([0, 1, 2])), 'crossEntropy', /'target' of shape \[3\] does not fit 'input' of shape \[4,3\]: class indices need shape \[4\]/],
      ['spatial labels of the wrong shape', () => tn.losses.nll(f([2, 3, 5]), i32([0, 1])), 'nll', /class indices need shape \[2,5\]/],
      ['int probabilities', () => tn.losses.crossEntropy(f([2, 2]), tn.tensor([[0, 1], [1, 0]], { dtype: 'int32', device })), 'crossEntropy', /read as class probabilities and must be float, got int32/],
      ['ignoreIndex with probabilities', () => tn.losses.crossEntropy(f([2, 2]), f([2, 2]), { ignoreIndex: 0 }), 'crossEntropy', /option 'ignoreIndex' \(0\) applies to class indices/],
      ['class weight of the wrong length', () => tn.losses.crossEntropy(f([2, 3]), i32([0, 1]), { weight: f([2]) }), 'crossEntropy', /option 'weight' must have shape \[3\].*got \[2\] for input of shape \[2,3\]/],
      ['labelSmoothing out of range', () => tn.losses.crossEntropy(f([2, 3]), i32([0, 1]), { labelSmoothing: 1.5 }), 'crossEntropy', /option 'labelSmoothing' must be a number in \[0, 1\], got 1.5/],
      ['non-integer ignoreIndex', () => tn.losses.nll(f([2, 3]), i32([0, 1]), { ignoreIndex: 0.5 }), 'nll', /option 'ignoreIndex' must be an int32 integer/],
      ['0-d input to crossEntropy', () => tn.losses.crossEntropy(f([]), i32([0])), 'crossEntropy', /'input' must have a class axis/],
      ['probabilities outside [0, 1]', () => tn.losses.binaryCrossEntropy(tn.tensor([0.5, 1.5], { device }), f([2])), 'binaryCrossEntropy', /'input' must hold probabilities in \[0, 1\], got 1.5 at flat position 1 \(input \[2\]\)/],
      ['weight that does not broadcast', () => tn.losses.bceWithLogits(f([2, 3]), f([2, 3]), { weight: f([2]) }), 'bceWithLogits', /option 'weight' of shape \[2\] does not broadcast to the input's shape \[2,3\]/],
      ['weight that would enlarge the loss', () => tn.losses.binaryCrossEntropy(f([3]), f([3]), { weight: f([2, 3]) }), 'binaryCrossEntropy', /option 'weight' of shape \[2,3\] does not broadcast to the input's shape \[3\]/],
      ['posWeight that does not broadcast', () => tn.losses.bceWithLogits(f([2, 3]), f([2, 3]), { posWeight: f([4]) }), 'bceWithLogits', /option 'posWeight' of shape \[4\]/],
      ['logTarget not a boolean', () => tn.losses.klDiv(f([2]), f([2]), { logTarget: 1 } as Any), 'klDiv', /option 'logTarget' must be a boolean/],
      ['hinge shape mismatch', () => tn.losses.hinge(f([2, 3]), f([2])), 'hinge', /argument 'target' of shape \[2\] does not match 'input' of shape \[2,3\]/],
    ];
    if (devices.length > 1) {
      const other = devices.find((d) => d !== device)!;
      cases.push(['devices differ', () => tn.losses.mse(f([2]), tn.zeros([2], { device: other })), 'mse', new RegExp(`argument 'target' is on device '${other}' but 'input' is on '${device}'`)]);
    }
    test.each(cases)('%s', (_name, fn, op, pattern) => {
      let err: unknown = null;
      try { fn(); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(tn.TensileError);
      expect((err as tn.TensileError).op).toBe(op);
      expect((err as Error).message).toMatch(new RegExp(`^${op}: `));
      expect((err as Error).message).toMatch(pattern);
    });
  });
});

/** Tape semantics: accumulation, broadcasting, detach, noGrad, retainGrad, functional grad. */
import * as tn from '../lib/index.js';

const arr = (t: tn.Tensor) => Array.from(t.dataSync());

test('gradients accumulate across backward calls until zeroGrad', () => {
  const w = tn.tensor([1, 2, 3], { requiresGrad: true });
  w.mul(w).sum().backward();
  expect(arr(w.grad!)).toEqual([2, 4, 6]);
  w.mul(3).sum().backward();
  expect(arr(w.grad!)).toEqual([5, 7, 9]);
  w.zeroGrad();
  expect(w.grad).toBeNull();
});

test('broadcast inputs get gradients summed back to their shape', () => {
  const a = tn.randn([3, 1], { seed: 1, requiresGrad: true });
  const b = tn.randn([4], { seed: 2, requiresGrad: true });
  a.add(b).sum().backward();
  expect(a.grad!.shape).toEqual([3, 1]);
  expect(arr(a.grad!)).toEqual([4, 4, 4]);
  expect(arr(b.grad!)).toEqual([3, 3, 3, 3]);
});

test('detach and noGrad stop the tape; int tensors never require grad', () => {
  const x = tn.tensor([2], { requiresGrad: true });
  expect(x.mul(2).detach().requiresGrad).toBe(false);
  expect(tn.noGrad(() => x.mul(2)).requiresGrad).toBe(false);
  expect(x.mul(2).requiresGrad).toBe(true);
  expect(x.gt(1).requiresGrad).toBe(false);
  expect(x.argmax().requiresGrad).toBe(false);
});

test('retainGrad keeps a non-leaf gradient', () => {
  const x = tn.tensor([1, 2], { requiresGrad: true });
  const h = x.mul(3).retainGrad();
  h.square().sum().backward();
  expect(arr(h.grad!)).toEqual([6, 12]);
  expect(arr(x.grad!)).toEqual([18, 36]);
});

test('backward with an explicit gradient (vector-Jacobian product)', () => {
  const x = tn.tensor([1, 2, 3], { requiresGrad: true });
  x.square().backward(tn.tensor([1, 0, -1]));
  expect(arr(x.grad!)).toEqual([2, 0, -6]);
});

test('tn.grad and valueAndGrad have JAX shapes and leave .grad alone', () => {
  const f = (x: tn.Tensor, y: tn.Tensor) => x.mul(y).sum();
  const x = tn.tensor([1, 2]), y = tn.tensor([3, 4]);
  expect(arr(tn.grad(f)(x, y))).toEqual([3, 4]);
  const [gx, gy] = tn.grad(f, [0, 1])(x, y);
  expect(arr(gx)).toEqual([3, 4]);
  expect(arr(gy)).toEqual([1, 2]);
  const [v, g] = tn.valueAndGrad(f, 1)(x, y);
  expect(v.itemSync()).toBe(11);
  expect(arr(g)).toEqual([1, 2]);
  expect(x.grad).toBeNull();
});

test('nested tn.grad gives higher derivatives: d²/dx² x³ = 6x, d³ = 6', () => {
  const f = (x: tn.Tensor) => x.pow(3).sum();
  const x = tn.tensor([1, 2, -1.5], { dtype: 'float64' });
  expect(arr(tn.grad(f)(x))).toEqual([3, 12, 6.75]);
  expect(arr(tn.grad((z: tn.Tensor) => tn.grad(f)(z).sum())(x))).toEqual([6, 12, -9]);
  const third = tn.grad((z: tn.Tensor) => tn.grad((u: tn.Tensor) => tn.grad(f)(u).sum())(z).sum());
  expect(arr(third(x))).toEqual([6, 6, 6]);
});

test('createGraph makes .grad differentiable', () => {
  const x = tn.tensor([0.5, -1], { dtype: 'float64', requiresGrad: true });
  x.tanh().sum().backward(undefined, { createGraph: true });
  const g = x.grad!; // 1 - tanh²
  expect(g.requiresGrad).toBe(true);
  x.grad = null; // (zeroGrad would dispose g)
  g.sum().backward();
  const t = Math.tanh(0.5), u = Math.tanh(-1);
  const d = arr(x.grad!);
  expect(d[0]).toBeCloseTo(-2 * t * (1 - t * t), 12);
  expect(d[1]).toBeCloseTo(-2 * u * (1 - u * u), 12);
});

test('a long chain does not overflow the stack (iterative topological sort)', () => {
  const x = tn.tensor([1], { requiresGrad: true });
  let h = x;
  for (let i = 0; i < 20000; i++) h = h.mul(1);
  h.sum().backward();
  expect(arr(x.grad!)).toEqual([1]);
});

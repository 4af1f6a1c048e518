import * as tn from '../lib/index.js';

test('the README example: linear regression by gradient descent recovers the weights', () => {
  const X = tn.randn([64, 3], { seed: 1 });
  const y = X.matmul(tn.tensor([[1], [-2], [0.5]]));
  const w = tn.zeros([3, 1], { requiresGrad: true });
  for (let i = 0; i < 100; i++) {
    const loss = X.matmul(w).sub(y).pow(2).mean();
    loss.backward();
    tn.noGrad(() => w.subInPlace(w.grad!.mul(0.1)));
    w.zeroGrad();
  }
  const got = w.dataSync();
  expect(got[0]).toBeCloseTo(1, 3);
  expect(got[1]).toBeCloseTo(-2, 3);
  expect(got[2]).toBeCloseTo(0.5, 3);
  console.log(String(w));
});

// Linear regression by gradient descent: recovers the true coefficients [1, -2, 0.5].
// Run: node examples/linear-regression.mjs
import * as tn from 'tensile';

const X = tn.randn([64, 3], { seed: 1 });
const y = X.matmul(tn.tensor([[1], [-2], [0.5]]));
const w = tn.zeros([3, 1], { requiresGrad: true });
for (let i = 0; i < 100; i++) {
  tn.tidy(() => {
    const loss = X.matmul(w).sub(y).pow(2).mean();
    loss.backward();
    tn.noGrad(() => w.subInPlace(w.grad.mul(0.1)));
    w.zeroGrad();
    if (i % 25 === 0) console.log(`step ${i}: loss ${loss.itemSync().toFixed(6)}`);
  });
}
console.log('learned w =', w.toString());

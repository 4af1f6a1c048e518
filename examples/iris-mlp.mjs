// Iris classification with a small MLP trained by fit: Dense(16, relu) -> Dense(3, softmax),
// Adam, sparse categorical cross-entropy, on a seeded 80/20 split of the bundled iris data.
// Run: node examples/iris-mlp.mjs
import * as tn from 'tensile';

tn.manualSeed(0);
const { data, target } = tn.data.loadIris();

// Standardize with the training rows' mean and std, after a seeded 80/20 split.
const n = data.shape[0];
const u = tn.rand([n], { seed: 42 }).dataSync();
const order = Int32Array.from([...Array(n).keys()].sort((a, b) => u[a] - u[b]));
const nTest = Math.round(n * 0.2);
const pick = (t, idx) => tn.indexSelect(t, 0, tn.tensor(idx, { dtype: 'int32' }));
const [xTrain0, yTrain] = [pick(data, order.slice(nTest)), pick(target, order.slice(nTest))];
const [xTest0, yTest] = [pick(data, order.slice(0, nTest)), pick(target, order.slice(0, nTest))];
const mean = xTrain0.mean(0), std = xTrain0.std(0);
const xTrain = xTrain0.sub(mean).div(std), xTest = xTest0.sub(mean).div(std);

const model = new tn.nn.Sequential(
  new tn.nn.Dense(16, { activation: 'relu', inputDim: 4 }),
  new tn.nn.Dense(3, { activation: 'softmax' }),
);
model.compile({ optimizer: { type: 'adam', lr: 0.01 }, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
await model.fit(xTrain, yTrain, { epochs: 50, batchSize: 16, seed: 0, verbose: process.stdout.isTTY ? 1 : 0 });

const { loss, accuracy } = await model.evaluate(xTest, yTest);
console.log(`iris MLP: test loss ${loss.toFixed(4)}, test accuracy ${accuracy.toFixed(4)} (${nTest} held-out samples)`);

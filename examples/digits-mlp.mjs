// Handwritten digits (8x8, bundled from scikit-learn) with an MLP trained by fit:
// Dense(64, relu) -> Dense(10, softmax), Adam, sparse categorical cross-entropy, on a seeded
// 80/20 split. Prints the test accuracy (target >= 0.95).
// Run: node examples/digits-mlp.mjs [--device cpu|js|webgpu] [--epochs N]
import { parseArgs } from 'node:util';
import * as tn from 'tensile';

const { values } = parseArgs({ options: { device: { type: 'string', default: 'cpu' }, epochs: { type: 'string', default: '30' } } });
const device = values.device;
if (device === 'webgpu') console.log(`webgpu adapter: ${(await tn.initWebGPU()).adapter}`);
tn.setDefaultDevice(device);
tn.manualSeed(0);

const { data, target } = tn.data.loadDigits({ device: 'cpu' });
const n = data.shape[0];
const u = tn.rand([n], { seed: 42, device: 'cpu' }).dataSync();
const order = Int32Array.from([...Array(n).keys()].sort((a, b) => u[a] - u[b]));
const nTest = Math.round(n * 0.2);
const pick = (t, idx) => tn.indexSelect(t, 0, tn.tensor(idx, { dtype: 'int32', device: 'cpu' })).to(device);
const xTrain = pick(data.div(16), order.slice(nTest)), yTrain = pick(target, order.slice(nTest));
const xTest = pick(data.div(16), order.slice(0, nTest)), yTest = pick(target, order.slice(0, nTest));

const model = new tn.nn.Sequential(
  new tn.nn.Dense(64, { activation: 'relu', inputDim: 64 }),
  new tn.nn.Dense(10, { activation: 'softmax' }),
);
model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
const t0 = performance.now();
await model.fit(xTrain, yTrain, { epochs: Number(values.epochs), batchSize: 32, seed: 0 });
const seconds = (performance.now() - t0) / 1000;

const { loss, accuracy } = await model.evaluate(xTest, yTest);
console.log(`digits MLP on ${device}: test loss ${loss.toFixed(4)}, test accuracy ${accuracy.toFixed(4)} (${nTest} held-out samples), trained in ${seconds.toFixed(1)}s`);

/**
 * `tensile demo`: trains an MLP (Dense 64 relu → Dense 10 softmax, Adam) on the bundled 8x8
 * digits with fit's progress bar, and prints the test accuracy on a seeded 80/20 split
 * (the same run as examples/digits-mlp.mjs).
 */
import * as tn from '../index.js';
import { DEVICES, type DeviceName } from '../backends/backend.js';

export const DEMO_USAGE = `usage: tensile demo [--device cpu|js|webgpu] [--quick]

Trains a digits classifier (Dense(64, relu) -> Dense(10, softmax), Adam, 30 epochs; 5 with
--quick) on a seeded 80/20 split of the bundled 8x8 digits, with a progress bar on a terminal
(one line per epoch otherwise), and prints the test accuracy.`;

export async function runDemo(opts: { device?: string; quick?: boolean }): Promise<number> {
  const device = (opts.device ?? tn.getDefaultDevice()) as DeviceName;
  if (!(DEVICES as readonly string[]).includes(device)) {
    console.error(`tensile demo: --device must be one of ${DEVICES.join(', ')}, got '${device}'`);
    return 1;
  }
  if (device === 'webgpu') console.log(`webgpu adapter: ${(await tn.initWebGPU()).adapter}`);
  const epochs = opts.quick ? 5 : 30;
  tn.manualSeed(0);
  const { data, target } = tn.data.loadDigits({ device: 'cpu' });
  const n = data.shape[0];
  const u = tn.rand([n], { seed: 42, device: 'cpu' }).dataSync();
  const order = Int32Array.from([...Array(n).keys()].sort((a, b) => u[a] - u[b]));
  const nTest = Math.round(n * 0.2);
  const scaled = data.div(16);
  const pick = (t: tn.Tensor, idx: Int32Array) => tn.indexSelect(t, 0, tn.tensor(idx, { dtype: 'int32', device: 'cpu' })).to(device);
  const xTrain = pick(scaled, order.slice(nTest)), yTrain = pick(target, order.slice(nTest));
  const xTest = pick(scaled, order.slice(0, nTest)), yTest = pick(target, order.slice(0, nTest));

  const model = new tn.nn.Sequential(
    new tn.nn.Dense(64, { activation: 'relu', inputDim: 64, device }),
    new tn.nn.Dense(10, { activation: 'softmax', device }),
  );
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  console.log(`training a digits MLP on ${device}: ${n - nTest} training and ${nTest} test images, ${epochs} epochs`);
  const t0 = performance.now();
  await model.fit(xTrain, yTrain, { epochs, batchSize: 32, seed: 0 });
  const seconds = (performance.now() - t0) / 1000;
  const { loss, accuracy } = await model.evaluate(xTest, yTest);
  console.log(`test accuracy ${accuracy.toFixed(4)} (test loss ${loss.toFixed(4)}), trained in ${seconds.toFixed(1)}s`);
  return 0;
}

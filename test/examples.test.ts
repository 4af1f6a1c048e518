/**
 * The examples in examples/ run as a user runs them (node, importing the built package) and
 * reach their targets: in full on cpu, as short smoke runs on js and webgpu (lavapipe is slow).
 * They import 'tensile' from dist/: `npm test` builds it first.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import * as tn from '../lib/index.js';

const root = join(__dirname, '..');
function run(script: string, args: string[] = [], timeout = 240_000): string {
  return execFileSync(process.execPath, [join(root, 'examples', script), ...args], {
    cwd: root, encoding: 'utf8', timeout, env: { ...process.env, FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
}
const accuracyOf = (out: string) => Number(/test accuracy ([0-9.]+)/.exec(out)?.[1]);
const cpu = tn.availableDevices().includes('cpu');

test('linear regression by gradient descent recovers [1, -2, 0.5]', () => {
  const out = run('linear-regression.mjs');
  expect(out.replace(/\s+/g, ' ')).toContain('tensor([[ 1.0000], [-2.0000], [ 0.5000]]');
}, 120_000);

(cpu ? test : test.skip)('the digits MLP reaches test accuracy >= 0.95 on cpu', () => {
  const out = run('digits-mlp.mjs');
  console.log(out.trim().split('\n').pop());
  expect(accuracyOf(out)).toBeGreaterThanOrEqual(0.95);
}, 240_000);

(cpu ? test : test.skip)('the iris MLP reaches test accuracy >= 0.9 on cpu', () => {
  const out = run('iris-mlp.mjs');
  console.log(out.trim().split('\n').pop());
  expect(accuracyOf(out)).toBeGreaterThanOrEqual(0.9);
}, 240_000);

(cpu ? test : test.skip)('the SpamAssassin Embedding+LSTM classifier reaches test accuracy >= 0.9 on cpu', () => {
  const out = run('spam-lstm.mjs', [], 600_000);
  console.log(out.trim().split('\n').pop());
  expect(accuracyOf(out)).toBeGreaterThanOrEqual(0.9);
}, 600_000);

test('the digits MLP smoke-runs on js (5 epochs) and learns', () => {
  expect(accuracyOf(run('digits-mlp.mjs', ['--device', 'js', '--epochs', '5']))).toBeGreaterThan(0.85);
}, 240_000);

test('the digits MLP smoke-runs on webgpu (5 epochs) and learns', async () => {
  try {
    await tn.initWebGPU();
  } catch (e) {
    if (process.env.TENSILE_REQUIRE_WEBGPU === '1') throw e;
    console.log(`webgpu example skipped: ${(e as Error).message}`);
    return;
  }
  expect(accuracyOf(run('digits-mlp.mjs', ['--device', 'webgpu', '--epochs', '5']))).toBeGreaterThan(0.85);
}, 240_000);

describe('classic ML examples', () => {
  test('breast cancer: SVC and logistic regression reach test accuracy >= 0.95', () => {
    const out = run('breast-cancer.mjs');
    const accs = [...out.matchAll(/test accuracy ([0-9.]+)/g)].map((m) => Number(m[1]));
    expect(accs.length).toBe(2);
    for (const a of accs) expect(a).toBeGreaterThanOrEqual(0.95);
  }, 120_000);

  test('diabetes: Ridge and Lasso explain ~45% of the test variance, Lasso zeroes coefficients', () => {
    const out = run('diabetes.mjs');
    const r2 = [...out.matchAll(/test R² ([0-9.]+)/g)].map((m) => Number(m[1]));
    for (const v of r2) expect(v).toBeGreaterThan(0.4);
    expect(Number(/(\d+) of 10 coefficients non-zero/.exec(out)![1])).toBeLessThan(10);
  }, 120_000);

  test('digits: PCA (95% variance) + SVC reaches test accuracy >= 0.97', () => {
    expect(accuracyOf(run('digits-pca-svc.mjs'))).toBeGreaterThanOrEqual(0.97);
  }, 120_000);
});

/** dispose, tidy, using, keep, the GC safety net and tn.memory(). */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tn from '../lib/index.js';

const live = () => tn.memory().numTensors;

test('dispose frees storage; views keep it alive until the last one goes', () => {
  const before = tn.memory();
  const a = tn.randn([10, 10], { seed: 1 });
  const mid = tn.memory();
  expect(mid.numTensors).toBe(before.numTensors + 1);
  expect(mid.numBytes).toBe(before.numBytes + 400);
  const v = a.transpose();
  a.dispose();
  expect(tn.memory().numBytes).toBe(before.numBytes + 400); // the view still holds the storage
  tn.tidy(() => expect(v.sum().itemSync()).toBeCloseTo(tn.tensor(Array.from(v.dataSync())).sum().itemSync() as number, 4));
  v.dispose();
  expect(tn.memory().numBytes).toBe(before.numBytes);
  expect(() => a.add(1)).toThrow(tn.TensileError);
});

test('tidy disposes temporaries and keeps returned tensors (nested in arrays/objects)', () => {
  const x = tn.randn([4], { seed: 2 });
  const n0 = live();
  const out = tn.tidy(() => {
    const t1 = x.mul(2);
    const t2 = t1.add(1);
    return { a: t2, list: [t1.exp()] };
  });
  expect(live()).toBe(n0 + 2);
  expect(out.a.isDisposed).toBe(false);
  expect(out.list[0].isDisposed).toBe(false);
  out.a.dispose(); out.list[0].dispose();
  expect(live()).toBe(n0);
});

test('nested tidy hands results to the outer scope, which then frees them', () => {
  const n0 = live();
  tn.tidy(() => {
    const inner = tn.tidy(() => tn.ones([3]).mul(3));
    expect(inner.isDisposed).toBe(false);
  });
  expect(live()).toBe(n0);
});

test('keep exempts a tensor from tidy', () => {
  let k: tn.Tensor | undefined;
  tn.tidy(() => { k = tn.keep(tn.ones([2]).add(1)); });
  expect(k!.isDisposed).toBe(false);
  expect(Array.from(k!.dataSync())).toEqual([2, 2]);
  k!.dispose();
});

test('tidy disposes temporaries when fn throws', () => {
  const n0 = live();
  expect(() => tn.tidy(() => { tn.ones([5]).add(1); throw new Error('boom'); })).toThrow('boom');
  expect(live()).toBe(n0);
});

test('a training loop inside tidy keeps tn.memory() flat', () => {
  const X = tn.randn([32, 4], { seed: 3 });
  const y = tn.randn([32, 1], { seed: 4 });
  const w = tn.zeros([4, 1], { requiresGrad: true });
  const counts: number[] = [];
  for (let i = 0; i < 50; i++) {
    tn.tidy(() => {
      const loss = X.matmul(w).sub(y).square().mean();
      loss.backward();
      tn.noGrad(() => w.subInPlace(w.grad!.mul(0.05)));
      w.zeroGrad();
    });
    counts.push(live());
  }
  expect(new Set(counts.slice(1)).size).toBe(1);
});

test('Symbol.dispose (the `using` protocol) disposes', () => {
  const t = tn.ones([2]);
  t[Symbol.dispose]();
  expect(t.isDisposed).toBe(true);
});

// In its own Node process (the built dist/, as a user's script would run): inside a jest
// worker that earlier test files have loaded (Dawn, the addon), V8's finalization tasks were
// seen to wait past any reasonable timeout on CI, which says nothing about the library.
const gcProbe = `
import * as tn from ${JSON.stringify(pathToFileURL(join(__dirname, '..', 'dist', 'index.js')).href)};
const live = () => tn.memory().numTensors;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const n0 = live();
const refs = [];
(() => { for (let i = 0; i < 100; i++) refs.push(new WeakRef(tn.ones([1000]))); })();
const made = live() - n0;
for (let i = 0; i < 100 && refs.some((r) => r.deref()); i++) { gc(); await sleep(10); }
// Cleanup callbacks are low-priority tasks: on a loaded machine they can take seconds.
for (let i = 0; i < 400 && live() >= n0 + 10; i++) { await sleep(50); gc(); }
console.log(JSON.stringify({ made, stillReachable: refs.filter((r) => r.deref()).length, live: live() - n0 }));
`;

test('the FinalizationRegistry releases tensors that were never disposed', () => {
  expect(existsSync(join(__dirname, '..', 'dist', 'index.js'))).toBe(true); // `npm test` builds dist/ first
  const r = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', gcProbe], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`the probe failed (${r.status ?? r.signal}): ${r.stderr}`);
  const out = JSON.parse(r.stdout) as { made: number; stillReachable: number; live: number };
  expect(out.made).toBe(100);
  // (V8 may keep the most recent object or two reachable through its caches: not a leak.)
  expect(out.stillReachable).toBeLessThanOrEqual(2);
  expect(out.live).toBeLessThan(10); // not the 100 made above
}, 60_000);

test('memory() reports per device', () => {
  const m = tn.memory();
  const d = tn.getDefaultDevice();
  expect(m.byDevice[d]).toBeDefined();
  expect(m.numBytes).toBeGreaterThanOrEqual(m.byDevice[d]!.numBytes);
});

test('ops outside tidy leave no temporaries: JS scalars are shared constants, casts are freed', () => {
  const w = tn.ones([3]);
  const i = tn.ones([3], { dtype: 'int32' });
  // Warm the constant cache (constants live for the process, like PyTorch's wrapped numbers).
  w.mul(2).dispose(); w.mulInPlace(0.9); w.addInPlace(i); w.add([1, 2, 3]).dispose(); i.add(w).dispose();
  const n0 = tn.memory().numTensors;
  const made = [w.mul(2), i.add(w), w.add([1, 2, 3]), tn.where(w.gt(1), i, 0.5)];
  w.mulInPlace(0.9); w.addInPlace(i); w.assign([4, 5, 6]);
  expect(tn.memory().numTensors).toBe(n0 + made.length + 1); // + the gt() mask
  made.forEach((t) => t.dispose());
});

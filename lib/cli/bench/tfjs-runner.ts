/**
 * The TensorFlow.js peers, in-process: tfjs-backend-wasm and tfjs-backend-cpu (optional
 * devDependencies; a missing one is reported, never dropped). Both backends run their kernels
 * synchronously; every measured call still reads a value of its result so the timing covers
 * the work. Inputs are tensile's seeded draws, copied.
 *
 * tfjs-core's Node build registers no gradients (the browser bundles and the @tensorflow/tfjs
 * umbrella do), so the MLP's tf.train.adam needs @tensorflow/tfjs imported once for them.
 */
import * as tn from '../../index.js';
import type { Spec } from './suites.js';
import { SEEDS, type Prepared } from './tensile-runner.js';

type TF = typeof import('@tensorflow/tfjs-core');
type TfTensor = import('@tensorflow/tfjs-core').Tensor;

export interface TfjsPeer {
  name: 'tfjs-wasm' | 'tfjs-cpu' | 'tfjs-webgpu';
  /** null when available */
  missing: string | null;
  info: Record<string, unknown>;
  /** makes this peer's backend the active one (tfjs has one active backend at a time) */
  activate(): Promise<void>;
  prepare(spec: Spec): Prepared | string;
}

async function importCjs<T>(name: string): Promise<T> {
  const mod = (await import(name)) as T & { default?: T };
  // CommonJS packages: the namespace may only carry `default`.
  return (mod.default && typeof mod.default === 'object' && !('setBackend' in mod) ? mod.default : mod) as T;
}

/** tensile's seeded draws as a Float32Array (on cpu when there, else js). */
function draw(shape: number[], seed: number, scale = 1): Float32Array {
  const device = tn.availableDevices().includes('cpu') ? 'cpu' : 'js';
  return tn.tidy(() => tn.randn(shape, { seed, device }).mul(scale).dataSync() as Float32Array);
}

function drawLabels(n: number, classes: number, seed: number): Int32Array {
  const device = tn.availableDevices().includes('cpu') ? 'cpu' : 'js';
  return tn.tidy(() => tn.randint(0, classes, [n], { seed, device }).dataSync() as Int32Array);
}

export async function loadTfjsPeers(device?: string): Promise<TfjsPeer[]> {
  let tf: TF | null = null;
  let why = '';
  let gradients: string | null = null;
  try {
    tf = await importCjs<TF>('@tensorflow/tfjs-core');
    // Production mode: no debug checks, and no "install tfjs-node" banner on stderr.
    tf.env().set('PROD', true);
    try {
      await import('@tensorflow/tfjs');
    } catch (e) {
      gradients = `tfjs-core's Node build has no gradients and @tensorflow/tfjs (which registers them) cannot be imported: ${firstLine(e)}`;
    }
  } catch (e) {
    why = `cannot import @tensorflow/tfjs-core (${firstLine(e)}); install the optional peers: npm install -D @tensorflow/tfjs-core @tensorflow/tfjs-backend-wasm @tensorflow/tfjs-backend-cpu`;
  }
  const peers: TfjsPeer[] = [];
  for (const [name, pkg, backend] of [['tfjs-wasm', '@tensorflow/tfjs-backend-wasm', 'wasm'], ['tfjs-cpu', '@tensorflow/tfjs-backend-cpu', 'cpu']] as const) {
    if (!tf) { peers.push(missingPeer(name, why)); continue; }
    try {
      await import(pkg);
      const ok = await tf.setBackend(backend);
      if (!ok) throw new Error(`tf.setBackend('${backend}') failed`);
      await tf.ready();
      const info: Record<string, unknown> = { version: tf.version_core, backend };
      if (backend === 'wasm') {
        info.simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
        info.multithread = tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT');
        const wasm = await importCjs<{ getThreadsCount?: () => number }>(pkg);
        info.threads = wasm.getThreadsCount ? wasm.getThreadsCount() : info.multithread ? 'unknown' : 1;
      } else {
        info.threads = 1;
      }
      peers.push(makePeer(tf, name, backend, info, gradients));
    } catch (e) {
      peers.push(missingPeer(name, `${pkg}: ${firstLine(e)}`));
    }
  }
  if (device !== 'webgpu') peers.push(missingPeer('tfjs-webgpu', 'runs only with --device webgpu'));
  else if (!tf) peers.push(missingPeer('tfjs-webgpu', why));
  else peers.push(await loadWebgpuPeer(tf, gradients));
  return peers;
}

/**
 * tfjs-backend-webgpu on the adapter tensile uses (Dawn's GPU object as navigator.gpu, as a
 * browser provides it). Its kernels are asynchronous: each call awaits one value of its result.
 */
async function loadWebgpuPeer(tf: TF, noGradients: string | null): Promise<TfjsPeer> {
  const pkg = '@tensorflow/tfjs-backend-webgpu';
  try {
    const { openGpu } = await import('../../backends/webgpu/context.js');
    const ctx = await openGpu();
    const g = globalThis as { navigator?: { gpu?: unknown } };
    if (!g.navigator) Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true, writable: true });
    if (!g.navigator!.gpu) Object.defineProperty(g.navigator!, 'gpu', { value: ctx.gpu, configurable: true });
    await import(pkg);
    if (!(await tf.setBackend('webgpu'))) throw new Error("tf.setBackend('webgpu') failed");
    await tf.ready();
    const info = { version: tf.version_core, backend: 'webgpu', adapter: ctx.adapterName };
    const one = async (t: TfTensor) => {
      const s = tf.slice(tf.reshape(t, [-1]), 0, 1);
      await s.data();
      s.dispose();
    };
    return {
      name: 'tfjs-webgpu', missing: null, info,
      activate: async () => { if (tf.getBackend() !== 'webgpu') await tf.setBackend('webgpu'); await tf.ready(); },
      prepare(spec: Spec): Prepared | string {
        const owned: TfTensor[] = [];
        const own = <T extends TfTensor>(t: T): T => { owned.push(t); return t; };
        const dispose = () => { for (const t of owned) t.dispose(); };
        const timed = (op: () => TfTensor): Prepared => ({ afn: async () => { const c = op(); await one(c); c.dispose(); }, dispose });
        switch (spec.kind) {
          case 'matmul': {
            const a = own(tf.tensor2d(draw([spec.m, spec.k], SEEDS.a), [spec.m, spec.k]));
            const b = own(tf.tensor2d(draw([spec.k, spec.n], SEEDS.b), [spec.k, spec.n]));
            return timed(() => tf.matMul(a, b));
          }
          case 'elementwise': {
            const a = own(tf.tensor1d(draw([spec.n], SEEDS.a)));
            const b = own(tf.tensor1d(draw([spec.n], SEEDS.b)));
            return timed(spec.op === 'add' ? () => tf.add(a, b) : spec.op === 'mul' ? () => tf.mul(a, b) : () => tf.relu(a));
          }
          case 'reduce': {
            const x = own(tf.tensor(draw(spec.shape, SEEDS.x), spec.shape));
            const axis = spec.axis;
            return timed(() => (axis === null ? tf.sum(x) : tf.sum(x, axis)));
          }
          case 'overhead': {
            const a = own(tf.tensor1d(draw([1], SEEDS.a)));
            const b = own(tf.tensor1d(draw([1], SEEDS.b)));
            return timed(() => tf.add(a, b));
          }
          case 'mlp': {
            if (noGradients) return noGradients;
            const m = tfjsMlp(tf, spec.sizes, spec.batch, spec.lr, async (cost) => { await cost.data(); });
            return m;
          }
        }
      },
    };
  } catch (e) {
    return missingPeer('tfjs-webgpu', `${pkg}: ${firstLine(e)}`);
  }
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0];
}

function missingPeer(name: TfjsPeer['name'], reason: string): TfjsPeer {
  return { name, missing: reason, info: {}, activate: async () => {}, prepare: () => reason };
}

function makePeer(tf: TF, name: TfjsPeer['name'], backend: string, info: Record<string, unknown>, noGradients: string | null): TfjsPeer {
  // One value of the result, read through the backend: wasm's readSync(dataId, start, end)
  // copies just that range off the heap; cpu's returns its array without a copy.
  const touch = (t: TfTensor): void => {
    (tf.backend() as unknown as { readSync(id: object, start?: number, end?: number): unknown }).readSync(t.dataId, 0, 1);
  };
  return {
    name,
    missing: null,
    info,
    activate: async () => {
      if (tf.getBackend() !== backend) await tf.setBackend(backend);
      await tf.ready();
    },
    prepare(spec: Spec): Prepared | string {
      const owned: TfTensor[] = [];
      const own = <T extends TfTensor>(t: T): T => { owned.push(t); return t; };
      const dispose = () => { for (const t of owned) t.dispose(); };
      switch (spec.kind) {
        case 'matmul': {
          const a = own(tf.tensor2d(draw([spec.m, spec.k], SEEDS.a), [spec.m, spec.k]));
          const b = own(tf.tensor2d(draw([spec.k, spec.n], SEEDS.b), [spec.k, spec.n]));
          return { fn: () => { const c = tf.matMul(a, b); touch(c); c.dispose(); }, dispose };
        }
        case 'elementwise': {
          const a = own(tf.tensor1d(draw([spec.n], SEEDS.a)));
          const b = own(tf.tensor1d(draw([spec.n], SEEDS.b)));
          const op = spec.op === 'add' ? () => tf.add(a, b) : spec.op === 'mul' ? () => tf.mul(a, b) : () => tf.relu(a);
          return { fn: () => { const c = op(); touch(c); c.dispose(); }, dispose };
        }
        case 'reduce': {
          const x = own(tf.tensor(draw(spec.shape, SEEDS.x), spec.shape));
          const axis = spec.axis;
          return { fn: () => { const c = axis === null ? tf.sum(x) : tf.sum(x, axis); touch(c); c.dispose(); }, dispose };
        }
        case 'overhead': {
          const a = own(tf.tensor1d(draw([1], SEEDS.a)));
          const b = own(tf.tensor1d(draw([1], SEEDS.b)));
          return spec.read
            ? { fn: () => { const c = tf.add(a, b); c.dataSync(); c.dispose(); }, dispose }
            : { fn: () => { tf.add(a, b).dispose(); }, dispose };
        }
        case 'mlp':
          return noGradients ?? tfjsMlp(tf, spec.sizes, spec.batch, spec.lr);
      }
    },
  };
}

/** The same MLP in idiomatic tfjs: variables, tf.losses.softmaxCrossEntropy, tf.train.adam. */
function tfjsMlp(tf: TF, sizes: number[], batch: number, lr: number, readAsync?: (cost: TfTensor) => Promise<void>): Prepared {
  const vars: import('@tensorflow/tfjs-core').Variable[] = [];
  const W: TfTensor[] = [], B: TfTensor[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    const w = tf.variable(tf.tensor2d(draw([sizes[i], sizes[i + 1]], SEEDS.mlpW + i, Math.sqrt(2 / sizes[i])), [sizes[i], sizes[i + 1]]));
    const b = tf.variable(tf.zeros([sizes[i + 1]]));
    W.push(w); B.push(b); vars.push(w, b);
  }
  const classes = sizes[sizes.length - 1];
  const x = tf.tensor2d(draw([batch, sizes[0]], SEEDS.mlpX), [batch, sizes[0]]);
  const labels = tf.tensor1d(drawLabels(batch, classes, SEEDS.mlpY), 'int32');
  const onehot = tf.oneHot(labels, classes);
  const opt = tf.train.adam(lr);
  const loss = () => tf.tidy(() => {
    let h: TfTensor = x;
    for (let i = 0; i < W.length; i++) {
      h = tf.add(tf.matMul(h, W[i]), B[i]);
      if (i + 1 < W.length) h = tf.relu(h);
    }
    return tf.losses.softmaxCrossEntropy(onehot, h) as import('@tensorflow/tfjs-core').Scalar;
  });
  const dispose = () => { for (const t of [...vars, x, labels, onehot]) t.dispose(); opt.dispose(); };
  if (readAsync) return { afn: async () => { const cost = opt.minimize(loss, true, vars)!; await readAsync(cost); cost.dispose(); }, dispose };
  return { fn: () => { const cost = opt.minimize(loss, true, vars)!; cost.dataSync(); cost.dispose(); }, dispose };
}

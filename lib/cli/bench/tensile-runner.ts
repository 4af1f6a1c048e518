/**
 * tensile's side of the bench: one prepared closure per case, on the chosen device. Inputs
 * are seeded (Philox), so every run and every device sees the same numbers.
 */
import * as tn from '../../index.js';
import type { Tensor } from '../../index.js';
import type { Spec } from './suites.js';

/** A measured call: synchronous on host devices, awaited where results arrive later (webgpu). */
export interface Prepared {
  fn?: () => void;
  afn?: () => Promise<void>;
  dispose(): void;
}

/** Seeds per input, shared with the tfjs runner (which copies tensile's draws). */
export const SEEDS = { a: 1, b: 2, x: 3, mlpX: 11, mlpY: 12, mlpW: 20 } as const;

/** Devices whose storage is host memory and whose ops finish before returning. */
const isHost = (d: string) => d === 'cpu' || d === 'js';

/**
 * Reads one value of the op's result, so the timing covers the work. On the cpu and js devices
 * the storage is host memory and ops run to completion before returning: the value is read
 * straight from it (a few ns, where dataSync()'s copy and view bookkeeping would cost 1-3 µs
 * and distort small cases).
 */
export function touch(t: Tensor): number {
  const v = t.view('bench');
  const data = (v.buf as { data?: ArrayLike<number> }).data;
  if (data && isHost(t.device)) return data[v.offset];
  return t.dataSync()[0] as number;
}

/** The same for a device that computes asynchronously: awaits one element of the result. */
export async function touchAsync(t: Tensor): Promise<number> {
  const flat = t.reshape([-1]);
  const one = flat.slice([0, 1]);
  try {
    return (await one.data())[0] as number;
  } finally {
    one.dispose();
    flat.dispose();
  }
}

/** Times op() including a read of its result; the result is freed after each call. */
function timed(op: () => Tensor, dispose: () => void): Prepared {
  if (isHost(tn.getDefaultDevice())) return { fn: () => { const c = op(); touch(c); c.dispose(); }, dispose };
  return { afn: async () => { const c = op(); await touchAsync(c); c.dispose(); }, dispose };
}

export function prepareTensile(spec: Spec): Prepared | string {
  const owned: Tensor[] = [];
  const own = <T extends Tensor>(t: T): T => { owned.push(t); return t; };
  const dispose = () => { for (const t of owned) t.dispose(); };
  switch (spec.kind) {
    case 'matmul': {
      const a = own(tn.randn([spec.m, spec.k], { seed: SEEDS.a }));
      const b = own(tn.randn([spec.k, spec.n], { seed: SEEDS.b }));
      return timed(() => tn.matmul(a, b), dispose);
    }
    case 'elementwise': {
      const a = own(tn.randn([spec.n], { seed: SEEDS.a }));
      const b = own(tn.randn([spec.n], { seed: SEEDS.b }));
      return timed(spec.op === 'add' ? () => tn.add(a, b) : spec.op === 'mul' ? () => tn.mul(a, b) : () => tn.relu(a), dispose);
    }
    case 'reduce': {
      const x = own(tn.randn(spec.shape, { seed: SEEDS.x }));
      const axis = spec.axis;
      return timed(() => (axis === null ? tn.sum(x) : tn.sum(x, axis)), dispose);
    }
    case 'overhead': {
      const a = own(tn.randn([1], { seed: SEEDS.a }));
      const b = own(tn.randn([1], { seed: SEEDS.b }));
      if (!isHost(tn.getDefaultDevice())) {
        if (!spec.read) { dispose(); return `not measured on ${tn.getDefaultDevice()}: without a read an op only queues work (see the read row)`; }
        return { afn: async () => { const c = tn.add(a, b); await c.item(); c.dispose(); }, dispose };
      }
      return spec.read
        ? { fn: () => { const c = tn.add(a, b); c.itemSync(); c.dispose(); }, dispose }
        : { fn: () => { tn.add(a, b).dispose(); }, dispose };
    }
    case 'mlp': {
      const mlp = tensileMlp(spec.sizes, spec.batch, spec.lr);
      return timed(mlp.step, mlp.dispose);
    }
  }
}

/**
 * A 784-256-256-10-style MLP trained the way a user writes it: matmul / add / relu, the loss
 * from tn.losses.crossEntropy (fused log-softmax), loss.backward(), and tn.optim.Adam (its
 * fused update kernel), the whole step inside tn.tidy.
 */
export function tensileMlp(sizes: number[], batch: number, lr: number): { step: () => Tensor; dispose: () => void } {
  // Set-up inside tidy too: scalar operands and randint's intermediates are tensors.
  const { W, B, x, y } = tn.tidy(() => {
    const W: Tensor[] = [], B: Tensor[] = [];
    for (let i = 0; i + 1 < sizes.length; i++) {
      W.push(tn.keep(tn.randn([sizes[i], sizes[i + 1]], { seed: SEEDS.mlpW + i }).mul(Math.sqrt(2 / sizes[i])).requiresGrad_()));
      B.push(tn.keep(tn.zeros([sizes[i + 1]], { requiresGrad: true })));
    }
    return {
      W, B,
      x: tn.randn([batch, sizes[0]], { seed: SEEDS.mlpX }),
      y: tn.randint(0, sizes[sizes.length - 1], [batch], { seed: SEEDS.mlpY }),
    };
  });
  const params = [...W, ...B];
  const opt = new tn.optim.Adam(params, { lr });
  const step = () => tn.tidy(() => {
    opt.zeroGrad();
    let h: Tensor = x;
    for (let i = 0; i < W.length; i++) {
      h = tn.add(tn.matmul(h, W[i]), B[i]);
      if (i + 1 < W.length) h = tn.relu(h);
    }
    const loss = tn.losses.crossEntropy(h, y);
    loss.backward();
    opt.step();
    return loss;  // kept by tidy; the caller reads and frees it
  });
  const dispose = () => { opt.dispose(); for (const z of [...params, x, y]) z.dispose(); };
  return { step, dispose };
}

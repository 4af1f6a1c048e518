/**
 * Mini-batches: seeded shuffling and an iterator over (x, y) batches. `fit` walks its data
 * with the same permutation, so `batches(x, y, { seed })` and `fit(x, y, { seed })` visit the
 * samples in the same order.
 */
import { TensileError, fmtShape } from '../errors.js';
import { Tensor } from '../tensor.js';
import { philoxFill } from '../backends/js/philox.js';
import { keep } from '../memory.js';
import { type TensorLike, indexSelect, rand, slice, tensor } from '../ops/index.js';

export interface BatchOptions {
  /** Samples per batch (default 32); the last batch holds the remainder unless dropRemainder. */
  batchSize?: number;
  /** Visit the samples in a new random order each epoch (default false). */
  shuffle?: boolean;
  /**
   * Seed of the shuffle: epoch e uses the Philox stream (seed, e), so runs repeat exactly.
   * Without a seed the order comes from the global generator (`tn.manualSeed`).
   */
  seed?: number;
  /** Skip a last batch smaller than batchSize (default false). */
  dropRemainder?: boolean;
}

/**
 * A permutation of 0..n-1 for one epoch (Fisher–Yates over Philox uniforms), or the identity
 * when shuffle is off.
 * @example permutation(5, { shuffle: true, seed: 1 }, 0) // e.g. Int32Array [3, 0, 4, 1, 2]
 */
export function permutation(n: number, opts: { shuffle?: boolean; seed?: number }, epoch: number): Int32Array {
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  if (!opts.shuffle || n < 2) return perm;
  let u: ArrayLike<number>;
  if (opts.seed !== undefined) {
    const buf = new Float64Array(n);
    // Each epoch its own counter range: blocks [epoch * ceil(n/4), (epoch + 1) * ceil(n/4)).
    philoxFill(buf, n, 'uniform', opts.seed, epoch * Math.ceil(n / 4));
    u = buf;
  } else {
    const t = rand([n], { device: 'js', dtype: 'float64' });
    u = t.dataSync();
    t.dispose();
  }
  for (let i = n - 1; i > 0; i--) {
    const j = Math.min(i, Math.floor(u[i] * (i + 1)));
    const tmp = perm[i]; perm[i] = perm[j]; perm[j] = tmp;
  }
  return perm;
}

/** Checks batching options; returns the batch size. */
export function checkBatchOptions(op: string, opts: BatchOptions): number {
  if (opts === null || typeof opts !== 'object') throw new TensileError(op, `options must be an object, got ${String(opts)}`);
  const bs = opts.batchSize ?? 32;
  if (!Number.isInteger(bs) || bs < 1) throw new TensileError(op, `option 'batchSize' must be a positive integer, got ${String(opts.batchSize)}`);
  if (opts.seed !== undefined && (!Number.isInteger(opts.seed) || opts.seed < 0)) {
    throw new TensileError(op, `option 'seed' must be a non-negative integer, got ${String(opts.seed)}`);
  }
  return bs;
}

/** A tensor argument: Tensors pass through, arrays become tensors (int32 for integer labels is the caller's choice). */
function asTensor(op: string, arg: string, v: TensorLike): Tensor {
  if (v instanceof Tensor) {
    v.assertAlive(op, arg);
    return v;
  }
  if (v === null || v === undefined) throw new TensileError(op, `argument '${arg}' must be a Tensor or an array, got ${String(v)}`);
  return tensor(v);
}

/** Throws unless x and y hold the same number of samples (dim 0). */
export function checkSampleCounts(op: string, x: Tensor, y: Tensor | null, xName = 'x', yName = 'y'): number {
  if (x.rank === 0) throw new TensileError(op, `argument '${xName}' must have a sample dim, got a scalar`);
  const n = x.shape[0];
  if (y) {
    if (y.rank === 0) throw new TensileError(op, `argument '${yName}' must have a sample dim, got a scalar`);
    if (y.shape[0] !== n) {
      throw new TensileError(op, `'${xName}' has ${n} samples (shape ${fmtShape(x.shape)}) but '${yName}' has ${y.shape[0]} (shape ${fmtShape(y.shape)}); dim 0 must match`);
    }
  }
  return n;
}

/** The rows `perm[start..end)` of t: a free slice when perm is the identity there, else a gather. */
export function takeRows(t: Tensor, perm: Tensor | null, start: number, end: number): Tensor {
  if (!perm) return slice(t, [start, end]);
  return indexSelect(t, 0, slice(perm, [start, end]));
}

/**
 * Mini-batches of (x, y) along dim 0. Each pass over the returned iterable is one epoch: with
 * `shuffle` every pass draws a new order (repeatable with `seed`). The batches are new tensors
 * (or views) owned by the caller: use them inside `tn.tidy` or dispose them. `y` may be null.
 * @example
 * for (const [xb, yb] of tn.data.batches(x, y, { batchSize: 64, shuffle: true, seed: 0 })) {
 *   tn.tidy(() => { const loss = tn.losses.crossEntropy(model.call(xb), yb); ... });
 * }
 */
export function batches(xIn: TensorLike, yIn: TensorLike | null = null, opts: BatchOptions = {}): Iterable<[Tensor, Tensor | null]> {
  const op = 'batches';
  const bs = checkBatchOptions(op, opts);
  const x = asTensor(op, 'x', xIn);
  const y = yIn === null || yIn === undefined ? null : asTensor(op, 'y', yIn);
  const n = checkSampleCounts(op, x, y);
  if (y && y.device !== x.device) throw new TensileError(op, `'x' is on device '${x.device}' but 'y' is on '${y.device}'; move one with .to()`);
  let epoch = 0;
  return {
    *[Symbol.iterator]() {
      const perm = permutation(n, opts, epoch++);
      // Kept: the caller may advance the iterator inside a tidy scope that ends before the epoch does.
      const idx = opts.shuffle ? keep(tensor(perm, { device: x.device, dtype: 'int32' })) : null;
      try {
        const last = opts.dropRemainder ? n - (n % bs) : n;
        for (let start = 0; start < last; start += bs) {
          const end = Math.min(start + bs, n);
          yield [takeRows(x, idx, start, end), y ? takeRows(y, idx, start, end) : null] as [Tensor, Tensor | null];
        }
      } finally {
        idx?.dispose();
      }
    },
  };
}

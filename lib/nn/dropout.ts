/** Dropout: zeroes elements with probability p in training and scales the rest by 1/(1-p). */
import { TensileError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { lt, mul, rand, where } from '../ops/index.js';
import { Module, checkInput } from './module.js';

export interface DropoutOptions {
  /**
   * Seed of this layer's own mask stream: the k-th training call draws from a seed derived
   * from (seed, k), so two layers built with one seed drop the same elements, on every
   * device. Without it masks come from the global generator (`tn.manualSeed`).
   */
  seed?: number;
}

/** Mixes a seed and a call counter into a non-negative 31-bit seed (murmur3's finalizer). */
export function deriveSeed(seed: number, k: number): number {
  let h = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(k + 1, 0x85ebca77)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h & 0x7fffffff;
}

export function checkProbability(layer: string, p: number): void {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new TensileError(layer, `dropout probability has to be between 0 and 1, got ${String(p)}`);
}

/**
 * The dropout function: in training keeps each element with probability 1-p and scales it
 * by 1/(1-p) (PyTorch's inverted dropout); the identity otherwise.
 */
export function dropout(x: Tensor, p: number, training: boolean, seed?: number): Tensor {
  if (!training || p === 0) return x;
  if (p === 1) return mul(x, 0);
  // Drawn in float32 whatever x's dtype, so a seed gives one mask for float32 and float64.
  const u = rand(x.shape, { device: x.device, seed });
  return where(lt(u, 1 - p), mul(x, 1 / (1 - p)), 0);
}

/**
 * torch.nn.Dropout(p): random zeroing in training, the identity in eval.
 * @example const drop = new tn.nn.Dropout(0.2, { seed: 7 }); drop.call(x); drop.eval();
 */
export class Dropout extends Module {
  readonly seed: number | undefined;
  private calls = 0;
  constructor(readonly p = 0.5, opts: DropoutOptions = {}) {
    super();
    checkProbability('Dropout', p);
    if (opts.seed !== undefined && (!Number.isInteger(opts.seed) || opts.seed < 0)) {
      throw new TensileError('Dropout', `seed must be a non-negative integer, got ${String(opts.seed)}`);
    }
    this.seed = opts.seed;
  }

  forward(x: Tensor): Tensor {
    checkInput('Dropout', x);
    if (!this.training || this.p === 0) return x;
    const seed = this.seed === undefined ? undefined : deriveSeed(this.seed, this.calls++);
    return dropout(x, this.p, true, seed);
  }

  override extraRepr(): string {
    return `p=${this.p}`;
  }
}

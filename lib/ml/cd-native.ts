/**
 * The native coordinate-descent fits (native/src/ml/cd*.cc): Lasso/ElasticNet (`enetFit`) and
 * LinearSVC (`linearSvcFit`), whole fits in one call each (and LogisticRegression's binary
 * loss pass, `logisticBinary`, native/src/ml/logistic.cc), the data preparation included
 * (centring, the column-major copy, liblinear's bias column). They repeat the js solvers
 * (enetCoordinateDescent in coordinate-descent.ts, dualCoordinateDescent in svm-linear.ts)
 * step for step: same iteration counts, coefficients equal to rounding. The js solvers stay
 * the oracle and the fallback: a function the loaded addon lacks (an older build, or none)
 * runs the js code and is listed by `delegatedCdKernels()`, never silently.
 *
 * Also here: CdRandom, the generator both languages share for the sample and coordinate
 * order, so a seeded fit visits the same order natively and in js.
 */
import { loadAddon } from '../backends/cpu/addon.js';
import { TensileError } from '../errors.js';
import { HostRandom } from './model-selection.js';

/**
 * xoshiro128** (Blackman and Vigna; 32-bit words, so js and C++ compute the same bits):
 * cheap enough for liblinear's per-sweep permutation, which draws one number per sample per
 * sweep (the Philox HostRandom spends a block cipher call on every two). `s` is the state,
 * handed to the addon and updated by it.
 */
export class CdRandom {
  readonly s: Uint32Array;

  constructor(state: ArrayLike<number>) {
    this.s = Uint32Array.from(state);
    if (this.s.length !== 4) throw new TensileError('CdRandom', `the state must be 4 words, got ${this.s.length}`);
    // The all-zero state is xoshiro's fixed point.
    if ((this.s[0] | this.s[1] | this.s[2] | this.s[3]) === 0) this.s[0] = 1;
  }

  /** Seeded from a user seed (validated as HostRandom does), else from the global generator. */
  static from(op: string, seed: unknown): CdRandom {
    const h = HostRandom.from(op, seed);
    return new CdRandom([h.nextUint32(), h.nextUint32(), h.nextUint32(), h.nextUint32()]);
  }

  nextUint32(): number {
    const s = this.s;
    const x = Math.imul(s[1], 5);
    const r = Math.imul((x << 7) | (x >>> 25), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = (s[3] << 11) | (s[3] >>> 21);
    return r;
  }

  /** Uniform integer in [0, n): floor((u/2³²)·n), two roundings C++ repeats exactly. */
  int(n: number): number {
    return Math.floor((this.nextUint32() / 4294967296) * n);
  }
}

/** The addon's coordinate-descent exports (native/src/ml/cd_napi.cc). */
export interface CdAddon {
  /** Lasso/ElasticNet on row-major x [n, p], y [n, t]; coef [t, p] in/out; stats [2t]: sweeps and unscaled gap per target. */
  enetFit(x: Float64Array, n: number, p: number, y: Float64Array, t: number, fitIntercept: boolean, l1: number, l2: number,
    maxIter: number, tol: number, positive: boolean, rng: Uint32Array | null, coef: Float64Array, xOffset: Float64Array,
    yOffset: Float64Array, stats: Float64Array): void;
  /** LinearSVC one-vs-rest on row-major x [n, p], class indices cls [n] of k; bias 0: no intercept. */
  linearSvcFit(x: Float64Array, n: number, p: number, cls: Int32Array, k: number, C: number, hinge: boolean, bias: number,
    tol: number, maxIter: number, rng: Uint32Array, coef: Float64Array, intercept: Float64Array, iters: Float64Array): void;
  /**
   * LogisticRegression's binary loss terms in one pass over row-major x [n, p]: z = x·w + b,
   * r = σ(z) − y, grad = Σ rᵢxᵢ, sums = [Σ softplus(zᵢ) − yᵢzᵢ, Σ rᵢ] (no penalty).
   */
  logisticBinary(x: Float64Array, n: number, p: number, y: Float64Array, w: Float64Array, b: number,
    r: Float64Array, grad: Float64Array, sums: Float64Array): void;
}
export type CdKernelName = keyof CdAddon;
export const CD_KERNELS: readonly CdKernelName[] = ['enetFit', 'linearSvcFit', 'logisticBinary'];

let loaded: { addon: Partial<CdAddon> | null; delegated: CdKernelName[] } | undefined;
let enabled = true;

function table(): { addon: Partial<CdAddon> | null; delegated: CdKernelName[] } {
  if (!loaded) {
    const load = loadAddon();
    const addon = load.addon as unknown as Partial<CdAddon> | null;
    loaded = { addon, delegated: CD_KERNELS.filter((k) => typeof addon?.[k] !== 'function') };
  }
  return loaded;
}

/** The fits this process runs in js because the addon lacks them (all of them without an addon). */
export function delegatedCdKernels(): readonly CdKernelName[] {
  return table().delegated;
}

/**
 * Switches the native fits off (false: every fit runs the js solvers) or back on; returns the
 * previous setting. For tests comparing the two paths.
 */
export function setNativeCd(on: boolean): boolean {
  const was = enabled;
  enabled = on;
  return was;
}

/**
 * The addon's function, wrapped so its plain "name: why" Errors become TensileErrors naming
 * it; null when the js solver must run (no such function, or native fits switched off).
 */
export function nativeCd<K extends CdKernelName>(name: K): CdAddon[K] | null {
  if (!enabled) return null;
  const addon = table().addon;
  const f = addon?.[name] as ((...a: unknown[]) => void) | undefined;
  if (typeof f !== 'function') return null;
  return ((...args: unknown[]) => {
    try {
      f.apply(addon, args);
    } catch (e) {
      // Not `instanceof Error`: the addon's errors may come from another realm (jest's vm).
      const msg = typeof (e as { message?: unknown })?.message === 'string' ? (e as Error).message : String(e);
      const m = /^(\w+): (.*)$/s.exec(msg);
      throw new TensileError(name, m && m[1] === name ? m[2] : msg);
    }
  }) as CdAddon[K];
}

/** maxIter as the addon takes it (< 2^31; more sweeps than that never run anyway). */
export function iterLimit(maxIter: number): number {
  return Math.min(maxIter, 2147483647);
}

/**
 * The harness the conformance suites share: a seeded generator, operands laid out at random
 * over storages (permuted, gapped, flipped, offset, broadcast), running one kernel call on the
 * js oracle and on a target backend, and comparing whole storages.
 */
import type { Backend, View } from '../lib/backends/backend.js';
import { getBackend } from '../lib/device.js';
import { allocArray, type DType, type TypedArray } from '../lib/dtype.js';

const js = getBackend('js');

// ---------------------------------------------------------------------------------------------
// Seeded generator (sfc32): every case gets its own seed, printed on failure.

export class Rng {
  private a: number; private b: number; private c: number; private d: number;
  constructor(readonly seed: number) {
    this.a = 0x9e3779b9; this.b = 0x243f6a88; this.c = 0xb7e15162; this.d = seed >>> 0;
    for (let i = 0; i < 16; i++) this.u32();
  }
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }
  next(): number { return this.u32() / 4294967296; }
  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number { return lo + Math.floor(this.next() * (hi - lo + 1)); }
  uniform(lo: number, hi: number): number { return lo + (hi - lo) * this.next(); }
  pick<T>(xs: readonly T[]): T { return xs[Math.floor(this.next() * xs.length)]; }
  chance(p: number): boolean { return this.next() < p; }
  shuffle<T>(xs: T[]): T[] {
    for (let i = xs.length - 1; i > 0; i--) { const j = this.int(0, i); [xs[i], xs[j]] = [xs[j], xs[i]]; }
    return xs;
  }
}

// ---------------------------------------------------------------------------------------------
// Operands: a logical shape over a storage laid out at random.

export interface LayoutOpts {
  /** Probability that the view is non-contiguous (permuted, gapped, flipped, offset). */
  noncontig?: number;
  /** Per-dim probability that a dim of size > 1 broadcasts (stride 0): inputs only. */
  broadcast?: number;
  /** Only these dims may broadcast. */
  bcastDims?: readonly number[];
  /** Contiguous, but at a random offset inside a padded storage. */
  offset?: boolean;
}

export interface Spec {
  dtype: DType;
  shape: number[];
  strides: number[];
  offset: number;
  data: TypedArray; // the whole storage
}

export function layout(rng: Rng, shape: readonly number[], o: LayoutOpts): { strides: number[]; offset: number; size: number } {
  const r = shape.length;
  const nc = rng.chance(o.noncontig ?? 0);
  const order = [...Array(r).keys()]; // memory order, outermost first
  if (nc && rng.chance(0.6)) rng.shuffle(order);
  const strides = new Array<number>(r).fill(0);
  let acc = 1;
  for (let j = r - 1; j >= 0; j--) {
    const d = order[j];
    const mayB = o.bcastDims ? o.bcastDims.includes(d) : true;
    if (shape[d] > 1 && mayB && rng.chance(o.broadcast ?? 0)) { strides[d] = 0; continue; }
    if (shape[d] === 1 && nc && rng.chance(0.4)) { strides[d] = rng.int(-50, 50); continue; } // any stride is fine
    const gap = nc && rng.chance(0.3) ? rng.int(2, 3) : 1;
    const mag = acc * gap;
    acc = mag * Math.max(shape[d], 1);
    strides[d] = nc && rng.chance(0.3) ? -mag : mag;
  }
  let lo = 0, hi = 0;
  if (!shape.includes(0)) {
    for (let d = 0; d < r; d++) {
      const e = (shape[d] - 1) * strides[d];
      if (e < 0) lo += e; else hi += e;
    }
  }
  const padded = nc || !!o.offset;
  const pad = padded ? rng.int(0, 5) : 0;
  const offset = pad - lo;
  const size = offset + hi + 1 + (padded ? rng.int(0, 3) : 0);
  return { strides, offset, size };
}

export type Gen = (rng: Rng) => number;

export function makeSpec(rng: Rng, dtype: DType, shape: readonly number[], o: LayoutOpts, gen: Gen): Spec {
  const l = layout(rng, shape, o);
  const data = allocArray(dtype, l.size);
  for (let i = 0; i < l.size; i++) data[i] = gen(rng);
  return { dtype, shape: shape.slice(), strides: l.strides, offset: l.offset, data };
}

/** The same operand with its data mapped (e.g. |x| for error bounds). */
export function mapSpec(s: Spec, f: (v: number) => number, dtype: DType = s.dtype): Spec {
  const data = allocArray(dtype, s.data.length);
  for (let i = 0; i < data.length; i++) data[i] = f(s.data[i]);
  return { ...s, dtype, data };
}

export function numel(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

export function randShape(rng: Rng, minRank = 0, maxRank = 4, maxDim = 6, pZero = 0.05): number[] {
  const r = rng.int(minRank, maxRank);
  const s: number[] = [];
  for (let i = 0; i < r; i++) s.push(rng.chance(pZero) ? 0 : rng.chance(0.2) ? 1 : rng.int(2, maxDim));
  return s;
}

export const FLOAT_SPECIALS = [NaN, Infinity, -Infinity, 0, -0, 0.5, -0.5, 1.5, 2.5, -2.5, 1, -1, 1e-30, 1e30, 88, -104, 710, 1e-310];
export const INT_SPECIALS = [0, 1, -1, 2147483647, -2147483648, 65536, -65537];

export function genFor(dtype: DType, pSpecial = 0.08, range = 3): Gen {
  if (dtype === 'bool') return (r) => (r.chance(0.5) ? 1 : 0);
  if (dtype === 'int32') return (r) => (r.chance(pSpecial) ? r.pick(INT_SPECIALS) : r.int(-15, 15));
  return (r) => (r.chance(pSpecial) ? r.pick(FLOAT_SPECIALS) : r.uniform(-range, range));
}

// ---------------------------------------------------------------------------------------------
// Running a case on both backends and comparing.

export function place(b: Backend, s: Spec): View {
  const buf = b.alloc(s.dtype, s.data.length);
  b.write(buf, s.data);
  return { buf, dtype: s.dtype, shape: s.shape, strides: s.strides, offset: s.offset };
}

export async function runOn(b: Backend, specs: readonly Spec[], outs: readonly number[], call: (b: Backend, v: View[]) => void): Promise<TypedArray[]> {
  const views = specs.map((s) => place(b, s));
  try {
    call(b, views);
    return await Promise.all(outs.map((i) => b.read(views[i].buf)));
  } finally {
    for (const v of views) b.free(v.buf);
  }
}

export function describeSpecs(specs: readonly Spec[], names: readonly string[]): string {
  return specs.map((s, i) => `${names[i] ?? `arg${i}`}: ${s.dtype}${JSON.stringify(s.shape)} strides ${JSON.stringify(s.strides)} offset ${s.offset} (storage ${s.data.length})`).join('; ');
}

export interface Tol {
  rtol: number;
  atol: number;
  /** Per-element extra absolute tolerance (error bounds from |A||B| and the like). */
  abs?: ArrayLike<number>;
  /** Signed zeros must match (exact elementwise semantics). */
  zeroSign?: boolean;
}
export const EXACT: Tol = { rtol: 0, atol: 0, zeroSign: true };

// Hot loops avoid Math.abs / Number.isFinite: under jest's vm context those cross-realm
// builtins are not inlined and cost ~100x on million-element comparisons.
export const abs = (x: number): number => (x < 0 ? -x : x);
export const finite = (x: number): boolean => x - x === 0;
export const fmt = (x: number): string => (Object.is(x, -0) ? '-0' : String(x));

/** Returns a description of the first few mismatches, or null. */
export function mismatches(got: ArrayLike<number>, want: ArrayLike<number>, tol: Tol): string | null {
  if (got.length !== want.length) return `storage length ${got.length}, want ${want.length}`;
  const bad: string[] = [];
  let count = 0;
  const { rtol, atol, zeroSign } = tol;
  const extra = tol.abs;
  for (let i = 0; i < want.length; i++) {
    const g = got[i], w = want[i];
    let ok: boolean;
    if (g === w) ok = !(zeroSign && g === 0 && 1 / g !== 1 / w);
    else if (w !== w) ok = g !== g;
    else if (!finite(w) || !finite(g)) ok = false;
    else ok = abs(g - w) <= atol + rtol * abs(w) + (extra ? extra[i] : 0);
    if (!ok) {
      count++;
      if (bad.length < 4) bad.push(`[${i}] got ${fmt(g)}, want ${fmt(w)}` + (finite(w) && finite(g) ? ` (diff ${abs(g - w).toExponential(2)})` : ''));
    }
  }
  return count ? `${count} mismatched element(s): ${bad.join(', ')}` : null;
}

/** Collects failures of one test so they are all reported together (at most 12 printed). */
export class Failures {
  readonly list: string[] = [];
  add(msg: string): void { this.list.push(msg); }
  check(): void {
    if (this.list.length) {
      const shown = this.list.slice(0, 12).join('\n\n');
      throw new Error(`${this.list.length} failing case(s):\n\n${shown}`);
    }
  }
}

/**
 * Runs `call` on js and on the target over identical storages and compares the storages listed
 * in `outs` (whole storages, so writes outside the view show up).
 */
export async function compareCase(
  f: Failures, target: Backend, label: string, specs: readonly Spec[], names: readonly string[], outs: readonly number[],
  call: (b: Backend, v: View[]) => void, tol: Tol | ((want: TypedArray[]) => Tol), wantIn?: TypedArray[],
): Promise<TypedArray[] | undefined> {
  const ctx = () => `${label}\n  ${describeSpecs(specs, names)}`;
  let want: TypedArray[];
  try {
    want = wantIn ?? await runOn(js, specs, outs, call);
  } catch (e) {
    f.add(`${ctx()}\n  the js oracle threw (test bug?): ${(e as Error).message}`);
    return undefined;
  }
  let got: TypedArray[];
  try {
    got = await runOn(target, specs, outs, call);
  } catch (e) {
    f.add(`${ctx()}\n  ${target.name} threw: ${(e as Error).message}`);
    return want;
  }
  const t = typeof tol === 'function' ? tol(want) : tol;
  outs.forEach((o, k) => {
    const m = mismatches(got[k], want[k], t);
    if (m) f.add(`${ctx()}\n  ${names[o] ?? `arg${o}`}: ${m}`);
  });
  return want;
}


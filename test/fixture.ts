/** Loading committed reference values (test/fixtures/*.json) and comparing against them. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tn from '../lib/index.js';

export interface FixtureTensor { dtype: tn.DType; shape: number[]; data: (number | boolean | string)[] }
export interface FixtureRecord {
  name: string;
  op: string;
  inputs: FixtureTensor[];
  attrs: Record<string, unknown>;
  expected: FixtureTensor | FixtureTensor[];
  tol?: { rtol?: number; atol?: number };
}

export function loadFixture(file: string): { records: FixtureRecord[] } {
  return JSON.parse(readFileSync(join(__dirname, 'fixtures', file), 'utf8'));
}

export function decode(v: number | boolean | string): number {
  if (v === 'nan') return NaN;
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  return typeof v === 'boolean' ? Number(v) : Number(v);
}

export function fixtureTensor(t: FixtureTensor, device?: tn.DeviceName): tn.Tensor {
  return tn.tensor(t.data.map(decode), { dtype: t.dtype, shape: t.shape, device });
}

/** Max violation of |a-b| <= atol + rtol*|b| (NaN matches NaN, inf matches inf). */
export function compareArrays(got: ArrayLike<number>, want: ArrayLike<number>, rtol: number, atol: number): string | null {
  if (got.length !== want.length) return `length ${got.length} vs ${want.length}`;
  for (let i = 0; i < want.length; i++) {
    const g = got[i], w = want[i];
    if (Number.isNaN(w)) { if (!Number.isNaN(g)) return `[${i}]: got ${g}, want NaN`; continue; }
    if (!Number.isFinite(w)) { if (g !== w) return `[${i}]: got ${g}, want ${w}`; continue; }
    if (!(Math.abs(g - w) <= atol + rtol * Math.abs(w))) return `[${i}]: got ${g}, want ${w} (rtol ${rtol}, atol ${atol})`;
  }
  return null;
}

export const DEFAULT_TOL: Record<tn.DType, { rtol: number; atol: number }> = {
  float32: { rtol: 1e-5, atol: 1e-6 },
  float64: { rtol: 1e-10, atol: 1e-12 },
  int32: { rtol: 0, atol: 0 },
  bool: { rtol: 0, atol: 0 },
};

/** Asserts t equals the fixture tensor in dtype, shape and values. */
export function expectMatches(t: tn.Tensor, want: FixtureTensor, tol?: { rtol?: number; atol?: number }): void {
  expect({ dtype: t.dtype, shape: [...t.shape] }).toEqual({ dtype: want.dtype, shape: want.shape });
  const d = DEFAULT_TOL[want.dtype];
  const err = compareArrays(t.dataSync(), want.data.map(decode), tol?.rtol ?? d.rtol, tol?.atol ?? d.atol);
  if (err) throw new Error(`values differ at ${err}`);
}

/** A seeded uniform [0, 1) generator (mulberry32) for tests that draw host-side inputs. */
export function seededUniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

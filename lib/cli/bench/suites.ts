/**
 * The suites of `tensile bench`: their cases (one serialisable spec per case, shared by every
 * runner, the python peers included), the unit each reports and which peers take part.
 */

export type Spec =
  | { kind: 'matmul'; m: number; k: number; n: number }
  | { kind: 'elementwise'; op: 'add' | 'mul' | 'relu'; n: number }
  | { kind: 'reduce'; shape: number[]; axis: number | null }
  | { kind: 'mlp'; sizes: number[]; batch: number; lr: number }
  | { kind: 'overhead'; op: 'add'; read: boolean };

export interface Case {
  /** row label, unique within the suite */
  id: string;
  spec: Spec;
  /** floating-point operations (matmul) or bytes read + written (elementwise, reduce) per call */
  work?: number;
}

export type Unit = 'GFLOP/s' | 'GB/s' | 'steps/s' | 'µs';

export interface Suite {
  name: SuiteName;
  title: string;
  unit: Unit;
  cases: Case[];
  /** the python peers that run this suite */
  pythonPeers: PythonPeer[];
}

export const SUITE_NAMES = ['matmul', 'elementwise', 'reduce', 'mlp', 'overhead'] as const;
export type SuiteName = (typeof SUITE_NAMES)[number];
export type PythonPeer = 'numpy' | 'torch';
export const PYTHON_PEERS: readonly PythonPeer[] = ['numpy', 'torch'];
export const TFJS_PEERS = ['tfjs-wasm', 'tfjs-cpu', 'tfjs-webgpu'] as const;

/** Higher is better for every unit but time. */
export const higherIsBetter = (u: Unit): boolean => u !== 'µs';

/** The figure a unit reports for a case measured at `seconds` per call. */
export function figure(unit: Unit, c: Case, seconds: number): number {
  switch (unit) {
    case 'GFLOP/s': case 'GB/s': return c.work! / seconds / 1e9;
    case 'steps/s': return 1 / seconds;
    case 'µs': return seconds * 1e6;
  }
}

const F32 = 4;
const M = 1 << 20;
const size = (n: number) => (n >= M ? `${n / M}M` : n >= 1024 ? `${n / 1024}K` : `${n}`);

function matmulCase(m: number, k: number, n: number, id?: string): Case {
  return { id: id ?? `${m}x${k} @ ${k}x${n}`, spec: { kind: 'matmul', m, k, n }, work: 2 * m * k * n };
}

export function buildSuites(quick: boolean): Suite[] {
  const squares = quick ? [16, 32] : [64, 128, 256, 512, 1024, 2048];
  const mlpShaped = quick ? [8, 24, 16] : [128, 784, 256];
  const ewSizes = quick ? [1024, 4096] : [M, 16 * M];
  const side = quick ? 64 : 4096;
  const flat = quick ? 4096 : 16 * M;
  const mlpSizes = quick ? [32, 16, 16, 10] : [784, 256, 256, 10];
  const batch = quick ? 8 : 128;

  const elementwise: Case[] = [];
  for (const op of ['add', 'mul', 'relu'] as const) {
    for (const n of ewSizes) {
      elementwise.push({ id: `${op} ${size(n)}`, spec: { kind: 'elementwise', op, n }, work: (op === 'relu' ? 2 : 3) * n * F32 });
    }
  }
  const reduce: Case[] = [
    { id: `sum ${side}x${side} all`, spec: { kind: 'reduce', shape: [side, side], axis: null }, work: (side * side + 1) * F32 },
    { id: `sum ${side}x${side} axis=-1`, spec: { kind: 'reduce', shape: [side, side], axis: -1 }, work: (side * side + side) * F32 },
    { id: `sum ${side}x${side} axis=0`, spec: { kind: 'reduce', shape: [side, side], axis: 0 }, work: (side * side + side) * F32 },
    { id: `sum ${size(flat)} 1-D`, spec: { kind: 'reduce', shape: [flat], axis: null }, work: (flat + 1) * F32 },
  ];
  return [
    {
      name: 'matmul', title: 'float32 matmul, GFLOP/s = 2mkn / t', unit: 'GFLOP/s', pythonPeers: ['numpy', 'torch'],
      cases: [...squares.map((n) => matmulCase(n, n, n, `n=${n}`)), matmulCase(mlpShaped[0], mlpShaped[1], mlpShaped[2])],
    },
    { name: 'elementwise', title: 'float32 elementwise, GB/s counting bytes read + written', unit: 'GB/s', pythonPeers: ['numpy', 'torch'], cases: elementwise },
    { name: 'reduce', title: 'float32 sum, GB/s counting bytes read + written', unit: 'GB/s', pythonPeers: ['numpy', 'torch'], cases: reduce },
    {
      name: 'mlp', title: `MLP training step (ReLU, softmax cross-entropy, Adam, float32), steps/s`, unit: 'steps/s', pythonPeers: ['torch'],
      cases: [{ id: `${mlpSizes.join('-')} batch ${batch}`, spec: { kind: 'mlp', sizes: mlpSizes, batch, lr: 1e-3 } }],
    },
    {
      name: 'overhead', title: 'per-op time of a 1-element add (JS call to result), µs (lower is better)', unit: 'µs', pythonPeers: ['numpy', 'torch'],
      cases: [
        { id: 'add 1 elem', spec: { kind: 'overhead', op: 'add', read: false } },
        { id: 'add 1 elem + read value', spec: { kind: 'overhead', op: 'add', read: true } },
      ],
    },
  ];
}

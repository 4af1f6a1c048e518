/**
 * Kernel specialisations as data: the matmul tile configurations (and which one a shape gets
 * on an adapter) and the WGSL fragments that turn the reduce template into each reduction.
 */
import type { ReduceOp } from '../backend.js';
import type { Kind } from './ops.js';

/** Matmul tile configurations; `auto` picks by shape class. Tests force each one. */
export const MATMUL_CONFIGS = {
  // 128x128 tiles, 8x8 outputs per thread: for large products on real GPUs.
  xl: { TM: 128, TN: 128, TK: 8, RM: 8, RN: 8 },
  large: { TM: 64, TN: 64, TK: 16, RM: 4, RN: 4 },
  small: { TM: 32, TN: 32, TK: 16, RM: 2, RN: 2 },
} as const;

/** The tile configuration for a product's shape on this adapter. */
export function chooseMatmulConfig(M: number, N: number, software: boolean): keyof typeof MATMUL_CONFIGS {
  if (!software && M >= 512 && N >= 512) return 'xl';
  return M * N >= 64 * 64 * 8 ? 'large' : 'small';
}
export type MatmulConfigName = keyof typeof MATMUL_CONFIGS | 'auto';

/** WGSL fragments of each reduction: accumulator init, per-element absorb, tree combine. */
export function reduceSpec(op: ReduceOp, acc: Kind): { init: string; absorb: string; combine: string; result: (k: Kind) => string } {
  const lowest = acc === 'f32' ? 'f32_bits(0xff800000u)' : 'i32(-2147483647 - 1)';
  const highest = acc === 'f32' ? 'f32_bits(0x7f800000u)' : 'i32(2147483647)';
  const cast = (k: Kind, e: string) => (k === acc ? e : `${k}(${e})`);
  const pair = (better: string) =>
    `let ov = sv[lid.x + s]; let oi = si[lid.x + s];
      if (oi >= 0 && (si[lid.x] < 0 || ov ${better} sv[lid.x] || (ov == sv[lid.x] && oi < si[lid.x]))) { sv[lid.x] = ov; si[lid.x] = oi; }`;
  switch (op) {
    case 'sum':
      return {
        init: `${acc}(0)`,
        // Kahan summation per thread for floats.
        absorb: acc === 'f32' ? 'let y = v - comp; let t = acc + y; comp = (t - acc) - y; acc = t;' : 'acc = acc + v;',
        combine: 'sv[lid.x] = sv[lid.x] + sv[lid.x + s];',
        result: (k) => cast(k, 'sv[0]'),
      };
    case 'prod':
      return { init: `${acc}(1)`, absorb: 'acc = acc * v;', combine: 'sv[lid.x] = sv[lid.x] * sv[lid.x + s];', result: (k) => cast(k, 'sv[0]') };
    case 'max':
      return { init: lowest, absorb: 'acc = max(acc, v);', combine: 'sv[lid.x] = max(sv[lid.x], sv[lid.x + s]);', result: (k) => cast(k, 'sv[0]') };
    case 'min':
      return { init: highest, absorb: 'acc = min(acc, v);', combine: 'sv[lid.x] = min(sv[lid.x], sv[lid.x + s]);', result: (k) => cast(k, 'sv[0]') };
    case 'argmax':
      return { init: lowest, absorb: 'if (best_i < 0 || v > acc) { acc = v; best_i = i32(j); }', combine: pair('>'), result: () => 'si[0]' };
    case 'argmin':
      return { init: highest, absorb: 'if (best_i < 0 || v < acc) { acc = v; best_i = i32(j); }', combine: pair('<'), result: () => 'si[0]' };
  }
}

/**
 * Kernel specialisations as data: the matmul tile configurations (and which one a shape gets
 * on an adapter) and the WGSL fragments that turn the reduce template into each reduction.
 */
import type { MatmulOptions, ReduceOp, View } from '../backend.js';
import type { Kind } from './ops.js';

/**
 * Matmul tile configurations (kernels/matmul.wgsl): TM x TN outputs per workgroup, TK deep
 * staged tiles, RM x RN outputs per thread. RM, RN, TK are multiples of 4 (the kernel works
 * in vec4 rows). `auto` picks per adapter and shape (chooseMatmulConfig); tests force each.
 */
export const MATMUL_CONFIGS = {
  // GPUs: 256 or 64 threads per workgroup, 8x8 or 4x4 outputs per thread.
  xl: { TM: 128, TN: 128, TK: 8, RM: 8, RN: 8 },
  large: { TM: 64, TN: 64, TK: 16, RM: 4, RN: 4 },
  small: { TM: 32, TN: 32, TK: 16, RM: 4, RN: 4 },
  // CPU adapters: few threads, 16x16 (8x8) outputs per thread.
  cpu128: { TM: 128, TN: 128, TK: 16, RM: 16, RN: 16 },
  cpu64: { TM: 64, TN: 64, TK: 16, RM: 16, RN: 16 },
  cpu32: { TM: 32, TN: 32, TK: 16, RM: 8, RN: 8 },
} as const;
export type MatmulConfigName = keyof typeof MATMUL_CONFIGS | 'auto';

/** What chooseMatmulConfig needs to know of the adapter (context.ts fills it). */
export interface AdapterProfile {
  /** A CPU implementation of WebGPU (lavapipe, SwiftShader). */
  readonly software: boolean;
  /** CPU threads that run workgroups side by side (a software adapter's thread pool). */
  readonly cores: number;
  readonly maxInvocations: number;
  readonly maxWorkgroupStorage: number;
}

/**
 * The tile configuration for an M x N product on this adapter. The rule:
 * - a software adapter runs a workgroup on one CPU core, a subgroup of invocations as the
 *   lanes of SIMD registers, and workgroup memory is ordinary cache: what costs is reading
 *   staged values lane by lane and the loop around each FMA, not a lack of threads. So a
 *   thread computes 16x16 outputs (each vec4 read from a tile feeds 16 to 64 FMAs; on
 *   lavapipe (AVX2 lanes) this ran about twice
 *   as fast as 8x8 and 3-4x as fast as 4x4, while 32x16 spilled and ran 10x slower), in the
 *   largest tile that M and N fill (128, 64, else 32 with 8x8 per thread: padding a small
 *   product to a big tile computes zeros) and that still gives every core a workgroup
 *   (128x128x128 ran 1.1-1.3x faster as four 64x64 tiles on 2 cores than as one 128x128);
 * - a GPU needs many threads in flight: xl (8x8 per thread) only when M, N >= 512 (at least
 *   16 of its 128x128 tiles), large (64x64) for mid-sized products, small (32x32) below.
 * A configuration over the adapter's workgroup limits is never picked (small always fits
 * WebGPU's minimum limits).
 */
export function chooseMatmulConfig(M: number, N: number, batch: number, adapter: AdapterProfile): keyof typeof MATMUL_CONFIGS {
  const fits = (c: keyof typeof MATMUL_CONFIGS) => {
    const { TM, TN, TK, RM, RN } = MATMUL_CONFIGS[c];
    return (TM / RM) * (TN / RN) <= adapter.maxInvocations && 4 * TK * (TM + TN) <= adapter.maxWorkgroupStorage;
  };
  const order: (keyof typeof MATMUL_CONFIGS)[] = adapter.software ? ['cpu128', 'cpu64', 'cpu32'] : ['xl', 'large', 'small'];
  const want = adapter.software
    ? (c: keyof typeof MATMUL_CONFIGS) => {
      const t = MATMUL_CONFIGS[c].TM;
      return Math.min(M, N) >= t && Math.ceil(M / t) * Math.ceil(N / t) * batch >= adapter.cores;
    }
    : (c: keyof typeof MATMUL_CONFIGS) => (c === 'xl' ? M >= 512 && N >= 512 : c === 'large' ? M * N >= 64 * 64 * 8 : true);
  return order.find((c) => want(c) && fits(c)) ?? (fits(order[order.length - 1]) ? order[order.length - 1] : 'small');
}

/**
 * How an operand reaches its staged tile: element by element ('scalar'), or as vec4 loads
 * along the rows/columns axis of op(A)/op(B) ('mn') or along K ('k').
 */
export type VecAxis = 'scalar' | 'mn' | 'k';

/**
 * The vec4 axis of an operand seen as element (i, k) at offset + i * si + k * sk + batch
 * strides, i < li, k < lk: an axis qualifies when its stride is 1, its extent a multiple of
 * 4, and the offset and every other stride (of a dimension longer than 1) multiples of 4,
 * so that each vec4 starts at a multiple of 4 and lies wholly inside the operand or wholly
 * outside the bounds checked by the kernel.
 */
export function vecAxis(offset: number, si: number, sk: number, li: number, lk: number, batch: readonly [number, number][]): VecAxis {
  const al = (s: number, n: number) => n === 1 || s % 4 === 0;
  if (offset % 4 !== 0 || !batch.every(([s, n]) => al(s, n))) return 'scalar';
  if (sk === 1 && lk % 4 === 0 && al(si, li)) return 'k';
  if (si === 1 && li % 4 === 0 && al(sk, lk)) return 'mn';
  return 'scalar';
}

/**
 * The vec axes of a product's operands (kernels/matmul.wgsl's A, B) and whether C is written
 * as vec4s; `out` is contiguous along N (the kernel's contract).
 */
export function matmulVecAxes(a: View, b: View, out: View, o: MatmulOptions): { a: VecAxis; b: VecAxis; out: boolean } {
  const r = out.shape.length;
  const M = out.shape[r - 2], N = out.shape[r - 1];
  const K = o.transA ? a.shape[r - 2] : a.shape[r - 1];
  const bat = (v: View) => out.shape.slice(0, r - 2).map((n, d) => [v.strides[d], n] as [number, number]);
  const [ai, ak] = o.transA ? [a.strides[r - 1], a.strides[r - 2]] : [a.strides[r - 2], a.strides[r - 1]];
  const [bk, bj] = o.transB ? [b.strides[r - 1], b.strides[r - 2]] : [b.strides[r - 2], b.strides[r - 1]];
  return {
    a: vecAxis(a.offset, ai, ak, M, K, bat(a)),
    b: vecAxis(b.offset, bj, bk, N, K, bat(b)),
    out: out.strides[r - 1] === 1 && vecAxis(out.offset, out.strides[r - 2], 1, M, N, bat(out)) === 'k',
  };
}

/** The WGSL of load_a/load_b (name) from buffer X for a vec axis; see kernels/matmul.wgsl. */
function matmulLoader(name: string, X: string, axis: VecAxis): string {
  const sig = `fn ${name}(o: i32, si: i32, sk: i32, li: u32, lk: u32, i0: u32, k0: u32) -> Block {\n  var blk: Block;`;
  switch (axis) {
    case 'scalar':
      return `${sig}
  for (var q = 0u; q < 4u; q++) {
    let k = k0 + q;
    if (k >= lk) { break; }
    for (var p = 0u; p < 4u; p++) {
      let i = i0 + p;
      if (i < li) { blk[q][p] = ${X}[u32(o + i32(i) * si + i32(k) * sk)]; }
    }
  }
  return blk;
}`;
    case 'mn': // si == 1: one vec4 per k-row, wholly in or out (li % 4 == 0)
      return `${sig}
  if (i0 < li) {
    for (var q = 0u; q < 4u; q++) {
      let k = k0 + q;
      if (k < lk) { blk[q] = ${X}[u32(o + i32(i0) + i32(k) * sk) / 4u]; }
    }
  }
  return blk;
}`;
    case 'k': // sk == 1: one vec4 of 4 k per row, transposed into the block (lk % 4 == 0)
      return `${sig}
  if (k0 < lk) {
    for (var p = 0u; p < 4u; p++) {
      let i = i0 + p;
      if (i < li) { blk[p] = ${X}[u32(o + i32(i) * si + i32(k0)) / 4u]; }
    }
  }
  return Block(V(blk[0].x, blk[1].x, blk[2].x, blk[3].x), V(blk[0].y, blk[1].y, blk[2].y, blk[3].y),
    V(blk[0].z, blk[1].z, blk[2].z, blk[3].z), V(blk[0].w, blk[1].w, blk[2].w, blk[3].w));
}`;
  }
}

/** The fill of kernels/matmul.wgsl: element kind, tile configuration, loaders, store. */
export function matmulFill(k: Kind, config: keyof typeof MATMUL_CONFIGS, a: VecAxis, b: VecAxis, vecOut: boolean): Record<string, string> {
  const fill: Record<string, string> = Object.fromEntries(Object.entries(MATMUL_CONFIGS[config]).map(([n, v]) => [n, String(v)]));
  const vec = (on: boolean) => (on ? `vec4<${k}>` : k);
  return {
    ...fill,
    T: k, A_T: vec(a !== 'scalar'), B_T: vec(b !== 'scalar'), OUT_T: vec(vecOut),
    MAD: k === 'f32' ? 'fma(a, bv[c], acc[r4 * 4u + p][c])' : 'acc[r4 * 4u + p][c] + a * bv[c]',
    LOAD_A: matmulLoader('load_a', 'A', a),
    LOAD_B: matmulLoader('load_b', 'B', b),
    STORE: vecOut
      ? 'fn store_out(o: i32, n: u32, v: V) { out[u32(o) / 4u] = v; }'
      : 'fn store_out(o: i32, n: u32, v: V) {\n  for (var p = 0u; p < min(n, 4u); p++) { out[u32(o) + p] = v[p]; }\n}',
  };
}

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

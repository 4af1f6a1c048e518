/**
 * The webgpu storage (a lazily allocated buffer, or a pending fused chain) and the small
 * helpers every kernel launcher uses to reach it.
 */
import type { Storage, View } from '../backend.js';
import type { DType } from '../../dtype.js';
import { TensileError } from '../../errors.js';
import type { Fused } from './fusion.js';
import type { Kind } from './ops.js';

export class GpuStorage implements Storage {
  readonly device = 'webgpu' as const;
  /** Allocated when first written (a fused result that is freed unread never gets one). */
  buffer: GPUBuffer | null = null;
  /** An elementwise chain recorded for this storage and not computed yet (fusion.ts). */
  pending: Fused<GpuStorage> | null = null;
  /** Storages whose pending chains read this one: they are computed before it is written. */
  readonly consumers = new Set<GpuStorage>();
  freed = false;
  constructor(readonly dtype: DType, readonly size: number) {}
}

const KIND: { [K in DType]: Kind | null } = { float32: 'f32', int32: 'i32', bool: 'u32', float64: null };

export function kindOf(op: string, d: DType): Kind {
  const k = KIND[d];
  if (!k) throw new TensileError(op, 'float64 tensors cannot live on webgpu (WGSL has no f64); cast to float32 or keep them on cpu');
  return k;
}

export function storageOf(v: View | Storage): GpuStorage {
  const s = 'buf' in v ? v.buf : v;
  if (!(s instanceof GpuStorage)) throw new TensileError('webgpu', `expected a webgpu storage, got one on '${s.device}'`);
  return s;
}

export function isContiguousFull(v: View, size: number): boolean {
  if (v.offset !== 0) return false;
  let st = 1;
  for (let i = v.shape.length - 1; i >= 0; i--) {
    if (v.shape[i] !== 1 && v.strides[i] !== st) return false;
    st *= v.shape[i];
  }
  return st === size;
}

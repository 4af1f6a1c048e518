/**
 * The kernel interface ("kernel ABI") every backend implements completely. Backends know
 * nothing of tensors or autograd: they see storages and strided views. Ops (lib/ops) check
 * arguments, infer shapes, allocate outputs and call exactly one kernel family each.
 */
import type { DType, TypedArray } from '../dtype.js';

export type DeviceName = 'js' | 'cpu' | 'webgpu';
export const DEVICES: readonly DeviceName[] = ['js', 'cpu', 'webgpu'];

/** A backend's buffer. Opaque to the core except for what is declared here. */
export interface Storage {
  readonly device: DeviceName;
  readonly dtype: DType;
  /** Number of elements. */
  readonly size: number;
}

/**
 * Where a tensor's elements are and how to walk them. Strides are in elements; a stride of 0
 * broadcasts. Transpose, slice, expand and squeeze are views: they cost nothing.
 */
export interface View {
  readonly buf: Storage;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
}

// The op unions are closed: each backend's tables are typed { [K in UnaryOp]: ... } so a
// missing entry fails to compile, and the lists let tests enumerate them at run time.
export const UNARY_OPS = [
  'neg', 'exp', 'log', 'sqrt', 'rsqrt', 'abs', 'sign', 'sin', 'cos', 'tanh', 'sigmoid', 'relu',
  'square', 'reciprocal', 'floor', 'ceil', 'round', 'log1p', 'expm1', 'erf', 'erfc', 'logicalNot',
] as const;
export type UnaryOp = (typeof UNARY_OPS)[number];

export const BINARY_OPS = [
  'add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum',
  'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'logicalAnd', 'logicalOr',
] as const;
export type BinaryOp = (typeof BINARY_OPS)[number];
/** Binary ops whose output is bool whatever the input dtype. */
export const COMPARISON_OPS: readonly BinaryOp[] = ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'logicalAnd', 'logicalOr'];

export const REDUCE_OPS = ['sum', 'prod', 'max', 'min', 'argmax', 'argmin'] as const;
export type ReduceOp = (typeof REDUCE_OPS)[number];

export type RandomDist = 'uniform' | 'normal';

export interface MatmulOptions {
  /** Use a's last two dims transposed: a is stored [..., K, M]. */
  readonly transA: boolean;
  /** Use b's last two dims transposed: b is stored [..., N, K]. */
  readonly transB: boolean;
}

/** Every kernel a backend must provide. The test in test/backends.test.ts enumerates this list. */
export const KERNELS = [
  'alloc', 'free', 'write', 'read', 'readSync',
  'unary', 'binary', 'where', 'reduce', 'matmul', 'gather', 'scatterAdd',
  'copy', 'fill', 'random', 'softmax', 'logSoftmax', 'adamUpdate',
] as const;
export type KernelName = (typeof KERNELS)[number];

/** Scalars of one fused Adam/AdamW step (the bias corrections are folded in by the caller). */
export interface AdamUpdateOptions {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  /** AdamW: p ← p·(1 − lr·wd) instead of adding wd·p to the gradient. */
  readonly decoupled: boolean;
  readonly maximize: boolean;
  readonly lr: number;
  /** lr / (1 − β1ᵗ). */
  readonly stepSize: number;
  /** √(1 − β2ᵗ). */
  readonly biasCorrection2Sqrt: number;
}

export interface Backend {
  readonly name: DeviceName;
  /** Kernels this backend runs by calling another backend's code, listed so tests print them. */
  readonly delegated: readonly string[];

  alloc(dtype: DType, size: number): Storage;
  free(s: Storage): void;
  /** Copies host data into the storage (same dtype, same length). */
  write(s: Storage, data: TypedArray): void;
  read(s: Storage): Promise<TypedArray>;
  /** Synchronous read; backends that cannot (webgpu) throw a TensileError saying to await. */
  readSync(s: Storage): TypedArray;
  /**
   * The storage's own memory, without a copy, where it lives in this process (js, cpu); absent
   * where it does not (webgpu). Library code reads a live tensor through it (Tensor.hostView).
   */
  hostArray?(s: Storage): TypedArray;

  /** out = op(x); x and out have out's shape (x may broadcast by stride 0). */
  unary(op: UnaryOp, x: View, out: View): void;
  /** out = op(a, b); a and b share a dtype and have out's shape (broadcast by stride 0). */
  binary(op: BinaryOp, a: View, b: View, out: View): void;
  /** out = cond ? a : b, all with out's shape. */
  where(cond: View, a: View, b: View, out: View): void;
  /**
   * Reduces x over `axes` (sorted, distinct) into out, which is contiguous with x's shape less
   * those axes. argmax/argmin take exactly one axis and write int32 (first extreme wins).
   * Float reductions accumulate in float64.
   */
  reduce(op: ReduceOp, x: View, axes: readonly number[], out: View): void;
  /**
   * Batched matmul. a: [...B, M, K] (or [...B, K, M] with transA), b: [...B, K, N] (or
   * [...B, N, K] with transB), out: contiguous [...B, M, N]. a and b have out's batch rank,
   * broadcast batch dims carry stride 0. Any strides in the matrix dims.
   */
  matmul(a: View, b: View, out: View, o: MatmulOptions): void;
  /** out[i] = x[i with i[axis] := index[i]]; index (int32) and out share a shape. */
  gather(x: View, index: View, axis: number, out: View): void;
  /** out[i with i[axis] := index[i]] += src[i]; index (int32) and src share a shape. */
  scatterAdd(index: View, src: View, axis: number, out: View): void;
  /** Strided copy, converting dtype when x and out differ (float → int32 truncates). */
  copy(x: View, out: View): void;
  fill(out: View, value: number): void;
  /**
   * Philox4x32-10 counter-based draws: element i of out (row-major) uses block
   * counter + floor(i / 4), word i % 4, so every device gives the same bits for a seed.
   */
  random(out: View, dist: RandomDist, seed: number, counter: number): void;
  /** Fused softmax along one axis (max-subtracted, float64 accumulation). */
  softmax(x: View, axis: number, out: View): void;
  /** Fused log-softmax along one axis (x - max - log(sum(exp(x - max)))). */
  logSoftmax(x: View, axis: number, out: View): void;
  /**
   * One Adam/AdamW step in place, as torch.optim.Adam's single-tensor code, element by
   * element in the tensors' dtype (so float32 rounds as the composed ops do). All views are
   * contiguous with the same size; vmax (amsgrad) may be null.
   */
  adamUpdate(param: View, grad: View, m: View, v: View, vmax: View | null, o: AdamUpdateOptions): void;
}

/**
 * Tensor: a strided view (shape, strides, offset) of a reference-counted storage on one
 * device, plus autograd state. Op methods (add, matmul, ...) are attached in ops/methods.ts.
 */
import type { Backend, DeviceName, View } from './backends/backend.js';
import type { DType, TypedArray } from './dtype.js';
import { TensileError, fmtShape } from './errors.js';
import { type StorageRef, newStorageRef, trackTensor, untrackTensor } from './memory.js';
import { contiguousStrides, isContiguous, sizeOf } from './shape.js';
import { formatTensor } from './format.js';
import type { GradNode } from './autograd/node.js';
import { runBackward } from './autograd/backward.js';
import { getBackend } from './device.js';

let nextId = 1;

/** Nested JS arrays as returned by `array()`. */
export type NestedArray = number | boolean | NestedArray[];

export class Tensor {
  readonly id = nextId++;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
  readonly dtype: DType;
  /** @internal the shared storage */
  readonly ref: StorageRef;
  /** Whether gradients flow to this tensor. Set with `requiresGrad_()` or the creation option. */
  requiresGrad = false;
  /** Accumulated gradient after `backward()` (leaves, and tensors that called `retainGrad()`). */
  grad: Tensor | null = null;
  /** @internal the op that made this tensor, for backward */
  node: GradNode | null = null;
  /** @internal keep .grad on a non-leaf */
  retainsGrad = false;
  private disposed = false;

  /** @internal use the creation functions (tn.tensor, tn.zeros, ...) */
  constructor(ref: StorageRef, shape: readonly number[], dtype: DType, strides?: readonly number[], offset = 0) {
    this.ref = ref;
    this.shape = Object.freeze([...shape]);
    this.strides = Object.freeze(strides ? [...strides] : contiguousStrides(shape));
    this.offset = offset;
    this.dtype = dtype;
    trackTensor(this, ref);
  }

  get device(): DeviceName { return this.ref.backend.name; }
  get size(): number { return sizeOf(this.shape); }
  get rank(): number { return this.shape.length; }
  /** True for tensors not produced by a recorded op (inputs and parameters). */
  get isLeaf(): boolean { return this.node === null; }
  get isDisposed(): boolean { return this.disposed; }
  get isContiguous(): boolean { return isContiguous(this.shape, this.strides); }

  /** @internal the backend that owns this tensor's storage */
  get backend(): Backend { return this.ref.backend; }

  /** @internal the kernel-facing view; throws if disposed */
  view(op = 'tensor'): View {
    this.assertAlive(op);
    return { buf: this.ref.buf, dtype: this.dtype, shape: this.shape, strides: this.strides, offset: this.offset };
  }

  /** @internal */
  assertAlive(op: string, arg = 'x'): void {
    if (this.disposed) {
      throw new TensileError(op, `argument '${arg}' (tensor #${this.id}, shape ${fmtShape(this.shape)}) was used after dispose()`);
    }
  }

  /** Frees this tensor's storage (shared storage is freed when its last view goes). Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    untrackTensor(this, this.ref);
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /** @internal contiguous host copy of exactly this view's elements */
  private readHostSync(op: string): TypedArray {
    this.assertAlive(op);
    const b = this.ref.backend;
    if (this.offset === 0 && this.isContiguous && this.size === this.ref.buf.size) return b.readSync(this.ref.buf);
    // A contiguous part of host memory (a row slice): one copy, not a gather and a read.
    const host = this.isContiguous ? b.hostArray?.(this.ref.buf) : undefined;
    if (host) return host.slice(this.offset, this.offset + this.size);
    const tmp = b.alloc(this.dtype, this.size);
    try {
      b.copy(this.view(op), { buf: tmp, dtype: this.dtype, shape: this.shape, strides: contiguousStrides(this.shape), offset: 0 });
      return b.readSync(tmp);
    } finally {
      b.free(tmp);
    }
  }

  private async readHost(op: string): Promise<TypedArray> {
    this.assertAlive(op);
    const b = this.ref.backend;
    if (this.offset === 0 && this.isContiguous && this.size === this.ref.buf.size) return b.read(this.ref.buf);
    const tmp = b.alloc(this.dtype, this.size);
    try {
      b.copy(this.view(op), { buf: tmp, dtype: this.dtype, shape: this.shape, strides: contiguousStrides(this.shape), offset: 0 });
      return await b.read(tmp);
    } finally {
      b.free(tmp);
    }
  }

  /**
   * The elements, row-major, as a fresh TypedArray (Float32Array, Float64Array, Int32Array, or
   * Uint8Array for bool). Works on every device.
   * @example const values = await t.data();
   */
  async data(): Promise<TypedArray> { return this.readHost('data'); }
  /** Synchronous `data()`; js and cpu only (webgpu throws, saying to await `data()`). */
  dataSync(): TypedArray { return this.readHostSync('dataSync'); }

  /**
   * @internal The tensor's elements as a view of its storage, without a copy, when it is
   * contiguous and its memory lives in this process (js, cpu); null otherwise (webgpu, strided
   * views). Valid while the tensor is alive; writing through it bypasses autograd.
   */
  hostView(): TypedArray | null {
    this.assertAlive('hostView');
    const host = this.ref.backend.hostArray?.(this.ref.buf);
    return host && this.isContiguous ? host.subarray(this.offset, this.offset + this.size) : null;
  }
  /** Nested JS arrays (booleans for bool tensors); a number for a 0-d tensor. */
  async array(): Promise<NestedArray> { return toNested(await this.data(), this.shape, this.dtype); }
  arraySync(): NestedArray { return toNested(this.dataSync(), this.shape, this.dtype); }
  /** The single value of a one-element tensor. */
  async item(): Promise<number | boolean> { this.checkItem('item'); return toNested(await this.data(), [], this.dtype) as number; }
  itemSync(): number | boolean { this.checkItem('itemSync'); return toNested(this.dataSync(), [], this.dtype) as number; }
  private checkItem(op: string): void {
    if (this.size !== 1) throw new TensileError(op, `needs a tensor with exactly one element, got shape ${fmtShape(this.shape)}`);
  }

  /** A readable rendering of the values, like PyTorch's repr. */
  toString(): string {
    if (this.disposed) return `Tensor(disposed, shape=${fmtShape(this.shape)}, dtype=${this.dtype})`;
    let values: TypedArray;
    try {
      values = this.dataSync();
    } catch {
      return `Tensor(shape=${fmtShape(this.shape)}, dtype=${this.dtype}, device='${this.device}')`;
    }
    // As PyTorch: the device is named unless it is the cpu.
    let suffix = this.device === 'cpu' ? '' : `, device='${this.device}'`;
    if (this.requiresGrad) suffix += this.node ? `, gradFn=${this.node.op}` : ', requiresGrad=true';
    return formatTensor(values, this.shape, this.dtype, { suffix });
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  /**
   * Back-propagates from this tensor, accumulating into `.grad` of the leaves that require
   * gradients. A non-scalar tensor needs `grad` (the vector in the vector-Jacobian product).
   * @example loss.backward(); w.grad
   */
  backward(grad?: Tensor, opts: { retainGraph?: boolean; createGraph?: boolean } = {}): void {
    runBackward(this, grad, opts);
  }

  /** Keep `.grad` on this non-leaf tensor during backward. */
  retainGrad(): this {
    if (!this.isLeaf) this.retainsGrad = true;
    return this;
  }

  /** Disposes and clears `.grad`. */
  zeroGrad(): void {
    if (this.grad) this.grad.dispose();
    this.grad = null;
  }

  /**
   * Sets requiresGrad in place (float tensors only: integers have no gradient).
   * @example const w = tn.zeros([3]).requiresGrad_();
   */
  requiresGrad_(on = true): this {
    if (on && this.dtype !== 'float32' && this.dtype !== 'float64') {
      throw new TensileError('requiresGrad_', `only float tensors can require gradients, got dtype ${this.dtype}`);
    }
    if (!on && !this.isLeaf) throw new TensileError('requiresGrad_', 'cannot turn off requiresGrad on a non-leaf tensor; use detach()');
    this.requiresGrad = on;
    return this;
  }

  /** A view of the same storage cut off from the graph. */
  detach(): Tensor {
    this.assertAlive('detach');
    return new Tensor(this.ref, this.shape, this.dtype, this.strides, this.offset);
  }

  /**
   * Moves (copies) the tensor to another device, synchronously between js and cpu. The result
   * is a leaf: it does not carry this tensor's graph.
   * @example const c = t.to('cpu');
   */
  to(device: DeviceName): Tensor {
    this.assertAlive('to');
    if (device === this.device) return this;
    const target = getBackend(device, 'to');
    if (this.device === 'webgpu') {
      throw new TensileError('to', `leaving webgpu is asynchronous: use await t.toAsync('${device}')`);
    }
    return fromHost(target, this.readHostSync('to'), this.shape, this.dtype);
  }

  /** `to()` that also works from webgpu (reading back asynchronously). */
  async toAsync(device: DeviceName): Promise<Tensor> {
    this.assertAlive('toAsync');
    if (device === this.device) return this;
    const target = getBackend(device, 'toAsync');
    return fromHost(target, await this.readHost('toAsync'), this.shape, this.dtype);
  }
}

/** @internal a new contiguous tensor holding host data */
export function fromHost(backend: Backend, data: TypedArray, shape: readonly number[], dtype: DType): Tensor {
  const buf = backend.alloc(dtype, data.length);
  backend.write(buf, data);
  return new Tensor(newRef(backend, buf), shape, dtype);
}

function newRef(backend: Backend, buf: ReturnType<Backend['alloc']>): StorageRef {
  return newStorageRef(backend, buf);
}

/** @internal a fresh contiguous tensor with uninitialised contents */
export function emptyTensor(backend: Backend, shape: readonly number[], dtype: DType): Tensor {
  return new Tensor(newRef(backend, backend.alloc(dtype, sizeOf(shape))), shape, dtype);
}

function toNested(data: TypedArray, shape: readonly number[], dtype: DType): NestedArray {
  const conv = dtype === 'bool' ? (v: number) => v !== 0 : (v: number) => v;
  if (shape.length === 0) return conv(data[0]);
  let i = 0;
  const build = (d: number): NestedArray[] => {
    const out: NestedArray[] = [];
    for (let k = 0; k < shape[d]; k++) out.push(d === shape.length - 1 ? conv(data[i++]) : build(d + 1));
    return out;
  };
  return build(0);
}


/**
 * Runs kernels on the GPU without waiting: dispatches are recorded into one open compute
 * pass and submitted when data is read, or when a batch of them is pending (the GPU starts
 * while the CPU still encodes), never once per op. Each dispatch's parameters take one
 * 256-byte slot of a uniform buffer written just before the submit. Buffers are pooled by
 * size class; a freed buffer rejoins the pool only after the next submit, so a queued write
 * can never overtake an earlier, still-unsubmitted reader.
 */
import type { GpuContext } from './context.js';

const SLOT_BYTES = 256;
const SLOT_INTS = SLOT_BYTES / 4;
/** Dispatches per submit. */
export const BATCH = 64;

export class Executor {
  readonly device: GPUDevice;
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private readonly params: Int32Array = new Int32Array(BATCH * SLOT_INTS);
  private readonly paramBuf: GPUBuffer;
  private slots = 0;
  private readonly pool = new Map<number, GPUBuffer[]>();
  private releasing: GPUBuffer[] = [];
  private pooledBytes = 0;
  private readonly bindLayouts = new WeakMap<GPUComputePipeline, GPUBindGroupLayout>();
  /** A flag kernels raise on bad input (an index out of range); checked on every read. */
  readonly status: GPUBuffer;
  statusKernel = '';
  /** Bytes currently allocated on the device, pooled buffers included. */
  allocatedBytes = 0;
  submits = 0;
  dispatches = 0;

  constructor(readonly ctx: GpuContext) {
    this.device = ctx.device;
    this.paramBuf = this.device.createBuffer({ size: BATCH * SLOT_BYTES, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    this.status = this.device.createBuffer({ size: 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
  }

  /** Power-of-two size classes from 256 bytes: at most 2x waste, few distinct sizes. */
  static sizeClass(bytes: number): number {
    let c = 256;
    while (c < bytes) c *= 2;
    return c;
  }

  createBuffer(bytes: number): GPUBuffer {
    const size = Executor.sizeClass(Math.max(bytes, 4));
    const list = this.pool.get(size);
    const b = list?.pop();
    if (b) { this.pooledBytes -= size; return b; }
    this.allocatedBytes += size;
    return this.device.createBuffer({ size, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
  }

  releaseBuffer(b: GPUBuffer): void {
    this.releasing.push(b);
  }

  private recycle(): void {
    for (const b of this.releasing) {
      // Keep up to 512 MiB idle; beyond that give memory back to the driver.
      if (this.pooledBytes + b.size > 512 * 2 ** 20) { this.allocatedBytes -= b.size; b.destroy(); continue; }
      let list = this.pool.get(b.size);
      if (!list) this.pool.set(b.size, (list = []));
      list.push(b);
      this.pooledBytes += b.size;
    }
    this.releasing = [];
  }

  /**
   * Records one dispatch. `params` fills the kernel's parameter slot; `buffers` are bound at
   * bindings 1.. in order; `groups` is [x, y, z] workgroups.
   */
  dispatch(pipeline: GPUComputePipeline, params: Int32Array, buffers: readonly GPUBuffer[], groups: readonly [number, number, number]): void {
    if (this.slots === BATCH) this.flush();
    this.dispatches++;
    const slot = this.slots++;
    this.params.set(params.subarray(0, SLOT_INTS), slot * SLOT_INTS);
    let layout = this.bindLayouts.get(pipeline);
    if (!layout) this.bindLayouts.set(pipeline, (layout = pipeline.getBindGroupLayout(0)));
    const entries: GPUBindGroupEntry[] = [{ binding: 0, resource: { buffer: this.paramBuf, offset: slot * SLOT_BYTES, size: SLOT_BYTES } }];
    buffers.forEach((buffer, i) => entries.push({ binding: i + 1, resource: { buffer } }));
    const group = this.device.createBindGroup({ layout, entries });
    if (!this.encoder) this.encoder = this.device.createCommandEncoder();
    if (!this.pass) this.pass = this.encoder.beginComputePass();
    this.pass.setPipeline(pipeline);
    this.pass.setBindGroup(0, group);
    this.pass.dispatchWorkgroups(groups[0], groups[1], groups[2]);
  }

  /** Splits n workgroups over a 2-D grid (at most 65,535 per dimension). */
  static grid(n: number): [number, number, number] {
    if (n <= 65535) return [Math.max(n, 1), 1, 1];
    const y = Math.ceil(n / 65535);
    return [Math.ceil(n / y), y, 1];
  }

  /** Submits everything pending. */
  flush(): void {
    if (this.pass) { this.pass.end(); this.pass = null; }
    if (!this.encoder) { this.recycle(); return; }
    if (this.slots > 0) this.device.queue.writeBuffer(this.paramBuf, 0, this.params.buffer, 0, this.slots * SLOT_BYTES);
    this.device.queue.submit([this.encoder.finish()]);
    this.submits++;
    this.encoder = null;
    this.slots = 0;
    this.recycle();
  }

  write(b: GPUBuffer, data: ArrayBufferView): void {
    // Queued writes land before any later submit and after every earlier one; recycled
    // buffers have no unsubmitted readers (see the file comment).
    this.device.queue.writeBuffer(b, 0, data.buffer, data.byteOffset, data.byteLength);
  }

  // Readback buffers are reused by size class: creating and destroying a mappable buffer per
  // read costs more than the read itself for small tensors.
  private readonly staging = new Map<number, GPUBuffer[]>();
  private takeStaging(bytes: number): GPUBuffer {
    const size = Executor.sizeClass(bytes);
    const b = this.staging.get(size)?.pop();
    return b ?? this.device.createBuffer({ size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  }
  private giveStaging(b: GPUBuffer): void {
    let list = this.staging.get(b.size);
    if (!list) this.staging.set(b.size, (list = []));
    if (list.length < 4 && b.size <= 64 * 2 ** 20) list.push(b);
    else b.destroy();
  }

  /** Copies `bytes` from b to the host, submitting pending work first. */
  async read(b: GPUBuffer, bytes: number): Promise<ArrayBuffer> {
    if (this.pass) { this.pass.end(); this.pass = null; }
    if (!this.encoder) this.encoder = this.device.createCommandEncoder();
    const size = Math.max(4, Math.ceil(bytes / 4) * 4);
    const staging = this.takeStaging(size + 4);
    this.encoder.copyBufferToBuffer(b, 0, staging, 0, size);
    this.encoder.copyBufferToBuffer(this.status, 0, staging, size, 4);
    this.encoder.clearBuffer(this.status);
    this.flush();
    await staging.mapAsync(GPUMapMode.READ, 0, size + 4);
    const range = staging.getMappedRange(0, size + 4);
    const out = range.slice(0, bytes);
    const flag = new Uint32Array(range, size, 1)[0];
    staging.unmap();
    this.giveStaging(staging);
    if (flag !== 0) throw new Error(`${this.statusKernel || 'gather'}: an index was out of range (detected on webgpu)`);
    return out;
  }
}

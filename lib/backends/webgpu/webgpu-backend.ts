/**
 * The `webgpu` device: every kernel of the interface as a WGSL compute shader from kernels/,
 * filled from small templates and cached per specialisation. float32, int32 and bool (stored
 * as u32); WGSL has no f64, so float64 tensors cannot live here.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type {
  AdamUpdateOptions, Backend, BinaryOp, MatmulOptions, RandomDist, ReduceOp, Storage, UnaryOp, View,
} from '../backend.js';
import { COMPARISON_OPS } from '../backend.js';
import type { DType, TypedArray } from '../../dtype.js';
import { TensileError } from '../../errors.js';
import type { GpuContext } from './context.js';
import { Executor } from './executor.js';
import { BINARY_F32, BINARY_I32, ELEMENTWISE_HELPERS, UNARY_F32, UNARY_I32, castExpr, type Kind } from './ops.js';
import { type Arg, type Fused, type Leaf, MAX_LEAVES, MAX_NODES, addLeaf, generate, inline } from './fusion.js';
import { MATMUL_CONFIGS, type MatmulConfigName, chooseMatmulConfig, matmulFill, matmulVecAxes, reduceSpec } from './specs.js';

export { MATMUL_CONFIGS, type MatmulConfigName, chooseMatmulConfig } from './specs.js';
export { GpuStorage } from './storage.js';
import { GpuStorage, isContiguousFull, kindOf, storageOf } from './storage.js';

const MAX_RANK = 8;

export interface WebGpuBackend extends Backend {
  readonly adapterName: string;
  readonly executor: Executor;
  /** Forces a matmul tile configuration ('auto' restores the choice per adapter and shape). */
  setMatmulConfig(name: MatmulConfigName): void;
  /** The shader variant of the last matmul: config, kind, A/B load axes, C store (for tests). */
  lastMatmul: string;
  /** Submits pending work and waits until the GPU has finished it. */
  sync(): Promise<void>;
  /** Turns elementwise fusion on or off (on by default; off dispatches every op at once). */
  setFusion(on: boolean): void;
}

export function createWebGpuBackend(ctx: GpuContext): WebGpuBackend {
  const ex = new Executor(ctx);
  const device = ctx.device;
  const kernelsDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'kernels');
  const sources = new Map<string, string>();
  const source = (name: string) => {
    let s = sources.get(name);
    if (s === undefined) sources.set(name, (s = readFileSync(join(kernelsDir, `${name}.wgsl`), 'utf8')));
    return s;
  };
  let lastError: string | null = null;
  device.addEventListener?.('uncapturederror', (e: Event) => {
    lastError = (e as GPUUncapturedErrorEvent).error.message;
  });

  const pipelines = new Map<string, GPUComputePipeline>();
  function pipeline(key: string, template: string, fill: Record<string, string>): GPUComputePipeline {
    let p = pipelines.get(key);
    if (p) return p;
    let code = source('common') + '\n' + source(template);
    for (const [k, v] of Object.entries(fill)) code = code.split(`{{${k}}}`).join(v);
    const module = device.createShaderModule({ code, label: key });
    p = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' }, label: key });
    pipelines.set(key, p);
    return p;
  }

  // ---- storages: lazy buffers, pending chains, deferred release ----
  let fusion = process.env.TENSILE_WEBGPU_FUSION !== '0';
  const ensureBuffer = (s: GpuStorage): GPUBuffer => (s.buffer ??= ex.createBuffer(s.size * 4));
  /** The buffer of a storage about to be read: its pending chain is computed first. */
  function buf(v: View | Storage): GPUBuffer {
    const s = storageOf(v);
    if (s.pending) materialize(s);
    return ensureBuffer(s);
  }
  /** The buffer of a storage about to be written: chains that read it are computed first. */
  function wbuf(v: View | Storage): GPUBuffer {
    const s = storageOf(v);
    for (const c of [...s.consumers]) materialize(c);
    return buf(s);
  }
  function releaseIfUnused(s: GpuStorage): void {
    if (!s.freed || s.consumers.size || s.pending) return;
    if (s.buffer) ex.releaseBuffer(s.buffer);
    s.buffer = null;
  }
  function detach(s: GpuStorage, f: Fused<GpuStorage>): void {
    for (const l of f.leaves) {
      l.s.consumers.delete(s);
      releaseIfUnused(l.s);
    }
  }
  /** Computes a storage's pending chain with one generated kernel. */
  function materialize(s: GpuStorage): void {
    const f = s.pending!;
    s.pending = null;
    const out = ensureBuffer(s);
    const distinct: GpuStorage[] = [];
    const index = (ls: GpuStorage) => {
      let i = distinct.indexOf(ls);
      if (i < 0) { distinct.push(ls); i = distinct.length - 1; }
      return i;
    };
    const fill = generate(f, index);
    const key = `fused:${fill.TOUT}|${fill.BINDINGS}|${fill.BODY}|${fill.RESULT}|${f.leaves.length}`;
    const p = pipeline(key, 'fused', { ...fill, HELPERS: ELEMENTWISE_HELPERS });
    const n = putShape(f.shape, 'webgpu');
    f.leaves.forEach((l, k) => putView(k, l.view));
    ex.dispatch(p, params, [out, ...distinct.map((d) => buf(d))], groupsFor(n));
    detach(s, f);
  }

  /**
   * Records an elementwise op into `out`'s pending chain when `out` is a fresh contiguous
   * storage; returns false (the caller dispatches it now) otherwise.
   */
  function record(inputs: { v: View; kind: Kind; as: Kind }[], expr: string, out: View): boolean {
    const os = storageOf(out);
    if (!fusion || os.buffer || os.pending || os.consumers.size || out.shape.length > MAX_RANK || !isContiguousFull(out, os.size)) return false;
    if (inputs.some((i) => storageOf(i.v) === os)) return false;
    const leaves: Leaf<GpuStorage>[] = [];
    let nodes = 1;
    const args: Arg[] = inputs.map((inp) => {
      const s = storageOf(inp.v);
      const p = s.pending;
      if (p && isContiguousFull(inp.v, s.size) && inp.v.shape.length === out.shape.length && inp.v.shape.every((d, i) => d === out.shape[i])) {
        nodes += p.nodes;
        const root = inline(leaves, p);
        return { node: inp.kind === inp.as ? root : { expr: `${inp.as}(a0)`, args: [{ node: root }] } };
      }
      buf(inp.v); // a leaf holds data
      return { leaf: addLeaf(leaves, { s, view: inp.v, kind: inp.kind, as: inp.as }) };
    });
    if (leaves.length > MAX_LEAVES || nodes > MAX_NODES) return false;
    const f: Fused<GpuStorage> = { leaves, root: { expr, args }, shape: [...out.shape], outKind: kindOf('webgpu', out.dtype), nodes };
    for (const l of leaves) l.s.consumers.add(os);
    os.pending = f;
    return true;
  }

  const params = new Int32Array(64);
  function putShape(shape: readonly number[], op: string): number {
    if (shape.length > MAX_RANK) throw new TensileError(op, `webgpu kernels support up to rank ${MAX_RANK}, got rank ${shape.length}`);
    params.fill(0);
    let n = 1;
    for (const d of shape) n *= d;
    params[0] = n;
    params[1] = shape.length;
    shape.forEach((d, i) => (params[2 + i] = d));
    return n;
  }
  function putView(k: number, v: View, strides: readonly number[] = v.strides): void {
    params[10 + 9 * k] = v.offset;
    strides.forEach((s, i) => (params[11 + 9 * k + i] = s));
  }
  const groupsFor = (threads: number) => Executor.grid(Math.ceil(threads / 256));

  /** One elementwise dispatch: inputs (with their WGSL kinds and the kind they load as), an expression, an output. */
  function elementwise(op: string, key: string, inputs: { v: View; kind: Kind; as: Kind }[], expr: string, out: View, extra?: (p: Int32Array) => void): void {
    const outKind = kindOf(op, out.dtype);
    let size = 1;
    for (const d of out.shape) size *= d;
    if (size === 0) return;
    if (!extra && record(inputs, expr, out)) return;
    const outBuf = wbuf(out);
    const inBufs = inputs.map((i) => buf(i.v));
    const n = putShape(out.shape, op);
    // A buffer cannot be both read-only and writable in one dispatch: an input that aliases
    // the output (in-place ops) is read through `out` instead.
    const aliased = inBufs.map((b) => b === outBuf);
    const bindings: string[] = [];
    const loads: string[] = [];
    const buffers: GPUBuffer[] = [outBuf];
    inputs.forEach((inp, k) => {
      const src = aliased[k] ? 'out' : `in${k}`;
      if (!aliased[k]) {
        bindings.push(`@group(0) @binding(${buffers.length + 1}) var<storage, read> in${k}: array<${inp.kind}>;`);
        buffers.push(inBufs[k]);
      }
      const raw = `${src}[o${k}]`;
      loads.push(`let a${k} = ${inp.kind === inp.as ? raw : `${inp.as}(${raw})`};`);
      putView(k, inp.v);
    });
    putView(3, out);
    extra?.(params);
    const p = pipeline(`ew:${key}:${inputs.map((i, k) => `${i.kind}${i.as}${aliased[k] ? 'a' : ''}`).join(',')}:${outKind}`, 'elementwise', {
      TOUT: outKind, BINDINGS: bindings.join('\n'), LOADS: loads.join('\n  '), OP: expr, HELPERS: ELEMENTWISE_HELPERS,
    });
    ex.dispatch(p, params, buffers, groupsFor(n));
  }

  /** Wraps an expression of kind `from` so it yields kind `to`. */
  const convert = (expr: string, from: Kind, to: Kind) => (from === to ? expr : castExpr(from, to).replace('a0', `(${expr})`));

  const statusKernel = (name: string) => { ex.statusKernel = name; };

  const backend: WebGpuBackend = {
    name: 'webgpu',
    delegated: [],
    adapterName: ctx.adapterName,
    executor: ex,
    setMatmulConfig: (name) => { matmulConfig = name; },
    lastMatmul: '',
    setFusion: (on) => { fusion = on; },
    sync: async () => {
      const b = ex.createBuffer(4);
      await ex.read(b, 4);
      ex.releaseBuffer(b);
    },
    alloc: (dtype: DType, size: number) => {
      kindOf('webgpu', dtype);
      return new GpuStorage(dtype, size);
    },
    free: (st: Storage) => {
      const s = storageOf(st);
      s.freed = true;
      if (s.pending) { const f = s.pending; s.pending = null; detach(s, f); } // never computed: never needed
      releaseIfUnused(s);
    },
    write: (s: Storage, data: TypedArray) => {
      ex.write(wbuf(s), data instanceof Uint8Array ? Uint32Array.from(data) : data);
    },
    read: async (s: Storage) => {
      if (ctx.lost) throw new TensileError('webgpu', `the GPU device was lost (${ctx.lost})`);
      const raw = await ex.read(buf(s), s.size * 4);
      if (lastError) { const e = lastError; lastError = null; throw new TensileError('webgpu', `a kernel failed: ${e}`); }
      switch (s.dtype) {
        case 'float32': return new Float32Array(raw);
        case 'int32': return new Int32Array(raw);
        default: return Uint8Array.from(new Uint32Array(raw));
      }
    },
    readSync: () => {
      throw new TensileError('dataSync', 'webgpu tensors are read asynchronously: use await t.data() (or await t.toAsync(device) to move them)');
    },
    unary: (op: UnaryOp, x: View, out: View) => {
      const k = kindOf(op, x.dtype);
      const calc: Kind = k === 'f32' ? 'f32' : 'i32';
      const expr = (calc === 'f32' ? UNARY_F32 : UNARY_I32)[op];
      const resKind: Kind = op === 'logicalNot' ? 'u32' : calc;
      elementwise(op, op, [{ v: x, kind: k, as: calc }], convert(expr, resKind, kindOf(op, out.dtype)), out);
    },
    binary: (op: BinaryOp, a: View, b: View, out: View) => {
      const k = kindOf(op, a.dtype);
      const calc: Kind = k === 'f32' ? 'f32' : 'i32';
      const expr = (calc === 'f32' ? BINARY_F32 : BINARY_I32)[op];
      const resKind: Kind = COMPARISON_OPS.includes(op) ? 'u32' : calc;
      elementwise(op, op, [{ v: a, kind: k, as: calc }, { v: b, kind: kindOf(op, b.dtype), as: calc }], convert(expr, resKind, kindOf(op, out.dtype)), out);
    },
    where: (c: View, a: View, b: View, out: View) => {
      const k = kindOf('where', a.dtype);
      elementwise('where', 'where', [{ v: c, kind: 'u32', as: 'u32' }, { v: a, kind: k, as: k }, { v: b, kind: kindOf('where', b.dtype), as: k }],
        convert('select(a2, a1, a0 != 0u)', k, kindOf('where', out.dtype)), out);
    },
    copy: (x: View, out: View) => {
      const from = kindOf('copy', x.dtype), to = kindOf('copy', out.dtype);
      elementwise('copy', 'copy', [{ v: x, kind: from, as: from }], castExpr(from, to), out);
    },
    fill: (out: View, value: number) => {
      const k = kindOf('fill', out.dtype);
      const bits = new Int32Array(1);
      if (k === 'f32') new Float32Array(bits.buffer)[0] = value;
      else if (k === 'i32') bits[0] = value | 0;
      else bits[0] = value !== 0 ? 1 : 0;
      elementwise('fill', 'fill', [], `bitcast<${k}>(prm(48u))`, out, (p) => { p[48] = bits[0]; });
    },
    reduce: (op: ReduceOp, x: View, axes: readonly number[], out: View) => {
      const kept: number[] = [], red: number[] = [];
      x.shape.forEach((_, d) => (axes.includes(d) ? red : kept).push(d));
      if (kept.length + red.length > MAX_RANK) throw new TensileError(op, `webgpu kernels support up to rank ${MAX_RANK}`);
      let outSize = 1, redSize = 1;
      for (const d of kept) outSize *= x.shape[d];
      for (const d of red) redSize *= x.shape[d];
      if (outSize === 0) return;
      // A few long reductions: first each of G workgroups per output reduces a chunk into a
      // scratch [outputs, G], then that is reduced (the value ops compose; arg ops do not).
      const chunks = op !== 'argmax' && op !== 'argmin' && outSize <= 256 && redSize >= 1 << 16 ? Math.min(256, Math.ceil(redSize / (1 << 14))) : 1;
      if (chunks > 1) {
        const scratch = backend.alloc(out.dtype, outSize * chunks);
        const sv: View = { buf: scratch, dtype: out.dtype, shape: [outSize * chunks], strides: [1], offset: 0 };
        reducePass(op, x, kept, red, outSize, redSize, sv, chunks);
        backend.reduce(op === 'prod' ? 'prod' : op, { ...sv, shape: [outSize, chunks], strides: [chunks, 1] }, [1], out);
        backend.free(scratch);
        return;
      }
      reducePass(op, x, kept, red, outSize, redSize, out, 1);
    },
    matmul: (a: View, b: View, out: View, o: MatmulOptions) => {
      const k = kindOf('matmul', a.dtype);
      if (k === 'u32') throw new TensileError('matmul', 'bool tensors are not supported');
      const r = out.shape.length;
      const M = out.shape[r - 2], N = out.shape[r - 1];
      const K = o.transA ? a.shape[r - 2] : a.shape[r - 1];
      if (r - 2 > 6) throw new TensileError('matmul', 'webgpu matmul supports up to 6 batch dims');
      let batch = 1;
      for (let d = 0; d < r - 2; d++) batch *= out.shape[d];
      if (batch === 0 || M === 0 || N === 0) return;
      if (batch > 65535) throw new TensileError('matmul', `webgpu matmul supports up to 65535 batches, got ${batch}`);
      const bufs = [wbuf(out), buf(a), buf(b)];
      params.fill(0);
      params[0] = M; params[1] = N; params[2] = K; params[3] = r - 2;
      for (let d = 0; d < r - 2; d++) {
        params[4 + d] = out.shape[d];
        params[11 + d] = a.strides[d];
        params[18 + d] = b.strides[d];
        params[25 + d] = out.strides[d];
      }
      params[10] = a.offset; params[17] = b.offset; params[24] = out.offset;
      params[31] = o.transA ? a.strides[r - 1] : a.strides[r - 2];
      params[32] = o.transA ? a.strides[r - 2] : a.strides[r - 1];
      params[33] = o.transB ? b.strides[r - 1] : b.strides[r - 2];
      params[34] = o.transB ? b.strides[r - 2] : b.strides[r - 1];
      params[35] = out.strides[r - 2];
      const name = matmulConfig === 'auto' ? chooseMatmulConfig(M, N, batch, ctx.profile) : matmulConfig;
      const c = MATMUL_CONFIGS[name];
      // vec4 loads and stores where the layouts allow them (specs.ts, vecAxis).
      const v = matmulVecAxes(a, b, out, o);
      backend.lastMatmul = `matmul:${name}:${k}:${v.a}:${v.b}:${v.out ? 'vec4' : 'scalar'}`;
      const p = pipeline(backend.lastMatmul, 'matmul', matmulFill(k, name, v.a, v.b, v.out));
      ex.dispatch(p, params, bufs, [Math.ceil(N / c.TN), Math.ceil(M / c.TM), batch]);
    },
    gather: (x: View, index: View, axis: number, out: View) => {
      const k = kindOf('gather', x.dtype);
      const bufs = [wbuf(out), buf(x), buf(index), ex.status];
      const n = putShape(out.shape, 'gather');
      if (n === 0) return;
      const xs = [...x.strides];
      xs[axis] = 0;
      putView(0, x, xs);
      putView(1, index);
      putView(3, out);
      params[48] = x.strides[axis];
      params[49] = x.shape[axis];
      statusKernel('gather');
      ex.dispatch(pipeline(`gather:${k}`, 'gather', { T: k }), params, bufs, groupsFor(n));
    },
    scatterAdd: (index: View, src: View, axis: number, out: View) => {
      const k = kindOf('scatterAdd', src.dtype);
      if (k === 'u32') throw new TensileError('scatterAdd', 'bool tensors are not supported on webgpu');
      const bufs = [wbuf(out), buf(index), buf(src), ex.status];
      const n = putShape(src.shape, 'scatterAdd');
      if (n === 0) return;
      const os = [...out.strides];
      os[axis] = 0;
      putView(0, index);
      putView(1, src);
      putView(3, out, os);
      params[48] = out.strides[axis];
      params[49] = out.shape[axis];
      const add = k === 'i32'
        ? 'atomicAdd(&out[o], s);'
        : 'loop { let old = atomicLoad(&out[o]); let r = atomicCompareExchangeWeak(&out[o], old, bitcast<u32>(bitcast<f32>(old) + s)); if (r.exchanged) { break; } }';
      statusKernel('scatterAdd');
      ex.dispatch(pipeline(`scatterAdd:${k}`, 'scatter_add', { T: k, AT: k === 'i32' ? 'i32' : 'u32', ATOMIC_ADD: add }), params,
        bufs, groupsFor(n));
    },
    random: (out: View, dist: RandomDist, seed: number, counter: number) => {
      if (out.dtype !== 'float32') throw new TensileError('random', `webgpu draws float32, got ${out.dtype}`);
      const ob = wbuf(out);
      const n = putShape(out.shape, 'random');
      if (n === 0) return;
      putView(3, out);
      params[48] = seed | 0; params[49] = Math.floor(seed / 4294967296) | 0;
      params[50] = counter | 0; params[51] = Math.floor(counter / 4294967296) | 0;
      params[52] = dist === 'normal' ? 1 : 0;
      ex.dispatch(pipeline('random', 'random', {}), params, [ob], groupsFor(Math.ceil(n / 4)));
    },
    adamUpdate: (pv: View, g: View, m: View, v: View, vmax: View | null, o: AdamUpdateOptions) => {
      if (pv.dtype !== 'float32') throw new TensileError('adamUpdate', `webgpu updates float32 parameters, got ${pv.dtype}`);
      const bufs = [wbuf(pv), buf(g), wbuf(m), wbuf(v), ...(vmax ? [wbuf(vmax)] : [])];
      const n = pv.shape.reduce((a, b) => a * b, 1);
      if (n === 0) return;
      params.fill(0);
      params[0] = n;
      [pv, g, m, v, vmax].forEach((x, k) => { params[1 + k] = x ? x.offset : 0; });
      const f = new Float32Array(params.buffer, 8 * 4, 9);
      f.set([o.beta1, o.beta2, 1 - o.beta1, 1 - o.beta2, o.eps, o.weightDecay, 1 - o.lr * o.weightDecay, o.biasCorrection2Sqrt, -o.stepSize]);
      params[17] = o.decoupled ? 1 : 0;
      params[18] = o.maximize ? 1 : 0;
      const p = pipeline(`adam:${vmax ? 1 : 0}`, 'adam', vmax
        ? { VMAX_BINDING: '@group(0) @binding(5) var<storage, read_write> vmax: array<f32>;',
            VMAX_UPDATE: 'let ix = u32(prm(5u)) + i; second = max(vmax[ix], vv); vmax[ix] = second;' }
        : { VMAX_BINDING: '', VMAX_UPDATE: '' });
      ex.dispatch(p, params, bufs, groupsFor(n));
    },
    softmax: (x: View, axis: number, out: View) => softmaxRows(x, axis, out, false),
    logSoftmax: (x: View, axis: number, out: View) => softmaxRows(x, axis, out, true),
  };

  let matmulConfig: MatmulConfigName = 'auto';

  /** One reduce dispatch; with chunks > 1 it writes a [outSize, chunks] partial into out. */
  function reducePass(op: ReduceOp, x: View, kept: number[], red: number[], outSize: number, redSize: number, out: View, chunks: number): void {
    const k = kindOf(op, x.dtype);
    const outKind = kindOf(op, out.dtype);
    // Buffers first: computing a pending input writes the shared params block.
    const bufs = [wbuf(out), buf(x)];
    params.fill(0);
    params[0] = outSize; params[1] = kept.length; params[2] = red.length; params[3] = redSize;
    [...kept, ...red].forEach((d, i) => { params[4 + i] = x.shape[d]; params[13 + i] = x.strides[d]; });
    params[12] = x.offset;
    params[21] = out.offset;
    params[22] = chunks;
    params[23] = Math.ceil(redSize / chunks);
    const acc: Kind = k === 'f32' ? 'f32' : 'i32';
    const spec = reduceSpec(op, acc);
    const p = pipeline(`reduce:${op}:${k}:${outKind}`, 'reduce', {
      T: k, TOUT: outKind, ACC: acc, HELPERS: `fn init_acc() -> ${acc} { return ${spec.init}; }`,
      ABSORB: spec.absorb, COMBINE: spec.combine, RESULT: spec.result(outKind),
    });
    ex.dispatch(p, params, bufs, Executor.grid(outSize * chunks));
  }

  function softmaxRows(x: View, axis: number, out: View, log: boolean): void {
    if (x.dtype !== 'float32') throw new TensileError(log ? 'logSoftmax' : 'softmax', `needs float32 on webgpu, got ${x.dtype}`);
    const bufs = [wbuf(out), buf(x)];
    const shape = [...x.shape];
    const len = shape[axis];
    shape[axis] = 1;
    const rows = putShape(shape, 'softmax');
    if (rows === 0 || len === 0) return;
    putView(0, x);
    putView(3, out);
    params[48] = len; params[49] = x.strides[axis]; params[50] = out.strides[axis]; params[51] = log ? 1 : 0;
    ex.dispatch(pipeline('softmax', 'softmax', {}), params, bufs, Executor.grid(rows));
  }

  return backend;
}

/**
 * The native boundary: bad input to the cpu backend's kernels (and to the raw addon) must
 * throw, never crash or read out of bounds. Through the cpu backend the error is a
 * TensileError whose `.op` names the kernel; the raw addon throws plain Errors whose message
 * starts with the kernel name. Run under scripts/test-native-asan.sh so that an out-of-bounds
 * access that happens not to crash still fails.
 *
 * Views and storages are built by hand: offsets and strides that reach past the buffer,
 * negative sizes, values that an Int32Array would silently wrap, unsupported or detached
 * TypedArrays, op codes out of range, bad indices, bad axes, too many dims.
 */
import { BINARY_OPS, UNARY_OPS, type Backend, type Storage, type View } from '../lib/backends/backend.js';
import { CpuStorage } from '../lib/backends/cpu/cpu-backend.js';
import { loadAddon, type NativeAddon } from '../lib/backends/cpu/addon.js';
import { JsStorage } from '../lib/backends/js/js-backend.js';
import { availableDevices, getBackend, unavailableReason } from '../lib/device.js';
import { allocArray, type DType, type TypedArray } from '../lib/dtype.js';
import { TensileError } from '../lib/errors.js';

/** Anything, for calls that deliberately break the static types. */
type Any = any;

const hasCpu = availableDevices().includes('cpu');
if (!hasCpu) {
  test('the native boundary needs the cpu backend', () => {
    if (process.env.TENSILE_REQUIRE_NATIVE === '1') throw new Error(`TENSILE_REQUIRE_NATIVE=1, but cpu is unavailable: ${unavailableReason('cpu')}`);
    console.log(`addon-boundary: the cpu backend is unavailable, nothing to check (${unavailableReason('cpu')})`);
  });
}

function describeThrown(e: unknown): string {
  return e instanceof Error ? `${e.constructor.name}: ${e.message}` : `a non-Error value: ${String(e)}`;
}

/** fn must throw a TensileError with .op === kernel whose message matches every pattern. */
function expectKernelError(fn: () => unknown, kernel: string, ...patterns: RegExp[]): TensileError {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  if (err === undefined) throw new Error(`expected a TensileError from '${kernel}', but the call returned`);
  if (!(err instanceof TensileError)) throw new Error(`expected a TensileError from '${kernel}', got ${describeThrown(err)}`);
  if (err.op !== kernel) throw new Error(`expected a TensileError from '${kernel}', got one from '${err.op}': ${err.message}`);
  expect(err.message.startsWith(`${kernel}: `)).toBe(true);
  for (const p of patterns) expect(err.message).toMatch(p);
  return err;
}

/** fn must throw a plain Error (not a TensileError) whose message matches every pattern. */
function expectPlainError(fn: () => unknown, ...patterns: RegExp[]): Error {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  if (err === undefined) throw new Error(`expected the raw addon to throw, but the call returned (${fn.toString()})`);
  // Errors made by the addon may come from another realm than jest's: check the brand.
  if (Object.prototype.toString.call(err) !== '[object Error]') throw new Error(`expected an Error, got ${describeThrown(err)}`);
  expect(err instanceof TensileError).toBe(false);
  for (const p of patterns) expect((err as Error).message).toMatch(p);
  return err as Error;
}

function contiguous(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) { s[d] = acc; acc *= shape[d]; }
  return s;
}

function storage(dtype: DType, data: TypedArray): CpuStorage {
  return new CpuStorage(dtype, data);
}

function filled(dtype: DType, n: number, f: (i: number) => number = (i) => i % 5): CpuStorage {
  const a = allocArray(dtype, n);
  for (let i = 0; i < n; i++) a[i] = f(i);
  return storage(dtype, a);
}

function view(buf: Storage, shape: number[], strides = contiguous(shape), offset = 0): View {
  return { buf, dtype: buf.dtype, shape, strides, offset };
}

/** A valid call of one kernel, with named operands that the tests then corrupt one at a time. */
interface KernelCase {
  kernel: string;
  /** Fresh, valid operands. */
  make: () => Record<string, View>;
  run: (b: Backend, v: Record<string, View>) => void;
  /** Operands whose strides the kernel ignores (reduce's out is contiguous by contract). */
  offsetOnly?: string[];
}

const CASES: KernelCase[] = [
  { kernel: 'unary', make: () => ({ x: view(filled('float32', 12), [3, 4]), out: view(filled('float32', 12), [3, 4]) }), run: (b, v) => b.unary('exp', v.x, v.out) },
  {
    kernel: 'binary',
    make: () => ({ a: view(filled('float64', 12), [3, 4]), b: view(filled('float64', 4), [3, 4], [0, 1]), out: view(filled('float64', 12), [3, 4]) }),
    run: (b, v) => b.binary('add', v.a, v.b, v.out),
  },
  {
    kernel: 'where',
    make: () => ({ cond: view(filled('bool', 12, (i) => i % 2), [3, 4]), a: view(filled('int32', 12), [3, 4]), b: view(filled('int32', 12), [3, 4]), out: view(filled('int32', 12), [3, 4]) }),
    run: (b, v) => b.where(v.cond, v.a, v.b, v.out),
  },
  { kernel: 'copy', make: () => ({ x: view(filled('float64', 12), [3, 4]), out: view(filled('int32', 12), [3, 4]) }), run: (b, v) => b.copy(v.x, v.out) },
  { kernel: 'fill', make: () => ({ out: view(filled('float32', 12), [3, 4]) }), run: (b, v) => b.fill(v.out, 7) },
  {
    kernel: 'reduce',
    make: () => ({ x: view(filled('float32', 12), [3, 4]), out: view(filled('float32', 3), [3]) }),
    run: (b, v) => b.reduce('sum', v.x, [1], v.out),
    offsetOnly: ['out'],
  },
  {
    kernel: 'matmul',
    make: () => ({ a: view(filled('float32', 15), [3, 5]), b: view(filled('float32', 20), [5, 4]), out: view(filled('float32', 12), [3, 4]) }),
    run: (b, v) => b.matmul(v.a, v.b, v.out, { transA: false, transB: false }),
  },
  {
    kernel: 'gather',
    make: () => ({ x: view(filled('float32', 18), [3, 6]), index: view(filled('int32', 12), [3, 4]), out: view(filled('float32', 12), [3, 4]) }),
    run: (b, v) => b.gather(v.x, v.index, 1, v.out),
  },
  {
    kernel: 'scatterAdd',
    make: () => ({ index: view(filled('int32', 12), [3, 4]), src: view(filled('float64', 12), [3, 4]), out: view(filled('float64', 18), [3, 6]) }),
    run: (b, v) => b.scatterAdd(v.index, v.src, 1, v.out),
  },
  { kernel: 'random', make: () => ({ out: view(filled('float32', 12), [3, 4]) }), run: (b, v) => b.random(v.out, 'normal', 1, 0) },
  { kernel: 'softmax', make: () => ({ x: view(filled('float32', 12), [3, 4]), out: view(filled('float32', 12), [3, 4]) }), run: (b, v) => b.softmax(v.x, 1, v.out) },
  { kernel: 'logSoftmax', make: () => ({ x: view(filled('float64', 12), [3, 4]), out: view(filled('float64', 12), [3, 4]) }), run: (b, v) => b.logSoftmax(v.x, 0, v.out) },
];

/** Ways to break one operand's view or storage. Each must be rejected. */
const VIEW_CORRUPTIONS: { name: string; strides: boolean; apply: (v: View) => View }[] = [
  { name: 'offset one past the end', strides: false, apply: (v) => ({ ...v, offset: v.buf.size }) },
  { name: 'offset far past the end', strides: false, apply: (v) => ({ ...v, offset: 1 << 30 }) },
  { name: 'negative offset', strides: false, apply: (v) => ({ ...v, offset: -1 }) },
  { name: 'offset 2^32 (wraps to 0 in an Int32Array)', strides: false, apply: (v) => ({ ...v, offset: 2 ** 32 }) },
  { name: 'offset NaN', strides: false, apply: (v) => ({ ...v, offset: NaN }) },
  { name: 'fractional offset', strides: false, apply: (v) => ({ ...v, offset: 0.5 }) },
  { name: 'offset -2^31 - 1', strides: false, apply: (v) => ({ ...v, offset: -(2 ** 31) - 1 }) },
  { name: 'inner stride too large', strides: true, apply: (v) => ({ ...v, strides: [...v.strides.slice(0, -1), v.buf.size] }) },
  { name: 'outer stride too large', strides: true, apply: (v) => ({ ...v, strides: [v.buf.size, ...v.strides.slice(1)] }) },
  { name: 'negative stride from offset 0', strides: true, apply: (v) => ({ ...v, offset: 0, strides: v.strides.map((s, d) => (d === v.strides.findIndex((t) => t !== 0) ? -s : s)) }) },
  { name: 'stride 2^31 - 1', strides: true, apply: (v) => ({ ...v, strides: [2 ** 31 - 1, ...v.strides.slice(1)] }) },
  { name: 'stride 2^32 + 1 (wraps to 1)', strides: true, apply: (v) => ({ ...v, strides: [...v.strides.slice(0, -1), 2 ** 32 + 1] }) },
  { name: 'one stride too few', strides: true, apply: (v) => ({ ...v, strides: v.strides.slice(1) }) },
  { name: 'one stride too many', strides: true, apply: (v) => ({ ...v, strides: [...v.strides, 1] }) },
];

function detach(a: TypedArray): void {
  const buf = a.buffer as ArrayBuffer;
  const transfer = (ArrayBuffer.prototype as Any).transfer;
  if (typeof transfer === 'function') transfer.call(buf);
  else structuredClone(buf, { transfer: [buf] });
  expect(a.length).toBe(0);
}

const STORAGE_CORRUPTIONS: { name: string; apply: (v: View) => View; pattern: RegExp }[] = [
  { name: 'an Int16Array', apply: (v) => ({ ...v, buf: storage(v.dtype, new Int16Array(64) as Any) }), pattern: /unsupported TypedArray type/ },
  { name: 'a Uint8ClampedArray', apply: (v) => ({ ...v, buf: storage(v.dtype, new Uint8ClampedArray(64) as Any) }), pattern: /unsupported TypedArray type/ },
  { name: 'a BigInt64Array', apply: (v) => ({ ...v, buf: storage(v.dtype, new BigInt64Array(64) as Any) }), pattern: /unsupported TypedArray type/ },
  { name: 'a DataView', apply: (v) => ({ ...v, buf: storage(v.dtype, new DataView(new ArrayBuffer(256)) as Any) }), pattern: /must be a TypedArray/ },
  { name: 'a plain array', apply: (v) => ({ ...v, buf: storage(v.dtype, Array.from({ length: 64 }, () => 1) as Any) }), pattern: /must be a TypedArray/ },
  { name: 'a js storage', apply: (v) => ({ ...v, buf: new JsStorage(v.dtype, allocArray(v.dtype, 64)) }), pattern: /expected a cpu storage/ },
  {
    name: 'a detached buffer',
    apply: (v) => {
      const a = allocArray(v.dtype, v.buf.size);
      detach(a);
      return { ...v, buf: storage(v.dtype, a) };
    },
    pattern: /buffer of 0|output buffer too small/,
  },
  {
    name: 'a subarray too short for the view (the rest of its buffer is not the view\'s)',
    apply: (v) => {
      const whole = allocArray(v.dtype, v.buf.size + 16);
      return { ...v, buf: storage(v.dtype, whole.subarray(8, 8 + v.buf.size - 1)) };
    },
    pattern: /view reaches|too small/,
  },
];

(hasCpu ? describe : describe.skip)('cpu backend kernels reject bad views and storages with a TensileError naming the kernel', () => {
  const cpu = hasCpu ? getBackend('cpu') : (null as unknown as Backend);

  test.each(CASES.map((c) => [c.kernel, c] as const))('%s: the valid call runs', (_k, c) => {
    c.run(cpu, c.make());
  });

  test.each(CASES.map((c) => [c.kernel, c] as const))('%s: every operand, every view corruption', (_k, c) => {
    const names = Object.keys(c.make());
    let checked = 0;
    for (const name of names) {
      for (const corr of VIEW_CORRUPTIONS) {
        if (corr.strides && c.offsetOnly?.includes(name)) continue;
        const v = c.make();
        v[name] = corr.apply(v[name]);
        try {
          expectKernelError(() => c.run(cpu, v), c.kernel);
        } catch (e) {
          throw new Error(`${c.kernel}, operand '${name}', ${corr.name} (offset ${v[name].offset}, strides ${JSON.stringify(v[name].strides)}): ${(e as Error).message}`);
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(0);
  });

  test.each(CASES.map((c) => [c.kernel, c] as const))('%s: every operand, wrong / detached / foreign storage', (_k, c) => {
    const names = Object.keys(c.make());
    for (const name of names) {
      for (const corr of STORAGE_CORRUPTIONS) {
        const v = c.make();
        v[name] = corr.apply(v[name]);
        try {
          expectKernelError(() => c.run(cpu, v), c.kernel, corr.pattern);
        } catch (e) {
          throw new Error(`${c.kernel}, operand '${name}' backed by ${corr.name}: ${(e as Error).message}`);
        }
      }
    }
  });

  test('a subarray view is bounded by the subarray, and writes stay inside it', () => {
    const whole = new Float32Array(20).fill(-1);
    const sub = whole.subarray(4, 16);
    cpu.fill(view(storage('float32', sub), [3, 4]), 5);
    expect(Array.from(whole.subarray(0, 4))).toEqual([-1, -1, -1, -1]);
    expect(Array.from(whole.subarray(16))).toEqual([-1, -1, -1, -1]);
    expect(Array.from(sub)).toEqual(new Array(12).fill(5));
    expectKernelError(() => cpu.fill(view(storage('float32', sub), [13]), 5), 'fill', /view reaches/);
    expect(Array.from(whole.subarray(16))).toEqual([-1, -1, -1, -1]);
  });

  test('shrunk resizable buffers read as empty', () => {
    const rab = new (ArrayBuffer as Any)(48, { maxByteLength: 96 }) as ArrayBuffer & { resize(n: number): void };
    if (typeof (rab as Any).resize !== 'function') return; // not in this Node
    const tracking = new Float32Array(rab);
    const fixed = new Float32Array(rab, 0, 12);
    rab.resize(8);
    expect(tracking.length).toBe(2);
    expectKernelError(() => cpu.fill(view(storage('float32', tracking), [12]), 1), 'fill', /buffer of 2/);
    expectKernelError(() => cpu.unary('neg', view(storage('float32', fixed), [12]), view(filled('float32', 12), [12])), 'unary', /buffer of 0/);
  });

  test('zero-element views are fine over any buffer, even a detached one', () => {
    const a = new Float32Array(4);
    detach(a);
    const s = storage('float32', a);
    cpu.fill(view(s, [0, 3]), 1);
    cpu.unary('exp', view(s, [3, 0]), view(s, [3, 0]));
    cpu.matmul(view(s, [0, 5]), view(s, [5, 0]), view(s, [0, 0]), { transA: false, transB: false });
  });

  test('negative sizes in the metadata', () => {
    expectKernelError(() => cpu.fill(view(filled('float32', 12), [-1, 4], [4, 1]), 0), 'fill', /negative dim -1/);
    expectKernelError(() => cpu.unary('exp', view(filled('float32', 12), [3, -4], [4, 1]), view(filled('float32', 12), [3, -4], [4, 1])), 'unary', /negative dim -4/);
    expectKernelError(() => cpu.reduce('sum', view(filled('float32', 12), [-3, 4], [4, 1]), [1], view(filled('float32', 3), [3])), 'reduce', /negative dim -3/);
    expectKernelError(() => cpu.matmul(view(filled('float32', 15), [3, 5]), view(filled('float32', 20), [5, 4]), view(filled('float32', 12), [3, -4], [4, 1]), { transA: false, transB: false }), 'matmul', /negative dim/);
    // K comes from a's shape.
    expectKernelError(() => cpu.matmul(view(filled('float32', 15), [3, -5], [5, 1]), view(filled('float32', 20), [5, 4]), view(filled('float32', 12), [3, 4]), { transA: false, transB: false }), 'matmul', /negative K/);
    expectKernelError(() => cpu.gather(view(filled('float32', 18), [3, -6], [6, 1]), view(filled('int32', 12), [3, 4]), 1, view(filled('float32', 12), [3, 4])), 'gather', /bad axis/);
    expectKernelError(() => cpu.scatterAdd(view(filled('int32', 12), [3, 4]), view(filled('float32', 12), [3, 4]), 1, view(filled('float32', 18), [3, -6], [6, 1])), 'scatterAdd', /bad axis/);
  });

  test('shapes whose element count overflows or exceeds the limit', () => {
    const one = filled('float32', 1);
    // 2^20 * 2^20 * (2^31 - 1) broadcast elements: the count must not wrap to a small number.
    const huge = [2 ** 20, 2 ** 20, 2 ** 31 - 1];
    expectKernelError(() => cpu.fill(view(one, huge, [0, 0, 0]), 0), 'fill', /shape too large/);
    expectKernelError(() => cpu.unary('exp', view(one, huge, [0, 0, 0]), view(one, huge, [0, 0, 0])), 'unary', /shape too large/);
    expectKernelError(() => cpu.fill(view(one, [2 ** 31 - 1, 2 ** 31 - 1], [0, 0]), 0), 'fill', /shape too large/);
    // An empty shape whose other dims multiply past 2^63: rejected, not overflowed.
    const emptyHuge = [0, 2 ** 31 - 1, 2 ** 31 - 1, 2 ** 31 - 1, 2 ** 31 - 1];
    const z5 = [0, 0, 0, 0, 0];
    expectKernelError(() => cpu.fill(view(one, emptyHuge, z5), 0), 'fill', /shape too large/);
    expectKernelError(() => cpu.unary('exp', view(one, emptyHuge, z5), view(one, emptyHuge, z5)), 'unary', /shape too large/);
    expectKernelError(() => cpu.reduce('sum', view(one, emptyHuge, z5), [0], view(one, [])), 'reduce', /shape too large/);
    // Empty with large (in-limit) other dims: nothing to do.
    const empty = [0, 2 ** 20, 2 ** 20];
    cpu.fill(view(one, empty, [0, 0, 0]), 0);
    cpu.unary('exp', view(one, empty, [0, 0, 0]), view(one, empty, [0, 0, 0]));
    one.data[0] = 5;
    cpu.reduce('sum', view(one, empty, [0, 0, 0]), [0, 1, 2], view(one, [])); // an empty sum is 0
    expect(one.data[0]).toBe(0);
    // A view whose extent overflows int64 must not wrap around the bounds check: gather's x
    // takes its axis size from x and its other dims from out.
    const big = 2 ** 31 - 1;
    expectKernelError(() => cpu.gather(view(one, [big, big, 512], [big, big, big]), view(filled('int32', 1), [1, big, 512], [0, 0, 0]), 0,
      view(filled('float32', 1), [1, big, 512], [0, 0, 0])), 'gather', /gather x: view extent overflows/);
    // ... but its reduction over axis 0 has 2^40 outputs.
    expectKernelError(() => cpu.reduce('sum', view(one, empty, [0, 0, 0]), [0], view(one, [])), 'reduce', /too small/);
  });

  test('a 17-dim shape (the addon takes at most 16)', () => {
    const s17 = new Array(17).fill(1);
    const s16 = new Array(16).fill(1);
    const x = filled('float32', 4);
    expectKernelError(() => cpu.fill(view(x, s17), 0), 'fill', /rank 17 is outside 0\.\.16/);
    expectKernelError(() => cpu.unary('neg', view(x, s17), view(x, s17)), 'unary', /rank 17/);
    expectKernelError(() => cpu.reduce('sum', view(x, s17), [0], view(x, s16)), 'reduce', /rank 17/);
    expectKernelError(() => cpu.matmul(view(x, s17), view(x, s17), view(x, s17), { transA: false, transB: false }), 'matmul', /rank 17/);
    expectKernelError(() => cpu.softmax(view(x, s17), 0, view(x, s17)), 'softmax', /rank 17/);
    // 16 dims is fine.
    cpu.unary('neg', view(x, s16), view(x, s16));
    cpu.reduce('sum', view(x, s16), [3, 7], view(x, new Array(14).fill(1)));
    // A rank in the thousands must not overrun the metadata buffer.
    const s5000 = new Array(5000).fill(1);
    expectKernelError(() => cpu.fill(view(x, s5000), 0), 'fill', /rank|metadata/);
  });

  test('op codes out of range', () => {
    const x = view(filled('float32', 12), [3, 4]), out = view(filled('float32', 12), [3, 4]);
    expectKernelError(() => cpu.unary('bogus' as Any, x, out), 'unary', /op code/);
    expectKernelError(() => cpu.binary('bogus' as Any, x, x, out), 'binary', /op code/);
    expectKernelError(() => cpu.reduce('bogus' as Any, x, [1], view(filled('float32', 3), [3])), 'reduce', /op code/);
    expectKernelError(() => cpu.unary('constructor' as Any, x, out), 'unary', /op code/);
  });

  test('dtype mismatches', () => {
    const f32 = () => view(filled('float32', 12), [3, 4]);
    const f64 = () => view(filled('float64', 12), [3, 4]);
    const i32 = () => view(filled('int32', 12), [3, 4]);
    const u8 = () => view(filled('bool', 12), [3, 4]);
    expectKernelError(() => cpu.binary('add', f32(), f64(), f32()), 'binary', /dtype mismatch/);
    expectKernelError(() => cpu.binary('add', f32(), f32(), f64()), 'binary', /wrong output dtype/);
    expectKernelError(() => cpu.binary('lt', f32(), f32(), f32()), 'binary', /wrong output dtype/);
    expectKernelError(() => cpu.unary('exp', f32(), i32()), 'unary', /wrong output dtype/);
    expectKernelError(() => cpu.unary('logicalNot', f32(), f32()), 'unary', /wrong output dtype/);
    expectKernelError(() => cpu.where(f32(), f32(), f32(), f32()), 'where', /cond must be bool/);
    expectKernelError(() => cpu.where(u8(), f32(), f64(), f32()), 'where', /dtype mismatch/);
    expectKernelError(() => cpu.matmul(f32(), view(filled('float64', 20), [4, 5]), view(filled('float32', 15), [3, 5]), { transA: false, transB: false }), 'matmul', /dtype mismatch/);
    expectKernelError(() => cpu.gather(f32(), f32(), 1, f32()), 'gather', /index must be int32/);
    expectKernelError(() => cpu.gather(view(filled('float32', 18), [3, 6]), i32(), 1, f64()), 'gather', /dtype mismatch/);
    expectKernelError(() => cpu.scatterAdd(f32(), f32(), 1, view(filled('float32', 18), [3, 6])), 'scatterAdd', /index must be int32/);
    expectKernelError(() => cpu.softmax(i32(), 1, i32()), 'softmax', /float/);
    expectKernelError(() => cpu.softmax(f32(), 1, f64()), 'softmax', /dtype mismatch/);
    expectKernelError(() => cpu.reduce('argmax', f32(), [1], view(filled('float32', 3), [3])), 'reduce', /int32/);
  });

  test('gather and scatterAdd: indices out of range or negative, out left untouched by scatterAdd', () => {
    for (const bad of [6, -1, 2 ** 31 - 1, -(2 ** 31)]) {
      const idx = filled('int32', 12, (i) => (i === 7 ? bad : i % 6));
      expectKernelError(() => cpu.gather(view(filled('float32', 18), [3, 6]), view(idx, [3, 4]), 1, view(filled('float32', 12), [3, 4])), 'gather',
        new RegExp(`index ${bad} is out of range for axis 1 of size 6`));
      const out = filled('float64', 18, () => 3);
      expectKernelError(() => cpu.scatterAdd(view(idx, [3, 4]), view(filled('float64', 12), [3, 4]), 1, view(out, [3, 6])), 'scatterAdd',
        new RegExp(`index ${bad} is out of range for axis 1 of size 6`));
      expect(Array.from(out.data)).toEqual(new Array(18).fill(3));
    }
    // A bad index in a broadcast (stride 0) index view, along axis 0, on a large input (threads).
    const big = filled('float32', 1 << 18);
    const idx = filled('int32', 1 << 18, (i) => (i === (1 << 18) - 1 ? 512 : i % 512));
    expectKernelError(() => cpu.gather(view(big, [512, 512]), view(idx, [512, 512]), 0, view(filled('float32', 1 << 18), [512, 512])), 'gather', /index 512 is out of range for axis 0 of size 512/);
    expectKernelError(() => cpu.gather(view(filled('float32', 6), [6]), view(filled('int32', 1, () => 9), [5], [0]), 0, view(filled('float32', 5), [5])), 'gather', /index 9/);
    // Any index is out of range for an axis of size 0.
    expectKernelError(() => cpu.gather(view(filled('float32', 1), [3, 0], [1, 1]), view(filled('int32', 12, () => 0), [3, 4]), 1, view(filled('float32', 12), [3, 4])), 'gather', /index 0 is out of range for axis 1 of size 0/);
    expectKernelError(() => cpu.scatterAdd(view(filled('int32', 12, () => 0), [3, 4]), view(filled('float32', 12), [3, 4]), 1, view(filled('float32', 1), [3, 0], [1, 1])), 'scatterAdd', /index 0 is out of range/);
  });

  test('bad axes: argmax over two axes, axes out of range, unsorted or repeated; gather/softmax axis', () => {
    const x = () => view(filled('float32', 24), [2, 3, 4]);
    const o = (n: number, dtype: DType = 'float32') => view(filled(dtype, n), [n]);
    expectKernelError(() => cpu.reduce('argmax', x(), [0, 1], o(4, 'int32')), 'reduce', /exactly one axis/);
    expectKernelError(() => cpu.reduce('argmin', x(), [], view(filled('int32', 24), [2, 3, 4])), 'reduce', /exactly one axis/);
    expectKernelError(() => cpu.reduce('sum', x(), [3], o(6)), 'reduce', /axes/);
    expectKernelError(() => cpu.reduce('sum', x(), [-1], o(6)), 'reduce', /axes/);
    expectKernelError(() => cpu.reduce('sum', x(), [1, 0], o(4)), 'reduce', /sorted/);
    expectKernelError(() => cpu.reduce('sum', x(), [1, 1], o(8)), 'reduce', /distinct/);
    expectKernelError(() => cpu.reduce('sum', x(), [0, 1, 2, 2], o(1)), 'reduce', /axis count|axes/);
    expectKernelError(() => cpu.reduce('sum', x(), [1], o(7)), 'reduce', /too small/);
    expectKernelError(() => cpu.reduce('max', view(filled('float32', 1), [2, 0], [0, 0]), [1], o(2)), 'reduce', /empty axis/);
    expectKernelError(() => cpu.gather(x(), view(filled('int32', 24), [2, 3, 4]), 3, x()), 'gather', /axis/);
    expectKernelError(() => cpu.gather(x(), view(filled('int32', 24), [2, 3, 4]), -1, x()), 'gather', /axis/);
    expectKernelError(() => cpu.scatterAdd(view(filled('int32', 24), [2, 3, 4]), x(), 5, x()), 'scatterAdd', /axis/);
    expectKernelError(() => cpu.softmax(x(), 3, x()), 'softmax', /axis/);
    expectKernelError(() => cpu.logSoftmax(x(), -1, x()), 'logSoftmax', /axis/);
    expectKernelError(() => cpu.softmax(view(filled('float32', 1), [], []), 0, view(filled('float32', 1), [], [])), 'softmax', /axis/);
  });

  test('matmul: rank < 2, out not row-contiguous, operands too small for K', () => {
    const v = (n: number, shape: number[], strides?: number[]) => view(filled('float32', n), shape, strides);
    const nt = { transA: false, transB: false };
    expectKernelError(() => cpu.matmul(v(3, [3]), v(3, [3]), v(1, []), nt), 'matmul', /rank/);
    expectKernelError(() => cpu.matmul(v(15, [3, 5]), v(20, [5, 4]), v(24, [3, 4], [1, 3]), nt), 'matmul', /row-contiguous/);
    // b is stored [5, 4] but a says K = 6.
    expectKernelError(() => cpu.matmul(v(18, [3, 6]), v(20, [5, 4]), v(12, [3, 4]), nt), 'matmul', /matmul b/);
    // b is stored [N, K] = [4, 3] under transB, but a says K = 5.
    expectKernelError(() => cpu.matmul(v(15, [3, 5]), v(12, [4, 3]), v(12, [3, 4]), { transA: false, transB: true }), 'matmul', /matmul b/);
    // A batch dim the operands do not have.
    expectKernelError(() => cpu.matmul(v(15, [2, 3, 5], [15, 5, 1]), v(20, [2, 5, 4], [20, 4, 1]), v(24, [2, 3, 4]), nt), 'matmul', /view reaches/);
  });

  test('random: seed and counter must be non-negative integers below 2^53', () => {
    const out = () => view(filled('float32', 12), [3, 4]);
    for (const bad of [-1, NaN, Infinity, 2 ** 53, -Infinity]) {
      expectKernelError(() => cpu.random(out(), 'uniform', bad, 0), 'random', /seed and counter/);
      expectKernelError(() => cpu.random(out(), 'normal', 0, bad), 'random', /seed and counter/);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The raw addon: plain Errors (named after the kernel, with a `kernel` property). These run
// last: they re-point the addon's metadata buffer away from the cpu backend's.

(hasCpu ? describe : describe.skip)('the raw addon rejects bad calls with plain Errors', () => {
  let addon: NativeAddon;
  const meta = new Int32Array(4096);
  beforeAll(() => {
    const l = loadAddon();
    if (!l.addon) throw new Error(l.reason);
    addon = l.addon;
    addon.init(meta);
  });
  const setMeta = (...vals: number[]) => { meta.fill(0); meta.set(vals); };

  test('op codes out of range or not numbers', () => {
    const x = new Float32Array(4), out = new Float32Array(4);
    setMeta(1, 4, 0, 1, 0, 1);
    for (const code of [-1, UNARY_OPS.length, 1000, 2 ** 31 - 1]) {
      const e = expectPlainError(() => addon.unary(code, x, out), /^unary: unknown op code/);
      expect((e as Any).kernel).toBe('unary');
    }
    setMeta(1, 4, 0, 1, 0, 1, 0, 1);
    for (const code of [-1, BINARY_OPS.length, 99]) expectPlainError(() => addon.binary(code, x, x, out), /^binary: unknown op code/);
    expectPlainError(() => addon.binary('add' as Any, x, x, out), /^binary: op code must be a number/);
    setMeta(1, 4, 0, 1, 0, 1, 0);
    for (const code of [-1, 6, 77]) expectPlainError(() => addon.reduce(code, x, out), /^reduce: unknown op code/);
    expectPlainError(() => addon.unary(undefined as Any, x, out), /^unary: op code must be a number/);
  });

  test('negative sizes, bad ranks and too-large shapes in the metadata', () => {
    const x = new Float32Array(16);
    setMeta(2, 4, -4, 0, 4, 1);
    expectPlainError(() => addon.fill(x, 1), /^fill: negative dim -4/);
    setMeta(-1);
    expectPlainError(() => addon.fill(x, 1), /^fill: rank -1 is outside/);
    setMeta(17);
    expectPlainError(() => addon.fill(x, 1), /^fill: rank 17 is outside/);
    setMeta(3, 1 << 20, 1 << 20, 2 ** 31 - 1, 0, 0, 0, 0);
    expectPlainError(() => addon.fill(x, 1), /^fill: shape too large/);
    setMeta(1, 4, 0, 1, 0, -1); // rank 1, shape [4], x offset 0 stride 1, out offset 0, -1 axes
    expectPlainError(() => addon.reduce(0, x, x), /^reduce: bad axis count/);
    setMeta(2, 4, 4, 0, 4, 1, 0, 4, 1, 0, 4, 1, -3, 0, 0);
    expectPlainError(() => addon.matmul(x, x, x), /^matmul: negative K/);
    // x's extent (2 (2^31-2)(2^31-1) + 511 (2^31-1)) overflows int64: it used to wrap negative,
    // pass the bounds check and segfault.
    const big = 2 ** 31 - 1;
    setMeta(3, 1, big, 512, 0, big, big, big, 0, 0, 0, 0, 0, 0, 0, 0, 0, big); // shape, x, index, out, axis 0, axis size
    expectPlainError(() => addon.gather(new Float32Array(1), new Int32Array(1), new Float32Array(1)), /^gather x: view extent overflows/);
  });

  test('non-TypedArray and unsupported TypedArray arguments, missing arguments', () => {
    setMeta(1, 4, 0, 1, 0, 1);
    const ok = new Float32Array(4);
    for (const bad of [[1, 2, 3, 4], new DataView(new ArrayBuffer(16)), new ArrayBuffer(16), null, undefined, 4, 'abcd', { length: 4 }]) {
      expectPlainError(() => addon.unary(0, bad as Any, ok), /^unary: argument 1 must be a TypedArray/);
      expectPlainError(() => addon.unary(0, ok, bad as Any), /^unary: argument 2 must be a TypedArray/);
    }
    for (const bad of [new Int8Array(4), new Uint16Array(4), new Int16Array(4), new Uint32Array(4), new Uint8ClampedArray(4), new BigInt64Array(4), new BigUint64Array(4)]) {
      expectPlainError(() => addon.unary(0, bad as Any, ok), /unsupported TypedArray type/);
    }
    expectPlainError(() => (addon.unary as Any)(0), /must be a TypedArray/);
    expectPlainError(() => (addon.fill as Any)(ok), /value must be a number/);
    expectPlainError(() => (addon.random as Any)(ok, 0, 'seed', 0), /must be numbers/);
  });

  test('detached buffers', () => {
    setMeta(1, 4, 0, 1, 0, 1);
    const x = new Float32Array(4), out = new Float32Array(4);
    detach(x);
    expectPlainError(() => addon.unary(0, x, out), /^unary x: view reaches elements \[0, 3\] of a buffer of 0/);
    expectPlainError(() => addon.unary(0, out, x), /^unary out: view reaches/);
  });

  test('a detached or short metadata buffer', () => {
    const x = new Float32Array(4);
    const short = new Int32Array(3);
    addon.init(short);
    short.set([2, 2, 2]);
    expectPlainError(() => addon.fill(x, 1), /metadata buffer overrun/);
    const m = new Int32Array(64);
    addon.init(m);
    m.set([1, 4, 0, 1]);
    addon.fill(x, 2);
    expect(Array.from(x)).toEqual([2, 2, 2, 2]);
    // Detaching the registered metadata buffer (its memory can then be freed) must not let
    // the addon read it.
    detach(m);
    (globalThis as { gc?: () => void }).gc?.(); // frees the detached memory (node --expose-gc)
    for (let i = 0; i < 50; i++) new Int32Array(1024).fill(-1); // and reuses it
    expectPlainError(() => addon.fill(x, 1), /metadata/);
    expect(Array.from(x)).toEqual([2, 2, 2, 2]);
    expectPlainError(() => addon.init(new Float32Array(4) as Any), /Int32Array/);
    addon.init(meta);
  });

  test('setNumThreads and setIsa reject bad values', () => {
    const threads = addon.info().threads;
    const isa = addon.info().isa;
    expectPlainError(() => addon.setNumThreads(0), /1\.\.1024/);
    expectPlainError(() => addon.setNumThreads(-5), /1\.\.1024/);
    expectPlainError(() => addon.setNumThreads(100000), /1\.\.1024/);
    expectPlainError(() => addon.setNumThreads('x' as Any));
    expect(addon.setIsa('no-such-isa')).toBe(false);
    expectPlainError(() => addon.setIsa(42 as Any));
    expect(addon.info().threads).toBe(threads);
    expect(addon.info().isa).toBe(isa);
  });
});

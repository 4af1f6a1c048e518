/** Creating tensors: from data, filled, ranges, identity and seeded random draws. */
import { type DType, allocArray, checkDType } from '../dtype.js';
import { TensileError } from '../errors.js';
import { checkShape, sizeOf } from '../shape.js';
import { type Tensor, fromHost } from '../tensor.js';
import { type CreateOptions, type TensorLike, checkTensor, deviceBackend, empty, fromData } from './define.js';
import { add, floor, minimum, mul } from './elementwise.js';
import { cast } from './cast.js';
import { noGrad } from '../autograd/mode.js';
import { tidy } from '../memory.js';
import { getDefaultDevice } from '../device.js';

export interface RandomOptions extends CreateOptions {
  /** Draw from this seed (counter 0) instead of the global generator. */
  seed?: number;
}

function finish(t: Tensor, opts: CreateOptions): Tensor {
  if (opts.requiresGrad) t.requiresGrad_(true);
  return t;
}

/**
 * A tensor from nested arrays, a number, booleans or a TypedArray (Float64Array → float64,
 * Int32Array → int32; JS numbers → float32 unless `dtype` says otherwise).
 * @example tn.tensor([[1, 2], [3, 4]])
 */
export function tensor(data: TensorLike, opts: CreateOptions & { shape?: readonly number[] } = {}): Tensor {
  if (opts.dtype !== undefined) checkDType('tensor', 'dtype', opts.dtype);
  return fromData('tensor', data, opts, opts.shape ? checkShape('tensor', 'shape', opts.shape) : undefined);
}

/** A tensor of `shape` filled with `value`. @example tn.full([2, 2], 7) */
export function full(shape: readonly number[], value: number | boolean, opts: CreateOptions = {}): Tensor {
  const s = checkShape('full', 'shape', shape);
  if (typeof value !== 'number' && typeof value !== 'boolean') throw new TensileError('full', `argument 'value' must be a number or boolean, got ${String(value)}`);
  const dtype = opts.dtype !== undefined ? checkDType('full', 'dtype', opts.dtype) : typeof value === 'boolean' ? 'bool' : 'float32';
  const t = empty(deviceBackend('full', opts), s, dtype);
  t.backend.fill(t.view('full'), typeof value === 'boolean' ? Number(value) : value);
  return finish(t, opts);
}

export const zeros = (shape: readonly number[], opts: CreateOptions = {}) => full(shape, 0, opts);
export const ones = (shape: readonly number[], opts: CreateOptions = {}) => full(shape, 1, opts);

function likeOpts(op: string, t: Tensor, opts: CreateOptions): CreateOptions {
  checkTensor(op, 'x', t);
  return { dtype: opts.dtype ?? t.dtype, device: opts.device ?? t.device, requiresGrad: opts.requiresGrad };
}
export const fullLike = (t: Tensor, value: number | boolean, opts: CreateOptions = {}) => full(t.shape, value, likeOpts('fullLike', t, opts));
export const zerosLike = (t: Tensor, opts: CreateOptions = {}) => full(t.shape, 0, likeOpts('zerosLike', t, opts));
export const onesLike = (t: Tensor, opts: CreateOptions = {}) => full(t.shape, 1, likeOpts('onesLike', t, opts));

function fromValues(op: string, values: Float64Array, shape: number[], dtype: DType, opts: CreateOptions): Tensor {
  checkDType(op, 'dtype', dtype);
  const arr = allocArray(dtype, values.length);
  arr.set(values);
  return finish(fromHost(deviceBackend(op, opts), arr, shape, dtype), opts);
}

/**
 * Evenly spaced values in [start, stop): arange(stop), arange(start, stop) or arange(start,
 * stop, step). int32 when all arguments are integers, else float32.
 * @example tn.arange(5) // [0, 1, 2, 3, 4]
 */
export function arange(start: number, stop?: number, step = 1, opts: CreateOptions = {}): Tensor {
  if (stop === undefined) { stop = start; start = 0; }
  for (const [n, v] of [['start', start], ['stop', stop], ['step', step]] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new TensileError('arange', `argument '${n}' must be a finite number, got ${String(v)}`);
  }
  if (step === 0) throw new TensileError('arange', "argument 'step' must not be zero");
  const count = Math.max(0, Math.ceil((stop - start) / step));
  const dtype = opts.dtype ?? ([start, stop, step].every(Number.isInteger) ? 'int32' : 'float32');
  // Computed in float64 and rounded once, as PyTorch does.
  const v = new Float64Array(count);
  for (let i = 0; i < count; i++) v[i] = start + i * step;
  return fromValues('arange', v, [count], dtype, opts);
}

/**
 * `num` evenly spaced values from start to stop inclusive (float32 unless dtype is given).
 * @example tn.linspace(0, 1, 5) // [0, 0.25, 0.5, 0.75, 1]
 */
export function linspace(start: number, stop: number, num: number, opts: CreateOptions = {}): Tensor {
  if (!Number.isInteger(num) || num < 0) throw new TensileError('linspace', `argument 'num' must be a non-negative integer, got ${num}`);
  for (const [n, v] of [['start', start], ['stop', stop]] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new TensileError('linspace', `argument '${n}' must be a finite number, got ${String(v)}`);
  }
  const v = new Float64Array(num);
  const step = num > 1 ? (stop - start) / (num - 1) : 0;
  // PyTorch's symmetric form: the second half counts back from stop, so both ends are exact.
  const half = Math.floor(num / 2);
  for (let i = 0; i < num; i++) v[i] = i < half || num === 1 ? start + i * step : stop - (num - 1 - i) * step;
  return fromValues('linspace', v, [num], opts.dtype ?? 'float32', opts);
}

/** The n×m identity (m defaults to n). */
export function eye(n: number, m?: number | null, opts: CreateOptions = {}): Tensor {
  const cols = m ?? n;
  checkShape('eye', 'n, m', [n, cols]);
  const v = new Float64Array(n * cols);
  for (let i = 0; i < Math.min(n, cols); i++) v[i * cols + i] = 1;
  return fromValues('eye', v, [n, cols], opts.dtype ?? 'float32', opts);
}

// ---------------- random ----------------

const DEFAULT_SEED = 0x5eed;
const generator = { seed: DEFAULT_SEED, counter: 0 };

/**
 * Seeds the global generator: the same seed gives the same draws on every device.
 * @example tn.manualSeed(42)
 */
export function manualSeed(seed: number): void {
  if (!Number.isInteger(seed) || seed < 0) throw new TensileError('manualSeed', `seed must be a non-negative integer, got ${seed}`);
  generator.seed = seed;
  generator.counter = 0;
}

function draw(op: string, shape: readonly number[], dist: 'uniform' | 'normal', opts: RandomOptions): Tensor {
  const s = checkShape(op, 'shape', shape);
  const dtype = opts.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'float64') throw new TensileError(op, `dtype must be float32 or float64, got ${dtype}`);
  const t = empty(deviceBackend(op, opts), s, dtype);
  let seed: number, counter: number;
  if (opts.seed !== undefined) {
    if (!Number.isInteger(opts.seed) || opts.seed < 0) throw new TensileError(op, `seed must be a non-negative integer, got ${opts.seed}`);
    seed = opts.seed; counter = 0;
  } else {
    seed = generator.seed; counter = generator.counter;
    generator.counter += Math.ceil(sizeOf(s) / 4);
  }
  t.backend.random(t.view(op), dist, seed, counter);
  return finish(t, opts);
}

/** Uniform draws in [0, 1). @example tn.rand([2, 3], { seed: 1 }) */
export const rand = (shape: readonly number[], opts: RandomOptions = {}) => draw('rand', shape, 'uniform', opts);
/** Standard normal draws. @example tn.randn([64, 3], { seed: 1 }) */
export const randn = (shape: readonly number[], opts: RandomOptions = {}) => draw('randn', shape, 'normal', opts);

/** Uniform integers in [low, high), int32. @example tn.randint(0, 10, [5]) */
export function randint(low: number, high: number, shape: readonly number[], opts: RandomOptions = {}): Tensor {
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) {
    throw new TensileError('randint', `needs integers low < high, got ${low} and ${high}`);
  }
  if (opts.requiresGrad) throw new TensileError('randint', 'only float tensors can require gradients; randint makes int32');
  // float64 where the device has it (exact for any range); webgpu draws float32, where
  // u·range can round up to range itself, so the index is clamped.
  const device = opts.device ?? getDefaultDevice();
  const calc = device === 'webgpu' ? 'float32' : 'float64';
  return tidy(() => noGrad(() => {
    const u = draw('randint', shape, 'uniform', { ...opts, dtype: calc, requiresGrad: false });
    return cast(add(minimum(floor(mul(u, high - low)), high - low - 1), low), opts.dtype ?? 'int32');
  }));
}

/**
 * Initializers (torch.nn.init, with Keras's names where they differ): each fills a tensor in
 * place under noGrad and returns it. Draws come from the counter-based generator, so
 * `{ seed }` gives the same values on every device; without a seed the global generator
 * (`tn.manualSeed`) is used. Fans follow torch's `_calculate_fan_in_and_fan_out`:
 * fanIn = shape[1] * receptive field, fanOut = shape[0] * receptive field.
 */
import { TensileError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { tidy } from '../memory.js';
import { noGrad } from '../autograd/mode.js';
import { add, assign, fillInPlace, mul, rand, randn } from '../ops/index.js';

export interface SeedOptions {
  /** Draw from this seed instead of the global generator. */
  seed?: number;
}

/** Nonlinearities known to `calculateGain` (torch's names, plus camelCase `leakyRelu`). */
export type Nonlinearity = 'linear' | 'conv1d' | 'conv2d' | 'conv3d' | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'leakyRelu' | 'selu';
/** Which fan kaiming scales by (torch's names, plus camelCase). */
export type FanMode = 'fan_in' | 'fan_out' | 'fanIn' | 'fanOut';

export interface KaimingOptions extends SeedOptions {
  /** Negative slope of the leaky ReLU that follows (0 for ReLU). Default 0. */
  a?: number;
  /** 'fan_in' (default) preserves the forward pass's variance, 'fan_out' the backward's. */
  mode?: FanMode;
  /** Default 'leaky_relu', as torch (with a = 0 that is ReLU's gain sqrt(2)). */
  nonlinearity?: Nonlinearity;
}

function checkFloatTarget(op: string, t: Tensor): void {
  if (t === null || typeof t !== 'object' || typeof (t as Tensor).assertAlive !== 'function') {
    throw new TensileError(op, `argument 'tensor' must be a Tensor, got ${t === null ? 'null' : typeof t}`);
  }
  t.assertAlive(op, 'tensor');
  if (t.dtype !== 'float32' && t.dtype !== 'float64') throw new TensileError(op, `needs a float tensor, got ${t.dtype}`);
}

/**
 * torch.nn.init._calculate_fan_in_and_fan_out: fans of a weight of rank >= 2.
 * @example fans(tn.zeros([8, 3])) // { fanIn: 3, fanOut: 8 }
 */
export function fans(t: Tensor, op = 'fans'): { fanIn: number; fanOut: number } {
  if (t.rank < 2) throw new TensileError(op, `fan in and fan out need a tensor with at least 2 dims, got shape ${fmtShape(t.shape)}`);
  const receptive = t.shape.slice(2).reduce((p, d) => p * d, 1);
  return { fanIn: t.shape[1] * receptive, fanOut: t.shape[0] * receptive };
}

/**
 * torch.nn.init.calculate_gain: the recommended scale for a nonlinearity.
 * @example calculateGain('relu') // Math.SQRT2
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear': case 'conv1d': case 'conv2d': case 'conv3d': case 'sigmoid': return 1;
    case 'tanh': return 5 / 3;
    case 'relu': return Math.SQRT2;
    case 'leaky_relu': case 'leakyRelu': {
      const slope = param ?? 0.01;
      if (typeof slope !== 'number' || !Number.isFinite(slope)) throw new TensileError('calculateGain', `negative slope ${String(param)} is not a number`);
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu': return 3 / 4;
    default: throw new TensileError('calculateGain', `unsupported nonlinearity '${String(nonlinearity)}'`);
  }
}

/** Writes values drawn by `draw` into t in place (no gradient recorded). */
function fill(t: Tensor, draw: () => Tensor): Tensor {
  tidy(() => noGrad(() => { assign(t, draw()); }));
  return t;
}

function drawOpts(t: Tensor, o: SeedOptions) {
  return { dtype: t.dtype, device: t.device, seed: o.seed };
}

/**
 * Uniform draws in [a, b), in place.
 * @example tn.nn.init.uniform(w, -0.1, 0.1, { seed: 0 })
 */
export function uniform(t: Tensor, a = 0, b = 1, opts: SeedOptions = {}): Tensor {
  checkFloatTarget('uniform', t);
  if (!(b >= a)) throw new TensileError('uniform', `needs a <= b, got a=${a}, b=${b}`);
  return fill(t, () => add(mul(rand(t.shape, drawOpts(t, opts)), b - a), a));
}

/** Normal draws with the given mean and standard deviation, in place. */
export function normal(t: Tensor, mean = 0, std = 1, opts: SeedOptions = {}): Tensor {
  checkFloatTarget('normal', t);
  if (!(std >= 0)) throw new TensileError('normal', `std must be non-negative, got ${std}`);
  return fill(t, () => add(mul(randn(t.shape, drawOpts(t, opts)), std), mean));
}

/** Fills with a value, in place. */
export function constant(t: Tensor, value: number): Tensor {
  checkFloatTarget('constant', t);
  noGrad(() => fillInPlace(t, value));
  return t;
}

export const zeros = (t: Tensor): Tensor => constant(t, 0);
export const ones = (t: Tensor): Tensor => constant(t, 1);

/**
 * Glorot / Xavier uniform: U(-b, b), b = gain * sqrt(6 / (fanIn + fanOut)); Keras's
 * default kernel initializer.
 * @example tn.nn.init.glorotUniform(w, { seed: 1 })
 */
export function glorotUniform(t: Tensor, opts: SeedOptions & { gain?: number } = {}): Tensor {
  checkFloatTarget('glorotUniform', t);
  const { fanIn, fanOut } = fans(t, 'glorotUniform');
  const bound = (opts.gain ?? 1) * Math.sqrt(6 / (fanIn + fanOut));
  return uniform(t, -bound, bound, opts);
}

/** Glorot / Xavier normal: N(0, std²), std = gain * sqrt(2 / (fanIn + fanOut)). */
export function glorotNormal(t: Tensor, opts: SeedOptions & { gain?: number } = {}): Tensor {
  checkFloatTarget('glorotNormal', t);
  const { fanIn, fanOut } = fans(t, 'glorotNormal');
  return normal(t, 0, (opts.gain ?? 1) * Math.sqrt(2 / (fanIn + fanOut)), opts);
}

function kaimingStd(op: string, t: Tensor, o: KaimingOptions): number {
  checkFloatTarget(op, t);
  const { fanIn, fanOut } = fans(t, op);
  const mode = o.mode ?? 'fan_in';
  if (!['fan_in', 'fan_out', 'fanIn', 'fanOut'].includes(mode)) throw new TensileError(op, `mode must be 'fan_in' or 'fan_out', got '${String(mode)}'`);
  const fan = mode === 'fan_in' || mode === 'fanIn' ? fanIn : fanOut;
  if (fan === 0) throw new TensileError(op, `cannot initialize a tensor with a zero-size fan (shape ${fmtShape(t.shape)})`);
  return calculateGain(o.nonlinearity ?? 'leaky_relu', o.a ?? 0) / Math.sqrt(fan);
}

/**
 * He / Kaiming uniform: U(-b, b), b = gain * sqrt(3 / fan); torch's defaults (a = 0,
 * 'fan_in', 'leaky_relu') give Keras's he_uniform, b = sqrt(6 / fanIn).
 * @example tn.nn.init.heUniform(w, { nonlinearity: 'relu', seed: 2 })
 */
export function heUniform(t: Tensor, opts: KaimingOptions = {}): Tensor {
  const bound = Math.sqrt(3) * kaimingStd('heUniform', t, opts);
  return uniform(t, -bound, bound, opts);
}

/** He / Kaiming normal: N(0, std²), std = gain / sqrt(fan) (torch's plain normal, not Keras's truncated one). */
export function heNormal(t: Tensor, opts: KaimingOptions = {}): Tensor {
  return normal(t, 0, kaimingStd('heNormal', t, opts), opts);
}

/** torch's names for the same initializers. */
export const xavierUniform = glorotUniform;
export const xavierNormal = glorotNormal;
export const kaimingUniform = heUniform;
export const kaimingNormal = heNormal;

/** Initializer names accepted where a layer takes one (Dense's kernelInitializer). */
export type InitializerName = 'glorotUniform' | 'glorotNormal' | 'heUniform' | 'heNormal' | 'zeros' | 'ones';
export type Initializer = InitializerName | ((t: Tensor) => unknown);

/** Applies a named or function initializer to t. */
export function applyInitializer(op: string, t: Tensor, init: Initializer): void {
  if (typeof init === 'function') { init(t); return; }
  switch (init) {
    case 'glorotUniform': glorotUniform(t); return;
    case 'glorotNormal': glorotNormal(t); return;
    case 'heUniform': heUniform(t); return;
    case 'heNormal': heNormal(t); return;
    case 'zeros': zeros(t); return;
    case 'ones': ones(t); return;
    default: throw new TensileError(op, `unknown initializer '${String(init)}'; use one of glorotUniform, glorotNormal, heUniform, heNormal, zeros, ones or a function`);
  }
}

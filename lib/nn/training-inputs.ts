/**
 * fit/evaluate/predict's inputs: x and y as tensors on the model's device in its float dtype,
 * labels checked on the host against the model's output (class range, shapes), and the
 * model's output shape probed with one sample in eval mode.
 */
import { TensileError, fmtShape } from '../errors.js';
import { Tensor } from '../tensor.js';
import type { DeviceName } from '../backends/backend.js';
import { isFloat } from '../dtype.js';
import { tidy } from '../memory.js';
import { noGrad } from '../autograd/mode.js';
import { getDefaultDevice } from '../device.js';
import { type TensorLike, cast, slice, tensor } from '../ops/index.js';
import type { AnyModule } from './module.js';
import { type ResolvedLoss, describe } from './compile.js';

/** The device of the model's weights (the input's device, or the default, before any exist). */
export function modelDevice(model: AnyModule, x: TensorLike): DeviceName {
  const t = model.parameters()[0] ?? model.buffers()[0];
  if (t) return t.device;
  return x instanceof Tensor ? x.device : getDefaultDevice();
}

export function modelFloat(model: AnyModule): 'float32' | 'float64' {
  const p = model.parameters().find((t) => isFloat(t.dtype));
  return p?.dtype === 'float64' ? 'float64' : 'float32';
}

/** x as a tensor on `device`, float inputs in the model's float dtype; new tensors go to `owned`. */
export async function inputTensor(op: string, arg: string, v: TensorLike, device: DeviceName, float: 'float32' | 'float64', owned: Tensor[]): Promise<Tensor> {
  let t: Tensor;
  if (v instanceof Tensor) {
    v.assertAlive(op, arg);
    t = v;
  } else {
    if (v === null || v === undefined) throw new TensileError(op, `argument '${arg}' must be a Tensor or an array, got ${String(v)}`);
    t = tensor(v, { device });
    owned.push(t);
  }
  if (t.device !== device) {
    t = t.device === 'webgpu' ? await t.toAsync(device) : t.to(device);
    owned.push(t);
  }
  if (isFloat(t.dtype) && t.dtype !== float) {
    t = noGrad(() => cast(t, float));
    owned.push(t);
  }
  return t;
}

/** Host copy of a target (read once, before training). */
export async function hostValues(y: TensorLike): Promise<{ values: ArrayLike<number>; shape: readonly number[] }> {
  if (y instanceof Tensor) {
    y.assertAlive('fit', 'y');
    return { values: y.device === 'webgpu' ? await y.data() : y.dataSync(), shape: y.shape };
  }
  if (y === null || y === undefined) throw new TensileError('fit', `argument 'y' must be a Tensor or an array, got ${String(y)}`);
  const t = tensor(y, { device: 'js', dtype: 'float64' });
  try {
    return { values: t.dataSync(), shape: t.shape };
  } finally {
    t.dispose();
  }
}

/**
 * The target as the loss needs it, checked once on the host: int32 labels in [0, C) for
 * sparse cross-entropy, and otherwise a float tensor of the output's per-sample shape.
 * `out` is the model's output shape for one sample ([1, ...]).
 */
export async function targetTensor(op: string, loss: ResolvedLoss, y: TensorLike, out: readonly number[], device: DeviceName, float: 'float32' | 'float64', owned: Tensor[]): Promise<Tensor> {
  if (loss.kind === 'custom') return inputTensor(op, 'y', y, device, float, owned);
  const { values, shape } = await hostValues(y);
  const n = shape[0];
  const per = out.slice(1);
  const outDesc = `the model's output of shape [N,${per.join(',')}]`;
  let dtype: 'int32' | 'float32' | 'float64' = float;
  let want: number[];
  if (loss.kind === 'sparse') {
    const C = per[per.length - 1] ?? 1;
    want = [n, ...per.slice(0, -1)];
    const ok = sameShape(shape, want) || sameShape(shape, [...want, 1]);
    if (!ok) {
      throw new TensileError(op, `sparseCategoricalCrossentropy needs one integer class label per output row, y of shape ${fmtShape(want)}, for ${outDesc}; got y of shape ${fmtShape(shape)}` +
        (sameShape(shape, [n, ...per]) ? " (one-hot labels: use loss 'categoricalCrossentropy')" : ''));
    }
    const perSample = n > 0 ? values.length / n : 1;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (!Number.isInteger(v) || v < 0 || v >= C) {
        const what = Number.isInteger(v) ? 'is out of range' : 'is not an integer class index';
        throw new TensileError(op, `label ${v} (sample ${Math.floor(i / perSample)}) ${what} for ${C} classes: ` +
          `sparseCategoricalCrossentropy needs integer labels in [0, ${C}) (the model outputs ${C} scores per sample)`);
      }
    }
    dtype = 'int32';
  } else {
    want = [n, ...per];
    const size = want.reduce((a, b) => a * b, 1);
    const fits = loss.kind === 'categorical' ? sameShape(shape, want) : values.length === size;
    if (!fits) {
      throw new TensileError(op, `${loss.name} needs y of shape ${fmtShape(want)} to match ${outDesc}; got y of shape ${fmtShape(shape)}`);
    }
  }
  const t = tensor(dtype === 'int32' ? Int32Array.from(values) : Float64Array.from(values), { dtype, shape: want, device });
  owned.push(t);
  return t;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Runs fn with every module in eval mode, restoring each module's mode after. */
export function inEvalMode<T>(model: AnyModule, fn: () => T): T {
  const mods = model.modules();
  const modes = mods.map((m) => m.training);
  model.eval();
  try {
    return fn();
  } finally {
    mods.forEach((m, i) => (m.training = modes[i]));
  }
}

/** The output shape for one sample; also creates the weights of lazy layers. */
export function probeOutputShape(op: string, model: AnyModule, x: Tensor): number[] {
  if (x.shape[0] === 0) throw new TensileError(op, `x has no samples (shape ${fmtShape(x.shape)})`);
  return inEvalMode(model, () => tidy(() => noGrad(() => {
    const out = model.call(slice(x, [0, 1]));
    if (!(out instanceof Tensor)) throw new TensileError(op, `the model returned ${describe(out)}, not a Tensor`);
    if (out.rank === 0 || out.shape[0] !== 1) throw new TensileError(op, `the model's output must keep the batch dim, got shape ${fmtShape(out.shape)} for one sample`);
    return [...out.shape];
  })));
}

/** Rejects options that are not a plain object or carry unknown keys (typos fail loudly). */
export function checkKeys(op: string, opts: object, known: readonly string[]): void {
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) throw new TensileError(op, `options must be an object, got ${describe(opts)}`);
  for (const k of Object.keys(opts)) {
    if (!known.includes(k)) throw new TensileError(op, `unknown option '${k}'; the options are ${known.join(', ')}`);
  }
}

export function positiveInt(op: string, name: string, v: unknown, dflt: number): number {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || (v as number) < 1) throw new TensileError(op, `option '${name}' must be a positive integer, got ${String(v)}`);
  return v as number;
}

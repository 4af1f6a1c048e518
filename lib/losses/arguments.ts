/**
 * What every loss shares: checking its tensors and options (errors name the loss, the argument
 * and the shapes) and applying the reduction.
 */
import { type DType, isFloat } from '../dtype.js';
import { TensileError, fmtShape } from '../errors.js';
import { Tensor } from '../tensor.js';
import { type TensorLike, cast, checkTensor, fromData, mean, sameDevice, sum, tensor } from '../ops/index.js';
import { broadcastShapes } from '../shape.js';

/** How the per-element (or per-sample) losses are combined, as in PyTorch. */
export type Reduction = 'mean' | 'sum' | 'none';

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Checks an options object: rejects unknown keys (a misspelt `label_smoothing` must not be
 * silently ignored) and a bad `reduction`. Returns the reduction (default 'mean').
 */
export function checkOptions<R extends string = Reduction>(
  loss: string,
  opts: object | undefined,
  known: readonly string[],
  reductions: readonly R[] = ['mean', 'sum', 'none'] as unknown as R[],
): R {
  if (opts === undefined || opts === null) return 'mean' as R;
  if (typeof opts !== 'object' || Array.isArray(opts)) {
    throw new TensileError(loss, `argument 'opts' must be an options object, got ${Array.isArray(opts) ? 'an array' : typeof opts}`);
  }
  const allowed = ['reduction', ...known];
  for (const k of Object.keys(opts)) {
    if (!allowed.includes(k)) {
      throw new TensileError(loss, `unknown option '${k}'; the options are ${allowed.map((a) => `'${a}'`).join(', ')}`);
    }
  }
  const r = (opts as { reduction?: unknown }).reduction;
  if (r === undefined) return 'mean' as R;
  if (typeof r !== 'string' || !(reductions as readonly string[]).includes(r)) {
    throw new TensileError(loss, `option 'reduction' must be ${reductions.map((s) => `'${s}'`).join(' | ')}, got ${JSON.stringify(r)}`);
  }
  return r as R;
}

/** A finite number option, with an optional check of its range. */
export function numberOption(loss: string, name: string, v: unknown, dflt: number, ok: (x: number) => boolean, want: string): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) {
    throw new TensileError(loss, `option '${name}' must be ${want}, got ${String(v)}`);
  }
  return v;
}

/** The loss input: a live float tensor (losses differentiate with respect to it). */
export function checkInput(loss: string, arg: string, x: unknown): Tensor {
  const t = checkTensor(loss, arg, x);
  if (!isFloat(t.dtype)) {
    throw new TensileError(loss, `argument '${arg}' must be float32 or float64, got ${t.dtype} of shape ${fmtShape(t.shape)}`);
  }
  return t;
}

/**
 * A float tensor argument (target, weight) on `like`'s device. JS arrays and numbers become
 * tensors of `like`'s dtype there; tensors keep their dtype (ops promote as PyTorch does).
 */
export function floatArg(loss: string, arg: string, v: TensorLike, like: Tensor): Tensor {
  if (!(v instanceof Tensor)) return fromData(loss, v, { device: like.device, dtype: like.dtype }, undefined, arg);
  const t = checkTensor(loss, arg, v);
  sameDevice(loss, [['input', like], [arg, t]]);
  if (t.dtype === 'bool') return cast(t, like.dtype);
  return t;
}

/** Target of an elementwise loss: same shape as the input, as a float tensor. */
export function elementwiseTarget(loss: string, input: Tensor, v: TensorLike): Tensor {
  const t = floatArg(loss, 'target', v, input);
  if (!sameShape(t.shape, input.shape)) {
    throw new TensileError(loss, `argument 'target' of shape ${fmtShape(t.shape)} does not match 'input' of shape ${fmtShape(input.shape)}; the shapes must be equal`);
  }
  return isFloat(t.dtype) ? t : cast(t, input.dtype);
}

/** An optional weight that must broadcast to `shape` without enlarging it. */
export function broadcastWeight(loss: string, arg: string, v: TensorLike | undefined | null, input: Tensor, shape: readonly number[]): Tensor | null {
  if (v === undefined || v === null) return null;
  const w = floatArg(loss, arg, v, input);
  let b: number[] | null;
  try {
    b = broadcastShapes(loss, w.shape, shape);
  } catch {
    b = null;
  }
  if (b === null || !sameShape(b, shape)) {
    throw new TensileError(loss, `option '${arg}' of shape ${fmtShape(w.shape)} does not broadcast to the input's shape ${fmtShape(shape)}`);
  }
  return isFloat(w.dtype) ? w : cast(w, input.dtype);
}

/** A per-class weight: 1-D of length C. */
export function classWeight(loss: string, v: TensorLike | undefined | null, input: Tensor, numClasses: number): Tensor | null {
  if (v === undefined || v === null) return null;
  const w = floatArg(loss, 'weight', v, input);
  if (w.rank !== 1 || w.shape[0] !== numClasses) {
    throw new TensileError(loss, `option 'weight' must have shape [${numClasses}] (one per class), got ${fmtShape(w.shape)} for input of shape ${fmtShape(input.shape)}`);
  }
  return isFloat(w.dtype) ? w : cast(w, input.dtype);
}

/**
 * Class-index labels: int32 tensors pass through; JS arrays of integers become int32 on the
 * input's device, other JS arrays become float tensors (probability targets).
 */
export function labelsArg(loss: string, v: TensorLike, input: Tensor): Tensor {
  if (v instanceof Tensor) {
    const t = checkTensor(loss, 'target', v);
    sameDevice(loss, [['input', input], ['target', t]]);
    return t;
  }
  const host = fromData(loss, v, { device: 'js', dtype: 'float64' }, undefined, 'target');
  const values = Array.from(host.dataSync());
  host.dispose();
  const integral = values.every((x) => Number.isInteger(x));
  const dtype: DType = integral && !sameShape(host.shape, input.shape) ? 'int32' : input.dtype;
  return tensor(values, { dtype, device: input.device, shape: host.shape });
}

/**
 * Checks class-index labels on js and cpu: each must lie in [0, C) or equal ignoreIndex.
 * On webgpu the labels are not read back (that would stall the queue), so the check is
 * skipped there and an out-of-range label gives an undefined result.
 */
export function checkLabelRange(loss: string, target: Tensor, numClasses: number, ignoreIndex: number, inputShape: readonly number[]): void {
  if (target.device === 'webgpu') return;
  const d = target.dataSync();
  for (let i = 0; i < d.length; i++) {
    const c = d[i];
    if (c !== ignoreIndex && (c < 0 || c >= numClasses)) {
      throw new TensileError(loss, `argument 'target' holds class index ${c} at flat position ${i}, outside [0, ${numClasses}) ` +
        `(ignoreIndex is ${ignoreIndex}); input ${fmtShape(inputShape)}, target ${fmtShape(target.shape)}`);
    }
  }
}

/** 'mean' averages every element, 'sum' adds them, 'none' returns them as they are. */
export function reduce(loss: Tensor, reduction: Reduction): Tensor {
  if (reduction === 'none') return loss;
  return reduction === 'sum' ? sum(loss) : mean(loss);
}

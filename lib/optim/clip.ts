/**
 * Gradient clipping, as torch.nn.utils.clip_grad_norm_ and clip_grad_value_: the `.grad` of each
 * parameter is rescaled or clamped in place (parameters without a gradient are skipped).
 */
import { Tensor } from '../tensor.js';
import { TensileError } from '../errors.js';
import { tidy } from '../memory.js';
import { noGrad } from '../autograd/mode.js';
import { div, stack, zeros } from '../ops/index.js';

function gradsOf(op: string, params: Tensor | readonly Tensor[]): Tensor[] {
  const list = params instanceof Tensor ? [params] : params;
  if (!Array.isArray(list)) throw new TensileError(op, `argument 'params' must be a Tensor or an array of Tensors, got ${typeof params}`);
  const grads: Tensor[] = [];
  list.forEach((p, i) => {
    if (!(p instanceof Tensor)) throw new TensileError(op, `argument 'params[${i}]' must be a Tensor, got ${p === null ? 'null' : typeof p}`);
    p.assertAlive(op, `params[${i}]`);
    if (p.grad) grads.push(p.grad);
  });
  return grads;
}

/** The p-norm of all of x's elements as a 0-d tensor (p = Infinity: the largest |x|). */
function pNorm(x: Tensor, p: number): Tensor {
  if (x.size === 0) return zeros([], { dtype: x.dtype, device: x.device });
  if (p === Infinity) return x.abs().max();
  if (p === 2) return x.square().sum().sqrt();
  if (p === 1) return x.abs().sum();
  return x.abs().pow(p).sum().pow(1 / p);
}

/** Scales the grads on their device; returns the total norm (a 0-d tensor, kept). */
function clipOnDevice(op: string, grads: Tensor[], maxNorm: number, normType: number): Tensor {
  return tidy(() => noGrad(() => {
    const device = grads[0].device;
    const dtype = grads.some((g) => g.dtype === 'float64') ? 'float64' : 'float32';
    const norms = stack(grads.map((g) => pNorm(g, normType).to(device).cast(dtype)));
    const total = pNorm(norms, normType);
    const coef = div(maxNorm, total.add(1e-6)).clamp(null, 1);
    for (const g of grads) g.mulInPlace(coef.to(g.device));
    return total;
  }));
}

function checkClipArgs(op: string, maxNorm: number, normType: number): void {
  if (typeof maxNorm !== 'number' || !(maxNorm >= 0)) throw new TensileError(op, `argument 'maxNorm' must be a number >= 0, got ${String(maxNorm)}`);
  if (typeof normType !== 'number' || !(normType > 0)) throw new TensileError(op, `argument 'normType' must be a number > 0 (Infinity for the max norm), got ${String(normType)}`);
}

/**
 * Rescales the gradients so that their joint `normType`-norm (the norm of the per-tensor norms)
 * is at most `maxNorm`: each grad is multiplied by min(1, maxNorm / (total + 1e-6)), as PyTorch.
 * Returns the total norm before clipping, read synchronously (js and cpu; on webgpu use
 * clipGradNormAsync).
 * @example loss.backward(); const norm = tn.optim.clipGradNorm(params, 1.0); opt.step();
 */
export function clipGradNorm(params: Tensor | readonly Tensor[], maxNorm: number, normType = 2): number {
  const op = 'clipGradNorm';
  checkClipArgs(op, maxNorm, normType);
  const grads = gradsOf(op, params);
  if (grads.length === 0) return 0;
  if (grads.some((g) => g.device === 'webgpu')) {
    throw new TensileError(op, 'returns the norm synchronously, which webgpu cannot: use await tn.optim.clipGradNormAsync(params, maxNorm)');
  }
  const total = clipOnDevice(op, grads, maxNorm, normType);
  const v = total.itemSync() as number;
  total.dispose();
  return v;
}

/**
 * clipGradNorm on every device: the clipping runs where the gradients are, and the norm is
 * read back asynchronously.
 * @example const norm = await tn.optim.clipGradNormAsync(model.parameters(), 1.0);
 */
export async function clipGradNormAsync(params: Tensor | readonly Tensor[], maxNorm: number, normType = 2): Promise<number> {
  const op = 'clipGradNormAsync';
  checkClipArgs(op, maxNorm, normType);
  const grads = gradsOf(op, params);
  if (grads.length === 0) return 0;
  const total = clipOnDevice(op, grads, maxNorm, normType);
  try {
    return (await total.item()) as number;
  } finally {
    total.dispose();
  }
}

/**
 * Clamps every gradient element to [-clipValue, clipValue] in place.
 * @example tn.optim.clipGradValue(params, 0.5);
 */
export function clipGradValue(params: Tensor | readonly Tensor[], clipValue: number): void {
  const op = 'clipGradValue';
  if (typeof clipValue !== 'number' || !(clipValue >= 0)) throw new TensileError(op, `argument 'clipValue' must be a number >= 0, got ${String(clipValue)}`);
  const grads = gradsOf(op, params);
  tidy(() => noGrad(() => {
    for (const g of grads) g.assign(g.clamp(-clipValue, clipValue));
  }));
}

/**
 * `model.predict`: the model's output for every sample, in eval mode without gradients, run in
 * batches of `batchSize` rows (each batch in its own tidy) and concatenated.
 */
import { TensileError } from '../errors.js';
import { Tensor } from '../tensor.js';
import { isFloat } from '../dtype.js';
import { tidy } from '../memory.js';
import { noGrad } from '../autograd/mode.js';
import { type TensorLike, cast, concat, slice, tensor } from '../ops/index.js';
import { type AnyModule } from './module.js';
import { checkModule, describe } from './compile.js';
import type { PredictOptions } from './training.js';
import { checkKeys, inEvalMode, modelDevice, modelFloat, positiveInt } from './training-inputs.js';

export function predict(this: AnyModule, x: TensorLike, opts: PredictOptions = {}): Tensor {
  const op = 'predict';
  const model = checkModule(op, this);
  checkKeys(op, opts, ['batchSize']);
  const batchSize = positiveInt(op, 'batchSize', opts.batchSize, 32);
  const device = modelDevice(model, x);
  const owned: Tensor[] = [];
  let xt: Tensor;
  if (x instanceof Tensor) {
    x.assertAlive(op, 'x');
    xt = x.device === device ? x : x.to(device);
  } else {
    xt = tensor(x, { device });
  }
  if (xt !== x) owned.push(xt);
  const float = modelFloat(model);
  if (isFloat(xt.dtype) && xt.dtype !== float) { xt = cast(xt, float); owned.push(xt); }
  if (xt.rank === 0) throw new TensileError(op, 'x must have a sample dim, got a scalar');
  const n = xt.shape[0];
  const parts: Tensor[] = [];
  try {
    return inEvalMode(model, () => {
      const run = (t: Tensor) => {
        const out = model.call(t);
        if (!(out instanceof Tensor)) throw new TensileError(op, `the model returned ${describe(out)}, not a Tensor`);
        return out;
      };
      if (n <= batchSize) return tidy(() => noGrad(() => run(xt)));
      for (let s = 0; s < n; s += batchSize) parts.push(tidy(() => noGrad(() => run(slice(xt, [s, Math.min(s + batchSize, n)])))));
      return noGrad(() => concat(parts, 0));
    });
  } finally {
    for (const t of parts) t.dispose();
    for (const t of owned) t.dispose();
  }
}

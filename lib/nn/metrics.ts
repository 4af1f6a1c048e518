/**
 * Metrics for compile/fit/evaluate, with Keras's meanings. Each gives the batch's mean as a
 * 0-d tensor on the model's device; fit and evaluate average them over the epoch weighted by
 * batch size, reading them back only a few times per epoch.
 */
import { TensileError } from '../errors.js';
import { Tensor } from '../tensor.js';
import { abs, argmax, cast, eq, gather, gt, lt, mean, reshape, square, sub, sum, unsqueeze } from '../ops/index.js';
import type { LossKind, ModelOutput } from './compile.js';

/** Metric names; 'accuracy' picks sparse/categorical/binary accuracy from the loss, as Keras. */
export type MetricName = 'accuracy' | 'binaryAccuracy' | 'categoricalAccuracy' | 'sparseCategoricalAccuracy' | 'topK' | `top${number}` | 'mae' | 'mse';
/** A custom metric: (prediction, target) → a scalar (or per-sample values, averaged); its name is the function's. */
export type MetricFunction = (yPred: Tensor, yTrue: Tensor) => Tensor;
export type MetricSpec = MetricName | MetricFunction;

export interface Metric {
  /** The key in History and the logs: the name given to compile. */
  name: string;
  compute(out: ModelOutput, y: Tensor): Tensor;
}

const NAMES = ['accuracy', 'binaryAccuracy', 'categoricalAccuracy', 'sparseCategoricalAccuracy', 'topK', 'top<k>', 'mae', 'mse'];

/** [..., C] → [M, C] and labels → [M]. */
function flat(s: Tensor, labels: Tensor): [Tensor, Tensor] {
  const C = s.shape[s.rank - 1];
  return [s.rank === 2 ? s : reshape(s, [-1, C]), reshape(labels, [-1])];
}

function fraction(b: Tensor): Tensor {
  return mean(cast(b, 'float32'));
}

const sparseAccuracy = (out: ModelOutput, y: Tensor) => fraction(eq(argmax(out.scores, -1), y));
const categoricalAccuracy = (out: ModelOutput, y: Tensor) => fraction(eq(argmax(out.scores, -1), argmax(y, -1)));
// Above 0.5 as a probability is above 0 as a logit.
const binaryAccuracy = (out: ModelOutput, y: Tensor) => {
  const logits = out.logitsFor('sigmoid');
  return fraction(eq(logits ? gt(logits, 0) : gt(out.value, 0.5), gt(y, 0.5)));
};

/** The label is among the k highest scores: fewer than k classes score strictly higher. */
function topK(k: number, categorical: boolean) {
  return (out: ModelOutput, y: Tensor) => {
    const [s, t] = flat(out.scores, categorical ? argmax(y, -1) : y);
    const own = gather(s, 1, unsqueeze(t, 1));
    return fraction(lt(sum(cast(gt(s, own), 'float32'), 1), k));
  };
}

/** Checks a metric spec at compile time; returns its name. */
export function metricName(spec: MetricSpec): string {
  if (typeof spec === 'function') return spec.name || 'metric';
  if (typeof spec !== 'string' || !(NAMES.includes(spec) || /^top[1-9]\d*$/.test(spec))) {
    throw new TensileError('compile', `unknown metric ${typeof spec === 'string' ? `'${spec}'` : String(spec)}; use one of ${NAMES.join(', ')} or a function (yPred, yTrue) => Tensor`);
  }
  return spec;
}

/**
 * The metric for a spec, given the loss kind and the ranks of the output and the prepared
 * target (which decide what 'accuracy' means when the loss does not).
 */
export function resolveMetric(spec: MetricSpec, loss: LossKind, outShape: readonly number[], yRank: number): Metric {
  const name = metricName(spec);
  if (typeof spec === 'function') {
    return {
      name,
      compute(out, y) {
        const v = spec(out.value, y);
        if (!(v instanceof Tensor)) throw new TensileError('fit', `metric '${name}' returned ${String(v)}, not a Tensor`);
        return mean(cast(v, 'float32'));
      },
    };
  }
  const categorical = loss === 'categorical' || (loss !== 'sparse' && yRank === outShape.length && outShape[outShape.length - 1] > 1);
  switch (spec) {
    case 'accuracy': {
      let kind: 'sparse' | 'categorical' | 'binary';
      if (loss === 'sparse' || loss === 'categorical' || loss === 'binary') kind = loss;
      else kind = outShape[outShape.length - 1] === 1 ? 'binary' : categorical ? 'categorical' : 'sparse';
      return { name, compute: kind === 'sparse' ? sparseAccuracy : kind === 'categorical' ? categoricalAccuracy : binaryAccuracy };
    }
    case 'sparseCategoricalAccuracy': return { name, compute: sparseAccuracy };
    case 'categoricalAccuracy': return { name, compute: categoricalAccuracy };
    case 'binaryAccuracy': return { name, compute: binaryAccuracy };
    case 'mae': return { name, compute: (out, y) => mean(abs(sub(out.value, y))) };
    case 'mse': return { name, compute: (out, y) => mean(square(sub(out.value, y))) };
    default: {
      // 'topK' is Keras's top_k_categorical_accuracy (k = 5); 'top3' etc. set k.
      const k = spec === 'topK' ? 5 : Number(spec.slice(3));
      return { name, compute: topK(k, categorical) };
    }
  }
}

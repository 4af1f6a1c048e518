/**
 * Feature scaling as sklearn.preprocessing: StandardScaler (population variance, the
 * corrected two-pass formula, near-constant features left unscaled) and MinMaxScaler.
 * Results are float64 tensors on the input's device.
 */
import { TensileError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import type { DeviceName } from '../backends/backend.js';
import { type Matrix, type MatrixLike, checkFeatures, checkFitted, result, toMatrix } from './base.js';
import { booleanOption } from './linear.js';

const EPS = 2.220446049250313e-16;

/** (x − shift) / divisor column-wise, or its inverse x·divisor + shift, on a checked matrix. */
function affine(x: Matrix, shift: Float64Array | null, divisor: Float64Array | null, inverse: boolean, device?: DeviceName): Tensor {
  const { data, rows, cols } = x;
  const out = new Float64Array(data.length);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      let v = data[i * cols + j];
      if (inverse) {
        if (divisor) v *= divisor[j];
        if (shift) v += shift[j];
      } else {
        if (shift) v -= shift[j];
        if (divisor) v /= divisor[j];
      }
      out[i * cols + j] = v;
    }
  }
  return result(out, [rows, cols], x.device ?? device);
}

export interface StandardScalerOptions {
  /** Subtract the mean (default true). */
  withMean?: boolean;
  /** Divide by the standard deviation (default true). */
  withStd?: boolean;
}

/**
 * Standardizes features to zero mean and unit (population) variance, as
 * sklearn.preprocessing.StandardScaler; a feature whose variance is zero up to rounding keeps
 * scale 1.
 * @example
 * const scaler = new tn.ml.StandardScaler().fit(XTrain);
 * const Z = scaler.transform(XTest);
 */
export class StandardScaler {
  readonly withMean: boolean;
  readonly withStd: boolean;
  private stats?: { mean: Float64Array; variance: Float64Array; scale: Float64Array; n: number; p: number; device?: DeviceName };

  constructor(opts: StandardScalerOptions = {}) {
    this.withMean = booleanOption('StandardScaler', 'withMean', opts.withMean, true);
    this.withStd = booleanOption('StandardScaler', 'withStd', opts.withStd, true);
  }

  fit(X: MatrixLike): this {
    const x = toMatrix('StandardScaler.fit', X);
    const { data, rows: n, cols: p } = x;
    const mean = new Float64Array(p), variance = new Float64Array(p), scale = new Float64Array(p);
    for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) mean[j] += data[i * p + j];
    for (let j = 0; j < p; j++) mean[j] /= n;
    // Two-pass variance with the rounding correction of scikit-learn's _incremental_mean_and_var.
    const sq = new Float64Array(p), corr = new Float64Array(p);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < p; j++) {
        const d = data[i * p + j] - mean[j];
        sq[j] += d * d; corr[j] += d;
      }
    }
    for (let j = 0; j < p; j++) {
      variance[j] = (sq[j] - (corr[j] * corr[j]) / n) / n;
      // _is_constant_feature: a variance this small is rounding error of a constant column.
      const bound = n * EPS * variance[j] + (n * mean[j] * EPS) ** 2;
      scale[j] = variance[j] <= bound ? 1 : Math.sqrt(variance[j]);
    }
    this.stats = { mean, variance, scale, n, p, device: x.device };
    return this;
  }

  private fitted(op: string) {
    checkFitted(`StandardScaler.${op}`, this.stats !== undefined, 'StandardScaler');
    return this.stats!;
  }

  /** (X − mean) / scale, as configured. */
  transform(X: MatrixLike): Tensor {
    const s = this.fitted('transform');
    const x = toMatrix('StandardScaler.transform', X);
    checkFeatures('StandardScaler.transform', x, s.p, 'StandardScaler');
    return affine(x, this.withMean ? s.mean : null, this.withStd ? s.scale : null, false, s.device);
  }

  fitTransform(X: MatrixLike): Tensor {
    return this.fit(X).transform(X);
  }

  /** X·scale + mean: back to the original units. */
  inverseTransform(X: MatrixLike): Tensor {
    const s = this.fitted('inverseTransform');
    const x = toMatrix('StandardScaler.inverseTransform', X);
    checkFeatures('StandardScaler.inverseTransform', x, s.p, 'StandardScaler');
    return affine(x, this.withMean ? s.mean : null, this.withStd ? s.scale : null, true, s.device);
  }

  /** Per-feature means (null when neither centring nor scaling, as scikit-learn). */
  get mean(): Tensor | null {
    const s = this.fitted('mean');
    return this.withMean || this.withStd ? result(s.mean.slice(), [s.p], s.device) : null;
  }

  /** Per-feature population variances (null without withStd). */
  get var(): Tensor | null {
    const s = this.fitted('var');
    return this.withStd ? result(s.variance.slice(), [s.p], s.device) : null;
  }

  /** Per-feature divisors: the standard deviation, 1 for constant features (null without withStd). */
  get scale(): Tensor | null {
    const s = this.fitted('scale');
    return this.withStd ? result(s.scale.slice(), [s.p], s.device) : null;
  }

  get nSamplesSeen(): number {
    return this.fitted('nSamplesSeen').n;
  }

  get nFeaturesIn(): number {
    return this.fitted('nFeaturesIn').p;
  }
}

export interface MinMaxScalerOptions {
  /** The target range [min, max] (default [0, 1]). */
  featureRange?: [number, number];
  /** Clip transformed values to the range (default false). */
  clip?: boolean;
}

/**
 * Scales each feature linearly onto featureRange, as sklearn.preprocessing.MinMaxScaler; a
 * constant feature maps to the range's minimum.
 * @example new tn.ml.MinMaxScaler({ featureRange: [-1, 1] }).fitTransform(X)
 */
export class MinMaxScaler {
  readonly featureRange: [number, number];
  readonly clip: boolean;
  private stats?: { dataMin: Float64Array; dataMax: Float64Array; scale: Float64Array; min: Float64Array; p: number; device?: DeviceName };

  constructor(opts: MinMaxScalerOptions = {}) {
    const range = opts.featureRange ?? [0, 1];
    if (!Array.isArray(range) || range.length !== 2 || !range.every(Number.isFinite) || !(range[0] < range[1])) {
      throw new TensileError('MinMaxScaler', `option 'featureRange' must be [min, max] with min < max, got ${JSON.stringify(range)}`);
    }
    this.featureRange = [range[0], range[1]];
    this.clip = booleanOption('MinMaxScaler', 'clip', opts.clip, false);
  }

  fit(X: MatrixLike): this {
    const x = toMatrix('MinMaxScaler.fit', X);
    const { data, rows: n, cols: p } = x;
    const dataMin = new Float64Array(p).fill(Infinity), dataMax = new Float64Array(p).fill(-Infinity);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < p; j++) {
        const v = data[i * p + j];
        if (v < dataMin[j]) dataMin[j] = v;
        if (v > dataMax[j]) dataMax[j] = v;
      }
    }
    const [lo, hi] = this.featureRange;
    const scale = new Float64Array(p), min = new Float64Array(p);
    for (let j = 0; j < p; j++) {
      const range = dataMax[j] - dataMin[j];
      // _handle_zeros_in_scale: a (near-)zero range divides by 1.
      scale[j] = (hi - lo) / (range < 10 * EPS ? 1 : range);
      min[j] = lo - dataMin[j] * scale[j];
    }
    this.stats = { dataMin, dataMax, scale, min, p, device: x.device };
    return this;
  }

  private fitted(op: string) {
    checkFitted(`MinMaxScaler.${op}`, this.stats !== undefined, 'MinMaxScaler');
    return this.stats!;
  }

  /** X·scale + min (clipped to featureRange when asked). */
  transform(X: MatrixLike): Tensor {
    const s = this.fitted('transform');
    const x = toMatrix('MinMaxScaler.transform', X);
    checkFeatures('MinMaxScaler.transform', x, s.p, 'MinMaxScaler');
    const out = new Float64Array(x.data.length);
    const [lo, hi] = this.featureRange;
    for (let i = 0; i < x.rows; i++) {
      for (let j = 0; j < s.p; j++) {
        let v = x.data[i * s.p + j] * s.scale[j] + s.min[j];
        if (this.clip) v = Math.min(hi, Math.max(lo, v));
        out[i * s.p + j] = v;
      }
    }
    return result(out, [x.rows, s.p], x.device ?? s.device);
  }

  fitTransform(X: MatrixLike): Tensor {
    return this.fit(X).transform(X);
  }

  /** (X − min) / scale. */
  inverseTransform(X: MatrixLike): Tensor {
    const s = this.fitted('inverseTransform');
    const x = toMatrix('MinMaxScaler.inverseTransform', X);
    checkFeatures('MinMaxScaler.inverseTransform', x, s.p, 'MinMaxScaler');
    return affine(x, s.min, s.scale, false, s.device);
  }

  get dataMin(): Tensor { const s = this.fitted('dataMin'); return result(s.dataMin.slice(), [s.p], s.device); }
  get dataMax(): Tensor { const s = this.fitted('dataMax'); return result(s.dataMax.slice(), [s.p], s.device); }
  get dataRange(): Tensor { const s = this.fitted('dataRange'); return result(s.dataMax.map((v, j) => v - s.dataMin[j]), [s.p], s.device); }
  get scale(): Tensor { const s = this.fitted('scale'); return result(s.scale.slice(), [s.p], s.device); }
  get min(): Tensor { const s = this.fitted('min'); return result(s.min.slice(), [s.p], s.device); }
}

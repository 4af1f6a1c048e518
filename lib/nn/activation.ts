/** Activation layers: stateless modules around elementwise ops. */
import { TensileError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { abs, add, erfc, exp, expm1, gt, log1p, mul, neg, relu, sigmoid, softmax, tanh, where } from '../ops/index.js';
import { Module, checkInput } from './module.js';

/** max(x, 0); the gradient at 0 is 0, as PyTorch. @example new tn.nn.ReLU().call(x) */
export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return relu(checkInput('ReLU', x));
  }
}

/**
 * x for x > 0, negativeSlope * x otherwise (gradient negativeSlope at 0, as PyTorch).
 * @example new tn.nn.LeakyReLU(0.2)
 */
export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) {
    super();
    if (typeof negativeSlope !== 'number' || !Number.isFinite(negativeSlope)) {
      throw new TensileError('LeakyReLU', `negativeSlope must be a finite number, got ${String(negativeSlope)}`);
    }
  }
  forward(x: Tensor): Tensor {
    return leakyRelu(checkInput('LeakyReLU', x), this.negativeSlope);
  }
  override extraRepr(): string {
    return `negative_slope=${this.negativeSlope}`;
  }
}

export function leakyRelu(x: Tensor, slope: number): Tensor {
  return where(gt(x, 0), x, mul(x, slope));
}

export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return tanh(checkInput('Tanh', x));
  }
}

export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return sigmoid(checkInput('Sigmoid', x));
  }
}

/**
 * Softmax along `axis` (default the last), as torch.nn.Softmax(dim).
 * @example new tn.nn.Softmax(-1)
 */
export class Softmax extends Module {
  constructor(readonly axis = -1) {
    super();
    if (!Number.isInteger(axis)) throw new TensileError('Softmax', `axis must be an integer, got ${String(axis)}`);
  }
  forward(x: Tensor): Tensor {
    return softmax(checkInput('Softmax', x), this.axis);
  }
  override extraRepr(): string {
    return `dim=${this.axis}`;
  }
}

/**
 * GELU: x * Φ(x) with Φ the standard normal CDF (PyTorch's default, approximate: 'none'), or
 * the tanh approximation 0.5 x (1 + tanh(sqrt(2/π) (x + 0.044715 x³))) with approximate: 'tanh'.
 * @example new tn.nn.GELU({ approximate: 'tanh' })
 */
export class GELU extends Module {
  readonly approximate: 'none' | 'tanh';
  constructor(opts: { approximate?: 'none' | 'tanh' } = {}) {
    super();
    const a = opts.approximate ?? 'none';
    if (a !== 'none' && a !== 'tanh') throw new TensileError('GELU', `approximate must be 'none' or 'tanh', got '${String(a)}'`);
    this.approximate = a;
  }
  forward(x: Tensor): Tensor {
    return gelu(checkInput('GELU', x), this.approximate);
  }
  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

/** The GELU function (see the GELU layer). */
export function gelu(x: Tensor, approximate: 'none' | 'tanh' = 'none'): Tensor {
  if (approximate === 'tanh') {
    const inner = mul(add(x, mul(mul(mul(x, x), x), 0.044715)), Math.sqrt(2 / Math.PI));
    return mul(mul(x, 0.5), add(tanh(inner), 1));
  }
  return mul(x, normalCdf(x));
}

/**
 * Φ(x) = erfc(-x / √2) / 2, the standard normal CDF, accurate in both tails (erfc keeps full
 * relative accuracy where 1 + erf(x) would cancel).
 * @example normalCdf(tn.tensor([0])) // [0.5]
 */
export function normalCdf(x: Tensor): Tensor {
  return mul(erfc(mul(x, -Math.SQRT1_2)), 0.5);
}

/** Activation names a Dense layer takes (Keras's, with camelCase aliases). */
export type ActivationName = 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'softmax' | 'gelu' | 'leaky_relu' | 'leakyRelu'
  | 'elu' | 'softplus' | 'silu' | 'swish';

const ACTIVATIONS: { [K in ActivationName]: ((x: Tensor) => Tensor) | null } = {
  linear: null,
  relu: (x) => relu(x),
  sigmoid: (x) => sigmoid(x),
  tanh: (x) => tanh(x),
  softmax: (x) => softmax(x, -1),
  gelu: (x) => gelu(x),
  // Keras 3's leaky_relu default slope is 0.2 (PyTorch's LeakyReLU: 0.01).
  leaky_relu: (x) => leakyRelu(x, 0.2),
  leakyRelu: (x) => leakyRelu(x, 0.2),
  elu: (x) => where(gt(x, 0), x, expm1(x)),
  // log(1 + e^x) = max(x, 0) + log1p(e^-|x|): no overflow for large x.
  softplus: (x) => add(relu(x), log1p(exp(neg(abs(x))))),
  silu: (x) => mul(x, sigmoid(x)),
  swish: (x) => mul(x, sigmoid(x)),
};

/** The function for an activation name (null for 'linear'); throws naming the choices. */
export function activationFunction(layer: string, name: string): ((x: Tensor) => Tensor) | null {
  if (!Object.prototype.hasOwnProperty.call(ACTIVATIONS, name)) {
    throw new TensileError(layer, `unknown activation '${name}'; use one of ${Object.keys(ACTIVATIONS).join(', ')} or a function`);
  }
  return ACTIVATIONS[name as ActivationName];
}

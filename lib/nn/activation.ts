/** Activation layers: stateless modules around elementwise ops. */
import { TensileError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { abs, add, div, exp, expm1, gt, log1p, lt, mul, neg, relu, sigmoid, softmax, sub, tanh, where } from '../ops/index.js';
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

// The core has no erf op (see the report), so Φ is composed from elementwise ops. For z >= 0,
//   erfc(z) = t exp(-z² + f(y)),  t = 2 / (2 + z),  y = 2t - 1 ∈ (-1, 1],
// where f(y) = log(erfcx(z) / t) is smooth on [-1, 1] and expanded in Chebyshev polynomials
// (the form of Numerical Recipes' erfccheb). The coefficients were computed independently in
// mpmath at 50 digits (`test/reference/gen_nn.py --erfc-coefficients`); 28 terms reach float64
// round-off, the first 16 float32's. The composition is differentiable, so gradients (and
// second derivatives) come from the ops; erfc keeps full relative accuracy in the far tail,
// where 1 + erf(x) would cancel.
const ERFC_CHEB = [
  -0.65132685989085471710, 0.64196979235649026030, 0.019476473204185836312, -0.0095615147868086316419,
  -0.00094659534448203686630, 0.00036683949785276145187, 0.000042523324806907771645, -0.000020278578112534243154,
  -1.6242900046470255135e-6, 1.3036558355805232018e-6, 1.5626441722066143178e-8, -8.5238095914926542525e-8,
  6.5290544390988514964e-9, 5.0593434955514689418e-9, -9.9136415649303308674e-10, -2.2736512229318358557e-10,
  9.6467911020155268020e-11, 2.3940380830391147447e-12, -6.8860275264975533984e-12, 8.9448792730907257167e-13,
  3.1309213993429580783e-13, -1.1270822361367252366e-13, 3.8109052551892320552e-16, 7.1060976136092369878e-15,
  -1.5230282014571043043e-15, -9.4574945712912340005e-17, 1.2102371892242789923e-16, -2.8166630877471769718e-17,
];

/** erfc(z) for z >= 0 (Chebyshev form above), evaluated by Clenshaw's recurrence. */
function erfcNonNegative(z: Tensor): Tensor {
  const n = z.dtype === 'float64' ? ERFC_CHEB.length : 16;
  const t = div(2, add(z, 2));
  const y = sub(mul(t, 2), 1);
  const y2 = mul(y, 2);
  let b1: Tensor | number = 0, b2: Tensor | number = 0;
  for (let k = n - 1; k >= 1; k--) {
    const next: Tensor = add(sub(mul(y2, b1), b2), ERFC_CHEB[k]);
    b2 = b1;
    b1 = next;
  }
  const f = add(sub(mul(y, b1), b2), ERFC_CHEB[0]);
  return mul(t, exp(sub(f, mul(z, z))));
}

/**
 * Φ(x) = erfc(-x / √2) / 2, the standard normal CDF, accurate in both tails.
 * @example normalCdf(tn.tensor([0])) // [0.5]
 */
export function normalCdf(x: Tensor): Tensor {
  const z = mul(x, -Math.SQRT1_2);
  const negative = lt(z, 0);
  // |z| via where, not abs: abs's gradient at 0 is 0, which would lose Φ'(0).
  const e = erfcNonNegative(where(negative, neg(z), z));
  // erfc(-a) = 2 - erfc(a)
  return mul(where(negative, sub(2, e), e), 0.5);
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

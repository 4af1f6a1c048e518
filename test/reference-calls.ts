/** How each op name in test/fixtures/core.json maps onto tensile's API. */
import * as tn from '../lib/index.js';

type A = Record<string, any>;
export type Call = (xs: tn.Tensor[], a: A) => tn.Tensor | tn.Tensor[];

const unary = (f: (x: tn.Tensor) => tn.Tensor): Call => ([x]) => f(x);
const binary = (f: (a: tn.TensorLike, b: tn.TensorLike) => tn.Tensor): Call => ([x, y], a) => ('scalar' in a ? f(x, a.scalar) : f(x, y));
const reduce = (f: (x: tn.Tensor, axis: tn.Axes, keepdims: boolean) => tn.Tensor): Call => ([x], a) => f(x, a.axis, a.keepdims);
const opts = (a: A, device: tn.DeviceName) => ({ dtype: a.dtype, device });

/** How each fixture op name maps onto tensile's API. */
export function referenceCalls(device: tn.DeviceName): Record<string, Call> {
  return {
    neg: unary(tn.neg), exp: unary(tn.exp), log: unary(tn.log), sqrt: unary(tn.sqrt), rsqrt: unary(tn.rsqrt),
    abs: unary(tn.abs), sign: unary(tn.sign), sin: unary(tn.sin), cos: unary(tn.cos), tanh: unary(tn.tanh),
    sigmoid: unary(tn.sigmoid), relu: unary(tn.relu),
    add: binary(tn.add), sub: binary(tn.sub), mul: binary(tn.mul), div: binary(tn.div), pow: binary(tn.pow),
    maximum: binary(tn.maximum), minimum: binary(tn.minimum),
    eq: binary(tn.eq), ne: binary(tn.ne), lt: binary(tn.lt), le: binary(tn.le), gt: binary(tn.gt), ge: binary(tn.ge),
    where: ([c, x, y]) => tn.where(c, x, y),
    clamp: ([x], a) => tn.clamp(x, a.min, a.max),
    sum: reduce(tn.sum), mean: reduce(tn.mean), prod: reduce(tn.prod), max: reduce(tn.max), min: reduce(tn.min),
    logsumexp: reduce(tn.logsumexp),
    var: ([x], a) => tn.var(x, a.axis, a.keepdims, a.correction),
    std: ([x], a) => tn.std(x, a.axis, a.keepdims, a.correction),
    argmax: ([x], a) => tn.argmax(x, a.axis, a.keepdims),
    argmin: ([x], a) => tn.argmin(x, a.axis, a.keepdims),
    matmul: ([x, y]) => tn.matmul(x, y),
    softmax: ([x], a) => tn.softmax(x, a.axis),
    logSoftmax: ([x], a) => tn.logSoftmax(x, a.axis),
    reshape: ([x], a) => tn.reshape(x, a.shape),
    permute: ([x], a) => tn.permute(x, a.dims),
    transpose: ([x], a) => tn.transpose(x, a.dim0, a.dim1),
    squeeze: ([x], a) => tn.squeeze(x, a.axis),
    unsqueeze: ([x], a) => tn.unsqueeze(x, a.axis),
    expand: ([x], a) => tn.expand(x, a.shape),
    slice: ([x], a) => tn.slice(x, ...a.slices),
    gather: ([x, i], a) => tn.gather(x, a.axis, i),
    indexSelect: ([x, i], a) => tn.indexSelect(x, a.axis, i),
    concat: (xs, a) => tn.concat(xs, a.axis),
    stack: (xs, a) => tn.stack(xs, a.axis),
    split: ([x], a) => tn.split(x, a.sizes, a.axis),
    flatten: ([x], a) => tn.flatten(x, a.startDim, a.endDim),
    cast: ([x], a) => tn.cast(x, a.dtype),
    arange: (_, a) => tn.arange(a.start, a.stop, a.step, opts(a, device)),
    linspace: (_, a) => tn.linspace(a.start, a.stop, a.num, opts(a, device)),
    eye: (_, a) => tn.eye(a.n, a.m, opts(a, device)),
  };
}

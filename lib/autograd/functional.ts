/**
 * JAX-shaped functional autograd: grad(f, argnums) and valueAndGrad(f, argnums). Nesting
 * works: an argument that is already being differentiated by an outer transform is used as
 * is, and the inner sweep records its own graph (createGraph) so the outer one can go on.
 */
import { Tensor } from '../tensor.js';
import { TensileError, fmtShape } from '../errors.js';
import { enableGrad, isGradEnabled, noGrad } from './mode.js';
import { sweep } from './backward.js';
import { onesLike, zerosLike } from '../ops/index.js';

type Argnums = number | readonly number[];

function run<A extends unknown[]>(op: string, f: (...args: A) => Tensor, argnums: Argnums, args: A): [Tensor, Tensor[]] {
  const nums = typeof argnums === 'number' ? [argnums] : [...argnums];
  const wrapped = [...args] as unknown[];
  let nested = false;
  for (const i of nums) {
    const a = args[i];
    if (!(a instanceof Tensor)) throw new TensileError(op, `argument ${i} (in argnums) must be a Tensor, got ${typeof a}`);
    a.assertAlive(op, `args[${i}]`);
    if (a.requiresGrad && isGradEnabled()) nested = true;
    else wrapped[i] = a.detach().requiresGrad_(true);
  }
  const xs = nums.map((i) => wrapped[i] as Tensor);
  const value = enableGrad(() => f(...(wrapped as A)));
  if (!(value instanceof Tensor)) throw new TensileError(op, `f must return a Tensor, got ${typeof value}`);
  if (value.size !== 1) throw new TensileError(op, `f must return a one-element tensor, got shape ${fmtShape(value.shape)}`);
  if (!value.requiresGrad) return [value, xs.map((x) => zerosLike(x))];
  const grads = sweep([value], [noGrad(() => onesLike(value))], { wrt: xs, createGraph: nested });
  const filled = grads.map((g, k) => g ?? zerosLike(xs[k]));
  return [nested ? value : value.detach(), filled];
}

/**
 * The gradient of a scalar function: `tn.grad(f)(x)` is df/dx (a Tensor), or a Tensor[] when
 * argnums is an array. Composes: tn.grad(tn.grad(f)) gives second derivatives.
 * @example const df = tn.grad((x: tn.Tensor) => x.pow(3).sum()); df(tn.tensor([2])) // [12]
 */
export function grad<A extends unknown[]>(f: (...args: A) => Tensor, argnums: number): (...args: A) => Tensor;
export function grad<A extends unknown[]>(f: (...args: A) => Tensor, argnums: readonly number[]): (...args: A) => Tensor[];
export function grad<A extends unknown[]>(f: (...args: A) => Tensor): (...args: A) => Tensor;
export function grad<A extends unknown[]>(f: (...args: A) => Tensor, argnums: Argnums = 0): (...args: A) => Tensor | Tensor[] {
  return (...args: A) => {
    const [, gs] = run('grad', f, argnums, args);
    return typeof argnums === 'number' ? gs[0] : gs;
  };
}

/**
 * Like grad, also returning f's value: `[value, grads]`.
 * @example const [loss, g] = tn.valueAndGrad(lossFn)(w);
 */
export function valueAndGrad<A extends unknown[]>(f: (...args: A) => Tensor, argnums: number): (...args: A) => [Tensor, Tensor];
export function valueAndGrad<A extends unknown[]>(f: (...args: A) => Tensor, argnums: readonly number[]): (...args: A) => [Tensor, Tensor[]];
export function valueAndGrad<A extends unknown[]>(f: (...args: A) => Tensor): (...args: A) => [Tensor, Tensor];
export function valueAndGrad<A extends unknown[]>(f: (...args: A) => Tensor, argnums: Argnums = 0): (...args: A) => [Tensor, Tensor | Tensor[]] {
  return (...args: A) => {
    const [v, gs] = run('valueAndGrad', f, argnums, args);
    return [v, typeof argnums === 'number' ? gs[0] : gs];
  };
}

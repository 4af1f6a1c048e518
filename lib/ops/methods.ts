/**
 * Chaining: every op is also a Tensor method (x.add(y).relu()). The op functions stay the one
 * declaration; this file only forwards.
 */
import type { DType } from '../dtype.js';
import { Tensor } from '../tensor.js';
import type { TensorLike } from './define.js';
import * as E from './elementwise.js';
import * as R from './reduce.js';
import * as S from './shape.js';
import * as I from './indexing.js';
import * as M from './matmul.js';
import * as X from './softmax.js';
import * as C from './cast.js';
import * as P from './inplace.js';

declare module '../tensor.js' {
  interface Tensor {
    neg(): Tensor; exp(): Tensor; log(): Tensor; sqrt(): Tensor; rsqrt(): Tensor; abs(): Tensor; sign(): Tensor;
    sin(): Tensor; cos(): Tensor; tanh(): Tensor; sigmoid(): Tensor; relu(): Tensor; square(): Tensor;
    reciprocal(): Tensor; floor(): Tensor; ceil(): Tensor; round(): Tensor; log1p(): Tensor; expm1(): Tensor;
    erf(): Tensor; erfc(): Tensor;
    logicalNot(): Tensor;
    add(b: TensorLike): Tensor; sub(b: TensorLike): Tensor; mul(b: TensorLike): Tensor; div(b: TensorLike): Tensor;
    pow(b: TensorLike): Tensor; maximum(b: TensorLike): Tensor; minimum(b: TensorLike): Tensor;
    eq(b: TensorLike): Tensor; ne(b: TensorLike): Tensor; lt(b: TensorLike): Tensor; le(b: TensorLike): Tensor;
    gt(b: TensorLike): Tensor; ge(b: TensorLike): Tensor; logicalAnd(b: TensorLike): Tensor; logicalOr(b: TensorLike): Tensor;
    where(cond: TensorLike, other: TensorLike): Tensor;
    clamp(min?: number | null, max?: number | null): Tensor;
    sum(axis?: R.Axes, keepdims?: boolean): Tensor; mean(axis?: R.Axes, keepdims?: boolean): Tensor;
    prod(axis?: R.Axes, keepdims?: boolean): Tensor; max(axis?: R.Axes, keepdims?: boolean): Tensor;
    min(axis?: R.Axes, keepdims?: boolean): Tensor; logsumexp(axis?: R.Axes, keepdims?: boolean): Tensor;
    var(axis?: R.Axes, keepdims?: boolean, correction?: number): Tensor; std(axis?: R.Axes, keepdims?: boolean, correction?: number): Tensor;
    argmax(axis?: number | null, keepdims?: boolean): Tensor; argmin(axis?: number | null, keepdims?: boolean): Tensor;
    matmul(b: TensorLike): Tensor;
    softmax(axis?: number): Tensor; logSoftmax(axis?: number): Tensor;
    reshape(shape: readonly number[]): Tensor; permute(dims: readonly number[]): Tensor;
    transpose(dim0?: number, dim1?: number): Tensor; squeeze(axis?: number | readonly number[] | null): Tensor;
    unsqueeze(axis: number): Tensor; expand(shape: readonly number[]): Tensor; broadcastTo(shape: readonly number[]): Tensor;
    flatten(startDim?: number, endDim?: number): Tensor; slice(...specs: S.SliceSpec[]): Tensor;
    split(sizes: number | readonly number[], axis?: number): Tensor[];
    gather(axis: number, index: TensorLike): Tensor; indexSelect(axis: number, index: TensorLike): Tensor;
    scatterAdd(axis: number, index: TensorLike, src: TensorLike): Tensor;
    cast(dtype: DType): Tensor; contiguous(): Tensor; clone(): Tensor;
    addInPlace(b: TensorLike): Tensor; subInPlace(b: TensorLike): Tensor; mulInPlace(b: TensorLike): Tensor;
    divInPlace(b: TensorLike): Tensor; assign(b: TensorLike): Tensor; fillInPlace(v: number): Tensor;
    /** The transpose of a matrix (all dims reversed). */
    readonly T: Tensor;
  }
}

type Fn = (this: Tensor, ...args: never[]) => unknown;
const methods: Record<string, Fn> = {};
function self1(f: (x: Tensor, ...a: never[]) => unknown): Fn {
  return function (this: Tensor, ...a: never[]) { return f(this, ...a); };
}

const UNARY = ['neg', 'exp', 'log', 'sqrt', 'rsqrt', 'abs', 'sign', 'sin', 'cos', 'tanh', 'sigmoid', 'relu', 'square',
  'reciprocal', 'floor', 'ceil', 'round', 'log1p', 'expm1', 'erf', 'erfc', 'logicalNot',
  'add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'logicalAnd', 'logicalOr', 'clamp'] as const;
for (const n of UNARY) methods[n] = self1(E[n] as (x: Tensor, ...a: never[]) => unknown);
methods.where = function (this: Tensor, cond: TensorLike, other: TensorLike) { return E.where(cond, this, other); } as Fn;
for (const n of ['sum', 'mean', 'prod', 'max', 'min', 'logsumexp', 'std', 'argmax', 'argmin'] as const) methods[n] = self1(R[n] as never);
methods.var = self1(R.variance as never);
methods.matmul = self1(M.matmul as never);
methods.softmax = self1(X.softmax as never);
methods.logSoftmax = self1(X.logSoftmax as never);
for (const n of ['reshape', 'permute', 'transpose', 'squeeze', 'unsqueeze', 'expand', 'broadcastTo', 'flatten', 'slice', 'split'] as const) {
  methods[n] = self1(S[n] as never);
}
for (const n of ['gather', 'indexSelect', 'scatterAdd'] as const) methods[n] = self1(I[n] as never);
for (const n of ['cast', 'contiguous', 'clone'] as const) methods[n] = self1(C[n] as never);
for (const n of ['addInPlace', 'subInPlace', 'mulInPlace', 'divInPlace', 'assign', 'fillInPlace'] as const) methods[n] = self1(P[n] as never);

for (const [name, fn] of Object.entries(methods)) {
  Object.defineProperty(Tensor.prototype, name, { value: fn, writable: true, configurable: true });
}
Object.defineProperty(Tensor.prototype, 'T', {
  get(this: Tensor) { return S.transpose(this); },
  configurable: true,
});

/**
 * In-place updates, for optimizer steps and buffers. They are not recorded on the tape, so a
 * tensor that requires grad may only be updated under `tn.noGrad` (as in PyTorch).
 */
import type { BinaryOp } from '../backends/backend.js';
import { isFloat } from '../dtype.js';
import { isGradEnabled } from '../autograd/mode.js';
import { TensileError, fmtShape } from '../errors.js';
import { broadcastShapes } from '../shape.js';
import { Tensor } from '../tensor.js';
import { type TensorLike, broadcastView, checkTensor, sameDevice, scalarLike, toTensor } from './define.js';
import { cast } from './cast.js';

function checkTarget(op: string, x: Tensor): void {
  checkTensor(op, 'x', x);
  if (x.requiresGrad && isGradEnabled()) {
    throw new TensileError(op, `tensor #${x.id} requires grad; update it inside tn.noGrad(() => ...)`);
  }
}

function checkScalarFits(op: string, x: Tensor, v: unknown): void {
  if (typeof v === 'number' && !isFloat(x.dtype) && !Number.isInteger(v)) {
    throw new TensileError(op, `cannot write the non-integer ${v} into a ${x.dtype} tensor in place`);
  }
}

function otherOperand(op: string, x: Tensor, other: TensorLike): Tensor {
  checkScalarFits(op, x, other);
  const o = typeof other === 'number' || typeof other === 'boolean' ? scalarLike(other, x.dtype, x) : toTensor(op, 'other', other);
  sameDevice(op, [['x', x], ['other', o]]);
  if (!isFloat(x.dtype) && isFloat(o.dtype)) {
    throw new TensileError(op, `cannot write ${o.dtype} values into a ${x.dtype} tensor in place`);
  }
  const shape = broadcastShapes(op, x.shape, o.shape);
  if (shape.length !== x.rank || shape.some((d, i) => d !== x.shape[i])) {
    throw new TensileError(op, `argument 'other' of shape ${fmtShape(o.shape)} does not broadcast to the target's shape ${fmtShape(x.shape)}`);
  }
  return cast(o, x.dtype);
}

/** Runs fn on `other` as a tensor of x's dtype, then frees what was made only for this call. */
function withOperand(op: string, x: Tensor, other: TensorLike, fn: (o: Tensor) => void): void {
  const given = other instanceof Tensor ? other : null;
  const o = otherOperand(op, x, other);
  try {
    fn(o);
  } finally {
    // A cast copy, or a tensor made from a JS array, is ours; scalars are shared constants.
    if (o !== given && o.rank > 0) o.dispose();
    else if (given && o !== given) o.dispose();
  }
}

function inPlace(op: string, kernel: BinaryOp, x: Tensor, other: TensorLike): Tensor {
  checkTarget(op, x);
  withOperand(op, x, other, (o) => {
    const v = x.view(op);
    x.backend.binary(kernel, v, broadcastView(o, x.shape, op), v);
  });
  return x;
}

/** x += other, in place; returns x. @example tn.noGrad(() => w.subInPlace(w.grad!.mul(0.1))) */
export const addInPlace = (x: Tensor, other: TensorLike) => inPlace('addInPlace', 'add', x, other);
export const subInPlace = (x: Tensor, other: TensorLike) => inPlace('subInPlace', 'sub', x, other);
export const mulInPlace = (x: Tensor, other: TensorLike) => inPlace('mulInPlace', 'mul', x, other);
export const divInPlace = (x: Tensor, other: TensorLike) => inPlace('divInPlace', 'div', x, other);

/** Copies other's values into x (broadcasting), in place; returns x. */
export function assign(x: Tensor, other: TensorLike): Tensor {
  checkTarget('assign', x);
  withOperand('assign', x, other, (o) => x.backend.copy(broadcastView(o, x.shape, 'assign'), x.view('assign')));
  return x;
}

/** Sets every element to value, in place; returns x. */
export function fillInPlace(x: Tensor, value: number): Tensor {
  checkTarget('fillInPlace', x);
  checkScalarFits('fillInPlace', x, value);
  x.backend.fill(x.view('fillInPlace'), value);
  return x;
}

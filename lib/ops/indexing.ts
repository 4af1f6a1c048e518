/** gather / indexSelect and their adjoint scatterAdd. */
import { TensileError, fmtShape } from '../errors.js';
import { normalizeAxis } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { type TensorLike, empty, record, sameDevice, toTensor, viewOf } from './define.js';
import { clone } from './cast.js';
import { concat } from './shape.js';

function checkIndexTensor(op: string, index: Tensor): void {
  if (index.dtype !== 'int32') throw new TensileError(op, `argument 'index' must be int32, got ${index.dtype}`);
}

/**
 * out[i][j] = x[index[i][j]][j] for axis 0 (torch.gather): index has x's rank and its
 * shape; out has index's shape.
 * @example tn.gather(probs, 1, labels.unsqueeze(1))
 */
export function gather(xin: TensorLike, axis: number, indexIn: TensorLike): Tensor {
  const x = toTensor('gather', 'x', xin), index = toTensor('gather', 'index', indexIn);
  const backend = sameDevice('gather', [['x', x], ['index', index]]);
  checkIndexTensor('gather', index);
  const a = normalizeAxis('gather', axis, x.rank);
  if (index.rank !== x.rank || index.shape.some((d, i) => i !== a && d > x.shape[i])) {
    throw new TensileError('gather', `argument 'index' of shape ${fmtShape(index.shape)} does not fit x of shape ${fmtShape(x.shape)} (same rank, no larger outside axis ${a})`);
  }
  const out = empty(backend, index.shape, x.dtype);
  backend.gather(x.view('gather'), index.view('gather'), a, out.view('gather'));
  return record(out, 'gather', [x], (g) => [scatterAdd(zerosOf(g, x.shape), a, index, g)]);
}

function zerosOf(like: Tensor, shape: readonly number[]): Tensor {
  const z = empty(like.backend, shape, like.dtype);
  z.backend.fill(z.view('zeros'), 0);
  return z;
}

/**
 * A copy of `x` with src added at the indexed positions: out[index[i][j]][j] += src[i][j]
 * for axis 0. Repeated indices accumulate.
 */
export function scatterAdd(xin: TensorLike, axis: number, indexIn: TensorLike, srcIn: TensorLike): Tensor {
  const x = toTensor('scatterAdd', 'x', xin), index = toTensor('scatterAdd', 'index', indexIn), src = toTensor('scatterAdd', 'src', srcIn);
  const backend = sameDevice('scatterAdd', [['x', x], ['index', index], ['src', src]]);
  checkIndexTensor('scatterAdd', index);
  const a = normalizeAxis('scatterAdd', axis, x.rank);
  if (index.rank !== x.rank || src.rank !== x.rank || index.shape.some((d, i) => d > src.shape[i] || (i !== a && d > x.shape[i]))) {
    throw new TensileError('scatterAdd', `shapes do not fit: x ${fmtShape(x.shape)}, index ${fmtShape(index.shape)}, src ${fmtShape(src.shape)}`);
  }
  if (src.dtype !== x.dtype) throw new TensileError('scatterAdd', `argument 'src' has dtype ${src.dtype} but x has ${x.dtype}`);
  const out = clone(x);
  const srcView = viewOf(src, index.shape, src.strides, src.offset);
  backend.scatterAdd(index.view('scatterAdd'), srcView.view('scatterAdd'), a, out.view('scatterAdd'));
  srcView.dispose();
  const res = record(out, 'scatterAdd', [x, src], (g) => [g, src.requiresGrad ? padTo(gather(g, a, index), src.shape) : null]);
  return res;
}

/** Gradient for src when index covers only a corner of it: zero-padded (differentiably). */
function padTo(g: Tensor, shape: readonly number[]): Tensor {
  let out = g;
  for (let i = 0; i < shape.length; i++) {
    if (out.shape[i] === shape[i]) continue;
    const zshape = [...out.shape];
    zshape[i] = shape[i] - out.shape[i];
    out = concat([out, zerosOf(out, zshape)], i);
  }
  return out;
}

/**
 * Picks entries along an axis by a 1-D int32 index (torch.index_select).
 * @example tn.indexSelect(embeddings, 0, tokenIds)
 */
export function indexSelect(xin: TensorLike, axis: number, indexIn: TensorLike): Tensor {
  const x = toTensor('indexSelect', 'x', xin), index = toTensor('indexSelect', 'index', indexIn);
  sameDevice('indexSelect', [['x', x], ['index', index]]);
  checkIndexTensor('indexSelect', index);
  if (index.rank !== 1) throw new TensileError('indexSelect', `argument 'index' must be 1-D, got shape ${fmtShape(index.shape)}`);
  const a = normalizeAxis('indexSelect', axis, Math.max(x.rank, 1));
  if (x.rank === 0) throw new TensileError('indexSelect', 'argument x must have at least one dim');
  // A gather whose index is the 1-D index broadcast (stride 0) over every other dim: no copy.
  const shape = [...x.shape];
  shape[a] = index.shape[0];
  const strides = shape.map((_, i) => (i === a ? index.strides[0] : 0));
  const idx = viewOf(index, shape, strides, index.offset);
  try {
    return gather(x, a, idx);
  } catch (e) {
    if (e instanceof TensileError && e.op === 'gather') throw new TensileError('indexSelect', e.message.replace(/^gather: /, ''));
    throw e;
  }
}

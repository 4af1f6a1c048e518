/**
 * Matrix products with NumPy/PyTorch semantics: 1-D operands are promoted and the added dim
 * removed; batch dims broadcast. Backward uses transpose flags, never copies of transposes.
 */
import { promoteTypes } from '../dtype.js';
import { TensileError, fmtShape } from '../errors.js';
import { broadcastShapes } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { type TensorLike, broadcastView, empty, record, sameDevice, toTensor } from './define.js';
import { cast } from './cast.js';
import { sumTo } from './reduce.js';
import { reshape, unsqueeze, squeeze } from './shape.js';

/** op(a) @ op(b) for tensors of rank >= 2, op = transpose of the last two dims when flagged. */
function mm(a: Tensor, b: Tensor, transA: boolean, transB: boolean, shown?: [readonly number[], readonly number[]]): Tensor {
  const backend = sameDevice('matmul', [['a', a], ['b', b]]);
  const [sa, sb] = shown ?? [a.shape, b.shape];
  const ra = a.rank, rb = b.rank;
  const M = transA ? a.shape[ra - 1] : a.shape[ra - 2];
  const Ka = transA ? a.shape[ra - 2] : a.shape[ra - 1];
  const Kb = transB ? b.shape[rb - 1] : b.shape[rb - 2];
  const N = transB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (Ka !== Kb) {
    throw new TensileError('matmul', `shapes ${fmtShape(sa)} and ${fmtShape(sb)} are incompatible: a has ${Ka} columns, b has ${Kb} rows`);
  }
  let batch: number[];
  try {
    batch = broadcastShapes('matmul', a.shape.slice(0, ra - 2), b.shape.slice(0, rb - 2));
  } catch {
    throw new TensileError('matmul', `batch dims of shapes ${fmtShape(sa)} and ${fmtShape(sb)} cannot broadcast`);
  }
  const outShape = [...batch, M, N];
  const out = empty(backend, outShape, a.dtype);
  backend.matmul(
    broadcastView(a, [...batch, ...a.shape.slice(ra - 2)], 'matmul'),
    broadcastView(b, [...batch, ...b.shape.slice(rb - 2)], 'matmul'),
    out.view('matmul'),
    { transA, transB },
  );
  return record(out, 'matmul', [a, b], (g) => {
    // C = op(A) op(B): dop(A) = G op(B)^T, dop(B) = op(A)^T G; transposed operands flip back.
    const da = !a.requiresGrad ? null : transA ? mm(b, g, transB, true) : mm(g, b, false, !transB);
    const db = !b.requiresGrad ? null : transB ? mm(g, a, true, transA) : mm(a, g, !transA, false);
    return [da && sumTo(da, a.shape), db && sumTo(db, b.shape)];
  });
}

/**
 * Matrix product as numpy.matmul / torch.matmul: 1-D·1-D is a dot product, a 1-D operand
 * is a row (left) or column (right) vector, leading dims broadcast as batches.
 * @example tn.matmul(x, w)  // [64,3] @ [3,1] -> [64,1]
 */
export function matmul(ain: TensorLike, bin: TensorLike): Tensor {
  let a = toTensor('matmul', 'a', ain), b = toTensor('matmul', 'b', bin);
  sameDevice('matmul', [['a', a], ['b', b]]);
  if (a.rank === 0 || b.rank === 0) {
    throw new TensileError('matmul', `both arguments need at least one dim, got shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  }
  if (a.dtype === 'bool' || b.dtype === 'bool') throw new TensileError('matmul', `bool tensors are not supported (dtypes ${a.dtype}, ${b.dtype})`);
  const d = promoteTypes(a.dtype, b.dtype);
  a = cast(a, d);
  b = cast(b, d);
  const aVec = a.rank === 1, bVec = b.rank === 1;
  const shown: [readonly number[], readonly number[]] = [a.shape, b.shape];
  if (aVec) a = unsqueeze(a, 0);
  if (bVec) b = unsqueeze(b, 1);
  let out = mm(a, b, false, false, shown);
  if (aVec && bVec) out = reshape(out, out.shape.slice(0, -2));
  else if (aVec) out = squeeze(out, -2);
  else if (bVec) out = squeeze(out, -1);
  return out;
}

/**
 * a @ b with either operand's last two dims transposed, without copying (rank >= 2).
 * @example tn.matmulT(x, w, false, true) // x @ w^T
 */
export function matmulT(ain: TensorLike, bin: TensorLike, transA = false, transB = false): Tensor {
  const a = toTensor('matmul', 'a', ain), b = toTensor('matmul', 'b', bin);
  sameDevice('matmul', [['a', a], ['b', b]]);
  if (a.rank < 2 || b.rank < 2) throw new TensileError('matmul', `matmulT needs rank >= 2, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  if (a.dtype === 'bool' || b.dtype === 'bool') throw new TensileError('matmul', `bool tensors are not supported (dtypes ${a.dtype}, ${b.dtype})`);
  const d = promoteTypes(a.dtype, b.dtype);
  return mm(cast(a, d), cast(b, d), transA, transB);
}

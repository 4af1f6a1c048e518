/**
 * Bad input: every invalid call throws a tn.TensileError whose `.op` names the entry point and
 * whose message names the argument and the shapes/values at fault. Never a TypeError or
 * RangeError from deep inside, never a silently wrong result (NaN, a truncated value, an
 * ignored option).
 */
import * as tn from '../lib/index.js';

/** Anything, for calls that deliberately break the static types. */
type Any = any;

function describeThrown(e: unknown): string {
  if (e instanceof Error) return `${e.constructor.name}: ${e.message}`;
  return `a non-Error value: ${String(e)}`;
}

/**
 * Runs fn and asserts it threw a TensileError with `.op` equal to `op` (or one of `op`), whose
 * message starts with `${op}: ` and matches every pattern. Returns the error.
 */
function expectTE(fn: () => unknown, op: string | readonly string[], ...patterns: RegExp[]): tn.TensileError {
  let thrown = false;
  let err: unknown;
  let result: unknown;
  try {
    result = fn();
  } catch (e) {
    thrown = true;
    err = e;
  }
  const ops = typeof op === 'string' ? [op] : op;
  if (!thrown) {
    let shown: string;
    try {
      shown = result instanceof tn.Tensor ? `${result.toString()} (shape ${JSON.stringify(result.shape)}, dtype ${result.dtype})` : String(result);
    } catch {
      shown = '<unprintable>';
    }
    throw new Error(`expected a TensileError from '${ops.join("' or '")}', but the call returned ${shown}`);
  }
  if (!(err instanceof tn.TensileError)) {
    throw new Error(`expected a TensileError from '${ops.join("' or '")}', got ${describeThrown(err)}`);
  }
  expect(err).toBeInstanceOf(Error);
  expect(err.name).toBe('TensileError');
  if (!ops.includes(err.op)) {
    throw new Error(`expected a TensileError from '${ops.join("' or '")}', got one from '${err.op}': ${err.message}`);
  }
  expect(err.message.startsWith(`${err.op}: `)).toBe(true);
  for (const p of patterns) expect(err.message).toMatch(p);
  return err;
}

/** Async variant: the promise must reject with a TensileError. */
async function expectRejectsTE(p: Promise<unknown>, op: string, ...patterns: RegExp[]): Promise<void> {
  let err: unknown;
  let rejected = false;
  try {
    await p;
  } catch (e) {
    rejected = true;
    err = e;
  }
  if (!rejected) throw new Error(`expected the promise to reject with a TensileError from '${op}', but it resolved`);
  if (!(err instanceof tn.TensileError)) throw new Error(`expected a TensileError from '${op}', got ${describeThrown(err)}`);
  if (err.op !== op) throw new Error(`expected a TensileError from '${op}', got one from '${err.op}': ${err.message}`);
  for (const pat of patterns) expect(err.message).toMatch(pat);
}

const f32 = (shape: number[]) => tn.zeros(shape);
const i32 = (data: number[]) => tn.tensor(data, { dtype: 'int32' });

// =====================================================================================
describe('shape mismatch', () => {
  test('binary ops that cannot broadcast name the op and both shapes', () => {
    const a = f32([2, 3]), b = f32([4]);
    expectTE(() => tn.add(a, b), 'add', /^add: shapes \[2,3\] and \[4\] cannot broadcast/, /3 vs 4/);
    expectTE(() => a.add(b), 'add', /shapes \[2,3\] and \[4\] cannot broadcast/);
    for (const op of ['sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const) {
      expectTE(() => tn[op](a, b), op, new RegExp(`^${op}: shapes \\[2,3\\] and \\[4\\] cannot broadcast`));
    }
    const p = tn.ones([2, 3], { dtype: 'bool' }), q = tn.ones([3, 2], { dtype: 'bool' });
    expectTE(() => tn.logicalAnd(p, q), 'logicalAnd', /shapes \[2,3\] and \[3,2\] cannot broadcast/);
    expectTE(() => tn.logicalOr(p, q), 'logicalOr', /shapes \[2,3\] and \[3,2\] cannot broadcast/);
    // A JS nested array as the other operand is converted first, then checked.
    expectTE(() => a.add([1, 2]), 'add', /shapes \[2,3\] and \[2\] cannot broadcast/);
  });

  test('matmul: inner dimensions must agree', () => {
    expectTE(() => tn.matmul(f32([2, 3]), f32([4, 5])), 'matmul', /\[2,3\]/, /\[4,5\]/, /a has 3 columns, b has 4 rows/);
    expectTE(() => f32([2, 3]).matmul(f32([2, 3])), 'matmul', /\[2,3\] and \[2,3\]/, /3 columns.*2 rows/);
    expectTE(() => tn.matmulT(f32([2, 3]), f32([2, 4]), false, true), 'matmul', /\[2,3\]/, /\[2,4\]/, /3 columns, b has 4 rows/);
  });

  test('matmul: 1-D operands with mismatched lengths report the shapes the user passed', () => {
    // [3] @ [4] is internally [1,3] @ [4,1]; the message must show [3] and [4], not the promoted shapes.
    expectTE(() => tn.matmul(f32([3]), f32([4])), 'matmul', /\[3\]/, /\[4\]/);
    expectTE(() => tn.matmul(f32([2, 3]), f32([4])), 'matmul', /\[2,3\]/, /\[4\](?!,)/);
    expectTE(() => tn.matmul(f32([4]), f32([3, 2])), 'matmul', /\[4\](?!,)/, /\[3,2\]/);
  });

  test('matmul: batch dims that cannot broadcast report the full operand shapes', () => {
    expectTE(() => tn.matmul(f32([2, 2, 3]), f32([3, 3, 4])), 'matmul', /\[2,2,3\]/, /\[3,3,4\]/, /broadcast/);
  });

  test('matmul: 0-d operands are rejected', () => {
    expectTE(() => tn.matmul(tn.tensor(2), f32([2])), 'matmul', /at least one dim/, /\[\] and \[2\]/);
    expectTE(() => tn.matmul(f32([2]), tn.tensor(2)), 'matmul', /at least one dim/, /\[2\] and \[\]/);
    expectTE(() => tn.matmulT(tn.tensor(2), f32([2, 2])), 'matmul', /rank >= 2/, /\[\]/);
  });

  test('concat / stack with mismatched shapes', () => {
    expectTE(() => tn.concat([f32([2, 3]), f32([2, 4])], 0), 'concat', /tensors\[1\] has shape \[2,4\] but tensors\[0\] has \[2,3\]/, /axis 0/);
    expectTE(() => tn.concat([f32([2, 3]), f32([2, 3, 1])], 1), 'concat', /tensors\[1\] has shape \[2,3,1\]/);
    expectTE(() => tn.concat([tn.tensor(1), tn.tensor(2)]), 'concat', /zero-dimensional/);
    expectTE(() => tn.concat([]), 'concat', /'tensors' must be a non-empty array/);
    expectTE(() => tn.stack([f32([2]), f32([3])]), 'stack', /tensors\[1\] has shape \[3\] but tensors\[0\] has \[2\]/);
    expectTE(() => tn.stack([f32([2, 1]), f32([2])]), 'stack', /tensors\[1\] has shape \[2\] but tensors\[0\] has \[2,1\]/);
    expectTE(() => tn.stack([]), 'stack', /non-empty/);
  });

  test("a bad JS value passed as an op's tensor argument names that argument (not 'data')", () => {
    expectTE(() => tn.concat([f32([2]), 'x' as Any]), 'concat', /tensors\[1\]/, /non-number value: x/);
    expectTE(() => tn.add(f32([2]), 'foo' as Any), 'add', /argument 'b'/, /non-number value: foo/);
    expectTE(() => tn.matmul([[1, 2], [3]], f32([2])), 'matmul', /argument 'a'/, /ragged/);
  });

  test('where with an unbroadcastable cond names cond and the shapes', () => {
    const cond = tn.ones([3], { dtype: 'bool' });
    expectTE(() => tn.where(cond, f32([2]), f32([2])), 'where', /'cond'/, /\[3\]/, /\[2\]/, /cannot broadcast/);
    // cond fits a but b fits neither: the message should name b and its shape [5].
    const c2 = tn.ones([3, 1], { dtype: 'bool' });
    expectTE(() => tn.where(c2, f32([1, 4]), f32([5])), 'where', /'b'/, /\[5\]/, /cannot broadcast/);
  });

  test('reshape to a wrong element count, or with two -1s', () => {
    const x = f32([2, 3]);
    expectTE(() => x.reshape([4]), 'reshape', /cannot reshape \[2,3\] \(6 elements\) into \[4\]/);
    expectTE(() => x.reshape([4, -1]), 'reshape', /cannot reshape \[2,3\].*into \[4,-1\]/);
    expectTE(() => x.reshape([-1, -1]), 'reshape', /only one dim may be -1, got \[-1,-1\]/);
    expectTE(() => x.reshape([0, -1]), 'reshape', /cannot reshape \[2,3\]/);
    expectTE(() => x.reshape([-2, -3]), 'reshape', /'shape'|cannot reshape/, /-2/);
    expectTE(() => x.reshape([2.5, 2]), 'reshape', /'shape'|cannot reshape/, /2\.5/);
    expectTE(() => x.reshape(6 as Any), 'reshape', /'shape' must be an array/);
  });

  test('expand to an incompatible shape', () => {
    expectTE(() => f32([2]).expand([3, 3]), 'expand', /cannot expand shape \[2\] to \[3,3\]/, /2 vs 3/);
    expectTE(() => f32([2, 3]).expand([3]), 'expand', /'shape' \[3\] has fewer dims than the tensor \[2,3\]/);
    expectTE(() => f32([1]).expand([-1, 2]), 'expand', /-1 is not allowed/);
    expectTE(() => f32([1]).expand([2.5]), 'expand', /\[2\.5\]/);
    expectTE(() => tn.broadcastTo(f32([3]), [2, 4]), 'expand', /cannot expand shape \[3\] to \[2,4\]/);
  });

  test('split sizes that do not sum to the dim', () => {
    const x = f32([5, 2]);
    expectTE(() => x.split([2, 2]), 'split', /sizes \[2,2\]/, /summing to 5/, /\[5,2\]/);
    expectTE(() => x.split([2, 4]), 'split', /summing to 5/);
    expectTE(() => x.split([6, -1]), 'split', /non-negative/);
    expectTE(() => x.split(0), 'split', /'sizes' must be a positive integer, got 0/);
    expectTE(() => x.split(1.5), 'split', /'sizes' must be a positive integer, got 1\.5/);
    expectTE(() => x.split([1, 2], 1), 'split', /sizes \[1,2\]/, /summing to 2/, /axis 1/);
  });

  test('backward(grad) with a grad of the wrong shape', () => {
    const x = tn.ones([2, 3], { requiresGrad: true });
    const y = x.mul(2);
    expectTE(() => y.backward(tn.ones([3, 2])), 'backward', /'grad' has shape \[3,2\] but the output has shape \[2,3\]/);
    expectTE(() => y.backward(tn.ones([6])), 'backward', /'grad' has shape \[6\]/);
    expect(x.grad).toBeNull();
  });

  test('backward(grad) with a grad that is not a tensor', () => {
    const x = tn.ones([2], { requiresGrad: true });
    const y = x.mul(2);
    expectTE(() => y.backward([1, 1] as Any), 'backward', /'grad'/, /Tensor/);
    expectTE(() => y.sum().backward(1 as Any), 'backward', /'grad'/, /Tensor/);
  });

  test('backward() on a non-scalar without grad', () => {
    const x = tn.ones([2, 3], { requiresGrad: true });
    expectTE(() => x.mul(2).backward(), 'backward', /one-element output/, /shape \[2,3\]/, /backward\(grad\)/);
  });
});

// =====================================================================================
describe('bad axis', () => {
  const x = () => tn.ones([2, 3]);

  test('sum / mean / max / min / prod: out of range and non-integer axes', () => {
    for (const op of ['sum', 'mean', 'max', 'min', 'prod', 'logsumexp'] as const) {
      expectTE(() => tn[op](x(), 2), op, /'axis' = 2 is out of range for a tensor of rank 2 \(expected -2\.\.1\)/);
      expectTE(() => tn[op](x(), -3), op, /'axis' = -3 is out of range/);
      expectTE(() => tn[op](x(), 0.5), op, /'axis' must be an integer, got 0\.5/);
      expectTE(() => tn[op](x(), [0, 7]), op, /'axis' = 7 is out of range/);
      expectTE(() => tn[op](x(), NaN), op, /'axis' must be an integer, got NaN/);
      expectTE(() => tn[op](x(), '1' as Any), op, /'axis' must be an integer, got 1/);
    }
    expectTE(() => tn.var(x(), 2), 'var', /'axis' = 2 is out of range/);
    expectTE(() => tn.std(x(), 2), ['std', 'var'], /'axis' = 2 is out of range/);
    expectTE(() => tn.sum(tn.tensor(3), 1), 'sum', /'axis' = 1 is out of range for a tensor of rank 0/);
  });

  test('repeated axes in a reduction', () => {
    expectTE(() => x().sum([0, 0]), 'sum', /'axis' repeats an axis: \[0,0\]/);
    expectTE(() => x().sum([1, -1]), 'sum', /'axis' repeats an axis: \[1,-1\]/);
    expectTE(() => x().mean([0, -2]), 'mean', /repeats an axis/);
    expectTE(() => x().max([1, 1]), 'max', /repeats an axis/);
  });

  test('argmax / argmin', () => {
    expectTE(() => x().argmax(2), 'argmax', /'axis' = 2 is out of range for a tensor of rank 2/);
    expectTE(() => x().argmin(-3), 'argmin', /'axis' = -3 is out of range/);
    expectTE(() => x().argmax(1.5), 'argmax', /'axis' must be an integer, got 1\.5/);
    expectTE(() => tn.argmax(x(), [0, 1] as Any), 'argmax', /'axis' must be an integer/);
  });

  test('softmax / logSoftmax', () => {
    expectTE(() => x().softmax(2), 'softmax', /'axis' = 2 is out of range for a tensor of rank 2/);
    expectTE(() => x().softmax(0.5), 'softmax', /'axis' must be an integer, got 0\.5/);
    expectTE(() => x().logSoftmax(-3), 'logSoftmax', /'axis' = -3 is out of range/);
    expectTE(() => x().logSoftmax(1.5), 'logSoftmax', /'axis' must be an integer/);
  });

  test('squeeze / unsqueeze', () => {
    expectTE(() => x().squeeze(2), 'squeeze', /'axis' = 2 is out of range for a tensor of rank 2/);
    expectTE(() => x().squeeze(0.5), 'squeeze', /'axis' must be an integer/);
    expectTE(() => x().squeeze([0, 5]), 'squeeze', /'axis' = 5 is out of range/);
    // unsqueeze may insert at 0..rank (here 0..2); 3 and -4 are out of range.
    expectTE(() => x().unsqueeze(3), 'unsqueeze', /'axis' = 3 is out of range/, /-3\.\.2/);
    expectTE(() => x().unsqueeze(-4), 'unsqueeze', /'axis' = -4 is out of range/);
    expectTE(() => x().unsqueeze(1.5), 'unsqueeze', /'axis' must be an integer/);
  });

  test('permute / transpose', () => {
    expectTE(() => x().permute([0, 2]), 'permute', /'dims' = 2 is out of range for a tensor of rank 2/);
    expectTE(() => x().permute([0]), 'permute', /'dims' must list all 2 dims of shape \[2,3\], got \[0\]/);
    expectTE(() => x().permute([0, 1, 2]), 'permute', /must list all 2 dims/, /\[0,1,2\]/);
    expectTE(() => x().permute([1, 1]), 'permute', /'dims' repeats a dim: \[1,1\]/);
    expectTE(() => x().permute([0, -2]), 'permute', /repeats a dim/);
    expectTE(() => x().permute([0.5, 1]), 'permute', /'dims' must be an integer/);
    expectTE(() => x().transpose(0, 2), 'transpose', /'dim1' = 2 is out of range/);
    expectTE(() => x().transpose(-3, 1), 'transpose', /'dim0' = -3 is out of range/);
    expectTE(() => x().transpose(0.5, 1), 'transpose', /'dim0' must be an integer/);
    expectTE(() => x().transpose(0), 'transpose', /both dim0 and dim1/);
  });

  test('concat / stack axis', () => {
    expectTE(() => tn.concat([x(), x()], 2), 'concat', /'axis' = 2 is out of range for a tensor of rank 2/);
    expectTE(() => tn.concat([x(), x()], 0.5), 'concat', /'axis' must be an integer/);
    expectTE(() => tn.stack([x(), x()], 3), 'stack', /'axis' = 3 is out of range/);
  });

  test('gather / indexSelect / scatterAdd axis', () => {
    const idx = i32([0, 1, 0, 1, 0, 1]).reshape([2, 3]);
    expectTE(() => tn.gather(x(), 2, idx), 'gather', /'axis' = 2 is out of range for a tensor of rank 2/);
    expectTE(() => tn.gather(x(), 0.5, idx), 'gather', /'axis' must be an integer/);
    expectTE(() => tn.indexSelect(x(), 2, i32([0])), 'indexSelect', /'axis' = 2 is out of range/);
    expectTE(() => tn.scatterAdd(x(), -3, idx, x()), 'scatterAdd', /'axis' = -3 is out of range/);
  });

  test('flatten', () => {
    const y = tn.ones([2, 3, 4]);
    expectTE(() => y.flatten(3), 'flatten', /'startDim' = 3 is out of range for a tensor of rank 3/);
    expectTE(() => y.flatten(0, -4), 'flatten', /'endDim' = -4 is out of range/);
    expectTE(() => y.flatten(0.5), 'flatten', /'startDim' must be an integer/);
    expectTE(() => y.flatten(2, 1), 'flatten', /startDim 2 comes after endDim 1/, /\[2,3,4\]/);
  });

  test('split axis', () => {
    expectTE(() => x().split(1, 2), 'split', /'axis' = 2 is out of range/);
  });
});

// =====================================================================================
describe('dtype misuse', () => {
  test('requiresGrad on int32 / bool tensors (creation option)', () => {
    const err = /only float tensors can require gradients, got dtype int32/;
    expectTE(() => tn.tensor([1, 2], { dtype: 'int32', requiresGrad: true }), ['tensor', 'requiresGrad_'], err);
    expectTE(() => tn.zeros([2], { dtype: 'int32', requiresGrad: true }), ['zeros', 'full', 'requiresGrad_'], err);
    expectTE(() => tn.tensor([true, false], { requiresGrad: true }), ['tensor', 'requiresGrad_'], /got dtype bool/);
    expectTE(() => tn.arange(3, undefined, 1, { requiresGrad: true }), ['arange', 'requiresGrad_'], err);
    expectTE(() => tn.eye(2, 2, { dtype: 'bool', requiresGrad: true }), ['eye', 'requiresGrad_'], /got dtype bool/);
  });

  test('randint with requiresGrad is rejected, not silently ignored', () => {
    expectTE(() => tn.randint(0, 5, [3], { requiresGrad: true }), ['randint', 'requiresGrad_'], /float/, /int32/);
  });

  test('requiresGrad_ on int32 / bool tensors', () => {
    expectTE(() => i32([1, 2]).requiresGrad_(), 'requiresGrad_', /only float tensors can require gradients, got dtype int32/);
    expectTE(() => tn.tensor([true]).requiresGrad_(true), 'requiresGrad_', /got dtype bool/);
    // Turning it off on an int tensor is fine (a no-op).
    expect(i32([1]).requiresGrad_(false).requiresGrad).toBe(false);
  });

  test('float-only reductions and softmax on int32 labels', () => {
    const labels = i32([0, 2, 1]);
    for (const op of ['mean', 'var', 'logsumexp', 'softmax', 'logSoftmax'] as const) {
      expectTE(() => (tn[op] as (x: tn.Tensor) => tn.Tensor)(labels), op, /needs a float tensor, got int32/, /cast/);
    }
    expectTE(() => tn.std(labels), ['std', 'var'], /needs a float tensor, got int32/);
    expectTE(() => labels.mean(), 'mean', /got int32/);
    expectTE(() => tn.tensor([true]).softmax(), 'softmax', /got bool/);
  });

  test('gather / indexSelect / scatterAdd with a float index', () => {
    const x = tn.ones([2, 3]);
    expectTE(() => tn.gather(x, 1, tn.zeros([2, 1])), 'gather', /'index' must be int32, got float32/);
    expectTE(() => tn.indexSelect(x, 0, tn.tensor([0, 1])), 'indexSelect', /'index' must be int32, got float32/);
    expectTE(() => tn.indexSelect(x, 0, tn.tensor([true])), 'indexSelect', /'index' must be int32, got bool/);
    expectTE(() => tn.scatterAdd(x, 0, tn.zeros([1, 3]), tn.ones([1, 3])), 'scatterAdd', /'index' must be int32, got float32/);
  });

  test('where with a non-bool condition', () => {
    expectTE(() => tn.where(tn.ones([2]), tn.ones([2]), 0), 'where', /'cond' must be bool/, /got float32/);
    expectTE(() => tn.where(i32([1, 0]), 1, 0), 'where', /'cond' must be bool/, /got int32/);
    expectTE(() => tn.ones([2]).where(tn.ones([2]), 0), 'where', /'cond' must be bool/);
  });

  test('in-place writes of float values into an int32 tensor', () => {
    const t = i32([1, 2]);
    expectTE(() => t.addInPlace(tn.tensor([0.5, 0.5])), 'addInPlace', /cannot write float32 values into a int32 tensor/);
    expectTE(() => t.assign(tn.tensor([0.5, 0.5])), 'assign', /cannot write float32 values into a int32 tensor/);
    expectTE(() => t.mulInPlace(tn.tensor([1.5], { dtype: 'float64' })), 'mulInPlace', /float64.*int32/);
    expect(Array.from(t.dataSync())).toEqual([1, 2]);
  });

  test('in-place writes of a fractional JS number into an int32 tensor are rejected, not truncated', () => {
    const t = i32([1, 2]);
    expectTE(() => t.addInPlace(0.5), 'addInPlace', /int32/, /0\.5/);
    expectTE(() => t.fillInPlace(2.5), 'fillInPlace', /int32/, /2\.5/);
    expect(Array.from(t.dataSync())).toEqual([1, 2]);
  });

  test('in-place update whose other operand does not broadcast to the target', () => {
    const t = tn.zeros([2, 3]);
    expectTE(() => t.addInPlace(tn.ones([4])), 'addInPlace', /shapes \[2,3\] and \[4\] cannot broadcast/);
    expectTE(() => t.addInPlace(tn.ones([2, 2, 3])), 'addInPlace', /'other' of shape \[2,2,3\] does not broadcast to the target's shape \[2,3\]/);
  });

  test('matmul on bool', () => {
    const b = tn.ones([2, 2], { dtype: 'bool' });
    expectTE(() => tn.matmul(b, b), 'matmul', /bool tensors are not supported/);
    expectTE(() => tn.matmul(tn.ones([2, 2]), b), 'matmul', /bool/);
  });

  test('matmulT on bool', () => {
    const b = tn.ones([2, 2], { dtype: 'bool' });
    expectTE(() => tn.matmulT(b, b, false, true), 'matmul', /bool/);
  });

  test('rand / randn with an integer dtype', () => {
    expectTE(() => tn.rand([2], { dtype: 'int32' }), 'rand', /dtype must be float32 or float64, got int32/);
    expectTE(() => tn.randn([2], { dtype: 'bool' }), 'randn', /dtype must be float32 or float64, got bool/);
  });

  test('a bad dtype string', () => {
    const re = /'dtype' must be one of float32, float64, int32, bool, got float16/;
    expectTE(() => tn.tensor([1], { dtype: 'float16' as Any }), 'tensor', re);
    expectTE(() => tn.zeros([2], { dtype: 'float16' as Any }), ['zeros', 'full'], re);
    expectTE(() => tn.full([2], 1, { dtype: 'float16' as Any }), 'full', re);
    expectTE(() => tn.ones([2]).cast('float16' as Any), 'cast', re);
    expectTE(() => tn.zerosLike(tn.ones([2]), { dtype: 'float16' as Any }), ['zerosLike', 'full'], re);
    expectTE(() => tn.rand([2], { dtype: 'float16' as Any }), 'rand', /dtype/, /float16/);
  });

  test('a bad dtype string in randint', () => {
    expectTE(() => tn.randint(0, 3, [2], { dtype: 'float16' as Any }), ['randint', 'cast'], /'dtype' must be one of/, /float16/);
  });

  test.each([
    ['arange', () => tn.arange(3, undefined, 1, { dtype: 'float16' as Any })],
    ['linspace', () => tn.linspace(0, 1, 3, { dtype: 'float16' as Any })],
    ['eye', () => tn.eye(2, 2, { dtype: 'float16' as Any })],
  ] as const)('a bad dtype string in %s', (op, fn) => {
    expectTE(fn, op, /'dtype' must be one of float32, float64, int32, bool, got float16/);
  });
});

// =====================================================================================
describe('non-integer or negative shapes and bad creation arguments', () => {
  test('zeros / ones / full with bad dims', () => {
    const re = (s: string) => new RegExp(`'shape' must hold non-negative integers, got ${s}`);
    expectTE(() => tn.zeros([2.5]), ['zeros', 'full'], re('\\[2\\.5\\]'));
    expectTE(() => tn.zeros([-1]), ['zeros', 'full'], re('\\[-1\\]'));
    expectTE(() => tn.ones(['a' as Any]), ['ones', 'full'], re('\\[a\\]'));
    expectTE(() => tn.zeros([2, NaN]), ['zeros', 'full'], re('\\[2,NaN\\]'));
    expectTE(() => tn.zeros([Infinity]), ['zeros', 'full'], re('\\[Infinity\\]'));
    expectTE(() => tn.zeros(3 as Any), ['zeros', 'full'], /'shape' must be an array of dims, got 3/);
    expectTE(() => tn.full([2], 'a' as Any), 'full', /'value' must be a number or boolean, got a/);
    expectTE(() => tn.rand([1.5]), 'rand', re('\\[1\\.5\\]'));
    expectTE(() => tn.randn([-2]), 'randn', re('\\[-2\\]'));
  });

  test('a shape too large to allocate is a TensileError, not a RangeError', () => {
    expectTE(() => tn.zeros([2 ** 26, 2 ** 26]), ['zeros', 'full'], /\[67108864,67108864\]/);
  });

  test('eye with a negative or non-integer size', () => {
    expectTE(() => tn.eye(-1), 'eye', /-1/, /non-negative integers/);
    expectTE(() => tn.eye(2.5), 'eye', /2\.5/);
    expectTE(() => tn.eye(2, -3), 'eye', /-3/);
  });

  test('linspace with a bad num', () => {
    expectTE(() => tn.linspace(0, 1, 2.5), 'linspace', /'num' must be a non-negative integer, got 2\.5/);
    expectTE(() => tn.linspace(0, 1, -1), 'linspace', /'num' must be a non-negative integer, got -1/);
  });

  test('linspace with non-finite or non-number bounds does not silently produce NaN', () => {
    expectTE(() => tn.linspace(0, NaN, 3), 'linspace', /'stop'/, /NaN/);
    expectTE(() => tn.linspace('a' as Any, 1, 3), 'linspace', /'start'/, /a/);
  });

  test('arange with step 0 or non-finite bounds', () => {
    expectTE(() => tn.arange(0, 5, 0), 'arange', /'step' must not be zero/);
    expectTE(() => tn.arange(0, Infinity), 'arange', /'stop' must be a finite number, got Infinity/);
    expectTE(() => tn.arange(NaN), 'arange', /'stop' must be a finite number, got NaN/);
    expectTE(() => tn.arange('a' as Any, 3), 'arange', /'start' must be a finite number, got a/);
  });

  test('randint with low >= high or non-integer bounds', () => {
    expectTE(() => tn.randint(5, 5, [2]), 'randint', /low < high/, /5 and 5/);
    expectTE(() => tn.randint(5, 2, [2]), 'randint', /5 and 2/);
    expectTE(() => tn.randint(0.5, 2, [2]), 'randint', /integers/, /0\.5/);
    expectTE(() => tn.randint(0, 5, [-1]), 'randint', /'shape'/, /\[-1\]/);
  });

  test('manualSeed and seed options must be non-negative integers', () => {
    expectTE(() => tn.manualSeed(-1), 'manualSeed', /seed must be a non-negative integer, got -1/);
    expectTE(() => tn.manualSeed(1.5), 'manualSeed', /got 1\.5/);
    expectTE(() => tn.manualSeed('7' as Any), 'manualSeed', /got 7/);
    expectTE(() => tn.rand([2], { seed: -3 }), 'rand', /seed must be a non-negative integer, got -3/);
  });
});

// =====================================================================================
describe('tn.tensor data', () => {
  test('ragged nested arrays', () => {
    expectTE(() => tn.tensor([[1, 2], [3]]), 'tensor', /'data' is ragged: expected length 2 at depth 1, got 1/);
    expectTE(() => tn.tensor([[1, 2], 3] as Any), 'tensor', /'data' is ragged/, /got number/);
    expectTE(() => tn.tensor([[[1], [2]], [[3], [4, 5]]]), 'tensor', /ragged: expected length 1 at depth 2, got 2/);
    expectTE(() => tn.tensor([new Float32Array(2), new Float32Array(3)] as Any), 'tensor', /ragged/);
  });

  test('a number where an array is expected is reported as ragged', () => {
    // [1, [2, 3]]: the first element fixes rank 1, then [2, 3] sits where a number belongs.
    expectTE(() => tn.tensor([1, [2, 3]] as Any), 'tensor', /'data'/, /ragged/);
  });

  test('non-number data', () => {
    expectTE(() => tn.tensor(['a'] as Any), 'tensor', /'data' holds a non-number value: a/);
    expectTE(() => tn.tensor([1, null] as Any), 'tensor', /non-number value: null/);
    expectTE(() => tn.tensor(undefined as Any), 'tensor', /non-number value: undefined/);
    expectTE(() => tn.tensor({ a: 1 } as Any), 'tensor', /non-number value/);
    expectTE(() => tn.tensor('abc' as Any), 'tensor', /non-number value: abc/);
    expectTE(() => tn.tensor([[1n]] as Any), 'tensor', /non-number value: 1/);
    expectTE(() => tn.tensor(tn.ones([2]) as Any), 'tensor', /already a Tensor/);
  });

  test('a shape override that does not match the data', () => {
    expectTE(() => tn.tensor([[1, 2], [3, 4]], { shape: [3] }), 'tensor', /'shape' \[3\] needs 3 values, got 4/);
    expectTE(() => tn.tensor([1, 2, 3, 4], { shape: [2, 3] }), 'tensor', /'shape' \[2,3\] needs 6 values, got 4/);
    expectTE(() => tn.tensor([1, 2], { shape: [-2, -1] }), 'tensor', /'shape' must hold non-negative integers/);
  });
});

// =====================================================================================
describe('use after dispose', () => {
  const disposed = () => {
    const t = tn.tensor([1, 2]);
    t.dispose();
    return t;
  };
  const used = /was used after dispose\(\)/;

  test('reading a disposed tensor', async () => {
    const t = disposed();
    expectTE(() => t.dataSync(), 'dataSync', used, /\[2\]/);
    expectTE(() => t.arraySync(), ['arraySync', 'dataSync'], used);
    await expectRejectsTE(t.data(), 'data', used);
    await expectRejectsTE(t.array(), 'data', used);
    const s = tn.tensor(1);
    s.dispose();
    expectTE(() => s.itemSync(), ['itemSync', 'dataSync'], used);
    await expectRejectsTE(s.item(), 'data', used);
  });

  test('ops on a disposed tensor, as self and as an argument', () => {
    const t = disposed();
    const live = tn.tensor([1, 2]);
    expectTE(() => t.add(1), 'add', /argument 'a'/, used);
    expectTE(() => t.add(live), 'add', /argument 'a'/, used);
    expectTE(() => live.add(t), 'add', /argument 'b'/, used, new RegExp(`#${t.id}`));
    expectTE(() => tn.mul(2, t), 'mul', /argument 'b'/, used);
    expectTE(() => t.exp(), 'exp', used);
    expectTE(() => t.sum(), 'sum', used);
    expectTE(() => t.reshape([2, 1]), 'reshape', used);
    expectTE(() => tn.matmul(live, t), 'matmul', /argument 'b'/, used);
    expectTE(() => tn.concat([live, t]), 'concat', /tensors\[1\]/, used);
    expectTE(() => tn.where(tn.tensor([true, false]), live, t), 'where', /argument 'b'/, used);
    const cond = tn.tensor([true, false]);
    cond.dispose();
    expectTE(() => tn.where(cond, live, live), 'where', /argument 'cond'/, used);
    const idx = i32([0]);
    idx.dispose();
    expectTE(() => tn.indexSelect(live, 0, idx), 'indexSelect', /argument 'index'/, used);
    expectTE(() => live.addInPlace(t), 'addInPlace', /'other'/, used);
    expectTE(() => t.addInPlace(1), 'addInPlace', /argument 'x'/, used);
    expectTE(() => t.clone(), 'clone', used);
    expectTE(() => t.cast('int32'), 'cast', used);
    expectTE(() => tn.zerosLike(t), 'zerosLike', used);
  });

  test('backward, to, detach on a disposed tensor', () => {
    const x = tn.ones([2], { requiresGrad: true });
    const y = x.mul(2).sum();
    y.dispose();
    expectTE(() => y.backward(), 'backward', used);
    const t = disposed();
    expectTE(() => t.to('js'), 'to', used);
    expectTE(() => t.detach(), 'detach', used);
  });

  test('backward with a disposed grad argument', () => {
    const x = tn.ones([2], { requiresGrad: true });
    const y = x.mul(2);
    const g = tn.ones([2]);
    g.dispose();
    expectTE(() => y.backward(g), 'backward', /'grad'/, used);
  });

  test('backward through a disposed intermediate: throws, or still reaches the leaf', () => {
    const x = tn.ones([2], { requiresGrad: true });
    const y = x.mul(3);
    const z = y.sum();
    y.dispose();
    let err: unknown;
    try {
      z.backward();
    } catch (e) {
      err = e;
    }
    if (err !== undefined) {
      expect(err).toBeInstanceOf(tn.TensileError);
      expect((err as tn.TensileError).message).toMatch(/dispose/);
    } else {
      // No error: then the gradient must not have been silently dropped.
      expect(x.grad).not.toBeNull();
      expect(Array.from(x.grad!.dataSync())).toEqual([3, 3]);
    }
  });

  test('backward of a loss returned from tidy: throws, or still reaches the leaf', () => {
    // tidy disposes the intermediates x*3 and exp(x*3); the loss keeps its graph through them.
    const x = tn.ones([2], { requiresGrad: true });
    const loss = tn.tidy(() => x.mul(3).exp().sum());
    let err: unknown;
    try {
      loss.backward();
    } catch (e) {
      err = e;
    }
    if (err !== undefined) {
      expect(err).toBeInstanceOf(tn.TensileError);
      expect((err as tn.TensileError).op).toBe('backward');
      expect((err as tn.TensileError).message).toMatch(/dispose/);
    } else {
      expect(x.grad).not.toBeNull();
      const want = 3 * Math.exp(3);
      for (const v of x.grad!.dataSync()) expect(v).toBeCloseTo(want, 2);
    }
  });

  test('tensors freed by tidy are disposed', () => {
    let inner: tn.Tensor | undefined;
    tn.tidy(() => {
      inner = tn.ones([3]);
      return undefined;
    });
    expect(inner!.isDisposed).toBe(true);
    expectTE(() => inner!.add(1), 'add', used, /\[3\]/);
  });

  test('toString does not throw but says disposed; dispose is idempotent', () => {
    const t = disposed();
    expect(() => String(t)).not.toThrow();
    expect(String(t)).toMatch(/disposed/);
    expect(String(t)).toMatch(/\[2\]/);
    expect(() => t.dispose()).not.toThrow();
    expect(() => t.dispose()).not.toThrow();
    expect(t.isDisposed).toBe(true);
    // Metadata stays readable.
    expect(t.shape).toEqual([2]);
    expect(t.dtype).toBe('float32');
  });

  test('double dispose does not corrupt memory accounting', () => {
    const before = tn.memory().numTensors;
    const t = tn.ones([4]);
    t.dispose();
    t.dispose();
    expect(tn.memory().numTensors).toBe(before);
  });
});

// =====================================================================================
describe('devices', () => {
  const available = tn.availableDevices();
  // cpu is the default when the native addon is built, else js.
  const expectedDefault = process.env.TENSILE_DEVICE ?? (available.includes('cpu') ? 'cpu' : 'js');

  test('js is always available; the default is cpu when built, else js', () => {
    expect(available).toContain('js');
    expect(tn.getDefaultDevice()).toBe(expectedDefault);
  });

  test.each(['cpu', 'webgpu'] as const)('device %s: unavailable -> TensileError naming it; available -> mixed-device calls name both', (dev) => {
    if (!available.includes(dev)) {
      const na = new RegExp(`device '${dev}' is not available`);
      expectTE(() => tn.setDefaultDevice(dev), 'setDefaultDevice', na);
      expect(tn.getDefaultDevice()).toBe(expectedDefault); // a failed set leaves the default alone
      expectTE(() => tn.ones([2]).to(dev), 'to', na);
      expectTE(() => tn.zeros([2], { device: dev }), ['zeros', 'full'], na);
      expectTE(() => tn.tensor([1], { device: dev }), 'tensor', na);
      expectTE(() => tn.rand([2], { device: dev }), 'rand', na);
      expectTE(() => tn.arange(3, undefined, 1, { device: dev }), 'arange', na);
      return;
    }
    // The device exists: build real mixed-device calls and expect both devices named.
    const a = tn.ones([2], { device: 'js' });
    const b = tn.ones([2], { device: dev });
    expect(b.device).toBe(dev);
    expectTE(() => tn.add(a, b), 'add', /argument 'b' is on device '\w+' but 'a' is on 'js'/, new RegExp(`'${dev}'`));
    expectTE(() => tn.matmul(a, b), 'matmul', new RegExp(`'${dev}'`), /'js'/);
    expectTE(() => tn.concat([a, b]), 'concat', new RegExp(`'${dev}'`), /'js'/);
    expectTE(() => tn.where(tn.tensor([true, false]), a, b), 'where', new RegExp(`'${dev}'`), /'js'/);
    expectTE(() => a.addInPlace(b), 'addInPlace', new RegExp(`'${dev}'`), /'js'/);
    expectTE(() => tn.gather(a, 0, tn.tensor([0], { dtype: 'int32', device: dev })), 'gather', new RegExp(`'${dev}'`), /'js'/);
  });

  test('an unknown device name: setDefaultDevice', () => {
    expectTE(() => tn.setDefaultDevice('tpu' as Any), 'setDefaultDevice', /'device' must be one of js, cpu, webgpu, got tpu/);
    expect(tn.getDefaultDevice()).toBe(expectedDefault);
  });

  test('an unknown device name: to() and creation say it is not a device (not "not built in this version")', () => {
    const re = /'device' must be one of js, cpu, webgpu, got tpu/;
    expectTE(() => tn.ones([2]).to('tpu' as Any), 'to', re);
    expectTE(() => tn.zeros([2], { device: 'tpu' as Any }), ['zeros', 'full'], re);
  });
});

// =====================================================================================
describe('index out of range', () => {
  const x = () => tn.tensor([[1, 2, 3], [4, 5, 6]]);

  test('gather with an index >= size or negative', () => {
    expectTE(() => tn.gather(x(), 1, i32([0, 3]).reshape([2, 1])), 'gather', /index 3 is out of range for axis 1 of size 3/);
    expectTE(() => tn.gather(x(), 1, i32([0, -1]).reshape([2, 1])), 'gather', /index -1 is out of range for axis 1 of size 3/);
    expectTE(() => tn.gather(x(), 0, i32([2, 0, 0]).reshape([1, 3])), 'gather', /index 2 is out of range for axis 0 of size 2/);
  });

  test('gather with an index of the wrong rank or too large a shape', () => {
    expectTE(() => tn.gather(x(), 1, i32([0, 1])), 'gather', /'index' of shape \[2\] does not fit x of shape \[2,3\]/);
    expectTE(() => tn.gather(x(), 1, i32([0, 0, 0]).reshape([3, 1])), 'gather', /'index' of shape \[3,1\] does not fit/);
  });

  test('indexSelect with an index >= size or negative names indexSelect', () => {
    expectTE(() => tn.indexSelect(x(), 0, i32([0, 2])), 'indexSelect', /index 2 is out of range for axis 0 of size 2/);
    expectTE(() => tn.indexSelect(x(), 1, i32([-1])), 'indexSelect', /index -1 is out of range for axis 1 of size 3/);
    expectTE(() => tn.indexSelect(x(), 0, i32([0, 1]).reshape([1, 2])), 'indexSelect', /'index' must be 1-D, got shape \[1,2\]/);
  });

  test('scatterAdd with an index out of range', () => {
    expectTE(() => tn.scatterAdd(tn.zeros([2, 3]), 1, i32([5]).reshape([1, 1]), tn.ones([1, 1])), 'scatterAdd', /index 5 is out of range for axis 1 of size 3/);
  });

  test('slice with an out-of-range integer index, bad bounds, step 0', () => {
    expectTE(() => x().slice(2), 'slice', /index 2 is out of range for dim 0 of size 2/);
    expectTE(() => x().slice(-3), 'slice', /index -3 is out of range for dim 0 of size 2/);
    expectTE(() => x().slice(null, 3), 'slice', /index 3 is out of range for dim 1 of size 3/);
    expectTE(() => x().slice(0.5), 'slice', /index 0\.5/);
    expectTE(() => x().slice([0, 2, 0]), 'slice', /dim 0: step must not be zero/);
    expectTE(() => x().slice(null, [0, 1.5]), 'slice', /dim 1: slice bounds must be integers/, /1\.5/);
    expectTE(() => x().slice(0, 0, 0), 'slice', /3 slices given for a tensor of rank 2 \(shape \[2,3\]\)/);
    expectTE(() => x().slice('a' as Any), 'slice', /dim 0/, /got a/);
  });
});

// =====================================================================================
describe('other misuse', () => {
  test('max / min / argmax / argmin over an empty axis', () => {
    const e = tn.zeros([0, 3]);
    expectTE(() => e.max(0), 'max', /cannot reduce over an empty axis \(shape \[0,3\], axes \[0\]\)/);
    expectTE(() => e.min(0), 'min', /empty axis/);
    expectTE(() => e.argmax(0), 'argmax', /empty axis/, /\[0,3\]/);
    expectTE(() => e.argmin(0), 'argmin', /empty axis/);
    expectTE(() => tn.zeros([0]).max(), 'max', /empty axis/);
    expectTE(() => tn.zeros([0]).argmax(), 'argmax', /empty axis/);
    // Reducing a non-empty axis of a tensor with an empty other dim is fine.
    expect(e.max(1).shape).toEqual([0]);
  });

  test('item() on a multi-element tensor', async () => {
    expectTE(() => tn.ones([2]).itemSync(), 'itemSync', /exactly one element, got shape \[2\]/);
    expectTE(() => tn.zeros([0]).itemSync(), 'itemSync', /exactly one element, got shape \[0\]/);
    await expectRejectsTE(tn.ones([2, 2]).item(), 'item', /exactly one element, got shape \[2,2\]/);
  });

  test('in-place update of a tensor requiring grad outside noGrad', () => {
    const w = tn.ones([2], { requiresGrad: true });
    for (const op of ['addInPlace', 'subInPlace', 'mulInPlace', 'divInPlace', 'assign'] as const) {
      expectTE(() => w[op](1), op, new RegExp(`tensor #${w.id} requires grad`), /noGrad/);
    }
    expectTE(() => w.fillInPlace(0), 'fillInPlace', /requires grad/, /noGrad/);
    expect(Array.from(w.dataSync())).toEqual([1, 1]);
    // Inside noGrad it is allowed.
    tn.noGrad(() => w.addInPlace(1));
    expect(Array.from(w.dataSync())).toEqual([2, 2]);
  });

  test('tidy given an async function', () => {
    expectTE(() => tn.tidy((async () => tn.ones([2])) as Any), 'tidy', /Promise/, /synchronous/);
  });

  test('tidy given an async function still disposes what it created before throwing', () => {
    let created: tn.Tensor | undefined;
    expectTE(() => tn.tidy((async () => {
      created = tn.ones([2]);
      return 1;
    }) as Any), 'tidy', /Promise/);
    expect(created?.isDisposed).toBe(true);
  });

  test('tn.grad / tn.valueAndGrad: f returns a non-scalar', () => {
    const x = tn.ones([3]);
    expectTE(() => tn.grad((t: tn.Tensor) => t.mul(2))(x), 'grad', /f must return a one-element tensor, got shape \[3\]/);
    expectTE(() => tn.valueAndGrad((t: tn.Tensor) => t.mul(2))(x), 'valueAndGrad', /one-element tensor, got shape \[3\]/);
    expectTE(() => tn.grad((() => 3) as Any)(x), 'grad', /f must return a Tensor, got number/);
  });

  test('tn.grad: argnums pointing at a non-tensor', () => {
    const f = (a: tn.Tensor, k: number) => a.mul(k).sum();
    expectTE(() => tn.grad(f, 1)(tn.ones([2]), 3), 'grad', /argument 1 \(in argnums\) must be a Tensor, got number/);
    expectTE(() => tn.grad(f, [0, 2])(tn.ones([2]), 3), 'grad', /argument 2 \(in argnums\) must be a Tensor, got undefined/);
    expectTE(() => tn.valueAndGrad(f, 1)(tn.ones([2]), 3), 'valueAndGrad', /argument 1/);
  });

  test('tn.grad with respect to an int32 tensor', () => {
    const f = (a: tn.Tensor) => a.sum();
    expectTE(() => tn.grad(f)(i32([1, 2])), ['grad', 'requiresGrad_'], /float/, /int32/);
  });

  test('backward on a tensor that does not require grad', () => {
    expectTE(() => tn.ones([1]).backward(), 'backward', /does not require grad/, /\[1\]/);
    const y = tn.noGrad(() => tn.ones([2], { requiresGrad: true }).sum());
    expectTE(() => y.backward(), 'backward', /does not require grad/, /noGrad/);
  });

  test('backward twice through a freed graph', () => {
    const x = tn.ones([2], { requiresGrad: true });
    const y = x.mul(2).sum();
    y.backward();
    expectTE(() => y.backward(), 'backward', /freed/, /retainGraph/);
  });

  test('requiresGrad_(false) on a non-leaf', () => {
    const y = tn.ones([2], { requiresGrad: true }).mul(2);
    expectTE(() => y.requiresGrad_(false), 'requiresGrad_', /non-leaf/, /detach/);
  });

  test('clamp without bounds or with non-number bounds', () => {
    expectTE(() => tn.ones([2]).clamp(), 'clamp', /at least one of 'min' and 'max'/);
    expectTE(() => tn.ones([2]).clamp('a' as Any), 'clamp', /must be numbers, got a/);
  });

  test('non-tensor arguments where a tensor is required', () => {
    expectTE(() => tn.zerosLike([1, 2] as Any), 'zerosLike', /argument 'x' must be a Tensor, got object/);
    expectTE(() => tn.addInPlace(null as Any, 1), 'addInPlace', /argument 'x' must be a Tensor, got null/);
  });
});

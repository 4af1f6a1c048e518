// Expected strings are PyTorch 1.13's repr() of the same tensors (default print options unless
// stated), with `dtype=torch.X` written `dtype=X`, and bool given an explicit dtype suffix.
import { formatTensor } from '../lib/format.js';

const range = (n: number, f: (i: number) => number = (i) => i): number[] => Array.from({ length: n }, (_, i) => f(i));

describe('formatTensor (matches torch repr)', () => {
  test('2-D float: shared fixed-point width', () => {
    expect(formatTensor([1, -2.5, 3, 4], [2, 2], 'float32')).toBe(
      'tensor([[ 1.0000, -2.5000],\n' +
      '        [ 3.0000,  4.0000]])');
  });

  test('all-integral floats print as "1."', () => {
    expect(formatTensor([1, 2, 3], [3], 'float32')).toBe('tensor([1., 2., 3.])');
    expect(formatTensor([-0, 0], [2], 'float32')).toBe('tensor([-0., 0.])');
  });

  test('mixed signs are right-aligned', () => {
    expect(formatTensor([-1.5, 0.25, 3.125, -10], [4], 'float32')).toBe(
      'tensor([ -1.5000,   0.2500,   3.1250, -10.0000])');
  });

  test('exact decimal ties round half to even like Python', () => {
    expect(formatTensor([0.03125, 0.15625, -2.5], [3], 'float32')).toBe('tensor([ 0.0312,  0.1562, -2.5000])');
    expect(formatTensor([1, 123445], [2], 'float32')).toBe('tensor([1.0000e+00, 1.2344e+05])');
  });

  test('float32 values are rounded to float32 first', () => {
    expect(formatTensor([0.1, 0.7, 1 / 3], [3], 'float32')).toBe('tensor([0.1000, 0.7000, 0.3333])');
  });

  test('scientific notation when the range is wide or values tiny', () => {
    expect(formatTensor([1e10, 1.5, -3e-5], [3], 'float32')).toBe(
      'tensor([ 1.0000e+10,  1.5000e+00, -3.0000e-05])');
    expect(formatTensor([1e-5, 0.5], [2], 'float32')).toBe('tensor([1.0000e-05, 5.0000e-01])');
  });

  test('int32', () => {
    expect(formatTensor(new Int32Array([1, -20, 300, 4]), [2, 2], 'int32')).toBe(
      'tensor([[  1, -20],\n' +
      '        [300,   4]], dtype=int32)');
  });

  test('bool (torch itself omits dtype=bool when non-empty)', () => {
    expect(formatTensor([1, 0, 1], [3], 'bool')).toBe('tensor([ True, False,  True], dtype=bool)');
  });

  test('scalars', () => {
    expect(formatTensor([3.5], [], 'float32')).toBe('tensor(3.5000)');
    expect(formatTensor([-2], [], 'float64')).toBe('tensor(-2., dtype=float64)');
  });

  test('empty tensors', () => {
    expect(formatTensor([], [0], 'float32')).toBe('tensor([])');
    expect(formatTensor([], [0, 3], 'float32')).toBe('tensor([], size=(0, 3))');
    expect(formatTensor([], [0], 'int32')).toBe('tensor([], dtype=int32)');
  });

  test('3-D tensor separates blocks with a blank line', () => {
    expect(formatTensor(range(24, (i) => i * 0.5 - 3), [2, 3, 4], 'float32')).toBe(
      'tensor([[[-3.0000, -2.5000, -2.0000, -1.5000],\n' +
      '         [-1.0000, -0.5000,  0.0000,  0.5000],\n' +
      '         [ 1.0000,  1.5000,  2.0000,  2.5000]],\n' +
      '\n' +
      '        [[ 3.0000,  3.5000,  4.0000,  4.5000],\n' +
      '         [ 5.0000,  5.5000,  6.0000,  6.5000],\n' +
      '         [ 7.0000,  7.5000,  8.0000,  8.5000]]])');
  });

  test('large 1-D tensor is summarized (style chosen from visible values only)', () => {
    expect(formatTensor(new Float32Array(range(2000)), [2000], 'float32')).toBe(
      'tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,\n' +
      '        1.9990e+03])');
    expect(formatTensor(new Int32Array(range(2000)), [2000], 'int32')).toBe(
      'tensor([   0,    1,    2,  ..., 1997, 1998, 1999], dtype=int32)');
  });

  test('large 2-D tensor is summarized in both dims', () => {
    const data = new Float32Array(range(10000, (i) => (i % 97) * 0.5 - 20));
    expect(formatTensor(data, [100, 100], 'float32')).toBe(
      'tensor([[-20.0000, -19.5000, -19.0000,  ..., -20.0000, -19.5000, -19.0000],\n' +
      '        [-18.5000, -18.0000, -17.5000,  ..., -18.5000, -18.0000, -17.5000],\n' +
      '        [-17.0000, -16.5000, -16.0000,  ..., -17.0000, -16.5000, -16.0000],\n' +
      '        ...,\n' +
      '        [-20.0000, -19.5000, -19.0000,  ..., -20.0000, -19.5000, -19.0000],\n' +
      '        [-18.5000, -18.0000, -17.5000,  ..., -18.5000, -18.0000, -17.5000],\n' +
      '        [-17.0000, -16.5000, -16.0000,  ..., -17.0000, -16.5000, -16.0000]])');
  });

  test('summarized 3-D with custom threshold/edgeItems', () => {
    expect(formatTensor(new Int32Array(range(125)), [5, 5, 5], 'int32', { threshold: 10, edgeItems: 2 })).toBe(
      'tensor([[[  0,   1,  ...,   3,   4],\n' +
      '         [  5,   6,  ...,   8,   9],\n' +
      '         ...,\n' +
      '         [ 15,  16,  ...,  18,  19],\n' +
      '         [ 20,  21,  ...,  23,  24]],\n' +
      '\n' +
      '        [[ 25,  26,  ...,  28,  29],\n' +
      '         [ 30,  31,  ...,  33,  34],\n' +
      '         ...,\n' +
      '         [ 40,  41,  ...,  43,  44],\n' +
      '         [ 45,  46,  ...,  48,  49]],\n' +
      '\n' +
      '        ...,\n' +
      '\n' +
      '        [[ 75,  76,  ...,  78,  79],\n' +
      '         [ 80,  81,  ...,  83,  84],\n' +
      '         ...,\n' +
      '         [ 90,  91,  ...,  93,  94],\n' +
      '         [ 95,  96,  ...,  98,  99]],\n' +
      '\n' +
      '        [[100, 101,  ..., 103, 104],\n' +
      '         [105, 106,  ..., 108, 109],\n' +
      '         ...,\n' +
      '         [115, 116,  ..., 118, 119],\n' +
      '         [120, 121,  ..., 123, 124]]], dtype=int32)');
  });

  test('nan and inf', () => {
    expect(formatTensor([NaN, Infinity, -Infinity, 1.5, 0], [5], 'float32')).toBe(
      'tensor([   nan,    inf,   -inf, 1.5000, 0.0000])');
    expect(formatTensor([1, Infinity, -2], [3], 'float32')).toBe('tensor([ 1., inf, -2.])');
    expect(formatTensor([NaN, 0], [2], 'float32')).toBe('tensor([nan, 0.])');
  });

  test('long rows wrap at lineWidth with aligned continuation', () => {
    expect(formatTensor(range(30, (i) => i * 1.5 - 7), [30], 'float32')).toBe(
      'tensor([-7.0000, -5.5000, -4.0000, -2.5000, -1.0000,  0.5000,  2.0000,  3.5000,\n' +
      '         5.0000,  6.5000,  8.0000,  9.5000, 11.0000, 12.5000, 14.0000, 15.5000,\n' +
      '        17.0000, 18.5000, 20.0000, 21.5000, 23.0000, 24.5000, 26.0000, 27.5000,\n' +
      '        29.0000, 30.5000, 32.0000, 33.5000, 35.0000, 36.5000])');
    expect(formatTensor(range(12, (i) => i * 0.25), [12], 'float32', { lineWidth: 40 })).toBe(
      'tensor([0.0000, 0.2500, 0.5000, 0.7500,\n' +
      '        1.0000, 1.2500, 1.5000, 1.7500,\n' +
      '        2.0000, 2.2500, 2.5000, 2.7500])');
  });

  test('dtype suffix moves to its own line when the last line is full', () => {
    expect(formatTensor(range(8, (i) => i * 1.5 - 7.25), [8], 'float64')).toBe(
      'tensor([-7.2500, -5.7500, -4.2500, -2.7500, -1.2500,  0.2500,  1.7500,  3.2500],\n' +
      '       dtype=float64)');
  });

  test('precision, prefix and suffix options', () => {
    expect(formatTensor([3.14159, -2.71828], [2], 'float32', { precision: 2 })).toBe('tensor([ 3.14, -2.72])');
    expect(formatTensor([1, 2], [2], 'float32', { suffix: ', requires_grad=True' })).toBe(
      'tensor([1., 2.], requires_grad=True)');
    expect(formatTensor([1, 2], [2], 'int32', { suffix: ", device='webgpu'" })).toBe(
      "tensor([1, 2], dtype=int32, device='webgpu')");
    expect(formatTensor([1, 2, 3, 4], [2, 2], 'float32', { prefix: 'Parameter(' })).toBe(
      'Parameter([[1., 2.],\n' +
      '           [3., 4.]])');
  });

  test('rejects data shorter than the shape', () => {
    expect(() => formatTensor([1, 2], [3], 'float32')).toThrow(RangeError);
  });
});

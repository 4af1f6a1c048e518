/** Creation, dtypes and promotion, reading, printing, devices. */
import * as tn from '../lib/index.js';

describe('creation and dtypes', () => {
  test('nested numbers are float32; typed arrays and booleans pick their dtype', () => {
    expect(tn.tensor([[1, 2], [3, 4]]).dtype).toBe('float32');
    expect(tn.tensor(new Float64Array([1, 2])).dtype).toBe('float64');
    expect(tn.tensor(new Int32Array([1, 2])).dtype).toBe('int32');
    expect(tn.tensor([true, false]).dtype).toBe('bool');
    expect(tn.tensor(3.5).shape).toEqual([]);
    expect(tn.tensor([[1, 2, 3]], { dtype: 'int32' }).arraySync()).toEqual([[1, 2, 3]]);
    expect(tn.tensor([1, 2, 3, 4, 5, 6], { shape: [2, 3] }).arraySync()).toEqual([[1, 2, 3], [4, 5, 6]]);
  });

  test('promotion follows PyTorch, and JS numbers are weak scalars', () => {
    const i = tn.tensor([1, 2], { dtype: 'int32' });
    const f = tn.tensor([1, 2]);
    const d = tn.tensor([1, 2], { dtype: 'float64' });
    expect(i.add(f).dtype).toBe('float32');
    expect(f.add(d).dtype).toBe('float64');
    expect(f.add(2.5).dtype).toBe('float32');
    expect(i.add(2).dtype).toBe('int32');
    expect(i.add(2.5).dtype).toBe('float32');
    expect(i.div(2).dtype).toBe('float32');
    expect(i.gt(1).dtype).toBe('bool');
    expect(f.add(tn.tensor(1, { dtype: 'float64' })).dtype).toBe('float32'); // 0-d same category
    expect(i.add(tn.tensor(1.5, { dtype: 'float64' })).dtype).toBe('float64'); // 0-d higher category
  });

  test('arange, linspace, eye, full, zerosLike', () => {
    expect(tn.arange(5).arraySync()).toEqual([0, 1, 2, 3, 4]);
    expect(tn.arange(1, 2, 0.25).arraySync()).toEqual([1, 1.25, 1.5, 1.75]);
    expect(tn.linspace(0, 1, 5).arraySync()).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(tn.eye(2, 3).arraySync()).toEqual([[1, 0, 0], [0, 1, 0]]);
    expect(tn.full([2], 7, { dtype: 'int32' }).arraySync()).toEqual([7, 7]);
    const z = tn.zerosLike(tn.ones([2, 2], { dtype: 'float64' }));
    expect([z.dtype, ...z.shape]).toEqual(['float64', 2, 2]);
  });
});

describe('reading', () => {
  test('data, array, item, async and sync, on views too', async () => {
    const x = tn.arange(6).reshape([2, 3]).cast('float32');
    const t = x.transpose();
    expect(Array.from(await t.data())).toEqual([0, 3, 1, 4, 2, 5]);
    expect(await t.array()).toEqual([[0, 3], [1, 4], [2, 5]]);
    expect(await x.sum().item()).toBe(15);
    expect(x.slice(1, [null, null, -1]).arraySync()).toEqual([5, 4, 3]);
    expect(tn.tensor([1, 0]).gt(0.5).arraySync()).toEqual([true, false]);
  });

  test('printing looks like PyTorch and truncates large tensors', () => {
    expect(String(tn.tensor([[1, 2], [3, 4]], { device: 'js' }))).toBe("tensor([[1., 2.],\n        [3., 4.]], device='js')");
    if (tn.availableDevices().includes('cpu')) {
      expect(String(tn.tensor([[1, 2], [3, 4]], { device: 'cpu' }))).toBe('tensor([[1., 2.],\n        [3., 4.]])');
    }
    expect(String(tn.tensor([1.5, -2], { dtype: 'float64' }))).toBe('tensor([ 1.5000, -2.0000], dtype=float64)');
    const big = String(tn.arange(2000));
    expect(big).toContain('...');
    expect(big.length).toBeLessThan(200);
    const x = tn.ones([2], { requiresGrad: true });
    expect(String(x.mul(2))).toContain('gradFn=mul');
  });
});

describe('views share storage', () => {
  test('in-place writes through a view are visible in the base', () => {
    const x = tn.zeros([2, 3]);
    x.slice(1).addInPlace(5);
    expect(x.arraySync()).toEqual([[0, 0, 0], [5, 5, 5]]);
    x.T.slice(0).assign(tn.tensor([1, 2]));
    expect(x.arraySync()).toEqual([[1, 0, 0], [2, 5, 5]]);
  });
});

describe('devices', () => {
  test('the default device comes from TENSILE_DEVICE or is js; to() to the same device is identity', () => {
    expect(tn.availableDevices()).toContain('js');
    const x = tn.ones([2]);
    expect(x.device).toBe(tn.getDefaultDevice());
    expect(x.to(x.device)).toBe(x);
  });
});

test('hostView (internal) is the storage itself for contiguous host tensors, null otherwise', () => {
  for (const device of ['js', 'cpu'].filter((d) => tn.availableDevices().includes(d as tn.DeviceName)) as tn.DeviceName[]) {
    const a = tn.randn([4, 5], { seed: 11, dtype: 'float64', device });
    const rows = a.slice([1, 3]);                       // contiguous, offset 5
    const v = rows.hostView()!;
    expect(Array.from(v)).toEqual(Array.from(rows.dataSync()));
    v[0] = 42;                                          // no copy: the tensor sees the write
    expect(a.dataSync()[5]).toBe(42);
    expect(a.transpose().hostView()).toBeNull();         // strided
    a.dispose();
    expect(() => rows.hostView()).not.toThrow();         // the view keeps the storage alive
    rows.dispose();
    expect(() => rows.hostView()).toThrow(tn.TensileError);
  }
});

/** erf / erfc against scipy.special (values from /usr/bin/python3, scipy 1.10), with gradients. */
import * as tn from '../lib/index.js';
import { gradcheck, gradgradcheck } from './gradcheck.js';

const REF = {"x": [-6, -3, -1.5, -0.7, -0.001, -1e-10, 0, 1e-10, 0.001, 0.3, 0.49, 0.5, 0.7, 1, 2, 3, 5, 6, 10, 27], "erf": [-1.0, -0.9999779095030014, -0.9661051464753108, -0.6778011938374183, -0.0011283787909692363, -1.1283791670955126e-10, 0.0, 1.1283791670955126e-10, 0.0011283787909692363, 0.3286267594591274, 0.511668261188523, 0.5204998778130465, 0.6778011938374183, 0.8427007929497148, 0.9953222650189527, 0.9999779095030014, 0.9999999999984626, 1.0, 1.0, 1.0], "erfc": [2.0, 1.9999779095030015, 1.9661051464753108, 1.6778011938374182, 1.0011283787909693, 1.000000000112838, 1.0, 0.999999999887162, 0.9988716212090307, 0.6713732405408726, 0.48833173881147696, 0.4795001221869535, 0.3221988061625817, 0.15729920705028516, 0.004677734981047266, 2.2090496998585445e-05, 1.5374597944280347e-12, 2.1519736712498913e-17, 2.0884875837625446e-45, 0.0]};

describe.each(tn.availableDevices().filter((d) => d !== 'webgpu'))('erf and erfc on %s', (device) => {
  test('float64 values match scipy to ~1e-15 relative (erfc in the far tail too)', () => {
    const x = tn.tensor(REF.x, { dtype: 'float64', device });
    const e = tn.erf(x).dataSync(), c = tn.erfc(x).dataSync();
    REF.x.forEach((_, i) => {
      expect(Math.abs(e[i] - REF.erf[i])).toBeLessThanOrEqual(2e-15 * Math.abs(REF.erf[i]) + 1e-300);
      expect(Math.abs(c[i] - REF.erfc[i])).toBeLessThanOrEqual(1e-14 * Math.abs(REF.erfc[i]) + 1e-300);
    });
  });

  test('float32 values match scipy to float32 precision', () => {
    const x = tn.tensor(REF.x, { device });
    const e = tn.erf(x).dataSync(), c = tn.erfc(x).dataSync();
    REF.x.forEach((_, i) => {
      expect(e[i]).toBeCloseTo(REF.erf[i], 6);
      if (REF.erfc[i] > 1e-30) expect(Math.abs(c[i] - REF.erfc[i])).toBeLessThanOrEqual(1e-6 * REF.erfc[i]);
    });
  });

  test('gradients (first and second order) by finite differences', () => {
    const x = tn.randn([7], { dtype: 'float64', seed: 3, device }).mul(1.5);
    expect(gradcheck((t) => tn.erf(t), [x])).toBe(true);
    expect(gradcheck((t) => tn.erfc(t), [x])).toBe(true);
    expect(gradgradcheck((t) => tn.erf(t), [x])).toBe(true);
  });
});

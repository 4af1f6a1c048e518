/** The kernel set is closed: every registered backend implements all of it, visibly. */
import * as tn from '../lib/index.js';
import { KERNELS, UNARY_OPS, BINARY_OPS, REDUCE_OPS } from '../lib/backends/backend.js';
import { listBackends } from '../lib/device.js';
import { UNARY, BINARY } from '../lib/backends/js/elementwise.js';

describe.each(listBackends().map((b) => [b.name, b] as const))('backend %s', (name, backend) => {
  test('implements every kernel of the interface', () => {
    const missing = KERNELS.filter((k) => typeof (backend as unknown as Record<string, unknown>)[k] !== 'function');
    expect(missing).toEqual([]);
  });

  test('lists the kernels it delegates to another backend', () => {
    // Printed so a delegation is never silent; each must name a real kernel.
    console.log(`backend ${name} delegates: ${backend.delegated.length ? backend.delegated.join(', ') : '(none)'}`);
    for (const k of backend.delegated) expect(KERNELS as readonly string[]).toContain(k.split(':')[0]);
  });

  test('runs every unary, binary and reduce op of the closed unions', () => {
    tn.tidy(() => {
      const x = tn.rand([3, 4], { seed: 7, device: name }).add(0.5);
      const y = tn.rand([3, 4], { seed: 8, device: name }).add(0.5);
      for (const op of UNARY_OPS) {
        const out = tn.zeros([3, 4], { device: name, dtype: op === 'logicalNot' ? 'bool' : 'float32' });
        backend.unary(op, x.view(), out.view());
      }
      for (const op of BINARY_OPS) {
        const out = tn.zeros([3, 4], { device: name, dtype: ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'logicalAnd', 'logicalOr'].includes(op) ? 'bool' : 'float32' });
        backend.binary(op, x.view(), y.view(), out.view());
      }
      for (const op of REDUCE_OPS) {
        const out = tn.zeros([3], { device: name, dtype: op.startsWith('arg') ? 'int32' : 'float32' });
        backend.reduce(op, x.view(), [1], out.view());
      }
    });
  });
});

test('the js tables cover the closed op unions exactly', () => {
  expect(Object.keys(UNARY).sort()).toEqual([...UNARY_OPS].sort());
  expect(Object.keys(BINARY).sort()).toEqual([...BINARY_OPS].sort());
});

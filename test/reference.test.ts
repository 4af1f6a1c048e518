/**
 * Every core op against values computed by numpy / PyTorch (test/reference/gen_core.py;
 * the JSON is committed so CI needs no Python), on every available device.
 */
import * as tn from '../lib/index.js';
import { type FixtureRecord, expectMatches, fixtureTensor, loadFixture } from './fixture.js';
import { referenceCalls } from './reference-calls.js';

const { records } = loadFixture('core.json');
const devices = tn.availableDevices();

describe.each(devices)('reference values on %s', (device) => {
  const table = referenceCalls(device);
  const byOp = new Map<string, FixtureRecord[]>();
  for (const r of records) byOp.set(r.op, [...(byOp.get(r.op) ?? []), r]);

  test('every fixture op has a mapping', () => {
    expect([...byOp.keys()].filter((op) => !(op in table))).toEqual([]);
  });

  describe.each([...byOp.keys()])('%s', (op) => {
    test.each(byOp.get(op)!.map((r) => [r.name, r] as const))('%s', (_name, r) => {
      tn.tidy(() => {
        const inputs = r.inputs.map((t) => fixtureTensor(t, device));
        const out = table[op](inputs, r.attrs);
        if (Array.isArray(r.expected)) {
          const outs = out as tn.Tensor[];
          expect(outs.length).toBe(r.expected.length);
          outs.forEach((o, i) => expectMatches(o, (r.expected as any)[i], r.tol));
        } else {
          expectMatches(out as tn.Tensor, r.expected, r.tol);
        }
      });
    });
  });
});

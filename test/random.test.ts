/** Philox4x32-10 and the seeded creation functions built on it. */
import * as tn from '../lib/index.js';
import { philox4x32 } from '../lib/backends/js/philox.js';

test('philox4x32-10 matches the Random123 known-answer vectors', () => {
  const out = new Uint32Array(4);
  const hex = () => [...out].map((v) => v.toString(16).padStart(8, '0'));
  philox4x32(0, 0, 0, 0, 0, 0, out);
  expect(hex()).toEqual(['6627e8d5', 'e169c58d', 'bc57ac4c', '9b00dbd8']);
  philox4x32(0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, out);
  expect(hex()).toEqual(['408f276d', '41c83b0e', 'a20bc7c6', '6d5451fd']);
  philox4x32(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0, out);
  expect(hex()).toEqual(['d16cfe09', '94fdcceb', '5001e420', '24126ea1']);
});

test('the same seed gives the same draws; different seeds differ', () => {
  const a = tn.randn([1000], { seed: 42 }).dataSync();
  const b = tn.randn([1000], { seed: 42 }).dataSync();
  const c = tn.randn([1000], { seed: 43 }).dataSync();
  expect(Array.from(a)).toEqual(Array.from(b));
  expect(Array.from(a)).not.toEqual(Array.from(c));
});

test('manualSeed resets the global generator, and successive draws differ', () => {
  tn.manualSeed(7);
  const a1 = Array.from(tn.rand([10]).dataSync());
  const a2 = Array.from(tn.rand([10]).dataSync());
  tn.manualSeed(7);
  expect(Array.from(tn.rand([10]).dataSync())).toEqual(a1);
  expect(a2).not.toEqual(a1);
});

test('draws have the right moments and range', () => {
  const u = tn.rand([100000], { seed: 1, dtype: 'float64' });
  const n = tn.randn([100000], { seed: 2, dtype: 'float64' });
  const ud = u.dataSync();
  expect(Math.min(...ud)).toBeGreaterThanOrEqual(0);
  expect(Math.max(...ud)).toBeLessThan(1);
  expect(u.mean().itemSync()).toBeCloseTo(0.5, 2);
  expect(u.var().itemSync()).toBeCloseTo(1 / 12, 2);
  expect(n.mean().itemSync()).toBeCloseTo(0, 1);
  expect(n.std().itemSync()).toBeCloseTo(1, 1);
  // Fraction within one sigma ~ 0.6827.
  expect(n.abs().lt(1).cast('float64').mean().itemSync()).toBeCloseTo(0.6827, 2);
});

test('randint covers [low, high) uniformly as int32', () => {
  const r = tn.randint(-3, 4, [7000], { seed: 5 });
  expect(r.dtype).toBe('int32');
  const counts = new Map<number, number>();
  for (const v of r.dataSync()) counts.set(v, (counts.get(v) ?? 0) + 1);
  expect([...counts.keys()].sort((a, b) => a - b)).toEqual([-3, -2, -1, 0, 1, 2, 3]);
  for (const c of counts.values()) expect(Math.abs(c - 1000)).toBeLessThan(150);
});

test('a draw of a non-multiple-of-4 size equals the prefix of a larger draw', () => {
  const big = Array.from(tn.rand([12], { seed: 9 }).dataSync());
  expect(Array.from(tn.rand([7], { seed: 9 }).dataSync())).toEqual(big.slice(0, 7));
  const bigN = Array.from(tn.randn([12], { seed: 9 }).dataSync());
  expect(Array.from(tn.randn([5], { seed: 9 }).dataSync())).toEqual(bigN.slice(0, 5));
});

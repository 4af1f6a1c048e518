/**
 * Walks several strided operands over one shape, a row (the last dim) at a time, so kernels
 * write tight inner loops: `body(pos, n)` gets each operand's offset at the row start in
 * `pos` and the row length n; the inner strides are each operand's last stride.
 */
export function forEachRow(
  shape: readonly number[],
  strides: readonly (readonly number[])[],
  offsets: readonly number[],
  body: (pos: readonly number[], n: number) => void,
): void {
  const rank = shape.length;
  const k = strides.length;
  for (const d of shape) if (d === 0) return;
  const pos = offsets.slice();
  if (rank <= 1) {
    body(pos, rank === 0 ? 1 : shape[0]);
    return;
  }
  const outer = rank - 1;
  const idx = new Array<number>(outer).fill(0);
  for (;;) {
    body(pos, shape[rank - 1]);
    // Odometer increment over the outer dims, adjusting every operand's offset.
    let d = outer - 1;
    for (; d >= 0; d--) {
      idx[d]++;
      for (let j = 0; j < k; j++) pos[j] += strides[j][d];
      if (idx[d] < shape[d]) break;
      for (let j = 0; j < k; j++) pos[j] -= strides[j][d] * shape[d];
      idx[d] = 0;
    }
    if (d < 0) return;
  }
}

/** The last stride of each operand (0 for rank 0). */
export function innerStrides(strides: readonly (readonly number[])[]): number[] {
  return strides.map((s) => (s.length ? s[s.length - 1] : 0));
}

import type { MatmulOptions, View } from '../backend.js';
import type { TypedArray } from '../../dtype.js';
import { forEachRow } from './strided.js';

/** Batched matmul by definition, accumulating each dot product in float64. */
export function matmulKernel(a: View, ad: TypedArray, b: View, bd: TypedArray, out: View, od: TypedArray, o: MatmulOptions): void {
  const r = out.shape.length;
  const M = out.shape[r - 2], N = out.shape[r - 1];
  const K = o.transA ? a.shape[r - 2] : a.shape[r - 1];
  // Strides for a(i, k) and b(k, j) whatever the storage order.
  const aI = o.transA ? a.strides[r - 1] : a.strides[r - 2];
  const aK = o.transA ? a.strides[r - 2] : a.strides[r - 1];
  const bK = o.transB ? b.strides[r - 1] : b.strides[r - 2];
  const bJ = o.transB ? b.strides[r - 2] : b.strides[r - 1];
  const oI = out.strides[r - 2], oJ = out.strides[r - 1];
  const batch = out.shape.slice(0, r - 2);
  // Walk the batch dims as one "row" of length 1 per batch element.
  const st = [a.strides.slice(0, r - 2), b.strides.slice(0, r - 2), out.strides.slice(0, r - 2)];
  const body = (pa: number, pb: number, po: number) => {
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0, ia = pa + i * aI, ib = pb + j * bJ; k < K; k++, ia += aK, ib += bK) s += ad[ia] * bd[ib];
        od[po + i * oI + j * oJ] = s;
      }
    }
  };
  if (batch.length === 0) return body(a.offset, b.offset, out.offset);
  const bs = st.map((s) => s[s.length - 1]);
  forEachRow(batch, st, [a.offset, b.offset, out.offset], (p, n) => {
    for (let t = 0; t < n; t++) body(p[0] + t * bs[0], p[1] + t * bs[1], p[2] + t * bs[2]);
  });
}

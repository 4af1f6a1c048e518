/**
 * LU, Cholesky and triangular solves on row-major float64 matrices, batched: matrix b of a
 * batch starts at b·(rows·cols). The js reference for the `getrf`, `getrs`, `potrf` and
 * `trtrs` entries of LinalgKernels. Loops are ordered so the innermost one walks a row
 * (contiguous in row-major storage), which is what LAPACK's column-major codes do with columns.
 */

/**
 * dgetrf (unblocked, right-looking, as dgetf2): P·A = L·U with partial pivoting, in place. L is
 * unit lower (its 1s not stored), U upper. piv[b·n + k] is the row swapped with row k at step
 * k (0-based; LAPACK's ipiv less one). A zero pivot is skipped, not divided by, as LAPACK does,
 * so the factorisation always completes; info[b] is the first k with U[k,k] = 0, or -1.
 */
export function getrf(a: Float64Array, batch: number, n: number, piv: Int32Array, info: Int32Array): void {
  const nn = n * n;
  for (let b = 0; b < batch; b++) {
    const o = b * nn;
    info[b] = -1;
    for (let k = 0; k < n; k++) {
      // The largest |a[i,k]| for i >= k: bounds |L| by 1 (the growth factor stays small).
      let p = k;
      let best = Math.abs(a[o + k * n + k]);
      for (let i = k + 1; i < n; i++) {
        const v = Math.abs(a[o + i * n + k]);
        if (v > best) { best = v; p = i; }
      }
      piv[b * n + k] = p;
      if (p !== k) {
        const rk = o + k * n, rp = o + p * n;
        for (let j = 0; j < n; j++) { const t = a[rk + j]; a[rk + j] = a[rp + j]; a[rp + j] = t; }
      }
      const pivot = a[o + k * n + k];
      if (pivot === 0 || Number.isNaN(pivot)) {
        if (info[b] < 0) info[b] = k;
        continue;
      }
      const rk = o + k * n;
      for (let i = k + 1; i < n; i++) {
        const ri = o + i * n;
        const l = a[ri + k] / pivot;
        a[ri + k] = l;
        if (l === 0) continue;
        for (let j = k + 1; j < n; j++) a[ri + j] -= l * a[rk + j];
      }
    }
  }
}

/**
 * dgetrs: solves A·X = B (or Aᵀ·X = B with trans) from getrf's LU and pivots, overwriting b
 * (batch × n × nrhs) with X.
 */
export function getrs(lu: Float64Array, piv: Int32Array, bm: Float64Array, batch: number, n: number, nrhs: number, trans: boolean): void {
  const nn = n * n, nk = n * nrhs;
  for (let b = 0; b < batch; b++) {
    const o = b * nn, ob = b * nk, op = b * n;
    if (!trans) {
      // P·B, then L·Y = P·B (unit lower), then U·X = Y.
      for (let k = 0; k < n; k++) swapRows(bm, ob, nrhs, k, piv[op + k]);
      trsvRows(lu, o, bm, ob, n, nrhs, false, true, false);
      trsvRows(lu, o, bm, ob, n, nrhs, true, false, false);
    } else {
      // Aᵀ = Uᵀ·Lᵀ·P: Uᵀ·Z = B, Lᵀ·Y = Z, X = Pᵀ·Y (swaps undone in reverse order).
      trsvRows(lu, o, bm, ob, n, nrhs, true, false, true);
      trsvRows(lu, o, bm, ob, n, nrhs, false, true, true);
      for (let k = n - 1; k >= 0; k--) swapRows(bm, ob, nrhs, k, piv[op + k]);
    }
  }
}

function swapRows(m: Float64Array, o: number, cols: number, i: number, j: number): void {
  if (i === j) return;
  const ri = o + i * cols, rj = o + j * cols;
  for (let c = 0; c < cols; c++) { const t = m[ri + c]; m[ri + c] = m[rj + c]; m[rj + c] = t; }
}

/**
 * One triangular solve op(T)·X = B in place on B's rows (dtrsm, left side). T is the n×n matrix
 * at t[ot], read only in its upper or lower triangle; unit: its diagonal is taken as 1.
 * trans solves with Tᵀ, which is upper when T is lower: the sweep direction flips, and the
 * row of Tᵀ is T's column (read with stride n).
 */
function trsvRows(t: Float64Array, ot: number, bm: Float64Array, ob: number, n: number, k: number, upper: boolean, unit: boolean, trans: boolean): void {
  // op(T) is upper when exactly one of (upper, trans) holds: solve from the last row up.
  const backward = upper !== trans;
  for (let s = 0; s < n; s++) {
    const i = backward ? n - 1 - s : s;
    const ri = ob + i * k;
    const from = backward ? i + 1 : 0, to = backward ? n : i;
    for (let j = from; j < to; j++) {
      // op(T)[i,j]: T[i,j], or T[j,i] when transposed.
      const tij = trans ? t[ot + j * n + i] : t[ot + i * n + j];
      if (tij === 0) continue;
      const rj = ob + j * k;
      for (let c = 0; c < k; c++) bm[ri + c] -= tij * bm[rj + c];
    }
    if (!unit) {
      const d = t[ot + i * n + i];
      for (let c = 0; c < k; c++) bm[ri + c] /= d;
    }
  }
}

/**
 * dtrtrs: solves op(T)·X = B for triangular T (batch × n × n, upper or lower, unit diagonal or
 * not, transposed or not), overwriting b (batch × n × nrhs). A zero diagonal gives inf/NaN, as
 * in LAPACK's dtrsm; the ops check the diagonal first.
 */
export function trtrs(t: Float64Array, bm: Float64Array, batch: number, n: number, nrhs: number, upper: boolean, unit: boolean, trans: boolean): void {
  for (let b = 0; b < batch; b++) trsvRows(t, b * n * n, bm, b * n * nrhs, n, nrhs, upper, unit, trans);
}

/**
 * dpotrf (lower, Cholesky–Banachiewicz row by row): A = L·Lᵀ in place, reading A's lower
 * triangle only and zeroing the upper one. info[b] is -1, or the k whose leading minor of
 * order k+1 is not positive definite (LAPACK's info less one); that matrix is left partial.
 */
export function potrf(a: Float64Array, batch: number, n: number, info: Int32Array): void {
  const nn = n * n;
  for (let b = 0; b < batch; b++) {
    const o = b * nn;
    info[b] = -1;
    for (let i = 0; i < n && info[b] < 0; i++) {
      const ri = o + i * n;
      for (let j = 0; j <= i; j++) {
        const rj = o + j * n;
        let s = a[ri + j];
        for (let k = 0; k < j; k++) s -= a[ri + k] * a[rj + k];
        if (j < i) {
          a[ri + j] = s / a[rj + j];
        } else {
          // Not `s <= 0` alone: NaN (from inf or NaN input) must fail too.
          if (!(s > 0)) { info[b] = i; break; }
          a[ri + i] = Math.sqrt(s);
        }
      }
      if (info[b] < 0) for (let j = i + 1; j < n; j++) a[ri + j] = 0;
    }
  }
}

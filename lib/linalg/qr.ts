/**
 * Householder QR on row-major float64 matrices, batched: the js reference for the `geqrf` and
 * `orgqr` entries of LinalgKernels, following LAPACK's dgeqr2 / dlarfg / dorg2r.
 */

/** ‖x‖₂ of `count` values from `start` with `stride`, scaled so it neither overflows nor underflows (dnrm2). */
export function norm2(x: Float64Array, start: number, stride: number, count: number): number {
  let scale = 0;
  for (let i = 0; i < count; i++) scale = Math.max(scale, Math.abs(x[start + i * stride]));
  if (scale === 0 || !Number.isFinite(scale)) return scale;
  let s = 0;
  for (let i = 0; i < count; i++) { const v = x[start + i * stride] / scale; s += v * v; }
  return scale * Math.sqrt(s);
}

/**
 * dgeqr2: A = Q·R in place for the m×n matrix at a[o]. R ends up on and above the diagonal; the
 * Householder vector v_k (v_k[k] = 1 implied) below it in column k; H_k = I - tau_k·v_k·v_kᵀ and
 * Q = H_0·H_1·…·H_{p-1}, p = min(m, n). dlarfg's sign choice: beta = -sign(alpha)·‖(alpha, x)‖,
 * so no cancellation, and R's diagonal may be negative (as in LAPACK, numpy and torch).
 */
function geqr2(a: Float64Array, o: number, m: number, n: number, tau: Float64Array, ot: number, w: Float64Array): void {
  const p = Math.min(m, n);
  for (let k = 0; k < p; k++) {
    const akk = o + k * n + k;
    const alpha = a[akk];
    const xnorm = norm2(a, akk + n, n, m - k - 1);
    if (xnorm === 0) { tau[ot + k] = 0; continue; }
    const beta = -(alpha >= 0 ? 1 : -1) * Math.hypot(alpha, xnorm);
    tau[ot + k] = (beta - alpha) / beta;
    const scale = 1 / (alpha - beta);
    for (let i = k + 1; i < m; i++) a[o + i * n + k] *= scale;
    a[akk] = beta;
    applyReflector(a, o, n, k, m, tau[ot + k], a, o, n, k + 1, n, w);
  }
}

/**
 * C ← H·C on rows k..m-1 and columns c0..c1-1 of the row-major matrix C (starting at c[oc], row
 * length ldc), for H = I - tau·v·vᵀ whose v is column k of the factored a (v[k] = 1, rows below k stored at
 * a[o + i·lda + k]). Row-major: w = vᵀ·C accumulates a row at a time, then C -= tau·v·w.
 */
function applyReflector(v: Float64Array, o: number, lda: number, k: number, m: number, tau: number,
  c: Float64Array, oc: number, ldc: number, c0: number, c1: number, w: Float64Array): void {
  if (tau === 0 || c1 <= c0) return;
    for (let j = c0; j < c1; j++) w[j] = c[oc + k * ldc + j];
  for (let i = k + 1; i < m; i++) {
    const vi = v[o + i * lda + k];
    if (vi === 0) continue;
    const ri = oc + i * ldc;
    for (let j = c0; j < c1; j++) w[j] += vi * c[ri + j];
  }
  for (let j = c0; j < c1; j++) c[oc + k * ldc + j] -= tau * w[j];
  for (let i = k + 1; i < m; i++) {
    const f = tau * v[o + i * lda + k];
    if (f === 0) continue;
    const ri = oc + i * ldc;
    for (let j = c0; j < c1; j++) c[ri + j] -= f * w[j];
  }
}

/** dgeqrf over a batch: tau holds batch × min(m, n) values. */
export function geqrf(a: Float64Array, batch: number, m: number, n: number, tau: Float64Array): void {
  const p = Math.min(m, n);
  const w = new Float64Array(Math.max(n, 1));
  for (let b = 0; b < batch; b++) geqr2(a, b * m * n, m, n, tau, b * p, w);
}

/**
 * dorg2r: the first `cols` columns of Q (cols = min(m, n) for the reduced factor, m for the
 * complete one) from geqrf's output, into q (batch × m × cols). Q = H_0·…·H_{p-1}·I applied
 * from the last reflector back: H_k leaves columns j < k alone, so each sweep starts at k.
 */
export function orgqr(a: Float64Array, tau: Float64Array, batch: number, m: number, n: number, cols: number, q: Float64Array): void {
  const p = Math.min(m, n);
  const w = new Float64Array(Math.max(cols, 1));
  for (let b = 0; b < batch; b++) {
    const o = b * m * n, oq = b * m * cols;
    q.fill(0, oq, oq + m * cols);
    for (let i = 0; i < Math.min(m, cols); i++) q[oq + i * cols + i] = 1;
    for (let k = p - 1; k >= 0; k--) applyReflector(a, o, n, k, m, tau[b * p + k], q, oq, cols, k, cols, w);
  }
}

/**
 * dormqr (left, no transpose) on one matrix: C ← Q·C for C (m × ccols at c[oc]), Q given by the
 * factored m×n matrix at a[o] and its tau (at tau[ot]).
 */
export function applyQ(a: Float64Array, o: number, m: number, n: number, tau: Float64Array, ot: number, c: Float64Array, oc: number, ccols: number): void {
  const p = Math.min(m, n);
  const w = new Float64Array(Math.max(ccols, 1));
  for (let k = p - 1; k >= 0; k--) applyReflector(a, o, n, k, m, tau[ot + k], c, oc, ccols, 0, ccols, w);
}

/**
 * Symmetric eigendecomposition, the js reference for the `syevd` entry of LinalgKernels:
 * Householder tridiagonalisation (tred2, as LAPACK's dsytrd + dorgtr) followed by the implicit
 * QL iteration with Wilkinson-style shifts (tql2, as LAPACK's dsteqr). The EISPACK routines of
 * Bowdler, Martin, Reinsch and Wilkinson (Handbook for Automatic Computation, vol. II), in the
 * form JAMA gives them, on row-major float64 storage.
 */

const EPS = 2 ** -52;

/**
 * A = V·diag(w)·Vᵀ for `batch` symmetric n×n matrices, of which only the lower triangle is read
 * (LAPACK's uplo = 'L', torch's and numpy's default). w ascending; v (batch × n × n) gets the
 * eigenvectors as columns, or is null when only values are wanted. Non-finite input gives NaN.
 */
export function syevd(a: Float64Array, batch: number, n: number, w: Float64Array, v: Float64Array | null): void {
  const nn = n * n;
  const V = new Float64Array(nn), d = new Float64Array(n), e = new Float64Array(n);
  for (let b = 0; b < batch; b++) {
    const o = b * nn;
    let finite = true;
    for (let i = 0; i < n && finite; i++) for (let j = 0; j <= i; j++) if (!Number.isFinite(a[o + i * n + j])) { finite = false; break; }
    if (!finite) {
      w.fill(NaN, b * n, (b + 1) * n);
      if (v) v.fill(NaN, o, o + nn);
      continue;
    }
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) { const x = a[o + i * n + j]; V[i * n + j] = x; V[j * n + i] = x; }
    }
    if (n > 0) {
      tred2(V, d, e, n);
      // tql2 rotates pairs of V's columns: hold Vᵀ so each rotation walks two contiguous rows.
      transposeInPlace(V, n);
      tql2(V, d, e, n);
      transposeInPlace(V, n);
    }
    w.set(d, b * n);
    if (v) v.set(V, o);
  }
}

function transposeInPlace(m: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) { const t = m[i * n + j]; m[i * n + j] = m[j * n + i]; m[j * n + i] = t; }
  }
}

/**
 * tred2: reduces the symmetric V to tridiagonal form by Householder similarity transforms,
 * accumulating them in V. On return d is the diagonal, e[1..n-1] the subdiagonal (e[0] = 0).
 * Rows are scaled by the sum of |entries| first, against overflow and underflow.
 */
function tred2(V: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) d[j] = V[(n - 1) * n + j];
  for (let i = n - 1; i > 0; i--) {
    let scale = 0, h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) {
        d[j] = V[(i - 1) * n + j];
        V[i * n + j] = 0;
        V[j * n + i] = 0;
      }
    } else {
      // The Householder vector, from the (scaled) row i left of the diagonal.
      for (let k = 0; k < i; k++) { d[k] /= scale; h += d[k] * d[k]; }
      let f = d[i - 1];
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      // The similarity transform applied to the remaining leading block.
      for (let j = 0; j < i; j++) {
        f = d[j];
        V[j * n + i] = f;
        g = e[j] + V[j * n + j] * f;
        for (let k = j + 1; k <= i - 1; k++) {
          g += V[k * n + j] * d[k];
          e[k] += V[k * n + j] * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) { e[j] /= h; f += e[j] * d[j]; }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * d[j];
      for (let j = 0; j < i; j++) {
        f = d[j];
        g = e[j];
        for (let k = j; k <= i - 1; k++) V[k * n + j] -= f * e[k] + g * d[k];
        d[j] = V[(i - 1) * n + j];
        V[i * n + j] = 0;
      }
    }
    d[i] = h;
  }
  // Accumulate the transforms into V.
  for (let i = 0; i < n - 1; i++) {
    V[(n - 1) * n + i] = V[i * n + i];
    V[i * n + i] = 1;
    const h = d[i + 1];
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = V[k * n + i + 1] / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += V[k * n + i + 1] * V[k * n + j];
        for (let k = 0; k <= i; k++) V[k * n + j] -= g * d[k];
      }
    }
    for (let k = 0; k <= i; k++) V[k * n + i + 1] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = V[(n - 1) * n + j];
    V[(n - 1) * n + j] = 0;
  }
  V[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
}

/**
 * tql2: the implicit QL iteration on the tridiagonal (d, e), rotating the rows of VT (= Vᵀ, so
 * each eigenvector is a row while it is being built). A subdiagonal entry counts as zero below
 * eps·max(|d_l| + |e_l|). Ends with d ascending and VT's rows in the same order.
 */
function tql2(VT: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  let f = 0, tst1 = 0;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n - 1 && !(Math.abs(e[m]) <= EPS * tst1)) m++;
    if (m > l) {
      // 30 iterations per eigenvalue is dsteqr's limit too; in practice 2-3 suffice.
      for (let iter = 0; iter < 30 * n; iter++) {
        // The shift from the leading 2×2 block.
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        // The implicit QL sweep from m up to l.
        p = d[m];
        let c = 1, c2 = c, c3 = c, s = 0, s2 = 0;
        const el1 = e[l + 1];
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = Math.hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          const ri = i * n, rj = (i + 1) * n;
          for (let k = 0; k < n; k++) {
            const hk = VT[rj + k];
            VT[rj + k] = s * VT[ri + k] + c * hk;
            VT[ri + k] = c * VT[ri + k] - s * hk;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
        if (!(Math.abs(e[l]) > EPS * tst1)) break;
      }
    }
    d[l] += f;
    e[l] = 0;
  }
  // Selection sort: ascending eigenvalues, rows of VT along with them.
  for (let i = 0; i < n - 1; i++) {
    let k = i, p = d[i];
    for (let j = i + 1; j < n; j++) if (d[j] < p) { k = j; p = d[j]; }
    if (k !== i) {
      d[k] = d[i];
      d[i] = p;
      for (let j = 0; j < n; j++) { const t = VT[i * n + j]; VT[i * n + j] = VT[k * n + j]; VT[k * n + j] = t; }
    }
  }
}

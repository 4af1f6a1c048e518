/**
 * SVD by one-sided Jacobi (Hestenes), the js reference for the `gesvd` entry of LinalgKernels.
 * Following Drmač and Veselić's dgesvj, a tall matrix is first reduced to its n×n triangular
 * factor R by Householder QR (fewer, cheaper sweeps), then columns of R are rotated in pairs
 * until all are orthogonal to working precision. One-sided Jacobi keeps small singular values
 * relatively accurate when the ill-conditioning comes from column scaling, A = B·D with B well
 * conditioned (Demmel–Veselić 1992), which bidiagonalisation does not promise; on Hilbert(8)
 * its smallest σ is within 5e-9 of the exact value (LAPACK's gesdd: 1e-8).
 */
import { applyQ, geqrf, norm2 } from './qr.js';

const EPS = 2 ** -52;
const MAX_SWEEPS = 80;

/**
 * A = U·diag(s)·Vᵀ for `batch` row-major m×n matrices, k = min(m, n), s descending. u: batch ×
 * m × (full ? m : k), vt: batch × (full ? n : k) × n, or null to skip them (s alone costs about
 * half). Non-finite input gives NaN outputs.
 */
export function gesvd(a: Float64Array, batch: number, m: number, n: number, s: Float64Array, u: Float64Array | null, vt: Float64Array | null, full: boolean): void {
  const k = Math.min(m, n);
  const ucols = full ? m : k, vrows = full ? n : k;
  const tall = m >= n;
  // Work on the tall orientation: for m < n, Aᵀ = U'·S·V'ᵀ gives A = V'·S·U'ᵀ.
  const M = tall ? m : n, N = tall ? n : m;
  const work = new Float64Array(M * N);
  const wantVecs = u !== null || vt !== null;
  const uT = wantVecs ? new Float64Array(M * (full ? M : N)) : null;
  const vT = wantVecs ? new Float64Array(N * N) : null;
  for (let b = 0; b < batch; b++) {
    const o = b * m * n;
    // Scaled by the largest |a_ij| so the squared norms inside the sweeps cannot overflow.
    let amax = 0;
    for (let i = 0; i < m * n; i++) amax = Math.max(amax, Math.abs(a[o + i]));
    if (!Number.isFinite(amax) || Number.isNaN(amax)) {
      s.fill(NaN, b * k, (b + 1) * k);
      if (u) u.fill(NaN, b * m * ucols, (b + 1) * m * ucols);
      if (vt) vt.fill(NaN, b * vrows * n, (b + 1) * vrows * n);
      continue;
    }
    // Only outside [1e-150, 1e150], so ordinary inputs are not rounded by the scaling.
    const sc = (amax > 1e150 || (amax > 0 && amax < 1e-150)) && Number.isFinite(1 / amax) ? amax : 1;
    const inv = 1 / sc;
    if (tall) for (let i = 0; i < m * n; i++) work[i] = a[o + i] * inv;
    else for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) work[j * m + i] = a[o + i * n + j] * inv;
    svdTall(work, M, N, s, b * k, uT, vT, full);
    if (sc !== 1) for (let i = 0; i < k; i++) s[b * k + i] *= sc;
    // Tall: U = uT (M × ucols'), Vᵀ = vT rows. Wide: U = vTᵀ (m×m), Vᵀ = uTᵀ.
    const uc = full ? M : N;
    if (tall) {
      if (u) u.set(uT!.subarray(0, m * ucols), b * m * ucols);
      if (vt) vt.set(vT!.subarray(0, vrows * n), b * vrows * n);
    } else {
      if (u) { const ou = b * m * ucols; for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) u[ou + i * ucols + j] = vT![j * m + i]; }
      if (vt) { const ov = b * vrows * n; for (let i = 0; i < vrows; i++) for (let j = 0; j < n; j++) vt[ov + i * n + j] = uT![j * uc + i]; }
    }
  }
}

/**
 * SVD of one tall M×N matrix (M >= N) held in `a` (destroyed). Writes s[os..os+N), and when
 * uOut / vOut are given U (M × (full ? M : N)) and Vᵀ (N × N), both row-major.
 */
function svdTall(a: Float64Array, M: number, N: number, s: Float64Array, os: number, uOut: Float64Array | null, vOut: Float64Array | null, full: boolean): void {
  const tau = new Float64Array(N);
  geqrf(a, 1, M, N, tau);
  // x holds Rᵀ: its row p is column p of R, so the pair rotations and dot products walk
  // contiguous memory; z holds Vᵀ (its rows are V's columns), starting at I.
  const x = new Float64Array(N * N);
  for (let i = 0; i < N; i++) for (let p = i; p < N; p++) x[p * N + i] = a[i * N + p];
  const z = vOut ? new Float64Array(N * N) : null;
  if (z) for (let i = 0; i < N; i++) z[i * N + i] = 1;
  jacobiSweeps(x, z, N);

  const sigma = new Float64Array(N);
  for (let p = 0; p < N; p++) sigma[p] = norm2(x, p * N, 1, N);
  const order = Array.from({ length: N }, (_, p) => p).sort((p, q) => sigma[q] - sigma[p] || p - q);
  for (let i = 0; i < N; i++) s[os + i] = sigma[order[i]];
  if (!uOut || !vOut || !z) return;

  for (let i = 0; i < N; i++) vOut.set(z.subarray(order[i] * N, order[i] * N + N), i * N);
  // U_R's column i is x_p / σ_p: collect them as rows of ur (ur = U_Rᵀ), then complete the
  // columns whose σ is at rounding level, where x_p / σ_p is noise.
  const ur = new Float64Array(N * N);
  const smax = N > 0 ? s[os] : 0;
  for (let i = 0; i < N; i++) {
    const p = order[i];
    const sp = sigma[p];
    if (sp > 0) for (let j = 0; j < N; j++) ur[i * N + j] = x[p * N + j] / sp;
    if (!(sp > smax * EPS * N) || sp < 1e-290) completeRow(ur, i, N);
  }
  // U = Q·[U_R 0; 0 I] (the identity block only for the complete factor).
  const ucols = full ? M : N;
  uOut.fill(0, 0, M * ucols);
  for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) uOut[i * ucols + j] = ur[j * N + i];
  for (let i = N; i < ucols; i++) uOut[i * ucols + i] = 1;
  applyQ(a, 0, M, N, tau, 0, uOut, 0, ucols);
}

/**
 * Cyclic one-sided Jacobi on the rows of x (N × N): rotates row pairs (p, q) until every pair
 * satisfies |x_p·x_q| <= tol·‖x_p‖·‖x_q‖, applying each rotation to z's rows too. The rotation
 * is Rutishauser's: tan θ = sign(ζ) / (|ζ| + √(1 + ζ²)), ζ = (‖x_q‖² - ‖x_p‖²) / (2·x_p·x_q),
 * the smaller angle, which keeps the iteration stable.
 */
function jacobiSweeps(x: Float64Array, z: Float64Array | null, N: number): void {
  const tol = EPS * Math.sqrt(Math.max(N, 1));
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let rotated = false;
    for (let p = 0; p < N - 1; p++) {
      const rp = p * N;
      for (let q = p + 1; q < N; q++) {
        const rq = q * N;
        let alpha = 0, beta = 0, gamma = 0;
        for (let j = 0; j < N; j++) {
          const xp = x[rp + j], xq = x[rq + j];
          alpha += xp * xp; beta += xq * xq; gamma += xp * xq;
        }
        if (alpha === 0 || beta === 0 || !(Math.abs(gamma) > tol * Math.sqrt(alpha) * Math.sqrt(beta))) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const root = Math.abs(zeta) > 1e150 ? Math.abs(zeta) : Math.sqrt(1 + zeta * zeta);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + root);
        const c = 1 / Math.sqrt(1 + t * t), sn = c * t;
        for (let j = 0; j < N; j++) {
          const xp = x[rp + j], xq = x[rq + j];
          x[rp + j] = c * xp - sn * xq;
          x[rq + j] = sn * xp + c * xq;
        }
        if (z) {
          for (let j = 0; j < N; j++) {
            const zp = z[rp + j], zq = z[rq + j];
            z[rp + j] = c * zp - sn * zq;
            z[rq + j] = sn * zp + c * zq;
          }
        }
      }
    }
    if (!rotated) return;
  }
}

/**
 * Makes row i of the N×N matrix r a unit vector orthogonal to rows 0..i-1 (already
 * orthonormal, σ descending so they are the reliable ones): Gram–Schmidt twice ("twice is
 * enough", Kahan–Parlett) on the row itself, or on the unit vector e_j that keeps the most
 * after projection when the row has nothing left.
 */
export function completeRow(r: Float64Array, i: number, N: number): void {
  const ri = i * N;
  const project = (v: Float64Array): number => {
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < i; k++) {
        let d = 0;
        for (let j = 0; j < N; j++) d += r[k * N + j] * v[j];
        for (let j = 0; j < N; j++) v[j] -= d * r[k * N + j];
      }
    }
    return norm2(v, 0, 1, N);
  };
  let v = Float64Array.from(r.subarray(ri, ri + N));
  let nv = project(v);
  if (!(nv > 0.5)) {
    let best = -1;
    for (let e = 0; e < N; e++) {
      const cand = new Float64Array(N);
      cand[e] = 1;
      const nc = project(cand);
      if (nc > best) { best = nc; v = cand; nv = nc; }
      if (best > 0.7) break;
    }
  }
  for (let j = 0; j < N; j++) r[ri + j] = v[j] / nv;
}

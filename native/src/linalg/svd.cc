// SVD (the `gesvd` kernel), row-major: Householder bidiagonalisation A = Q·B·Pᵀ (dgebrd), the
// explicit Q and P (dorgbr, GEMM-blocked), then the bidiagonal QR iteration (dbdsqr), whose
// rotations are recorded and applied to Uᵀ and Vᵀ in cache-resident strips. dbdsqr keeps
// every singular value of B to high relative accuracy (its zero-shift sweeps), and U and V
// stay orthogonal by construction, also for rank-deficient A (no columns to complete).
// A wide matrix is handled as its transpose, as in the js reference; matrices with at most
// kJacobiMaxN columns (after that) go to the one-sided Jacobi path (svd.h).
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "../threadpool.h"
#include "bdsqr.h"
#include "householder.h"
#include "linalg.h"
#include "rotations.h"
#include "svd.h"
#include "vec.h"

namespace tensile {
namespace linalg {
namespace {

// dgebrd for M >= N: d (N), e (N-1), H_i = I - tauq_i·v·vᵀ (v below the diagonal in column i)
// and G_i = I - taup_i·u·uᵀ (u right of the superdiagonal in row i), Qᵀ·A·P = B upper
// bidiagonal. Each step is one pass over the trailing rows, a row at a time while it is in
// L1: H_i's update, then G_i's (a dot and an axpy, the row being G_i's whole operand), then
// the next step's vᵀ·C, gathered from the still unscaled next column (z below), so the usual
// three passes per step (dgebd2) become one.
void bidiagonalize(double* a, int64_t M, int64_t N, double* d, double* e, double* tauq, double* taup) {
  const VecKernels& V = vec();
  std::vector<double> w(N), z(N), zpart;
  bool have_z = false;
  for (int64_t i = 0; i < N; i++) {
    double* ai = a + i * N;
    const int64_t nc = N - i - 1;
    double sc = 1;
    const double tq = householder(ai + i, ai + N + i, N, M - i - 1, &sc);
    tauq[i] = tq;
    d[i] = ai[i];
    if (nc == 0) break;
    if (tq != 0) {
      // w = vᵀ·C over rows i.. and columns i+1..: z = Σ x_r·C_r for the unscaled x.
      if (have_z) {
        for (int64_t c = 0; c < nc; c++) w[c] = ai[i + 1 + c] + sc * z[c];
      } else {
        std::copy(ai + i + 1, ai + N, w.begin());
        for (int64_t r = i + 1; r < M; r++) V.axpy(nc, a[r * N + i], a + r * N + i + 1, w.data());
      }
      V.axpy(nc, -tq, w.data(), ai + i + 1);
    }
    const double tp = householder(ai + i + 1, ai + i + 2, 1, nc - 1);
    taup[i] = tp;
    e[i] = ai[i + 1];
    const double* u = ai + i + 2;  // G_i's vector is (1, u[0..nc-2])
    const int64_t zc = nc - 1;     // the next step's columns i+2..
    auto pass = [&](int64_t r0, int64_t r1, double* zz) {
      for (int64_t r = r0; r < r1; r++) {
        double* row = a + r * N + i + 1;
        if (tq != 0) {
          const double f = -tq * a[r * N + i];
          if (f != 0) V.axpy(nc, f, w.data(), row);
        }
        if (tp != 0) {
          const double t = -tp * (row[0] + V.dot(nc - 1, row + 1, u));
          row[0] += t;
          V.axpy(nc - 1, t, u, row + 1);
        }
        if (r >= i + 2 && zc > 0) V.axpy(zc, row[0], row + 1, zz);
      }
    };
    std::fill(z.begin(), z.begin() + std::max<int64_t>(zc, 0), 0.0);
    const int64_t rows = M - i - 1;
    const int nt = std::min<int64_t>(num_threads(), rows / 32);
    if (nt > 1 && rows * nc >= (1 << 16)) {
      zpart.assign(static_cast<size_t>(nt * zc), 0.0);
      parallel_run(nt, [&](int tid, int t) {
        pass(i + 1 + rows * tid / t, i + 1 + rows * (tid + 1) / t, zpart.data() + tid * zc);
      });
      for (int t = 0; t < nt; t++) V.axpy(zc, 1.0, zpart.data() + t * zc, z.data());
    } else {
      pass(i + 1, M, z.data());
    }
    have_z = true;
  }
}

}  // namespace

void svd_tall_bidiagonal(double* a, int64_t M, int64_t N, double* s, bool vectors, bool full, SvdWork& w) {
  const int64_t ucols = full ? M : N;
  if (N == 0) {
    if (vectors) {
      w.Q.assign(static_cast<size_t>(M * ucols), 0.0);
      for (int64_t i = 0; i < std::min(M, ucols); i++) w.Q[i * ucols + i] = 1;
    }
    return;
  }
  w.d.assign(N, 0.0);
  w.e.assign(N, 0.0);
  w.tauq.assign(N, 0.0);
  w.taup.assign(N, 0.0);
  double* d = w.d.data();
  bidiagonalize(a, M, N, d, w.e.data(), w.tauq.data(), w.taup.data());
  if (vectors) {
    w.Q.resize(static_cast<size_t>(M * ucols));
    form_q(a, N, 1, w.tauq.data(), M, N, ucols, w.Q.data(), ucols);
    w.Ut.resize(static_cast<size_t>(N * M));
    for (int64_t r = 0; r < M; r++)
      for (int64_t c = 0; c < N; c++) w.Ut[c * M + r] = w.Q[r * ucols + c];
    // Vᵀ starts as Pᵀ = diag(1, P'ᵀ): P' from G_i's vectors, shifted one place.
    const int64_t k = N - 1;
    w.P.resize(static_cast<size_t>(k * k));
    form_q(a + 1, 1, N, w.taup.data(), k, k, k, w.P.data(), k);
    w.VT.assign(static_cast<size_t>(N * N), 0.0);
    w.VT[0] = 1;
    for (int64_t r = 0; r < k; r++)
      for (int64_t c = 0; c < k; c++) w.VT[(r + 1) * N + c + 1] = w.P[c * k + r];
  }
  Rotations* rvt = vectors ? &w.rvt : nullptr;
  Rotations* ru = vectors ? &w.ru : nullptr;
  auto flush = [&] {
    if (!vectors) return;
    apply_rotations(w.rvt, w.VT.data(), N, N, N);
    apply_rotations(w.ru, w.Ut.data(), M, N, M);
    w.rvt.clear();
    w.ru.clear();
  };
  if (vectors) { w.rvt.clear(); w.ru.clear(); }
  bdsqr(N, d, w.e.data(), rvt, ru, flush);
  flush();
  // Positive values (the sign moves to Vᵀ's row), then descending, as dbdsqr ends.
  for (int64_t i = 0; i < N; i++) {
    if (d[i] == 0) d[i] = 0;  // no -0
    if (d[i] < 0) {
      d[i] = -d[i];
      if (vectors) for (int64_t j = 0; j < N; j++) w.VT[i * N + j] = -w.VT[i * N + j];
    }
  }
  for (int64_t i = 0; i < N - 1; i++) {
    // The smallest of d[0 .. N-1-i] (the last one on ties) moves to position N-1-i.
    int64_t isub = 0;
    double smin = d[0];
    for (int64_t j = 1; j < N - i; j++)
      if (d[j] <= smin) { isub = j; smin = d[j]; }
    const int64_t last = N - 1 - i;
    if (isub != last) {
      d[isub] = d[last];
      d[last] = smin;
      if (vectors) {
        std::swap_ranges(w.VT.data() + isub * N, w.VT.data() + isub * N + N, w.VT.data() + last * N);
        std::swap_ranges(w.Ut.data() + isub * M, w.Ut.data() + isub * M + M, w.Ut.data() + last * M);
      }
    }
  }
  std::copy(d, d + N, s);
}

namespace {

void gesvd_one(const double* a, int64_t m, int64_t n, double* s, double* u, double* vt, bool full) {
  const int64_t k = std::min(m, n), ucols = full ? m : k, vrows = full ? n : k;
  const bool vectors = u || vt;
  double amax = 0;
  bool nan = false;
  for (int64_t i = 0; i < m * n; i++) {
    const double v = std::fabs(a[i]);
    nan |= std::isnan(v);
    amax = std::max(amax, v);
  }
  if (nan || !std::isfinite(amax)) {
    constexpr double q = std::numeric_limits<double>::quiet_NaN();
    std::fill(s, s + k, q);
    if (u) std::fill(u, u + m * ucols, q);
    if (vt) std::fill(vt, vt + vrows * n, q);
    return;
  }
  // Scaled only outside [1e-150, 1e150] (as the js reference), so ordinary input is not rounded.
  const double sc = (amax > 1e150 || (amax > 0 && amax < 1e-150)) && std::isfinite(1 / amax) ? amax : 1;
  const double inv = 1 / sc;
  const bool tall = m >= n;
  const int64_t M = tall ? m : n, N = tall ? n : m;
  std::vector<double> work(static_cast<size_t>(M * N));
  if (tall) {
    for (int64_t i = 0; i < m * n; i++) work[i] = a[i] * inv;
  } else {
    for (int64_t i = 0; i < m; i++)
      for (int64_t j = 0; j < n; j++) work[j * m + i] = a[i * n + j] * inv;
  }
  SvdWork w;
  if (N <= kJacobiMaxN) svd_tall_jacobi(work.data(), M, N, s, vectors, full, w);
  else svd_tall_bidiagonal(work.data(), M, N, s, vectors, full, w);
  if (sc != 1) for (int64_t i = 0; i < k; i++) s[i] *= sc;
  if (!vectors) return;
  const int64_t qc = full ? M : N;  // w.Q's columns
  if (tall) {
    // U = [Ut rows as columns | Q's columns N..], Vᵀ = VT.
    if (u) {
      for (int64_t r = 0; r < m; r++)
        for (int64_t c = 0; c < ucols; c++) u[r * ucols + c] = c < N ? w.Ut[c * M + r] : w.Q[r * qc + c];
    }
    if (vt) std::copy(w.VT.begin(), w.VT.begin() + vrows * n, vt);
  } else {
    // Aᵀ = U'·S·V'ᵀ gives A = V'·S·U'ᵀ: U = VTᵀ (m×m), Vᵀ's rows = U' columns.
    if (u) {
      for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < m; j++) u[i * ucols + j] = w.VT[j * N + i];
    }
    if (vt) {
      for (int64_t i = 0; i < vrows; i++) {
        if (i < N) std::copy(w.Ut.begin() + i * M, w.Ut.begin() + i * M + n, vt + i * n);
        else for (int64_t j = 0; j < n; j++) vt[i * n + j] = w.Q[j * qc + i];
      }
    }
  }
}

}  // namespace

void gesvd(const double* a, int64_t batch, int64_t m, int64_t n, double* s, double* u, double* vt, bool full) {
  const int64_t k = std::min(m, n), ucols = full ? m : k, vrows = full ? n : k;
  const double flops = (u || vt ? 12.0 : 4.0) * std::max(m, n) * k * k;
  for_batch(batch, flops, [&](int64_t b) {
    gesvd_one(a + b * m * n, m, n, s + b * k, u ? u + b * m * ucols : nullptr, vt ? vt + b * vrows * n : nullptr, full);
  });
}

}  // namespace linalg
}  // namespace tensile

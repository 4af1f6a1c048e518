// LU with partial pivoting (dgetrf) and the solve from its factors (dgetrs), row-major.
// Right-looking and blocked: a 32-column panel is factored by the js reference's own
// elimination (dgetf2: the same pivot choices, a zero pivot skipped and reported), in a packed
// copy, its row swaps then applied to the rest of those rows (dlaswp: whole rows end up
// swapped, as in the js), then U12 = L11⁻¹·A12 (trsm) and A22 -= L21·U12 (GEMM).
#include <algorithm>
#include <cmath>
#include <vector>

#include "../threadpool.h"
#include "level3.h"
#include "linalg.h"
#include "vec.h"

namespace tensile {
namespace linalg {
namespace {

int32_t getrf_one(double* a, int64_t n, int32_t* piv) {
  const VecKernels& V = vec();
  constexpr int64_t NB = 32;
  int32_t info = -1;
  // The panel is factored in a packed copy (rows × jb): in place, its rows would be n doubles
  // apart (4 KiB for n = 512), all in a few cache sets, and every column sweep would miss.
  std::vector<double> P(static_cast<size_t>(n * std::min(n, NB)));
  for (int64_t j0 = 0; j0 < n; j0 += NB) {
    const int64_t je = std::min(n, j0 + NB), jb = je - j0, rows = n - j0;
    for (int64_t r = 0; r < rows; r++) std::copy(a + (j0 + r) * n + j0, a + (j0 + r) * n + je, P.data() + r * jb);
    for (int64_t kk = 0; kk < jb; kk++) {
      const int64_t k = j0 + kk;
      double* pk = P.data() + kk * jb;
      // The largest |a[i,k]|, first one on ties; a NaN never wins (as `>` in the js).
      int64_t p = kk;
      double best = std::fabs(pk[kk]);
      for (int64_t i = kk + 1; i < rows; i++) {
        const double v = std::fabs(P[i * jb + kk]);
        if (v > best) { best = v; p = i; }
      }
      piv[k] = static_cast<int32_t>(j0 + p);
      if (p != kk) std::swap_ranges(pk, pk + jb, P.data() + p * jb);
      const double pivot = pk[kk];
      if (pivot == 0 || std::isnan(pivot)) {
        if (info < 0) info = static_cast<int32_t>(k);
        continue;
      }
      // The multipliers, then A_i -= l_i·U_k on the panel's columns (one rank-1 update).
      for (int64_t i = kk + 1; i < rows; i++) P[i * jb + kk] /= pivot;
      if (jb - kk - 1 > 0) V.ger(rows - kk - 1, jb - kk - 1, -1.0, pk + jb + kk, jb, pk + kk + 1, pk + jb + kk + 1, jb);
    }
    for (int64_t r = 0; r < rows; r++) std::copy(P.data() + r * jb, P.data() + (r + 1) * jb, a + (j0 + r) * n + j0);
    // The panel's row swaps on the other columns: whole rows are swapped, as in the js.
    for (int64_t k = j0; k < je; k++) {
      if (piv[k] == k) continue;
      double* rk = a + k * n;
      double* rp = a + static_cast<int64_t>(piv[k]) * n;
      std::swap_ranges(rk, rk + j0, rp);
      std::swap_ranges(rk + je, rk + n, rp + je);
    }
    if (je < n) {
      trsm_left(jb, n - je, a + j0 * n + j0, n, 1, true, true, a + j0 * n + je, n);
      gemm_acc(n - je, n - je, jb, -1.0, a + je * n + j0, n, 1, a + j0 * n + je, n, 1, a + je * n + je, n);
    }
  }
  return info;
}

void swap_rows(double* b, int64_t cols, int64_t i, int64_t j) {
  if (i != j) std::swap_ranges(b + i * cols, b + i * cols + cols, b + j * cols);
}

}  // namespace

void for_batch(int64_t batch, double flops_per_item, const std::function<void(int64_t)>& body) {
  if (batch <= 0) return;
  if (batch > 1 && (batch >= num_threads() || flops_per_item < 4e6)) {
    // Enough matrices per chunk that a chunk is worth a hand-off (~50 µs of work).
    const int64_t grain = std::max<int64_t>(1, static_cast<int64_t>(1e5 / std::max(flops_per_item, 1.0)));
    parallel_for(batch, grain, [&](int64_t lo, int64_t hi) {
      for (int64_t b = lo; b < hi; b++) body(b);
    });
  } else {
    for (int64_t b = 0; b < batch; b++) body(b);
  }
}

void getrf(double* a, int64_t batch, int64_t n, int32_t* piv, int32_t* info) {
  for_batch(batch, 2.0 / 3.0 * n * n * n, [&](int64_t b) { info[b] = getrf_one(a + b * n * n, n, piv + b * n); });
}

void getrs(const double* lu, const int32_t* piv, double* b, int64_t batch, int64_t n, int64_t nrhs, bool trans) {
  for_batch(batch, 2.0 * n * n * nrhs, [&](int64_t bi) {
    const double* a = lu + bi * n * n;
    const int32_t* p = piv + bi * n;
    double* x = b + bi * n * nrhs;
    if (!trans) {
      // P·B, then L·Y = P·B (unit lower), then U·X = Y.
      for (int64_t k = 0; k < n; k++) swap_rows(x, nrhs, k, p[k]);
      trsm_left(n, nrhs, a, n, 1, true, true, x, nrhs);
      trsm_left(n, nrhs, a, n, 1, false, false, x, nrhs);
    } else {
      // Aᵀ = Uᵀ·Lᵀ·P: Uᵀ (lower) then Lᵀ (unit upper), read through swapped strides.
      trsm_left(n, nrhs, a, 1, n, true, false, x, nrhs);
      trsm_left(n, nrhs, a, 1, n, false, true, x, nrhs);
      for (int64_t k = n - 1; k >= 0; k--) swap_rows(x, nrhs, k, p[k]);
    }
  });
}

}  // namespace linalg
}  // namespace tensile

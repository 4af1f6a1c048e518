// Householder QR (dgeqrf) and the explicit Q (dorgqr), row-major. Blocked: a 32-column panel
// is factored one reflector at a time (dgeqr2, the js reference's reflectors and signs: w = vᵀ·C
// by gemv_t, C -= tau·v·wᵀ by ger), then
// its block reflector updates the columns to its right with GEMMs (dlarft + dlarfb).
#include <algorithm>
#include <vector>

#include "householder.h"
#include "linalg.h"
#include "vec.h"

namespace tensile {
namespace linalg {
namespace {

void geqrf_one(double* a, int64_t m, int64_t n, double* tau) {
  const VecKernels& V = vec();
  constexpr int64_t NB = 32;
  const int64_t p = std::min(m, n);
  std::vector<double> w(NB), P(static_cast<size_t>(m * std::min(p, NB)));
  BlockReflector br;
  for (int64_t j0 = 0; j0 < p; j0 += NB) {
    const int64_t je = std::min(p, j0 + NB), jb = je - j0, rows = m - j0;
    // The panel in a packed copy (rows × jb), so its columns are not n doubles apart.
    for (int64_t r = 0; r < rows; r++) std::copy(a + (j0 + r) * n + j0, a + (j0 + r) * n + je, P.data() + r * jb);
    for (int64_t kk = 0; kk < jb; kk++) {
      double* pk = P.data() + kk * jb;
      const int64_t k = j0 + kk;
      tau[k] = householder(pk + kk, pk + jb + kk, jb, rows - kk - 1);
      const int64_t cw = jb - kk - 1;
      if (tau[k] == 0 || cw == 0) continue;
      // H_k on the panel's later columns: w = vᵀ·C, C -= tau·v·wᵀ.
      double* below = pk + jb + kk;  // v's tail (stride jb), the rest of each row right of it
      std::copy(pk + kk + 1, pk + jb, w.begin());
      V.gemv_t(rows - kk - 1, cw, 1.0, below + 1, jb, below, jb, w.data());
      V.axpy(cw, -tau[k], w.data(), pk + kk + 1);
      V.ger(rows - kk - 1, cw, -tau[k], below, jb, w.data(), below + 1, jb);
    }
    if (je < n) {
      // Qᵀ of the panel applied to everything right of it.
      make_block_reflector(P.data(), jb, 1, rows, jb, tau + j0, br);
      apply_block_reflector(br, true, a + j0 * n + je, n, n - je);
    }
    for (int64_t r = 0; r < rows; r++) std::copy(P.data() + r * jb, P.data() + (r + 1) * jb, a + (j0 + r) * n + j0);
  }
}

}  // namespace

void geqrf(double* a, int64_t batch, int64_t m, int64_t n, double* tau) {
  const int64_t p = std::min(m, n);
  for_batch(batch, 2.0 * m * n * p, [&](int64_t b) { geqrf_one(a + b * m * n, m, n, tau + b * p); });
}

void orgqr(const double* a, const double* tau, int64_t batch, int64_t m, int64_t n, int64_t cols, double* q) {
  const int64_t p = std::min(m, n);
  for_batch(batch, 2.0 * m * cols * p, [&](int64_t b) {
    form_q(a + b * m * n, n, 1, tau + b * p, m, p, cols, q + b * m * cols, cols);
  });
}

}  // namespace linalg
}  // namespace tensile

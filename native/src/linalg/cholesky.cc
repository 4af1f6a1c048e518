// Cholesky (dpotrf, lower) and triangular solves (dtrtrs), row-major. Right-looking blocked
// Cholesky: the 64×64 diagonal block by the js reference's row-by-row (Banachiewicz) loop,
// the block column below it (L21 = A21·L11⁻ᵀ) a column at a time by gemv, the trailing lower
// triangle by a syrk-style gemm_acc. Both blocks are worked on in packed copies: in place
// their rows are n doubles apart (4 KiB for n = 512) and would share a few cache sets. Only
// A's lower triangle is read.
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

int32_t potrf_one(double* a, int64_t n) {
  const VecKernels& V = vec();
  constexpr int64_t NB = 64;
  std::vector<double> D(static_cast<size_t>(NB * NB)), P(static_cast<size_t>(n * std::min(n, NB)));
  for (int64_t j0 = 0; j0 < n; j0 += NB) {
    const int64_t je = std::min(n, j0 + NB), jb = je - j0, below = n - je;
    for (int64_t i = 0; i < jb; i++) std::copy(a + (j0 + i) * n + j0, a + (j0 + i) * n + j0 + i + 1, D.data() + i * jb);
    for (int64_t i = 0; i < jb; i++) {
      double* ri = D.data() + i * jb;
      for (int64_t j = 0; j <= i; j++) {
        const double s = ri[j] - V.dot(j, ri, D.data() + j * jb);
        if (j < i) {
          ri[j] = s / D[j * jb + j];
        } else {
          // Not `s <= 0` alone: NaN (from inf or NaN input) must fail too.
          if (!(s > 0)) return static_cast<int32_t>(j0 + i);
          ri[i] = std::sqrt(s);
        }
      }
    }
    for (int64_t i = 0; i < jb; i++) std::copy(D.data() + i * jb, D.data() + i * jb + i + 1, a + (j0 + i) * n + j0);
    if (below == 0) break;
    for (int64_t r = 0; r < below; r++) std::copy(a + (je + r) * n + j0, a + (je + r) * n + je, P.data() + r * jb);
    // L21[:, j] = (A21[:, j] - L21[:, 0..j)·L11[j, 0..j)ᵀ) / L11[j, j], on a range of rows.
    auto rows = [&](int64_t lo, int64_t hi) {
      double* blk = P.data() + lo * jb;
      for (int64_t j = 0; j < jb; j++) {
        V.gemv_n(hi - lo, j, -1.0, blk, jb, D.data() + j * jb, blk + j, jb);
        const double d = D[j * jb + j];
        for (int64_t r = 0; r < hi - lo; r++) blk[r * jb + j] /= d;
      }
    };
    if (static_cast<double>(below) * jb * jb >= 1e6) parallel_for(below, 64, rows);
    else rows(0, below);
    for (int64_t r = 0; r < below; r++) std::copy(P.data() + r * jb, P.data() + (r + 1) * jb, a + (je + r) * n + j0);
    // A22 -= L21·L21ᵀ on and below the diagonal.
    gemm_acc(below, below, jb, -1.0, P.data(), jb, 1, P.data(), 1, jb, a + je * n + je, n, Part::kLower);
  }
  for (int64_t i = 0; i < n; i++) std::fill(a + i * n + i + 1, a + i * n + n, 0.0);
  return -1;
}

}  // namespace

void potrf(double* a, int64_t batch, int64_t n, int32_t* info) {
  for_batch(batch, n * n * n / 3.0, [&](int64_t b) { info[b] = potrf_one(a + b * n * n, n); });
}

void trtrs(const double* t, double* b, int64_t batch, int64_t n, int64_t nrhs, bool upper, bool unit, bool trans) {
  // op(T) is lower when T is lower and not transposed, or upper and transposed.
  const bool lower = upper == trans;
  for_batch(batch, static_cast<double>(n) * n * nrhs, [&](int64_t bi) {
    const double* T = t + bi * n * n;
    trsm_left(n, nrhs, T, trans ? 1 : n, trans ? n : 1, lower, unit, b + bi * n * nrhs, nrhs);
  });
}

}  // namespace linalg
}  // namespace tensile

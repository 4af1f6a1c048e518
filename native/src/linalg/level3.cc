#include "level3.h"

#include <algorithm>
#include <vector>

#include "../gemm/gemm.h"
#include "../threadpool.h"
#include "vec.h"

namespace tensile {
namespace linalg {

void gemm(int64_t M, int64_t N, int64_t K, const double* A, int64_t rsa, int64_t csa, const double* B, int64_t rsb,
          int64_t csb, double* C, int64_t ldc) {
  if (M <= 0 || N <= 0) return;
  GemmArgs g{M, N, K, A, rsa, csa, B, rsb, csb, C, ldc, true};
  gemm_impl().f64(g);
}

void gemm_acc(int64_t M, int64_t N, int64_t K, double alpha, const double* A, int64_t rsa, int64_t csa,
              const double* B, int64_t rsb, int64_t csb, double* C, int64_t ldc, Part part) {
  if (M <= 0 || N <= 0 || K <= 0) return;
  const GemmFn f = gemm_impl().f64;
  const VecKernels& V = vec();
  // 96 rows: a multiple of every micro-kernel's MR; a 96×512 scratch tile stays in L2.
  constexpr int64_t RB = 96, CBMAX = 512;
  const int nt = num_threads();
  // Below ~5 MFLOP (about 0.1 ms on one core) a hand-off to other threads rarely pays.
  const bool par = nt > 1 && 2.0 * M * N * K >= 5e6;
  const int64_t rtiles = (M + RB - 1) / RB;
  int64_t CB = std::min(N, CBMAX);
  if (part != Part::kAll) {
    CB = RB;  // square tiles, so those across the diagonal can be skipped
  } else if (par && rtiles < 4 * nt) {
    const int64_t splits = (4 * nt + rtiles - 1) / rtiles;
    CB = std::min(CB, std::max<int64_t>(64, (N + splits - 1) / splits));
  }
  const int64_t ctiles = (N + CB - 1) / CB;
  const int64_t units = rtiles * ctiles;
  auto tile = [&](int64_t u) {
    const int64_t r0 = (u / ctiles) * RB;
    int64_t c0 = (u % ctiles) * CB;
    const int64_t mr = std::min(RB, M - r0);
    int64_t nc = std::min(CB, N - c0);
    if (part == Part::kLower) {
      if (c0 >= r0 + mr) return;
      nc = std::min(nc, r0 + mr - c0);
    } else if (part == Part::kUpper) {
      if (c0 + nc <= r0) return;
      if (c0 < r0) { nc -= r0 - c0; c0 = r0; }
    }
    thread_local std::vector<double> tmp;
    if (static_cast<int64_t>(tmp.size()) < mr * nc) tmp.resize(static_cast<size_t>(mr * nc));
    GemmArgs g{mr, nc, K, A + r0 * rsa, rsa, csa, B + c0 * csb, rsb, csb, tmp.data(), nc, false};
    f(g);
    for (int64_t i = 0; i < mr; i++) V.axpy(nc, alpha, tmp.data() + i * nc, C + (r0 + i) * ldc + c0);
  };
  if (!par || units == 1) {
    for (int64_t u = 0; u < units; u++) tile(u);
    return;
  }
  // Interleaved, so the longer rows of a lower-triangular update spread over all threads.
  parallel_run(static_cast<int>(std::min<int64_t>(nt, units)), [&](int tid, int t) {
    for (int64_t u = tid; u < units; u += t) tile(u);
  });
}

void trsm_left(int64_t n, int64_t k, const double* T, int64_t rs, int64_t cs, bool lower, bool unit, double* B,
               int64_t ldb) {
  if (n <= 0 || k <= 0) return;
  const VecKernels& V = vec();
  constexpr int64_t NB = 64;
  auto solve = [&](int64_t c0, int64_t c1) {
    const int64_t w = c1 - c0;
    double* X = B + c0;
    // The diagonal block by row axpys, in the js reference's order: row i less its known
    // terms, then divided by T[i,i] (as a multiplication by the reciprocal).
    auto diag = [&](int64_t i0, int64_t i1) {
      if (lower) {
        for (int64_t i = i0; i < i1; i++) {
          double* xi = X + i * ldb;
          for (int64_t j = i0; j < i; j++) {
            const double t = T[i * rs + j * cs];
            if (t != 0) V.axpy(w, -t, X + j * ldb, xi);
          }
          if (!unit) V.scal(w, 1.0 / T[i * rs + i * cs], xi);
        }
      } else {
        for (int64_t i = i1 - 1; i >= i0; i--) {
          double* xi = X + i * ldb;
          for (int64_t j = i + 1; j < i1; j++) {
            const double t = T[i * rs + j * cs];
            if (t != 0) V.axpy(w, -t, X + j * ldb, xi);
          }
          if (!unit) V.scal(w, 1.0 / T[i * rs + i * cs], xi);
        }
      }
    };
    // Left-looking: each diagonal block first takes the contributions of every solved row.
    if (lower) {
      for (int64_t i0 = 0; i0 < n; i0 += NB) {
        const int64_t i1 = std::min(n, i0 + NB);
        if (i0 > 0) gemm_acc(i1 - i0, w, i0, -1.0, T + i0 * rs, rs, cs, X, ldb, 1, X + i0 * ldb, ldb);
        diag(i0, i1);
      }
    } else {
      for (int64_t i1 = n; i1 > 0;) {
        const int64_t i0 = std::max<int64_t>(0, i1 - NB);
        if (i1 < n) gemm_acc(i1 - i0, w, n - i1, -1.0, T + i0 * rs + i1 * cs, rs, cs, X + i1 * ldb, ldb, 1, X + i0 * ldb, ldb);
        diag(i0, i1);
        i1 = i0;
      }
    }
  };
  const int nt = num_threads();
  if (nt > 1 && k >= 128 && static_cast<double>(n) * n * k >= 8e6) {
    const int64_t slabs = std::min<int64_t>(nt, k / 64);
    parallel_for(slabs, 1, [&](int64_t lo, int64_t hi) {
      for (int64_t s = lo; s < hi; s++) solve(k * s / slabs, k * (s + 1) / slabs);
    });
  } else {
    solve(0, k);
  }
}

}  // namespace linalg
}  // namespace tensile

// Symmetric eigendecomposition (the `syevd` kernel), row-major, from the lower triangle:
// blocked Householder tridiagonalisation (LAPACK's dsytrd with dlatrd panels: half the flops
// in a triangle-times-vector product per column, half in a rank-2k GEMM update per panel), the
// explicit Q (dorgtr, GEMM-blocked), then the implicit QL iteration of the js reference
// (EISPACK's tql2, the same shifts and deflation test) on the tridiagonal, its rotations
// recorded and applied to Qᵀ in cache-resident strips (rotations.h).
#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <vector>

#include "../threadpool.h"
#include "householder.h"
#include "level3.h"
#include "linalg.h"
#include "rotations.h"
#include "vec.h"

namespace tensile {
namespace linalg {
namespace {

constexpr double kEps = 0x1p-52;

// √(a² + b²) without std::hypot's cost where the squares cannot overflow or underflow.
inline double hyp(double a, double b) {
  const double m = std::max(std::fabs(a), std::fabs(b));
  if (m > 1e-150 && m < 1e150) return std::sqrt(a * a + b * b);
  return std::hypot(a, b);
}

// y = A·x for the symmetric len×len A given by its upper triangle (row r from column r, row
// stride lda): each stored entry is read once, for both A[r][c]·x[c] and A[c][r]·x[r] (half
// the memory traffic of a full product; dsymv does the same). Large ones split the rows over
// threads into equal shares of the triangle, each thread with its own partial y.
void symv_upper(const double* A, int64_t lda, int64_t len, const double* x, double* y, std::vector<double>& part) {
  const VecKernels& V = vec();
  auto rows = [&](int64_t r0, int64_t r1, double* yy) {
    for (int64_t r = r0; r < r1; r++) {
      const double* ar = A + r * lda + r;
      yy[r] += ar[0] * x[r] + V.dot_axpy(len - r - 1, ar + 1, x + r + 1, x[r], yy + r + 1);
    }
  };
  std::fill(y, y + len, 0.0);
  const int nt = num_threads();
  if (nt == 1 || len < 768) {
    rows(0, len, y);
    return;
  }
  part.assign(static_cast<size_t>(nt * len), 0.0);
  parallel_run(nt, [&](int t, int tt) {
    auto edge = [&](int k) { return static_cast<int64_t>(std::llround(len - len * std::sqrt(1.0 - static_cast<double>(k) / tt))); };
    rows(edge(t), t + 1 == tt ? len : edge(t + 1), part.data() + t * len);
  });
  for (int t = 0; t < nt; t++) V.axpy(len, 1.0, part.data() + t * len, y);
}

// S: the symmetric n×n matrix in its upper triangle (row r from column r; the lower one is
// neither read nor kept), overwritten with the reflectors: H_j = I - tau_j·v·vᵀ with v(j+1) = 1
// and v(j+2..) in row j from column j+2, so that Qᵀ·A·Q = T, Q = H_0·…·H_{n-2}. LAPACK's
// lower-triangle column j (dsytrd, uplo = 'L') is row j here: contiguous.
void tridiagonalize(double* S, int64_t n, double* d, double* e, double* tau) {
  const VecKernels& V = vec();
  constexpr int64_t NB = 32;
  std::vector<double> Wt(static_cast<size_t>(NB * n)), t1(NB), t2(NB), X, Y, part;
  for (int64_t i0 = 0; i0 < n - 1; i0 += NB) {
    const int64_t jb = std::min(NB, n - 1 - i0), i1 = i0 + jb;
    for (int64_t jj = 0; jj < jb; jj++) {
      const int64_t j = i0 + jj;
      double* row = S + j * n;
      // Row j less the panel's pending rank-2 updates: A -= V·Wᵀ + W·Vᵀ (dlatrd).
      for (int64_t p = 0; p < jj; p++) {
        const double* vp = S + (i0 + p) * n;
        const double* wp = Wt.data() + p * n;
        V.axpy(n - j, -wp[j], vp + j, row + j);
        V.axpy(n - j, -vp[j], wp + j, row + j);
      }
      d[j] = row[j];
      tau[j] = householder(row + j + 1, row + j + 2, 1, n - j - 2);
      e[j] = row[j + 1];
      row[j + 1] = 1;
      // w_j = tau·(A - V·Wᵀ - W·Vᵀ)·v, then w -= ½·tau·(wᵀv)·v.
      const int64_t len = n - j - 1;
      const double* v = row + j + 1;
      double* w = Wt.data() + jj * n + j + 1;
      symv_upper(S + (j + 1) * n + j + 1, n, len, v, w, part);
      for (int64_t p = 0; p < jj; p++) {
        t1[p] = V.dot(len, Wt.data() + p * n + j + 1, v);
        t2[p] = V.dot(len, S + (i0 + p) * n + j + 1, v);
      }
      for (int64_t p = 0; p < jj; p++) {
        V.axpy(len, -t1[p], S + (i0 + p) * n + j + 1, w);
        V.axpy(len, -t2[p], Wt.data() + p * n + j + 1, w);
      }
      V.scal(len, tau[j], w);
      V.axpy(len, -0.5 * tau[j] * V.dot(len, w, v), v, w);
    }
    // The trailing upper triangle: A22 -= V·Wᵀ + W·Vᵀ = [V W]·[W V]ᵀ, K = 2·jb (dsyr2k).
    const int64_t len = n - i1;
    X.resize(static_cast<size_t>(2 * jb * len));
    Y.resize(static_cast<size_t>(2 * jb * len));
    for (int64_t p = 0; p < jb; p++) {
      const double* vp = S + (i0 + p) * n + i1;
      const double* wp = Wt.data() + p * n + i1;
      std::copy(vp, vp + len, X.data() + p * len);
      std::copy(wp, wp + len, X.data() + (jb + p) * len);
      std::copy(wp, wp + len, Y.data() + p * len);
      std::copy(vp, vp + len, Y.data() + (jb + p) * len);
    }
    gemm_acc(len, len, 2 * jb, -1.0, X.data(), 1, len, Y.data(), len, 1, S + i1 * n + i1, n, Part::kUpper);
  }
  d[n - 1] = S[(n - 1) * n + n - 1];
}

// tql2 on d (n) and e (e[i] couples i and i+1; e[n-1] = 0), as lib/linalg/eigh.ts. Each QL
// sweep's rotations go to rot (when given) as one backward sweep: on rows (i, i+1) of Vᵀ,
// VT[i+1] = s·VT[i] + c·VT[i+1], VT[i] = c·VT[i] - s·VT[i+1], i.e. (c, -s) in dlasr's form.
void tridiagonal_ql(double* d, double* e, int64_t n, Rotations* rot, const std::function<void()>& flush) {
  double f = 0, tst1 = 0;
  for (int64_t l = 0; l < n; l++) {
    tst1 = std::max(tst1, std::fabs(d[l]) + std::fabs(e[l]));
    int64_t m = l;
    while (m < n - 1 && !(std::fabs(e[m]) <= kEps * tst1)) m++;
    if (m > l) {
      // 30 iterations per eigenvalue is dsteqr's limit too; in practice 2-3 suffice.
      for (int64_t iter = 0; iter < 30 * n; iter++) {
        double g = d[l];
        double p = (d[l + 1] - g) / (2 * e[l]);
        double r = hyp(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const double dl1 = d[l + 1];
        double h = g - d[l];
        for (int64_t i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m];
        double c = 1, c2 = c, c3 = c, s = 0, s2 = 0;
        const double el1 = e[l + 1];
        double *rc = nullptr, *rs = nullptr;
        if (rot) {
          const int64_t off = rot->add_sweep(l, m - l, true);
          rc = rot->c.data() + off;
          rs = rot->s.data() + off;
        }
        for (int64_t i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = hyp(p, e[i]);
          e[i + 1] = s * r;
          const double rinv = 1 / r;  // one division instead of two (the loop is latency-bound)
          s = e[i] * rinv;
          c = p * rinv;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          if (rc) {
            rc[i - l] = c;
            rs[i - l] = -s;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
        if (rot && rot->size() >= kRotationFlush) flush();
        if (!(std::fabs(e[l]) > kEps * tst1)) break;
      }
    }
    d[l] += f;
    e[l] = 0;
  }
}

void syevd_one(const double* a, int64_t n, double* w, double* v) {
  for (int64_t i = 0; i < n; i++) {
    for (int64_t j = 0; j <= i; j++) {
      if (!std::isfinite(a[i * n + j])) {
        std::fill(w, w + n, std::numeric_limits<double>::quiet_NaN());
        if (v) std::fill(v, v + n * n, std::numeric_limits<double>::quiet_NaN());
        return;
      }
    }
  }
  if (n == 0) return;
  // A's lower triangle, transposed into S's upper one (see tridiagonalize).
  std::vector<double> S(static_cast<size_t>(n * n));
  for (int64_t i = 0; i < n; i++)
    for (int64_t j = 0; j <= i; j++) S[j * n + i] = a[i * n + j];
  std::vector<double> d(n), e(n, 0.0), tau(n);
  tridiagonalize(S.data(), n, d.data(), e.data(), tau.data());
  e[n - 1] = 0;
  if (!v) {
    tridiagonal_ql(d.data(), e.data(), n, nullptr, {});
    std::sort(d.begin(), d.end());
    std::copy(d.begin(), d.end(), w);
    return;
  }
  // Vᵀ starts as Qᵀ = diag(1, Q'ᵀ): Q' from the reflectors shifted one place (dorgtr).
  std::vector<double> VT(static_cast<size_t>(n * n), 0.0);
  {
    const int64_t m = n - 1;
    std::vector<double> Qp(static_cast<size_t>(m * m));
    form_q(S.data() + 1, 1, n, tau.data(), m, m, m, Qp.data(), m);
    VT[0] = 1;
    for (int64_t r = 0; r < m; r++)
      for (int64_t c = 0; c < m; c++) VT[(r + 1) * n + c + 1] = Qp[c * m + r];
  }
  Rotations rot;
  auto flush = [&] {
    apply_rotations(rot, VT.data(), n, n, n);
    rot.clear();
  };
  tridiagonal_ql(d.data(), e.data(), n, &rot, flush);
  flush();
  // Selection sort, ascending, the rows of Vᵀ along (as the js reference).
  for (int64_t i = 0; i < n - 1; i++) {
    int64_t k = i;
    double p = d[i];
    for (int64_t j = i + 1; j < n; j++)
      if (d[j] < p) { k = j; p = d[j]; }
    if (k != i) {
      d[k] = d[i];
      d[i] = p;
      std::swap_ranges(VT.data() + i * n, VT.data() + i * n + n, VT.data() + k * n);
    }
  }
  std::copy(d.begin(), d.end(), w);
  for (int64_t i = 0; i < n; i++)
    for (int64_t j = 0; j < n; j++) v[i * n + j] = VT[j * n + i];
}

}  // namespace

void syevd(const double* a, int64_t batch, int64_t n, double* w, double* v) {
  const double nd = static_cast<double>(n);
  for_batch(batch, (v ? 9.0 : 1.5) * nd * nd * nd, [&](int64_t b) {
    syevd_one(a + b * n * n, n, w + b * n, v ? v + b * n * n : nullptr);
  });
}

}  // namespace linalg
}  // namespace tensile

#include "householder.h"

#include <algorithm>
#include <cmath>

#include "level3.h"

namespace tensile {
namespace linalg {

double norm2(const double* x, int64_t stride, int64_t n) {
  double ss = 0;
  for (int64_t i = 0; i < n; i++) ss += x[i * stride] * x[i * stride];
  // Inside these bounds no square overflowed, and those that underflowed are below rounding.
  if (ss > 1e-280 && ss < 1e280) return std::sqrt(ss);
  return norm2_scaled(x, stride, n);
}

double norm2_scaled(const double* x, int64_t stride, int64_t n) {
  double scale = 0;
  for (int64_t i = 0; i < n; i++) {
    const double v = std::fabs(x[i * stride]);
    if (std::isnan(v)) return v;
    scale = std::max(scale, v);
  }
  if (scale == 0 || !std::isfinite(scale)) return scale;
  double s = 0;
  for (int64_t i = 0; i < n; i++) {
    const double v = x[i * stride] / scale;
    s += v * v;
  }
  return scale * std::sqrt(s);
}

double householder(double* alpha, double* x, int64_t stride, int64_t n, double* x_scale) {
  if (x_scale) *x_scale = 1;
  const double xnorm = norm2(x, stride, n);
  if (xnorm == 0) return 0;
  const double a = *alpha;
  const double beta = -(a >= 0 ? 1.0 : -1.0) * std::hypot(a, xnorm);
  const double tau = (beta - a) / beta;
  const double scale = 1 / (a - beta);
  for (int64_t i = 0; i < n; i++) x[i * stride] *= scale;
  if (x_scale) *x_scale = scale;
  *alpha = beta;
  return tau;
}

void make_block_reflector(const double* src, int64_t rs, int64_t cs, int64_t rows, int64_t k, const double* tau,
                          BlockReflector& br) {
  br.rows = rows;
  br.k = k;
  br.V.assign(static_cast<size_t>(rows * k), 0.0);
  double* V = br.V.data();
  for (int64_t i = 0; i < rows; i++) {
    const int64_t lim = std::min(i, k);
    for (int64_t j = 0; j < lim; j++) V[i * k + j] = src[i * rs + j * cs];
    if (i < k) V[i * k + i] = 1;
  }
  // dlarft (forward, columnwise): T[j,j] = tau_j, T[0:j, j] = -tau_j·T[0:j, 0:j]·(Vᵀ·v_j)[0:j].
  std::vector<double> S(static_cast<size_t>(k * k));
  gemm(k, k, rows, V, 1, k, V, k, 1, S.data(), k);
  br.T.assign(static_cast<size_t>(k * k), 0.0);
  double* T = br.T.data();
  for (int64_t j = 0; j < k; j++) {
    T[j * k + j] = tau[j];
    if (tau[j] == 0) continue;
    for (int64_t r = 0; r < j; r++) {
      double acc = 0;
      for (int64_t q = r; q < j; q++) acc += T[r * k + q] * S[q * k + j];
      T[r * k + j] = -tau[j] * acc;
    }
  }
}

void apply_block_reflector(BlockReflector& br, bool trans, double* C, int64_t ldc, int64_t ncols) {
  const int64_t rows = br.rows, k = br.k;
  if (rows <= 0 || k <= 0 || ncols <= 0) return;
  br.W.resize(static_cast<size_t>(k * ncols));
  br.W2.resize(static_cast<size_t>(k * ncols));
  // W = Vᵀ·C; W2 = op(T)·W; C -= V·W2.
  gemm(k, ncols, rows, br.V.data(), 1, k, C, ldc, 1, br.W.data(), ncols);
  if (trans) gemm(k, ncols, k, br.T.data(), 1, k, br.W.data(), ncols, 1, br.W2.data(), ncols);
  else gemm(k, ncols, k, br.T.data(), k, 1, br.W.data(), ncols, 1, br.W2.data(), ncols);
  gemm_acc(rows, ncols, k, -1.0, br.V.data(), k, 1, br.W2.data(), ncols, 1, C, ldc);
}

void form_q(const double* src, int64_t rs, int64_t cs, const double* tau, int64_t m, int64_t k, int64_t cols,
            double* Q, int64_t ldq) {
  for (int64_t i = 0; i < m; i++) {
    std::fill(Q + i * ldq, Q + i * ldq + cols, 0.0);
    if (i < cols) Q[i * ldq + i] = 1;
  }
  if (k <= 0) return;
  constexpr int64_t NB = 32;
  BlockReflector br;
  // Q = B_0·B_1·…: the last block first, each on the rows and columns it can reach (H_j
  // leaves e_i alone for i < j, so columns left of the block are still those of I).
  for (int64_t j0 = ((k - 1) / NB) * NB; j0 >= 0; j0 -= NB) {
    if (j0 >= cols) continue;
    const int64_t jb = std::min(NB, k - j0);
    make_block_reflector(src + j0 * rs + j0 * cs, rs, cs, m - j0, jb, tau + j0, br);
    apply_block_reflector(br, false, Q + j0 * ldq + j0, ldq, cols - j0);
  }
}

}  // namespace linalg
}  // namespace tensile

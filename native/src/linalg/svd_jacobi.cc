// One-sided Jacobi SVD (Hestenes), ported from lib/linalg/svd.ts: A = Q·R, then pairs of R's
// columns (rows of x = Rᵀ, contiguous) are rotated until all are orthogonal to working
// precision (Drmač and Veselić's dgesvj does the same preconditioning). Used for small
// matrices, see svd.h. The QR, norms and sweeps repeat the js reference's arithmetic
// operation for operation (scalar, no FMA contraction: CMakeLists.txt builds this file with
// -ffp-contract=off), so small matrices get the js reference's singular values to the last
// bit or so, whatever the ISA.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "householder.h"
#include "level3.h"
#include "svd.h"

namespace tensile {
namespace linalg {
namespace {

constexpr double kEps = 0x1p-52;
constexpr int kMaxSweeps = 80;


// Math.hypot as V8 computes it (src/builtins/math.tq): scaled by the larger value, the
// squares summed with Kahan compensation. std::hypot rounds differently in the last bit,
// which Hilbert(8)'s smallest singular value (κ ≈ 1e10) turns into a 4e-8 difference.
double hypot_js(double a, double b) {
  const double x = std::fabs(a), y = std::fabs(b);
  if (std::isinf(x) || std::isinf(y)) return INFINITY;
  if (std::isnan(x) || std::isnan(y)) return NAN;
  const double max = std::max(x, y);
  if (max == 0) return 0;
  double sum = 0, compensation = 0;
  for (const double v : {x, y}) {
    const double n = v / max;
    const double summand = n * n - compensation;
    const double preliminary = sum + summand;
    compensation = (preliminary - sum) - summand;
    sum = preliminary;
  }
  return std::sqrt(sum) * max;
}

double dot_js(int64_t n, const double* x, const double* y) {
  double s = 0;
  for (int64_t i = 0; i < n; i++) s += x[i] * y[i];
  return s;
}

// geqr2 of lib/linalg/qr.ts: each reflector applied at once to the columns right of it.
void geqr2_js(double* a, int64_t m, int64_t n, double* tau) {
  std::vector<double> w(n);
  for (int64_t k = 0; k < std::min(m, n); k++) {
    const int64_t akk = k * n + k;
    const double alpha = a[akk];
    const double xnorm = norm2_scaled(a + akk + n, n, m - k - 1);
    if (xnorm == 0) { tau[k] = 0; continue; }
    const double beta = -(alpha >= 0 ? 1 : -1) * hypot_js(alpha, xnorm);
    tau[k] = (beta - alpha) / beta;
    const double scale = 1 / (alpha - beta);
    for (int64_t i = k + 1; i < m; i++) a[i * n + k] *= scale;
    a[akk] = beta;
    for (int64_t j = k + 1; j < n; j++) w[j] = a[k * n + j];
    for (int64_t i = k + 1; i < m; i++) {
      const double vi = a[i * n + k];
      if (vi == 0) continue;
      for (int64_t j = k + 1; j < n; j++) w[j] += vi * a[i * n + j];
    }
    for (int64_t j = k + 1; j < n; j++) a[k * n + j] -= tau[k] * w[j];
    for (int64_t i = k + 1; i < m; i++) {
      const double f = tau[k] * a[i * n + k];
      if (f == 0) continue;
      for (int64_t j = k + 1; j < n; j++) a[i * n + j] -= f * w[j];
    }
  }
}

// Cyclic sweeps over row pairs (p, q) of x (N×N) until |x_p·x_q| <= tol·‖x_p‖·‖x_q‖ for all,
// each rotation applied to z's rows too; Rutishauser's smaller-angle rotation.
void jacobi_sweeps(double* x, double* z, int64_t N) {
  const double tol = kEps * std::sqrt(static_cast<double>(std::max<int64_t>(N, 1)));
  for (int sweep = 0; sweep < kMaxSweeps; sweep++) {
    bool rotated = false;
    for (int64_t p = 0; p < N - 1; p++) {
      double* xp = x + p * N;
      for (int64_t q = p + 1; q < N; q++) {
        double* xq = x + q * N;
        double alpha = 0, beta = 0, gamma = 0;
        for (int64_t j = 0; j < N; j++) {
          alpha += xp[j] * xp[j];
          beta += xq[j] * xq[j];
          gamma += xp[j] * xq[j];
        }
        if (alpha == 0 || beta == 0 || !(std::fabs(gamma) > tol * std::sqrt(alpha) * std::sqrt(beta))) continue;
        rotated = true;
        const double zeta = (beta - alpha) / (2 * gamma);
        const double root = std::fabs(zeta) > 1e150 ? std::fabs(zeta) : std::sqrt(1 + zeta * zeta);
        const double t = (zeta >= 0 ? 1 : -1) / (std::fabs(zeta) + root);
        const double cs = 1 / std::sqrt(1 + t * t), sn = cs * t;
        // x_p' = c·x_p - s·x_q, x_q' = s·x_p + c·x_q.
        for (int64_t j = 0; j < N; j++) {
          const double a = xp[j], b = xq[j];
          xp[j] = cs * a - sn * b;
          xq[j] = sn * a + cs * b;
        }
        if (z) {
          double* zp = z + p * N;
          double* zq = z + q * N;
          for (int64_t j = 0; j < N; j++) {
            const double a = zp[j], b = zq[j];
            zp[j] = cs * a - sn * b;
            zq[j] = sn * a + cs * b;
          }
        }
      }
    }
    if (!rotated) return;
  }
}

// Row i of r (N×N) made a unit vector orthogonal to rows 0..i-1 (orthonormal): Gram–Schmidt
// twice on the row, or on the unit vector e_j that keeps the most, as completeRow in the js.
void complete_row(double* r, int64_t i, int64_t N) {
  std::vector<double> v(r + i * N, r + i * N + N), cand(N);
  auto project = [&](double* u) {
    for (int pass = 0; pass < 2; pass++) {
      for (int64_t k = 0; k < i; k++) {
        const double d = dot_js(N, r + k * N, u);
        for (int64_t j = 0; j < N; j++) u[j] -= d * r[k * N + j];
      }
    }
    return norm2_scaled(u, 1, N);
  };
  double nv = project(v.data());
  if (!(nv > 0.5)) {
    double best = -1;
    for (int64_t e = 0; e < N; e++) {
      std::fill(cand.begin(), cand.end(), 0.0);
      cand[e] = 1;
      const double nc = project(cand.data());
      if (nc > best) { best = nc; v = cand; nv = nc; }
      if (best > 0.7) break;
    }
  }
  for (int64_t j = 0; j < N; j++) r[i * N + j] = v[j] / nv;
}

}  // namespace

void svd_tall_jacobi(double* a, int64_t M, int64_t N, double* s, bool vectors, bool full, SvdWork& w) {
  const int64_t qc = full ? M : N;
  w.tauq.assign(std::max<int64_t>(N, 1), 0.0);
  geqr2_js(a, M, N, w.tauq.data());
  std::vector<double> x(N * N, 0.0), sigma(N);
  for (int64_t i = 0; i < N; i++)
    for (int64_t p = i; p < N; p++) x[p * N + i] = a[i * N + p];
  if (vectors) {
    w.VT.assign(N * N, 0.0);
    for (int64_t i = 0; i < N; i++) w.VT[i * N + i] = 1;
  }
  std::vector<double> z(vectors ? N * N : 0);
  if (vectors) z = w.VT;
  jacobi_sweeps(x.data(), vectors ? z.data() : nullptr, N);
  for (int64_t p = 0; p < N; p++) sigma[p] = norm2_scaled(x.data() + p * N, 1, N);
  std::vector<int64_t> order(N);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int64_t p, int64_t q) { return sigma[p] > sigma[q]; });
  for (int64_t i = 0; i < N; i++) s[i] = sigma[order[i]];
  if (!vectors) return;
  for (int64_t i = 0; i < N; i++) std::copy(z.begin() + order[i] * N, z.begin() + order[i] * N + N, w.VT.begin() + i * N);
  // U_R's column i is x_p / σ_p, as row i of ur; columns whose σ is at rounding level are
  // completed to an orthonormal set instead.
  std::vector<double> ur(N * N, 0.0);
  const double smax = N > 0 ? s[0] : 0;
  for (int64_t i = 0; i < N; i++) {
    const int64_t p = order[i];
    const double sp = sigma[p];
    if (sp > 0) for (int64_t j = 0; j < N; j++) ur[i * N + j] = x[p * N + j] / sp;
    if (!(sp > smax * kEps * N) || sp < 1e-290) complete_row(ur.data(), i, N);
  }
  // U = Q·[U_R 0; 0 I]: Ut = U_Rᵀ·Q[:, :N]ᵀ, and Q's later columns as they are.
  w.Q.resize(M * qc);
  form_q(a, N, 1, w.tauq.data(), M, N, qc, w.Q.data(), qc);
  w.Ut.resize(N * M);
  gemm(N, M, N, ur.data(), N, 1, w.Q.data(), 1, qc, w.Ut.data(), M);
}

}  // namespace linalg
}  // namespace tensile

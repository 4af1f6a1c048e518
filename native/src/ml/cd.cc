// Whole coordinate-descent fits (cd.h): the data preparation the js estimators do around their
// solvers (centring, the column-major copy, liblinear's bias feature), done here in one pass
// each so a fit crosses into C++ once, and the choice of the per-ISA solver bodies.
#include "cd.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "../gemm/gemm.h"

namespace tensile {
namespace ml {

const CdKernels& cd() {
#if defined(__x86_64__) || defined(_M_X64)
  static const CdKernels k512 = avx512::cd_kernels(), k2 = avx2::cd_kernels();
  const char* isa = gemm_impl().isa;
  if (std::strcmp(isa, "avx512") == 0) return k512;
  if (std::strcmp(isa, "avx2") == 0) return k2;
#endif
  static const CdKernels kg = generic::cd_kernels();
  return kg;
}

namespace {

// Column means of row-major a [rows, cols], summed in row order then divided: the arithmetic
// of lib/ml/linear.ts columnMeans, so the centred data equal the js's bit for bit.
void column_means(const double* a, int64_t rows, int64_t cols, double* mean) {
  std::fill(mean, mean + cols, 0.0);
  for (int64_t i = 0; i < rows; i++)
    for (int64_t j = 0; j < cols; j++) mean[j] += a[i * cols + j];
  for (int64_t j = 0; j < cols; j++) mean[j] /= static_cast<double>(rows);
}

// Work arrays kept between fits (per thread): a fresh megabyte-sized allocation is fresh pages
// from the OS, and faulting them in cost more than a whole 4000×50 Lasso fit (measured ~0.9 ms
// of page faults against 0.3 ms of work). Buffers above kKeep doubles are let go after the fit.
class Workspace {
 public:
  double* get(size_t count) {
    if (buf_.size() < count) {
      std::vector<double>().swap(buf_);
      buf_.resize(count);
    }
    return buf_.data();
  }
  void trim() {
    if (buf_.size() > kKeep) std::vector<double>().swap(buf_);
  }

 private:
  static constexpr size_t kKeep = size_t(1) << 23;  // 64 MiB
  std::vector<double> buf_;
};

Workspace& workspace() {
  thread_local Workspace w;
  return w;
}

// Trims the workspace when the fit ends, thrown or not.
struct TrimOnExit {
  ~TrimOnExit() { workspace().trim(); }
};

}  // namespace

void enet_fit(const double* x, int64_t n, int64_t p, const double* y, int64_t t, bool fit_intercept, double l1,
              double l2, int64_t max_iter, double tol, bool positive, CdRandom* rng, double* coef, double* x_offset,
              double* y_offset, double* stats) {
  if (fit_intercept) {
    column_means(x, n, p, x_offset);
    column_means(y, n, t, y_offset);
  } else {
    std::fill(x_offset, x_offset + p, 0.0);
    std::fill(y_offset, y_offset + t, 0.0);
  }
  // Centred and column-major (the solver walks one feature's column per coordinate), built in
  // blocks of rows so the reads of x stay sequential and the writes stay in cache.
  TrimOnExit trim;
  double* cols = workspace().get(static_cast<size_t>(n * p + 3 * n + p));
  double *yk = cols + n * p, *r = yk + n, *norm = r + n;
  constexpr int64_t kBlock = 64;
  for (int64_t i0 = 0; i0 < n; i0 += kBlock) {
    const int64_t i1 = std::min(n, i0 + kBlock);
    for (int64_t j = 0; j < p; j++) {
      double* out = cols + j * n;
      const double m = x_offset[j];
      for (int64_t i = i0; i < i1; i++) out[i] = x[i * p + j] - m;
    }
  }
  const CdKernels& k = cd();
  for (int64_t c = 0; c < t; c++) {
    for (int64_t i = 0; i < n; i++) yk[i] = y[i * t + c] - y_offset[c];
    EnetProblem prob{cols, n, p, yk, coef + c * p, r, norm, l1, l2, max_iter, tol, positive, rng};
    const EnetResult res = k.enet(prob);
    stats[2 * c] = static_cast<double>(res.n_iter);
    stats[2 * c + 1] = res.gap;
  }
}

void svc_fit(const double* x, int64_t n, int64_t p, const int32_t* cls, int64_t k, double C, bool hinge, double bias,
             double tol, int64_t max_iter, CdRandom* rng, double* coef, double* intercept, double* iters) {
  const CdKernels& kern = cd();
  const int64_t dim = p + (bias > 0 ? 1 : 0);
  const int64_t ld = (dim + kern.width - 1) / kern.width * kern.width;
  // The samples with liblinear's bias feature appended, rows padded with zeros to whole vectors.
  TrimOnExit trim;
  double* xa = workspace().get(static_cast<size_t>(n * ld + ld + 2 * n));
  double *w = xa + n * ld, *alpha = w + ld, *qd = alpha + n;
  for (int64_t i = 0; i < n; i++) {
    double* row = xa + i * ld;
    std::memcpy(row, x + i * p, p * sizeof(double));
    std::fill(row + p, row + ld, 0.0);
    if (bias > 0) row[p] = bias;
  }
  std::vector<int8_t> ypm(static_cast<size_t>(n));
  std::vector<int32_t> index(static_cast<size_t>(n));
  const int64_t rows = k == 2 ? 1 : k;
  for (int64_t r = 0; r < rows; r++) {
    const int32_t pos = static_cast<int32_t>(k == 2 ? 1 : r);
    for (int64_t i = 0; i < n; i++) ypm[i] = cls[i] == pos ? 1 : -1;
    SvcProblem prob{xa, n, ld, ypm.data(), C, hinge, tol, max_iter, rng, w, alpha, qd, index.data()};
    iters[r] = static_cast<double>(kern.svc(prob));
    std::memcpy(coef + r * p, w, p * sizeof(double));
    intercept[r] = bias > 0 ? bias * w[p] : 0;
  }
}

}  // namespace ml
}  // namespace tensile

// Kernel rows for the SMO solver, as DenseKernelRows and PrecomputedKernelRows in
// lib/ml/kernels.ts compute them: dot products of a batch of rows as one float64 GEMM with
// the operands tn.matmulT hands the addon (A the gathered rows, B = X read transposed), so
// each dot product rounds as on the TypeScript path; then libsvm's kernel transform in
// libsvm's operation order, rounded to float32. Large rows are transformed on the thread pool.
#include <algorithm>
#include <cmath>

#include "../gemm/gemm.h"
#include "../threadpool.h"
#include "smo.h"

namespace tensile {
namespace ml {
namespace {

// libsvm's powi: binary powering, with libsvm's rounding rather than pow's.
double powi(double base, int times) {
  double tmp = base, ret = 1.0;
  for (int t = times; t > 0; t /= 2) {
    if (t % 2 == 1) ret *= tmp;
    tmp = tmp * tmp;
  }
  return ret;
}

double from_dot(Kernel k, double gamma, int degree, double coef0, double dot, double sqa, double sqb) {
  switch (k) {
    case Kernel::kPoly: return powi(gamma * dot + coef0, degree);
    case Kernel::kRbf: return std::exp(-gamma * (sqa + sqb - 2 * dot));
    case Kernel::kSigmoid: return std::tanh(gamma * dot + coef0);
    default: return dot;
  }
}

// Below this many kernel values a row is transformed on the calling thread (an exp costs
// ~10 ns; a pool hand-off a few microseconds).
constexpr int64_t kParallelGrain = 4096;

}  // namespace

RowSource::RowSource(Kernel kernel, double gamma, int degree, double coef0, const double* x, int64_t size, int64_t p,
                     const int32_t* index)
    : kernel_(kernel), gamma_(gamma), coef0_(coef0), degree_(degree), x_(x), size_(size), p_(p), index_(index) {
  diag_.resize(size);
  if (kernel == Kernel::kPrecomputed) {
    for (int64_t i = 0; i < size; i++) diag_[i] = x[static_cast<int64_t>(index[i]) * p + index[i]];
    return;
  }
  sq_.resize(size);
  for (int64_t i = 0; i < size; i++) {
    double s = 0;
    const double* r = x + i * p;
    for (int64_t k = 0; k < p; k++) s += r[k] * r[k];
    sq_[i] = s;
    diag_[i] = from_dot(kernel, gamma, degree, coef0, s, s, s);
  }
}

void RowSource::compute_raw(const int32_t* samples, int64_t count, double* out) {
  const int64_t n = size_;
  if (kernel_ == Kernel::kPrecomputed) {
    for (int64_t r = 0; r < count; r++) {
      const double* g = x_ + static_cast<int64_t>(index_[samples[r]]) * p_;
      double* o = out + r * n;
      for (int64_t t = 0; t < n; t++) o[t] = g[index_[t]];
    }
    return;
  }
  const int64_t p = p_;
  if (static_cast<int64_t>(block_.size()) < count * p) block_.resize(count * p);
  for (int64_t r = 0; r < count; r++) std::copy(x_ + samples[r] * p, x_ + samples[r] * p + p, block_.data() + r * p);
  if (count == 0 || n == 0) return;
  // Threads only for bulk blocks (gradient set-up and reconstruction): a prefetch batch is
  // ~1 ms of work, and a pool hand-off per iteration-sized call costs more than it saves when
  // the cores are shared. Threading never changes a value (each element is one dot product).
  const bool threaded = count >= 64;
  GemmArgs g{count, n, p, block_.data(), p, 1, x_, 1, p, out, n, threaded};
  gemm_impl().f64(g);
}

void RowSource::finish(int32_t sample, const double* d, float* row) const {
  const int64_t n = size_;
  const double g = gamma_, c0 = coef0_, si = sq_.empty() ? 0 : sq_[sample];
  const double* sq = sq_.data();
  const Kernel kernel = kernel_;
  const int degree = degree_;
  auto run = [&](int64_t lo, int64_t hi) {
    switch (kernel) {
      case Kernel::kRbf:
        for (int64_t t = lo; t < hi; t++) row[t] = static_cast<float>(std::exp(-g * (si + sq[t] - 2 * d[t])));
        break;
      case Kernel::kPoly:
        for (int64_t t = lo; t < hi; t++) row[t] = static_cast<float>(powi(g * d[t] + c0, degree));
        break;
      case Kernel::kSigmoid:
        for (int64_t t = lo; t < hi; t++) row[t] = static_cast<float>(std::tanh(g * d[t] + c0));
        break;
      default:  // linear and precomputed: the raw value itself
        for (int64_t t = lo; t < hi; t++) row[t] = static_cast<float>(d[t]);
    }
  };
  if (kernel == Kernel::kLinear || kernel == Kernel::kPrecomputed || n < 2 * kParallelGrain) run(0, n);
  else parallel_for(n, kParallelGrain, run);
}

}  // namespace ml
}  // namespace tensile

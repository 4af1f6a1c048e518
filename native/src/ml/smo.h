// libsvm's SMO solver for tn.ml's SVC and SVR, the native twin of lib/ml/smo.ts (the oracle):
// the same working-set selection, shrinking, gradient reconstruction, kernel cache and row
// batching, in the same arithmetic order, so on the same kernel values both take the same
// path (same iterations and support set; alphas and rho equal to rounding). Kernel rows are
// computed as lib/ml/kernels.ts does: a batch of rows as one float64 GEMM (the addon's, with
// the same shape and strides as tn.matmulT's call, so every dot product rounds the same) and
// the kernel transform after it, stored as float32 (libsvm's Qfloat).
#pragma once
#include <cstdint>
#include <vector>

namespace tensile {
namespace ml {

enum class Kernel { kLinear = 0, kPoly = 1, kRbf = 2, kSigmoid = 3, kPrecomputed = 4 };

// The kernel rows of one training problem: `size` samples; raw rows (dot products or Gram
// values, float64) computed a batch at a time, finished into float32 kernel rows.
class RowSource {
 public:
  // Dense: x is size × p row-major (the samples' features, already gathered). Precomputed:
  // x is an nGram × nGram Gram matrix (p = nGram) and index (size entries) picks the samples.
  // The caller has checked every size and index and keeps the arrays alive.
  RowSource(Kernel kernel, double gamma, int degree, double coef0, const double* x, int64_t size, int64_t p,
            const int32_t* index);
  int64_t size() const { return size_; }
  const std::vector<double>& diagonal() const { return diag_; }
  // count × size raw rows of samples[0..count) into out.
  void compute_raw(const int32_t* samples, int64_t count, double* out);
  void finish(int32_t sample, const double* raw, float* row) const;

 private:
  Kernel kernel_;
  double gamma_, coef0_;
  int degree_;
  const double* x_;
  int64_t size_, p_;
  const int32_t* index_;
  std::vector<double> sq_, diag_, block_;
};

struct SmoProblem {
  int64_t l;
  const int32_t* y;        // ±1
  const double* p;
  const double* C;
  const int32_t* sample;   // kernel row of each variable, in [0, size)
  const double* alpha0;    // a feasible start, or null for zeros
};

struct SmoOptions {
  double tol;
  bool shrinking;
  int64_t max_iter;  // -1: no limit
  double cache_bytes;
  int batch_rows;
};

struct SmoResult {
  std::vector<double> alpha;
  double rho = 0, obj = 0;
  int64_t n_iter = 0;
  bool timed_out = false;
  int64_t rows_computed = 0;
};

SmoResult smo_solve(RowSource& source, const SmoProblem& problem, const SmoOptions& opts);

}  // namespace ml
}  // namespace tensile

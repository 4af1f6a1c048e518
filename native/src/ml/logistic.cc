#include "logistic.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <vector>

#include "../threadpool.h"

namespace tensile {
namespace ml {
namespace {

struct Partial {
  double loss = 0, sr = 0;
};

// Rows [lo, hi): the logits, the per-sample terms (binaryTerms in lib/ml/logistic.ts), and
// g += r_i x_i while the row is still in L1.
void rows(const double* __restrict x, int64_t lo, int64_t hi, int64_t p, const double* __restrict y,
          const double* __restrict w, double b, double* __restrict r, double* __restrict g, Partial& out) {
  double loss = 0, sr = 0;
  for (int64_t i = lo; i < hi; i++) {
    const double* xi = x + i * p;
    // Eight independent sums, which the compiler turns into vector registers.
    double d[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int64_t j = 0;
    for (; j + 8 <= p; j += 8)
      for (int k = 0; k < 8; k++) d[k] += xi[j + k] * w[j + k];
    double z = ((d[0] + d[4]) + (d[1] + d[5])) + ((d[2] + d[6]) + (d[3] + d[7]));
    for (; j < p; j++) z += xi[j] * w[j];
    z += b;
    const double yi = y[i];
    const double e = std::exp(-std::fabs(z));
    loss += (z > 0 ? z + std::log1p(e) : std::log1p(e)) - yi * z;
    const double gi = (z >= 0 ? 1 / (1 + e) : e / (1 + e)) - yi;
    r[i] = gi;
    sr += gi;
    for (j = 0; j < p; j++) g[j] += gi * xi[j];
  }
  out.loss = loss;
  out.sr = sr;
}

}  // namespace

void logistic_binary(const double* x, int64_t n, int64_t p, const double* y, const double* w, double b,
                     double* r, double* grad, double* sums) {
  // Fixed chunks (the result does not depend on the thread count's timing), one per thread
  // when the work is worth a hand-off.
  const int64_t work = n * std::max<int64_t>(p, 1);
  const int chunks = work >= (int64_t(1) << 16) ? std::max(1, std::min<int>(num_threads(), static_cast<int>(n / 64))) : 1;
  std::vector<double> g(static_cast<size_t>(chunks) * p, 0.0);
  std::vector<Partial> part(chunks);
  std::atomic<int> next{0};
  auto job = [&](int, int) {
    for (int c; (c = next.fetch_add(1, std::memory_order_relaxed)) < chunks;)
      rows(x, n * c / chunks, n * (c + 1) / chunks, p, y, w, b, r, g.data() + c * p, part[c]);
  };
  if (chunks > 1) parallel_run_claimed(chunks, job);
  else job(0, 1);
  double loss = 0, sr = 0;
  for (int64_t j = 0; j < p; j++) grad[j] = 0;
  for (int c = 0; c < chunks; c++) {
    loss += part[c].loss;
    sr += part[c].sr;
    for (int64_t j = 0; j < p; j++) grad[j] += g[c * p + j];
  }
  sums[0] = loss;
  sums[1] = sr;
}

}  // namespace ml
}  // namespace tensile

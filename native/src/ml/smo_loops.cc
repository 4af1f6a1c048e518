// The scalar SMO loops (any CPU) and the choice of build. Compiled without FMA contraction:
// these are lib/ml/smo.ts's loops, operation for operation.
#include <cstring>
#include <limits>

#include "../gemm/gemm.h"
#include "smo_loops.h"

namespace tensile {
namespace ml {

namespace generic {
namespace {

constexpr double kTau = 1e-12;

void update_g(int64_t n, const int32_t* sample, const double* y, const float* Ri, const float* Rj, double ai, double aj,
              double* G) {
  for (int64_t k = 0; k < n; k++) {
    const int32_t s = sample[k];
    G[k] += y[k] * (static_cast<double>(Ri[s]) * ai + static_cast<double>(Rj[s]) * aj);
  }
}

void select_up(int64_t n, const double* y, const double* G, const uint8_t* status, double* Gmax_out, int64_t* idx_out) {
  double Gmax = -std::numeric_limits<double>::infinity();
  int64_t idx = -1;
  for (int64_t t = 0; t < n; t++) {
    // I_up: y = +1 below its bound (status != UPPER = 1), y = −1 above 0 (status != LOWER = 0).
    if (status[t] == (y[t] > 0 ? 1 : 0)) continue;
    const double v = -(y[t] * G[t]);  // −G or G exactly
    if (v >= Gmax) { Gmax = v; idx = t; }
  }
  *Gmax_out = Gmax;
  *idx_out = idx;
}

void select_low(int64_t n, const double* y, const double* G, const uint8_t* status, const int32_t* sample,
                const double* QD, const float* Ri, double QDi, double Gmax, double* Gmax2_out, int64_t* gmin_idx) {
  double Gmax2 = *Gmax2_out, obj_diff_min = std::numeric_limits<double>::infinity();
  int64_t idx = -1;
  for (int64_t j = 0; j < n; j++) {
    // I_low: y = +1 above 0 (status != LOWER = 0), y = −1 below its bound (status != UPPER = 1).
    if (status[j] == (y[j] < 0 ? 1 : 0)) continue;
    const double w = y[j] * G[j];  // ±G exactly; Gmax − G is Gmax + (−G)
    if (w >= Gmax2) Gmax2 = w;
    const double grad_diff = Gmax + w;
    if (grad_diff > 0) {
      const double quad = QDi + QD[j] - 2 * static_cast<double>(Ri[sample[j]]);
      const double obj_diff = -(grad_diff * grad_diff) / (quad > 0 ? quad : kTau);
      if (obj_diff <= obj_diff_min) { idx = j; obj_diff_min = obj_diff; }
    }
  }
  *Gmax2_out = Gmax2;
  *gmin_idx = idx;
}

}  // namespace

SmoLoops smo_loops() { return {update_g, select_up, select_low}; }

}  // namespace generic

const SmoLoops& smo_loops() {
#if defined(__x86_64__) || defined(_M_X64)
  static const SmoLoops k2 = avx2::smo_loops();
  const char* isa = gemm_impl().isa;
  if (std::strcmp(isa, "avx512") == 0 || std::strcmp(isa, "avx2") == 0) return k2;
#endif
  static const SmoLoops kg = generic::smo_loops();
  return kg;
}

}  // namespace ml
}  // namespace tensile

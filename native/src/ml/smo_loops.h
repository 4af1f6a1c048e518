// The two O(active set) loops of each SMO iteration, per ISA: the gradient update of
// take_step and the I_low pass of WSS3. Every build computes the same values as the scalar
// loops in lib/ml/smo.ts (no FMA, the same operation order per element); the AVX2 build does
// four elements at a time, keeping per lane the last index attaining its minimum, which
// combines to the index the sequential loop ends with.
#pragma once
#include <cstdint>

namespace tensile {
namespace ml {

struct SmoLoops {
  // G[k] += y[k]·(Ri[sample[k]]·ai + Rj[sample[k]]·aj) for k < n.
  void (*update_g)(int64_t n, const int32_t* sample, const double* y, const float* Ri, const float* Rj, double ai,
                   double aj, double* G);
  // Over t < n in I_up (status[t] != (y[t] > 0)): the last t maximising −y·G (>=), and that
  // value; -1 and −inf when I_up is empty.
  void (*select_up)(int64_t n, const double* y, const double* G, const uint8_t* status, double* Gmax, int64_t* idx);
  // Over j < n in I_low (status[j] != (y[j] < 0)): Gmax2 = max y·G; among those with
  // gd = Gmax + y·G > 0, the last j minimising −gd²/(QDi + QD[j] − 2·Ri[sample[j]]) (a
  // non-positive denominator read as 1e-12). gmin_idx is -1 when none.
  void (*select_low)(int64_t n, const double* y, const double* G, const uint8_t* status, const int32_t* sample,
                     const double* QD, const float* Ri, double QDi, double Gmax, double* Gmax2, int64_t* gmin_idx);
};

// The loops for the GEMM's ISA (gemm_impl().isa), so one switch moves every kernel.
const SmoLoops& smo_loops();

namespace generic { SmoLoops smo_loops(); }
#if defined(__x86_64__) || defined(_M_X64)
namespace avx2 { SmoLoops smo_loops(); }
#endif

}  // namespace ml
}  // namespace tensile

// Coordinate-descent solvers of tn.ml, ported from the js references step for step (same
// order of updates, same stopping tests) so a fit gives the js fit's iteration counts and its
// coefficients to rounding:
//   enet: lib/ml/coordinate-descent.ts enetCoordinateDescent (scikit-learn's cd_fast), Lasso
//         and ElasticNet;
//   svc:  lib/ml/svm-linear.ts dualCoordinateDescent (liblinear's solve_l2r_l1l2_svc), LinearSVC.
// The solver bodies (cd_impl.h) are compiled once per ISA (cd_avx512.cc, cd_avx2.cc,
// cd_generic.cc, each with its own flags) and picked to match the GEMM's ISA, as the linalg
// level-1 kernels are. Preparation (centring, transposes, padding) is in cd.cc; the N-API
// surface with its argument checks in cd_napi.cc.
#pragma once
#include <cmath>
#include <cstdint>

namespace tensile {
namespace ml {

// xoshiro128** (Blackman and Vigna), bit for bit lib/ml/cd-native.ts CdRandom: the state
// travels between JS and C++ as four uint32 words, so a one-vs-rest fit that runs some
// classes in either language continues one stream.
struct CdRandom {
  uint32_t s[4];
  static uint32_t rotl(uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }
  uint32_t next() {
    const uint32_t r = rotl(s[1] * 5u, 7) * 9u;
    const uint32_t t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return r;
  }
  // Uniform in [0, n): floor((u·2⁻³²)·n) in doubles, the same two roundings as the js.
  int64_t below(int64_t n) {
    const double u = static_cast<double>(next()) * 0x1p-32;
    return static_cast<int64_t>(std::floor(u * static_cast<double>(n)));
  }
};

// ½‖y − Xw‖² + l1‖w‖₁ + ½·l2‖w‖² on column-major X (x[j*n + i], n rows, p columns), w updated in
// place. r is n doubles of work (the residual). rng null: cyclic order.
struct EnetProblem {
  const double* x;
  int64_t n, p;
  const double* y;
  double* w;
  double* r;
  double* norm_cols;  // p doubles of work
  double l1, l2;
  int64_t max_iter;
  double tol;
  bool positive;
  CdRandom* rng;
};
struct EnetResult {
  double gap, tol;
  int64_t n_iter;
};

// The dual of the L2-regularised (squared) hinge on row-major X whose rows are ld apart
// (ld >= dim, a multiple of the vector width, zero beyond dim: the padding adds exact zeros
// to every dot). y is ±1 per sample; w (ld doubles) is written. alpha, qd (n doubles) and
// index (n) are work. Returns the sweeps run.
struct SvcProblem {
  const double* x;
  int64_t n, ld;
  const int8_t* y;
  double C;
  bool hinge;
  double tol;
  int64_t max_iter;
  CdRandom* rng;
  double* w;
  double* alpha;
  double* qd;
  int32_t* index;
};

struct CdKernels {
  const char* isa;
  int width;  // doubles per vector: rows of an SvcProblem are padded to a multiple of it
  EnetResult (*enet)(const EnetProblem&);
  int64_t (*svc)(const SvcProblem&);
};

namespace generic { CdKernels cd_kernels(); }
#if defined(__x86_64__) || defined(_M_X64)
namespace avx2 { CdKernels cd_kernels(); }
namespace avx512 { CdKernels cd_kernels(); }
#endif

// The kernels for the ISA the GEMM uses now.
const CdKernels& cd();

// Whole fits, sizes already checked by the caller (cd_napi.cc).
//
// Elastic net on row-major x [n, p] and y [n, t]: centred first when fit_intercept (column
// means summed in row order, as lib/ml/linear.ts columnMeans), then one descent per target.
// coef [t, p] holds the start and receives the weights; x_offset [p], y_offset [t] the means
// (zeros without an intercept); stats [2t] each target's sweeps and final (unscaled) gap.
void enet_fit(const double* x, int64_t n, int64_t p, const double* y, int64_t t, bool fit_intercept, double l1,
              double l2, int64_t max_iter, double tol, bool positive, CdRandom* rng, double* coef, double* x_offset,
              double* y_offset, double* stats);

// LinearSVC one-vs-rest on row-major x [n, p] with class indices cls [n] in [0, k): one
// problem (class 1 against 0) when k == 2, else one per class. bias > 0 appends liblinear's
// constant feature; coef [rows, p], intercept [rows] (bias·w_bias), iters [rows] out.
void svc_fit(const double* x, int64_t n, int64_t p, const int32_t* cls, int64_t k, double C, bool hinge, double bias,
             double tol, int64_t max_iter, CdRandom* rng, double* coef, double* intercept, double* iters);

}  // namespace ml
}  // namespace tensile

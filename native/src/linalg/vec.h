// The level-1 vocabulary of the linalg routines: axpy, dot, scal and the application of stored
// Givens rotation sequences (LAPACK's dlasr), built once per ISA like the GEMM (vec_avx512.cc,
// vec_avx2.cc, vec_generic.cc, each with its own compiler flags) and picked to match the GEMM's
// ISA, so TENSILE_ISA and setIsa() switch both. Everything above this table (blocking,
// threading, the LAPACK logic) is ISA-independent and lives in the other files of this folder.
#pragma once
#include <cstdint>

namespace tensile {
namespace linalg {

// One sweep of plane rotations on adjacent rows, as dlasr('L', 'V', dir): rotation k acts on
// rows (first + k, first + k + 1) with c[offset + k], s[offset + k]:
//   x' = c·x + s·y,  y' = c·y - s·x   for x = row first + k, y = row first + k + 1,
// applied for k ascending (forward) or descending (backward).
struct RotSweep {
  int64_t offset;
  int32_t first;
  int32_t count;
  bool backward;
};

struct VecKernels {
  const char* isa;
  void (*axpy)(int64_t n, double a, const double* x, double* y);  // y += a·x
  double (*dot)(int64_t n, const double* x, const double* y);
  void (*scal)(int64_t n, double a, double* x);                   // x *= a
  // Level 2 on row-major A (m×n, row stride lda), x read with stride incx; rows whose factor
  // is 0 are skipped (as the js reference's loops skip zero multipliers):
  //   ger:    A_i += (alpha·x_i)·y        gemv_t: y += alpha·Σ_i x_i·A_i
  //   gemv_n: y_i (stride incy) += alpha·A_i·x
  void (*ger)(int64_t m, int64_t n, double alpha, const double* x, int64_t incx, const double* y, double* a,
              int64_t lda);
  void (*gemv_t)(int64_t m, int64_t n, double alpha, const double* a, int64_t lda, const double* x, int64_t incx,
                 double* y);
  void (*gemv_n)(int64_t m, int64_t n, double alpha, const double* a, int64_t lda, const double* x, double* y,
                 int64_t incy);
  // Σ a_i·x_i, and y += alpha·a in the same pass over a (a symmetric matrix-vector product
  // from one triangle reads each stored entry once for both of its uses).
  double (*dot_axpy)(int64_t n, const double* a, const double* x, double alpha, double* y);
  // Applies the sweeps, in order, to columns [col0, col1) of the row-major X (nrows rows, row
  // stride ldx).
  void (*rotate)(const RotSweep* sweeps, int64_t nsweeps, const double* c, const double* s, double* x, int64_t ldx,
                 int64_t nrows, int64_t col0, int64_t col1);
};

namespace generic { VecKernels vec_kernels(); }
#if defined(__x86_64__) || defined(_M_X64)
namespace avx2 { VecKernels vec_kernels(); }
namespace avx512 { VecKernels vec_kernels(); }
#endif

// The kernels for the ISA the GEMM uses now.
const VecKernels& vec();

}  // namespace linalg
}  // namespace tensile

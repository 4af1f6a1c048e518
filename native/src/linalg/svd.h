// The two SVD paths of the `gesvd` kernel on one tall M×N matrix (M >= N), with one output
// layout so svd.cc assembles U and Vᵀ the same way for both: s (N values, descending);
// with vectors, Ut (N×M: U's first N columns as rows), VT (N×N) and Q (M × (full ? M : N),
// whose columns N.. complete U).
#pragma once
#include <cstdint>
#include <vector>

#include "rotations.h"

namespace tensile {
namespace linalg {

struct SvdWork {
  std::vector<double> d, e, tauq, taup, Q, Ut, VT, P;
  Rotations rvt, ru;
};

// Bidiagonalisation and bidiagonal QR (svd.cc): for every size above kJacobiMaxN.
void svd_tall_bidiagonal(double* a, int64_t M, int64_t N, double* s, bool vectors, bool full, SvdWork& w);

// One-sided Jacobi after QR (svd_jacobi.cc), the js reference's algorithm: for N up to
// kJacobiMaxN, where its cost is negligible and it keeps small singular values relatively
// accurate beyond what bidiagonalisation promises (Hilbert(8): 5e-9 against 5e-8).
void svd_tall_jacobi(double* a, int64_t M, int64_t N, double* s, bool vectors, bool full, SvdWork& w);

constexpr int64_t kJacobiMaxN = 16;

}  // namespace linalg
}  // namespace tensile

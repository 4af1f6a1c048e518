// The SVD of an upper bidiagonal matrix by implicit zero-shift / shifted QR (LAPACK's dbdsqr,
// Demmel and Kahan 1990): singular values to high relative accuracy.
#pragma once
#include <cstdint>
#include <functional>

#include "rotations.h"

namespace tensile {
namespace linalg {

// B = diag(d) + superdiag(e) (n and n-1 values) is driven to diagonal; d gets the singular
// values, unsigned and unsorted. Every rotation is recorded: those that act on B's columns
// into rvt (to be applied to the rows of Vᵀ), those on B's rows into ru (to the rows of Uᵀ),
// when given; flush() is called when the buffers are large. Returns false if it failed to
// converge (dbdsqr's info > 0), which does not happen in practice.
bool bdsqr(int64_t n, double* d, double* e, Rotations* rvt, Rotations* ru, const std::function<void()>& flush);

}  // namespace linalg
}  // namespace tensile

// Givens rotation sequences recorded by the tridiagonal QL and bidiagonal QR iterations and
// applied later in one go. Those iterations choose every rotation from the small (d, e)
// arrays alone; the vectors only accumulate them. So the rotations are stored (as LAPACK's
// dsteqr and dbdsqr store one sweep for dlasr) and applied to the vector matrix in column
// strips that stay in cache across all sweeps, a strip per thread: the O(n³) part runs at
// cache speed and in parallel, instead of streaming the whole matrix once per sweep.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "vec.h"

namespace tensile {
namespace linalg {

struct Rotations {
  std::vector<RotSweep> sweeps;
  std::vector<double> c, s;
  int64_t size() const { return static_cast<int64_t>(c.size()); }
  // Starts a sweep of `count` rotations on rows (first + k, first + k + 1); fill c/s at the
  // returned offset + k.
  int64_t add_sweep(int64_t first, int64_t count, bool backward) {
    const int64_t off = size();
    sweeps.push_back(RotSweep{off, static_cast<int32_t>(first), static_cast<int32_t>(count), backward});
    c.resize(static_cast<size_t>(off + count));
    s.resize(static_cast<size_t>(off + count));
    return off;
  }
  void clear() { sweeps.clear(); c.clear(); s.clear(); }
};

// Applies every sweep, in order, to the rows of X (nrows × ncols, row stride ldx), threaded
// over column strips.
void apply_rotations(const Rotations& r, double* X, int64_t ldx, int64_t nrows, int64_t ncols);

// Rotations stored before apply_rotations runs: past this the buffer is flushed (16 MiB).
constexpr int64_t kRotationFlush = int64_t(1) << 20;

}  // namespace linalg
}  // namespace tensile

#include "rotations.h"

#include <algorithm>

#include "../threadpool.h"

namespace tensile {
namespace linalg {

void apply_rotations(const Rotations& r, double* X, int64_t ldx, int64_t nrows, int64_t ncols) {
  if (r.sweeps.empty() || ncols <= 0) return;
  const VecKernels& V = vec();
  const int64_t nsw = static_cast<int64_t>(r.sweeps.size());
  // Column strips of 32 (a multiple of every vector width), split over the threads when the
  // work is worth a hand-off; each thread runs all sweeps on its strips in turn.
  constexpr int64_t kStrip = 32;
  const int64_t strips = (ncols + kStrip - 1) / kStrip;
  const double work = static_cast<double>(r.size()) * ncols;
  const int64_t grain = work < 4e5 ? strips : std::max<int64_t>(1, strips / (4 * num_threads()));
  parallel_for(strips, grain, [&](int64_t lo, int64_t hi) {
    V.rotate(r.sweeps.data(), nsw, r.c.data(), r.s.data(), X, ldx, nrows, lo * kStrip, std::min(ncols, hi * kStrip));
  });
}

}  // namespace linalg
}  // namespace tensile

// Philox4x32-10, identical to lib/backends/js/philox.ts: same bits for a seed on every device.
#include <cmath>
#include <vector>

#include "misc.h"
#include "strided.h"
#include "threadpool.h"

namespace tensile {
namespace {

inline void philox(uint32_t c[4], uint32_t k0, uint32_t k1) {
  for (int r = 0; r < 10; r++) {
    uint64_t p0 = static_cast<uint64_t>(0xD2511F53u) * c[0];
    uint64_t p1 = static_cast<uint64_t>(0xCD9E8D57u) * c[2];
    uint32_t hi0 = static_cast<uint32_t>(p0 >> 32), lo0 = static_cast<uint32_t>(p0);
    uint32_t hi1 = static_cast<uint32_t>(p1 >> 32), lo1 = static_cast<uint32_t>(p1);
    uint32_t n0 = hi1 ^ c[1] ^ k0, n2 = hi0 ^ c[3] ^ k1;
    c[0] = n0; c[1] = lo1; c[2] = n2; c[3] = lo0;
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
}

constexpr double kTwoNeg24 = 1.0 / 16777216.0;
constexpr double kTwoPi = 6.283185307179586;

}  // namespace

void random(int rank, const int64_t* shape, const View& out, bool normal, uint64_t seed, uint64_t counter) {
  const View* vs[1] = {&out};
  StridedIter<1> it(rank, shape, vs);
  // Logical (row-major) order decides the draw, so walk the original shape, not the coalesced one.
  const int64_t n = shape_size(shape, rank);
  if (n == 0) return;
  const uint32_t k0 = static_cast<uint32_t>(seed), k1 = static_cast<uint32_t>(seed >> 32);
  std::vector<double> vals(static_cast<size_t>(n));
  parallel_for((n + 3) / 4, 1 << 12, [&](int64_t b, int64_t e) {
    for (int64_t blk = b; blk < e; blk++) {
      uint64_t c = counter + static_cast<uint64_t>(blk);
      uint32_t w[4] = {static_cast<uint32_t>(c), static_cast<uint32_t>(c >> 32), 0, 0};
      philox(w, k0, k1);
      int64_t base = blk * 4;
      int m = static_cast<int>(n - base < 4 ? n - base : 4);
      if (!normal) {
        for (int j = 0; j < m; j++) vals[base + j] = (w[j] >> 8) * kTwoNeg24;
      } else {
        for (int p = 0; p < m; p += 2) {
          double u1 = ((w[p] >> 8) + 1) * kTwoNeg24;
          double u2 = (w[p + 1] >> 8) * kTwoNeg24;
          double r = std::sqrt(-2.0 * std::log(u1));
          vals[base + p] = r * std::cos(kTwoPi * u2);
          if (p + 1 < m) vals[base + p + 1] = r * std::sin(kTwoPi * u2);
        }
      }
    }
  });
  // Scatter in row-major order of the original view.
  int64_t idx[kMaxRank] = {0};
  dispatch_dtype(out.dtype, [&](auto t) {
    using T = decltype(t);
    T* op = static_cast<T*>(out.data);
    for (int64_t i = 0; i < n; i++) {
      int64_t off = out.offset;
      for (int d = 0; d < rank; d++) off += idx[d] * out.strides[d];
      op[off] = from_double<T>(vals[i]);
      for (int d = rank - 1; d >= 0; d--) {
        if (++idx[d] < shape[d]) break;
        idx[d] = 0;
      }
    }
  });
  (void)it;
}

}  // namespace tensile

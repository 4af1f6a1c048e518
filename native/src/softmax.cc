// Fused softmax / log-softmax along one axis: max-subtracted, double accumulation, rows in
// parallel. Same special cases as the js oracle (a +inf max gives NaN, as in PyTorch).
#include <cmath>

#include "misc.h"
#include "strided.h"
#include "threadpool.h"

namespace tensile {

void softmax(bool log, int rank, const int64_t* shape, const View& x, const View& out, int axis) {
  int64_t rows_shape[kMaxRank];
  for (int d = 0; d < rank; d++) rows_shape[d] = d == axis ? 1 : shape[d];
  const int64_t n = shape[axis], sx = x.strides[axis], so = out.strides[axis];
  const View* vs[2] = {&x, &out};
  StridedIter<2> rows(rank, rows_shape, vs);
  if (rows.size == 0 || n == 0) return;
  dispatch_dtype(x.dtype, [&](auto t) {
    using T = decltype(t);
    if constexpr (std::is_floating_point<T>::value) {
      const T* xp = static_cast<const T*>(x.data);
      T* op = static_cast<T*>(out.data);
      int64_t grain = n > (1 << 14) ? 1 : (1 << 14) / n;
      parallel_for(rows.size, grain, [&](int64_t lo, int64_t hi) {
        rows.for_range(lo, hi, [&](const int64_t* o, int64_t m) {
          for (int64_t r = 0; r < m; r++) {
            const T* xr = xp + o[0] + r * rows.inner_stride(0);
            T* orow = op + o[1] + r * rows.inner_stride(1);
            double mx = -INFINITY;
            for (int64_t i = 0; i < n; i++) {
              double v = xr[i * sx];
              if (v > mx || v != v) mx = v;
            }
            if (mx == INFINITY) mx = NAN;
            double s = 0;
            for (int64_t i = 0; i < n; i++) s += std::exp(static_cast<double>(xr[i * sx]) - mx);
            if (log) {
              double lse = mx + std::log(s);
              for (int64_t i = 0; i < n; i++) orow[i * so] = static_cast<T>(xr[i * sx] - lse);
            } else {
              double inv = 1.0 / s;
              for (int64_t i = 0; i < n; i++) orow[i * so] = static_cast<T>(std::exp(static_cast<double>(xr[i * sx]) - mx) * inv);
            }
          }
        });
      });
    } else {
      throw KernelError("softmax: needs a float tensor");
    }
  });
}

}  // namespace tensile

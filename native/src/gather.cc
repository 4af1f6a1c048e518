// gather / scatterAdd: the indexed axis gets stride 0 in the walk and the index value times
// the axis stride is added per element, after a range check (bad indices throw, never read).
#include <atomic>
#include <string>

#include "misc.h"
#include "strided.h"
#include "threadpool.h"

namespace tensile {

void gather(int rank, const int64_t* shape, const View& x, int64_t axis_size, const View& index, const View& out, int axis) {
  View xs = x;
  const int64_t axis_stride = x.strides[axis];
  xs.strides[axis] = 0;
  const View* vs[3] = {&xs, &index, &out};
  StridedIter<3> it(rank, shape, vs);
  if (it.size == 0) return;
  const int32_t* ip = static_cast<const int32_t*>(index.data);
  std::atomic<bool> failed{false};
  std::atomic<int64_t> bad{0};
  dispatch_dtype(x.dtype, [&](auto t) {
    using T = decltype(t);
    const T* xp = static_cast<const T*>(x.data);
    T* op = static_cast<T*>(out.data);
    const int64_t sx = it.inner_stride(0), si = it.inner_stride(1), so = it.inner_stride(2);
    parallel_for(it.size, 1 << 15, [&](int64_t lo, int64_t hi) {
      it.for_range(lo, hi, [&](const int64_t* o, int64_t n) {
        for (int64_t k = 0; k < n; k++) {
          int32_t v = ip[o[1] + k * si];
          if (v < 0 || v >= axis_size) { bad.store(v); failed.store(true); return; }
          op[o[2] + k * so] = xp[o[0] + k * sx + v * axis_stride];
        }
      });
    });
  });
  if (failed.load()) {
    int64_t v = bad.load();
    throw KernelError("index " + std::to_string(v) + " is out of range for axis " + std::to_string(axis) + " of size " + std::to_string(axis_size));
  }
}

void scatter_add(int rank, const int64_t* shape, const View& index, const View& src, const View& out, int64_t axis_size, int axis) {
  View os = out;
  const int64_t axis_stride = out.strides[axis];
  os.strides[axis] = 0;
  const View* vs[3] = {&index, &src, &os};
  StridedIter<3> it(rank, shape, vs);
  if (it.size == 0) return;
  const int32_t* ip = static_cast<const int32_t*>(index.data);
  // Check every index first so a bad one leaves out untouched.
  it.for_range(0, it.size, [&](const int64_t* o, int64_t n) {
    for (int64_t k = 0; k < n; k++) {
      int32_t v = ip[o[0] + k * it.inner_stride(0)];
      if (v < 0 || v >= axis_size)
        throw KernelError("index " + std::to_string(v) + " is out of range for axis " + std::to_string(axis) + " of size " + std::to_string(axis_size));
    }
  });
  dispatch_dtype(src.dtype, [&](auto t) {
    using T = decltype(t);
    const T* sp = static_cast<const T*>(src.data);
    T* op = static_cast<T*>(out.data);
    const int64_t si = it.inner_stride(0), ss = it.inner_stride(1), so = it.inner_stride(2);
    it.for_range(0, it.size, [&](const int64_t* o, int64_t n) {
      for (int64_t k = 0; k < n; k++) {
        int32_t v = ip[o[0] + k * si];
        T& dst = op[o[2] + k * so + v * axis_stride];
        if constexpr (std::is_floating_point<T>::value) dst += sp[o[1] + k * ss];
        else dst = from_double<T>(static_cast<double>(dst) + static_cast<double>(sp[o[1] + k * ss]));
      }
    });
  });
}

}  // namespace tensile

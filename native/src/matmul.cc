// Batched matmul on top of the GEMM: each batch element is one GEMM with op() folded into
// strides. Many small matrices run one per thread; large ones use the threads inside GEMM.
#include "matmul.h"

#include <algorithm>

#include "gemm/gemm.h"
#include "threadpool.h"

namespace tensile {

void matmul(int rank, const int64_t* out_shape, int64_t K, const View& a, const View& b, const View& out, bool trans_a, bool trans_b) {
  const int64_t M = out_shape[rank - 2], N = out_shape[rank - 1];
  const int nb = rank - 2;
  const int64_t batch = shape_size(out_shape, nb);
  if (batch == 0 || M == 0 || N == 0) return;
  const int64_t rsa = trans_a ? a.strides[rank - 1] : a.strides[rank - 2];
  const int64_t csa = trans_a ? a.strides[rank - 2] : a.strides[rank - 1];
  const int64_t rsb = trans_b ? b.strides[rank - 1] : b.strides[rank - 2];
  const int64_t csb = trans_b ? b.strides[rank - 2] : b.strides[rank - 1];
  const GemmImpl& impl = gemm_impl();
  auto one = [&](int64_t bi, bool threaded) {
    int64_t oa = a.offset, ob = b.offset, oo = out.offset, rem = bi;
    for (int d = nb - 1; d >= 0; d--) {
      int64_t i = rem % out_shape[d];
      rem /= out_shape[d];
      oa += i * a.strides[d];
      ob += i * b.strides[d];
      oo += i * out.strides[d];
    }
    if (a.dtype == DType::F32 || a.dtype == DType::F64) {
      const size_t es = a.dtype == DType::F32 ? 4 : 8;
      GemmArgs g{M, N, K,
                 static_cast<const char*>(a.data) + oa * es, rsa, csa,
                 static_cast<const char*>(b.data) + ob * es, rsb, csb,
                 static_cast<char*>(out.data) + oo * es, out.strides[rank - 2], threaded};
      (a.dtype == DType::F32 ? impl.f32 : impl.f64)(g);
    } else {
      // Integer matmul (rare): double accumulation, stored with JS's int32 conversion.
      dispatch_dtype(a.dtype, [&](auto t) {
        using T = decltype(t);
        const T* ap = static_cast<const T*>(a.data) + oa;
        const T* bp = static_cast<const T*>(b.data) + ob;
        T* op = static_cast<T*>(out.data) + oo;
        for (int64_t i = 0; i < M; i++)
          for (int64_t j = 0; j < N; j++) {
            double s = 0;
            for (int64_t k = 0; k < K; k++) s += static_cast<double>(ap[i * rsa + k * csa]) * static_cast<double>(bp[k * rsb + j * csb]);
            op[i * out.strides[rank - 2] + j * out.strides[rank - 1]] = from_double<T>(s);
          }
      });
    }
  };
  const int64_t work = M * N * (K > 0 ? K : 1);
  if (batch > 1 && work < (int64_t(1) << 18)) {
    parallel_for(batch, std::max<int64_t>(1, (int64_t(1) << 18) / work), [&](int64_t lo, int64_t hi) {
      for (int64_t bi = lo; bi < hi; bi++) one(bi, false);
    });
  } else {
    for (int64_t bi = 0; bi < batch; bi++) one(bi, true);
  }
}

}  // namespace tensile

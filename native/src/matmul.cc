// Batched matmul on top of the GEMM: each batch element is one GEMM with op() folded into
// strides. Many small matrices run one per thread; large ones use the threads inside GEMM.
#include "matmul.h"

#include <algorithm>
#include <type_traits>
#include <vector>

#include "gemm/gemm.h"
#include "threadpool.h"

namespace tensile {
namespace {

// y[i] = sum_k A(i, k) x[k]: a matrix-vector product, which the GEMM would pad to a full
// NR-wide panel (a 4000x50 times 50x1 product took 0.7 ms there, ~40 µs here). Accumulates in
// T, as the GEMM does.
template <typename T>
void gemv(int64_t M, int64_t K, const T* A, int64_t ri, int64_t ck, const T* x, int64_t xs, T* y, int64_t ys, bool threaded) {
  auto rows = [&](int64_t lo, int64_t hi) {
    if (ck == 1) {
      // Rows contiguous: a dot product per row, in 8 independent sums the compiler vectorises.
      for (int64_t i = lo; i < hi; i++) {
        const T* a = A + i * ri;
        T acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        int64_t k = 0;
        if (xs == 1) {
          for (; k + 8 <= K; k += 8)
            for (int j = 0; j < 8; j++) acc[j] += a[k + j] * x[k + j];
        }
        T s = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
        for (; k < K; k++) s += a[k] * x[k * xs];
        y[i * ys] = s;
      }
    } else if (ri == 1) {
      // Columns contiguous (a transposed operand): y += x[k] * A(:, k), one contiguous axpy per k.
      const int64_t n = hi - lo;
      T stack_buf[256];
      T* acc = n <= 256 ? stack_buf : (ys == 1 ? y + lo * ys : nullptr);
      std::vector<T> heap;
      if (!acc) { heap.assign(n, T(0)); acc = heap.data(); }
      for (int64_t i = 0; i < n; i++) acc[i] = T(0);
      for (int64_t k = 0; k < K; k++) {
        const T xk = x[k * xs];
        const T* a = A + k * ck + lo;
        for (int64_t i = 0; i < n; i++) acc[i] += xk * a[i];
      }
      if (acc != y + lo * ys)
        for (int64_t i = 0; i < n; i++) y[(lo + i) * ys] = acc[i];
    } else {
      for (int64_t i = lo; i < hi; i++) {
        T s = 0;
        for (int64_t k = 0; k < K; k++) s += A[i * ri + k * ck] * x[k * xs];
        y[i * ys] = s;
      }
    }
  };
  // Threads past ~64k multiply-adds (claimed chunks: a late worker costs nothing).
  if (threaded && M * K >= (int64_t(1) << 16))
    parallel_for(M, std::max<int64_t>(16, (int64_t(1) << 16) / std::max<int64_t>(K, 1)), rows);
  else
    rows(0, M);
}

}  // namespace

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
    if ((a.dtype == DType::F32 || a.dtype == DType::F64) && (N == 1 || M == 1) && K > 0) {
      dispatch_dtype(a.dtype, [&](auto t) {
        using T = decltype(t);
        if constexpr (std::is_floating_point_v<T>) {
          const T* ap = static_cast<const T*>(a.data) + oa;
          const T* bp = static_cast<const T*>(b.data) + ob;
          T* op = static_cast<T*>(out.data) + oo;
          if (N == 1)  // out[:, 0] = op(A) · op(B)[:, 0]
            gemv<T>(M, K, ap, rsa, csa, bp, rsb, op, out.strides[rank - 2], threaded);
          else         // out[0, :] = op(A)[0, :] · op(B), i.e. op(B)ᵀ · op(A)[0, :]ᵀ
            gemv<T>(N, K, bp, csb, rsb, ap, csa, op, out.strides[rank - 1], threaded);
        }
      });
    } else if (a.dtype == DType::F32 || a.dtype == DType::F64) {
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

// The GEMM micro-kernel (BLIS's contract, docs/KernelsHowTo.md there):
//
//   ukernel<V, MR, NV>(kc, a, b, c, ldc, accumulate)
//     a: packed panel of MR rows of op(A), k-major:  a[k*MR + i]      (MR x kc)
//     b: packed panel of NR = NV*W columns of op(B):  b[k*NR + j]      (kc x NR)
//     c: a full MR x NR tile of C, row-major with row stride ldc, column stride 1
//     computes c = a*b (accumulate = false) or c += a*b (accumulate = true)
//
//         b: k -> [ j0 j1 ... jNR ]
//   a: i |  c(i, j) += a(i, k) * b(k, j)  for k in 0..kc
//
// The caller (gemm_driver.h) owns blocking, packing (zero-padding partial panels) and edges:
// a partial tile is computed into a scratch MR x NR tile and copied out. MR*NV accumulators
// stay in registers; each k step loads NV vectors of b and broadcasts MR scalars of a.
#pragma once
#include <cstdint>

namespace tensile {
namespace TENSILE_ISA_NS {

// AS and BS are a's and b's k strides (MR and NV * W for full panels): an edge tile may run a
// smaller kernel, fewer rows or one vector, over the first rows/columns of full-size panels.
template <typename V, int MR, int NV, int BS = NV * V::W, int AS = MR>
inline void ukernel(int64_t kc, const typename V::T* __restrict a, const typename V::T* __restrict b,
                    typename V::T* __restrict c, int64_t ldc, bool accumulate) {
  using T = typename V::T;
  constexpr int W = V::W;
  constexpr int LINE = 64 / sizeof(T);
  // The C tile is read (accumulate) and written only after the k loop, and in a large product
  // it is far away (C does not stay cached between KC passes): ask for its lines now, so they
  // arrive while the k loop runs instead of stalling the stores at the end. Measured on Zen 5
  // at n = 2048: +2-3%; prefetching to L2 only, or late in the loop, did no better.
#pragma GCC unroll 32
  for (int i = 0; i < MR; i++)
#pragma GCC unroll 8
    for (int j = 0; j < NV * W; j += LINE) __builtin_prefetch(c + i * ldc + j, 1, 3);
  V acc[MR][NV];
#pragma GCC unroll 32
  for (int i = 0; i < MR; i++)
#pragma GCC unroll 4
    for (int j = 0; j < NV; j++) acc[i][j] = V::zero();
  for (int64_t k = 0; k < kc; k++) {
    V bv[NV];
#pragma GCC unroll 4
    for (int j = 0; j < NV; j++) bv[j] = V::load(b + j * W);
#pragma GCC unroll 32
    for (int i = 0; i < MR; i++) {
      V av = V::bcast(a + i);
#pragma GCC unroll 4
      for (int j = 0; j < NV; j++) acc[i][j] = V::fma(av, bv[j], acc[i][j]);
    }
    a += AS;
    b += BS;
  }
#pragma GCC unroll 32
  for (int i = 0; i < MR; i++)
#pragma GCC unroll 4
    for (int j = 0; j < NV; j++) {
      T* p = c + i * ldc + j * W;
      if (accumulate) V::add(V::load(p), acc[i][j]).store(p);
      else acc[i][j].store(p);
    }
}

}  // namespace TENSILE_ISA_NS
}  // namespace tensile

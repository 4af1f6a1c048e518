// The SIMD vocabulary, defined once per ISA: a vector type per dtype with its width and the
// five operations the GEMM micro-kernel needs. Kernels are written once against these names.
// Which ISA is compiled is chosen by the translation unit (gemm_avx512.cc, gemm_avx2.cc,
// gemm_generic.cc), each built with its own compiler flags and picked at run time.
#pragma once
#include <cstdint>

#if defined(TENSILE_ISA_AVX512) || defined(TENSILE_ISA_AVX2)
#include <immintrin.h>
#endif

namespace tensile {
namespace TENSILE_ISA_NS {

#if defined(TENSILE_ISA_AVX512)
struct VF32 {
  using T = float;
  static constexpr int W = 16;
  __m512 v;
  static VF32 zero() { return {_mm512_setzero_ps()}; }
  static VF32 load(const float* p) { return {_mm512_loadu_ps(p)}; }
  static VF32 bcast(const float* p) { return {_mm512_set1_ps(*p)}; }
  void store(float* p) const { _mm512_storeu_ps(p, v); }
  static VF32 fma(VF32 a, VF32 b, VF32 c) { return {_mm512_fmadd_ps(a.v, b.v, c.v)}; }
  static VF32 add(VF32 a, VF32 b) { return {_mm512_add_ps(a.v, b.v)}; }
};
struct VF64 {
  using T = double;
  static constexpr int W = 8;
  __m512d v;
  static VF64 zero() { return {_mm512_setzero_pd()}; }
  static VF64 load(const double* p) { return {_mm512_loadu_pd(p)}; }
  static VF64 bcast(const double* p) { return {_mm512_set1_pd(*p)}; }
  void store(double* p) const { _mm512_storeu_pd(p, v); }
  static VF64 fma(VF64 a, VF64 b, VF64 c) { return {_mm512_fmadd_pd(a.v, b.v, c.v)}; }
  static VF64 add(VF64 a, VF64 b) { return {_mm512_add_pd(a.v, b.v)}; }
};

#elif defined(TENSILE_ISA_AVX2)
struct VF32 {
  using T = float;
  static constexpr int W = 8;
  __m256 v;
  static VF32 zero() { return {_mm256_setzero_ps()}; }
  static VF32 load(const float* p) { return {_mm256_loadu_ps(p)}; }
  static VF32 bcast(const float* p) { return {_mm256_broadcast_ss(p)}; }
  void store(float* p) const { _mm256_storeu_ps(p, v); }
  static VF32 fma(VF32 a, VF32 b, VF32 c) { return {_mm256_fmadd_ps(a.v, b.v, c.v)}; }
  static VF32 add(VF32 a, VF32 b) { return {_mm256_add_ps(a.v, b.v)}; }
};
struct VF64 {
  using T = double;
  static constexpr int W = 4;
  __m256d v;
  static VF64 zero() { return {_mm256_setzero_pd()}; }
  static VF64 load(const double* p) { return {_mm256_loadu_pd(p)}; }
  static VF64 bcast(const double* p) { return {_mm256_broadcast_sd(p)}; }
  void store(double* p) const { _mm256_storeu_pd(p, v); }
  static VF64 fma(VF64 a, VF64 b, VF64 c) { return {_mm256_fmadd_pd(a.v, b.v, c.v)}; }
  static VF64 add(VF64 a, VF64 b) { return {_mm256_add_pd(a.v, b.v)}; }
};

#else
// Portable: a 4-wide struct the compiler maps to whatever the baseline ISA has.
template <typename TT>
struct VGen {
  using T = TT;
  static constexpr int W = 4;
  T v[4];
  static VGen zero() { return {{0, 0, 0, 0}}; }
  static VGen load(const T* p) { return {{p[0], p[1], p[2], p[3]}}; }
  static VGen bcast(const T* p) { return {{*p, *p, *p, *p}}; }
  void store(T* p) const { for (int i = 0; i < 4; i++) p[i] = v[i]; }
  static VGen fma(VGen a, VGen b, VGen c) { for (int i = 0; i < 4; i++) c.v[i] += a.v[i] * b.v[i]; return c; }
  static VGen add(VGen a, VGen b) { for (int i = 0; i < 4; i++) a.v[i] += b.v[i]; return a; }
};
using VF32 = VGen<float>;
using VF64 = VGen<double>;
#endif

#if defined(TENSILE_ISA_AVX512) || defined(TENSILE_ISA_AVX2)
// 8 x 8 float transpose (d[i][j] = s[j][i]) in AVX registers, for packing an operand whose
// rows run along k (x @ W^T): 24 shuffles for 64 values instead of 64 scattered stores.
#define TENSILE_HAS_TRANSPOSE8 1
inline void transpose8x8(const float* s, int64_t ls, float* d, int64_t ld) {
  const __m256 r0 = _mm256_loadu_ps(s), r1 = _mm256_loadu_ps(s + ls), r2 = _mm256_loadu_ps(s + 2 * ls),
               r3 = _mm256_loadu_ps(s + 3 * ls), r4 = _mm256_loadu_ps(s + 4 * ls), r5 = _mm256_loadu_ps(s + 5 * ls),
               r6 = _mm256_loadu_ps(s + 6 * ls), r7 = _mm256_loadu_ps(s + 7 * ls);
  const __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1), t2 = _mm256_unpacklo_ps(r2, r3),
               t3 = _mm256_unpackhi_ps(r2, r3), t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5),
               t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
  const __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE),
               u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE),
               u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE),
               u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
  _mm256_storeu_ps(d, _mm256_permute2f128_ps(u0, u4, 0x20));
  _mm256_storeu_ps(d + ld, _mm256_permute2f128_ps(u1, u5, 0x20));
  _mm256_storeu_ps(d + 2 * ld, _mm256_permute2f128_ps(u2, u6, 0x20));
  _mm256_storeu_ps(d + 3 * ld, _mm256_permute2f128_ps(u3, u7, 0x20));
  _mm256_storeu_ps(d + 4 * ld, _mm256_permute2f128_ps(u0, u4, 0x31));
  _mm256_storeu_ps(d + 5 * ld, _mm256_permute2f128_ps(u1, u5, 0x31));
  _mm256_storeu_ps(d + 6 * ld, _mm256_permute2f128_ps(u2, u6, 0x31));
  _mm256_storeu_ps(d + 7 * ld, _mm256_permute2f128_ps(u3, u7, 0x31));
}
// 4 x 8 -> 8 x 4 float transpose (d[i][j] = s[j][i], j < 4): the rest of a 12- or 6-row
// A panel after its 8 x 8 blocks.
inline void transpose4x8(const float* s, int64_t ls, float* d, int64_t ld) {
  const __m256 r0 = _mm256_loadu_ps(s), r1 = _mm256_loadu_ps(s + ls), r2 = _mm256_loadu_ps(s + 2 * ls),
               r3 = _mm256_loadu_ps(s + 3 * ls);
  const __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1), t2 = _mm256_unpacklo_ps(r2, r3),
               t3 = _mm256_unpackhi_ps(r2, r3);
  const __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE),
               u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
  _mm_storeu_ps(d, _mm256_castps256_ps128(u0));
  _mm_storeu_ps(d + ld, _mm256_castps256_ps128(u1));
  _mm_storeu_ps(d + 2 * ld, _mm256_castps256_ps128(u2));
  _mm_storeu_ps(d + 3 * ld, _mm256_castps256_ps128(u3));
  _mm_storeu_ps(d + 4 * ld, _mm256_extractf128_ps(u0, 1));
  _mm_storeu_ps(d + 5 * ld, _mm256_extractf128_ps(u1, 1));
  _mm_storeu_ps(d + 6 * ld, _mm256_extractf128_ps(u2, 1));
  _mm_storeu_ps(d + 7 * ld, _mm256_extractf128_ps(u3, 1));
}
#endif

}  // namespace TENSILE_ISA_NS
}  // namespace tensile

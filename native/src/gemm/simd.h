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

}  // namespace TENSILE_ISA_NS
}  // namespace tensile

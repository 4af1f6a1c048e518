// The SMO loops with AVX2, four float64 lanes (built with -mavx2 and no FMA: each lane rounds
// as the scalar loop does). Kernel values are read by sample index.
#include <immintrin.h>

#include <limits>

#include "smo_loops.h"

namespace tensile {
namespace ml {
namespace avx2 {
namespace {

constexpr double kTau = 1e-12;

// R[s[0..3]] widened to float64. Four scalar loads, not vgatherdps: with the microcode
// mitigation for Gather Data Sampling, a gather costs several times as much.
inline __m256d load4(const float* R, const int32_t* s) {
  return _mm256_cvtps_pd(_mm_setr_ps(R[s[0]], R[s[1]], R[s[2]], R[s[3]]));
}

void update_g(int64_t n, const int32_t* sample, const double* y, const float* Ri, const float* Rj, double ai, double aj,
              double* G) {
  const __m256d vai = _mm256_set1_pd(ai), vaj = _mm256_set1_pd(aj);
  int64_t k = 0;
  for (; k + 4 <= n; k += 4) {
    const __m256d ri = load4(Ri, sample + k), rj = load4(Rj, sample + k);
    const __m256d t = _mm256_add_pd(_mm256_mul_pd(ri, vai), _mm256_mul_pd(rj, vaj));
    _mm256_storeu_pd(G + k, _mm256_add_pd(_mm256_loadu_pd(G + k), _mm256_mul_pd(_mm256_loadu_pd(y + k), t)));
  }
  for (; k < n; k++) {
    const int32_t s = sample[k];
    G[k] += y[k] * (static_cast<double>(Ri[s]) * ai + static_cast<double>(Rj[s]) * aj);
  }
}

void select_up(int64_t n, const double* y, const double* G, const uint8_t* status, double* Gmax_out, int64_t* idx_out) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  const __m256d zero = _mm256_setzero_pd(), ninf = _mm256_set1_pd(-kInf), sign = _mm256_set1_pd(-0.0);
  const __m256i one = _mm256_set1_epi64x(1), four = _mm256_set1_epi64x(4);
  __m256d gmax = ninf;
  __m256i gidx = _mm256_set1_epi64x(-1), tv = _mm256_setr_epi64x(0, 1, 2, 3);
  int64_t t = 0;
  for (; t + 4 <= n; t += 4, tv = _mm256_add_epi64(tv, four)) {
    const __m256d yv = _mm256_loadu_pd(y + t);
    int32_t st4;
    __builtin_memcpy(&st4, status + t, 4);
    const __m256i st = _mm256_cvtepu8_epi64(_mm_cvtsi32_si128(st4));
    const __m256i pos = _mm256_castpd_si256(_mm256_cmp_pd(yv, zero, _CMP_GT_OQ));  // all ones where y > 0
    const __m256i barred = _mm256_cmpeq_epi64(st, _mm256_and_si256(pos, one));
    const __m256d v = _mm256_xor_pd(_mm256_mul_pd(yv, _mm256_loadu_pd(G + t)), sign);
    const __m256d take = _mm256_andnot_pd(_mm256_castsi256_pd(barred), _mm256_cmp_pd(v, gmax, _CMP_GE_OQ));
    gmax = _mm256_blendv_pd(gmax, v, take);
    gidx = _mm256_castpd_si256(_mm256_blendv_pd(_mm256_castsi256_pd(gidx), _mm256_castsi256_pd(tv), take));
  }
  alignas(32) double gl[4];
  alignas(32) int64_t il[4];
  _mm256_store_pd(gl, gmax);
  _mm256_store_si256(reinterpret_cast<__m256i*>(il), gidx);
  // The tail, sequentially: one more lane.
  double gs = -kInf;
  int64_t is = -1;
  for (; t < n; t++) {
    if (status[t] == (y[t] > 0 ? 1 : 0)) continue;
    const double v = -(y[t] * G[t]);
    if (v >= gs) { gs = v; is = t; }
  }
  // The overall maximum, then the largest index attaining it, with its own value (its sign of
  // zero too): what the sequential loop ends with.
  double m = gs;
  for (int q = 0; q < 4; q++) if (il[q] != -1 && gl[q] > m) m = gl[q];
  int64_t idx = is != -1 && gs == m ? is : -1;
  double val = is != -1 && gs == m ? gs : -kInf;
  for (int q = 0; q < 4; q++)
    if (il[q] != -1 && gl[q] == m && il[q] > idx) { idx = il[q]; val = gl[q]; }
  *Gmax_out = idx == -1 ? -kInf : val;
  *idx_out = idx;
}

void select_low(int64_t n, const double* y, const double* G, const uint8_t* status, const int32_t* sample,
                const double* QD, const float* Ri, double QDi, double Gmax, double* Gmax2_out, int64_t* gmin_idx) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  const __m256d zero = _mm256_setzero_pd(), vGmax = _mm256_set1_pd(Gmax), vQDi = _mm256_set1_pd(QDi);
  const __m256d two = _mm256_set1_pd(2.0), tau = _mm256_set1_pd(kTau), ninf = _mm256_set1_pd(-kInf);
  const __m256d sign = _mm256_set1_pd(-0.0);
  const __m256i one = _mm256_set1_epi64x(1);
  __m256d g2 = _mm256_set1_pd(*Gmax2_out), omin = _mm256_set1_pd(kInf);
  __m256i oidx = _mm256_set1_epi64x(-1), jv = _mm256_setr_epi64x(0, 1, 2, 3);
  const __m256i four = _mm256_set1_epi64x(4);
  int64_t j = 0;
  for (; j + 4 <= n; j += 4, jv = _mm256_add_epi64(jv, four)) {
    const __m256d yv = _mm256_loadu_pd(y + j);
    // I_low: status != (y < 0), i.e. not (y = +1 at LOWER = 0) and not (y = −1 at UPPER = 1).
    int32_t st4;
    __builtin_memcpy(&st4, status + j, 4);
    const __m256i st = _mm256_cvtepu8_epi64(_mm_cvtsi32_si128(st4));
    const __m256i neg = _mm256_castpd_si256(_mm256_cmp_pd(yv, zero, _CMP_LT_OQ));  // all ones where y < 0
    const __m256i barred = _mm256_cmpeq_epi64(st, _mm256_and_si256(neg, one));
    const __m256d low = _mm256_castsi256_pd(_mm256_xor_si256(barred, _mm256_set1_epi64x(-1)));
    const __m256d w = _mm256_mul_pd(yv, _mm256_loadu_pd(G + j));
    // Gmax2 = max over I_low of w: the value only (a NaN w never counts, as with >=).
    g2 = _mm256_max_pd(_mm256_blendv_pd(ninf, w, low), g2);
    const __m256d gd = _mm256_add_pd(vGmax, w);
    const __m256d elig = _mm256_and_pd(low, _mm256_cmp_pd(gd, zero, _CMP_GT_OQ));
    if (_mm256_movemask_pd(elig) == 0) continue;
    const __m256d kij = load4(Ri, sample + j);
    const __m256d quad = _mm256_sub_pd(_mm256_add_pd(vQDi, _mm256_loadu_pd(QD + j)), _mm256_mul_pd(two, kij));
    const __m256d den = _mm256_blendv_pd(tau, quad, _mm256_cmp_pd(quad, zero, _CMP_GT_OQ));
    const __m256d od = _mm256_div_pd(_mm256_xor_pd(_mm256_mul_pd(gd, gd), sign), den);
    const __m256d take = _mm256_and_pd(elig, _mm256_cmp_pd(od, omin, _CMP_LE_OQ));
    omin = _mm256_blendv_pd(omin, od, take);
    oidx = _mm256_castpd_si256(_mm256_blendv_pd(_mm256_castsi256_pd(oidx), _mm256_castsi256_pd(jv), take));
  }
  alignas(32) double gl[4], ml[4];
  alignas(32) int64_t il[4];
  _mm256_store_pd(gl, g2);
  _mm256_store_pd(ml, omin);
  _mm256_store_si256(reinterpret_cast<__m256i*>(il), oidx);
  double Gmax2 = gl[0], omin_s = kInf;
  int64_t idx_s = -1;
  for (int q = 1; q < 4; q++) if (gl[q] > Gmax2) Gmax2 = gl[q];
  // The tail, sequentially: one more lane.
  for (; j < n; j++) {
    if (status[j] == (y[j] < 0 ? 1 : 0)) continue;
    const double w = y[j] * G[j];
    if (w >= Gmax2) Gmax2 = w;
    const double grad_diff = Gmax + w;
    if (grad_diff > 0) {
      const double quad = QDi + QD[j] - 2 * static_cast<double>(Ri[sample[j]]);
      const double obj_diff = -(grad_diff * grad_diff) / (quad > 0 ? quad : kTau);
      if (obj_diff <= omin_s) { idx_s = j; omin_s = obj_diff; }
    }
  }
  // The overall minimum, then the largest index attaining it (the sequential loop's choice).
  double m = omin_s;
  for (int q = 0; q < 4; q++) if (ml[q] < m) m = ml[q];
  int64_t idx = idx_s != -1 && omin_s == m ? idx_s : -1;
  for (int q = 0; q < 4; q++) if (il[q] != -1 && ml[q] == m && il[q] > idx) idx = il[q];
  *Gmax2_out = Gmax2;
  *gmin_idx = idx;
}

}  // namespace

SmoLoops smo_loops() { return {update_g, select_up, select_low}; }

}  // namespace avx2
}  // namespace ml
}  // namespace tensile

// The bodies of the VecKernels, written once on GCC/Clang vector extensions and compiled per
// ISA: the including file defines TENSILE_ISA_NS (and TENSILE_ISA_AVX512 / _AVX2), which fix
// the vector width. Each kernel has a scalar tail for the leftover elements.
#pragma once
#include <algorithm>
#include <cstring>
#include <vector>

#include "vec.h"

namespace tensile {
namespace linalg {
namespace TENSILE_ISA_NS {

#if defined(TENSILE_ISA_AVX512)
constexpr int kW = 8;
#elif defined(TENSILE_ISA_AVX2)
constexpr int kW = 4;
#else
constexpr int kW = 2;
#endif

typedef double vd __attribute__((vector_size(kW * sizeof(double))));

inline vd vload(const double* p) { vd v; std::memcpy(&v, p, sizeof v); return v; }
inline void vstore(double* p, vd v) { std::memcpy(p, &v, sizeof v); }
inline vd vsplat(double x) { return vd{} + x; }

void axpy(int64_t n, double a, const double* x, double* y) {
  const vd va = vsplat(a);
  int64_t i = 0;
  for (; i + 4 * kW <= n; i += 4 * kW) {
    vd y0 = vload(y + i), y1 = vload(y + i + kW), y2 = vload(y + i + 2 * kW), y3 = vload(y + i + 3 * kW);
    y0 += va * vload(x + i);
    y1 += va * vload(x + i + kW);
    y2 += va * vload(x + i + 2 * kW);
    y3 += va * vload(x + i + 3 * kW);
    vstore(y + i, y0); vstore(y + i + kW, y1); vstore(y + i + 2 * kW, y2); vstore(y + i + 3 * kW, y3);
  }
  for (; i + kW <= n; i += kW) vstore(y + i, vload(y + i) + va * vload(x + i));
  for (; i < n; i++) y[i] += a * x[i];
}

double dot(int64_t n, const double* x, const double* y) {
  vd s0 = vd{}, s1 = vd{}, s2 = vd{}, s3 = vd{};
  int64_t i = 0;
  for (; i + 4 * kW <= n; i += 4 * kW) {
    s0 += vload(x + i) * vload(y + i);
    s1 += vload(x + i + kW) * vload(y + i + kW);
    s2 += vload(x + i + 2 * kW) * vload(y + i + 2 * kW);
    s3 += vload(x + i + 3 * kW) * vload(y + i + 3 * kW);
  }
  for (; i + kW <= n; i += kW) s0 += vload(x + i) * vload(y + i);
  const vd s = (s0 + s1) + (s2 + s3);
  double r = 0;
  for (int k = 0; k < kW; k++) r += s[k];
  for (; i < n; i++) r += x[i] * y[i];
  return r;
}

void scal(int64_t n, double a, double* x) {
  const vd va = vsplat(a);
  int64_t i = 0;
  for (; i + kW <= n; i += kW) vstore(x + i, vload(x + i) * va);
  for (; i < n; i++) x[i] *= a;
}

void ger(int64_t m, int64_t n, double alpha, const double* x, int64_t incx, const double* y, double* a, int64_t lda) {
  for (int64_t i = 0; i < m; i++) {
    const double f = alpha * x[i * incx];
    if (f != 0) axpy(n, f, y, a + i * lda);
  }
}

void gemv_t(int64_t m, int64_t n, double alpha, const double* a, int64_t lda, const double* x, int64_t incx, double* y) {
  for (int64_t i = 0; i < m; i++) {
    const double f = alpha * x[i * incx];
    if (f != 0) axpy(n, f, a + i * lda, y);
  }
}

void gemv_n(int64_t m, int64_t n, double alpha, const double* a, int64_t lda, const double* x, double* y, int64_t incy) {
  for (int64_t i = 0; i < m; i++) y[i * incy] += alpha * dot(n, a + i * lda, x);
}

double dot_axpy(int64_t n, const double* a, const double* x, double alpha, double* y) {
  const vd va = vsplat(alpha);
  vd s0 = vd{}, s1 = vd{};
  int64_t i = 0;
  for (; i + 2 * kW <= n; i += 2 * kW) {
    const vd a0 = vload(a + i), a1 = vload(a + i + kW);
    s0 += a0 * vload(x + i);
    s1 += a1 * vload(x + i + kW);
    vstore(y + i, vload(y + i) + va * a0);
    vstore(y + i + kW, vload(y + i + kW) + va * a1);
  }
  for (; i + kW <= n; i += kW) {
    const vd a0 = vload(a + i);
    s0 += a0 * vload(x + i);
    vstore(y + i, vload(y + i) + va * a0);
  }
  const vd sv = s0 + s1;
  double r = 0;
  for (int k = 0; k < kW; k++) r += sv[k];
  for (; i < n; i++) {
    r += a[i] * x[i];
    y[i] += alpha * a[i];
  }
  return r;
}

// NV lanes of type V (a vector or a scalar) per row: all sweeps run over one strip of columns
// while it stays in cache. The row being rotated next is carried in registers, so each
// rotation costs one load and one store per lane (dlasr reads and writes both rows). Two
// consecutive sweeps over the same rows (the QL and QR iterations repeat their window until
// it splits) run interleaved, the second one pair behind the first: one load and one store
// per two rotations, which is what keeps this compute-bound rather than cache-bound.
template <typename V, int NV, int L>
inline void rotate_strip(const RotSweep* sweeps, int64_t nsweeps, const double* cs, const double* sn, double* x,
                         int64_t ldx) {
  auto ld = [](const double* p) { V v; std::memcpy(&v, p, sizeof v); return v; };
  auto st = [](double* p, V v) { std::memcpy(p, &v, sizeof v); };
  auto row = [&](int64_t r) { return x + r * ldx; };
  for (int64_t w = 0; w < nsweeps; w++) {
    const RotSweep& sw = sweeps[w];
    const double* c = cs + sw.offset;
    const double* s = sn + sw.offset;
    const int64_t f = sw.first, cnt = sw.count;
    V ca[NV], cb[NV];
    const bool pair = w + 1 < nsweeps && sweeps[w + 1].first == sw.first && sweeps[w + 1].count == sw.count &&
                      sweeps[w + 1].backward == sw.backward && cnt > 0;
    if (pair) {
      const double* c2 = cs + sweeps[w + 1].offset;
      const double* s2 = sn + sweeps[w + 1].offset;
      w++;
      if (!sw.backward) {
        // Sweep A's pair p, then sweep B's pair p - 1 (whose lower row A has just finished).
        {
          const V ck = V{} + c[0], sk = V{} + s[0];
          for (int v = 0; v < NV; v++) {
            const V a = ld(row(f) + v * L), y = ld(row(f + 1) + v * L);
            cb[v] = ck * a + sk * y;
            ca[v] = ck * y - sk * a;
          }
        }
        for (int64_t p = f + 1; p < f + cnt; p++) {
          const int64_t k = p - f;
          const V ck = V{} + c[k], sk = V{} + s[k], ck2 = V{} + c2[k - 1], sk2 = V{} + s2[k - 1];
          double* out = row(p - 1);
          const double* in = row(p + 1);
          for (int v = 0; v < NV; v++) {
            const V y = ld(in + v * L);
            const V fa = ck * ca[v] + sk * y;
            ca[v] = ck * y - sk * ca[v];
            st(out + v * L, ck2 * cb[v] + sk2 * fa);
            cb[v] = ck2 * fa - sk2 * cb[v];
          }
        }
        const V ck2 = V{} + c2[cnt - 1], sk2 = V{} + s2[cnt - 1];
        for (int v = 0; v < NV; v++) {
          st(row(f + cnt - 1) + v * L, ck2 * cb[v] + sk2 * ca[v]);
          st(row(f + cnt) + v * L, ck2 * ca[v] - sk2 * cb[v]);
        }
      } else {
        // Sweep A's pair p, then sweep B's pair p + 1 (whose upper row A has just finished).
        {
          const V ck = V{} + c[cnt - 1], sk = V{} + s[cnt - 1];
          for (int v = 0; v < NV; v++) {
            const V a = ld(row(f + cnt) + v * L), xv = ld(row(f + cnt - 1) + v * L);
            cb[v] = ck * a - sk * xv;
            ca[v] = ck * xv + sk * a;
          }
        }
        for (int64_t p = f + cnt - 2; p >= f; p--) {
          const int64_t k = p - f;
          const V ck = V{} + c[k], sk = V{} + s[k], ck2 = V{} + c2[k + 1], sk2 = V{} + s2[k + 1];
          double* out = row(p + 2);
          const double* in = row(p);
          for (int v = 0; v < NV; v++) {
            const V xv = ld(in + v * L);
            const V fa = ck * ca[v] - sk * xv;
            ca[v] = ck * xv + sk * ca[v];
            st(out + v * L, ck2 * cb[v] - sk2 * fa);
            cb[v] = ck2 * fa + sk2 * cb[v];
          }
        }
        const V ck2 = V{} + c2[0], sk2 = V{} + s2[0];
        for (int v = 0; v < NV; v++) {
          st(row(f + 1) + v * L, ck2 * cb[v] - sk2 * ca[v]);
          st(row(f) + v * L, ck2 * ca[v] + sk2 * cb[v]);
        }
      }
      continue;
    }
    if (!sw.backward) {
      double* r = row(f);
      for (int v = 0; v < NV; v++) ca[v] = ld(r + v * L);
      for (int64_t k = 0; k < cnt; k++) {
        double* next = r + ldx;
        const V ck = V{} + c[k], sk = V{} + s[k];
        for (int v = 0; v < NV; v++) {
          const V y = ld(next + v * L);
          st(r + v * L, ck * ca[v] + sk * y);
          ca[v] = ck * y - sk * ca[v];
        }
        r = next;
      }
      for (int v = 0; v < NV; v++) st(r + v * L, ca[v]);
    } else {
      double* r = row(f + cnt);
      for (int v = 0; v < NV; v++) ca[v] = ld(r + v * L);
      for (int64_t k = cnt - 1; k >= 0; k--) {
        double* prev = r - ldx;
        const V ck = V{} + c[k], sk = V{} + s[k];
        for (int v = 0; v < NV; v++) {
          const V xv = ld(prev + v * L);
          st(r + v * L, ck * ca[v] - sk * xv);
          ca[v] = ck * xv + sk * ca[v];
        }
        r = prev;
      }
      for (int v = 0; v < NV; v++) st(r + v * L, ca[v]);
    }
  }
}

// Strips of 4 vectors are copied to a contiguous buffer first: the rows of X are usually a
// power of two apart (n = 512: 4 KiB), which maps a strip's rows to a few cache sets and
// evicts it long before it is done; packed (rows × 4 vectors) it stays in L2.
void rotate(const RotSweep* sweeps, int64_t nsweeps, const double* c, const double* s, double* x, int64_t ldx,
            int64_t nrows, int64_t col0, int64_t col1) {
  constexpr int kStrip = 4 * kW;
  thread_local std::vector<double> buf;
  if (static_cast<int64_t>(buf.size()) < nrows * kStrip) buf.resize(static_cast<size_t>(nrows * kStrip));
  double* b = buf.data();
  for (int64_t j = col0; j < col1; j += kStrip) {
    const int64_t w = std::min<int64_t>(kStrip, col1 - j);
    for (int64_t r = 0; r < nrows; r++) std::memcpy(b + r * kStrip, x + r * ldx + j, w * sizeof(double));
    if (w == kStrip) {
      rotate_strip<vd, 4, kW>(sweeps, nsweeps, c, s, b, kStrip);
    } else {
      int64_t jj = 0;
      for (; jj + kW <= w; jj += kW) rotate_strip<vd, 1, kW>(sweeps, nsweeps, c, s, b + jj, kStrip);
      for (; jj < w; jj++) rotate_strip<double, 1, 1>(sweeps, nsweeps, c, s, b + jj, kStrip);
    }
    for (int64_t r = 0; r < nrows; r++) std::memcpy(x + r * ldx + j, b + r * kStrip, w * sizeof(double));
  }
}

}  // namespace TENSILE_ISA_NS
}  // namespace linalg
}  // namespace tensile

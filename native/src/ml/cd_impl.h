// The solver bodies of cd.h, written once on GCC/Clang vector extensions and compiled per ISA:
// the including file defines TENSILE_CD_NS (and TENSILE_ISA_AVX512 / _AVX2), which fix the
// vector width. Each step mirrors the js reference line for line (see the comments there for
// the why of the algorithm); only the loops over samples or features are vectorised, which
// changes the order of the sums in dot products and nothing else.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "cd.h"

namespace tensile {
namespace ml {
namespace TENSILE_CD_NS {

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
// (A pairwise tree of shuffles measured no faster here: the sequential form stays.)
inline double hsum(vd v) {
  double s = 0;
  for (int k = 0; k < kW; k++) s += v[k];
  return s;
}

// One pass over the residual r for coordinate descent: r -= a·xa (the update of the previous
// coordinate, deferred to here when kPend), r += b·xb (the current coordinate's old weight
// taken out, when kOld), and returns xb·r. The js makes these three passes; fusing them reads
// r and the columns once, with the same elementwise operations in the same order.
template <bool kPend, bool kOld>
double fused(int64_t n, double a, const double* xa, double b, const double* xb, double* r) {
  const vd va = vsplat(a), vb = vsplat(b);
  vd s0 = vd{}, s1 = vd{};
  int64_t i = 0;
  for (; i + 2 * kW <= n; i += 2 * kW) {
    vd r0 = vload(r + i), r1 = vload(r + i + kW);
    const vd x0 = vload(xb + i), x1 = vload(xb + i + kW);
    if (kPend) {
      r0 -= va * vload(xa + i);
      r1 -= va * vload(xa + i + kW);
    }
    if (kOld) {
      r0 += vb * x0;
      r1 += vb * x1;
    }
    s0 += x0 * r0;
    s1 += x1 * r1;
    if (kPend || kOld) {
      vstore(r + i, r0);
      vstore(r + i + kW, r1);
    }
  }
  for (; i + kW <= n; i += kW) {
    vd r0 = vload(r + i);
    const vd x0 = vload(xb + i);
    if (kPend) r0 -= va * vload(xa + i);
    if (kOld) r0 += vb * x0;
    s0 += x0 * r0;
    if (kPend || kOld) vstore(r + i, r0);
  }
  double acc = hsum(s0 + s1);
  for (; i < n; i++) {
    double ri = r[i];
    if (kPend) ri -= a * xa[i];
    if (kOld) ri += b * xb[i];
    acc += xb[i] * ri;
    if (kPend || kOld) r[i] = ri;
  }
  return acc;
}

inline double dot(int64_t n, const double* x, const double* y) {
  return fused<false, false>(n, 0, nullptr, 0, x, const_cast<double*>(y));
}

// r -= a·x.
inline void sub_scaled(int64_t n, double a, const double* x, double* r) {
  const vd va = vsplat(a);
  int64_t i = 0;
  for (; i + kW <= n; i += kW) vstore(r + i, vload(r + i) - va * vload(x + i));
  for (; i < n; i++) r[i] -= a * x[i];
}

EnetResult enet(const EnetProblem& P) {
  const int64_t n = P.n, p = P.p;
  const double *x = P.x, *y = P.y;
  double *w = P.w, *R = P.r, *norm = P.norm_cols;
  const double l1 = P.l1, l2 = P.l2;
  for (int64_t j = 0; j < p; j++) norm[j] = dot(n, x + j * n, x + j * n);
  std::memcpy(R, y, n * sizeof(double));
  for (int64_t j = 0; j < p; j++)
    if (w[j] != 0) sub_scaled(n, w[j], x + j * n, R);
  const double yy = dot(n, y, y);
  const double dw_tol = P.tol, tol = P.tol * yy;
  double gap = tol + 1;
  int64_t iter = 0;
  // The update R -= w_new·x_j of the last coordinate, not yet applied (see fused()).
  double pend_w = 0;
  const double* pend_x = nullptr;
  for (iter = 0; iter < P.max_iter; iter++) {
    double w_max = 0, dw_max = 0;
    for (int64_t f = 0; f < p; f++) {
      const int64_t j = P.rng ? P.rng->below(p) : f;
      if (norm[j] == 0) continue;
      const double* xj = x + j * n;
      const double w_old = w[j];
      double tmp;
      if (pend_x) tmp = w_old != 0 ? fused<true, true>(n, pend_w, pend_x, w_old, xj, R) : fused<true, false>(n, pend_w, pend_x, 0, xj, R);
      else tmp = w_old != 0 ? fused<false, true>(n, 0, nullptr, w_old, xj, R) : fused<false, false>(n, 0, nullptr, 0, xj, R);
      pend_x = nullptr;
      double w_new;
      if (P.positive && tmp < 0) {
        w_new = 0;
      } else {
        const double sign = tmp > 0 ? 1.0 : tmp < 0 ? -1.0 : tmp;  // Math.sign
        w_new = (sign * std::max(std::fabs(tmp) - l1, 0.0)) / (norm[j] + l2);
      }
      w[j] = w_new;
      if (w_new != 0) {
        pend_w = w_new;
        pend_x = xj;
      }
      dw_max = std::max(dw_max, std::fabs(w_new - w_old));
      w_max = std::max(w_max, std::fabs(w_new));
    }
    if (w_max == 0 || dw_max / w_max < dw_tol || iter == P.max_iter - 1) {
      if (pend_x) sub_scaled(n, pend_w, pend_x, R);
      pend_x = nullptr;
      // Duality gap of the scaled dual point R·min(1, l1/‖XᵀR − l2·w‖∞).
      double dual_norm = P.positive ? -std::numeric_limits<double>::infinity() : 0;
      for (int64_t j = 0; j < p; j++) {
        const double xta = dot(n, x + j * n, R) - l2 * w[j];
        dual_norm = P.positive ? std::max(dual_norm, xta) : std::max(dual_norm, std::fabs(xta));
      }
      const double r_norm2 = dot(n, R, R), ry = dot(n, R, y);
      double w_norm2 = 0, l1_norm = 0;
      for (int64_t j = 0; j < p; j++) {
        w_norm2 += w[j] * w[j];
        l1_norm += std::fabs(w[j]);
      }
      double scale;
      if (dual_norm > l1) {
        scale = l1 / dual_norm;
        gap = 0.5 * (r_norm2 + r_norm2 * scale * scale);
      } else {
        scale = 1;
        gap = r_norm2;
      }
      gap += l1 * l1_norm - scale * ry + 0.5 * l2 * (1 + scale * scale) * w_norm2;
      if (gap < tol) break;
    }
  }
  return EnetResult{gap, tol, std::min(iter, P.max_iter - 1) + 1};
}

// Dot of two padded rows (ld a multiple of kW): no scalar tail.
// Four accumulators: the dot's latency, not its throughput, bounds a step on short rows.
inline double dot_padded(int64_t ld, const double* a, const double* b) {
  vd s0 = vd{}, s1 = vd{}, s2 = vd{}, s3 = vd{};
  int64_t i = 0;
  for (; i + 4 * kW <= ld; i += 4 * kW) {
    s0 += vload(a + i) * vload(b + i);
    s1 += vload(a + i + kW) * vload(b + i + kW);
    s2 += vload(a + i + 2 * kW) * vload(b + i + 2 * kW);
    s3 += vload(a + i + 3 * kW) * vload(b + i + 3 * kW);
  }
  if (i + 2 * kW <= ld) {
    s0 += vload(a + i) * vload(b + i);
    s1 += vload(a + i + kW) * vload(b + i + kW);
    i += 2 * kW;
  }
  if (i < ld) s2 += vload(a + i) * vload(b + i);
  return hsum((s0 + s1) + (s2 + s3));
}

inline void axpy_padded(int64_t ld, double a, const double* x, double* y) {
  const vd va = vsplat(a);
  for (int64_t i = 0; i < ld; i += kW) vstore(y + i, vload(y + i) + va * vload(x + i));
}

int64_t svc(const SvcProblem& P) {
  const double inf = std::numeric_limits<double>::infinity();
  const int64_t n = P.n, ld = P.ld;
  const double diag = P.hinge ? 0 : 0.5 / P.C;
  const double upper = P.hinge ? P.C : inf;
  double *w = P.w, *alpha = P.alpha, *QD = P.qd;
  int32_t* index = P.index;
  std::fill(w, w + ld, 0.0);
  std::fill(alpha, alpha + n, 0.0);
  for (int64_t i = 0; i < n; i++) {
    QD[i] = diag + dot_padded(ld, P.x + i * ld, P.x + i * ld);
    index[i] = static_cast<int32_t>(i);
  }
  int64_t active = n, iter = 0;
  double pg_max_old = inf, pg_min_old = -inf;
  while (iter < P.max_iter) {
    double pg_max_new = -inf, pg_min_new = inf;
    for (int64_t i = 0; i < active; i++) {
      const int64_t j = i + P.rng->below(active - i);
      std::swap(index[i], index[j]);
    }
    for (int64_t s = 0; s < active; s++) {
      const int32_t i = index[s];
      const double yi = P.y[i];
      const double* xi = P.x + static_cast<int64_t>(i) * ld;
      // The order is random: fetch the next sample's row while this one is worked on.
      if (s + 1 < active) {
        const double* next = P.x + static_cast<int64_t>(index[s + 1]) * ld;
        for (int64_t o = 0; o < ld; o += 8) __builtin_prefetch(next + o);
      }
      double G = dot_padded(ld, w, xi);
      G = yi * G - 1 + alpha[i] * diag;
      double PG = 0;
      if (alpha[i] == 0) {
        if (G > pg_max_old) {
          // Shrink: at the lower bound with a gradient pushing it further out.
          active--;
          index[s] = index[active];
          index[active] = i;
          s--;
          continue;
        } else if (G < 0) {
          PG = G;
        }
      } else if (alpha[i] == upper) {
        if (G < pg_min_old) {
          active--;
          index[s] = index[active];
          index[active] = i;
          s--;
          continue;
        } else if (G > 0) {
          PG = G;
        }
      } else {
        PG = G;
      }
      pg_max_new = std::max(pg_max_new, PG);
      pg_min_new = std::min(pg_min_new, PG);
      if (std::fabs(PG) > 1e-12) {
        const double old = alpha[i];
        alpha[i] = std::min(std::max(old - G / QD[i], 0.0), upper);
        axpy_padded(ld, (alpha[i] - old) * yi, xi, w);
      }
    }
    iter++;
    if (pg_max_new - pg_min_new <= P.tol) {
      if (active == n) break;
      // Converged on the active set: check once more on all samples.
      active = n;
      pg_max_old = inf;
      pg_min_old = -inf;
      continue;
    }
    pg_max_old = pg_max_new <= 0 ? inf : pg_max_new;
    pg_min_old = pg_min_new >= 0 ? -inf : pg_min_new;
  }
  return iter;
}

inline CdKernels make_kernels(const char* isa) { return CdKernels{isa, kW, &enet, &svc}; }

}  // namespace TENSILE_CD_NS
}  // namespace ml
}  // namespace tensile

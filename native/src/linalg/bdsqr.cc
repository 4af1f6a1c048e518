// dbdsqr's iteration, translated with its 1-based indices (D(i) = d[i-1], E(i) = e[i-1]) so
// it reads against the LAPACK source line by line; the rotations its dlasr calls would apply
// are recorded instead (rotations.h). With its 2×2 helpers dlas2 and dlasv2 and the
// LAPACK 3.10 dlartg.
#include "bdsqr.h"

#include <algorithm>
#include <cfloat>
#include <cmath>

namespace tensile {
namespace linalg {
namespace {

constexpr double kEps = 0x1p-53;  // dlamch('Epsilon')
constexpr double kSafmin = DBL_MIN;

inline double sign(double a, double b) { return std::copysign(std::fabs(a), b); }

// Plane rotation with c·f + s·g = r, -s·f + c·g = 0 (dlartg, Anderson's safe scaling).
inline void dlartg(double f, double g, double& c, double& s, double& r) {
  constexpr double rtmin = 1.4916681462400413e-154;  // √safmin
  constexpr double rtmax = 4.740375954054589e+153;   // √(safmax / 2)
  const double f1 = std::fabs(f), g1 = std::fabs(g);
  if (g == 0) {
    c = 1; s = 0; r = f;
  } else if (f == 0) {
    c = 0; s = sign(1, g); r = g1;
  } else if (f1 > rtmin && f1 < rtmax && g1 > rtmin && g1 < rtmax) {
    // One division (the sweep is a chain of these): c = |f|/d, s = g/r with r = ±d.
    const double d = std::sqrt(f * f + g * g), dinv = 1 / d;
    c = f1 * dinv;
    r = sign(d, f);
    s = (f > 0 ? g : -g) * dinv;
  } else {
    const double u = std::min(1 / kSafmin, std::max(kSafmin, std::max(f1, g1)));
    const double fs = f / u, gs = g / u;
    const double d = std::sqrt(fs * fs + gs * gs);
    c = std::fabs(fs) / d;
    r = sign(d, f);
    s = gs / r;
    r *= u;
  }
}

// Singular values of [[f, g], [0, h]] (dlas2).
void dlas2(double f, double g, double h, double& ssmin, double& ssmax) {
  const double fa = std::fabs(f), ga = std::fabs(g), ha = std::fabs(h);
  const double fhmn = std::min(fa, ha), fhmx = std::max(fa, ha);
  if (fhmn == 0) {
    ssmin = 0;
    if (fhmx == 0) ssmax = ga;
    else {
      const double mx = std::max(fhmx, ga), mn = std::min(fhmx, ga);
      ssmax = mx * std::sqrt(1 + (mn / mx) * (mn / mx));
    }
  } else if (ga < fhmx) {
    const double as = 1 + fhmn / fhmx, at = (fhmx - fhmn) / fhmx, au = (ga / fhmx) * (ga / fhmx);
    const double c = 2 / (std::sqrt(as * as + au) + std::sqrt(at * at + au));
    ssmin = fhmn * c;
    ssmax = fhmx / c;
  } else {
    const double au = fhmx / ga;
    if (au == 0) {
      ssmin = (fhmn * fhmx) / ga;
      ssmax = ga;
    } else {
      const double as = 1 + fhmn / fhmx, at = (fhmx - fhmn) / fhmx;
      const double c = 1 / (std::sqrt(1 + (as * au) * (as * au)) + std::sqrt(1 + (at * au) * (at * au)));
      ssmin = (fhmn * c) * au;
      ssmin = ssmin + ssmin;
      ssmax = ga / (c + c);
    }
  }
}

// SVD of [[f, g], [0, h]] (dlasv2): [csl snl; -snl csl]·[f g; 0 h]·[csr -snr; snr csr] =
// diag(ssmax, ssmin).
void dlasv2(double f, double g, double h, double& ssmin, double& ssmax, double& snr, double& csr, double& snl,
            double& csl) {
  double ft = f, fa = std::fabs(ft), ht = h, ha = std::fabs(h);
  int pmax = 1;
  const bool swap = ha > fa;
  if (swap) {
    pmax = 3;
    std::swap(ft, ht);
    std::swap(fa, ha);
  }
  const double gt = g, ga = std::fabs(gt);
  double clt, crt, slt, srt;
  if (ga == 0) {
    ssmin = ha;
    ssmax = fa;
    clt = 1; crt = 1; slt = 0; srt = 0;
  } else {
    bool gasmal = true;
    if (ga > fa) {
      pmax = 2;
      if (fa / ga < kEps) {
        gasmal = false;
        ssmax = ga;
        ssmin = ha > 1 ? fa / (ga / ha) : (fa / ga) * ha;
        clt = 1;
        slt = ht / gt;
        srt = 1;
        crt = ft / gt;
      }
    }
    if (gasmal) {
      const double dd = fa - ha;
      double l = dd == fa ? 1 : dd / fa;
      const double m = gt / ft;
      double t = 2 - l;
      const double mm = m * m, tt = t * t;
      const double s = std::sqrt(tt + mm);
      const double r = l == 0 ? std::fabs(m) : std::sqrt(l * l + mm);
      const double a = 0.5 * (s + r);
      ssmin = ha / a;
      ssmax = fa * a;
      if (mm == 0) {
        if (l == 0) t = sign(2, ft) * sign(1, gt);
        else t = gt / sign(dd, ft) + m / t;
      } else {
        t = (m / (s + t) + m / (r + l)) * (1 + a);
      }
      l = std::sqrt(t * t + 4);
      crt = 2 / l;
      srt = t / l;
      clt = (crt + srt * m) / a;
      slt = (ht / ft) * srt / a;
    }
  }
  if (swap) {
    csl = srt; snl = crt; csr = slt; snr = clt;
  } else {
    csl = clt; snl = slt; csr = crt; snr = srt;
  }
  double tsign = 1;
  if (pmax == 1) tsign = sign(1, csr) * sign(1, csl) * sign(1, f);
  if (pmax == 2) tsign = sign(1, snr) * sign(1, csl) * sign(1, g);
  if (pmax == 3) tsign = sign(1, snr) * sign(1, snl) * sign(1, h);
  ssmax = sign(ssmax, tsign);
  ssmin = sign(ssmin, tsign * sign(1, f) * sign(1, h));
}

// One recorded sweep: the rotation for pair j (0-based) goes to c[j], s[j].
struct Sweep {
  double* c = nullptr;
  double* s = nullptr;
  void set(int64_t j, double cv, double sv) {
    if (c) { c[j] = cv; s[j] = sv; }
  }
};

Sweep open(Rotations* r, int64_t first, int64_t count, bool backward) {
  Sweep sw;
  if (!r) return sw;
  const int64_t off = r->add_sweep(first, count, backward);
  sw.c = r->c.data() + off;
  sw.s = r->s.data() + off;
  return sw;
}

}  // namespace

bool bdsqr(int64_t n, double* d, double* e, Rotations* rvt, Rotations* ru, const std::function<void()>& flush) {
  if (n <= 1) return true;
  double* D = d - 1;
  double* E = e - 1;
  constexpr int64_t maxitr = 6;
  const double tolmul = std::max(10.0, std::min(100.0, std::pow(kEps, -0.125)));
  const double tol = tolmul * kEps;
  // Relative accuracy: the threshold from an estimate of the smallest singular value.
  double smax = 0;
  for (int64_t i = 1; i <= n; i++) smax = std::max(smax, std::fabs(D[i]));
  for (int64_t i = 1; i <= n - 1; i++) smax = std::max(smax, std::fabs(E[i]));
  double sminoa = std::fabs(D[1]);
  if (sminoa != 0) {
    double mu = sminoa;
    for (int64_t i = 2; i <= n; i++) {
      mu = std::fabs(D[i]) * (mu / (mu + std::fabs(E[i - 1])));
      sminoa = std::min(sminoa, mu);
      if (sminoa == 0) break;
    }
  }
  sminoa = sminoa / std::sqrt(static_cast<double>(n));
  const double thresh = std::max(tol * sminoa, maxitr * (n * (n * kSafmin)));
  const int64_t maxitdivn = maxitr * n;
  int64_t iterdivn = 0, iter = -1, oldll = -1, oldm = -1, idir = 0;
  int64_t m = n;
  const bool record = rvt || ru;
  for (;;) {
    if (m <= 1) break;
    if (iter >= n) {
      iter -= n;
      iterdivn++;
      if (iterdivn >= maxitdivn) return false;
    }
    // Find the diagonal block to work on: E(ll) through E(m-1) nonzero, E(ll-1) zero.
    smax = std::fabs(D[m]);
    int64_t ll = 0;
    bool split = false;
    for (int64_t lll = 1; lll <= m - 1; lll++) {
      ll = m - lll;
      const double abss = std::fabs(D[ll]), abse = std::fabs(E[ll]);
      // An exact zero always splits, also when thresh is NaN (inf input).
      if (abse <= thresh || abse == 0) { split = true; break; }
      smax = std::max(smax, std::max(abss, abse));
    }
    if (split) {
      E[ll] = 0;
      if (ll == m - 1) { m -= 1; continue; }  // the bottom singular value converged
    } else {
      ll = 0;
    }
    ll += 1;
    if (ll == m - 1) {
      // A 2×2 block: its SVD directly.
      double sigmn, sigmx, sinr, cosr, sinl, cosl;
      dlasv2(D[m - 1], E[m - 1], D[m], sigmn, sigmx, sinr, cosr, sinl, cosl);
      D[m - 1] = sigmx;
      E[m - 1] = 0;
      D[m] = sigmn;
      open(rvt, m - 2, 1, false).set(0, cosr, sinr);
      open(ru, m - 2, 1, false).set(0, cosl, sinl);
      m -= 2;
      continue;
    }
    // A new submatrix: chase the bulge from the larger end towards the smaller.
    if (ll > oldm || m < oldll) idir = std::fabs(D[ll]) >= std::fabs(D[m]) ? 1 : 2;
    // Convergence tests.
    double smin = 0;
    bool converged = false;
    if (idir == 1) {
      if (std::fabs(E[m - 1]) <= std::fabs(tol) * std::fabs(D[m])) { E[m - 1] = 0; continue; }
      double mu = std::fabs(D[ll]);
      smin = mu;
      for (int64_t lll = ll; lll <= m - 1; lll++) {
        if (std::fabs(E[lll]) <= tol * mu) { E[lll] = 0; converged = true; break; }
        mu = std::fabs(D[lll + 1]) * (mu / (mu + std::fabs(E[lll])));
        smin = std::min(smin, mu);
      }
    } else {
      if (std::fabs(E[ll]) <= std::fabs(tol) * std::fabs(D[ll])) { E[ll] = 0; continue; }
      double mu = std::fabs(D[m]);
      smin = mu;
      for (int64_t lll = m - 1; lll >= ll; lll--) {
        if (std::fabs(E[lll]) <= tol * mu) { E[lll] = 0; converged = true; break; }
        mu = std::fabs(D[lll]) * (mu / (mu + std::fabs(E[lll])));
        smin = std::min(smin, mu);
      }
    }
    if (converged) continue;
    oldll = ll;
    oldm = m;
    // The shift: zero when shifting would ruin relative accuracy.
    double shift, r;
    if (n * tol * (smin / smax) <= std::max(kEps, 0.01 * tol)) {
      shift = 0;
    } else {
      double sll;
      if (idir == 1) {
        sll = std::fabs(D[ll]);
        dlas2(D[m - 1], E[m - 1], D[m], shift, r);
      } else {
        sll = std::fabs(D[m]);
        dlas2(D[ll], E[ll], D[ll + 1], shift, r);
      }
      if (sll > 0 && (shift / sll) * (shift / sll) < kEps) shift = 0;
    }
    iter += m - ll;
    const int64_t cnt = m - ll;
    // Rotations on B's columns go to Vᵀ's rows, those on B's rows to Uᵀ's rows (dlasr).
    Sweep sv = open(rvt, ll - 1, cnt, idir == 2), su = open(ru, ll - 1, cnt, idir == 2);
    if (shift == 0) {
      if (idir == 1) {
        double cs = 1, sn = 0, oldcs = 1, oldsn = 0;
        for (int64_t i = ll; i <= m - 1; i++) {
          dlartg(D[i] * cs, E[i], cs, sn, r);
          if (i > ll) E[i - 1] = oldsn * r;
          dlartg(oldcs * r, D[i + 1] * sn, oldcs, oldsn, D[i]);
          sv.set(i - ll, cs, sn);
          su.set(i - ll, oldcs, oldsn);
        }
        const double h = D[m] * cs;
        D[m] = h * oldcs;
        E[m - 1] = h * oldsn;
        if (std::fabs(E[m - 1]) <= thresh) E[m - 1] = 0;
      } else {
        double cs = 1, sn = 0, oldcs = 1, oldsn = 0;
        for (int64_t i = m; i >= ll + 1; i--) {
          dlartg(D[i] * cs, E[i - 1], cs, sn, r);
          if (i < m) E[i] = oldsn * r;
          dlartg(oldcs * r, D[i - 1] * sn, oldcs, oldsn, D[i]);
          su.set(i - ll - 1, cs, -sn);
          sv.set(i - ll - 1, oldcs, -oldsn);
        }
        const double h = D[ll] * cs;
        D[ll] = h * oldcs;
        E[ll] = h * oldsn;
        if (std::fabs(E[ll]) <= thresh) E[ll] = 0;
      }
    } else {
      if (idir == 1) {
        double f = (std::fabs(D[ll]) - shift) * (sign(1, D[ll]) + shift / D[ll]);
        double g = E[ll];
        double cosr, sinr, cosl, sinl;
        for (int64_t i = ll; i <= m - 1; i++) {
          dlartg(f, g, cosr, sinr, r);
          if (i > ll) E[i - 1] = r;
          f = cosr * D[i] + sinr * E[i];
          E[i] = cosr * E[i] - sinr * D[i];
          g = sinr * D[i + 1];
          D[i + 1] = cosr * D[i + 1];
          dlartg(f, g, cosl, sinl, r);
          D[i] = r;
          f = cosl * E[i] + sinl * D[i + 1];
          D[i + 1] = cosl * D[i + 1] - sinl * E[i];
          if (i < m - 1) {
            g = sinl * E[i + 1];
            E[i + 1] = cosl * E[i + 1];
          }
          sv.set(i - ll, cosr, sinr);
          su.set(i - ll, cosl, sinl);
        }
        E[m - 1] = f;
        if (std::fabs(E[m - 1]) <= thresh) E[m - 1] = 0;
      } else {
        double f = (std::fabs(D[m]) - shift) * (sign(1, D[m]) + shift / D[m]);
        double g = E[m - 1];
        double cosr, sinr, cosl, sinl;
        for (int64_t i = m; i >= ll + 1; i--) {
          dlartg(f, g, cosr, sinr, r);
          if (i < m) E[i] = r;
          f = cosr * D[i] + sinr * E[i - 1];
          E[i - 1] = cosr * E[i - 1] - sinr * D[i];
          g = sinr * D[i - 1];
          D[i - 1] = cosr * D[i - 1];
          dlartg(f, g, cosl, sinl, r);
          D[i] = r;
          f = cosl * E[i - 1] + sinl * D[i - 1];
          D[i - 1] = cosl * D[i - 1] - sinl * E[i - 1];
          if (i > ll + 1) {
            g = sinl * E[i - 2];
            E[i - 2] = cosl * E[i - 2];
          }
          su.set(i - ll - 1, cosr, -sinr);
          sv.set(i - ll - 1, cosl, -sinl);
        }
        E[ll] = f;
        if (std::fabs(E[ll]) <= thresh) E[ll] = 0;
      }
    }
    if (record && ((rvt && rvt->size() >= kRotationFlush) || (ru && ru->size() >= kRotationFlush))) flush();
  }
  return true;
}

}  // namespace linalg
}  // namespace tensile

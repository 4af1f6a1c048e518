// libsvm's Solver (WSS3, shrinking, gradient reconstruction), a line-for-line port of
// SMOSolver in lib/ml/smo.ts: same loops, same operation order, so both round alike and take
// the same path. Built without FMA contraction (CMakeLists.txt) for the same reason.
#include "smo.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "../threadpool.h"
#include "smo_cache.h"
#include "smo_loops.h"

namespace tensile {
namespace ml {
namespace {

constexpr double kTau = 1e-12;
constexpr uint8_t kLower = 0, kUpper = 1, kFree = 2;
constexpr double kInf = std::numeric_limits<double>::infinity();

void heap_push(double* score, int32_t* item, int64_t size, double s, int32_t v) {
  int64_t i = size;
  while (i > 0) {
    const int64_t parent = (i - 1) >> 1;
    if (score[parent] <= s) break;
    score[i] = score[parent];
    item[i] = item[parent];
    i = parent;
  }
  score[i] = s;
  item[i] = v;
}

void heap_replace_min(double* score, int32_t* item, int64_t size, double s, int32_t v) {
  int64_t i = 0;
  for (;;) {
    const int64_t l = 2 * i + 1, r = l + 1;
    int64_t m = i;
    double ms = s;
    if (l < size && score[l] < ms) { m = l; ms = score[l]; }
    if (r < size && score[r] < ms) { m = r; ms = score[r]; }
    if (m == i) break;
    score[i] = score[m];
    item[i] = item[m];
    i = m;
  }
  score[i] = s;
  item[i] = v;
}

class Solver {
 public:
  Solver(RowSource& source, const SmoProblem& pr, const SmoOptions& opts)
      : src_(source), opts_(opts), l_(pr.l), cache_(source.size(), source.size(), opts.cache_bytes, std::max(1, opts.batch_rows)) {
    y_.assign(pr.y, pr.y + l_);
    p_.assign(pr.p, pr.p + l_);
    C_.assign(pr.C, pr.C + l_);
    sample_.assign(pr.sample, pr.sample + l_);
    QD_.resize(l_);
    for (int64_t i = 0; i < l_; i++) QD_[i] = source.diagonal()[sample_[i]];
    alpha_ = pr.alpha0 ? std::vector<double>(pr.alpha0, pr.alpha0 + l_) : std::vector<double>(l_, 0.0);
    status_.assign(l_, 0);
    G_.assign(l_, 0.0);
    Gbar_.assign(l_, 0.0);
    active_set_.resize(l_);
    for (int64_t i = 0; i < l_; i++) active_set_[i] = static_cast<int32_t>(i);
    active_size_ = l_;
    batch_rows_ = std::max(1, opts.batch_rows);
    batch_.resize(batch_rows_);
    heap_score_.resize(batch_rows_);
    heap_sample_.resize(batch_rows_);
    mark_.assign(source.size(), 0);
  }

  SmoResult solve() {
    const int64_t l = l_;
    for (int64_t i = 0; i < l; i++) update_status(i);
    G_ = p_;
    std::vector<int64_t> nonzero;
    for (int64_t i = 0; i < l; i++) if (status_[i] != kLower) nonzero.push_back(i);
    for_rows(nonzero, [&](int64_t i, const float* Ri) {
      const double ai = y_[i] * alpha_[i], ci = y_[i] * C_[i];
      const bool upper = status_[i] == kUpper;
      for (int64_t k = 0; k < l; k++) {
        const double K = Ri[sample_[k]];
        G_[k] += y_[k] * (ai * K);
        if (upper) Gbar_[k] += y_[k] * (ci * K);
      }
    });

    int64_t iter = 0;
    bool timed_out = false;
    int64_t counter = std::min<int64_t>(l, 1000) + 1;
    for (;;) {
      if (opts_.max_iter != -1 && iter >= opts_.max_iter) { timed_out = true; break; }
      if (--counter == 0) {
        counter = std::min<int64_t>(l, 1000);
        if (opts_.shrinking) do_shrinking(opts_.tol);
      }
      if (!select_working_set(opts_.tol)) {
        reconstruct_gradient();
        active_size_ = l;
        if (!select_working_set(opts_.tol)) break;
        counter = 1;  // shrink at the next iteration
      }
      ++iter;
      take_step(ws_i_, ws_j_);
    }

    SmoResult res;
    res.rho = calculate_rho();
    double v = 0;
    for (int64_t i = 0; i < l; i++) v += alpha_[i] * (G_[i] + p_[i]);
    res.alpha.assign(l, 0.0);
    for (int64_t i = 0; i < l; i++) res.alpha[active_set_[i]] = alpha_[i];
    res.obj = v / 2;
    res.n_iter = iter;
    res.timed_out = timed_out;
    res.rows_computed = rows_computed_;
    return res;
  }

 private:
  void take_step(int64_t i, int64_t j) {
    const float* Ri = row(i);
    const float* Rj = row(j);
    const double Ci = C_[i], Cj = C_[j];
    const double oldAi = alpha_[i], oldAj = alpha_[j];
    const double Kij = Ri[sample_[j]];
    double* alpha = alpha_.data();
    if (y_[i] != y_[j]) {
      double quad = QD_[i] + QD_[j] - 2 * Kij;
      if (quad <= 0) quad = kTau;
      const double delta = (-G_[i] - G_[j]) / quad;
      const double diff = alpha[i] - alpha[j];
      alpha[i] += delta;
      alpha[j] += delta;
      if (diff > 0) {
        if (alpha[j] < 0) { alpha[j] = 0; alpha[i] = diff; }
      } else if (alpha[i] < 0) { alpha[i] = 0; alpha[j] = -diff; }
      if (diff > Ci - Cj) {
        if (alpha[i] > Ci) { alpha[i] = Ci; alpha[j] = Ci - diff; }
      } else if (alpha[j] > Cj) { alpha[j] = Cj; alpha[i] = Cj + diff; }
    } else {
      double quad = QD_[i] + QD_[j] - 2 * Kij;
      if (quad <= 0) quad = kTau;
      const double delta = (G_[i] - G_[j]) / quad;
      const double sum = alpha[i] + alpha[j];
      alpha[i] -= delta;
      alpha[j] += delta;
      if (sum > Ci) {
        if (alpha[i] > Ci) { alpha[i] = Ci; alpha[j] = sum - Ci; }
      } else if (alpha[j] < 0) { alpha[j] = 0; alpha[i] = sum; }
      if (sum > Cj) {
        if (alpha[j] > Cj) { alpha[j] = Cj; alpha[i] = sum - Cj; }
      } else if (alpha[i] < 0) { alpha[i] = 0; alpha[j] = sum; }
    }

    const double ai = y_[i] * (alpha[i] - oldAi), aj = y_[j] * (alpha[j] - oldAj);
    const int64_t n = active_size_;
    const int32_t* sample = sample_.data();
    const double* y = y_.data();
    double* G = G_.data();
    loops_.update_g(n, sample, y, Ri, Rj, ai, aj, G);

    const bool ui = status_[i] == kUpper, uj = status_[j] == kUpper;
    update_status(i);
    update_status(j);
    if (ui != (status_[i] == kUpper)) update_gbar(i, ui);
    if (uj != (status_[j] == kUpper)) update_gbar(j, uj);
  }

  // Ḡ -= or += y_k·(C_i·y_i·k(i, k)) as variable i leaves or reaches its upper bound.
  void update_gbar(int64_t i, bool was_upper) {
    const double c = y_[i] * C_[i];
    const float* R = row(i);
    if (was_upper) for (int64_t k = 0; k < l_; k++) Gbar_[k] -= y_[k] * (c * R[sample_[k]]);
    else for (int64_t k = 0; k < l_; k++) Gbar_[k] += y_[k] * (c * R[sample_[k]]);
  }

  void update_status(int64_t i) {
    const double a = alpha_[i];
    status_[i] = a >= C_[i] ? kUpper : a <= 0 ? kLower : kFree;
  }

  bool select_working_set(double tol) {
    const int64_t n = active_size_;
    const double* y = y_.data();
    const double* G = G_.data();
    const uint8_t* status = status_.data();
    double Gmax = -kInf, Gmax2 = -kInf;
    int64_t Gmax_idx = -1, Gmin_idx = -1;
    loops_.select_up(n, y, G, status, &Gmax, &Gmax_idx);
    // No I_up candidate: then no j either (the TS finds none), so stop.
    if (Gmax_idx == -1) return false;
    loops_.select_low(n, y, G, status, sample_.data(), QD_.data(), row(Gmax_idx), QD_[Gmax_idx], Gmax, &Gmax2, &Gmin_idx);
    if (Gmax + Gmax2 < tol || Gmin_idx == -1) return false;
    ws_i_ = Gmax_idx;
    ws_j_ = Gmin_idx;
    return true;
  }

  bool be_shrunk(int64_t i, double Gmax1, double Gmax2) const {
    const uint8_t st = status_[i];
    const double g = G_[i];
    if (st == kUpper) return y_[i] == 1 ? -g > Gmax1 : -g > Gmax2;
    if (st == kLower) return y_[i] == 1 ? g > Gmax2 : g > Gmax1;
    return false;
  }

  void do_shrinking(double tol) {
    double Gmax1 = -kInf, Gmax2 = -kInf;
    for (int64_t i = 0; i < active_size_; i++) {
      const double g = G_[i];
      if (y_[i] == 1) {
        if (status_[i] != kUpper && -g >= Gmax1) Gmax1 = -g;
        if (status_[i] != kLower && g >= Gmax2) Gmax2 = g;
      } else {
        if (status_[i] != kUpper && -g >= Gmax2) Gmax2 = -g;
        if (status_[i] != kLower && g >= Gmax1) Gmax1 = g;
      }
    }
    if (!unshrink_ && Gmax1 + Gmax2 <= tol * 10) {
      unshrink_ = true;
      reconstruct_gradient();
      active_size_ = l_;
    }
    for (int64_t i = 0; i < active_size_; i++) {
      if (be_shrunk(i, Gmax1, Gmax2)) {
        active_size_--;
        while (active_size_ > i) {
          if (!be_shrunk(active_size_, Gmax1, Gmax2)) {
            swap_index(i, active_size_);
            break;
          }
          active_size_--;
        }
      }
    }
  }

  void swap_index(int64_t i, int64_t j) {
    std::swap(y_[i], y_[j]); std::swap(G_[i], G_[j]); std::swap(status_[i], status_[j]);
    std::swap(alpha_[i], alpha_[j]); std::swap(p_[i], p_[j]); std::swap(active_set_[i], active_set_[j]);
    std::swap(Gbar_[i], Gbar_[j]); std::swap(C_[i], C_[j]); std::swap(sample_[i], sample_[j]);
    std::swap(QD_[i], QD_[j]);
  }

  void reconstruct_gradient() {
    const int64_t l = l_, n = active_size_;
    if (n == l) return;
    for (int64_t j = n; j < l; j++) G_[j] = Gbar_[j] + p_[j];
    std::vector<int64_t> free;
    for (int64_t j = 0; j < n; j++) if (status_[j] == kFree) free.push_back(j);
    // Compared in doubles, as the TS does (the products can exceed 2^53 only in theory).
    if (static_cast<double>(free.size()) * l > 2.0 * n * (l - n)) {
      std::vector<int64_t> inactive(l - n);
      for (int64_t k = 0; k < l - n; k++) inactive[k] = n + k;
      for_rows(inactive, [&](int64_t i, const float* Ri) {
        double g = G_[i];
        const double yi = y_[i];
        for (int64_t j = 0; j < n; j++)
          if (status_[j] == kFree) g += alpha_[j] * (yi * y_[j] * static_cast<double>(Ri[sample_[j]]));
        G_[i] = g;
      });
    } else {
      for_rows(free, [&](int64_t i, const float* Ri) {
        const double ai = alpha_[i] * y_[i];
        for (int64_t j = n; j < l; j++) G_[j] += y_[j] * (ai * Ri[sample_[j]]);
      });
    }
  }

  double calculate_rho() const {
    int64_t n_free = 0;
    double ub = kInf, lb = -kInf, sum_free = 0;
    for (int64_t i = 0; i < active_size_; i++) {
      const double yG = y_[i] * G_[i];
      if (status_[i] == kUpper) {
        if (y_[i] == -1) ub = std::min(ub, yG); else lb = std::max(lb, yG);
      } else if (status_[i] == kLower) {
        if (y_[i] == 1) ub = std::min(ub, yG); else lb = std::max(lb, yG);
      } else {
        n_free++;
        sum_free += yG;
      }
    }
    return n_free > 0 ? sum_free / n_free : (ub + lb) / 2;
  }

  const float* row(int64_t pos) {
    const int32_t s = sample_[pos];
    if (const float* r = cache_.get(s)) return r;
    if (const float* r = finish_raw(s)) return r;
    prefetch(s);
    return cache_.get(s);
  }

  const float* finish_raw(int32_t s) {
    RawBuffer keep;
    const double* raw = cache_.take_raw(s, keep);
    if (!raw) return nullptr;
    float* row = cache_.allocate(s);
    finish(s, raw, row);
    return row;
  }

  void finish(int32_t s, const double* raw, float* row) {
    rows_computed_++;
    src_.finish(s, raw, row);
  }

  void prefetch(int32_t first) {
    const int64_t stamp = ++stamp_;
    mark_[first] = stamp;
    const int64_t want = std::max<int64_t>(0, std::min<int64_t>(batch_rows_, cache_.raw_room()) - 1);
    int64_t size = 0;
    if (want > 0) {
      for (int64_t t = 0; t < active_size_; t++) {
        const int32_t s = sample_[t];
        if (mark_[s] == stamp || cache_.has(s)) continue;
        const uint8_t st = status_[t];
        const double yG = y_[t] * G_[t];
        double score = -kInf;
        if (y_[t] == 1 ? st != kUpper : st != kLower) score = -yG;
        if ((y_[t] == 1 ? st != kLower : st != kUpper) && yG > score) score = yG;
        if (score == -kInf) continue;
        if (size < want) {
          heap_push(heap_score_.data(), heap_sample_.data(), size++, score, s);
          mark_[s] = stamp;
        } else if (score > heap_score_[0]) {
          mark_[heap_sample_[0]] = 0;
          heap_replace_min(heap_score_.data(), heap_sample_.data(), size, score, s);
          mark_[s] = stamp;
        }
      }
    }
    batch_[0] = first;
    for (int64_t k = 0; k < size; k++) batch_[k + 1] = heap_sample_[k];
    compute(batch_.data(), size + 1, 1);
  }

  void compute(const int32_t* batch, int64_t count, int64_t now) {
    const int64_t n = src_.size();
    RawBuffer raw = cache_.acquire(static_cast<size_t>(count * n));
    src_.compute_raw(batch, count, raw->data());
    if (now == 1) {
      finish(batch[0], raw->data(), cache_.allocate(batch[0]));
    } else {
      // Rows allocated in order (the cache's LRU sees what the TS's does), then transformed
      // in parallel: they are independent, and none evicts another (now < rowCapacity).
      std::vector<float*> dst(now);
      for (int64_t k = 0; k < now; k++) dst[k] = cache_.allocate(batch[k]);
      rows_computed_ += now;
      const double* r = raw->data();
      parallel_for(now, std::max<int64_t>(1, 8192 / std::max<int64_t>(n, 1)), [&](int64_t lo, int64_t hi) {
        for (int64_t k = lo; k < hi; k++) src_.finish(batch[k], r + k * n, dst[k]);
      });
    }
    if (now == 1) cache_.add_raw_block(raw, batch, count);
  }

  template <typename Visit>
  void for_rows(const std::vector<int64_t>& positions, Visit&& visit) {
    const int64_t len = static_cast<int64_t>(positions.size());
    const int64_t chunk = std::max<int64_t>(1, cache_.row_capacity() - 1);
    std::vector<int32_t> missing(static_cast<size_t>(std::min(chunk, len)));
    const int64_t step = std::max(batch_rows_, 64);
    for (int64_t a = 0; a < len; a += chunk) {
      const int64_t b = std::min(len, a + chunk);
      const int64_t stamp = ++stamp_;
      int64_t m = 0;
      for (int64_t k = a; k < b; k++) {
        const int32_t s = sample_[positions[k]];
        if (mark_[s] == stamp) continue;
        mark_[s] = stamp;
        if (cache_.get(s) == nullptr && finish_raw(s) == nullptr) missing[m++] = s;
      }
      for (int64_t off = 0; off < m; off += step) {
        const int64_t cnt = std::min(m - off, step);
        compute(missing.data() + off, cnt, cnt);
      }
      for (int64_t k = a; k < b; k++) visit(positions[k], row(positions[k]));
    }
  }

  RowSource& src_;
  const SmoOptions opts_;
  const int64_t l_;
  std::vector<double> y_;  // ±1 as doubles: every use multiplies a double by it (exactly)
  std::vector<double> p_, C_, QD_, alpha_, G_, Gbar_;
  std::vector<int32_t> sample_, active_set_;
  std::vector<uint8_t> status_;
  int64_t active_size_;
  bool unshrink_ = false;
  KernelCache cache_;
  int batch_rows_;
  std::vector<int32_t> batch_, heap_sample_;
  std::vector<double> heap_score_;
  std::vector<int64_t> mark_;
  int64_t stamp_ = 0;
  int64_t ws_i_ = -1, ws_j_ = -1;
  const SmoLoops& loops_ = smo_loops();
  int64_t rows_computed_ = 0;
};

}  // namespace

SmoResult smo_solve(RowSource& source, const SmoProblem& problem, const SmoOptions& opts) {
  Solver solver(source, problem, opts);
  return solver.solve();
}

}  // namespace ml
}  // namespace tensile

// Reductions: kept dims outside, reduced dims inside (coalesced, so a contiguous reduction is
// one flat loop). Float sums accumulate in double with several partial sums (vectorisable and
// pairwise-like in accuracy). Threads split the output when it is large, else each reduction.
#include "reduce.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <vector>

#include "strided.h"
#include "threadpool.h"

namespace tensile {

const char* const kReduceOps[] = {"sum", "prod", "max", "min", "argmax", "argmin"};
const int kNumReduceOps = 6;

namespace {

constexpr int64_t kGrain = 1 << 15;

// A partial result that can absorb elements and merge with the partial that follows it.
struct Acc {
  double v;
  int64_t idx;
  bool first;
};

template <typename T>
inline double sum_contiguous(const T* p, int64_t n) {
  // Eight independent double accumulators in 128-element blocks: vectorises and keeps the
  // error growth close to pairwise summation.
  double total = 0;
  int64_t i = 0;
  while (i < n) {
    int64_t end = i + 1024 < n ? i + 1024 : n;
    double s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    for (; i + 8 <= end; i += 8)
      for (int k = 0; k < 8; k++) s[k] += static_cast<double>(p[i + k]);
    for (; i < end; i++) s[0] += static_cast<double>(p[i]);
    total += ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
  }
  return total;
}

template <typename T>
void absorb(int op, Acc& a, const T* p, int64_t off, int64_t n, int64_t stride, int64_t base) {
  switch (op) {
    case 0:
      if (stride == 1) a.v += sum_contiguous(p + off, n);
      else for (int64_t i = 0; i < n; i++) a.v += static_cast<double>(p[off + i * stride]);
      if (n > 0) a.first = false;
      break;
    case 1:
      for (int64_t i = 0; i < n; i++) a.v *= static_cast<double>(p[off + i * stride]);
      if (n > 0) a.first = false;
      break;
    case 2:
    case 3: {
      // NaN-propagating extreme: once NaN, stays NaN.
      for (int64_t i = 0; i < n; i++) {
        double v = static_cast<double>(p[off + i * stride]);
        if (a.first) { a.v = v; a.first = false; }
        else if (a.v == a.v && (v != v || (op == 2 ? v > a.v : v < a.v))) a.v = v;
      }
      break;
    }
    default: {
      // First extreme wins; a NaN counts as the extreme.
      for (int64_t i = 0; i < n; i++) {
        double v = static_cast<double>(p[off + i * stride]);
        if (a.first) { a.v = v; a.idx = base + i; a.first = false; }
        else if (a.v == a.v && (v != v || (op == 4 ? v > a.v : v < a.v))) { a.v = v; a.idx = base + i; }
      }
    }
  }
}

inline Acc init(int op) { return Acc{op == 1 ? 1.0 : 0.0, 0, true}; }

inline void merge(int op, Acc& a, const Acc& b) {  // b follows a
  if (b.first) return;
  switch (op) {
    case 0: a.v += b.v; break;
    case 1: a.v *= b.v; break;
    case 2: case 3: case 4: case 5: {
      if (a.first) { a = b; return; }
      bool better = op == 2 || op == 4 ? b.v > a.v : b.v < a.v;
      if (a.v == a.v && (b.v != b.v || better)) a = b;
    }
  }
  a.first = false;
}

template <typename T>
void reduce_typed(int op, const StridedIter<1>& kept, const StridedIter<1>& red, const View& x, const View& out) {
  const T* xp = static_cast<const T*>(x.data);
  const int64_t n_out = kept.size, n_red = red.size;
  const int64_t rs = red.inner_stride(0);
  auto write = [&](int64_t o, const Acc& a) {
    double r = (op >= 4) ? static_cast<double>(a.idx) : a.v;
    if (out.dtype == DType::I32) static_cast<int32_t*>(out.data)[out.offset + o] = to_int32_js(r);
    else if (out.dtype == DType::F32) static_cast<float*>(out.data)[out.offset + o] = static_cast<float>(r);
    else if (out.dtype == DType::F64) static_cast<double*>(out.data)[out.offset + o] = r;
    else static_cast<uint8_t*>(out.data)[out.offset + o] = to_uint8_js(r);
  };
  auto reduce_one = [&](int64_t base_off, int64_t lo, int64_t hi) {
    Acc a = init(op);
    int64_t pos = lo;
    red.for_range(lo, hi, [&](const int64_t* o, int64_t n) {
      absorb<T>(op, a, xp, base_off + o[0] - red.offsets[0], n, rs, pos);
      pos += n;
    });
    return a;
  };
  // Sums over leading axes with a contiguous kept suffix (bias gradients, column sums): add
  // whole rows into double accumulators instead of walking each column with a large stride.
  if (op == 0 && kept.rank == 1 && kept.inner_stride(0) == 1 && n_out >= 8 && n_red > 1) {
    const int64_t base = kept.offsets[0];
    parallel_for(n_out, std::max<int64_t>(256, kGrain / n_red), [&](int64_t b, int64_t e) {
      std::vector<double> acc(static_cast<size_t>(e - b), 0.0);
      red.for_range(0, n_red, [&](const int64_t* o, int64_t n) {
        for (int64_t r = 0; r < n; r++) {
          const T* row = xp + base + o[0] - red.offsets[0] + r * rs + b;
          for (int64_t j = 0; j < e - b; j++) acc[j] += static_cast<double>(row[j]);
        }
      });
      for (int64_t j = b; j < e; j++) write(j, Acc{acc[j - b], 0, false});
    });
    return;
  }
  if (n_out >= 2 * num_threads() || n_red < kGrain) {
    int64_t grain = n_red > 0 ? (kGrain + n_red - 1) / n_red : kGrain;
    parallel_for(n_out, grain, [&](int64_t b, int64_t e) {
      int64_t k = b;
      kept.for_range(b, e, [&](const int64_t* o, int64_t n) {
        for (int64_t i = 0; i < n; i++, k++) write(k, reduce_one(o[0] + i * kept.inner_stride(0), 0, n_red));
      });
    });
    return;
  }
  // Few outputs, long reductions: threads take slices of each reduction, merged in order.
  for (int64_t k = 0; k < n_out; k++) {
    int64_t base = 0;
    kept.for_range(k, k + 1, [&](const int64_t* o, int64_t) { base = o[0]; });
    // Fixed slices merged in order (the result does not depend on which thread ran which),
    // claimed from a counter: a worker still asleep when the caller is done is not waited for.
    int nt = num_threads();
    std::vector<Acc> parts(nt, init(op));
    std::atomic<int> next{0};
    parallel_run_claimed(nt, [&](int, int t) {
      for (int c; (c = next.fetch_add(1, std::memory_order_relaxed)) < t;)
        parts[c] = reduce_one(base, n_red * c / t, n_red * (c + 1) / t);
    });
    Acc a = init(op);
    for (auto& p : parts) merge(op, a, p);
    write(k, a);
  }
}

}  // namespace

void reduce(int op, int rank, const int64_t* shape, const View& x, int naxes, const int* axes, const View& out) {
  if (op < 0 || op >= kNumReduceOps) throw KernelError("reduce: unknown op code " + std::to_string(op));
  int64_t kshape[kMaxRank], rshape[kMaxRank];
  View kv = x, rv = x;
  int nk = 0, nr = 0;
  for (int d = 0; d < rank; d++) {
    bool reduced = false;
    for (int j = 0; j < naxes; j++) reduced |= axes[j] == d;
    if (reduced) { rshape[nr] = shape[d]; rv.strides[nr] = x.strides[d]; nr++; }
    else { kshape[nk] = shape[d]; kv.strides[nk] = x.strides[d]; nk++; }
  }
  rv.offset = 0;  // reduced offsets are relative to each kept element
  const View* kvs[1] = {&kv};
  const View* rvs[1] = {&rv};
  StridedIter<1> kept(nk, kshape, kvs), red(nr, rshape, rvs);
  if (kept.size == 0) return;
  dispatch_dtype(x.dtype, [&](auto t) { reduce_typed<decltype(t)>(op, kept, red, x, out); });
}

}  // namespace tensile

// Fused Adam/AdamW: one pass over param, grad and the moments instead of a dozen elementwise
// ops. Each operation is done in the storage type in torch's order (see
// lib/backends/js/optimizer.ts), so float32 results equal the composed ops.
#include "optimizer.h"

#include <cmath>

#include "threadpool.h"

namespace tensile {
namespace {

// The element loop, specialised on the options so that it has no branches and vectorises
// (sqrt and two divisions per element are the cost: scalar, they made Adam a third of an MLP
// step). No FMA contraction (CMakeLists): every product is rounded as in the composed ops.
template <typename T, bool kMax, bool kWd, bool kDecoupled, bool kAms>
void adam_loop(T* __restrict p, const T* __restrict g, T* __restrict m, T* __restrict v, T* __restrict vmax,
               int64_t lo, int64_t hi, const AdamOptions& o) {
  const T b1 = T(o.beta1), b2 = T(o.beta2), c1 = T(1 - o.beta1), c2 = T(1 - o.beta2);
  const T wd = T(o.weight_decay), decay = T(1 - o.lr * o.weight_decay);
  const T bc2 = T(o.bc2_sqrt), eps = T(o.eps), neg_step = T(-o.step_size);
  for (int64_t i = lo; i < hi; i++) {
    T gr = kMax ? T(-g[i]) : g[i];
    T pv = p[i];
    if (kWd) {
      if (kDecoupled) pv = pv * decay;
      else gr = gr + pv * wd;
    }
    const T mv = m[i] * b1 + gr * c1;
    const T vv = v[i] * b2 + (gr * c2) * gr;
    m[i] = mv;
    v[i] = vv;
    T second = vv;
    if (kAms) {
      second = (vmax[i] > vv || vmax[i] != vmax[i]) ? vmax[i] : vv;
      vmax[i] = second;
    }
    const T denom = std::sqrt(second) / bc2 + eps;
    p[i] = pv + (mv / denom) * neg_step;
  }
}

template <typename T>
using AdamLoop = void (*)(T*, const T*, T*, T*, T*, int64_t, int64_t, const AdamOptions&);

template <typename T, bool kMax, bool kWd, bool kDecoupled>
AdamLoop<T> pick_ams(bool ams) {
  return ams ? adam_loop<T, kMax, kWd, kDecoupled, true> : adam_loop<T, kMax, kWd, kDecoupled, false>;
}

template <typename T, bool kMax>
AdamLoop<T> pick_wd(bool wd, bool decoupled, bool ams) {
  if (!wd) return pick_ams<T, kMax, false, false>(ams);
  return decoupled ? pick_ams<T, kMax, true, true>(ams) : pick_ams<T, kMax, true, false>(ams);
}

template <typename T>
void adam_typed(T* p, const T* g, T* m, T* v, T* vmax, int64_t n, const AdamOptions& o) {
  const bool wd = o.weight_decay != 0, ams = vmax != nullptr;
  const AdamLoop<T> loop = o.maximize ? pick_wd<T, true>(wd, o.decoupled, ams) : pick_wd<T, false>(wd, o.decoupled, ams);
  parallel_for(n, 1 << 15, [&](int64_t lo, int64_t hi) { loop(p, g, m, v, vmax, lo, hi, o); });
}

}  // namespace

void adam_update(const View& p, const View& g, const View& m, const View& v, const View* vmax, int64_t n, const AdamOptions& o) {
  if (p.dtype == DType::F32) {
    adam_typed(static_cast<float*>(p.data) + p.offset, static_cast<const float*>(g.data) + g.offset,
               static_cast<float*>(m.data) + m.offset, static_cast<float*>(v.data) + v.offset,
               vmax ? static_cast<float*>(vmax->data) + vmax->offset : nullptr, n, o);
  } else if (p.dtype == DType::F64) {
    adam_typed(static_cast<double*>(p.data) + p.offset, static_cast<const double*>(g.data) + g.offset,
               static_cast<double*>(m.data) + m.offset, static_cast<double*>(v.data) + v.offset,
               vmax ? static_cast<double*>(vmax->data) + vmax->offset : nullptr, n, o);
  } else {
    throw KernelError("adamUpdate: needs float32 or float64 tensors");
  }
}

}  // namespace tensile

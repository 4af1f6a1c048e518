// Fused Adam/AdamW: one pass over param, grad and the moments instead of a dozen elementwise
// ops. Each operation is done in the storage type in torch's order (see
// lib/backends/js/optimizer.ts), so float32 results equal the composed ops.
#include "optimizer.h"

#include <cmath>

#include "threadpool.h"

namespace tensile {
namespace {

template <typename T>
void adam_typed(T* p, const T* g, T* m, T* v, T* vmax, int64_t n, const AdamOptions& o) {
  const T b1 = T(o.beta1), b2 = T(o.beta2), c1 = T(1 - o.beta1), c2 = T(1 - o.beta2);
  const T wd = T(o.weight_decay), decay = T(1 - o.lr * o.weight_decay);
  const T bc2 = T(o.bc2_sqrt), eps = T(o.eps), neg_step = T(-o.step_size);
  const bool has_wd = o.weight_decay != 0;
  parallel_for(n, 1 << 15, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; i++) {
      T gr = o.maximize ? T(-g[i]) : g[i];
      T pv = p[i];
      if (has_wd) {
        if (o.decoupled) pv = pv * decay;
        else gr = gr + pv * wd;
      }
      const T mv = m[i] * b1 + gr * c1;
      const T vv = v[i] * b2 + (gr * c2) * gr;
      m[i] = mv;
      v[i] = vv;
      T second = vv;
      if (vmax) {
        second = (vmax[i] > vv || vmax[i] != vmax[i]) ? vmax[i] : vv;
        vmax[i] = second;
      }
      const T denom = std::sqrt(second) / bc2 + eps;
      p[i] = pv + (mv / denom) * neg_step;
    }
  });
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

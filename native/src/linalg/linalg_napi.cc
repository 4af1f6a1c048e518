// N-API surface of the tn.linalg kernels: one export per routine of LinalgKernels
// (lib/linalg/kernels.ts), same name, same argument order. Arrays are passed without copies;
// every size is checked to be a non-negative integer, every array to be of the right type and
// long enough for the sizes (and pivots to be in range) before a kernel runs, so bad input
// throws a JS Error "<kernel>: why" (a TensileError once through lib/linalg/kernels-cpu.ts).
#include "linalg_napi.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "../common.h"
#include "../napi_args.h"
#include "linalg.h"

namespace tensile {
namespace {

using namespace napi_args;

Napi::Value Getrf(const Napi::CallbackInfo& info) {
  return guarded(info, "getrf", [&] {
    auto a = array_arg<double>(info, 0, "a");
    const int64_t batch = size_arg(info, 1, "batch"), n = size_arg(info, 2, "n");
    auto piv = array_arg<int32_t>(info, 3, "piv");
    auto inf = array_arg<int32_t>(info, 4, "info");
    need(a, "a", product(batch, n, n));
    need(piv, "piv", product(batch, n));
    need(inf, "info", batch);
    linalg::getrf(a.data, batch, n, piv.data, inf.data);
  });
}

Napi::Value Getrs(const Napi::CallbackInfo& info) {
  return guarded(info, "getrs", [&] {
    auto lu = array_arg<double>(info, 0, "lu");
    auto piv = array_arg<int32_t>(info, 1, "piv");
    auto b = array_arg<double>(info, 2, "b");
    const int64_t batch = size_arg(info, 3, "batch"), n = size_arg(info, 4, "n"), nrhs = size_arg(info, 5, "nrhs");
    const bool trans = bool_arg(info, 6, "trans");
    need(lu, "lu", product(batch, n, n));
    need(piv, "piv", product(batch, n));
    need(b, "b", product(batch, n, nrhs));
    // The pivots index rows: each must be a row of its matrix.
    for (int64_t i = 0; i < batch * n; i++)
      if (piv.data[i] < 0 || piv.data[i] >= n)
        throw KernelError("'piv' holds " + std::to_string(piv.data[i]) + " at " + std::to_string(i) + ", outside 0.." + std::to_string(n - 1));
    linalg::getrs(lu.data, piv.data, b.data, batch, n, nrhs, trans);
  });
}

Napi::Value Potrf(const Napi::CallbackInfo& info) {
  return guarded(info, "potrf", [&] {
    auto a = array_arg<double>(info, 0, "a");
    const int64_t batch = size_arg(info, 1, "batch"), n = size_arg(info, 2, "n");
    auto inf = array_arg<int32_t>(info, 3, "info");
    need(a, "a", product(batch, n, n));
    need(inf, "info", batch);
    linalg::potrf(a.data, batch, n, inf.data);
  });
}

Napi::Value Trtrs(const Napi::CallbackInfo& info) {
  return guarded(info, "trtrs", [&] {
    auto t = array_arg<double>(info, 0, "t");
    auto b = array_arg<double>(info, 1, "b");
    const int64_t batch = size_arg(info, 2, "batch"), n = size_arg(info, 3, "n"), nrhs = size_arg(info, 4, "nrhs");
    const bool upper = bool_arg(info, 5, "upper"), unit = bool_arg(info, 6, "unit"), trans = bool_arg(info, 7, "trans");
    need(t, "t", product(batch, n, n));
    need(b, "b", product(batch, n, nrhs));
    linalg::trtrs(t.data, b.data, batch, n, nrhs, upper, unit, trans);
  });
}

Napi::Value Geqrf(const Napi::CallbackInfo& info) {
  return guarded(info, "geqrf", [&] {
    auto a = array_arg<double>(info, 0, "a");
    const int64_t batch = size_arg(info, 1, "batch"), m = size_arg(info, 2, "m"), n = size_arg(info, 3, "n");
    auto tau = array_arg<double>(info, 4, "tau");
    need(a, "a", product(batch, m, n));
    need(tau, "tau", product(batch, std::min(m, n)));
    linalg::geqrf(a.data, batch, m, n, tau.data);
  });
}

Napi::Value Orgqr(const Napi::CallbackInfo& info) {
  return guarded(info, "orgqr", [&] {
    auto a = array_arg<double>(info, 0, "a");
    auto tau = array_arg<double>(info, 1, "tau");
    const int64_t batch = size_arg(info, 2, "batch"), m = size_arg(info, 3, "m"), n = size_arg(info, 4, "n");
    const int64_t cols = size_arg(info, 5, "cols");
    auto q = array_arg<double>(info, 6, "q");
    if (cols > m) throw KernelError("'cols' is " + std::to_string(cols) + ", but Q has only " + std::to_string(m) + " columns");
    need(a, "a", product(batch, m, n));
    need(tau, "tau", product(batch, std::min(m, n)));
    need(q, "q", product(batch, m, cols));
    linalg::orgqr(a.data, tau.data, batch, m, n, cols, q.data);
  });
}

Napi::Value Gesvd(const Napi::CallbackInfo& info) {
  return guarded(info, "gesvd", [&] {
    auto a = array_arg<double>(info, 0, "a");
    const int64_t batch = size_arg(info, 1, "batch"), m = size_arg(info, 2, "m"), n = size_arg(info, 3, "n");
    auto s = array_arg<double>(info, 4, "s");
    auto u = array_arg<double>(info, 5, "u", true);
    auto vt = array_arg<double>(info, 6, "vt", true);
    const bool full = bool_arg(info, 7, "full");
    const int64_t k = std::min(m, n);
    need(a, "a", product(batch, m, n));
    need(s, "s", product(batch, k));
    if (!info[5].IsNull()) need(u, "u", product(batch, m, full ? m : k));
    if (!info[6].IsNull()) need(vt, "vt", product(batch, full ? n : k, n));
    linalg::gesvd(a.data, batch, m, n, s.data, u.data, vt.data, full);
  });
}

Napi::Value Syevd(const Napi::CallbackInfo& info) {
  return guarded(info, "syevd", [&] {
    auto a = array_arg<double>(info, 0, "a");
    const int64_t batch = size_arg(info, 1, "batch"), n = size_arg(info, 2, "n");
    auto w = array_arg<double>(info, 3, "w");
    auto v = array_arg<double>(info, 4, "v", true);
    need(a, "a", product(batch, n, n));
    need(w, "w", product(batch, n));
    if (!info[4].IsNull()) need(v, "v", product(batch, n, n));
    linalg::syevd(a.data, batch, n, w.data, v.data);
  });
}

}  // namespace

void RegisterLinalg(Napi::Env env, Napi::Object exports) {
  exports.Set("getrf", Napi::Function::New(env, Getrf));
  exports.Set("getrs", Napi::Function::New(env, Getrs));
  exports.Set("potrf", Napi::Function::New(env, Potrf));
  exports.Set("trtrs", Napi::Function::New(env, Trtrs));
  exports.Set("geqrf", Napi::Function::New(env, Geqrf));
  exports.Set("orgqr", Napi::Function::New(env, Orgqr));
  exports.Set("gesvd", Napi::Function::New(env, Gesvd));
  exports.Set("syevd", Napi::Function::New(env, Syevd));
}

}  // namespace tensile

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
#include "linalg.h"

namespace tensile {
namespace {

template <typename F>
Napi::Value guarded(const Napi::CallbackInfo& info, const char* name, F&& body) {
  try {
    body();
  } catch (const KernelError& e) {
    Napi::Error err = Napi::Error::New(info.Env(), std::string(name) + ": " + e.what());
    err.Set("kernel", Napi::String::New(info.Env(), name));
    err.ThrowAsJavaScriptException();
  } catch (const std::bad_alloc&) {
    Napi::Error::New(info.Env(), std::string(name) + ": out of memory").ThrowAsJavaScriptException();
  } catch (const std::exception& e) {
    // Anything else (std::length_error from a huge work array) must not reach std::terminate.
    Napi::Error::New(info.Env(), std::string(name) + ": " + e.what()).ThrowAsJavaScriptException();
  }
  return info.Env().Undefined();
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

// A size argument: an integer in [0, 2^31).
int64_t size_arg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (i >= info.Length() || !info[i].IsNumber()) throw KernelError(std::string("'") + what + "' must be a number");
  const double v = info[i].As<Napi::Number>().DoubleValue();
  const std::string name = std::string("'") + what + "'";
  if (!std::isfinite(v) || v != std::trunc(v)) throw KernelError(name + " must be an integer, got " + number(v));
  if (v < 0) throw KernelError(name + " must not be negative, got " + number(v));
  if (v > 2147483647.0) throw KernelError(name + " must be below 2^31, got " + number(v));
  return static_cast<int64_t>(v);
}

bool bool_arg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (i >= info.Length() || !info[i].IsBoolean()) throw KernelError(std::string("'") + what + "' must be a boolean");
  return info[i].As<Napi::Boolean>().Value();
}

template <typename T>
struct Arr {
  T* data = nullptr;
  int64_t length = 0;
};

// A TypedArray of the given type; null allowed when `nullable` (data stays nullptr).
template <typename T>
Arr<T> array_arg(const Napi::CallbackInfo& info, size_t i, const char* what, bool nullable = false) {
  constexpr napi_typedarray_type want = sizeof(T) == 8 ? napi_float64_array : napi_int32_array;
  const char* want_name = sizeof(T) == 8 ? "a Float64Array" : "an Int32Array";
  Arr<T> out;
  if (i >= info.Length() || info[i].IsUndefined()) throw KernelError(std::string("'") + what + "' is missing");
  if (nullable && info[i].IsNull()) return out;
  bool is_ta = false;
  napi_is_typedarray(info.Env(), info[i], &is_ta);
  if (!is_ta) throw KernelError(std::string("'") + what + "' must be " + want_name + (nullable ? " or null" : ""));
  napi_typedarray_type type;
  size_t length;
  void* data;
  napi_value ab;
  size_t byte_offset;
  napi_get_typedarray_info(info.Env(), info[i], &type, &length, &data, &ab, &byte_offset);
  if (type != want) throw KernelError(std::string("'") + what + "' must be " + want_name + (nullable ? " or null" : ""));
  out.data = static_cast<T*>(data);
  out.length = data ? static_cast<int64_t>(length) : 0;  // a detached buffer has no elements
  return out;
}

// a·b·c, or a KernelError when it exceeds what any buffer can hold.
int64_t product(int64_t a, int64_t b, int64_t c = 1) {
  int64_t ab, abc;
  if (__builtin_mul_overflow(a, b, &ab) || __builtin_mul_overflow(ab, c, &abc) || abc > kMaxElements)
    throw KernelError("sizes too large (" + std::to_string(a) + " × " + std::to_string(b) + " × " + std::to_string(c) + ")");
  return abc;
}

template <typename T>
void need(const Arr<T>& arr, const char* what, int64_t count) {
  if (arr.length < count)
    throw KernelError(std::string("'") + what + "' has " + std::to_string(arr.length) + " elements, needs " + std::to_string(count));
}

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

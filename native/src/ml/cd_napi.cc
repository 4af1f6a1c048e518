// N-API surface of the coordinate-descent fits (cd.h): enetFit (Lasso, ElasticNet) and
// linearSvcFit (LinearSVC), called by lib/ml/cd-native.ts. Arrays are passed without copies;
// every size must be a positive integer, every number in its range, every array of the right
// type and exactly as long as the sizes say, every class index in range, before a solver runs:
// bad input throws a JS Error "<function>: why" (a TensileError once through cd-native.ts).
#include "cd_napi.h"

#include <cmath>
#include <cstdio>
#include <string>

#include "../common.h"
#include "cd.h"

namespace tensile {
namespace {

template <typename F>
Napi::Value guarded(const Napi::CallbackInfo& info, const char* name, F&& body) {
  try {
    body();
  } catch (const KernelError& e) {
    Napi::Error::New(info.Env(), std::string(name) + ": " + e.what()).ThrowAsJavaScriptException();
  } catch (const std::bad_alloc&) {
    Napi::Error::New(info.Env(), std::string(name) + ": out of memory").ThrowAsJavaScriptException();
  } catch (const std::exception& e) {
    Napi::Error::New(info.Env(), std::string(name) + ": " + e.what()).ThrowAsJavaScriptException();
  }
  return info.Env().Undefined();
}

std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string quoted(const char* what) { return std::string("'") + what + "'"; }

double number_arg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (i >= info.Length() || !info[i].IsNumber()) throw KernelError(quoted(what) + " must be a number");
  const double v = info[i].As<Napi::Number>().DoubleValue();
  if (!std::isfinite(v)) throw KernelError(quoted(what) + " must be finite, got " + fmt(v));
  return v;
}

// A count: an integer in [1, 2^31).
int64_t count_arg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  const double v = number_arg(info, i, what);
  if (v != std::trunc(v) || v < 1 || v > 2147483647.0)
    throw KernelError(quoted(what) + " must be an integer in [1, 2^31), got " + fmt(v));
  return static_cast<int64_t>(v);
}

double nonneg_arg(const Napi::CallbackInfo& info, size_t i, const char* what, bool strict = false) {
  const double v = number_arg(info, i, what);
  if (strict ? !(v > 0) : !(v >= 0)) throw KernelError(quoted(what) + " must be " + (strict ? "> 0" : ">= 0") + ", got " + fmt(v));
  return v;
}

bool bool_arg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (i >= info.Length() || !info[i].IsBoolean()) throw KernelError(quoted(what) + " must be a boolean");
  return info[i].As<Napi::Boolean>().Value();
}

template <typename T> struct TypeOf;
template <> struct TypeOf<double> { static constexpr napi_typedarray_type t = napi_float64_array; static constexpr const char* name = "a Float64Array"; };
template <> struct TypeOf<int32_t> { static constexpr napi_typedarray_type t = napi_int32_array; static constexpr const char* name = "an Int32Array"; };
template <> struct TypeOf<uint32_t> { static constexpr napi_typedarray_type t = napi_uint32_array; static constexpr const char* name = "a Uint32Array"; };

// A TypedArray of type T and exactly `count` elements; nullptr for null when `nullable`.
template <typename T>
T* array_arg(const Napi::CallbackInfo& info, size_t i, const char* what, int64_t count, bool nullable = false) {
  if (i >= info.Length() || info[i].IsUndefined()) throw KernelError(quoted(what) + " is missing");
  if (nullable && info[i].IsNull()) return nullptr;
  bool is_ta = false;
  napi_is_typedarray(info.Env(), info[i], &is_ta);
  const std::string want = std::string(TypeOf<T>::name) + (nullable ? " or null" : "");
  if (!is_ta) throw KernelError(quoted(what) + " must be " + want);
  napi_typedarray_type type;
  size_t length;
  void* data;
  napi_value ab;
  size_t byte_offset;
  napi_get_typedarray_info(info.Env(), info[i], &type, &length, &data, &ab, &byte_offset);
  if (type != TypeOf<T>::t) throw KernelError(quoted(what) + " must be " + want);
  const int64_t have = data ? static_cast<int64_t>(length) : 0;  // a detached buffer has no elements
  if (have != count)
    throw KernelError(quoted(what) + " has " + std::to_string(have) + " elements, expected " + std::to_string(count));
  return static_cast<T*>(data);
}

int64_t product(int64_t a, int64_t b) {
  int64_t ab;
  if (__builtin_mul_overflow(a, b, &ab) || ab > kMaxElements)
    throw KernelError("sizes too large (" + std::to_string(a) + " × " + std::to_string(b) + ")");
  return ab;
}

// The generator state: four uint32 words, not all zero (xoshiro's one fixed point).
ml::CdRandom* rng_arg(const Napi::CallbackInfo& info, size_t i, ml::CdRandom& rng, bool nullable) {
  uint32_t* s = array_arg<uint32_t>(info, i, "rng", 4, nullable);
  if (!s) return nullptr;
  if ((s[0] | s[1] | s[2] | s[3]) == 0) throw KernelError("'rng' state must not be all zero");
  for (int k = 0; k < 4; k++) rng.s[k] = s[k];
  return &rng;
}

// enetFit(x, n, p, y, t, fitIntercept, l1, l2, maxIter, tol, positive, rng | null,
//         coef [t·p] in/out, xOffset [p], yOffset [t], stats [2t]): see ml::enet_fit.
Napi::Value EnetFit(const Napi::CallbackInfo& info) {
  return guarded(info, "enetFit", [&] {
    const int64_t n = count_arg(info, 1, "n"), p = count_arg(info, 2, "p"), t = count_arg(info, 4, "t");
    const double* x = array_arg<double>(info, 0, "x", product(n, p));
    const double* y = array_arg<double>(info, 3, "y", product(n, t));
    const bool fit_intercept = bool_arg(info, 5, "fitIntercept");
    const double l1 = nonneg_arg(info, 6, "l1"), l2 = nonneg_arg(info, 7, "l2");
    const int64_t max_iter = count_arg(info, 8, "maxIter");
    const double tol = nonneg_arg(info, 9, "tol");
    const bool positive = bool_arg(info, 10, "positive");
    ml::CdRandom state;
    ml::CdRandom* rng = rng_arg(info, 11, state, true);
    double* coef = array_arg<double>(info, 12, "coef", product(t, p));
    double* x_offset = array_arg<double>(info, 13, "xOffset", p);
    double* y_offset = array_arg<double>(info, 14, "yOffset", t);
    double* stats = array_arg<double>(info, 15, "stats", product(2, t));
    ml::enet_fit(x, n, p, y, t, fit_intercept, l1, l2, max_iter, tol, positive, rng, coef, x_offset, y_offset, stats);
    if (rng) {
      uint32_t* s = array_arg<uint32_t>(info, 11, "rng", 4);
      for (int k = 0; k < 4; k++) s[k] = state.s[k];
    }
  });
}

// linearSvcFit(x, n, p, cls, k, C, hinge, bias, tol, maxIter, rng, coef [rows·p],
//              intercept [rows], iters [rows]), rows = 1 when k == 2 else k: see ml::svc_fit.
Napi::Value LinearSvcFit(const Napi::CallbackInfo& info) {
  return guarded(info, "linearSvcFit", [&] {
    const int64_t n = count_arg(info, 1, "n"), p = count_arg(info, 2, "p"), k = count_arg(info, 4, "k");
    if (k < 2) throw KernelError("'k' (classes) must be at least 2, got " + std::to_string(k));
    const int64_t rows = k == 2 ? 1 : k;
    const double* x = array_arg<double>(info, 0, "x", product(n, p));
    const int32_t* cls = array_arg<int32_t>(info, 3, "cls", n);
    for (int64_t i = 0; i < n; i++)
      if (cls[i] < 0 || cls[i] >= k)
        throw KernelError("'cls' holds " + std::to_string(cls[i]) + " at " + std::to_string(i) + ", outside 0.." + std::to_string(k - 1));
    const double C = nonneg_arg(info, 5, "C", true);
    const bool hinge = bool_arg(info, 6, "hinge");
    const double bias = nonneg_arg(info, 7, "bias");
    const double tol = nonneg_arg(info, 8, "tol");
    const int64_t max_iter = count_arg(info, 9, "maxIter");
    ml::CdRandom state;
    ml::CdRandom* rng = rng_arg(info, 10, state, false);
    product(n, p + 1 + 16);  // the padded copy with the bias column stays within bounds
    double* coef = array_arg<double>(info, 11, "coef", product(rows, p));
    double* intercept = array_arg<double>(info, 12, "intercept", rows);
    double* iters = array_arg<double>(info, 13, "iters", rows);
    ml::svc_fit(x, n, p, cls, k, C, hinge, bias, tol, max_iter, rng, coef, intercept, iters);
    uint32_t* s = array_arg<uint32_t>(info, 10, "rng", 4);
    for (int k2 = 0; k2 < 4; k2++) s[k2] = state.s[k2];
  });
}

}  // namespace

void RegisterCd(Napi::Env env, Napi::Object exports) {
  exports.Set("enetFit", Napi::Function::New(env, EnetFit));
  exports.Set("linearSvcFit", Napi::Function::New(env, LinearSvcFit));
}

}  // namespace tensile

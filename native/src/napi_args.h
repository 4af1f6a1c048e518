// Argument checking for the N-API routines that take plain arguments (numbers, booleans,
// TypedArrays) rather than the elementwise kernels' metadata buffer: tn.linalg (linalg_napi.cc)
// and tn.ml's native solvers (ml/*_napi.cc). Each check throws a KernelError naming the
// argument; `guarded` turns it into a JS Error "<routine>: why" carrying `kernel`, which the
// TypeScript side turns into a TensileError. Nothing here lets a bad size reach a kernel.
#pragma once
#include <napi.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>

#include "common.h"

namespace tensile {
namespace napi_args {

// Runs body; whatever it throws comes out as a JS Error, never std::terminate.
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

inline std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

inline std::string quoted(const char* what) { return std::string("'") + what + "'"; }

// A finite number.
inline double number_arg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (i >= info.Length() || !info[i].IsNumber()) throw KernelError(quoted(what) + " must be a number");
  const double v = info[i].As<Napi::Number>().DoubleValue();
  if (!std::isfinite(v)) throw KernelError(quoted(what) + " must be finite, got " + fmt(v));
  return v;
}

// An integer in [lo, 2^31).
inline int64_t int_arg(const Napi::CallbackInfo& info, size_t i, const char* what, int64_t lo) {
  if (i >= info.Length() || !info[i].IsNumber()) throw KernelError(quoted(what) + " must be a number");
  const double v = info[i].As<Napi::Number>().DoubleValue();
  if (!std::isfinite(v) || v != std::trunc(v)) throw KernelError(quoted(what) + " must be an integer, got " + fmt(v));
  if (v < static_cast<double>(lo))
    throw KernelError(quoted(what) + (lo == 0 ? " must not be negative" : " must be an integer in [" + std::to_string(lo) + ", 2^31)") + ", got " + fmt(v));
  if (v > 2147483647.0) throw KernelError(quoted(what) + " must be below 2^31, got " + fmt(v));
  return static_cast<int64_t>(v);
}

// A size (may be 0) and a count (at least 1).
inline int64_t size_arg(const Napi::CallbackInfo& info, size_t i, const char* what) { return int_arg(info, i, what, 0); }
inline int64_t count_arg(const Napi::CallbackInfo& info, size_t i, const char* what) { return int_arg(info, i, what, 1); }

// A finite number >= 0 (> 0 when strict).
inline double nonneg_arg(const Napi::CallbackInfo& info, size_t i, const char* what, bool strict = false) {
  const double v = number_arg(info, i, what);
  if (strict ? !(v > 0) : !(v >= 0)) throw KernelError(quoted(what) + " must be " + (strict ? "> 0" : ">= 0") + ", got " + fmt(v));
  return v;
}

inline bool bool_arg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (i >= info.Length() || !info[i].IsBoolean()) throw KernelError(quoted(what) + " must be a boolean");
  return info[i].As<Napi::Boolean>().Value();
}

template <typename T> struct TypeOf;
template <> struct TypeOf<double> { static constexpr napi_typedarray_type t = napi_float64_array; static constexpr const char* name = "a Float64Array"; };
template <> struct TypeOf<float> { static constexpr napi_typedarray_type t = napi_float32_array; static constexpr const char* name = "a Float32Array"; };
template <> struct TypeOf<int32_t> { static constexpr napi_typedarray_type t = napi_int32_array; static constexpr const char* name = "an Int32Array"; };
template <> struct TypeOf<uint32_t> { static constexpr napi_typedarray_type t = napi_uint32_array; static constexpr const char* name = "a Uint32Array"; };

template <typename T>
struct Arr {
  T* data = nullptr;
  int64_t length = 0;
};

// A value that must be a TypedArray of type T (any length); null allowed when `nullable`
// (data stays nullptr). `what` names it in errors.
template <typename T>
Arr<T> typed_array(Napi::Env env, const Napi::Value& v, const char* what, bool nullable = false) {
  Arr<T> out;
  if (nullable && v.IsNull()) return out;
  bool is_ta = false;
  napi_is_typedarray(env, v, &is_ta);
  const std::string want = std::string(TypeOf<T>::name) + (nullable ? " or null" : "");
  if (!is_ta) throw KernelError(quoted(what) + " must be " + want);
  napi_typedarray_type type;
  size_t length;
  void* data;
  napi_value ab;
  size_t byte_offset;
  napi_get_typedarray_info(env, v, &type, &length, &data, &ab, &byte_offset);
  if (type != TypeOf<T>::t) throw KernelError(quoted(what) + " must be " + want);
  out.data = static_cast<T*>(data);
  out.length = data ? static_cast<int64_t>(length) : 0;  // a detached buffer has no elements
  return out;
}

// Argument i as a TypedArray of type T (see typed_array).
template <typename T>
Arr<T> array_arg(const Napi::CallbackInfo& info, size_t i, const char* what, bool nullable = false) {
  if (i >= info.Length() || info[i].IsUndefined()) throw KernelError(quoted(what) + " is missing");
  return typed_array<T>(info.Env(), info[i], what, nullable);
}

// At least `count` elements.
template <typename T>
void need(const Arr<T>& arr, const char* what, int64_t count) {
  if (arr.length < count)
    throw KernelError(quoted(what) + " has " + std::to_string(arr.length) + " elements, needs " + std::to_string(count));
}

// A TypedArray of exactly `count` elements; nullptr for null when `nullable`.
template <typename T>
T* exact_array_arg(const Napi::CallbackInfo& info, size_t i, const char* what, int64_t count, bool nullable = false) {
  Arr<T> a = array_arg<T>(info, i, what, nullable);
  if (!a.data && nullable && info[i].IsNull()) return nullptr;
  if (a.length != count)
    throw KernelError(quoted(what) + " has " + std::to_string(a.length) + " elements, expected " + std::to_string(count));
  return a.data;
}

// a·b·c, or a KernelError when it exceeds what any buffer can hold.
inline int64_t product(int64_t a, int64_t b, int64_t c = 1) {
  int64_t ab, abc;
  if (__builtin_mul_overflow(a, b, &ab) || __builtin_mul_overflow(ab, c, &abc) || abc > kMaxElements)
    throw KernelError("sizes too large (" + std::to_string(a) + " × " + std::to_string(b) + " × " + std::to_string(c) + ")");
  return abc;
}

}  // namespace napi_args
}  // namespace tensile

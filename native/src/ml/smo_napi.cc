// N-API surface of the SMO solver: smoSolve(problem) with the fields of lib/ml/smo-native.ts's
// NativeSmoProblem, returning { alpha, rho, obj, nIter, timedOut, rowsComputed }. Every field
// is checked (type, length, range of every index and label) before the solver runs, so bad
// input throws a JS Error "smoSolve: why" and never reads out of bounds.
#include "smo_napi.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <map>
#include <string>
#include <vector>

#include "../common.h"
#include "../napi_args.h"
#include "smo.h"

namespace tensile {
namespace {

using napi_args::Arr;
const auto number = napi_args::fmt;

// The problem's fields, all read before any is used: a getter runs JS, which could detach a
// buffer whose data pointer was already taken; after this snapshot no JS runs until the end.
struct Fields {
  Napi::Env env;
  std::map<std::string, Napi::Value> v;
  Fields(const Napi::Object& o, std::initializer_list<const char*> keys) : env(o.Env()) {
    for (const char* k : keys) v.emplace(k, o.Get(k));
  }
  Napi::Value Get(const char* k) const { return v.at(k); }
  Napi::Env Env() const { return env; }
};

KernelError bad(const std::string& field, const std::string& why) { return KernelError("'" + field + "' " + why); }

double num_field(const Fields& o, const char* k) {
  Napi::Value v = o.Get(k);
  if (!v.IsNumber()) throw bad(k, "must be a number");
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d)) throw bad(k, "must be finite, got " + number(d));
  return d;
}

// An integer field in [lo, hi].
int64_t int_field(const Fields& o, const char* k, double lo, double hi) {
  const double d = num_field(o, k);
  if (d != std::trunc(d) || d < lo || d > hi) throw bad(k, "must be an integer in [" + number(lo) + ", " + number(hi) + "], got " + number(d));
  return static_cast<int64_t>(d);
}

// A TypedArray field of T; null or undefined when `nullable`.
template <typename T>
Arr<T> array_field(const Fields& o, const char* k, bool nullable = false) {
  Napi::Value v = o.Get(k);
  if (nullable && v.IsUndefined()) return Arr<T>{};
  return napi_args::typed_array<T>(o.Env(), v, k, nullable);
}

template <typename T>
void need_length(const Arr<T>& a, const char* k, int64_t n) {
  if (a.length != n) throw bad(k, "has " + std::to_string(a.length) + " elements, expected " + std::to_string(n));
}

ml::Kernel kernel_field(const Fields& o) {
  Napi::Value v = o.Get("kernel");
  if (!v.IsString()) throw bad("kernel", "must be a string");
  const std::string s = v.As<Napi::String>().Utf8Value();
  const char* names[] = {"linear", "poly", "rbf", "sigmoid", "precomputed"};
  for (int i = 0; i < 5; i++)
    if (s == names[i]) return static_cast<ml::Kernel>(i);
  throw bad("kernel", "must be linear, poly, rbf, sigmoid or precomputed, got '" + s + "'");
}

constexpr double kMaxIndex = 2147483647.0;

Napi::Value SmoSolve(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  try {
    if (info.Length() < 1 || !info[0].IsObject()) throw KernelError("expected a problem object");
    const Fields o(info[0].As<Napi::Object>(), {"kernel", "gamma", "degree", "coef0", "x", "rows", "cols", "index", "y", "linear",
                                                "C", "sample", "alpha", "tol", "shrinking", "maxIter", "cacheBytes", "batchRows"});
    const ml::Kernel kernel = kernel_field(o);
    const bool pre = kernel == ml::Kernel::kPrecomputed;
    const double gamma = num_field(o, "gamma"), coef0 = num_field(o, "coef0");
    const int degree = static_cast<int>(int_field(o, "degree", 0, kMaxIndex));
    auto x = array_field<double>(o, "x");
    const int64_t rows = int_field(o, "rows", 0, kMaxIndex), cols = int_field(o, "cols", 0, kMaxIndex);
    if (rows * cols > kMaxElements) throw bad("x", "shape [" + std::to_string(rows) + ", " + std::to_string(cols) + "] is too large");
    need_length(x, "x", rows * cols);
    if (pre && rows != cols) throw bad("x", "must be a square Gram matrix for a precomputed kernel, got [" + std::to_string(rows) + ", " + std::to_string(cols) + "]");
    auto index = array_field<int32_t>(o, "index", true);
    const int64_t size = index.data ? index.length : rows;
    if (!pre && size * cols > kMaxElements) throw bad("index", "picks " + std::to_string(size) + " rows of " + std::to_string(cols) + " features: too large");
    for (int64_t k = 0; k < index.length; k++)
      if (index.data[k] < 0 || index.data[k] >= rows) throw bad("index", "entry " + std::to_string(k) + " is " + std::to_string(index.data[k]) + ", outside [0, " + std::to_string(rows) + ")");

    auto y = array_field<int32_t>(o, "y");
    const int64_t l = y.length;
    if (l > 2147483647) throw bad("y", "has " + std::to_string(l) + " variables, more than 2^31 - 1");
    auto lin = array_field<double>(o, "linear");
    auto C = array_field<double>(o, "C");
    auto sample = array_field<int32_t>(o, "sample");
    auto alpha0 = array_field<double>(o, "alpha", true);
    need_length(lin, "linear", l);
    need_length(C, "C", l);
    need_length(sample, "sample", l);
    if (alpha0.data) need_length(alpha0, "alpha", l);
    if (l > 0 && size == 0) throw bad("x", "has no samples for " + std::to_string(l) + " variables");
    for (int64_t i = 0; i < l; i++) {
      if (y.data[i] != 1 && y.data[i] != -1) throw bad("y", "entry " + std::to_string(i) + " is " + std::to_string(y.data[i]) + ", expected +1 or -1");
      if (sample.data[i] < 0 || sample.data[i] >= size) throw bad("sample", "entry " + std::to_string(i) + " is " + std::to_string(sample.data[i]) + ", outside [0, " + std::to_string(size) + ")");
      if (!(C.data[i] >= 0) || !std::isfinite(C.data[i])) throw bad("C", "entry " + std::to_string(i) + " is " + number(C.data[i]) + ", expected a finite number >= 0");
      if (!std::isfinite(lin.data[i])) throw bad("linear", "entry " + std::to_string(i) + " is not finite");
      if (alpha0.data && !(alpha0.data[i] >= 0 && alpha0.data[i] <= C.data[i])) throw bad("alpha", "entry " + std::to_string(i) + " is " + number(alpha0.data[i]) + ", outside [0, C]");
    }

    ml::SmoOptions opts;
    opts.tol = num_field(o, "tol");
    if (!(opts.tol > 0)) throw bad("tol", "must be > 0, got " + number(opts.tol));
    Napi::Value sh = o.Get("shrinking");
    if (!sh.IsBoolean()) throw bad("shrinking", "must be a boolean");
    opts.shrinking = sh.As<Napi::Boolean>().Value();
    opts.max_iter = int_field(o, "maxIter", -1, 9007199254740991.0);
    opts.cache_bytes = num_field(o, "cacheBytes");
    if (!(opts.cache_bytes > 0)) throw bad("cacheBytes", "must be > 0, got " + number(opts.cache_bytes));
    opts.batch_rows = static_cast<int>(int_field(o, "batchRows", 1, 65536));

    // Dense samples picked by an index are gathered once (the solver then sees size × cols).
    std::vector<double> gathered;
    const double* xs = x.data;
    if (!pre && index.data) {
      gathered.resize(size * cols);
      for (int64_t r = 0; r < size; r++) std::memcpy(gathered.data() + r * cols, x.data + index.data[r] * cols, cols * sizeof(double));
      xs = gathered.data();
    }
    std::vector<int32_t> all;
    if (pre && !index.data) {
      all.resize(size);
      for (int64_t i = 0; i < size; i++) all[i] = static_cast<int32_t>(i);
    }
    ml::RowSource source(kernel, gamma, degree, coef0, xs, size, cols, pre ? (index.data ? index.data : all.data()) : nullptr);
    ml::SmoProblem problem{l, y.data, lin.data, C.data, sample.data, alpha0.data};
    ml::SmoResult res = ml::smo_solve(source, problem, opts);

    Napi::Object out = Napi::Object::New(env);
    Napi::Float64Array alpha = Napi::Float64Array::New(env, static_cast<size_t>(l));
    if (l > 0) std::memcpy(alpha.Data(), res.alpha.data(), l * sizeof(double));
    out.Set("alpha", alpha);
    out.Set("rho", res.rho);
    out.Set("obj", res.obj);
    out.Set("nIter", static_cast<double>(res.n_iter));
    out.Set("timedOut", res.timed_out);
    out.Set("rowsComputed", static_cast<double>(res.rows_computed));
    return out;
  } catch (const KernelError& e) {
    Napi::Error err = Napi::Error::New(env, std::string("smoSolve: ") + e.what());
    err.Set("kernel", Napi::String::New(env, "smoSolve"));
    err.ThrowAsJavaScriptException();
  } catch (const std::bad_alloc&) {
    Napi::Error::New(env, "smoSolve: out of memory").ThrowAsJavaScriptException();
  } catch (const std::exception& e) {
    Napi::Error::New(env, std::string("smoSolve: ") + e.what()).ThrowAsJavaScriptException();
  }
  return env.Undefined();
}

}  // namespace

void RegisterSmo(Napi::Env env, Napi::Object exports) { exports.Set("smoSolve", Napi::Function::New(env, SmoSolve)); }

}  // namespace tensile

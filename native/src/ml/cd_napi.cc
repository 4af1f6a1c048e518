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
#include "../napi_args.h"
#include "cd.h"
#include "logistic.h"

namespace tensile {
namespace {

using namespace napi_args;

// The generator state: four uint32 words, not all zero (xoshiro's one fixed point).
ml::CdRandom* rng_arg(const Napi::CallbackInfo& info, size_t i, ml::CdRandom& rng, bool nullable) {
  uint32_t* s = exact_array_arg<uint32_t>(info, i, "rng", 4, nullable);
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
    const double* x = exact_array_arg<double>(info, 0, "x", product(n, p));
    const double* y = exact_array_arg<double>(info, 3, "y", product(n, t));
    const bool fit_intercept = bool_arg(info, 5, "fitIntercept");
    const double l1 = nonneg_arg(info, 6, "l1"), l2 = nonneg_arg(info, 7, "l2");
    const int64_t max_iter = count_arg(info, 8, "maxIter");
    const double tol = nonneg_arg(info, 9, "tol");
    const bool positive = bool_arg(info, 10, "positive");
    ml::CdRandom state;
    ml::CdRandom* rng = rng_arg(info, 11, state, true);
    double* coef = exact_array_arg<double>(info, 12, "coef", product(t, p));
    double* x_offset = exact_array_arg<double>(info, 13, "xOffset", p);
    double* y_offset = exact_array_arg<double>(info, 14, "yOffset", t);
    double* stats = exact_array_arg<double>(info, 15, "stats", product(2, t));
    ml::enet_fit(x, n, p, y, t, fit_intercept, l1, l2, max_iter, tol, positive, rng, coef, x_offset, y_offset, stats);
    if (rng) {
      uint32_t* s = exact_array_arg<uint32_t>(info, 11, "rng", 4);
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
    const double* x = exact_array_arg<double>(info, 0, "x", product(n, p));
    const int32_t* cls = exact_array_arg<int32_t>(info, 3, "cls", n);
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
    double* coef = exact_array_arg<double>(info, 11, "coef", product(rows, p));
    double* intercept = exact_array_arg<double>(info, 12, "intercept", rows);
    double* iters = exact_array_arg<double>(info, 13, "iters", rows);
    ml::svc_fit(x, n, p, cls, k, C, hinge, bias, tol, max_iter, rng, coef, intercept, iters);
    uint32_t* s = exact_array_arg<uint32_t>(info, 10, "rng", 4);
    for (int k2 = 0; k2 < 4; k2++) s[k2] = state.s[k2];
  });
}

// logisticBinary(x [n·p], n, p, y [n], w [p], b, r [n] out, grad [p] out, sums [2] out):
// see ml::logistic_binary.
Napi::Value LogisticBinary(const Napi::CallbackInfo& info) {
  return guarded(info, "logisticBinary", [&] {
    const int64_t n = count_arg(info, 1, "n"), p = count_arg(info, 2, "p");
    const double* x = exact_array_arg<double>(info, 0, "x", product(n, p));
    const double* y = exact_array_arg<double>(info, 3, "y", n);
    const double* w = exact_array_arg<double>(info, 4, "w", p);
    const double b = number_arg(info, 5, "b");
    double* r = exact_array_arg<double>(info, 6, "r", n);
    double* grad = exact_array_arg<double>(info, 7, "grad", p);
    double* sums = exact_array_arg<double>(info, 8, "sums", 2);
    ml::logistic_binary(x, n, p, y, w, b, r, grad, sums);
  });
}

}  // namespace

void RegisterCd(Napi::Env env, Napi::Object exports) {
  exports.Set("enetFit", Napi::Function::New(env, EnetFit));
  exports.Set("linearSvcFit", Napi::Function::New(env, LinearSvcFit));
  exports.Set("logisticBinary", Napi::Function::New(env, LogisticBinary));
}

}  // namespace tensile

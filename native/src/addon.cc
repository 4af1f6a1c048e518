// N-API surface of the native CPU backend. Tensor metadata (rank, shape, offsets, strides)
// arrives through one shared Int32Array written by lib/backends/cpu/cpu-backend.ts, so a call
// passes only the TypedArrays and a few numbers; the data is never copied. Every length,
// stride and index is checked here before a kernel runs: bad input throws, never crashes.
#include <napi.h>

#include <string>

#include "common.h"
#include "elementwise.h"
#include "gemm/gemm.h"
#include "linalg/linalg_napi.h"
#include "matmul.h"
#include "misc.h"
#include "ml/cd_napi.h"
#include "ml/smo_napi.h"
#include "optimizer.h"
#include "reduce.h"
#include "threadpool.h"

namespace tensile {
namespace {

Napi::Reference<Napi::Int32Array> g_meta_ref;

View typed(const Napi::CallbackInfo& info, size_t i, const char* op) {
  napi_env env = info.Env();
  napi_value v = info[i];
  bool is_ta = false;
  napi_is_typedarray(env, v, &is_ta);
  if (!is_ta) throw KernelError(std::string(op) + ": argument " + std::to_string(i) + " must be a TypedArray");
  napi_typedarray_type type;
  size_t length;
  void* data;
  napi_value ab;
  size_t byte_offset;
  napi_get_typedarray_info(env, v, &type, &length, &data, &ab, &byte_offset);
  View out;
  switch (type) {
    case napi_float32_array: out.dtype = DType::F32; break;
    case napi_float64_array: out.dtype = DType::F64; break;
    case napi_int32_array: out.dtype = DType::I32; break;
    case napi_uint8_array: out.dtype = DType::U8; break;
    default: throw KernelError(std::string(op) + ": unsupported TypedArray type");
  }
  out.data = data;
  out.length = data ? static_cast<int64_t>(length) : 0;  // a detached buffer has no elements
  return out;
}

// The pointer is looked up on every call, never cached: JS can detach (and so free) or shrink
// the registered buffer at any time. A detached buffer reads as empty.
Meta meta() {
  if (g_meta_ref.IsEmpty()) throw KernelError("addon not initialised: call init(metaBuffer) first");
  Napi::Int32Array arr = g_meta_ref.Value();
  return Meta{arr.Data(), arr.Data() ? static_cast<int64_t>(arr.ElementLength()) : 0};
}

int read_shape(Meta& m, int64_t* shape, const char* op) {
  int rank = m.next();
  if (rank < 0 || rank > kMaxRank) throw KernelError(std::string(op) + ": rank " + std::to_string(rank) + " is outside 0.." + std::to_string(kMaxRank));
  // The product of the non-zero dims is bounded (checked before multiplying, so it cannot
  // wrap): every product of dims the kernels form, empty shapes included, then fits in int64.
  int64_t extent = 1;
  for (int d = 0; d < rank; d++) {
    shape[d] = m.next();
    if (shape[d] < 0) throw KernelError(std::string(op) + ": negative dim " + std::to_string(shape[d]));
    if (shape[d] > 0) {
      if (extent > kMaxElements / shape[d]) throw KernelError(std::string(op) + ": shape too large");
      extent *= shape[d];
    }
  }
  return rank;
}

void read_view(Meta& m, View& v, int rank) {
  v.offset = m.next();
  for (int d = 0; d < rank; d++) v.strides[d] = m.next();
}

void same_dtype(const char* op, const View& a, const View& b) {
  if (a.dtype != b.dtype)
    throw KernelError(std::string(op) + ": dtype mismatch (" + dtype_name(a.dtype) + " vs " + dtype_name(b.dtype) + ")");
}

int op_code(const Napi::CallbackInfo& info, size_t i, int count, const char* op) {
  if (!info[i].IsNumber()) throw KernelError(std::string(op) + ": op code must be a number");
  int code = info[i].As<Napi::Number>().Int32Value();
  if (code < 0 || code >= count) throw KernelError(std::string(op) + ": unknown op code " + std::to_string(code));
  return code;
}

// Runs a kernel body, turning our errors into JS exceptions named after the kernel.
template <typename F>
Napi::Value guarded(const Napi::CallbackInfo& info, const char* name, F&& body) {
  try {
    body();
  } catch (const KernelError& e) {
    std::string msg = e.what();
    if (msg.rfind(name, 0) != 0) msg = std::string(name) + ": " + msg;
    Napi::Error err = Napi::Error::New(info.Env(), msg);
    err.Set("kernel", Napi::String::New(info.Env(), name));
    err.ThrowAsJavaScriptException();
  } catch (const std::bad_alloc&) {
    Napi::Error::New(info.Env(), std::string(name) + ": out of memory").ThrowAsJavaScriptException();
  }
  return info.Env().Undefined();
}

Napi::Value Init(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array)
    Napi::TypeError::New(info.Env(), "init: expected an Int32Array").ThrowAsJavaScriptException();
  else {
    auto arr = info[0].As<Napi::Int32Array>();
    g_meta_ref = Napi::Persistent(arr);
  }
  return info.Env().Undefined();
}

Napi::Value Unary(const Napi::CallbackInfo& info) {
  return guarded(info, "unary", [&] {
    int op = op_code(info, 0, kNumUnaryOps, "unary");
    View x = typed(info, 1, "unary"), out = typed(info, 2, "unary");
    Meta m = meta();
    int64_t shape[kMaxRank];
    int rank = read_shape(m, shape, "unary");
    read_view(m, x, rank);
    read_view(m, out, rank);
    check_bounds("unary x", x, shape, rank);
    check_bounds("unary out", out, shape, rank);
    if (op == kNumUnaryOps - 1 ? out.dtype != DType::U8 : out.dtype != x.dtype) throw KernelError("unary: wrong output dtype");
    unary(op, rank, shape, x, out);
  });
}

Napi::Value Binary(const Napi::CallbackInfo& info) {
  return guarded(info, "binary", [&] {
    int op = op_code(info, 0, kNumBinaryOps, "binary");
    View a = typed(info, 1, "binary"), b = typed(info, 2, "binary"), out = typed(info, 3, "binary");
    Meta m = meta();
    int64_t shape[kMaxRank];
    int rank = read_shape(m, shape, "binary");
    read_view(m, a, rank);
    read_view(m, b, rank);
    read_view(m, out, rank);
    check_bounds("binary a", a, shape, rank);
    check_bounds("binary b", b, shape, rank);
    check_bounds("binary out", out, shape, rank);
    same_dtype("binary", a, b);
    if (op >= 7 ? out.dtype != DType::U8 : out.dtype != a.dtype) throw KernelError("binary: wrong output dtype");
    binary(op, rank, shape, a, b, out);
  });
}

Napi::Value Where(const Napi::CallbackInfo& info) {
  return guarded(info, "where", [&] {
    View c = typed(info, 0, "where"), a = typed(info, 1, "where"), b = typed(info, 2, "where"), out = typed(info, 3, "where");
    Meta m = meta();
    int64_t shape[kMaxRank];
    int rank = read_shape(m, shape, "where");
    for (View* v : {&c, &a, &b, &out}) read_view(m, *v, rank);
    check_bounds("where cond", c, shape, rank);
    check_bounds("where a", a, shape, rank);
    check_bounds("where b", b, shape, rank);
    check_bounds("where out", out, shape, rank);
    if (c.dtype != DType::U8) throw KernelError("where: cond must be bool");
    same_dtype("where", a, b);
    same_dtype("where", a, out);
    where(rank, shape, c, a, b, out);
  });
}

Napi::Value Copy(const Napi::CallbackInfo& info) {
  return guarded(info, "copy", [&] {
    View x = typed(info, 0, "copy"), out = typed(info, 1, "copy");
    Meta m = meta();
    int64_t shape[kMaxRank];
    int rank = read_shape(m, shape, "copy");
    read_view(m, x, rank);
    read_view(m, out, rank);
    check_bounds("copy x", x, shape, rank);
    check_bounds("copy out", out, shape, rank);
    copy(rank, shape, x, out);
  });
}

Napi::Value Fill(const Napi::CallbackInfo& info) {
  return guarded(info, "fill", [&] {
    View out = typed(info, 0, "fill");
    if (!info[1].IsNumber()) throw KernelError("fill: value must be a number");
    double value = info[1].As<Napi::Number>().DoubleValue();
    Meta m = meta();
    int64_t shape[kMaxRank];
    int rank = read_shape(m, shape, "fill");
    read_view(m, out, rank);
    check_bounds("fill out", out, shape, rank);
    fill(rank, shape, out, value);
  });
}

Napi::Value Reduce(const Napi::CallbackInfo& info) {
  return guarded(info, "reduce", [&] {
    int op = op_code(info, 0, kNumReduceOps, "reduce");
    View x = typed(info, 1, "reduce"), out = typed(info, 2, "reduce");
    Meta m = meta();
    int64_t shape[kMaxRank];
    int rank = read_shape(m, shape, "reduce");
    read_view(m, x, rank);
    out.offset = m.next();
    int naxes = m.next();
    if (naxes < 0 || naxes > rank) throw KernelError("reduce: bad axis count");
    int axes[kMaxRank];
    int64_t out_size = 1;
    for (int j = 0; j < naxes; j++) {
      axes[j] = m.next();
      if (axes[j] < 0 || axes[j] >= rank || (j > 0 && axes[j] <= axes[j - 1])) throw KernelError("reduce: axes must be sorted, distinct and in range");
    }
    for (int d = 0; d < rank; d++) {
      bool red = false;
      for (int j = 0; j < naxes; j++) red |= axes[j] == d;
      if (!red) out_size *= shape[d];
    }
    check_bounds("reduce x", x, shape, rank);
    if (out_size > 0 && (out.offset < 0 || out.offset + out_size > out.length)) throw KernelError("reduce: output buffer too small");
    if (op >= 4 && out.dtype != DType::I32) throw KernelError("reduce: argmax/argmin write int32");
    if (op >= 4 && naxes != 1) throw KernelError("reduce: argmax/argmin take exactly one axis");
    int64_t red_size = 1;
    for (int j = 0; j < naxes; j++) red_size *= shape[axes[j]];
    if (red_size == 0 && out_size > 0 && op >= 2) throw KernelError("reduce: cannot take max/min/argmax/argmin over an empty axis");
    reduce(op, rank, shape, x, naxes, axes, out);
  });
}

Napi::Value Matmul(const Napi::CallbackInfo& info) {
  return guarded(info, "matmul", [&] {
    View a = typed(info, 0, "matmul"), b = typed(info, 1, "matmul"), out = typed(info, 2, "matmul");
    Meta m = meta();
    int64_t shape[kMaxRank];
    int rank = read_shape(m, shape, "matmul");
    if (rank < 2) throw KernelError("matmul: output rank must be >= 2");
    read_view(m, a, rank);
    read_view(m, b, rank);
    read_view(m, out, rank);
    int64_t K = m.next();
    bool ta = m.next() != 0, tb = m.next() != 0;
    if (K < 0) throw KernelError("matmul: negative K");
    const int64_t M = shape[rank - 2], N = shape[rank - 1];
    int64_t sa[kMaxRank], sb[kMaxRank];
    for (int d = 0; d < rank - 2; d++) sa[d] = sb[d] = shape[d];
    sa[rank - 2] = ta ? K : M; sa[rank - 1] = ta ? M : K;
    sb[rank - 2] = tb ? N : K; sb[rank - 1] = tb ? K : N;
    check_bounds("matmul a", a, sa, rank);
    check_bounds("matmul b", b, sb, rank);
    check_bounds("matmul out", out, shape, rank);
    same_dtype("matmul", a, b);
    same_dtype("matmul", a, out);
    if (out.strides[rank - 1] != 1) throw KernelError("matmul: out must be row-contiguous");
    matmul(rank, shape, K, a, b, out, ta, tb);
  });
}

// gather and scatterAdd share one argument layout: three views over the index's iteration
// space, then the axis and the length of the indexed tensor (gather's x, scatterAdd's out)
// along it, whose shape is the index's with that length at the axis.
struct IndexedArgs {
  int rank, axis;
  int64_t axis_size;
  int64_t shape[kMaxRank], indexed[kMaxRank];
};

IndexedArgs read_indexed(const char* op, View& v0, View& v1, View& v2) {
  IndexedArgs r;
  Meta m = meta();
  r.rank = read_shape(m, r.shape, op);
  read_view(m, v0, r.rank);
  read_view(m, v1, r.rank);
  read_view(m, v2, r.rank);
  r.axis = m.next();
  r.axis_size = m.next();
  if (r.axis < 0 || r.axis >= r.rank || r.axis_size < 0) throw KernelError(std::string(op) + ": bad axis");
  for (int d = 0; d < r.rank; d++) r.indexed[d] = d == r.axis ? r.axis_size : r.shape[d];
  return r;
}

Napi::Value Gather(const Napi::CallbackInfo& info) {
  return guarded(info, "gather", [&] {
    View x = typed(info, 0, "gather"), idx = typed(info, 1, "gather"), out = typed(info, 2, "gather");
    IndexedArgs a = read_indexed("gather", x, idx, out);
    if (a.axis_size > 0) check_bounds("gather x", x, a.indexed, a.rank);
    check_bounds("gather index", idx, a.shape, a.rank);
    check_bounds("gather out", out, a.shape, a.rank);
    if (idx.dtype != DType::I32) throw KernelError("gather: index must be int32");
    same_dtype("gather", x, out);
    gather(a.rank, a.shape, x, a.axis_size, idx, out, a.axis);
  });
}

Napi::Value ScatterAdd(const Napi::CallbackInfo& info) {
  return guarded(info, "scatterAdd", [&] {
    View idx = typed(info, 0, "scatterAdd"), src = typed(info, 1, "scatterAdd"), out = typed(info, 2, "scatterAdd");
    IndexedArgs a = read_indexed("scatterAdd", idx, src, out);
    check_bounds("scatterAdd index", idx, a.shape, a.rank);
    check_bounds("scatterAdd src", src, a.shape, a.rank);
    if (a.axis_size > 0) check_bounds("scatterAdd out", out, a.indexed, a.rank);
    if (idx.dtype != DType::I32) throw KernelError("scatterAdd: index must be int32");
    same_dtype("scatterAdd", src, out);
    scatter_add(a.rank, a.shape, idx, src, out, a.axis_size, a.axis);
  });
}

Napi::Value Random(const Napi::CallbackInfo& info) {
  return guarded(info, "random", [&] {
    View out = typed(info, 0, "random");
    for (size_t i = 1; i <= 3; i++)
      if (!info[i].IsNumber()) throw KernelError("random: dist, seed and counter must be numbers");
    bool normal = info[1].As<Napi::Number>().Int32Value() != 0;
    double seed = info[2].As<Napi::Number>().DoubleValue(), counter = info[3].As<Napi::Number>().DoubleValue();
    if (!(seed >= 0 && seed < 9007199254740992.0) || !(counter >= 0 && counter < 9007199254740992.0))
      throw KernelError("random: seed and counter must be non-negative integers below 2^53");
    Meta m = meta();
    int64_t shape[kMaxRank];
    int rank = read_shape(m, shape, "random");
    read_view(m, out, rank);
    check_bounds("random out", out, shape, rank);
    random(rank, shape, out, normal, static_cast<uint64_t>(seed), static_cast<uint64_t>(counter));
  });
}

Napi::Value Softmax(const Napi::CallbackInfo& info) {
  return guarded(info, "softmax", [&] {
    bool log = info[0].ToBoolean().Value();
    View x = typed(info, 1, "softmax"), out = typed(info, 2, "softmax");
    Meta m = meta();
    int64_t shape[kMaxRank];
    int rank = read_shape(m, shape, "softmax");
    read_view(m, x, rank);
    read_view(m, out, rank);
    int axis = m.next();
    if (axis < 0 || axis >= rank) throw KernelError("softmax: bad axis");
    check_bounds("softmax x", x, shape, rank);
    check_bounds("softmax out", out, shape, rank);
    same_dtype("softmax", x, out);
    softmax(log, rank, shape, x, out, axis);
  });
}

Napi::Value AdamUpdate(const Napi::CallbackInfo& info) {
  return guarded(info, "adamUpdate", [&] {
    View p = typed(info, 0, "adamUpdate"), g = typed(info, 1, "adamUpdate"), m = typed(info, 2, "adamUpdate"), v = typed(info, 3, "adamUpdate");
    const bool ams = !info[4].IsNull() && !info[4].IsUndefined();
    View x;
    if (ams) x = typed(info, 4, "adamUpdate");
    if (!info[5].IsObject()) throw KernelError("adamUpdate: options must be an object");
    Napi::Object opts = info[5].As<Napi::Object>();
    auto num = [&](const char* k) {
      Napi::Value val = opts.Get(k);
      if (!val.IsNumber()) throw KernelError(std::string("adamUpdate: option '") + k + "' must be a number");
      return val.As<Napi::Number>().DoubleValue();
    };
    AdamOptions o{num("beta1"), num("beta2"), num("eps"), num("weightDecay"), num("lr"), num("stepSize"), num("biasCorrection2Sqrt"),
                  opts.Get("decoupled").ToBoolean().Value(), opts.Get("maximize").ToBoolean().Value()};
    Meta mt = meta();
    const int64_t n = mt.next();
    if (n < 0) throw KernelError("adamUpdate: negative size");
    View* views[5] = {&p, &g, &m, &v, &x};
    for (int k = 0; k < (ams ? 5 : 4); k++) {
      views[k]->offset = mt.next();
      if (n > 0 && (views[k]->offset < 0 || views[k]->offset + n > views[k]->length))
        throw KernelError("adamUpdate: operand " + std::to_string(k) + " is too small for " + std::to_string(n) + " elements at offset " + std::to_string(views[k]->offset));
      if (views[k]->dtype != p.dtype) throw KernelError("adamUpdate: all operands must share a dtype");
    }
    adam_update(p, g, m, v, ams ? &x : nullptr, n, o);
  });
}

Napi::Array names(Napi::Env env, const char* const* list, int n) {
  Napi::Array a = Napi::Array::New(env, n);
  for (int i = 0; i < n; i++) a.Set(i, Napi::String::New(env, list[i]));
  return a;
}

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("isa", gemm_impl().isa);
  const char* isas[4];
  int n = available_isas(isas, 4);
  o.Set("isas", names(env, isas, n));
  o.Set("threads", num_threads());
  o.Set("unaryOps", names(env, kUnaryOps, kNumUnaryOps));
  o.Set("binaryOps", names(env, kBinaryOps, kNumBinaryOps));
  o.Set("reduceOps", names(env, kReduceOps, kNumReduceOps));
#if defined(__clang__)
  o.Set("compiler", "clang " __clang_version__);
#elif defined(__GNUC__)
  o.Set("compiler", "gcc " __VERSION__);
#endif
  return o;
}

Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  int n = info[0].As<Napi::Number>().Int32Value();
  if (n < 1 || n > 1024) {
    Napi::RangeError::New(info.Env(), "setNumThreads: expected 1..1024").ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  set_num_threads(n);
  return Napi::Number::New(info.Env(), num_threads());
}

Napi::Value SetIsa(const Napi::CallbackInfo& info) {
  std::string name = info[0].As<Napi::String>().Utf8Value();
  return Napi::Boolean::New(info.Env(), set_gemm_isa(name.c_str()));
}

Napi::Object Module(Napi::Env env, Napi::Object exports) {
  exports.Set("init", Napi::Function::New(env, Init));
  exports.Set("unary", Napi::Function::New(env, Unary));
  exports.Set("binary", Napi::Function::New(env, Binary));
  exports.Set("where", Napi::Function::New(env, Where));
  exports.Set("copy", Napi::Function::New(env, Copy));
  exports.Set("fill", Napi::Function::New(env, Fill));
  exports.Set("reduce", Napi::Function::New(env, Reduce));
  exports.Set("matmul", Napi::Function::New(env, Matmul));
  exports.Set("gather", Napi::Function::New(env, Gather));
  exports.Set("scatterAdd", Napi::Function::New(env, ScatterAdd));
  exports.Set("random", Napi::Function::New(env, Random));
  exports.Set("softmax", Napi::Function::New(env, Softmax));
  exports.Set("adamUpdate", Napi::Function::New(env, AdamUpdate));
  exports.Set("info", Napi::Function::New(env, Info));
  exports.Set("setNumThreads", Napi::Function::New(env, SetNumThreads));
  exports.Set("setIsa", Napi::Function::New(env, SetIsa));
  RegisterLinalg(env, exports);
  RegisterCd(env, exports);
  RegisterSmo(env, exports);
  return exports;
}

}  // namespace
}  // namespace tensile

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return tensile::Module(env, exports); }
NODE_API_MODULE(tensile_native, InitAddon)

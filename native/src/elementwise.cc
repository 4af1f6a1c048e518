// Elementwise kernels: one strided loop template per arity, the op picked once per call by a
// switch over the op code, the math written once as a generic lambda. Floats compute in their
// own type; int32/bool compute in double and store with JS's conversions, as the js oracle.
#include "elementwise.h"

#include <cmath>

#include "strided.h"
#include "threadpool.h"

namespace tensile {

const char* const kUnaryOps[] = {"neg", "exp", "log", "sqrt", "rsqrt", "abs", "sign", "sin", "cos", "tanh",
                                 "sigmoid", "relu", "square", "reciprocal", "floor", "ceil", "round", "log1p",
                                 "expm1", "erf", "erfc", "logicalNot"};
const int kNumUnaryOps = sizeof(kUnaryOps) / sizeof(kUnaryOps[0]);
const char* const kBinaryOps[] = {"add", "sub", "mul", "div", "pow", "maximum", "minimum", "eq",
                                  "ne",  "lt",  "le",  "gt",  "ge",  "logicalAnd", "logicalOr"};
const int kNumBinaryOps = sizeof(kBinaryOps) / sizeof(kBinaryOps[0]);

namespace {

// Cheap ops are memory-bound: big chunks; transcendental ones are compute-bound.
constexpr int64_t kGrainCheap = 1 << 16;
constexpr int64_t kGrainCostly = 1 << 13;

template <typename T> constexpr bool is_float_v = std::is_floating_point<T>::value;
// The type the math runs in: floats in themselves, int32/bool in double (as JS does).
template <typename T> using Calc = typename std::conditional<is_float_v<T>, T, double>::type;

template <typename T, typename R> inline T store(R v) {
  if constexpr (is_float_v<T>) return static_cast<T>(v);
  else return from_double<T>(static_cast<double>(v));
}

template <typename TI, typename TO, typename F>
void run_unary(const StridedIter<2>& it, const View& x, const View& out, int64_t grain, F f) {
  const TI* xp = static_cast<const TI*>(x.data);
  TO* op = static_cast<TO*>(out.data);
  const int64_t sx = it.inner_stride(0), so = it.inner_stride(1);
  parallel_for(it.size, grain, [&](int64_t b, int64_t e) {
    it.for_range(b, e, [&](const int64_t* o, int64_t n) {
      const TI* xs = xp + o[0];
      TO* os = op + o[1];
      if (sx == 1 && so == 1) {
        for (int64_t i = 0; i < n; i++) os[i] = f(xs[i]);
      } else {
        for (int64_t i = 0; i < n; i++) os[i * so] = f(xs[i * sx]);
      }
    });
  });
}

template <typename T, typename TO, typename F>
void run_binary(const StridedIter<3>& it, const View& a, const View& b, const View& out, int64_t grain, F f) {
  const T* ap = static_cast<const T*>(a.data);
  const T* bp = static_cast<const T*>(b.data);
  TO* op = static_cast<TO*>(out.data);
  const int64_t sa = it.inner_stride(0), sb = it.inner_stride(1), so = it.inner_stride(2);
  parallel_for(it.size, grain, [&](int64_t lo, int64_t hi) {
    it.for_range(lo, hi, [&](const int64_t* o, int64_t n) {
      const T* as = ap + o[0];
      const T* bs = bp + o[1];
      TO* os = op + o[2];
      // The common layouts get loops the compiler can vectorise.
      if (so == 1 && sa == 1 && sb == 1) {
        for (int64_t i = 0; i < n; i++) os[i] = f(as[i], bs[i]);
      } else if (so == 1 && sa == 1 && sb == 0) {
        const T bv = bs[0];
        for (int64_t i = 0; i < n; i++) os[i] = f(as[i], bv);
      } else if (so == 1 && sa == 0 && sb == 1) {
        const T av = as[0];
        for (int64_t i = 0; i < n; i++) os[i] = f(av, bs[i]);
      } else {
        for (int64_t i = 0; i < n; i++) os[i * so] = f(as[i * sa], bs[i * sb]);
      }
    });
  });
}

template <typename V> inline V sigmoid(V x) {
  if (x >= 0) return V(1) / (V(1) + std::exp(-x));
  V e = std::exp(x);
  return e / (V(1) + e);
}

// Math.pow, not C's pow: a NaN exponent gives NaN (C: pow(1, NaN) = 1), and so does |x| == 1
// with an infinite exponent (C: pow(-1, inf) = 1).
template <typename V> inline V js_pow(V x, V y) {
  if (y != y) return y;
  if (std::isinf(y) && std::fabs(x) == V(1)) return V(NAN);
  return std::pow(x, y);
}

// JS truthiness: NaN and 0 are false.
template <typename V> inline bool truthy(V x) { return x == x && x != 0; }

template <typename V> inline V sign_of(V x) { return x > 0 ? V(1) : x < 0 ? V(-1) : x; }

template <typename T>
void unary_typed(int op, const StridedIter<2>& it, const View& x, const View& out) {
  using V = Calc<T>;
#define U(code, grain, expr) \
  case code: return run_unary<T, T>(it, x, out, grain, [](T t) -> T { V v = static_cast<V>(t); return store<T>(expr); })
  switch (op) {
    U(0, kGrainCheap, -v);
    U(1, kGrainCostly, std::exp(v));
    U(2, kGrainCostly, std::log(v));
    U(3, kGrainCheap, std::sqrt(v));
    U(4, kGrainCheap, V(1) / std::sqrt(v));
    U(5, kGrainCheap, std::fabs(v));
    U(6, kGrainCheap, sign_of(v));
    U(7, kGrainCostly, std::sin(v));
    U(8, kGrainCostly, std::cos(v));
    U(9, kGrainCostly, std::tanh(v));
    U(10, kGrainCostly, sigmoid(v));
    U(11, kGrainCheap, (v > 0 ? v : (v != v ? v : V(0))));
    U(12, kGrainCheap, v * v);
    U(13, kGrainCheap, V(1) / v);
    U(14, kGrainCheap, std::floor(v));
    U(15, kGrainCheap, std::ceil(v));
    U(16, kGrainCheap, std::nearbyint(v));  // round half to even in the default FP mode
    U(17, kGrainCostly, std::log1p(v));
    U(18, kGrainCostly, std::expm1(v));
    U(19, kGrainCostly, std::erf(v));
    U(20, kGrainCostly, std::erfc(v));
    case 21:
      return run_unary<T, uint8_t>(it, x, out, kGrainCheap, [](T t) -> uint8_t { return truthy(t) ? 0 : 1; });
    default: throw KernelError("unary: unknown op code " + std::to_string(op));
  }
#undef U
}

template <typename T>
void binary_typed(int op, const StridedIter<3>& it, const View& a, const View& b, const View& out) {
  using V = Calc<T>;
#define B(code, grain, expr)                                                                 \
  case code:                                                                                  \
    return run_binary<T, T>(it, a, b, out, grain, [](T ta, T tb) -> T {                      \
      V x = static_cast<V>(ta), y = static_cast<V>(tb);                                       \
      return store<T>(expr);                                                                  \
    })
#define C(code, expr) \
  case code: return run_binary<T, uint8_t>(it, a, b, out, kGrainCheap, [](T x, T y) -> uint8_t { return (expr) ? 1 : 0; })
  switch (op) {
    B(0, kGrainCheap, x + y);
    B(1, kGrainCheap, x - y);
    B(2, kGrainCheap, x * y);
    B(3, kGrainCheap, x / y);
    B(4, kGrainCostly, js_pow(x, y));
    B(5, kGrainCheap, (x != x || y != y) ? V(NAN) : (x > y ? x : y));
    B(6, kGrainCheap, (x != x || y != y) ? V(NAN) : (x < y ? x : y));
    C(7, x == y);
    C(8, x != y);
    C(9, x < y);
    C(10, x <= y);
    C(11, x > y);
    C(12, x >= y);
    C(13, truthy(x) && truthy(y));
    C(14, truthy(x) || truthy(y));
    default: throw KernelError("binary: unknown op code " + std::to_string(op));
  }
#undef B
#undef C
}

}  // namespace

void unary(int op, int rank, const int64_t* shape, const View& x, const View& out) {
  const View* vs[2] = {&x, &out};
  StridedIter<2> it(rank, shape, vs);
  if (it.size == 0) return;
  dispatch_dtype(x.dtype, [&](auto t) { unary_typed<decltype(t)>(op, it, x, out); });
}

void binary(int op, int rank, const int64_t* shape, const View& a, const View& b, const View& out) {
  const View* vs[3] = {&a, &b, &out};
  StridedIter<3> it(rank, shape, vs);
  if (it.size == 0) return;
  dispatch_dtype(a.dtype, [&](auto t) { binary_typed<decltype(t)>(op, it, a, b, out); });
}

void where(int rank, const int64_t* shape, const View& c, const View& a, const View& b, const View& out) {
  const View* vs[4] = {&c, &a, &b, &out};
  StridedIter<4> it(rank, shape, vs);
  if (it.size == 0) return;
  dispatch_dtype(a.dtype, [&](auto t) {
    using T = decltype(t);
    const uint8_t* cp = static_cast<const uint8_t*>(c.data);
    const T* ap = static_cast<const T*>(a.data);
    const T* bp = static_cast<const T*>(b.data);
    T* op = static_cast<T*>(out.data);
    const int64_t sc = it.inner_stride(0), sa = it.inner_stride(1), sb = it.inner_stride(2), so = it.inner_stride(3);
    parallel_for(it.size, kGrainCheap, [&](int64_t lo, int64_t hi) {
      it.for_range(lo, hi, [&](const int64_t* o, int64_t n) {
        for (int64_t i = 0; i < n; i++)
          op[o[3] + i * so] = cp[o[0] + i * sc] ? ap[o[1] + i * sa] : bp[o[2] + i * sb];
      });
    });
  });
}

namespace {
template <typename TI, typename TO> inline TO convert(TI v) {
  if constexpr (std::is_same<TO, uint8_t>::value) return v != 0 ? 1 : 0;  // NaN is true
  else if constexpr (std::is_same<TO, int32_t>::value && is_float_v<TI>) return to_int32_js(static_cast<double>(v));
  else return static_cast<TO>(v);
}
}  // namespace

void copy(int rank, const int64_t* shape, const View& x, const View& out) {
  const View* vs[2] = {&x, &out};
  StridedIter<2> it(rank, shape, vs);
  if (it.size == 0) return;
  dispatch_dtype(x.dtype, [&](auto ti) {
    using TI = decltype(ti);
    dispatch_dtype(out.dtype, [&](auto to) {
      using TO = decltype(to);
      run_unary<TI, TO>(it, x, out, kGrainCheap, [](TI v) -> TO { return convert<TI, TO>(v); });
    });
  });
}

void fill(int rank, const int64_t* shape, const View& out, double value) {
  const View* vs[2] = {&out, &out};
  StridedIter<2> it(rank, shape, vs);
  if (it.size == 0) return;
  dispatch_dtype(out.dtype, [&](auto t) {
    using T = decltype(t);
    const T v = from_double<T>(value);
    T* op = static_cast<T*>(out.data);
    const int64_t so = it.inner_stride(1);
    parallel_for(it.size, kGrainCheap, [&](int64_t lo, int64_t hi) {
      it.for_range(lo, hi, [&](const int64_t* o, int64_t n) {
        for (int64_t i = 0; i < n; i++) op[o[1] + i * so] = v;
      });
    });
  });
}

}  // namespace tensile

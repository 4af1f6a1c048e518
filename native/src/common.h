// Shared vocabulary of the addon: dtypes, strided views read from the shared metadata
// buffer, bounds checks, and JS number-conversion semantics (so int results match the js
// oracle bit for bit).
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>

namespace tensile {

enum class DType { F32, F64, I32, U8 };

inline const char* dtype_name(DType d) {
  switch (d) {
    case DType::F32: return "float32";
    case DType::F64: return "float64";
    case DType::I32: return "int32";
    default: return "bool";
  }
}

// Bad input from JS: becomes a TensileError on the JS side.
struct KernelError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

constexpr int kMaxRank = 16;
// Most elements (counting each non-zero dim) a shape may describe.
constexpr int64_t kMaxElements = int64_t(1) << 40;

// A strided operand: the data pointer is typed by the caller.
struct View {
  void* data = nullptr;
  int64_t length = 0;  // elements in the whole buffer
  DType dtype = DType::F32;
  int64_t offset = 0;
  int64_t strides[kMaxRank] = {0};
};

// Cursor over the shared Int32 metadata buffer written by lib/backends/cpu.
struct Meta {
  const int32_t* p;
  int64_t n;
  int64_t i = 0;
  int32_t next() {
    if (i >= n) throw KernelError("metadata buffer overrun");
    return p[i++];
  }
};

inline int64_t shape_size(const int64_t* shape, int rank) {
  int64_t s = 1;
  for (int d = 0; d < rank; d++) s *= shape[d];
  return s;
}

// Every element the view can touch must lie inside its buffer.
inline void check_bounds(const char* what, const View& v, const int64_t* shape, int rank) {
  for (int d = 0; d < rank; d++)
    if (shape[d] == 0) return;  // nothing is read
  int64_t lo = v.offset, hi = v.offset;
  bool overflow = false;
  for (int d = 0; d < rank; d++) {
    int64_t e;
    overflow |= __builtin_mul_overflow(shape[d] - 1, v.strides[d], &e);
    overflow |= e < 0 ? __builtin_add_overflow(lo, e, &lo) : __builtin_add_overflow(hi, e, &hi);
  }
  if (overflow) throw KernelError(std::string(what) + ": view extent overflows");
  if (lo < 0 || hi >= v.length) {
    throw KernelError(std::string(what) + ": view reaches elements [" + std::to_string(lo) + ", " +
                      std::to_string(hi) + "] of a buffer of " + std::to_string(v.length));
  }
}

// JS ToInt32: NaN/inf -> 0, truncate, wrap modulo 2^32 (what Int32Array stores).
inline int32_t to_int32_js(double v) {
  if (!std::isfinite(v)) return 0;
  double t = std::trunc(v);
  double m = std::fmod(t, 4294967296.0);
  if (m < 0) m += 4294967296.0;
  uint32_t u = static_cast<uint32_t>(m);
  return static_cast<int32_t>(u);
}

// JS ToUint8 (what Uint8Array stores).
inline uint8_t to_uint8_js(double v) { return static_cast<uint8_t>(static_cast<uint32_t>(to_int32_js(v)) & 0xff); }

template <typename T> inline T from_double(double v) { return static_cast<T>(v); }
template <> inline int32_t from_double<int32_t>(double v) { return to_int32_js(v); }
template <> inline uint8_t from_double<uint8_t>(double v) { return to_uint8_js(v); }

template <typename F>
auto dispatch_dtype(DType d, F&& f) {
  switch (d) {
    case DType::F32: return f(float{});
    case DType::F64: return f(double{});
    case DType::I32: return f(int32_t{});
    default: return f(uint8_t{});
  }
}

}  // namespace tensile

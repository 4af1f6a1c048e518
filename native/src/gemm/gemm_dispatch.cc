// Picks the GEMM build for this CPU at run time; no -march=native anywhere.
#include <cstdlib>
#include <cstring>
#include <initializer_list>

#include "gemm.h"

namespace tensile {
namespace {

bool cpu_has(const char* isa) {
#if defined(__x86_64__) || defined(_M_X64)
  __builtin_cpu_init();
  if (std::strcmp(isa, "avx512") == 0) return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma");
  if (std::strcmp(isa, "avx2") == 0) return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
  return std::strcmp(isa, "generic") == 0;
}

GemmImpl by_name(const char* isa) {
#if defined(__x86_64__) || defined(_M_X64)
  if (std::strcmp(isa, "avx512") == 0) return avx512::impl();
  if (std::strcmp(isa, "avx2") == 0) return avx2::impl();
#endif
  return generic::impl();
}

GemmImpl& current() {
  static GemmImpl impl = [] {
    const char* forced = std::getenv("TENSILE_ISA");
    if (forced && cpu_has(forced)) return by_name(forced);
    for (const char* isa : {"avx512", "avx2"})
      if (cpu_has(isa)) return by_name(isa);
    return generic::impl();
  }();
  return impl;
}

}  // namespace

const GemmImpl& gemm_impl() { return current(); }

bool set_gemm_isa(const char* name) {
  if (!cpu_has(name)) return false;
  current() = by_name(name);
  return true;
}

int available_isas(const char** out, int max) {
  int n = 0;
  for (const char* isa : {"avx512", "avx2", "generic"})
    if (cpu_has(isa) && n < max) out[n++] = isa;
  return n;
}

}  // namespace tensile

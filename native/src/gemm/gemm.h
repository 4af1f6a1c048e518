// GEMM entry points: C (row-major, ldc) = op(A) op(B), with op folded into the element
// strides (A(i,k) = A[i*rsa + k*csa]) so transposes cost nothing. One set per ISA; the
// dispatcher in gemm_dispatch.cc picks the best the CPU supports.
#pragma once
#include <cstdint>

namespace tensile {

struct GemmArgs {
  int64_t M, N, K;
  const void* A; int64_t rsa, csa;
  const void* B; int64_t rsb, csb;
  void* C; int64_t ldc;
  bool threaded;  // may use the thread pool
};

using GemmFn = void (*)(const GemmArgs&);

struct GemmImpl {
  const char* isa;
  GemmFn f32;
  GemmFn f64;
};

namespace generic { GemmImpl impl(); }
#if defined(__x86_64__) || defined(_M_X64)
namespace avx2 { GemmImpl impl(); }
namespace avx512 { GemmImpl impl(); }
#endif

// The implementation in use, chosen once from the CPU's features (TENSILE_ISA overrides).
const GemmImpl& gemm_impl();
// Forces an ISA ("generic", "avx2", "avx512"); false if this CPU or build lacks it.
bool set_gemm_isa(const char* name);
// ISAs this CPU and build can run.
int available_isas(const char** out, int max);

}  // namespace tensile

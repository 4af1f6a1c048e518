// Picks the linalg level-1 kernels that match the GEMM's ISA (gemm_dispatch.cc chooses it
// from the CPU's features, TENSILE_ISA or setIsa), so one switch moves every kernel.
#include <cstring>

#include "../gemm/gemm.h"
#include "vec.h"

namespace tensile {
namespace linalg {

const VecKernels& vec() {
#if defined(__x86_64__) || defined(_M_X64)
  static const VecKernels k512 = avx512::vec_kernels(), k2 = avx2::vec_kernels();
  const char* isa = gemm_impl().isa;
  if (std::strcmp(isa, "avx512") == 0) return k512;
  if (std::strcmp(isa, "avx2") == 0) return k2;
#endif
  static const VecKernels kg = generic::vec_kernels();
  return kg;
}

}  // namespace linalg
}  // namespace tensile

// GEMM built for the avx512 ISA (this file alone gets its compiler flags, see CMakeLists.txt).
// Block sizes: MR rows x NV vectors per micro-tile, then MC, KC, NC (BLIS's config/ idea).
#define TENSILE_ISA_AVX512 1
#define TENSILE_ISA_NS avx512
#include "simd.h"
#include "gemm_driver.h"

namespace tensile {
namespace avx512 {

GemmImpl impl() {
  return GemmImpl{"avx512", &gemm<VF32, 12, 2, 144, 256, 4096>, &gemm<VF64, 12, 2, 144, 256, 4096>};
}

}  // namespace avx512
}  // namespace tensile

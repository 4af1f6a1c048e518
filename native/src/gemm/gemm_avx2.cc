// GEMM built for the avx2 ISA (this file alone gets its compiler flags, see CMakeLists.txt).
// Block sizes: MR rows x NV vectors per micro-tile, then MC, KC, NC (BLIS's config/ idea).
#define TENSILE_ISA_AVX2 1
#define TENSILE_ISA_NS avx2
#include "simd.h"
#include "gemm_driver.h"

namespace tensile {
namespace avx2 {

GemmImpl impl() {
  return GemmImpl{"avx2", &gemm<VF32, 6, 2, 144, 256, 4080>, &gemm<VF64, 6, 2, 120, 256, 4080>};
}

}  // namespace avx2
}  // namespace tensile

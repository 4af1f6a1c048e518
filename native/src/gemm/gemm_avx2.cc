// GEMM built for the avx2 ISA (this file alone gets its compiler flags, see CMakeLists.txt).
// Block sizes: MR rows x NV vectors per micro-tile, then MC, KC, NC (BLIS's config/ idea;
// gemm_driver.h says where each block lives: A block MC x KC in L3, B chunk KC x NC in L2).
#define TENSILE_ISA_AVX2 1
#define TENSILE_ISA_NS avx2
#include "simd.h"
#include "gemm_driver.h"

namespace tensile {
namespace avx2 {

GemmImpl impl() {
  return GemmImpl{"avx2", &gemm<VF32, 6, 2, 1536, 384, 256>, &gemm<VF64, 6, 2, 1536, 256, 192>};
}

}  // namespace avx2
}  // namespace tensile

// GEMM built for the avx512 ISA (this file alone gets its compiler flags, see CMakeLists.txt).
// Block sizes: MR rows x NV vectors per micro-tile, then MC, KC, NC (BLIS's config/ idea;
// gemm_driver.h says where each block lives: A block MC x KC in L3, B chunk KC x NC in L2).
#define TENSILE_ISA_AVX512 1
#define TENSILE_ISA_NS avx512
#include "simd.h"
#include "gemm_driver.h"

namespace tensile {
namespace avx512 {

GemmImpl impl() {
  return GemmImpl{"avx512", &gemm<VF32, 12, 2, 3072, 480, 512>, &gemm<VF64, 12, 2, 3072, 256, 384>};
}

}  // namespace avx512
}  // namespace tensile

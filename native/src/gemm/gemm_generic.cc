// GEMM built for the generic ISA (this file alone gets its compiler flags, see CMakeLists.txt).
// Block sizes: MR rows x NV vectors per micro-tile, then MC, KC, NC (BLIS's config/ idea;
// gemm_driver.h says where each block lives: A block MC x KC in L3, B chunk KC x NC in L2).
#define TENSILE_ISA_GENERIC 1
#define TENSILE_ISA_NS generic
#include "simd.h"
#include "gemm_driver.h"

namespace tensile {
namespace generic {

GemmImpl impl() {
  return GemmImpl{"generic", &gemm<VF32, 4, 2, 1024, 256, 256>, &gemm<VF64, 4, 2, 1024, 256, 128>};
}

}  // namespace generic
}  // namespace tensile

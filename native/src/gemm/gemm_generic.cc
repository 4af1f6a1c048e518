// GEMM built for the generic ISA (this file alone gets its compiler flags, see CMakeLists.txt).
// Block sizes: MR rows x NV vectors per micro-tile, then MC, KC, NC (BLIS's config/ idea).
#define TENSILE_ISA_GENERIC 1
#define TENSILE_ISA_NS generic
#include "simd.h"
#include "gemm_driver.h"

namespace tensile {
namespace generic {

GemmImpl impl() {
  return GemmImpl{"generic", &gemm<VF32, 4, 2, 128, 256, 4096>, &gemm<VF64, 4, 2, 128, 256, 4096>};
}

}  // namespace generic
}  // namespace tensile

// The coordinate-descent solvers built for the avx2 ISA (this file alone gets its compiler
// flags, see CMakeLists.txt).
#define TENSILE_ISA_AVX2 1
#define TENSILE_CD_NS avx2
#include "cd_impl.h"

namespace tensile {
namespace ml {
namespace avx2 {

CdKernels cd_kernels() { return make_kernels("avx2"); }

}  // namespace avx2
}  // namespace ml
}  // namespace tensile

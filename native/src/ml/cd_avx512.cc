// The coordinate-descent solvers built for the avx512 ISA (this file alone gets its compiler
// flags, see CMakeLists.txt).
#define TENSILE_ISA_AVX512 1
#define TENSILE_CD_NS avx512
#include "cd_impl.h"

namespace tensile {
namespace ml {
namespace avx512 {

CdKernels cd_kernels() { return make_kernels("avx512"); }

}  // namespace avx512
}  // namespace ml
}  // namespace tensile

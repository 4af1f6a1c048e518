// The linalg level-1 kernels built for the avx512 ISA (this file alone gets its compiler flags,
// see CMakeLists.txt).
#define TENSILE_ISA_AVX512 1
#define TENSILE_ISA_NS avx512
#include "vec_impl.h"

namespace tensile {
namespace linalg {
namespace avx512 {

VecKernels vec_kernels() { return VecKernels{"avx512", &axpy, &dot, &scal, &ger, &gemv_t, &gemv_n, &dot_axpy, &rotate}; }

}  // namespace avx512
}  // namespace linalg
}  // namespace tensile

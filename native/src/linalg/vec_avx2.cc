// The linalg level-1 kernels built for the avx2 ISA (this file alone gets its compiler flags,
// see CMakeLists.txt).
#define TENSILE_ISA_AVX2 1
#define TENSILE_ISA_NS avx2
#include "vec_impl.h"

namespace tensile {
namespace linalg {
namespace avx2 {

VecKernels vec_kernels() { return VecKernels{"avx2", &axpy, &dot, &scal, &ger, &gemv_t, &gemv_n, &dot_axpy, &rotate}; }

}  // namespace avx2
}  // namespace linalg
}  // namespace tensile

// The linalg level-1 kernels built for the generic ISA (this file alone gets its compiler flags,
// see CMakeLists.txt).
#define TENSILE_ISA_NS generic
#include "vec_impl.h"

namespace tensile {
namespace linalg {
namespace generic {

VecKernels vec_kernels() { return VecKernels{"generic", &axpy, &dot, &scal, &ger, &gemv_t, &gemv_n, &dot_axpy, &rotate}; }

}  // namespace generic
}  // namespace linalg
}  // namespace tensile

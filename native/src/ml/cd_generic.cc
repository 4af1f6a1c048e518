// The coordinate-descent solvers built for the generic ISA (this file alone gets its compiler
// flags, see CMakeLists.txt).
#define TENSILE_CD_NS generic
#include "cd_impl.h"

namespace tensile {
namespace ml {
namespace generic {

CdKernels cd_kernels() { return make_kernels("generic"); }

}  // namespace generic
}  // namespace ml
}  // namespace tensile

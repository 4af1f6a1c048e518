#pragma once
#include "common.h"

namespace tensile {
// out[i] = x[i with i[axis] := index[i]]; index values are checked against axis_size.
void gather(int rank, const int64_t* shape, const View& x, int64_t axis_size, const View& index, const View& out, int axis);
// out[i with i[axis] := index[i]] += src[i]; serial, since repeated indices collide.
void scatter_add(int rank, const int64_t* shape, const View& index, const View& src, const View& out, int64_t axis_size, int axis);
void softmax(bool log, int rank, const int64_t* shape, const View& x, const View& out, int axis);
// Philox4x32-10 draws; element i (row-major) uses block counter + i/4, word i%4.
void random(int rank, const int64_t* shape, const View& out, bool normal, uint64_t seed, uint64_t counter);
}  // namespace tensile

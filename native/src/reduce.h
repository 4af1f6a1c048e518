#pragma once
#include "common.h"

namespace tensile {
extern const char* const kReduceOps[];
extern const int kNumReduceOps;
// Reduces x (shape, rank) over sorted distinct axes into the contiguous out (offset at out.offset).
void reduce(int op, int rank, const int64_t* shape, const View& x, int naxes, const int* axes, const View& out);
}  // namespace tensile

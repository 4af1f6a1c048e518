#pragma once
#include "common.h"

namespace tensile {

// Op codes: the index of the op's name in lib/backends/backend.ts (UNARY_OPS, BINARY_OPS);
// the addon exports the name lists and the TypeScript side checks they are identical.
extern const char* const kUnaryOps[];
extern const int kNumUnaryOps;
extern const char* const kBinaryOps[];
extern const int kNumBinaryOps;

void unary(int op, int rank, const int64_t* shape, const View& x, const View& out);
void binary(int op, int rank, const int64_t* shape, const View& a, const View& b, const View& out);
void where(int rank, const int64_t* shape, const View& c, const View& a, const View& b, const View& out);
void copy(int rank, const int64_t* shape, const View& x, const View& out);
void fill(int rank, const int64_t* shape, const View& out, double value);

}  // namespace tensile

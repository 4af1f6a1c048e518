#pragma once
#include "common.h"

namespace tensile {
// Batched matmul over out's batch dims (rank >= 2). a: [...B, M, K] or [...B, K, M] (trans_a),
// b: [...B, K, N] or [...B, N, K] (trans_b); broadcast batch dims have stride 0.
void matmul(int rank, const int64_t* out_shape, int64_t K, const View& a, const View& b, const View& out, bool trans_a, bool trans_b);
}  // namespace tensile

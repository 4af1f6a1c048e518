#pragma once
#include "common.h"

namespace tensile {
struct AdamOptions {
  double beta1, beta2, eps, weight_decay, lr, step_size, bc2_sqrt;
  bool decoupled, maximize;
};
// One Adam/AdamW step in place over n contiguous elements (vmax may be null: no amsgrad).
void adam_update(const View& p, const View& g, const View& m, const View& v, const View* vmax, int64_t n, const AdamOptions& o);
}  // namespace tensile

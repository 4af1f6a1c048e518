// The binary logistic loss and its gradient in one pass over the samples (LogisticRegression's
// objective, lib/ml/logistic.ts binaryObjective): each row is read once, for its logit and for
// its share of the gradient, instead of twice by two matrix-vector products.
#pragma once
#include <cstdint>

namespace tensile {
namespace ml {

// For z_i = x_i·w + b (x row-major [n, p], y_i in {0, 1}): writes r_i = σ(z_i) − y_i, grad =
// Σ r_i x_i, sums = {Σ softplus(z_i) − y_i z_i, Σ r_i}. The per-sample arithmetic is the js
// reference's (binaryTerms); rows are split over threads in fixed chunks merged in order.
void logistic_binary(const double* x, int64_t n, int64_t p, const double* y, const double* w, double b,
                     double* r, double* grad, double* sums);

}  // namespace ml
}  // namespace tensile

// Householder reflectors: one at a time (dlarfg, with the js reference's sign convention) and
// in blocks of up to 32 in compact WY form, H_0·H_1·…·H_{k-1} = I - V·T·Vᵀ (Schreiber and
// Van Loan; LAPACK's dlarft + dlarfb), applied with three GEMMs.
#pragma once
#include <cstdint>
#include <vector>

namespace tensile {
namespace linalg {

// ‖x‖₂ of n values with stride: one pass when the sum of squares can neither overflow nor
// underflow, else the js reference's scaled two-pass form (dnrm2's purpose). NaN in, NaN out.
double norm2(const double* x, int64_t stride, int64_t n);
// The same, always scaled by the largest |x_i| in two passes (lib/linalg/qr.ts's norm2).
double norm2_scaled(const double* x, int64_t stride, int64_t n);

// dlarfg as in the js reference (lib/linalg/qr.ts): for (alpha, x) finds H = I - tau·v·vᵀ,
// v = (1, x/(alpha - beta)), with H·(alpha, x) = (beta, 0), beta = -sign(alpha)·‖(alpha, x)‖
// (sign(0) = +1). Overwrites *alpha with beta and x with v's tail; returns tau, 0 when x = 0
// (H = I, alpha kept). *x_scale (if given) gets the factor x was multiplied by.
double householder(double* alpha, double* x, int64_t stride, int64_t n, double* x_scale = nullptr);

// k reflectors of length `rows` in compact WY form: V dense (rows × k, unit lower trapezoidal,
// v_j(j) = 1 and zeros above), T (k × k upper triangular).
struct BlockReflector {
  int64_t rows = 0, k = 0;
  std::vector<double> V, T, W, W2;  // W, W2: scratch for apply()
};

// Reads v_j(i) = src[i·rs + j·cs] for i > j (the rest is implied) and tau[0..k).
void make_block_reflector(const double* src, int64_t rs, int64_t cs, int64_t rows, int64_t k, const double* tau,
                          BlockReflector& br);

// C (rows × ncols, row stride ldc) ← H·C with H = I - V·T·Vᵀ, or Hᵀ·C with trans.
void apply_block_reflector(BlockReflector& br, bool trans, double* C, int64_t ldc, int64_t ncols);

// The first `cols` columns of Q = H_0·…·H_{k-1} (m × m), reflectors read as in
// make_block_reflector, into Q (m × cols, row stride ldq); dorgqr's blocked backward sweep.
void form_q(const double* src, int64_t rs, int64_t cs, const double* tau, int64_t m, int64_t k, int64_t cols,
            double* Q, int64_t ldq);

}  // namespace linalg
}  // namespace tensile

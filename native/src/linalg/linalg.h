// tn.linalg's native kernels: LAPACK-shaped routines on batches of row-major float64 matrices
// (matrix b of a batch starts at b·rows·cols), the cpu row of lib/linalg/kernels.ts. Each has
// the contract of the js reference of the same name (lib/linalg/{factor,qr,svd,eigh}.ts): the
// same pivots, sign conventions, orderings and info codes. Sizes are validated by the caller
// (linalg_napi.cc); these never throw on values (NaN and inf propagate).
#pragma once
#include <cstdint>
#include <functional>

namespace tensile {
namespace linalg {

void getrf(double* a, int64_t batch, int64_t n, int32_t* piv, int32_t* info);
void getrs(const double* lu, const int32_t* piv, double* b, int64_t batch, int64_t n, int64_t nrhs, bool trans);
void potrf(double* a, int64_t batch, int64_t n, int32_t* info);
void trtrs(const double* t, double* b, int64_t batch, int64_t n, int64_t nrhs, bool upper, bool unit, bool trans);
void geqrf(double* a, int64_t batch, int64_t m, int64_t n, double* tau);
void orgqr(const double* a, const double* tau, int64_t batch, int64_t m, int64_t n, int64_t cols, double* q);
// u, vt may be null (singular values only).
void gesvd(const double* a, int64_t batch, int64_t m, int64_t n, double* s, double* u, double* vt, bool full);
// v may be null (eigenvalues only).
void syevd(const double* a, int64_t batch, int64_t n, double* w, double* v);

// Runs body(b) for b in [0, batch): matrices spread over the thread pool (each then runs
// single-threaded) when there are enough of them or each is small; otherwise one after the
// other, each using the threads inside its own GEMMs and sweeps.
void for_batch(int64_t batch, double flops_per_item, const std::function<void(int64_t)>& body);

}  // namespace linalg
}  // namespace tensile

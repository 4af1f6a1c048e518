// Level-3 building blocks of the blocked factorisations, on top of the GEMM (gemm/gemm.h):
// every matrix is row-major float64 given by a pointer and element strides, so a transpose is
// a swap of strides and a sub-block is a pointer offset.
#pragma once
#include <cstdint>

namespace tensile {
namespace linalg {

// C (M×N, row stride ldc) = op(A)·op(B), with A(i,k) = A[i·rsa + k·csa], B(k,j) = B[k·rsb + j·csb].
// Uses the GEMM's own threads for large products.
void gemm(int64_t M, int64_t N, int64_t K, const double* A, int64_t rsa, int64_t csa, const double* B, int64_t rsb,
          int64_t csb, double* C, int64_t ldc);

// Which part of C a gemm_acc must update.
enum class Part { kAll, kLower, kUpper };

// C += alpha·op(A)·op(B) (the GEMM only overwrites, so tiles of the product go through a
// per-thread scratch and are added while still in cache). Tiles run on the thread pool. With
// kLower (kUpper), only the tiles that meet C's lower (upper) triangle are formed: a
// syrk-style update at about half the flops, which may also write the other side of the
// diagonal tiles.
void gemm_acc(int64_t M, int64_t N, int64_t K, double alpha, const double* A, int64_t rsa, int64_t csa,
              const double* B, int64_t rsb, int64_t csb, double* C, int64_t ldc, Part part = Part::kAll);

// Solves op(T)·X = B in place (B: n×k, row stride ldb), op(T)(i,j) = T[i·rs + j·cs] triangular:
// lower or upper, unit diagonal or not (dtrsm, left side). Blocked: 64-row diagonal blocks by
// row axpys, the rest by gemm_acc; independent column slabs of B run on separate threads.
void trsm_left(int64_t n, int64_t k, const double* T, int64_t rs, int64_t cs, bool lower, bool unit, double* B,
               int64_t ldb);

}  // namespace linalg
}  // namespace tensile

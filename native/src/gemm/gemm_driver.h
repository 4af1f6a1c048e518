// The BLIS five-loop GEMM framework, shared by every ISA: jc (NC columns of B) -> pc (KC of
// the shared dim, B packed once) -> ic (MC rows of A, packed per thread) -> jr -> ir, the
// last two in the macro-kernel calling the micro-kernel. Threads split (ic block, jr chunk)
// work units after B is packed. Tiny products skip packing.
#pragma once
#include <algorithm>
#include <cstdlib>
#include <memory>
#include <vector>

#include "../threadpool.h"
#include "gemm.h"
#include "microkernel.h"

namespace tensile {
namespace TENSILE_ISA_NS {

template <typename T>
struct AlignedBuf {
  T* p = nullptr;
  size_t n = 0;
  void ensure(size_t count) {
    if (count <= n) return;
    std::free(p);
    size_t bytes = ((count * sizeof(T) + 63) / 64) * 64;
    p = static_cast<T*>(std::aligned_alloc(64, bytes));
    if (!p) throw std::bad_alloc();
    n = count;
  }
  ~AlignedBuf() { std::free(p); }
};

// Packs an mc x kc block of op(A) into MR-row panels, k-major, zero-padding the last panel.
template <typename T, int MR>
void pack_a(int64_t mc, int64_t kc, const T* A, int64_t rsa, int64_t csa, T* out) {
  for (int64_t ir = 0; ir < mc; ir += MR) {
    const int64_t mr = std::min<int64_t>(MR, mc - ir);
    const T* src = A + ir * rsa;
    if (mr == MR && csa == 1) {
      for (int64_t k = 0; k < kc; k++)
        for (int i = 0; i < MR; i++) out[k * MR + i] = src[i * rsa + k];
    } else {
      for (int64_t k = 0; k < kc; k++)
        for (int i = 0; i < MR; i++) out[k * MR + i] = i < mr ? src[i * rsa + k * csa] : T(0);
    }
    out += MR * kc;
  }
}

// Packs a kc x nc block of op(B) into NR-column panels, k-major, zero-padding the last panel.
template <typename T, int NR>
void pack_b_panel(int64_t kc, int64_t nr, const T* B, int64_t rsb, int64_t csb, T* out) {
  if (nr == NR && csb == 1) {
    for (int64_t k = 0; k < kc; k++)
      for (int j = 0; j < NR; j++) out[k * NR + j] = B[k * rsb + j];
  } else if (rsb == 1) {
    // op(B) is a transposed row-major matrix (x @ W^T with W [out, in]): read each column
    // contiguously along k; the scattered writes stay inside the L1-sized panel.
    for (int j = 0; j < NR; j++) {
      if (j < nr) {
        const T* col = B + j * csb;
        for (int64_t k = 0; k < kc; k++) out[k * NR + j] = col[k];
      } else {
        for (int64_t k = 0; k < kc; k++) out[k * NR + j] = T(0);
      }
    }
  } else {
    for (int64_t k = 0; k < kc; k++)
      for (int j = 0; j < NR; j++) out[k * NR + j] = j < nr ? B[k * rsb + j * csb] : T(0);
  }
}

template <typename T>
void gemm_small(const GemmArgs& g) {
  const T* A = static_cast<const T*>(g.A);
  const T* B = static_cast<const T*>(g.B);
  T* C = static_cast<T*>(g.C);
  for (int64_t i = 0; i < g.M; i++) {
    T* crow = C + i * g.ldc;
    for (int64_t j = 0; j < g.N; j++) crow[j] = T(0);
    for (int64_t k = 0; k < g.K; k++) {
      const T a = A[i * g.rsa + k * g.csa];
      const T* brow = B + k * g.rsb;
      if (g.csb == 1) for (int64_t j = 0; j < g.N; j++) crow[j] += a * brow[j];
      else for (int64_t j = 0; j < g.N; j++) crow[j] += a * brow[j * g.csb];
    }
  }
}

template <typename V, int MR, int NV, int MC, int KC, int NC>
void gemm(const GemmArgs& g) {
  using T = typename V::T;
  constexpr int NR = NV * V::W;
  const int64_t M = g.M, N = g.N, K = g.K;
  if (M == 0 || N == 0) return;
  T* C = static_cast<T*>(g.C);
  if (K == 0) {
    for (int64_t i = 0; i < M; i++) for (int64_t j = 0; j < N; j++) C[i * g.ldc + j] = T(0);
    return;
  }
  if (M * N * K <= 16 * 16 * 16 || M < 2 || N < 2) return gemm_small<T>(g);
  const T* A = static_cast<const T*>(g.A);
  const T* B = static_cast<const T*>(g.B);
  // Below ~2 MFLOP a second thread costs more in hand-off than it saves.
  const int nt = g.threaded && 2.0 * M * N * K >= 2e6 ? num_threads() : 1;
  static thread_local AlignedBuf<T> bbuf;
  bbuf.ensure(static_cast<size_t>(((std::min<int64_t>(NC, N) + NR - 1) / NR) * NR * KC));
  T* Bp = bbuf.p;

  for (int64_t jc = 0; jc < N; jc += NC) {
    const int64_t nc = std::min<int64_t>(NC, N - jc);
    const int64_t npanels = (nc + NR - 1) / NR;
    for (int64_t pc = 0; pc < K; pc += KC) {
      const int64_t kc = std::min<int64_t>(KC, K - pc);
      const bool accumulate = pc > 0;
      // Pack B: panels split across threads.
      auto pack_b = [&](int64_t lo, int64_t hi) {
        for (int64_t p = lo; p < hi; p++) {
          const int64_t j0 = p * NR;
          pack_b_panel<T, NR>(kc, std::min<int64_t>(NR, nc - j0), B + pc * g.rsb + (jc + j0) * g.csb, g.rsb, g.csb, Bp + p * NR * kc);
        }
      };
      if (nt > 1 && npanels >= 2 * nt) {
        parallel_run(nt, [&](int tid, int t) { pack_b(npanels * tid / t, npanels * (tid + 1) / t); });
      } else {
        pack_b(0, npanels);
      }
      // Work units: (ic block, jr chunk), enough of them to keep every thread busy.
      const int64_t mc_blk = std::min<int64_t>(MC, ((M + MR - 1) / MR) * MR);
      const int64_t nblocks = (M + mc_blk - 1) / mc_blk;
      int64_t nsplit = 1;
      if (nt > 1 && nblocks < 2 * nt) nsplit = std::min<int64_t>(npanels, (2 * nt + nblocks - 1) / nblocks);
      const int64_t units = nblocks * nsplit;
      auto work = [&](int tid, int t) {
        static thread_local AlignedBuf<T> abuf;
        abuf.ensure(static_cast<size_t>(mc_blk * kc));
        T* Ap = abuf.p;
        int64_t packed_block = -1;
        alignas(64) T tile[MR * NR];
        for (int64_t u = tid; u < units; u += t) {
          const int64_t blk = u / nsplit, part = u % nsplit;
          const int64_t ic = blk * mc_blk;
          const int64_t mc = std::min<int64_t>(mc_blk, M - ic);
          if (packed_block != blk) {
            pack_a<T, MR>(mc, kc, A + ic * g.rsa + pc * g.csa, g.rsa, g.csa, Ap);
            packed_block = blk;
          }
          const int64_t p0 = npanels * part / nsplit, p1 = npanels * (part + 1) / nsplit;
          for (int64_t p = p0; p < p1; p++) {
            const int64_t jr = p * NR;
            const int64_t nr = std::min<int64_t>(NR, nc - jr);
            const T* bp = Bp + p * NR * kc;
            for (int64_t ir = 0; ir < mc; ir += MR) {
              const int64_t mr = std::min<int64_t>(MR, mc - ir);
              T* c = C + (ic + ir) * g.ldc + jc + jr;
              const T* ap = Ap + ir * kc;
              if (mr == MR && nr == NR) {
                ukernel<V, MR, NV>(kc, ap, bp, c, g.ldc, accumulate);
              } else {
                ukernel<V, MR, NV>(kc, ap, bp, tile, NR, false);
                for (int64_t i = 0; i < mr; i++)
                  for (int64_t j = 0; j < nr; j++) {
                    T& dst = c[i * g.ldc + j];
                    dst = accumulate ? dst + tile[i * NR + j] : tile[i * NR + j];
                  }
              }
            }
          }
        }
      };
      if (nt > 1 && units > 1) parallel_run(static_cast<int>(std::min<int64_t>(nt, units)), work);
      else work(0, 1);
    }
  }
}

}  // namespace TENSILE_ISA_NS
}  // namespace tensile

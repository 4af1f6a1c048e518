// The GEMM blocking, shared by every ISA, is BLIS's five loops with the operand roles chosen
// for row-major C (Goto & van de Geijn; BLIS config/zen4 does the same transposed):
//
//   ic: MC rows of op(A)    the A block (mc x kc) is packed once, by all threads together,
//    pc: KC of the shared dim   and stays in L3; KC is large to make few passes over C
//     jc: NC columns of op(B)   each thread packs its own B chunk (kc x nc), sized for L2
//      ir: MR rows           the A micro-panel (MR x kc) stays in L1 ...
//       jr: NR columns       ... while the B micro-panels stream from L2, and consecutive
//                            micro-tiles walk along the rows of C (prefetcher-friendly)
//
// KC and MC are balanced (K = 784 runs as 2 x 392, not 480 + 304), so no pass is a sliver
// that reads and writes all of C for little work. The whole product is one thread-pool job
// (one hand-off, not two per KC pass): the threads pack the A block together, then share out
// (B chunk, row range) units: columns first, rows as well when the columns are too few to go
// round (N = 10 logits). Items are claimed from counters (PassSync), not dealt out by thread
// id. Tiny products skip packing.
#pragma once
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <memory>
#include <new>
#include <thread>
#include <type_traits>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "../threadpool.h"
#include "gemm.h"
#include "microkernel.h"

namespace tensile {
namespace TENSILE_ISA_NS {

// A grow-only, cache-line-aligned packing buffer. Buffers of 2 MiB and more (the packed A
// block of a large product) are 2 MiB-aligned and asked for transparent huge pages, so its
// panels do not each cost TLB misses; on the Zen 5 test machine the gain at n = 2048 was
// within noise (~1%), but it is free.
template <typename T>
struct AlignedBuf {
  T* p = nullptr;
  size_t n = 0;
  void ensure(size_t count) {
    if (count <= n) return;
    std::free(p);
    p = nullptr;
    n = 0;
    constexpr size_t kHuge = size_t(2) << 20;
    const size_t align = count * sizeof(T) >= kHuge ? kHuge : 64;
    const size_t bytes = ((count * sizeof(T) + align - 1) / align) * align;
    p = static_cast<T*>(std::aligned_alloc(align, bytes));
    if (!p) throw std::bad_alloc();
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (align == kHuge) madvise(p, bytes, MADV_HUGEPAGE);  // advice only: failure is harmless
#endif
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
      int64_t k_done = 0;
#if defined(TENSILE_HAS_TRANSPOSE8)
      // Rows run along k: transpose 8 k steps at a time, 8 rows then 4 rows per block.
      if constexpr (std::is_same<T, float>::value && MR % 4 == 0) {
        for (; k_done + 8 <= kc; k_done += 8) {
          int i = 0;
          for (; i + 8 <= MR; i += 8) transpose8x8(src + i * rsa + k_done, rsa, out + k_done * MR + i, MR);
          for (; i + 4 <= MR; i += 4) transpose4x8(src + i * rsa + k_done, rsa, out + k_done * MR + i, MR);
        }
      }
#endif
      for (int64_t k = k_done; k < kc; k++)
        for (int i = 0; i < MR; i++) out[k * MR + i] = src[i * rsa + k];
    } else if (mr == MR && rsa == 1) {
      // op(A) = X^T (the weight gradient X^T dY): each k step is MR contiguous values.
      for (int64_t k = 0; k < kc; k++)
        for (int i = 0; i < MR; i++) out[k * MR + i] = src[k * csa + i];
    } else {
      for (int64_t k = 0; k < kc; k++)
        for (int i = 0; i < MR; i++) out[k * MR + i] = i < mr ? src[i * rsa + k * csa] : T(0);
    }
    out += MR * kc;
  }
}

// Packs a kc x nr slice of op(B) into one NR-column panel, k-major, zero-padding past nr.
template <typename T, int NR>
void pack_b_panel(int64_t kc, int64_t nr, const T* B, int64_t rsb, int64_t csb, T* out) {
  if (nr == NR && csb == 1) {
    for (int64_t k = 0; k < kc; k++)
      for (int j = 0; j < NR; j++) out[k * NR + j] = B[k * rsb + j];
  } else if (rsb == 1) {
    // op(B) is a transposed row-major matrix (x @ W^T with W [out, in]): a transpose, done
    // in KB-deep slabs so that the NR source lines and the KB output rows all stay in L1
    // (a whole panel, kc x NR, is larger than L1 at kc = 480).
    constexpr int KB = 16;
    int64_t k_done = 0;
#if defined(TENSILE_HAS_TRANSPOSE8)
    if constexpr (std::is_same<T, float>::value && NR % 8 == 0) {
      if (nr == NR) {
        for (; k_done + 8 <= kc; k_done += 8)
          for (int j = 0; j < NR; j += 8) transpose8x8(B + j * csb + k_done, csb, out + k_done * NR + j, NR);
      }
    }
#endif
    for (int64_t k0 = k_done; k0 < kc; k0 += KB) {
      const int64_t kb = std::min<int64_t>(KB, kc - k0);
      T* o = out + k0 * NR;
      for (int j = 0; j < NR; j++) {
        if (j < nr) {
          const T* col = B + j * csb + k0;
          for (int64_t k = 0; k < kb; k++) o[k * NR + j] = col[k];
        } else {
          for (int64_t k = 0; k < kb; k++) o[k * NR + j] = T(0);
        }
      }
    }
  } else {
    for (int64_t k = 0; k < kc; k++)
      for (int j = 0; j < NR; j++) out[k * NR + j] = j < nr ? B[k * rsb + j * csb] : T(0);
  }
}

// The hand-off between the threads of one product: every item (an A panel to pack, a unit to
// compute) is claimed from a counter and counted when done, and a thread waits only for
// items that were claimed. A thread the OS has not scheduled yet (2 cores shared by many
// processes) claims nothing, so the others finish without it instead of waiting for it.
struct alignas(64) PassSync {
  std::atomic<int64_t> a_claim{0}, a_done{0};
  std::atomic<int64_t> u_claim{0}, u_done{0};
};

// Spins (the wait is usually a few microseconds), then yields: on a loaded machine the thread
// being waited for may need this core.
inline void wait_for(const std::atomic<int64_t>& x, int64_t v) {
  for (int spin = 0; x.load(std::memory_order_acquire) < v; spin++) {
    if (spin < 2000) {
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
    } else {
      std::this_thread::yield();
    }
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

// An edge tile (mr < MR or nr < NR) into the scratch tile (row stride NR), with the smallest
// kernel that covers it: a narrow edge (N = 10 logits, the last 16 of 784) needs one vector per
// row, and the last 8 rows of M = 128 (10 x 12 + 8) need 8 of the 12 rows.
template <typename V, int MR, int NV>
void edge_tile(int64_t mr, int64_t nr, int64_t kc, const typename V::T* ap, const typename V::T* bp, typename V::T* tile) {
  constexpr int NR = NV * V::W;
  const bool narrow = NV > 1 && nr <= V::W;
  if constexpr (MR == 12) {
    if (mr <= 4) {
      if (narrow) ukernel<V, 4, 1, NR, MR>(kc, ap, bp, tile, NR, false);
      else ukernel<V, 4, NV, NR, MR>(kc, ap, bp, tile, NR, false);
      return;
    }
    if (mr <= 8) {
      if (narrow) ukernel<V, 8, 1, NR, MR>(kc, ap, bp, tile, NR, false);
      else ukernel<V, 8, NV, NR, MR>(kc, ap, bp, tile, NR, false);
      return;
    }
  }
  if (narrow) ukernel<V, MR, 1, NR, MR>(kc, ap, bp, tile, NR, false);
  else ukernel<V, MR, NV, NR, MR>(kc, ap, bp, tile, NR, false);
}

// ceil(total / ceil(total / cap)) rounded up to a multiple of `unit`: the even split of
// `total` into pieces of at most about `cap`.
inline int64_t balanced_step(int64_t total, int64_t cap, int64_t unit) {
  const int64_t pieces = (total + cap - 1) / cap;
  const int64_t step = (total + pieces - 1) / pieces;
  return ((step + unit - 1) / unit) * unit;
}

template <typename V, int MR, int NV, int MC, int KC, int NC>
void gemm(const GemmArgs& g) {
  using T = typename V::T;
  constexpr int NR = NV * V::W;
  static_assert(MC % MR == 0 && NC % NR == 0, "MC and NC are multiples of the micro-tile");
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

  const int64_t kstep = balanced_step(K, KC, 1);
  const int64_t mstep = balanced_step(M, MC, MR);
  // Column chunks of whole NR panels, at most NC wide, and a multiple of the thread count
  // when there are panels enough, so that every thread gets the same number.
  const int64_t npanels = (N + NR - 1) / NR;
  int64_t nchunks = (npanels * NR + NC - 1) / NC;
  if (nt > 1) nchunks = std::min<int64_t>(npanels, ((nchunks + nt - 1) / nt) * nt);
  const int64_t chunk_panels = (npanels + nchunks - 1) / nchunks;

  // Every buffer is sized here, before any thread starts: nothing inside the job may throw
  // while the others wait for its items. Two A buffers: a thread may pack the next A block
  // while another still reads the current one.
  const int64_t a_size = mstep * kstep, b_size = chunk_panels * NR * kstep;
  static thread_local AlignedBuf<T> abuf, bbuf;
  abuf.ensure(static_cast<size_t>(2 * a_size));
  bbuf.ensure(static_cast<size_t>(nt * b_size));
  // Plain pointers for the job: inside it, the names abuf/bbuf would be the worker's own.
  T* const Abase = abuf.p;
  T* const Bbase = bbuf.p;
  const int64_t nic = (M + mstep - 1) / mstep, npc = (K + kstep - 1) / kstep;
  std::unique_ptr<PassSync[]> sync(new PassSync[nic * npc]);
  // Units of one pass: column chunks, and row ranges too when the chunks are too few for the
  // threads (N = 10 logits).
  const int64_t mpanels_max = (mstep + MR - 1) / MR;
  const int64_t msplit = nt > 1 && nchunks < nt ? std::min<int64_t>(mpanels_max, (nt + nchunks - 1) / nchunks) : 1;
  const int64_t units = nchunks * msplit;

  auto job = [&](int tid, int) {
    T* Bp = Bbase + tid * b_size;
    alignas(64) T tile[MR * NR];
    int64_t step = 0;
    for (int64_t ic = 0; ic < M; ic += mstep) {
      const int64_t mc = std::min<int64_t>(mstep, M - ic);
      const int64_t mpanels = (mc + MR - 1) / MR;
      for (int64_t pc = 0; pc < K; pc += kstep, step++) {
        const int64_t kc = std::min<int64_t>(kstep, K - pc);
        const bool accumulate = pc > 0;
        PassSync& ps = sync[step];
        // Buffer step & 1 was last read by pass step - 2, finished before anyone got past
        // the wait of pass step - 1 below.
        T* Ap = Abase + (step & 1) * a_size;
        for (int64_t r; (r = ps.a_claim.fetch_add(1, std::memory_order_relaxed)) < mpanels;) {
          pack_a<T, MR>(std::min<int64_t>(MR, mc - r * MR), kc, A + (ic + r * MR) * g.rsa + pc * g.csa, g.rsa, g.csa,
                        Ap + r * MR * kc);
          ps.a_done.fetch_add(1, std::memory_order_release);
        }
        // The whole A block packed, and the previous pass done with C (its units may have
        // gone to other threads).
        wait_for(ps.a_done, mpanels);
        if (step > 0) wait_for(sync[step - 1].u_done, units);
        int64_t packed_chunk = -1;
        for (int64_t u; (u = ps.u_claim.fetch_add(1, std::memory_order_relaxed)) < units;) {
          const int64_t chunk = u / msplit, part = u % msplit;
          const int64_t q0 = npanels * chunk / nchunks, q1 = npanels * (chunk + 1) / nchunks;
          if (packed_chunk != chunk) {
            for (int64_t q = q0; q < q1; q++) {
              const int64_t j0 = q * NR;
              pack_b_panel<T, NR>(kc, std::min<int64_t>(NR, N - j0), B + pc * g.rsb + j0 * g.csb, g.rsb, g.csb,
                                  Bp + (q - q0) * NR * kc);
            }
            packed_chunk = chunk;
          }
          const int64_t r0 = mpanels * part / msplit, r1 = mpanels * (part + 1) / msplit;
          for (int64_t r = r0; r < r1; r++) {
            const int64_t ir = r * MR;
            const int64_t mr = std::min<int64_t>(MR, mc - ir);
            const T* ap = Ap + ir * kc;
            for (int64_t q = q0; q < q1; q++) {
              const int64_t jr = q * NR;
              const int64_t nr = std::min<int64_t>(NR, N - jr);
              const T* bp = Bp + (q - q0) * NR * kc;
              T* c = C + (ic + ir) * g.ldc + jr;
              if (mr == MR && nr == NR) {
                ukernel<V, MR, NV>(kc, ap, bp, c, g.ldc, accumulate);
              } else {
                edge_tile<V, MR, NV>(mr, nr, kc, ap, bp, tile);
                for (int64_t i = 0; i < mr; i++)
                  for (int64_t j = 0; j < nr; j++) {
                    T& dst = c[i * g.ldc + j];
                    dst = accumulate ? dst + tile[i * NR + j] : tile[i * NR + j];
                  }
              }
            }
          }
          ps.u_done.fetch_add(1, std::memory_order_release);
        }
      }
    }
  };
  // Claimed: a worker the OS has not scheduled by the time the caller ran out of items is
  // skipped, not waited for.
  if (nt > 1) parallel_run_claimed(nt, job);
  else job(0, 1);
}

}  // namespace TENSILE_ISA_NS
}  // namespace tensile

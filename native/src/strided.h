// Walking several strided operands over one shape: dims are coalesced first (a contiguous
// tensor becomes 1-D, so the inner loop is a plain vectorisable loop), then any linear range
// of the logical elements is visited a row at a time, so threads can split the range.
#pragma once
#include <cstdint>

#include "common.h"

namespace tensile {

template <int NOPS>
struct StridedIter {
  int rank = 0;
  int64_t shape[kMaxRank];
  int64_t strides[NOPS][kMaxRank];
  int64_t offsets[NOPS];
  int64_t size = 1;

  StridedIter(int r, const int64_t* shp, const View* const* views) {
    // Drop size-1 dims, then merge neighbours that are contiguous for every operand.
    int k = 0;
    for (int d = 0; d < r; d++) {
      if (shp[d] == 1) continue;
      shape[k] = shp[d];
      for (int o = 0; o < NOPS; o++) strides[o][k] = views[o]->strides[d];
      k++;
    }
    for (int o = 0; o < NOPS; o++) offsets[o] = views[o]->offset;
    int m = 0;
    for (int d = 0; d < k; d++) {
      if (m > 0) {
        bool merge = true;
        for (int o = 0; o < NOPS; o++)
          if (strides[o][m - 1] != strides[o][d] * shape[d]) { merge = false; break; }
        if (merge) {
          shape[m - 1] *= shape[d];
          for (int o = 0; o < NOPS; o++) strides[o][m - 1] = strides[o][d];
          continue;
        }
      }
      shape[m] = shape[d];
      for (int o = 0; o < NOPS; o++) strides[o][m] = strides[o][d];
      m++;
    }
    rank = m;
    for (int d = 0; d < r; d++)
      if (shp[d] == 0) { size = 0; }
    if (size != 0) size = shape_size(shape, rank);
    if (rank == 0) {  // a single element
      shape[0] = 1;
      for (int o = 0; o < NOPS; o++) strides[o][0] = 0;
      rank = 1;
    }
  }

  int64_t inner_stride(int o) const { return strides[o][rank - 1]; }

  // fn(const int64_t* offs, int64_t n): a run of n elements along the last dim.
  template <typename F>
  void for_range(int64_t begin, int64_t end, F&& fn) const {
    if (begin >= end) return;
    int64_t idx[kMaxRank];
    int64_t offs[NOPS];
    int64_t rem = begin;
    for (int o = 0; o < NOPS; o++) offs[o] = offsets[o];
    for (int d = rank - 1; d >= 0; d--) {
      idx[d] = rem % shape[d];
      rem /= shape[d];
      for (int o = 0; o < NOPS; o++) offs[o] += idx[d] * strides[o][d];
    }
    int64_t left = end - begin;
    const int last = rank - 1;
    while (left > 0) {
      int64_t run = shape[last] - idx[last];
      if (run > left) run = left;
      fn(offs, run);
      left -= run;
      if (left == 0) break;
      // Advance to the start of the next row.
      for (int o = 0; o < NOPS; o++) offs[o] += run * strides[o][last];
      idx[last] += run;
      for (int d = last; d > 0 && idx[d] == shape[d]; d--) {
        for (int o = 0; o < NOPS; o++) offs[o] -= shape[d] * strides[o][d];
        idx[d] = 0;
        idx[d - 1]++;
        for (int o = 0; o < NOPS; o++) offs[o] += strides[o][d - 1];
      }
    }
  }
};

}  // namespace tensile

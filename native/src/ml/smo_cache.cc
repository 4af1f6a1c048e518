// The SMO kernel cache (smo_cache.h): KernelCache mirrors lib/ml/smo-cache.ts decision for
// decision; Slabs is where its rows live.
#include "smo_cache.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <new>
#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace tensile {
namespace ml {

namespace {
constexpr size_t kHuge = size_t(2) << 20, kSmallSlab = size_t(256) << 10;
// Rows of at least this many kernel values get huge-page slabs (a row is then >= 8 KiB and a
// raw block >= 512 KiB: a fit that pages in tens of megabytes).
constexpr int64_t kHugeRowLength = 2048;
}

Slabs::Slabs(size_t slot_bytes, bool huge) : slot_(std::max<size_t>(64, (slot_bytes + 63) / 64 * 64)), huge_(huge) {
  const size_t unit = huge ? kHuge : kSmallSlab;
  slab_bytes_ = std::max(unit, (slot_ + unit - 1) / unit * unit);
  per_slab_ = slab_bytes_ / slot_;
  used_ = per_slab_;  // no slab yet
}

Slabs::~Slabs() {
  for (void* p : slabs_) std::free(p);
}

void* Slabs::take() {
  if (!free_.empty()) {
    void* p = free_.back();
    free_.pop_back();
    return p;
  }
  if (used_ == per_slab_) {
    void* slab = std::aligned_alloc(huge_ ? kHuge : 64, slab_bytes_);
    if (!slab) throw std::bad_alloc();
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (huge_) madvise(slab, slab_bytes_, MADV_HUGEPAGE);  // advice only: without THP, 4 KiB pages
#endif
    slabs_.push_back(slab);
    used_ = 0;
  }
  return static_cast<char*>(slabs_.back()) + slot_ * used_++;
}

KernelCache::KernelCache(int64_t row_length, int64_t keys, double cache_bytes, int64_t batch_rows)
    : n_(row_length), keys_(keys),
      row_slabs_(sizeof(float) * static_cast<size_t>(std::max<int64_t>(row_length, 1)), row_length >= kHugeRowLength),
      raw_slabs_(sizeof(double) * static_cast<size_t>(std::max<int64_t>(row_length, 1) * std::max<int64_t>(batch_rows, 1)),
                 row_length >= kHugeRowLength) {
  budget_ = std::max(cache_bytes - 32.0 * static_cast<double>(keys), 8.0 * static_cast<double>(row_length));
  // Capped where the count can no longer matter (never more rows than keys are allocated).
  const double cap = std::floor(budget_ / (4.0 * static_cast<double>(std::max<int64_t>(row_length, 1))));
  capacity_ = static_cast<int64_t>(std::max(2.0, std::min(cap, 4.0e15)));
  rows_.assign(keys, nullptr);
  raws_.assign(keys, nullptr);
  raw_block_.assign(keys, -1);
  prev_.assign(keys + 1, static_cast<int32_t>(keys));
  next_.assign(keys + 1, static_cast<int32_t>(keys));
}

int64_t KernelCache::raw_room() const {
  const double free = budget_ - 4.0 * n_ * static_cast<double>(row_count_ + 1);
  return static_cast<int64_t>(std::max(0.0, std::floor(free / (8.0 * n_))));
}

float* KernelCache::get(int32_t s) {
  float* r = rows_[s];
  if (r) { unlink(s); link_last(s); }
  return r;
}

float* KernelCache::allocate(int32_t s) {
  float* buf;
  if (row_count_ < capacity_) {
    row_count_++;
    fit_raw(0);
    buf = static_cast<float*>(row_slabs_.take());
  } else {
    const int32_t old = next_[keys_];
    unlink(old);
    buf = rows_[old];
    rows_[old] = nullptr;
  }
  rows_[s] = buf;
  link_last(s);
  return buf;
}

const double* KernelCache::take_raw(int32_t s, RawBuffer& keep) {
  const double* r = raws_[s];
  if (r) {
    keep = by_id_.at(raw_block_[s])->data;
    drop_raw(s);
  }
  return r;
}

RawBuffer KernelCache::acquire(size_t count) {
  if (count * sizeof(double) <= raw_slabs_.slot_bytes()) {
    RawBuffer b = std::make_shared<RawStorage>(static_cast<double*>(raw_slabs_.take()), &raw_slabs_);
    return b;
  }
  return std::make_shared<RawStorage>(new double[count], nullptr);
}

void KernelCache::add_raw_block(const RawBuffer& block, const int32_t* samples, int64_t count) {
  const double bytes = 8.0 * n_ * count;
  if (count < 2 || 4.0 * n_ * row_count_ + bytes > budget_) return;
  fit_raw(bytes);
  Block b{next_block_++, std::vector<int32_t>(samples + 1, samples + count), count - 1, bytes, block};
  blocks_.push_back(std::move(b));
  auto it = std::prev(blocks_.end());
  by_id_[it->id] = it;
  raw_bytes_ += bytes;
  for (int64_t k = 1; k < count; k++) {
    raws_[samples[k]] = block->data() + k * n_;
    raw_block_[samples[k]] = it->id;
  }
}

void KernelCache::fit_raw(double extra) {
  while (!blocks_.empty() && 4.0 * n_ * row_count_ + raw_bytes_ + extra > budget_) {
    const int64_t id = blocks_.front().id;
    const std::vector<int32_t> samples = blocks_.front().samples;  // the block goes with its last row
    for (int32_t s : samples)
      if (raw_block_[s] == id) drop_raw(s);
  }
}

void KernelCache::drop_raw(int32_t s) {
  auto it = by_id_.at(raw_block_[s]);
  raws_[s] = nullptr;
  raw_block_[s] = -1;
  if (--it->live == 0) {
    raw_bytes_ -= it->bytes;
    by_id_.erase(it->id);
    blocks_.erase(it);
  }
}

void KernelCache::unlink(int32_t s) {
  next_[prev_[s]] = next_[s];
  prev_[next_[s]] = prev_[s];
}

void KernelCache::link_last(int32_t s) {
  const int32_t h = static_cast<int32_t>(keys_);
  prev_[s] = prev_[h];
  next_[s] = h;
  next_[prev_[h]] = s;
  prev_[h] = s;
}

}  // namespace ml
}  // namespace tensile

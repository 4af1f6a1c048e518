// The SMO kernel cache, the native twin of KernelCache in lib/ml/smo-cache.ts: rows keyed by
// sample under one byte budget; finished float32 rows (libsvm's Qfloat) in LRU order, and in
// the room they leave, speculative raw float64 rows from batched GEMMs, kept per block and
// dropped oldest block first. Every decision (capacity, room, which row or block goes) is
// made with the same arithmetic as the TypeScript class, so both solvers see the same rows.
#pragma once
#include <cstdint>
#include <list>
#include <memory>
#include <unordered_map>
#include <vector>

namespace tensile {
namespace ml {

// Fixed-size slots carved from 2 MiB-aligned slabs marked for transparent huge pages: a cache
// of hundreds of megabytes, written once per row, then costs a page fault per 2 MiB rather
// than per 4 KiB (those faults were a fifth of an rbf fit). Freed slots are reused.
class Slabs {
 public:
  // huge: 2 MiB slabs advised for transparent huge pages (for big rows); else 256 KiB slabs
  // of ordinary pages, so a small problem does not clear 2 MiB pages it barely uses.
  Slabs(size_t slot_bytes, bool huge);
  ~Slabs();
  Slabs(const Slabs&) = delete;
  Slabs& operator=(const Slabs&) = delete;
  size_t slot_bytes() const { return slot_; }
  void* take();
  void give(void* p) { free_.push_back(p); }

 private:
  size_t slot_, per_slab_, slab_bytes_, used_ = 0;
  bool huge_;
  std::vector<void*> slabs_, free_;
};

// A raw block's storage (not zero-filled: the GEMM writes every element that is read): a slab
// slot, or a heap buffer for a block larger than a prefetch batch (never kept in the cache).
struct RawStorage {
  double* p = nullptr;
  Slabs* pool = nullptr;
  RawStorage(double* p_, Slabs* pool_) : p(p_), pool(pool_) {}
  ~RawStorage() { if (pool) pool->give(p); else delete[] p; }
  RawStorage(const RawStorage&) = delete;
  RawStorage& operator=(const RawStorage&) = delete;
  double* data() { return p; }
};
using RawBuffer = std::shared_ptr<RawStorage>;

class KernelCache {
 public:
  // batch_rows: the most rows a raw block kept in the cache has (the prefetch batch).
  KernelCache(int64_t row_length, int64_t keys, double cache_bytes, int64_t batch_rows);
  // Finished rows that fit.
  int64_t row_capacity() const { return capacity_; }
  bool has(int32_t s) const { return rows_[s] != nullptr || raws_[s] != nullptr; }
  // How many raw rows (with the finished row that comes with them) fit beside the finished rows.
  int64_t raw_room() const;
  // The finished row of sample s (now most recently used), or null.
  float* get(int32_t s);
  // A buffer for the finished row of sample s (not cached): a new one, or the LRU row's.
  float* allocate(int32_t s);
  // Removes the raw row of sample s and returns it (null if none); `keep` holds its block
  // alive while the caller reads it.
  const double* take_raw(int32_t s, RawBuffer& keep);
  // A buffer of at least `count` doubles for a raw block.
  RawBuffer acquire(size_t count);
  // Keeps rows 1..count-1 of `block` (row k for samples[k]) as raw rows, if they fit.
  void add_raw_block(const RawBuffer& block, const int32_t* samples, int64_t count);

 private:
  struct Block {
    int64_t id;
    std::vector<int32_t> samples;
    int64_t live;
    double bytes;
    RawBuffer data;
  };
  void fit_raw(double extra);
  void drop_raw(int32_t s);
  void unlink(int32_t s);
  void link_last(int32_t s);

  int64_t n_, keys_, capacity_;
  double budget_;
  int64_t row_count_ = 0;
  double raw_bytes_ = 0;
  // Declared before every holder of their slots, so destroyed after them.
  Slabs row_slabs_, raw_slabs_;
  std::vector<float*> rows_;
  std::vector<const double*> raws_;
  std::vector<int64_t> raw_block_;
  std::list<Block> blocks_;  // oldest first
  std::unordered_map<int64_t, std::list<Block>::iterator> by_id_;
  int64_t next_block_ = 0;
  // A circular doubly linked LRU list over finished rows; node keys_ is the head sentinel.
  std::vector<int32_t> prev_, next_;
};

}  // namespace ml
}  // namespace tensile

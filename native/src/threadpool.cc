#include "threadpool.h"

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace tensile {
namespace {

thread_local bool t_inside = false;

// About 50 microseconds of polling on current x86 cores.
constexpr int kSpinIterations = 20000;

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

class Pool {
 public:
  explicit Pool(int n) { resize(n); }
  ~Pool() { stop(); }

  int size() const { return static_cast<int>(workers_.size()) + 1; }

  void resize(int n) {
    stop();
    if (n < 1) n = 1;
    quit_ = false;
    // New workers start from the current generation: the last job (job_ is null by now) is
    // not theirs to run.
    const uint64_t gen = generation_.load();
    for (int i = 1; i < n; i++) workers_.emplace_back([this, i, gen] { loop(i, gen); });
  }

  // claimed: the job's work is claimed from shared counters, so the caller can finish it
  // alone; workers that have not started when the caller's share returns are skipped.
  void run(int nt, const std::function<void(int, int)>& fn, bool claimed = false) {
    if (nt > size()) nt = size();
    // The pool is not reentrant: a job that asks for threads runs serially.
    if (nt <= 1 || t_inside) { fn(0, 1); return; }
    struct Inside { Inside() { t_inside = true; } ~Inside() { t_inside = false; } } inside;
    uint64_t gen;
    {
      std::lock_guard<std::mutex> lk(m_);
      job_ = &fn;
      job_threads_ = nt;
      job_claimed_ = claimed;
      pending_.store(nt - 1);
      error_ = nullptr;
      gen = generation_.load() + 1;
      tickets_.store(claimed ? pack(gen, nt - 1) : 0);
      generation_.store(gen, std::memory_order_release);
    }
    cv_.notify_all();
    std::exception_ptr mine;
    try { fn(0, nt); } catch (...) { mine = std::current_exception(); }
    // Workers that took no ticket yet never will (their tickets are withdrawn) and never
    // count down: wait for the others only.
    int skipped = 0;
    if (claimed) skipped = static_cast<int>(tickets_.exchange(pack(gen, 0)) & 0xffffffffu);
    // Spin briefly (jobs are short), then block.
    for (int spin = 0; pending_.load(std::memory_order_acquire) != skipped; spin++) {
      if (spin > 20000) {
        std::unique_lock<std::mutex> lk(m_);
        done_cv_.wait(lk, [this, skipped] { return pending_.load() == skipped; });
        break;
      }
    }
    {
      std::lock_guard<std::mutex> lk(m_);
      job_ = nullptr;  // under the lock: a skipped worker may be reading it
    }
    if (mine) std::rethrow_exception(mine);
    if (error_) std::rethrow_exception(error_);
  }

 private:
  void loop(int tid, uint64_t seen) {
    for (;;) {
      const std::function<void(int, int)>* job;
      int nt;
      bool claimed;
      // Spin a little before sleeping: ops in a training step come back to back, and a
      // futex wake-up costs tens of microseconds.
      for (int spin = 0; spin < kSpinIterations && generation_.load(std::memory_order_acquire) == seen; spin++) cpu_relax();
      {
        std::unique_lock<std::mutex> lk(m_);
        cv_.wait(lk, [&] { return quit_ || generation_.load() != seen; });
        if (quit_) return;
        seen = generation_.load();
        job = job_;
        nt = job_threads_;
        claimed = job_claimed_;
      }
      if (tid < nt && (!claimed || take_ticket(seen))) {
        t_inside = true;
        try { (*job)(tid, nt); } catch (...) {
          std::lock_guard<std::mutex> lk(m_);
          if (!error_) error_ = std::current_exception();
        }
        t_inside = false;
        // A claimed job's caller waits for a count that may not be 0 (skipped workers).
        if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1 || claimed) {
          std::lock_guard<std::mutex> lk(m_);
          done_cv_.notify_one();
        }
      }
    }
  }

  // Tickets: (generation << 32 | count) in one word, so a worker that woke for an older job
  // can never take a ticket of a newer one.
  static uint64_t pack(uint64_t gen, uint64_t count) { return (gen << 32) | count; }
  bool take_ticket(uint64_t gen) {
    uint64_t v = tickets_.load(std::memory_order_acquire);
    while ((v >> 32) == (gen & 0xffffffffu) && (v & 0xffffffffu) != 0) {
      if (tickets_.compare_exchange_weak(v, v - 1, std::memory_order_acq_rel)) return true;
    }
    return false;
  }

  void stop() {
    {
      std::lock_guard<std::mutex> lk(m_);
      quit_ = true;
    }
    cv_.notify_all();
    for (auto& t : workers_) t.join();
    workers_.clear();
  }

  std::vector<std::thread> workers_;
  std::mutex m_;
  std::condition_variable cv_, done_cv_;
  const std::function<void(int, int)>* job_ = nullptr;
  int job_threads_ = 0;
  bool job_claimed_ = false;
  std::atomic<uint64_t> tickets_{0};
  std::atomic<int> pending_{0};
  std::exception_ptr error_;
  std::atomic<uint64_t> generation_{0};
  bool quit_ = false;
};

int default_threads() {
  if (const char* env = std::getenv("TENSILE_NUM_THREADS")) {
    int n = std::atoi(env);
    if (n > 0) return n;
  }
  unsigned hc = std::thread::hardware_concurrency();
  return hc ? static_cast<int>(hc) : 1;
}

Pool& pool() {
  static Pool p(default_threads());
  return p;
}

}  // namespace

int num_threads() { return pool().size(); }
void set_num_threads(int n) { pool().resize(n); }

void parallel_run(int nthreads, const std::function<void(int, int)>& fn) { pool().run(nthreads, fn); }
void parallel_run_claimed(int nthreads, const std::function<void(int, int)>& fn) { pool().run(nthreads, fn, true); }

void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  if (grain < 1) grain = 1;
  int64_t chunks = (n + grain - 1) / grain;
  int nt = static_cast<int>(chunks < num_threads() ? chunks : num_threads());
  if (nt <= 1) { fn(0, n); return; }
  // The nt chunks are claimed, not dealt out by tid: if a worker is not running yet (a loaded
  // machine), the caller takes its chunk instead of waiting for it.
  std::atomic<int> next{0};
  pool().run(nt, [&](int, int t) {
    for (int c; (c = next.fetch_add(1, std::memory_order_relaxed)) < t;) {
      const int64_t b = n * c / t, e = n * (c + 1) / t;
      if (b < e) fn(b, e);
    }
  }, true);
}

}  // namespace tensile

// A persistent pool: workers sleep on a condition variable between jobs; the calling thread
// takes a share of every job. Small jobs never reach it (callers check a work threshold).
#pragma once
#include <cstdint>
#include <functional>

namespace tensile {

int num_threads();
void set_num_threads(int n);

// Runs fn(begin, end) over [0, n) split into at most num_threads() contiguous chunks of at
// least `grain` items, each run once by whichever thread claims it. Runs inline when one
// chunk suffices.
void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);

// Runs fn(tid, nthreads) on nthreads threads (the caller is tid 0).
void parallel_run(int nthreads, const std::function<void(int, int)>& fn);

// The same for a job whose work items are claimed from shared counters, so that any subset of
// its threads completes it: a worker that has not started by the time the caller's fn returns
// is skipped rather than waited for (on a loaded machine it may not run for milliseconds).
// Its tid is then never used. fn must not wait for a particular tid.
void parallel_run_claimed(int nthreads, const std::function<void(int, int)>& fn);

}  // namespace tensile

// parallel_ranges: the one way the core splits a loop over threads.
//
// body(begin, end) runs over [0, n): inline on the calling thread when n is under
// min_parallel (a fork costs a few microseconds), otherwise as ranges of `grain`
// multiples claimed from an atomic counter by an OpenMP team. Claiming (not assigning)
// lets a running thread take the share of one the OS has not scheduled yet, and the
// final wait yields instead of spinning in the OpenMP barrier, which on a busy machine
// can hold the late thread off its CPU for a whole time slice (milliseconds).
// body must not throw.
#pragma once
#include <atomic>
#include <thread>

#include "kerasette/common.h"
#include "kerasette/cpu.h"

#ifdef KERASETTE_HAVE_OPENMP
#include <omp.h>
#endif

namespace ks {

template <class Body>
void parallel_ranges(i64 n, i64 min_parallel, i64 grain, Body body) {
  if (n <= 0) return;
#ifdef KERASETTE_HAVE_OPENMP
  const int threads = get_num_threads();
  if (n >= min_parallel && threads > 1 && !omp_in_parallel()) {
    const i64 per = ((n + 4 * threads - 1) / (4 * threads) + grain - 1) / grain * grain;
    const i64 parts = (n + per - 1) / per;
    std::atomic<i64> next{0}, done{0};
    std::atomic<int> arrived{0};
#pragma omp parallel num_threads(threads)
    {
      const int team = omp_get_num_threads();
      arrived.fetch_add(1);
      for (i64 t; (t = next.fetch_add(1)) < parts; done.fetch_add(1)) {
        const i64 b = t * per, e = b + per < n ? b + per : n;
        body(b, e);
      }
      while (done.load() < parts || arrived.load() < team) std::this_thread::yield();
    }
    return;
  }
#endif
  (void)min_parallel;
  (void)grain;
  body(i64(0), n);
}

}  // namespace ks

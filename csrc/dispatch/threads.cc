// The thread policy: one process-wide count, read from OMP_NUM_THREADS through the
// OpenMP runtime at first use and changed by set_num_threads. Kernels pass it as an
// explicit num_threads clause, so the count holds whichever thread calls them (the
// OpenMP ICV alone is per calling thread); omp_set_num_threads is set as well so plain
// `#pragma omp parallel` regions elsewhere in the core follow it too.
#include <atomic>
#include <stdexcept>

#include "kerasette/cpu.h"

#ifdef KERASETTE_HAVE_OPENMP
#include <omp.h>
#endif

namespace ks {
namespace {
std::atomic<int>& thread_slot() {
#ifdef KERASETTE_HAVE_OPENMP
  static std::atomic<int> n{omp_get_max_threads()};
#else
  static std::atomic<int> n{1};
#endif
  return n;
}
}  // namespace

int get_num_threads() { return thread_slot().load(std::memory_order_relaxed); }

void set_num_threads(int n) {
  if (n < 1) throw std::invalid_argument("set_num_threads expects a positive count");
#ifdef KERASETTE_HAVE_OPENMP
  omp_set_num_threads(n);
  thread_slot().store(n, std::memory_order_relaxed);
#else
  thread_slot().store(1, std::memory_order_relaxed);  // built without OpenMP: always 1
#endif
}

}  // namespace ks

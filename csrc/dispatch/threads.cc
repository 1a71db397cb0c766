// The thread policy: one process-wide count, read from OMP_NUM_THREADS through the
// OpenMP runtime at first use and changed by set_num_threads. Kernels pass it as an
// explicit num_threads clause, so the count holds whichever thread calls them (the
// OpenMP ICV alone is per calling thread); omp_set_num_threads is set as well so plain
// `#pragma omp parallel` regions elsewhere in the core follow it too.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <stdexcept>

#include "kerasette/cpu.h"
#include "kerasette/parallel.h"

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

// The busy-machine fallback (kerasette/parallel.h): while now < solo_until, teams run
// on one thread. A wait over kLongWait that also exceeds the caller's own share of the
// region means a team thread sat descheduled. One such wait is a passing hiccup (another
// process ran for a moment); two within kPairNs mean the cores are taken, and teams run
// on one thread for a while before the full team is tried again: 100 ms at first; a
// long wait within kRetryNs of trying again (a lasting load) doubles it, up to 1.6 s.
namespace {
constexpr double kLongWait = 1e-3;
constexpr std::int64_t kPairNs = 20'000'000, kRetryNs = 200'000'000,
                       kSoloNs = 100'000'000, kSoloMaxNs = 1'600'000'000;
std::atomic<std::int64_t> solo_until{0}, solo_len{kSoloNs}, last_long_wait{-kPairNs};
std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch()).count();
}
}  // namespace

int team_threads() {
  const int n = get_num_threads();
  if (n > 1 && now_ns() < solo_until.load(std::memory_order_relaxed)) return 1;
  return n;
}

void note_team_wait(double work_s, double wait_s) {
  if (!(wait_s > kLongWait && wait_s > work_s)) return;
  const std::int64_t now = now_ns();
  const bool pair = now - last_long_wait.exchange(now, std::memory_order_relaxed) < kPairNs;
  const bool retry_failed = now - solo_until.load(std::memory_order_relaxed) < kRetryNs;
  if (!pair && !retry_failed) return;
  const std::int64_t len =
      retry_failed ? std::min(2 * solo_len.load(std::memory_order_relaxed), kSoloMaxNs) : kSoloNs;
  solo_len.store(len, std::memory_order_relaxed);
  solo_until.store(now + len, std::memory_order_relaxed);
}

void set_num_threads(int n) {
  if (n < 1) throw std::invalid_argument("set_num_threads expects a positive count");
#ifdef KERASETTE_HAVE_OPENMP
  omp_set_num_threads(n);
  thread_slot().store(n, std::memory_order_relaxed);
  solo_until.store(0, std::memory_order_relaxed);  // an explicit count starts afresh
#else
  thread_slot().store(1, std::memory_order_relaxed);  // built without OpenMP: always 1
#endif
}

}  // namespace ks

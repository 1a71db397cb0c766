// The thread policy: one process-wide count, read from OMP_NUM_THREADS through the
// OpenMP runtime at first use and changed by set_num_threads. run_team
// (kerasette/parallel.h) passes it as an explicit num_threads clause, so the count holds
// whichever thread calls a kernel (the OpenMP ICV alone is per calling thread);
// omp_set_num_threads is set as well for any OpenMP code a user's process runs.
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
// region means a team thread sat descheduled; it does not count after an idle spell of
// over kIdleNs (the threads were asleep, and waking a sleeping CPU takes its own time).
// A VM loses a scheduler tick (~4 ms) now and then even when idle; a busy core costs
// one every few regions. So waits are summed over windows of kWindowNs: over a quarter
// of the window lost means the cores are taken, and teams run on one thread for 100 ms;
// a long wait within kRetryNs of trying the team again (a lasting load) doubles that,
// up to 1.6 s.
namespace {
constexpr double kLongWait = 1e-3;
constexpr std::int64_t kIdleNs = 1'000'000, kWindowNs = 50'000'000, kRetryNs = 200'000'000,
                       kSoloNs = 100'000'000, kSoloMaxNs = 1'600'000'000;
// Written by whichever thread ends a region; a rare lost update only delays the switch.
std::atomic<std::int64_t> solo_until{0}, solo_len{kSoloNs}, last_region_end{0}, window_start{0},
    window_lost_ns{0};
std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

int team_threads() {
  const int n = get_num_threads();
  if (n > 1 && now_ns() < solo_until.load(std::memory_order_relaxed)) return 1;
  return n;
}

void note_team_wait(std::int64_t start_ns, std::int64_t end_ns, double work_s, double wait_s) {
  const std::int64_t idle = start_ns - last_region_end.exchange(end_ns, std::memory_order_relaxed);
  if (!(wait_s > kLongWait && wait_s > work_s) || idle > kIdleNs) return;
  const std::int64_t now = end_ns;
  const bool retry_failed = now - solo_until.load(std::memory_order_relaxed) < kRetryNs;
  if (now - window_start.load(std::memory_order_relaxed) > kWindowNs) {
    window_start.store(now, std::memory_order_relaxed);
    window_lost_ns.store(0, std::memory_order_relaxed);
  }
  const std::int64_t wait_ns = (std::int64_t)(wait_s * 1e9);
  const std::int64_t lost = window_lost_ns.fetch_add(wait_ns, std::memory_order_relaxed) + wait_ns;
  if (!retry_failed && lost * 4 < kWindowNs) return;
  const std::int64_t len =
      retry_failed ? std::min(2 * solo_len.load(std::memory_order_relaxed), kSoloMaxNs) : kSoloNs;
  solo_len.store(len, std::memory_order_relaxed);
  solo_until.store(now + len, std::memory_order_relaxed);
  window_lost_ns.store(0, std::memory_order_relaxed);
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

// How the core runs work on several threads: run_team and parallel_ranges.
//
// Work is cut into parts that threads claim from an atomic counter (claiming, not
// assigning, lets a running thread take the share of one the OS has not scheduled
// yet). Threads that run out of parts wait for the others with yields rather than in
// the OpenMP barrier's busy spin.
//
// A busy machine: when another process keeps a core busy, a team thread can sit
// descheduled for a whole time slice (milliseconds) while a region of a few
// microseconds waits for it, which made two-thread training steps ~8-20x slower than
// one thread. So the calling thread times its wait at the end of each region; repeated
// waits over 1 ms, longer than its own share of the work, in back-to-back regions make
// the core run on one thread for a while (team_threads() returns 1; threads.cc has the
// rule), after which it tries the full team again. Results do not depend on the thread
// count (every output element is computed by one thread in a fixed order), so the
// switch changes only the speed.
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>

#include "kerasette/common.h"
#include "kerasette/cpu.h"
#include "kerasette/fpenv.h"

#ifdef KERASETTE_HAVE_OPENMP
#include <omp.h>
#endif

namespace ks {

// get_num_threads(), or 1 while the machine recently looked oversubscribed.
int team_threads();
// The calling thread waited `wait_s` seconds for the rest of a team after doing
// `work_s` seconds of the region itself; start_ns/end_ns bound the region (threads.cc
// decides whether the wait was too long, and ignores it after an idle spell, when the
// other threads were asleep and waking them takes its own time).
void note_team_wait(std::int64_t start_ns, std::int64_t end_ns, double work_s, double wait_s);

// body() runs on each thread of a team of `threads` (inline when threads <= 1 or when
// already inside a team); it claims parts until none are left and must not throw.
template <class Body>
void run_team(int threads, Body body) {
#ifdef KERASETTE_HAVE_OPENMP
  if (threads > 1 && !omp_in_parallel()) {
    using clock = std::chrono::steady_clock;
    std::atomic<int> finished{0};
    double work_s = 0.0, wait_s = 0.0;
    const auto t0 = clock::now();
#pragma omp parallel num_threads(threads)
    {
      const int team = omp_get_num_threads();
      {
        FlushDenormals flush;  // every thread of the team, as on the inline path below
        body();
      }
      finished.fetch_add(1);
      const bool caller = omp_get_thread_num() == 0;
      const auto t1 = caller ? clock::now() : t0;
      while (finished.load() < team) std::this_thread::yield();
      if (caller) {
        work_s = std::chrono::duration<double>(t1 - t0).count();
        wait_s = std::chrono::duration<double>(clock::now() - t1).count();
      }
    }
    const auto ns = [](clock::time_point t) {
      return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
    };
    note_team_wait(ns(t0), ns(clock::now()), work_s, wait_s);
    return;
  }
#endif
  (void)threads;
  FlushDenormals flush;
  body();
}

// body(begin, end) over [0, n): inline when n is under min_parallel (a fork costs a
// few microseconds), otherwise ranges of `grain` multiples claimed by a team.
template <class Body>
void parallel_ranges(i64 n, i64 min_parallel, i64 grain, Body body) {
  if (n <= 0) return;
  const int threads = n >= min_parallel ? team_threads() : 1;
  if (threads <= 1) {
    FlushDenormals flush;
    body(i64(0), n);
    return;
  }
  const i64 per = ((n + 4 * threads - 1) / (4 * threads) + grain - 1) / grain * grain;
  const i64 parts = (n + per - 1) / per;
  std::atomic<i64> next{0};
  run_team(threads, [&] {
    for (i64 t; (t = next.fetch_add(1)) < parts;) {
      const i64 b = t * per, e = b + per < n ? b + per : n;
      body(b, e);
    }
  });
}

}  // namespace ks

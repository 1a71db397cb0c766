// Counter-based random kernels (contract in kerasette/random.h): element i depends only
// on (key, stream, i), so any split over threads and any ISA give the same numbers.
// dropout and uniform run the ISA's loops (random_kernels.inc, compiled here for the
// baseline ISA and in random_avx2.cc / random_avx512.cc; the dispatch table picks one).
#include "kerasette/random.h"

#include <cmath>
#include <cstring>

#include "dispatch/kernel_table.h"
#include "kerasette/cpu.h"
#include "kerasette/parallel.h"
#include "kernels/cpu/random_isa.h"

namespace ks {
// No FMA contraction (matters only where this file gets FMA flags: KERASETTE_NATIVE),
// as in the ISA files.
#pragma GCC push_options
#pragma GCC optimize("fp-contract=off")
namespace rand_generic {
#include "kernels/cpu/random_kernels.inc"
}  // namespace rand_generic
#pragma GCC pop_options

namespace {
constexpr i64 kParallelMin = i64(1) << 15;
}  // namespace

void dropout_keyed(const float* x, float* y, float* mask, float rate, std::uint64_t key,
                   std::uint64_t stream, i64 n) {
  KS_ASSERT(n >= 0 && rate >= 0.0f && rate <= 1.0f && (n == 0 || (x && y)));
  const float scale = rate < 1.0f ? 1.0f / (1.0f - rate) : 0.0f;
  // u >= rate with u = k * 2^-24 (k < 2^24) is k >= rate * 2^24, exact in double.
  const std::uint64_t thr = (std::uint64_t)std::ceil((double)rate * 16777216.0);
  const std::uint64_t base = rng_base(key, stream);
  const RandDropoutFn run = random_kernels(active_isa()).dropout;
  parallel_ranges(n, kParallelMin, 64,
                  [&](i64 b, i64 e) { run(x, y, mask, scale, thr, base, b, e); });
}

void random_uniform(float* y, float lo, float hi, std::uint64_t key, std::uint64_t stream, i64 n) {
  const float w = hi - lo;
  const std::uint64_t base = rng_base(key, stream);
  const RandUniformFn run = random_kernels(active_isa()).uniform;
  parallel_ranges(n, kParallelMin, 64, [&](i64 b, i64 e) { run(y, lo, w, base, b, e); });
}

void random_normal(float* y, float mean, float stddev, std::uint64_t key, std::uint64_t stream,
                   i64 n) {
  const double two_pi = 6.283185307179586476925;
  const std::uint64_t base = rng_base(key, stream);
  // Pair p gives y[2p] = r cos t and y[2p + 1] = r sin t from counters 2p and 2p + 1;
  // 53-bit uniforms keep u1 away from 0. Scalar on every ISA: libm's log, sin and cos
  // define these numbers. Ranges start even (grain 2), so each pair is one thread's.
  parallel_ranges(n, kParallelMin / 4, 2, [&](i64 b, i64 e) {
    for (i64 i = b; i < e; i += 2) {
      const std::uint64_t c = (std::uint64_t)i;
      const double u1 = ((double)(rng_finalise(base + c * kRngStep) >> 11) + 1.0) * 0x1.0p-53;
      const double u2 = (double)(rng_finalise(base + (c + 1) * kRngStep) >> 11) * 0x1.0p-53;
      const double r = std::sqrt(-2.0 * std::log(u1)), t = two_pi * u2;
      y[i] = (float)(mean + stddev * (r * std::cos(t)));
      if (i + 1 < e) y[i + 1] = (float)(mean + stddev * (r * std::sin(t)));
    }
  });
}

}  // namespace ks

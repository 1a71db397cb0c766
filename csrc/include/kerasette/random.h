// Counter-based random kernels: element i of a call draws from rng_mix(key, stream, i),
// so results repeat exactly on any thread count and ISA. `key` is the caller's mix of
// seed and step (runtime/program.cc: program seed, per-instruction stream, step).
#pragma once
#include <cstdint>

#include "kerasette/common.h"

namespace ks {

// ---- the generator: splitmix64's finaliser over a combination of three words.
// rng_mix(s, t, i) = rng_finalise(rng_base(s, t) + i * kRngStep): the counter enters
// linearly, so a loop over i steps z by kRngStep (kernels/cpu/random_kernels.inc).
constexpr std::uint64_t kRngGolden = 0x9E3779B97F4A7C15ULL;
constexpr std::uint64_t kRngM1 = 0xBF58476D1CE4E5B9ULL;
constexpr std::uint64_t kRngStep = 0x94D049BB133111EBULL;  // also splitmix64's second multiplier

inline std::uint64_t rng_base(std::uint64_t seed, std::uint64_t stream) {
  return (seed * kRngGolden ^ (stream + 0x632BE59BD9B4E019ULL) * kRngM1) + kRngGolden;
}
inline std::uint64_t rng_finalise(std::uint64_t z) {
  z = (z ^ (z >> 30)) * kRngM1;
  z = (z ^ (z >> 27)) * kRngStep;
  return z ^ (z >> 31);
}
inline std::uint64_t rng_mix(std::uint64_t seed, std::uint64_t stream, std::uint64_t counter) {
  return rng_finalise(rng_base(seed, stream) + counter * kRngStep);
}
// u in [0, 1): the top 24 bits, exact in float.
inline float rng_uniform(std::uint64_t seed, std::uint64_t stream, std::uint64_t counter) {
  return (float)(rng_mix(seed, stream, counter) >> 40) * (1.0f / 16777216.0f);
}

// ---- kernels (the ISA's loops through the dispatch table, split over threads)

// Inverted dropout: scale = 1 / (1 - rate) in float, mask = (u >= rate) * scale, and
// y = x * scale where kept, exactly +0 where dropped whatever x is (inf and NaN too:
// Keras on TensorFlow selects, it does not multiply by 0). mask may be null (then it
// is not written). rate in [0, 1]; rate 1 gives mask 0 and y 0.
void dropout_keyed(const float* x, float* y, float* mask, float rate, std::uint64_t key,
                   std::uint64_t stream, i64 n);
// y = lo + (hi - lo) * u, u uniform in [0, 1).
void random_uniform(float* y, float lo, float hi, std::uint64_t key, std::uint64_t stream, i64 n);
// y = mean + stddev * z, z standard normal by Box-Muller over pairs of counters.
void random_normal(float* y, float mean, float stddev, std::uint64_t key, std::uint64_t stream,
                   i64 n);

}  // namespace ks

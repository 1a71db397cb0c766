// Counter-based random kernels: element i of a call draws from rng_mix(key, stream, i)
// (layer_ops.h), so results repeat exactly on any thread count. `key` is the caller's
// mix of seed and step (runtime/program.cc: program seed, per-instruction stream, step).
#pragma once
#include <cstdint>

#include "kerasette/common.h"

namespace ks {

// Inverted dropout: mask = (u >= rate) / (1 - rate), y = x * mask. mask may be null.
void dropout_keyed(const float* x, float* y, float* mask, float rate, std::uint64_t key,
                   std::uint64_t stream, i64 n);
// y = lo + (hi - lo) * u, u uniform in [0, 1).
void random_uniform(float* y, float lo, float hi, std::uint64_t key, std::uint64_t stream, i64 n);
// y = mean + stddev * z, z standard normal by Box-Muller over pairs of counters.
void random_normal(float* y, float mean, float stddev, std::uint64_t key, std::uint64_t stream,
                   i64 n);

}  // namespace ks

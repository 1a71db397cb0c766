// Counter-based random kernels (contract in kerasette/random.h): element i depends only
// on (key, stream, i), so any split over threads gives the same numbers.
#include "kerasette/random.h"

#include <cmath>

#include "kerasette/layer_ops.h"
#include "kerasette/parallel.h"

namespace ks {
namespace {
constexpr i64 kParallelMin = i64(1) << 15;
}  // namespace

void dropout_keyed(const float* x, float* y, float* mask, float rate, std::uint64_t key,
                   std::uint64_t stream, i64 n) {
  KS_ASSERT(n >= 0 && rate >= 0.0f && rate <= 1.0f && (n == 0 || (x && y)));
  const float scale = rate < 1.0f ? 1.0f / (1.0f - rate) : 0.0f;
  parallel_ranges(n, kParallelMin, 64, [&](i64 b, i64 e) {
    for (i64 i = b; i < e; ++i) {
      const float m = rng_uniform(key, stream, (std::uint64_t)i) >= rate ? scale : 0.0f;
      if (mask) mask[i] = m;
      y[i] = x[i] * m;
    }
  });
}

void random_uniform(float* y, float lo, float hi, std::uint64_t key, std::uint64_t stream, i64 n) {
  const float w = hi - lo;
  parallel_ranges(n, kParallelMin, 64, [&](i64 b, i64 e) {
    for (i64 i = b; i < e; ++i) y[i] = lo + w * rng_uniform(key, stream, (std::uint64_t)i);
  });
}

void random_normal(float* y, float mean, float stddev, std::uint64_t key, std::uint64_t stream,
                   i64 n) {
  const double two_pi = 6.283185307179586476925;
  // Pair p = i / 2 gives (r cos t, r sin t); 53-bit uniforms keep u1 away from 0.
  parallel_ranges(n, kParallelMin / 4, 2, [&](i64 b, i64 e) {
    for (i64 i = b; i < e; ++i) {
      const std::uint64_t p = (std::uint64_t)(i >> 1);
      const double u1 = ((double)(rng_mix(key, stream, 2 * p) >> 11) + 1.0) * 0x1.0p-53;
      const double u2 = (double)(rng_mix(key, stream, 2 * p + 1) >> 11) * 0x1.0p-53;
      const double r = std::sqrt(-2.0 * std::log(u1)), t = two_pi * u2;
      const double z = (i & 1) ? r * std::sin(t) : r * std::cos(t);
      y[i] = (float)(mean + stddev * z);
    }
  });
}

}  // namespace ks

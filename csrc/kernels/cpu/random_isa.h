// Declarations of the per-ISA random loops (bodies in random_kernels.inc). Each fills
// elements [b, e) of one call; element i draws rng_finalise(base + i * kRngStep)
// (kerasette/random.h), so the split over threads never changes a number.
#pragma once
#include <cstdint>

#include "kerasette/common.h"

namespace ks {
// keep = (bits >> 40) >= thr; y[i] = keep ? x[i] * scale : +0 (a select: a dropped inf
// or NaN gives 0, not NaN); mask[i] = keep ? scale : 0 unless mask is null.
// thr = ceil(rate * 2^24) is u >= rate on the 24-bit integer (exact).
using RandDropoutFn = void (*)(const float* x, float* y, float* mask, float scale,
                               std::uint64_t thr, std::uint64_t base, i64 b, i64 e);
// y[i] = lo + w * u, u = (bits >> 40) * 2^-24, rounded after the product (no FMA).
using RandUniformFn = void (*)(float* y, float lo, float w, std::uint64_t base, i64 b, i64 e);
#define KS_RANDOM_KERNEL_DECLS                                                        \
  void dropout(const float* x, float* y, float* mask, float scale, std::uint64_t thr, \
               std::uint64_t base, i64 b, i64 e);                                     \
  void uniform(float* y, float lo, float w, std::uint64_t base, i64 b, i64 e);
namespace rand_generic {
KS_RANDOM_KERNEL_DECLS
}
namespace rand_avx2 {
KS_RANDOM_KERNEL_DECLS
}
namespace rand_avx512 {
KS_RANDOM_KERNEL_DECLS
}
#undef KS_RANDOM_KERNEL_DECLS
}  // namespace ks

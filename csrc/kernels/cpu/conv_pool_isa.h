// Declarations of the per-ISA loops of a small-K convolution's filter and bias gradients
// from the pooled gradient (bodies in conv_pool_kernels.inc, driver in conv_pool.cc).
#pragma once
#include <algorithm>

#include "kerasette/conv.h"

namespace ks {
// Rows of pooling windows per band: enough conv-output rows (about kConvPoolBandFloats
// floats of dz) that each tap's loop runs long, few enough that the band stays in L1.
constexpr i64 kConvPoolBandFloats = 6144;
inline i64 conv_pool_band_rows(const ConvShape& s, const ConvShape& p) {
  const i64 per = std::max<i64>(1, p.sh * s.OW * s.O);
  return std::max<i64>(1, std::min<i64>(p.OH, kConvPoolBandFloats / per));
}
// dz floats of one band: its first window row to its last window's end
inline i64 conv_pool_band_floats(const ConvShape& s, const ConvShape& p) {
  return ((conv_pool_band_rows(s, p) - 1) * p.sh + p.KH) * s.OW * s.O;
}
// part (KH * KW * C * O floats of dw, then O of db) = the sums over images [n0, n1)
// (written); buf: conv_pool_band_floats() floats of working space.
using ConvPoolGradFn = void (*)(const ConvShape&, const ConvShape&, bool, bool, const float*,
                                const float*, const float*, float*, float*, i64, i64);
#define KS_CONV_POOL_KERNEL_DECLS                                                                  \
  void pool_grad_part(const ConvShape& s, const ConvShape& p, bool avg, bool relu, const float* x, \
                      const float* y, const float* g, float* part, float* buf, i64 n0, i64 n1);
namespace conv_pool_generic {
KS_CONV_POOL_KERNEL_DECLS
}
namespace conv_pool_avx2 {
KS_CONV_POOL_KERNEL_DECLS
}
namespace conv_pool_avx512 {
KS_CONV_POOL_KERNEL_DECLS
}
#undef KS_CONV_POOL_KERNEL_DECLS
}  // namespace ks

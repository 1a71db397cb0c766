// Declarations of the per-ISA direct convolution loops for a small im2col row (bodies
// in conv_kernels.inc): first layers on grayscale or RGB images, where K = KH * KW * C is
// a handful of taps and an im2col + GEMM spends its time copying and packing.
#pragma once
#include "kerasette/conv.h"

namespace ks {
// y rows [r0, r1) of (image, output row) = bias + taps (read from x) @ w, then relu
// when `relu`; bias may be null.
using ConvSmallFwdFn = void (*)(const ConvShape&, const float*, const float*, const float*, bool,
                                float*, i64, i64);
// part (KH * KW * C, O) = sum over images [n0, n1) of taps^T @ dy (written).
using ConvSmallFilterFn = void (*)(const ConvShape&, const float*, const float*, float*, i64, i64);
// Group g's channels of dx for nb images = the images' dcols rows ((OH * OW, KK) each)
// scattered back and summed (written, not accumulated into dx), one tap at a time per
// image. dx points at the first of the images.
using ConvCol2imFn = void (*)(const ConvShape&, const float*, i64, i64, float*);
// y rows [r0, r1) of (image, output row) = max (NaN wins) or mean over each window's
// taps inside the image (`avg`: the mean of those, padding not counted).
using ConvPoolFwdFn = void (*)(const ConvShape&, bool, const float*, float*, i64, i64);
#define KS_CONV_KERNEL_DECLS                                                                  \
  void small_forward(const ConvShape& s, const float* x, const float* w, const float* bias,   \
                     bool relu, float* y, i64 r0, i64 r1);                                    \
  void small_filter(const ConvShape& s, const float* x, const float* dy, float* part, i64 n0, \
                    i64 n1);                                                                  \
  void col2im(const ConvShape& s, const float* dcols, i64 nb, i64 g, float* dx);              \
  void pool_forward(const ConvShape& s, bool avg, const float* x, float* y, i64 r0, i64 r1);
namespace conv_generic {
KS_CONV_KERNEL_DECLS
}
namespace conv_avx2 {
KS_CONV_KERNEL_DECLS
}
namespace conv_avx512 {
KS_CONV_KERNEL_DECLS
}
#undef KS_CONV_KERNEL_DECLS
}  // namespace ks

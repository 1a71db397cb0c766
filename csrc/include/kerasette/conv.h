// Convolution and pooling over NHWC tensors, and scans along an axis.
//
// conv2d: x (N, H, W, C), w (KH, KW, C / groups, O) (Keras's HWIO), y (N, OH, OW, O);
// output pixel (oh, ow) reads input rows oh * sh - pad_top + kh * dh and columns
// ow * sw - pad_left + kw * dw (outside the image = 0). Computed as im2col of a few
// images at a time into a per-thread buffer followed by one ks::gemm per task and
// group. `scratch` (ConvShape::scratch() floats, none for most shapes) holds the small-K
// filter gradient's partial sums.
#pragma once
#include <algorithm>

#include "kerasette/activation.h"
#include "kerasette/common.h"

namespace ks {

struct ConvShape {
  i64 N, H, W, C, O, KH, KW, sh, sw, dh, dw, pad_top, pad_left, OH, OW, groups;
  i64 Cg() const { return C / groups; }
  i64 Og() const { return O / groups; }
  i64 cols() const { return KH * KW * Cg(); }  // im2col row length
  // The small-K filter gradient's partial sums: a fixed number of image parts (never the
  // thread count, so results do not depend on it), KH * KW * C * O floats each. The im2col
  // paths unroll into per-thread buffers and need none. The lowering
  // (python/kerasette/graph/prims/conv.py) computes the same number.
  static constexpr i64 kSmallFilterParts = 32;
  i64 scratch() const { return small_k() ? std::min<i64>(N, kSmallFilterParts) * cols() * O : 0; }
  // A few taps per output pixel (first layers on grayscale / RGB images): convolved
  // directly from x (conv_kernels.inc), neither im2col nor GEMM.
  static constexpr i64 kSmallK = 32;
  bool small_k() const { return groups == 1 && cols() <= kSmallK && O > 0; }
  bool direct() const {  // 1x1, stride 1, no padding
    return KH == 1 && KW == 1 && sh == 1 && sw == 1 && pad_top == 0 && pad_left == 0 && OH == H &&
           OW == W && groups == 1;
  }
};

// Empty string or what is wrong with the shape (dims, divisibility by groups, output size).
const char* conv_shape_error(const ConvShape& s);

void conv2d_forward(const ConvShape& s, const float* x, const float* w, float* y, float* scratch);
// y = act(conv2d(x, w) + bias), bias (O): the GEMM's epilogue (or the small-K kernel's)
// instead of a pass over y; act is elementwise (never softmax / log_softmax).
void conv2d_forward_bias_act(const ConvShape& s, const float* x, const float* w, const float* bias,
                             Act act, float act_param, float* y, float* scratch);
// dx (written) from dy and w.
void conv2d_grad_input(const ConvShape& s, const float* dy, const float* w, float* dx,
                       float* scratch);
// dw (written) from x and dy.
void conv2d_grad_filter(const ConvShape& s, const float* x, const float* dy, float* dw,
                        float* scratch);

// Pooling windows like conv2d's (C channels pooled separately, dilation 1). Max ignores
// padding; average divides by the count of in-image elements (TF / Keras 'same').
void pool2d_forward(const ConvShape& s, bool avg, const float* x, float* y);
// dx (written): max routes each dy to the first maximum of its window. relu: also
// times (x > 0), the gradient of a relu whose output x is (a Conv2D's activation
// before its pooling), where(x > 0, dx, 0) as TF's ReluGrad.
void pool2d_backward(const ConvShape& s, bool avg, bool relu, const float* x, const float* dy,
                     float* dx);

// The filter and bias gradients of a small-K convolution (s) whose output y is pooled
// by disjoint windows (p: pool2d's shape over y), from g, the pooling's output gradient:
// dw = conv2d_grad_filter(x, dz) and db = dz's column sums (both written; db may be
// null), dz = pool2d_backward(y, g) never stored (conv_pool.cc). The images go in a
// fixed number of parts, so results do not depend on the thread count.
const char* conv_pool_grad_error(const ConvShape& s, const ConvShape& p);  // "" when usable
i64 conv_pool_grad_scratch(const ConvShape& s, const ConvShape& p);        // floats
void conv2d_pool_grad_filter(const ConvShape& s, const ConvShape& p, bool avg, bool relu,
                             const float* x, const float* y, const float* g, float* dw, float* db,
                             float* scratch);

// y = cumulative sum / product along the middle axis of (outer, len, inner), accumulated
// in float32 in order (numpy's result bit for bit).
void cumulative(bool prod, const float* x, float* y, i64 outer, i64 len, i64 inner);

// Plain loops, the oracle.
void conv2d_forward_ref(const ConvShape& s, const float* x, const float* w, float* y);

}  // namespace ks

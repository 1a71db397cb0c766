// Direct-loop convolution (the oracle for kernels/cpu/conv.cc's im2col + GEMM), in double.
#include "kerasette/conv.h"

namespace ks {

void conv2d_forward_ref(const ConvShape& s, const float* x, const float* w, float* y) {
  const i64 Cg = s.Cg(), Og = s.Og();
  for (i64 n = 0; n < s.N; ++n)
    for (i64 oh = 0; oh < s.OH; ++oh)
      for (i64 ow = 0; ow < s.OW; ++ow)
        for (i64 o = 0; o < s.O; ++o) {
          const i64 g = o / Og;
          double acc = 0.0;
          for (i64 kh = 0; kh < s.KH; ++kh) {
            const i64 ih = oh * s.sh - s.pad_top + kh * s.dh;
            if (ih < 0 || ih >= s.H) continue;
            for (i64 kw = 0; kw < s.KW; ++kw) {
              const i64 iw = ow * s.sw - s.pad_left + kw * s.dw;
              if (iw < 0 || iw >= s.W) continue;
              for (i64 c = 0; c < Cg; ++c)
                acc += (double)x[((n * s.H + ih) * s.W + iw) * s.C + g * Cg + c] *
                       w[((kh * s.KW + kw) * Cg + c) * s.O + o];
            }
          }
          y[((n * s.OH + oh) * s.OW + ow) * s.O + o] = (float)acc;
        }
}

}  // namespace ks

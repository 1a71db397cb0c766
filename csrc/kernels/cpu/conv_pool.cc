// A small-K convolution's filter and bias gradients from the gradient of the disjoint
// pooling after it (contract in kerasette/conv.h). Unfused, the first layer of a conv
// net makes three passes over its largest tensor, dz: the pooling's backward writes it,
// the bias gradient and the filter gradient read it. Here each band of dz (an image's
// rows under one row of windows) is made in a small buffer and used while in L1
// (conv_pool_kernels.inc, per ISA). The images split into a fixed number of parts, each
// part's sums in its own slice of scratch, then the parts are summed in order.
#pragma GCC optimize("no-trapping-math")
#include <algorithm>
#include <cmath>
#include <cstring>

#include "dispatch/kernel_table.h"
#include "kerasette/conv.h"
#include "kerasette/cpu.h"
#include "kerasette/parallel.h"
#include "kernels/cpu/conv_pool_isa.h"

namespace ks {
namespace conv_pool_generic {
#include "kernels/cpu/conv_pool_kernels.inc"
}  // namespace conv_pool_generic

namespace {
constexpr i64 kParts = 32;  // never the thread count: results must not depend on it

i64 parts_of(const ConvShape& s) { return std::max<i64>(1, std::min(s.N, kParts)); }
// one part's floats: its dw and db sums, then its band buffer
i64 part_floats(const ConvShape& s, const ConvShape& p) {
  return s.cols() * s.O + s.O + conv_pool_band_floats(s, p);
}
}  // namespace

const char* conv_pool_grad_error(const ConvShape& s, const ConvShape& p) {
  if (!s.small_k()) return "the convolution must be small-K (groups 1, KH * KW * C <= 32)";
  if (p.N != s.N || p.H != s.OH || p.W != s.OW || p.C != s.O)
    return "the pooling's input must be the convolution's output";
  if (p.sh < p.KH || p.sw < p.KW || p.KH < 1 || p.KW < 1)
    return "the pooling windows must be disjoint (stride >= window)";
  return "";
}

i64 conv_pool_grad_scratch(const ConvShape& s, const ConvShape& p) {
  return parts_of(s) * part_floats(s, p);
}

void conv2d_pool_grad_filter(const ConvShape& s, const ConvShape& p, bool avg, bool relu,
                             const float* x, const float* y, const float* g, float* dw, float* db,
                             float* scratch) {
  const i64 O = s.O, KO = s.cols() * O, per = part_floats(s, p);
  if (s.N == 0 || s.OH * s.OW == 0 || p.OH * p.OW == 0) {
    std::fill(dw, dw + KO, 0.0f);
    if (db) std::fill(db, db + O, 0.0f);
    return;
  }
  const i64 parts = parts_of(s);
  const ConvPoolGradFn part = conv_pool_kernels(active_isa()).grad_part;
  parallel_ranges(parts, 2, 1, [&](i64 b, i64 e) {
    for (i64 q = b; q < e; ++q)
      part(s, p, avg, relu, x, y, g, scratch + q * per, scratch + q * per + KO + O, s.N * q / parts,
           s.N * (q + 1) / parts);
  });
  for (i64 j = 0; j < KO + O; ++j) {
    float acc = scratch[j];
    for (i64 q = 1; q < parts; ++q) acc += scratch[q * per + j];
    if (j < KO) dw[j] = acc;
    else if (db) db[j - KO] = acc;
  }
}

}  // namespace ks

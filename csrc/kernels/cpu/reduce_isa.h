// Declarations of the per-ISA reduction loops (bodies in reduce_kernels.inc).
#pragma once
#include "kerasette/reduce.h"

namespace ks {
// What one contiguous chunk of a row reduces to; chunks combine in order.
struct RedPartial {
  double s;  // sum / product / sum of exp(x - v) for logsumexp
  float v;   // max or min (NaN if the chunk has one); logsumexp's chunk max
  i64 i;     // argmax/argmin index within the chunk; any/all flag
};
using RedChunkFn = RedPartial (*)(RedOp, const float*, i64);
using RedColsFn = void (*)(RedOp, const float*, float*, i64, i64, i64);
#define KS_REDUCE_KERNEL_DECLS                       \
  RedPartial chunk(RedOp op, const float* x, i64 n); \
  void cols(RedOp op, const float* x, float* y, i64 len, i64 width, i64 ld);
namespace red_generic {
KS_REDUCE_KERNEL_DECLS
}
namespace red_avx2 {
KS_REDUCE_KERNEL_DECLS
}
namespace red_avx512 {
KS_REDUCE_KERNEL_DECLS
}
#undef KS_REDUCE_KERNEL_DECLS
}  // namespace ks

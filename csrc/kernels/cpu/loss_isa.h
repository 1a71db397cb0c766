// Declarations of the per-ISA loss row kernels (body in loss_kernels.inc).
#pragma once
#include "kerasette/loss.h"

namespace ks {
// Row loss of one sample; writes gs * dloss/dpred into gr (never null).
using RowFn = float (*)(Loss, const LossParams&, const float*, const float*, float, float, i64,
                        float, float*);
#define KS_LOSS_KERNEL_DECLS                                                                   \
  float row(Loss l, const LossParams& p, const float* pr, const float* tr, float hs, float hb, \
            i64 K, float gs, float* gr);
namespace loss_generic {
KS_LOSS_KERNEL_DECLS
}
namespace loss_avx2 {
KS_LOSS_KERNEL_DECLS
}
namespace loss_avx512 {
KS_LOSS_KERNEL_DECLS
}
#undef KS_LOSS_KERNEL_DECLS
}  // namespace ks

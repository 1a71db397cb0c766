// Declarations of the per-ISA optimizer range kernels (body in optimizer_kernels.inc).
#pragma once
#include "kerasette/optimizer.h"

namespace ks {
#define KS_OPT_KERNEL_DECLS                                                                       \
  void update_range(Opt o, const OptParams& p, i64 step, float* __restrict w,                     \
                    const float* __restrict g, float* const* slots, i64 b, i64 e);                \
  void lamb_moments(const OptParams& p, i64 step, float* __restrict w, const float* __restrict g, \
                    float* const* slots, i64 b, i64 e, double* w_sq, double* u_sq);               \
  void lamb_apply(const OptParams& p, i64 step, float* __restrict w, float* const* slots, i64 b,  \
                  i64 e, float scale);
namespace opt_generic {
KS_OPT_KERNEL_DECLS
}
namespace opt_avx2 {
KS_OPT_KERNEL_DECLS
}
namespace opt_avx512 {
KS_OPT_KERNEL_DECLS
}
#undef KS_OPT_KERNEL_DECLS
}  // namespace ks

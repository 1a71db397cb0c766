// Declarations of the per-ISA optimizer range kernels (body in optimizer_kernels.inc).
#pragma once
#include "kerasette/optimizer.h"

namespace ks {
#define KS_OPT_KERNEL_DECLS                                                                \
  void update_range(Opt o, const OptParams& p, i64 step, float* __restrict w,             \
                    const float* __restrict g, float* const* slots, i64 b, i64 e);
namespace opt_generic { KS_OPT_KERNEL_DECLS }
namespace opt_avx2 { KS_OPT_KERNEL_DECLS }
namespace opt_avx512 { KS_OPT_KERNEL_DECLS }
#undef KS_OPT_KERNEL_DECLS
}  // namespace ks

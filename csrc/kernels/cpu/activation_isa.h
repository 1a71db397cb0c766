// Declarations of the per-ISA activation kernels (bodies in activation_kernels.inc).
#pragma once
#include "kerasette/activation.h"

namespace ks {
#define KS_ACT_KERNEL_DECLS                                                                    \
  void fwd(Act a, float p, const float* x, float* y, i64 n);                                   \
  void bwd(Act a, float p, const float* x, const float* y, const float* dy, float* dx, i64 n); \
  void softmax_rows(bool log_form, const float* x, float* y, i64 rows, i64 cols);              \
  void softmax_rows_bwd(bool log_form, const float* y, const float* dy, float* dx, i64 rows,   \
                        i64 cols);
namespace act_generic {
KS_ACT_KERNEL_DECLS
}
namespace act_avx2 {
KS_ACT_KERNEL_DECLS
}
namespace act_avx512 {
KS_ACT_KERNEL_DECLS
}
#undef KS_ACT_KERNEL_DECLS
}  // namespace ks

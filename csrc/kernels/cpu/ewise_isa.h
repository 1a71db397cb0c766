// Declarations of the per-ISA ewise instruction loops (body in ewise_kernels.inc).
#pragma once
#include "kerasette/ewise.h"

namespace ks {
using EwApplyFn = void (*)(int, float*, const float*, const float*, const float*, i64);
#define KS_EWISE_KERNEL_DECLS \
  void apply(int code, float* d, const float* a, const float* b, const float* c, i64 n);
namespace ew_generic {
KS_EWISE_KERNEL_DECLS
}
namespace ew_avx2 {
KS_EWISE_KERNEL_DECLS
}
namespace ew_avx512 {
KS_EWISE_KERNEL_DECLS
}
#undef KS_EWISE_KERNEL_DECLS
}  // namespace ks

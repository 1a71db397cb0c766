// The one table mapping (op, ISA) to a kernel. Only GEMM dispatches through it so
// far; other ops add their own entry type beside GemmKernel.
#pragma once
#include "kerasette/cpu.h"
#include "kernels/cpu/gemm/ukernel.h"

namespace ks {

struct GemmKernel {
  gemm_detail::UKernel ukernel;
  gemm_detail::RowKernel row;  // M == 1, B not transposed
  int MR, NR;      // register tile
  int MC, KC, NC;  // cache blocking
  bool avx2_pack;  // packing may use the AVX2 transposes
};

// The GEMM micro-kernel and blocking for `isa` (which must be supported).
const GemmKernel& gemm_kernel(Isa isa);

}  // namespace ks

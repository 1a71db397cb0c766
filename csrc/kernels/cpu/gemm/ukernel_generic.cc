// Portable micro-kernel (GenericBlocks::MR x NR): fixed-size loops the compiler
// unrolls and vectorises for whatever baseline the wheel targets.
#include "kernels/cpu/gemm/blocksizes.h"
#include "kernels/cpu/gemm/ukernel.h"

namespace ks::gemm_detail {

void ukernel_generic(i64 k, const float* Ap, i64 rsa, i64 csa, const float* Bp, i64 rsb, float* C,
                     i64 ldc, float alpha, float beta, int m, int n) {
  constexpr int MR = GenericBlocks::MR, NR = GenericBlocks::NR;
  float acc[MR * NR] = {};
  for (i64 p = 0; p < k; ++p) {
    const float* a = Ap + p * rsa;
    const float* b = Bp + p * rsb;
    for (int i = 0; i < m; ++i)
      for (int j = 0; j < NR; ++j) acc[i * NR + j] += a[i * csa] * b[j];
  }
  store_edge(acc, NR, C, ldc, alpha, beta, m, n);
}

}  // namespace ks::gemm_detail

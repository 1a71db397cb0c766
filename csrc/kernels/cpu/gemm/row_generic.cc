// Portable one-row product (see RowKernel in ukernel.h): column blocks of 64 held in
// a local accumulator the compiler vectorises, B walked row by row.
#include "kernels/cpu/gemm/ukernel.h"

namespace ks::gemm_detail {

void row_generic(i64 k, i64 n, float alpha, const float* a, i64 inca, const float* B, i64 ldb,
                 float beta, float* c) {
  constexpr i64 NB = 64;
  for (i64 j0 = 0; j0 < n; j0 += NB) {
    const i64 nb = n - j0 < NB ? n - j0 : NB;
    float acc[NB] = {};
    for (i64 p = 0; p < k; ++p) {
      const float ap = a[p * inca];
      const float* b = B + p * ldb + j0;
      for (i64 j = 0; j < nb; ++j) acc[j] += ap * b[j];
    }
    for (i64 j = 0; j < nb; ++j)
      c[j0 + j] = beta == 0.0f ? alpha * acc[j] : alpha * acc[j] + beta * c[j0 + j];
  }
}

}  // namespace ks::gemm_detail

// Portable one-column product (see ColKernel in ukernel.h): four partial sums per row.
#include "kernels/cpu/gemm/ukernel.h"

namespace ks::gemm_detail {

void col_generic(i64 m, i64 k, float alpha, const float* A, i64 lda, const float* b, i64 incb,
                 float beta, float* c, i64 incc) {
  for (i64 i = 0; i < m; ++i) {
    const float* a = A + i * lda;
    float s[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    i64 p = 0;
    for (; p + 4 <= k; p += 4)
      for (int u = 0; u < 4; ++u) s[u] += a[p + u] * b[(p + u) * incb];
    for (; p < k; ++p) s[0] += a[p] * b[p * incb];
    const float dot = (s[0] + s[1]) + (s[2] + s[3]);
    float* ci = c + i * incc;
    *ci = beta == 0.0f ? alpha * dot : alpha * dot + beta * *ci;
  }
}

}  // namespace ks::gemm_detail

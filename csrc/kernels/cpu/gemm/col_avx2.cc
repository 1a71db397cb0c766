// AVX2 one-column product (see ColKernel in ukernel.h): each row of A against b in
// 8-wide pieces with two accumulators; a strided b is gathered once into a local copy.
#include <immintrin.h>

#include "kernels/cpu/gemm/ukernel.h"

namespace ks::gemm_detail {

void col_avx2(i64 m, i64 k, float alpha, const float* A, i64 lda, const float* b, i64 incb,
              float beta, float* c, i64 incc) {
  b = contiguous_b(b, incb, k);
  for (i64 i = 0; i < m; ++i) {
    const float* a = A + i * lda;
    __m256 s0 = _mm256_setzero_ps(), s1 = s0;
    i64 p = 0;
    for (; p + 16 <= k; p += 16) {
      s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + p), _mm256_loadu_ps(b + p), s0);
      s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + p + 8), _mm256_loadu_ps(b + p + 8), s1);
    }
    for (; p + 8 <= k; p += 8)
      s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + p), _mm256_loadu_ps(b + p), s0);
    s0 = _mm256_add_ps(s0, s1);
    const __m128 q = _mm_add_ps(_mm256_castps256_ps128(s0), _mm256_extractf128_ps(s0, 1));
    const __m128 h = _mm_add_ps(q, _mm_movehl_ps(q, q));
    float dot = _mm_cvtss_f32(_mm_add_ss(h, _mm_movehdup_ps(h)));
    for (; p < k; ++p) dot += a[p] * b[p];
    float* ci = c + i * incc;
    *ci = beta == 0.0f ? alpha * dot : alpha * dot + beta * *ci;
  }
}

}  // namespace ks::gemm_detail

// AVX-512 one-column product (see ColKernel in ukernel.h): each row of A against b in
// 16-wide pieces with two accumulators and a masked tail; a strided b is gathered once
// into a local copy.
#include <immintrin.h>

#include "kernels/cpu/gemm/ukernel.h"

namespace ks::gemm_detail {

void col_avx512(i64 m, i64 k, float alpha, const float* A, i64 lda, const float* b, i64 incb,
                float beta, float* c, i64 incc) {
  b = contiguous_b(b, incb, k);
  const i64 tail = k % 16;
  const __mmask16 mt = static_cast<__mmask16>((1u << tail) - 1u);
  for (i64 i = 0; i < m; ++i) {
    const float* a = A + i * lda;
    __m512 s0 = _mm512_setzero_ps(), s1 = s0;
    i64 p = 0;
    for (; p + 32 <= k; p += 32) {
      s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + p), _mm512_loadu_ps(b + p), s0);
      s1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + p + 16), _mm512_loadu_ps(b + p + 16), s1);
    }
    if (p + 16 <= k) {
      s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + p), _mm512_loadu_ps(b + p), s0);
      p += 16;
    }
    if (tail)
      s1 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(mt, a + p), _mm512_maskz_loadu_ps(mt, b + p), s1);
    const float dot = _mm512_reduce_add_ps(_mm512_add_ps(s0, s1));
    float* ci = c + i * incc;
    *ci = beta == 0.0f ? alpha * dot : alpha * dot + beta * *ci;
  }
}

}  // namespace ks::gemm_detail

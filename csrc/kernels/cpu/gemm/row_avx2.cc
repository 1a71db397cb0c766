// AVX2 one-row product (see RowKernel in ukernel.h). Full blocks of 64 columns keep
// 8 ymm accumulators (enough to hide the FMA latency); leftover 8-column vectors use
// 4 partial sums over k; the last n % 8 columns are scalar.
#include <immintrin.h>

#include "kernels/cpu/gemm/ukernel.h"

namespace ks::gemm_detail {
namespace {

inline void finish(__m256 acc, float alpha, float beta, float* c) {
  __m256 r = _mm256_mul_ps(acc, _mm256_set1_ps(alpha));
  if (beta != 0.0f) r = _mm256_fmadd_ps(_mm256_loadu_ps(c), _mm256_set1_ps(beta), r);
  _mm256_storeu_ps(c, r);
}

}  // namespace

void row_avx2(i64 k, i64 n, float alpha, const float* a, i64 inca, const float* B, i64 ldb,
              float beta, float* c) {
  constexpr int V = 8;
  i64 j0 = 0;
  for (; j0 + V * 8 <= n; j0 += V * 8) {
    __m256 acc[V];
#pragma GCC unroll 8
    for (int v = 0; v < V; ++v) acc[v] = _mm256_setzero_ps();
    const float* b = B + j0;
    for (i64 p = 0; p < k; ++p, b += ldb) {
      const __m256 ap = _mm256_set1_ps(a[p * inca]);
#pragma GCC unroll 8
      for (int v = 0; v < V; ++v) acc[v] = _mm256_fmadd_ps(ap, _mm256_loadu_ps(b + 8 * v), acc[v]);
    }
#pragma GCC unroll 8
    for (int v = 0; v < V; ++v) finish(acc[v], alpha, beta, c + j0 + 8 * v);
  }
  for (; j0 + 8 <= n; j0 += 8) {
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    const float* b = B + j0;
    i64 p = 0;
    for (; p + 4 <= k; p += 4, b += 4 * ldb) {
      s0 = _mm256_fmadd_ps(_mm256_set1_ps(a[p * inca]), _mm256_loadu_ps(b), s0);
      s1 = _mm256_fmadd_ps(_mm256_set1_ps(a[(p + 1) * inca]), _mm256_loadu_ps(b + ldb), s1);
      s2 = _mm256_fmadd_ps(_mm256_set1_ps(a[(p + 2) * inca]), _mm256_loadu_ps(b + 2 * ldb), s2);
      s3 = _mm256_fmadd_ps(_mm256_set1_ps(a[(p + 3) * inca]), _mm256_loadu_ps(b + 3 * ldb), s3);
    }
    for (; p < k; ++p, b += ldb)
      s0 = _mm256_fmadd_ps(_mm256_set1_ps(a[p * inca]), _mm256_loadu_ps(b), s0);
    finish(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)), alpha, beta, c + j0);
  }
  for (; j0 < n; ++j0) {
    float s = 0.0f;
    for (i64 p = 0; p < k; ++p) s += a[p * inca] * B[p * ldb + j0];
    c[j0] = beta == 0.0f ? alpha * s : alpha * s + beta * c[j0];
  }
}

}  // namespace ks::gemm_detail

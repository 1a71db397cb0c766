// AVX-512 one-row product (see RowKernel in ukernel.h). Blocks of 256 (then 128, 64)
// columns keep 16 (8, 4) zmm accumulators, enough independent FMAs to hide the latency
// while each B row segment is read as one contiguous run; the last columns use masked
// loads and stores.
#include <immintrin.h>

#include "kernels/cpu/gemm/ukernel.h"

namespace ks::gemm_detail {
namespace {

inline __m512 finish(__m512 acc, float alpha, float beta, const float* c, __mmask16 m) {
  __m512 r = _mm512_mul_ps(acc, _mm512_set1_ps(alpha));
  if (beta != 0.0f) r = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, c), _mm512_set1_ps(beta), r);
  return r;
}

// Columns [j0, j0 + 16*V) with V zmm accumulators, B walked row by row.
template <int V>
void block(i64 k, float alpha, const float* a, i64 inca, const float* B, i64 ldb, float beta,
           float* c) {
  __m512 acc[V];
#pragma GCC unroll 16
  for (int v = 0; v < V; ++v) acc[v] = _mm512_setzero_ps();
  for (i64 p = 0; p < k; ++p, B += ldb) {
    const __m512 ap = _mm512_set1_ps(a[p * inca]);
#pragma GCC unroll 16
    for (int v = 0; v < V; ++v) acc[v] = _mm512_fmadd_ps(ap, _mm512_loadu_ps(B + 16 * v), acc[v]);
  }
#pragma GCC unroll 16
  for (int v = 0; v < V; ++v)
    _mm512_storeu_ps(c + 16 * v, finish(acc[v], alpha, beta, c + 16 * v, 0xFFFF));
}

}  // namespace

void row_avx512(i64 k, i64 n, float alpha, const float* a, i64 inca, const float* B, i64 ldb,
                float beta, float* c) {
  // 256-column blocks, then one 128- and one 64-column block: each B row segment is
  // one contiguous run and 8+ accumulators hide the FMA latency.
  i64 j0 = 0;
  for (; j0 + 256 <= n; j0 += 256) block<16>(k, alpha, a, inca, B + j0, ldb, beta, c + j0);
  if (j0 + 128 <= n) {
    block<8>(k, alpha, a, inca, B + j0, ldb, beta, c + j0);
    j0 += 128;
  }
  if (j0 + 64 <= n) {
    block<4>(k, alpha, a, inca, B + j0, ldb, beta, c + j0);
    j0 += 64;
  }
  // Remaining columns, one 16-wide (masked) vector at a time, 4 partial sums over k.
  for (; j0 < n; j0 += 16) {
    const i64 w = n - j0 < 16 ? n - j0 : 16;
    const __mmask16 m = static_cast<__mmask16>((1u << w) - 1u);
    __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    const float* b = B + j0;
    i64 p = 0;
    for (; p + 4 <= k; p += 4, b += 4 * ldb) {
      s0 = _mm512_fmadd_ps(_mm512_set1_ps(a[p * inca]), _mm512_maskz_loadu_ps(m, b), s0);
      s1 =
          _mm512_fmadd_ps(_mm512_set1_ps(a[(p + 1) * inca]), _mm512_maskz_loadu_ps(m, b + ldb), s1);
      s2 = _mm512_fmadd_ps(_mm512_set1_ps(a[(p + 2) * inca]), _mm512_maskz_loadu_ps(m, b + 2 * ldb),
                           s2);
      s3 = _mm512_fmadd_ps(_mm512_set1_ps(a[(p + 3) * inca]), _mm512_maskz_loadu_ps(m, b + 3 * ldb),
                           s3);
    }
    for (; p < k; ++p, b += ldb)
      s0 = _mm512_fmadd_ps(_mm512_set1_ps(a[p * inca]), _mm512_maskz_loadu_ps(m, b), s0);
    const __m512 acc = _mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3));
    _mm512_mask_storeu_ps(c + j0, m, finish(acc, alpha, beta, c + j0, m));
  }
}

}  // namespace ks::gemm_detail

// AVX2 + FMA micro-kernel: a 6 x 16 tile of C held in 12 ymm registers. Each k step
// loads 16 floats of B (two ymm) and broadcasts 6 floats of A: 12 FMAs per 8 loads.
// Compiled with -mavx2 -mfma (CMake: *_avx2.cc) and only called when CPUID says so.
#include <immintrin.h>

#include "kernels/cpu/gemm/blocksizes.h"
#include "kernels/cpu/gemm/ukernel.h"

namespace ks::gemm_detail {

void ukernel_avx2(i64 k, const float* Ap, const float* Bp, i64 rsb, float* C, i64 ldc,
                  float alpha, float beta, int m, int n) {
  constexpr int MR = Avx2Blocks::MR, NR = Avx2Blocks::NR;
  static_assert(MR == 6 && NR == 16, "the register tile below is written for 6 x 16");
  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
  __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
  __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
  __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
  __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
  __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
#pragma GCC unroll 4
  for (i64 p = 0; p < k; ++p) {
    const __m256 b0 = _mm256_loadu_ps(Bp), b1 = _mm256_loadu_ps(Bp + 8);
    __m256 a;
    a = _mm256_broadcast_ss(Ap + 0); c00 = _mm256_fmadd_ps(a, b0, c00); c01 = _mm256_fmadd_ps(a, b1, c01);
    a = _mm256_broadcast_ss(Ap + 1); c10 = _mm256_fmadd_ps(a, b0, c10); c11 = _mm256_fmadd_ps(a, b1, c11);
    a = _mm256_broadcast_ss(Ap + 2); c20 = _mm256_fmadd_ps(a, b0, c20); c21 = _mm256_fmadd_ps(a, b1, c21);
    a = _mm256_broadcast_ss(Ap + 3); c30 = _mm256_fmadd_ps(a, b0, c30); c31 = _mm256_fmadd_ps(a, b1, c31);
    a = _mm256_broadcast_ss(Ap + 4); c40 = _mm256_fmadd_ps(a, b0, c40); c41 = _mm256_fmadd_ps(a, b1, c41);
    a = _mm256_broadcast_ss(Ap + 5); c50 = _mm256_fmadd_ps(a, b0, c50); c51 = _mm256_fmadd_ps(a, b1, c51);
    Ap += MR;
    Bp += rsb;
  }
  const __m256 acc[MR][2] = {{c00, c01}, {c10, c11}, {c20, c21},
                             {c30, c31}, {c40, c41}, {c50, c51}};
  if (m == MR && n == NR) {
    const __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
    for (int i = 0; i < MR; ++i) {
      float* c = C + i * ldc;
      for (int h = 0; h < 2; ++h) {
        __m256 r = _mm256_mul_ps(acc[i][h], va);
        if (beta != 0.0f) r = _mm256_fmadd_ps(_mm256_loadu_ps(c + 8 * h), vb, r);
        _mm256_storeu_ps(c + 8 * h, r);
      }
    }
    return;
  }
  alignas(32) float tile[MR * NR];
  for (int i = 0; i < MR; ++i)
    for (int h = 0; h < 2; ++h) _mm256_store_ps(tile + i * NR + 8 * h, acc[i][h]);
  store_edge(tile, NR, C, ldc, alpha, beta, m, n);
}

}  // namespace ks::gemm_detail

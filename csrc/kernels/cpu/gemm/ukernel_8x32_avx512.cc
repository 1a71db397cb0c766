// AVX-512 micro-kernel: an MR x 32 tile of C held in 2*MR zmm registers. Each k step
// loads 32 floats of B (two zmm) and feeds MR floats of A as embedded broadcasts:
// 2*MR FMAs per MR + 2 loads, which keeps both 512-bit FMA pipes busy.
// Compiled with AVX-512 flags (CMake: *_avx512.cc), called only when CPUID and XCR0
// say the CPU and OS support it.
#include <immintrin.h>

#include "kernels/cpu/gemm/blocksizes.h"
#include "kernels/cpu/gemm/ukernel.h"

namespace ks::gemm_detail {

void ukernel_avx512(i64 k, const float* Ap, const float* Bp, i64 rsb, float* C, i64 ldc,
                    float alpha, float beta, int m, int n) {
  constexpr int MR = Avx512Blocks::MR, NR = Avx512Blocks::NR;
  static_assert(NR == 32, "the register tile below is two zmm wide");
  __m512 c0[MR], c1[MR];
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i) c0[i] = c1[i] = _mm512_setzero_ps();
#pragma GCC unroll 2
  for (i64 p = 0; p < k; ++p) {
    const __m512 b0 = _mm512_loadu_ps(Bp), b1 = _mm512_loadu_ps(Bp + 16);
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i) {
      const __m512 a = _mm512_set1_ps(Ap[i]);
      c0[i] = _mm512_fmadd_ps(a, b0, c0[i]);
      c1[i] = _mm512_fmadd_ps(a, b1, c1[i]);
    }
    Ap += MR;
    Bp += rsb;
  }
  if (m == MR && n == NR) {
    const __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i) {
      float* c = C + i * ldc;
      __m512 r0 = _mm512_mul_ps(c0[i], va), r1 = _mm512_mul_ps(c1[i], va);
      if (beta != 0.0f) {
        r0 = _mm512_fmadd_ps(_mm512_loadu_ps(c), vb, r0);
        r1 = _mm512_fmadd_ps(_mm512_loadu_ps(c + 16), vb, r1);
      }
      _mm512_storeu_ps(c, r0);
      _mm512_storeu_ps(c + 16, r1);
    }
    return;
  }
  alignas(64) float tile[MR * NR];
  for (int i = 0; i < MR; ++i) {
    _mm512_store_ps(tile + i * NR, c0[i]);
    _mm512_store_ps(tile + i * NR + 16, c1[i]);
  }
  store_edge(tile, NR, C, ldc, alpha, beta, m, n);
}

}  // namespace ks::gemm_detail

// AVX-512 micro-kernel: an MR x 32 tile of C held in 2*MR zmm registers. Each k step
// loads 32 floats of B (two zmm) and feeds MR floats of A as broadcasts: 2*MR FMAs
// per MR + 2 loads, enough to keep both 512-bit FMA pipes busy.
//
// Ragged tiles (m < MR rows: the last rows of a batch, one-row predict) run a kernel
// instantiated for exactly m rows, so they cost m/MR of a full tile rather than a whole
// one. With one or two rows there are too few accumulators to hide the FMA latency,
// so those kernels keep U independent partial sums over k and add them at the end.
//
// Compiled with AVX-512 flags (CMake: *_avx512.cc), called only when CPUID and XCR0
// say the CPU and OS support it.
#include <immintrin.h>

#include "kernels/cpu/gemm/blocksizes.h"
#include "kernels/cpu/gemm/ukernel.h"

namespace ks::gemm_detail {
namespace {

constexpr int MR = Avx512Blocks::MR, NR = Avx512Blocks::NR;
static_assert(NR == 32, "the register tile below is two zmm wide");

// R rows of the tile (R <= MR; A micro-panel rows are still MR apart), U partial sums.
template <int R, int U>
void tile(i64 k, const float* Ap, const float* Bp, i64 rsb, float* C, i64 ldc, float alpha,
          float beta, int n) {
  // Start fetching the C tile now; it is needed only after the k loop, and for large
  // C it sits in L3 or memory.
#pragma GCC unroll 16
  for (int i = 0; i < R; ++i) {
    _mm_prefetch(reinterpret_cast<const char*>(C + i * ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(C + i * ldc + NR - 1), _MM_HINT_T0);
  }
  __m512 c0[U][R], c1[U][R];
#pragma GCC unroll 16
  for (int u = 0; u < U; ++u)
#pragma GCC unroll 16
    for (int i = 0; i < R; ++i) c0[u][i] = c1[u][i] = _mm512_setzero_ps();
  i64 p = 0;
  for (; p + U <= k; p += U) {
#pragma GCC unroll 4
    for (int u = 0; u < U; ++u) {
      const __m512 b0 = _mm512_loadu_ps(Bp), b1 = _mm512_loadu_ps(Bp + 16);
#pragma GCC unroll 16
      for (int i = 0; i < R; ++i) {
        const __m512 a = _mm512_set1_ps(Ap[i]);
        c0[u][i] = _mm512_fmadd_ps(a, b0, c0[u][i]);
        c1[u][i] = _mm512_fmadd_ps(a, b1, c1[u][i]);
      }
      Ap += MR;
      Bp += rsb;
    }
  }
  for (; p < k; ++p) {  // k not a multiple of U
    const __m512 b0 = _mm512_loadu_ps(Bp), b1 = _mm512_loadu_ps(Bp + 16);
#pragma GCC unroll 16
    for (int i = 0; i < R; ++i) {
      const __m512 a = _mm512_set1_ps(Ap[i]);
      c0[0][i] = _mm512_fmadd_ps(a, b0, c0[0][i]);
      c1[0][i] = _mm512_fmadd_ps(a, b1, c1[0][i]);
    }
    Ap += MR;
    Bp += rsb;
  }
#pragma GCC unroll 4
  for (int u = 1; u < U; ++u)
#pragma GCC unroll 16
    for (int i = 0; i < R; ++i) {
      c0[0][i] = _mm512_add_ps(c0[0][i], c0[u][i]);
      c1[0][i] = _mm512_add_ps(c1[0][i], c1[u][i]);
    }
  if (n == NR) {
    const __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
#pragma GCC unroll 16
    for (int i = 0; i < R; ++i) {
      float* c = C + i * ldc;
      __m512 r0 = _mm512_mul_ps(c0[0][i], va), r1 = _mm512_mul_ps(c1[0][i], va);
      if (beta != 0.0f) {
        r0 = _mm512_fmadd_ps(_mm512_loadu_ps(c), vb, r0);
        r1 = _mm512_fmadd_ps(_mm512_loadu_ps(c + 16), vb, r1);
      }
      _mm512_storeu_ps(c, r0);
      _mm512_storeu_ps(c + 16, r1);
    }
    return;
  }
  alignas(64) float t[R * NR];
  for (int i = 0; i < R; ++i) {
    _mm512_store_ps(t + i * NR, c0[0][i]);
    _mm512_store_ps(t + i * NR + 16, c1[0][i]);
  }
  store_edge(t, NR, C, ldc, alpha, beta, R, n);
}

}  // namespace

void ukernel_avx512(i64 k, const float* Ap, const float* Bp, i64 rsb, float* C, i64 ldc,
                    float alpha, float beta, int m, int n) {
  static_assert(MR <= 16, "extend the row switch below");
  switch (m) {
    case 1: return tile<1, 4>(k, Ap, Bp, rsb, C, ldc, alpha, beta, n);
    case 2: return tile<2, 2>(k, Ap, Bp, rsb, C, ldc, alpha, beta, n);
    case 3: return tile<3, 2>(k, Ap, Bp, rsb, C, ldc, alpha, beta, n);
#define KS_ROWS(r) case r: if constexpr (r <= MR) return tile<r, 1>(k, Ap, Bp, rsb, C, ldc, alpha, beta, n); break;
    KS_ROWS(4) KS_ROWS(5) KS_ROWS(6) KS_ROWS(7) KS_ROWS(8) KS_ROWS(9) KS_ROWS(10)
    KS_ROWS(11) KS_ROWS(12) KS_ROWS(13) KS_ROWS(14)
#undef KS_ROWS
    default: break;
  }
}

}  // namespace ks::gemm_detail

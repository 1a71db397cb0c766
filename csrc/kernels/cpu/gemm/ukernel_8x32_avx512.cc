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

// R rows of the tile (R <= MR), U partial sums, W zmm columns: 2 for the full 32-wide
// tile, 1 when n <= 16 (a 10-class output layer), which halves the FMAs spent on
// padding. A(i, p) = Ap[i * csa + p * rsa]; Rows says csa != 1 (A read in place, its
// rows csa apart), when each row gets a pointer of its own.
template <int R, int U, int W, bool Rows>
void tile(i64 k, const float* Ap, i64 rsa, i64 csa, const float* Bp, i64 rsb, float* C, i64 ldc,
          float alpha, float beta, int n) {
  // Start fetching the C tile now; it is needed only after the k loop, and for large
  // C it sits in L3 or memory.
#pragma GCC unroll 16
  for (int i = 0; i < R; ++i) {
    _mm_prefetch(reinterpret_cast<const char*>(C + i * ldc), _MM_HINT_T0);
    if (W == 2) _mm_prefetch(reinterpret_cast<const char*>(C + i * ldc + NR - 1), _MM_HINT_T0);
  }
  __m512 c[W][U][R];
#pragma GCC unroll 2
  for (int w = 0; w < W; ++w)
#pragma GCC unroll 16
    for (int u = 0; u < U; ++u)
#pragma GCC unroll 16
      for (int i = 0; i < R; ++i) c[w][u][i] = _mm512_setzero_ps();
  const float* row[R];
#pragma GCC unroll 16
  for (int i = 0; i < R; ++i) row[i] = Ap + i * csa;
  i64 off = 0;  // Rows: the k offset into every row
  auto step = [&](int u) {
    __m512 b[W];
#pragma GCC unroll 2
    for (int w = 0; w < W; ++w) b[w] = _mm512_loadu_ps(Bp + 16 * w);
#pragma GCC unroll 16
    for (int i = 0; i < R; ++i) {
      const __m512 a = _mm512_set1_ps(Rows ? row[i][off] : Ap[i]);
#pragma GCC unroll 2
      for (int w = 0; w < W; ++w) c[w][u][i] = _mm512_fmadd_ps(a, b[w], c[w][u][i]);
    }
    if (Rows) ++off;
    else Ap += rsa;
    Bp += rsb;
  };
  i64 p = 0;
  for (; p + U <= k; p += U) {
#pragma GCC unroll 4
    for (int u = 0; u < U; ++u) step(u);
  }
  for (; p < k; ++p) step(0);  // k not a multiple of U
#pragma GCC unroll 2
  for (int w = 0; w < W; ++w)
#pragma GCC unroll 4
    for (int u = 1; u < U; ++u)
#pragma GCC unroll 16
      for (int i = 0; i < R; ++i) c[w][0][i] = _mm512_add_ps(c[w][0][i], c[w][u][i]);
  if (n == 16 * W) {
    const __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
#pragma GCC unroll 16
    for (int i = 0; i < R; ++i) {
      float* ci = C + i * ldc;
#pragma GCC unroll 2
      for (int w = 0; w < W; ++w) {
        __m512 r = _mm512_mul_ps(c[w][0][i], va);
        if (beta != 0.0f) r = _mm512_fmadd_ps(_mm512_loadu_ps(ci + 16 * w), vb, r);
        _mm512_storeu_ps(ci + 16 * w, r);
      }
    }
    return;
  }
  alignas(64) float t[R * NR];
  for (int i = 0; i < R; ++i)
#pragma GCC unroll 2
    for (int w = 0; w < W; ++w) _mm512_store_ps(t + i * NR + 16 * w, c[w][0][i]);
  store_edge(t, NR, C, ldc, alpha, beta, R, n);
}

template <int W, bool Rows>
void tile_rows(i64 k, const float* Ap, i64 rsa, i64 csa, const float* Bp, i64 rsb, float* C,
               i64 ldc, float alpha, float beta, int m, int n) {
  static_assert(MR <= 16, "extend the row switch below");
  switch (m) {
    case 1:
      return tile<1, 4, W, Rows>(k, Ap, rsa, csa, Bp, rsb, C, ldc, alpha, beta, n);
    case 2:
      return tile<2, 2, W, Rows>(k, Ap, rsa, csa, Bp, rsb, C, ldc, alpha, beta, n);
    case 3:
      return tile<3, 2, W, Rows>(k, Ap, rsa, csa, Bp, rsb, C, ldc, alpha, beta, n);
      // clang-format off
#define KS_ROWS(r) case r: if constexpr (r <= MR) return tile<r, 1, W, Rows>(k, Ap, rsa, csa, Bp, rsb, C, ldc, alpha, beta, n); break;
    KS_ROWS(4) KS_ROWS(5) KS_ROWS(6) KS_ROWS(7) KS_ROWS(8) KS_ROWS(9) KS_ROWS(10)
    KS_ROWS(11) KS_ROWS(12) KS_ROWS(13) KS_ROWS(14)
#undef KS_ROWS
          // clang-format on
          default : break;
  }
}

}  // namespace

void ukernel_avx512(i64 k, const float* Ap, i64 rsa, i64 csa, const float* Bp, i64 rsb, float* C,
                    i64 ldc, float alpha, float beta, int m, int n) {
  if (csa != 1) {
    if (n <= 16) return tile_rows<1, true>(k, Ap, rsa, csa, Bp, rsb, C, ldc, alpha, beta, m, n);
    return tile_rows<2, true>(k, Ap, rsa, csa, Bp, rsb, C, ldc, alpha, beta, m, n);
  }
  if (n <= 16) return tile_rows<1, false>(k, Ap, rsa, csa, Bp, rsb, C, ldc, alpha, beta, m, n);
  tile_rows<2, false>(k, Ap, rsa, csa, Bp, rsb, C, ldc, alpha, beta, m, n);
}

}  // namespace ks::gemm_detail

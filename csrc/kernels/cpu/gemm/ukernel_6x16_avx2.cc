// AVX2 + FMA micro-kernel: a 6 x 16 tile of C held in 12 ymm registers. Each k step
// loads 16 floats of B (two ymm) and broadcasts 6 floats of A: 12 FMAs per 8 loads.
//
// Ragged tiles (m < 6 rows) run a kernel instantiated for exactly m rows; with one or
// two rows it keeps U independent partial sums over k so the FMA latency stays hidden.
// Compiled with -mavx2 -mfma (CMake: *_avx2.cc) and only called when CPUID says so.
#include <immintrin.h>

#include "kernels/cpu/gemm/blocksizes.h"
#include "kernels/cpu/gemm/ukernel.h"

namespace ks::gemm_detail {
namespace {

constexpr int MR = Avx2Blocks::MR, NR = Avx2Blocks::NR;
static_assert(NR == 16, "the register tile below is two ymm wide");

// R rows of the tile, U partial sums over k. A(i, p) = Ap[i * csa + p * rsa]; Rows says
// csa != 1 (A read in place, its rows csa apart), when each row gets a pointer.
template <int R, int U, bool Rows>
void tile(i64 k, const float* Ap, i64 rsa, i64 csa, const float* Bp, i64 rsb, float* C, i64 ldc,
          float alpha, float beta, int n) {
  const float* row[R];
#pragma GCC unroll 8
  for (int i = 0; i < R; ++i) row[i] = Ap + i * csa;
  i64 off = 0;  // Rows: the k offset into every row
  __m256 c0[U][R], c1[U][R];
#pragma GCC unroll 8
  for (int u = 0; u < U; ++u)
#pragma GCC unroll 8
    for (int i = 0; i < R; ++i) c0[u][i] = c1[u][i] = _mm256_setzero_ps();
  i64 p = 0;
  for (; p + U <= k; p += U) {
#pragma GCC unroll 4
    for (int u = 0; u < U; ++u) {
      const __m256 b0 = _mm256_loadu_ps(Bp), b1 = _mm256_loadu_ps(Bp + 8);
#pragma GCC unroll 8
      for (int i = 0; i < R; ++i) {
        const __m256 a = _mm256_broadcast_ss(Rows ? row[i] + off : Ap + i);
        c0[u][i] = _mm256_fmadd_ps(a, b0, c0[u][i]);
        c1[u][i] = _mm256_fmadd_ps(a, b1, c1[u][i]);
      }
      if (Rows) ++off;
      else Ap += rsa;
      Bp += rsb;
    }
  }
  for (; p < k; ++p) {  // k not a multiple of U
    const __m256 b0 = _mm256_loadu_ps(Bp), b1 = _mm256_loadu_ps(Bp + 8);
#pragma GCC unroll 8
    for (int i = 0; i < R; ++i) {
      const __m256 a = _mm256_broadcast_ss(Rows ? row[i] + off : Ap + i);
      c0[0][i] = _mm256_fmadd_ps(a, b0, c0[0][i]);
      c1[0][i] = _mm256_fmadd_ps(a, b1, c1[0][i]);
    }
    if (Rows) ++off;
    else Ap += rsa;
    Bp += rsb;
  }
#pragma GCC unroll 4
  for (int u = 1; u < U; ++u)
#pragma GCC unroll 8
    for (int i = 0; i < R; ++i) {
      c0[0][i] = _mm256_add_ps(c0[0][i], c0[u][i]);
      c1[0][i] = _mm256_add_ps(c1[0][i], c1[u][i]);
    }
  if (n == NR) {
    const __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
#pragma GCC unroll 8
    for (int i = 0; i < R; ++i) {
      float* c = C + i * ldc;
      __m256 r0 = _mm256_mul_ps(c0[0][i], va), r1 = _mm256_mul_ps(c1[0][i], va);
      if (beta != 0.0f) {
        r0 = _mm256_fmadd_ps(_mm256_loadu_ps(c), vb, r0);
        r1 = _mm256_fmadd_ps(_mm256_loadu_ps(c + 8), vb, r1);
      }
      _mm256_storeu_ps(c, r0);
      _mm256_storeu_ps(c + 8, r1);
    }
    return;
  }
  alignas(32) float t[R * NR];
  for (int i = 0; i < R; ++i) {
    _mm256_store_ps(t + i * NR, c0[0][i]);
    _mm256_store_ps(t + i * NR + 8, c1[0][i]);
  }
  store_edge(t, NR, C, ldc, alpha, beta, R, n);
}

// The full 6 x 16 tile of an A with adjacent rows (csa == 1), written out register by
// register: with 15 of the 16 ymm registers live, GCC spills when this is left to the
// array template above.
void full_tile(i64 k, const float* Ap, i64 rsa, const float* Bp, i64 rsb, float* C, i64 ldc,
               float alpha, float beta, int n) {
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
    a = _mm256_broadcast_ss(Ap + 0);
    c00 = _mm256_fmadd_ps(a, b0, c00);
    c01 = _mm256_fmadd_ps(a, b1, c01);
    a = _mm256_broadcast_ss(Ap + 1);
    c10 = _mm256_fmadd_ps(a, b0, c10);
    c11 = _mm256_fmadd_ps(a, b1, c11);
    a = _mm256_broadcast_ss(Ap + 2);
    c20 = _mm256_fmadd_ps(a, b0, c20);
    c21 = _mm256_fmadd_ps(a, b1, c21);
    a = _mm256_broadcast_ss(Ap + 3);
    c30 = _mm256_fmadd_ps(a, b0, c30);
    c31 = _mm256_fmadd_ps(a, b1, c31);
    a = _mm256_broadcast_ss(Ap + 4);
    c40 = _mm256_fmadd_ps(a, b0, c40);
    c41 = _mm256_fmadd_ps(a, b1, c41);
    a = _mm256_broadcast_ss(Ap + 5);
    c50 = _mm256_fmadd_ps(a, b0, c50);
    c51 = _mm256_fmadd_ps(a, b1, c51);
    Ap += rsa;
    Bp += rsb;
  }
  const __m256 acc[MR][2] = {{c00, c01}, {c10, c11}, {c20, c21},
                             {c30, c31}, {c40, c41}, {c50, c51}};
  if (n == NR) {
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
  alignas(32) float t[MR * NR];
  for (int i = 0; i < MR; ++i)
    for (int h = 0; h < 2; ++h) _mm256_store_ps(t + i * NR + 8 * h, acc[i][h]);
  store_edge(t, NR, C, ldc, alpha, beta, MR, n);
}

template <bool Rows>
void rows_tile(i64 k, const float* Ap, i64 rsa, i64 csa, const float* Bp, i64 rsb, float* C,
               i64 ldc, float alpha, float beta, int m, int n) {
  switch (m) {
    case 1:
      return tile<1, 4, Rows>(k, Ap, rsa, csa, Bp, rsb, C, ldc, alpha, beta, n);
    case 2:
      return tile<2, 2, Rows>(k, Ap, rsa, csa, Bp, rsb, C, ldc, alpha, beta, n);
    case 3:
      return tile<3, 2, Rows>(k, Ap, rsa, csa, Bp, rsb, C, ldc, alpha, beta, n);
    case 4:
      return tile<4, 1, Rows>(k, Ap, rsa, csa, Bp, rsb, C, ldc, alpha, beta, n);
    case 5:
      return tile<5, 1, Rows>(k, Ap, rsa, csa, Bp, rsb, C, ldc, alpha, beta, n);
    default:
      return tile<6, 1, Rows>(k, Ap, rsa, csa, Bp, rsb, C, ldc, alpha, beta, n);
  }
}

}  // namespace

void ukernel_avx2(i64 k, const float* Ap, i64 rsa, i64 csa, const float* Bp, i64 rsb, float* C,
                  i64 ldc, float alpha, float beta, int m, int n) {
  static_assert(MR == 6, "extend the row switch below");
  if (csa != 1) return rows_tile<true>(k, Ap, rsa, csa, Bp, rsb, C, ldc, alpha, beta, m, n);
  if (m >= MR) return full_tile(k, Ap, rsa, Bp, rsb, C, ldc, alpha, beta, n);
  rows_tile<false>(k, Ap, rsa, csa, Bp, rsb, C, ldc, alpha, beta, m, n);
}

}  // namespace ks::gemm_detail

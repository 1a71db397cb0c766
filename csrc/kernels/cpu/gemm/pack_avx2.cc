// The transposing pack with AVX2: op(A) when A is not transposed, op(B) when B is.
// Source rows are contiguous along k, the packed panel wants W values per k, so the
// copy is a transpose; done as 8 x 8 register transposes it runs at copy speed
// instead of one scalar load/store per element.
#include <immintrin.h>

#include "kernels/cpu/gemm/pack.h"

namespace ks::gemm_detail {
namespace {

// Transposes the 8 x 8 block at src (row stride ld) into dst (row stride ldd).
inline void transpose8x8(const float* src, i64 ld, float* dst, i64 ldd) {
  __m256 r0 = _mm256_loadu_ps(src + 0 * ld), r1 = _mm256_loadu_ps(src + 1 * ld);
  __m256 r2 = _mm256_loadu_ps(src + 2 * ld), r3 = _mm256_loadu_ps(src + 3 * ld);
  __m256 r4 = _mm256_loadu_ps(src + 4 * ld), r5 = _mm256_loadu_ps(src + 5 * ld);
  __m256 r6 = _mm256_loadu_ps(src + 6 * ld), r7 = _mm256_loadu_ps(src + 7 * ld);
  __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
  __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
  __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
  __m256 t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
  r0 = _mm256_shuffle_ps(t0, t2, 0x44);
  r1 = _mm256_shuffle_ps(t0, t2, 0xEE);
  r2 = _mm256_shuffle_ps(t1, t3, 0x44);
  r3 = _mm256_shuffle_ps(t1, t3, 0xEE);
  r4 = _mm256_shuffle_ps(t4, t6, 0x44);
  r5 = _mm256_shuffle_ps(t4, t6, 0xEE);
  r6 = _mm256_shuffle_ps(t5, t7, 0x44);
  r7 = _mm256_shuffle_ps(t5, t7, 0xEE);
  _mm256_storeu_ps(dst + 0 * ldd, _mm256_permute2f128_ps(r0, r4, 0x20));
  _mm256_storeu_ps(dst + 1 * ldd, _mm256_permute2f128_ps(r1, r5, 0x20));
  _mm256_storeu_ps(dst + 2 * ldd, _mm256_permute2f128_ps(r2, r6, 0x20));
  _mm256_storeu_ps(dst + 3 * ldd, _mm256_permute2f128_ps(r3, r7, 0x20));
  _mm256_storeu_ps(dst + 4 * ldd, _mm256_permute2f128_ps(r0, r4, 0x31));
  _mm256_storeu_ps(dst + 5 * ldd, _mm256_permute2f128_ps(r1, r5, 0x31));
  _mm256_storeu_ps(dst + 6 * ldd, _mm256_permute2f128_ps(r2, r6, 0x31));
  _mm256_storeu_ps(dst + 7 * ldd, _mm256_permute2f128_ps(r3, r7, 0x31));
}

}  // namespace

void pack_transpose_avx2(int W, const float* src, i64 ld, i64 kc, float* out) {
  // The W rows two panels ahead are fetched a line at a time while this panel is
  // copied: when A streams from memory (a big predict batch), the rows are ld apart
  // and the hardware prefetcher alone leaves the copy waiting on each row.
  // (Prefetches never fault, so rows past the end of A are harmless.)
  const float* ahead = src + 2 * W * ld;
  i64 p = 0;
  for (; p + 8 <= kc; p += 8) {
    if (p % 16 == 0)
      for (int i = 0; i < W; ++i)
        _mm_prefetch(reinterpret_cast<const char*>(ahead + i * ld + p), _MM_HINT_T0);
    for (int i = 0; i < W; i += 8) transpose8x8(src + i * ld + p, ld, out + p * W + i, W);
  }
  for (; p < kc; ++p)
    for (int i = 0; i < W; ++i) out[p * W + i] = src[i * ld + p];
}

}  // namespace ks::gemm_detail

// Packing routines, written once as templates over the panel width so that each
// width's inner loop has a constant trip count the compiler can unroll/vectorise.
#include "kernels/cpu/gemm/pack.h"

#include <cstring>
#include <stdexcept>

namespace ks::gemm_detail {
namespace {

// One micro-panel of W rows of a "row-major, contiguous along k" source:
// out[p*W + i] = src[i*ld + p]  (the transposing case: A not transposed, B transposed).
template <int W>
void pack_panel_strided(const float* src, i64 ld, i64 rows, i64 kc, float* out, bool avx2) {
  if constexpr (W % 8 == 0) {
    if (avx2 && rows == W) return pack_transpose_avx2(W, src, ld, kc, out);
  }
  if (rows == W) {
    const float* s[W];
    for (int i = 0; i < W; ++i) s[i] = src + i * ld;
    for (i64 p = 0; p < kc; ++p) {
#pragma GCC unroll 32
      for (int i = 0; i < W; ++i) out[p * W + i] = s[i][p];
    }
    return;
  }
  for (i64 p = 0; p < kc; ++p) {
    for (i64 i = 0; i < rows; ++i) out[p * W + i] = src[i * ld + p];
    for (i64 i = rows; i < W; ++i) out[p * W + i] = 0.0f;
  }
}

// One micro-panel from a source whose W wanted values are contiguous for each k:
// out[p*W + i] = src[p*ld + i]  (the copying case: A transposed, B not transposed).
template <int W>
void pack_panel_contig(const float* src, i64 ld, i64 cols, i64 kc, float* out) {
  if (cols == W) {
    for (i64 p = 0; p < kc; ++p) std::memcpy(out + p * W, src + p * ld, W * sizeof(float));
    return;
  }
  for (i64 p = 0; p < kc; ++p) {
    for (i64 i = 0; i < cols; ++i) out[p * W + i] = src[p * ld + i];
    for (i64 i = cols; i < W; ++i) out[p * W + i] = 0.0f;
  }
}

// Packs `len` rows/cols of op(X) into panels of width W. `contiguous` says whether
// the W values of one k step are adjacent in memory (stride 1) or ld apart.
template <int W>
void pack_panels(bool contiguous, const float* X, i64 ld, i64 len, i64 kc, float* out, bool avx2) {
  for (i64 r = 0; r < len; r += W) {
    const i64 w = len - r < W ? len - r : W;
    if (contiguous) pack_panel_contig<W>(X + r, ld, w, kc, out);
    else pack_panel_strided<W>(X + r * ld, ld, w, kc, out, avx2);
    out += kc * W;
  }
}

void pack_any(int W, bool contiguous, const float* X, i64 ld, i64 len, i64 kc, float* out,
              bool avx2) {
  switch (W) {
    case 4:
      return pack_panels<4>(contiguous, X, ld, len, kc, out, avx2);
    case 6:
      return pack_panels<6>(contiguous, X, ld, len, kc, out, avx2);
    case 8:
      return pack_panels<8>(contiguous, X, ld, len, kc, out, avx2);
    case 12:
      return pack_panels<12>(contiguous, X, ld, len, kc, out, avx2);
    case 14:
      return pack_panels<14>(contiguous, X, ld, len, kc, out, avx2);
    case 16:
      return pack_panels<16>(contiguous, X, ld, len, kc, out, avx2);
    case 32:
      return pack_panels<32>(contiguous, X, ld, len, kc, out, avx2);
    default:
      throw std::logic_error("kerasette gemm: no packing routine for this panel width");
  }
}

}  // namespace

void pack_a(int MR, bool transA, const float* A, i64 lda, i64 mc, i64 kc, float* out, bool avx2) {
  // op(A)(i, p) = transA ? A[p*lda + i] : A[i*lda + p]
  pack_any(MR, transA, A, lda, mc, kc, out, avx2);
}

void pack_b(int NR, bool transB, const float* B, i64 ldb, i64 kc, i64 nc, float* out, bool avx2) {
  // op(B)(p, j) = transB ? B[j*ldb + p] : B[p*ldb + j]
  pack_any(NR, !transB, B, ldb, nc, kc, out, avx2);
}

}  // namespace ks::gemm_detail

// Packing: copies a block of op(A) or op(B) into the contiguous, zero-padded panel
// layout the micro-kernels stream through (see ukernel.h).
#pragma once
#include "kerasette/common.h"

namespace ks::gemm_detail {

// Packs rows [0, mc) x cols [0, kc) of op(A) (A already offset to the block's corner)
// into ceil(mc/MR) micro-panels of kc*MR floats: out[panel][p*MR + i].
// Rows past mc are zero so the last micro-panel can run as a full tile.
// `avx2`: the caller checked the CPU has AVX2, so full transposing panels whose width
// is a multiple of 8 may use pack_transpose_avx2.
void pack_a(int MR, bool transA, const float* A, i64 lda, i64 mc, i64 kc, float* out, bool avx2);

// Packs rows [0, kc) x cols [0, nc) of op(B) into ceil(nc/NR) micro-panels of kc*NR
// floats: out[panel][p*NR + j]; columns past nc are zero.
void pack_b(int NR, bool transB, const float* B, i64 ldb, i64 kc, i64 nc, float* out, bool avx2);

// One full transposing panel: out[p*W + i] = src[i*ld + p], i < W (W % 8 == 0), p < kc.
// Built with AVX2 (pack_avx2.cc); only call when the CPU has it.
void pack_transpose_avx2(int W, const float* src, i64 ld, i64 kc, float* out);

}  // namespace ks::gemm_detail

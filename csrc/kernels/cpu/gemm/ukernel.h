// The micro-kernel contract shared by every ISA's register-tiled kernel.
//
// A micro-kernel computes one MR x NR tile of C from an A micro-panel and a B
// micro-panel:
//   acc(i, j) = sum_{p<k} Ap[i*csa + p*rsa] * Bp[p*rsb + j]   (i < m, j < NR)
//   C[i*ldc + j] = alpha * acc(i, j) + beta * C[i*ldc + j]     (i < m, j < n)
// beta == 0 never reads C. A packed is (rsa, csa) = (MR, 1); A read in place is
// (1, lda), or (lda, 1) when transposed. rsb is the row stride of B: NR when B is
// packed, ldb when B is read in place (then all NR columns must exist). Only rows
// i < m of A are read. m < MR or n < NR (ragged edges) are handled inside.
#pragma once
#include <vector>

#include "kerasette/common.h"

namespace ks::gemm_detail {

using UKernel = void (*)(i64 k, const float* Ap, i64 rsa, i64 csa, const float* Bp, i64 rsb,
                         float* C, i64 ldc, float alpha, float beta, int m, int n);

// Writes the top-left m x n corner of a full MR x NR accumulator tile `acc`
// (row stride NR) into C: the ragged-edge path, scalar on purpose (it is rare).
inline void store_edge(const float* acc, int NR, float* C, i64 ldc, float alpha, float beta, int m,
                       int n) {
  for (int i = 0; i < m; ++i) {
    float* c = C + i * ldc;
    const float* a = acc + i * NR;
    if (beta == 0.0f) {
      for (int j = 0; j < n; ++j) c[j] = alpha * a[j];
    } else {
      for (int j = 0; j < n; ++j) c[j] = alpha * a[j] + beta * c[j];
    }
  }
}

// The one-row product (M == 1, B not transposed: a single-row predict):
//   c[j] = alpha * sum_{p<k} a[p*inca] * B[p*ldb + j] + beta * c[j]   (j < n)
// It walks B row by row, so B streams through the caches contiguously and unpacked.
// beta == 0 never reads c.
using RowKernel = void (*)(i64 k, i64 n, float alpha, const float* a, i64 inca, const float* B,
                           i64 ldb, float beta, float* c);

// The one-column product (N == 1, A not transposed: a binary or regression output
// layer and its input gradient):
//   c[i*incc] = alpha * sum_{p<k} A[i*lda + p] * b[p*incb] + beta * c[i*incc]   (i < m)
// One dot product per row of A, read in place: packing A for a single column of C
// cost more than the product. beta == 0 never reads c.
using ColKernel = void (*)(i64 m, i64 k, float alpha, const float* A, i64 lda, const float* b,
                           i64 incb, float beta, float* c, i64 incc);

// b itself when contiguous, else its k values gathered once into a per-thread copy: the
// vector column kernels then load b in full-width pieces.
inline const float* contiguous_b(const float* b, i64 incb, i64 k) {
  if (incb == 1) return b;
  thread_local std::vector<float> copy;
  copy.resize(static_cast<size_t>(k));
  for (i64 p = 0; p < k; ++p) copy[p] = b[p * incb];
  return copy.data();
}

// One entry per ISA: its micro-kernel name, shape and cache blocking.
void ukernel_generic(i64 k, const float* Ap, i64 rsa, i64 csa, const float* Bp, i64 rsb, float* C,
                     i64 ldc, float alpha, float beta, int m, int n);
void ukernel_avx2(i64 k, const float* Ap, i64 rsa, i64 csa, const float* Bp, i64 rsb, float* C,
                  i64 ldc, float alpha, float beta, int m, int n);
void ukernel_avx512(i64 k, const float* Ap, i64 rsa, i64 csa, const float* Bp, i64 rsb, float* C,
                    i64 ldc, float alpha, float beta, int m, int n);
void row_generic(i64 k, i64 n, float alpha, const float* a, i64 inca, const float* B, i64 ldb,
                 float beta, float* c);
void row_avx2(i64 k, i64 n, float alpha, const float* a, i64 inca, const float* B, i64 ldb,
              float beta, float* c);
void row_avx512(i64 k, i64 n, float alpha, const float* a, i64 inca, const float* B, i64 ldb,
                float beta, float* c);
void col_generic(i64 m, i64 k, float alpha, const float* A, i64 lda, const float* b, i64 incb,
                 float beta, float* c, i64 incc);
void col_avx2(i64 m, i64 k, float alpha, const float* A, i64 lda, const float* b, i64 incb,
              float beta, float* c, i64 incc);
void col_avx512(i64 m, i64 k, float alpha, const float* A, i64 lda, const float* b, i64 incb,
                float beta, float* c, i64 incc);

}  // namespace ks::gemm_detail

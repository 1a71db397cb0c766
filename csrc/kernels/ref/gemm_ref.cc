// The GEMM oracle: a plain triple loop with double accumulation, no blocking.
// Fast kernels are tested against this (and against numpy from Python).
#include "kerasette/gemm.h"

namespace ks {

void gemm_ref(bool transA, bool transB, i64 M, i64 N, i64 K, float alpha, const float* A, i64 lda,
              const float* B, i64 ldb, float beta, float* C, i64 ldc) {
  for (i64 i = 0; i < M; ++i) {
    for (i64 j = 0; j < N; ++j) {
      double acc = 0.0;
      for (i64 p = 0; p < K; ++p) {
        const float a = transA ? A[p * lda + i] : A[i * lda + p];
        const float b = transB ? B[j * ldb + p] : B[p * ldb + j];
        acc += static_cast<double>(a) * b;
      }
      float& c = C[i * ldc + j];
      // beta == 0 must not read C: it may hold NaN.
      c = beta == 0.0f ? static_cast<float>(alpha * acc)
                       : static_cast<float>(alpha * acc + static_cast<double>(beta) * c);
    }
  }
}

}  // namespace ks

// float32 GEMM: C = alpha * op(A) @ op(B) + beta * C, row-major.
//   op(A) is (M, K): A is (M, K) with lda >= K, or (K, M) with lda >= M when transA.
//   op(B) is (K, N): B is (K, N) with ldb >= N, or (N, K) with ldb >= K when transB.
//   beta == 0 never reads C (so C may hold garbage or NaN).
#pragma once
#include "kerasette/common.h"
#include "kerasette/activation.h"

namespace ks {

void gemm(bool transA, bool transB, i64 M, i64 N, i64 K, float alpha, const float* A, i64 lda,
          const float* B, i64 ldb, float beta, float* C, i64 ldc);

// Dense forward in one pass: C = act(op(A) @ op(B) + bias). bias (N) may be null.
// Row-wise activations (softmax, log_softmax) are applied after the full product.
void gemm_bias_act(bool transA, bool transB, i64 M, i64 N, i64 K, const float* A, i64 lda,
                   const float* B, i64 ldb, const float* bias, Act act, float act_param, float* C,
                   i64 ldc);

// Plain triple loop, the oracle.
void gemm_ref(bool transA, bool transB, i64 M, i64 N, i64 K, float alpha, const float* A, i64 lda,
              const float* B, i64 ldb, float beta, float* C, i64 ldc);

}  // namespace ks

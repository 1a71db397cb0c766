// Layer kernels the Program runs besides GEMM/activations/losses/optimizers: the
// counter RNG, batch/layer normalization, embedding gather/scatter-add, bias-grad
// reduction, constraints and gradient clipping.
//
// Accumulation contract (llm.c style): parameter grads (dgamma, dbeta, dbias, dtable)
// are ACCUMULATED (+=); activation grads (dx) are WRITTEN (=).
// Shapes: "rows" is N times any middle dims; C is the last (channel / feature) axis.
#pragma once
#include <cstdint>
#include "kerasette/common.h"
#include "kerasette/random.h"

namespace ks {

// ---- counter-based RNG: rng_mix (inline, kerasette/random.h).
// Fisher-Yates permutation of 0..n-1 into idx.
void rng_permutation(std::uint64_t seed, std::uint64_t stream, std::int64_t* idx, i64 n);

// ---- batch normalization over x (rows, C), biased batch variance (Keras).
// training: mean/invstd (C) receive the batch stats; moving stats updated with
// moving = moving*momentum + batch*(1-momentum). gamma/beta may be null (scale/center off).
void batchnorm_forward_train(float* y, float* mean, float* invstd, const float* x,
                             const float* gamma, const float* beta, float* moving_mean,
                             float* moving_var, float momentum, float eps, i64 rows, i64 C);
// inference: y = (x - moving_mean) / sqrt(moving_var + eps) * gamma + beta
void batchnorm_forward_infer(float* y, const float* x, const float* gamma, const float* beta,
                             const float* moving_mean, const float* moving_var, float eps, i64 rows,
                             i64 C);
// training-mode backward; dgamma/dbeta may be null.
void batchnorm_backward_train(float* dx, float* dgamma, float* dbeta, const float* dy,
                              const float* x, const float* mean, const float* invstd,
                              const float* gamma, i64 rows, i64 C);

// ---- layer normalization along C per row; mean/rstd (rows) saved for backward.
void layernorm_forward(float* y, float* mean, float* rstd, const float* x, const float* gamma,
                       const float* beta, float eps, i64 rows, i64 C);
void layernorm_backward(float* dx, float* dgamma, float* dbeta, const float* dy, const float* x,
                        const float* mean, const float* rstd, const float* gamma, i64 rows, i64 C);

// ---- embedding: ids (rows) stored as float; y (rows, D) = table[id]. Returns the number
// of ids outside [0, V) (their rows are zero-filled), so the caller can raise.
i64 embedding_forward(float* y, const float* ids, const float* table, i64 rows, i64 V, i64 D);
void embedding_backward(float* dtable, const float* dy, const float* ids, i64 rows, i64 V, i64 D);

// ---- dbias (C) += column sums of dy (rows, C)
void bias_grad(float* dbias, const float* dy, i64 rows, i64 C);

// ---- constraints on w viewed as (outer, len, inner), norms taken along `len`.
enum class Constraint : int { none = 0, max_norm, non_neg, unit_norm, min_max_norm };
void constraint_apply(Constraint c, float* w, i64 outer, i64 len, i64 inner, float min_value,
                      float max_value, float rate);

// ---- gradient clipping (Keras: clipnorm per variable, global_clipnorm, clipvalue)
double sum_squares(const float* g, i64 n);
void scale_inplace(float* g, float s, i64 n);
void clip_inplace(float* g, float lo, float hi, i64 n);

}  // namespace ks

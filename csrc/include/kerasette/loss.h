// Losses with Keras 3's formulas (epsilon clipping 1e-7, sum_over_batch_size).
#pragma once
#include "kerasette/common.h"

namespace ks {

// Numeric values are part of the Python contract (lowering.py).
enum class Loss : int {
  mse = 0,
  mae,
  huber,
  binary_ce,
  categorical_ce,
  sparse_categorical_ce,
  kld,
  hinge,
  poisson,
  count_
};

struct LossParams {
  bool from_logits = false;
  float label_smoothing = 0.0f;  // binary/categorical CE
  float delta = 1.0f;            // huber
};

// pred (N, K). target (N, K), or (N,) class ids stored as float for sparse CE.
// sw: per-row sample weights (N) or null.
// Per row i, loss_i is Keras's per-sample loss (mean over K for the regression
// losses, sum over K for cross-entropies). Returns sum_i sw_i * loss_i in double.
// If dpred != null it receives grad_scale * d(sum_i sw_i * loss_i)/dpred
// (callers pass grad_scale = 1/N for sum_over_batch_size). Writes, not accumulates.
double loss_forward_backward(Loss l, const LossParams& p, const float* pred, const float* target,
                             const float* sw, float* dpred, float grad_scale, i64 N, i64 K);

// Per-row form for the graph engine: per_row[i] = loss_i (Keras's per-sample loss, not
// weighted); dpred (if non-null) = w_i * d loss_i / d pred with w the row weights (or 1).
// Either output may be null. Writes, not accumulates.
void loss_rows(Loss l, const LossParams& p, const float* pred, const float* target, const float* w,
               float* per_row, float* dpred, i64 N, i64 K);
void loss_rows_ref(Loss l, const LossParams& p, const float* pred, const float* target,
                   const float* w, float* per_row, float* dpred, i64 N, i64 K);

double loss_forward_backward_ref(Loss l, const LossParams& p, const float* pred,
                                 const float* target, const float* sw, float* dpred,
                                 float grad_scale, i64 N, i64 K);

}  // namespace ks

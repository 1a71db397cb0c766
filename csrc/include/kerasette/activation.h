// Activations: every one Keras 3 names, forward and derivative.
#pragma once
#include "kerasette/common.h"

namespace ks {

// The numeric values are part of the Python contract (lowering.py maps names to them).
enum class Act : int {
  linear = 0,
  relu,
  leaky_relu,
  relu6,
  elu,
  selu,
  gelu,
  gelu_tanh,
  sigmoid,
  hard_sigmoid,
  tanh,
  softmax,
  log_softmax,
  softplus,
  softsign,
  silu,
  mish,
  exponential,
  hard_silu,
  count_
};

// y = act(x) over a (rows, cols) block; softmax/log_softmax act along cols (last axis).
// `param` is the activation's one scalar argument where Keras has one
// (leaky_relu negative_slope, elu alpha); ignored otherwise. x may alias y.
void act_forward(Act a, float param, const float* x, float* y, i64 rows, i64 cols);

// dx = dL/dx given dy = dL/dy, the input x and the output y = act(x).
// dx may alias dy. Writes (does not accumulate). Reads x only when
// act_backward_needs_x(a), y only otherwise, so the unused one may be null.
void act_backward(Act a, float param, const float* x, const float* y, const float* dy, float* dx,
                  i64 rows, i64 cols);

// Scalar references, the oracle the fast versions are tested against.
void act_forward_ref(Act a, float param, const float* x, float* y, i64 rows, i64 cols);
void act_backward_ref(Act a, float param, const float* x, const float* y, const float* dy,
                      float* dx, i64 rows, i64 cols);

// True when the derivative can be computed from y alone (x not needed), so a
// layer can skip keeping its pre-activation.
bool act_backward_needs_x(Act a);

}  // namespace ks

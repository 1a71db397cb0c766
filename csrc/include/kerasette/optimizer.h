// Optimizer updates, transcribed from Keras 3's update_step formulas.
// One call updates one flat buffer: the runtime keeps all trainable parameters
// (and their gradients and slots) contiguous, so one call is one fused pass.
#pragma once
#include "kerasette/common.h"

namespace ks {

// New optimizers go at the end so the ids of the others never change.
enum class Opt : int {
  sgd = 0,
  adam,
  adamw,
  rmsprop,
  adagrad,
  adadelta,
  nadam,
  adamax,
  ftrl,
  lion,
  lamb,
  count_
};

struct OptParams {
  float learning_rate = 0.001f;
  float beta_1 = 0.9f, beta_2 = 0.999f, epsilon = 1e-7f;
  float momentum = 0.0f;      // sgd, rmsprop
  float rho = 0.9f;           // rmsprop (0.9), adadelta (0.95)
  float weight_decay = 0.0f;  // decoupled: p -= lr * wd * p before the step (Keras)
  bool nesterov = false, amsgrad = false, centered = false;
  float initial_accumulator_value =
      0.1f;  // adagrad, ftrl: its slot starts here (optimizer_init_slots)
  // ftrl: learning_rate_power, l1/l2/l2_shrinkage regularization strengths, beta.
  float lr_power = -0.5f, l1 = 0.0f, l2 = 0.0f, l2_shrinkage = 0.0f, ftrl_beta = 0.0f;
  // lamb: the trust ratio is per variable; the flat buffer is n_segments variables of
  // segments[k] floats each (nullptr: the whole buffer is one variable).
  const i64* segments = nullptr;
  i64 n_segments = 0;
  // Per-step scalars the caller precomputes once per step (not per element):
  //   nadam: u_t, u_t1, u_product_t, u_product_t1 (see optimizer_prepare_step).
  float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
};

// Number of per-parameter slot buffers each optimizer needs (momentum, velocity, ...).
int optimizer_num_slots(Opt o, const OptParams& p);

// Slot order per optimizer (Keras's variable roles):
//   sgd: [momentum] (only when momentum != 0)      adam/adamw: momentum, velocity, [velocity_hat if amsgrad]
//   rmsprop: velocity, [momentum if momentum > 0], [average_gradient if centered]
//   adagrad: accumulator                          adadelta: accumulated_grad, accumulated_delta_var
//   nadam: momentum, velocity                     adamax: momentum, norm
//   ftrl: accumulator, linear                     lion: momentum      lamb: momentum, velocity
// Every slot starts at 0 except adagrad's and ftrl's accumulator (initial_accumulator_value):
// optimizer_init_slots writes those starting values.
void optimizer_init_slots(Opt o, const OptParams& p, float* const* slots, i64 n);

// Fill the per-step scalars of p for iteration `step` (1-based: Keras's iterations+1).
// `state` carries optimizer scalars across steps (nadam's u_product); start it at 1.
void optimizer_prepare_step(Opt o, OptParams& p, i64 step, double* state);

// param -= update(grad) for n elements; slots[0..num_slots) are n-element buffers.
void optimizer_update(Opt o, const OptParams& p, i64 step, float* param, const float* grad,
                      float* const* slots, i64 n);
void optimizer_update_ref(Opt o, const OptParams& p, i64 step, float* param, const float* grad,
                          float* const* slots, i64 n);

}  // namespace ks

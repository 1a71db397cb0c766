// The lowered model: an ordered list of ops with fixed per-sample shapes (only the
// batch dimension varies), parameters/grads/optimizer slots in flat arenas, and ONE
// workspace sized for the largest batch seen (grown, never reallocated inside a step).
//
// Memory plan (llm.c "malloc_and_point" style, built from the op table):
//   trainable arena  : params_ | grads_ | slots_ (num_slots x n_trainable)
//   frozen arena     : fixed_  (non-trainable weights: moving stats, frozen layers)
//   workspace        : input batch | targets | sample weights | per-op outputs/aux | 2 grad
//                      ping-pong buffers | metric scratch
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "kerasette/activation.h"
#include "kerasette/common.h"
#include "kerasette/layer_ops.h"
#include "kerasette/loss.h"
#include "kerasette/optimizer.h"

namespace ks {

enum class OpKind : int {
  dense = 0, activation, dropout, batchnorm, layernorm, embedding, normalization,
  dense_features, count_
};

// One op as lowering.py describes it. Sizes are per sample (the product of the
// non-batch dims); `channels` is the last axis of the input the op works along.
struct OpSpec {
  int kind = 0;
  i64 in_dim = 0, out_dim = 0, channels = 0;
  int act = 0;             // Act for dense/activation
  float act_param = 0.0f;
  float rate = 0.0f;       // dropout
  float epsilon = 1e-3f, momentum = 0.99f;  // batchnorm / layernorm
  bool invert = false;     // normalization
  bool frozen = false;     // trainable=False: BN uses moving stats, no moving update
  std::uint64_t seed = 0;  // dropout stream
  float act_l1 = 0.0f, act_l2 = 0.0f;  // activity regularizer on the output (Keras: / batch)
  std::vector<int> params; // param ids, meaning per kind (-1 = absent):
  //  dense [kernel, bias]; batchnorm [gamma, beta, moving_mean, moving_var];
  //  layernorm [gamma, beta]; embedding [table]; normalization [mean, variance];
  //  dense_features [table per embedding column]
  // dense_features layout: input row = [df_dense | n_ids per column], output =
  // [df_dense | dim per column]; vocab/dim/combiner per column.
  i64 df_dense = 0;
  std::vector<i64> df_nids, df_vocab, df_dim;
  std::vector<int> df_combiner;
};

struct ParamSpec {
  i64 size = 0;
  bool trainable = true;
  float l1 = 0.0f, l2 = 0.0f;          // regularizer
  int constraint = 0;                  // Constraint
  i64 c_outer = 1, c_len = 1, c_inner = 1;
  float c_min = 0.0f, c_max = 0.0f, c_rate = 1.0f;
};

struct MetricSpec {
  int kind = 0;  // Metric
  int k = 5;
  float threshold = 0.5f;
  bool weighted = false;  // weighted_metrics: uses sample weights
};

struct TrainConfig {
  int loss = 0;  // Loss
  LossParams loss_params;
  float loss_weight = 1.0f;
  i64 target_width = 1;
  int optimizer = 0;  // Opt
  OptParams opt;
  float clipnorm = 0.0f, clipvalue = 0.0f, global_clipnorm = 0.0f;  // 0 = off
  std::uint64_t seed = 0;
};

class Plan {
 public:
  int add_param(const ParamSpec& p);
  void add_op(const OpSpec& op);
  void add_metric(const MetricSpec& m);
  void configure(const TrainConfig& cfg);  // may be called again (recompile)
  void finalize();                         // lays out the arenas; ops fixed from here

  // Views the bindings hand to Python (Variables are rebound onto them).
  float* param_ptr(int id);
  float* grad_ptr(int id);                 // null when frozen
  float* slot_ptr(int id, int s);          // null when frozen / no such slot
  i64 param_size(int id) const;            // std::out_of_range on an unknown id
  int num_slots() const { return n_slots_; }
  i64 in_dim() const;                      // std::logic_error while there is no op
  i64 out_dim() const;
  bool finalized() const { return finalized_; }
  // Preconditions the bindings check before any work (a Python error, never a crash):
  // finalized (the arenas and offsets exist), and for train/test, targets whose width
  // fits the loss and the metrics (the kernels read N x width floats from them).
  void require_finalized(const char* what) const;
  void check_targets(const char* what) const;
  bool fused() const { return fused_; }
  const TrainConfig& config() const { return cfg_; }
  std::uint64_t& rng_step() { return rng_step_; }
  double& opt_state() { return opt_state_; }  // nadam's u_product (Python restores it)

  // ---- executor (executor.cc). x (N, in_dim), y (N, target_width), sw (N) or null.
  // Inference forward; returns the output block (N, out_dim) inside the workspace.
  const float* predict_batch(const float* x, i64 N);
  // check_finite: each batch is checked for NaN/inf right before its forward, while it
  // is about to be read anyway (std::invalid_argument; predict changes no state).
  void predict(const float* X, i64 n, i64 batch_size, float* out, bool check_finite = false);
  // Training-mode forward without loss or update (eager layer(x, training=True)).
  const float* forward_train(const float* x, i64 N);
  // One optimizer step; returns the batch loss (incl. regularization); accumulates metrics.
  double train_step(const float* x, const float* y, const float* sw, i64 N, float lr,
                    i64 iteration);
  double test_step(const float* x, const float* y, const float* sw, i64 N);
  // Steps [first_batch, first_batch + n_batches) of an epoch over rows idx (or 0..n-1 when
  // idx is null), gathering each batch into the workspace. lrs[b] is step b's learning rate.
  void train_batches(const float* X, const float* Y, const float* SW, const std::int64_t* idx,
                     i64 n, i64 batch_size, i64 first_batch, i64 n_batches, const float* lrs,
                     i64 first_iteration);
  void test_batches(const float* X, const float* Y, const float* SW, i64 n, i64 batch_size);
  // Optional, empty by default: called in train_step on the whole trainable-gradient
  // arena (grads, n) after backward + regularization, before clipping and the optimizer
  // update (kerasette.distribute allreduces it there). Called with the plan's mutex held.
  std::function<void(float*, i64)> grad_hook;
  std::mutex& mutex() { return mu_; }  // bindings hold it while the GIL is released
  const float* last_output() const { return last_out_; }  // predictions of the last step
  i64 last_rows() const { return last_rows_; }

  // Metric accumulators (Keras's Mean semantics).
  void reset_metrics();
  double loss_result() const { return loss_count_ > 0 ? loss_sum_ / loss_count_ : 0.0; }
  std::vector<double> metric_results() const;

 private:
  struct OpBuf { float *out = nullptr, *z = nullptr, *aux0 = nullptr, *aux1 = nullptr; };
  void ensure_workspace(i64 N);
  void check_op(const OpSpec& op) const;  // std::invalid_argument unless the kernels fit it
  const float* forward(const float* x, i64 N, bool training);
  void backward(const float* x, i64 N, float* dlast);
  double regularization(bool with_grads);
  double activity_loss(i64 N) const;
  void activity_grad(int i, float* dy, i64 N) const;
  void accumulate_metrics(const float* pred, const float* y, const float* sw, i64 N, double loss);
  float* P(int op, int k);  // param k of op (null when absent)
  float* G(int op, int k);  // its grad (null when frozen/absent)
  bool op_has_grads(int i) const;
  static i64 rows_per_sample(const OpSpec& op);

  std::mutex mu_;
  std::vector<const float*> outp_;  // each op's output as the last forward left it

  std::vector<OpSpec> ops_;
  std::vector<ParamSpec> pspecs_;
  std::vector<i64> poff_;  // offset in its arena
  std::vector<MetricSpec> metrics_;
  TrainConfig cfg_;
  bool finalized_ = false, fused_ = false;
  int n_slots_ = 0;
  i64 n_train_ = 0, n_fixed_ = 0;
  std::vector<float> params_, grads_, slots_, fixed_;
  std::vector<char> grad_written_;  // params whose grad the op writes (no zeroing needed)
  std::vector<bool> need_dx_;       // op i must produce dL/d(input)
  double opt_state_ = 1.0;          // optimizer scalars carried across steps (nadam)

  // workspace
  i64 cap_ = 0, max_dim_ = 0;
  std::vector<float> ws_;
  float *xin_ = nullptr, *yin_ = nullptr, *swin_ = nullptr, *g0_ = nullptr, *g1_ = nullptr,
        *mv_ = nullptr;
  std::vector<OpBuf> bufs_;
  const float* last_out_ = nullptr;
  i64 last_rows_ = 0;
  std::uint64_t rng_step_ = 0;
  i64 bad_ids_ = 0;

  double loss_sum_ = 0.0, loss_count_ = 0.0;
  std::vector<double> msum_, mwsum_;
};

}  // namespace ks

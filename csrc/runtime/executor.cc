// Executor: forward / backward / train step / epoch loops over a finalized Plan.
// No allocation happens here once the workspace has grown to the batch size.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

#include "kerasette/data_ops.h"
#include "kerasette/gemm.h"
#include "runtime/plan.h"

namespace ks {

i64 Plan::rows_per_sample(const OpSpec& op) {
  if (op.kind == (int)OpKind::embedding) return op.in_dim;
  if (op.kind == (int)OpKind::dense_features) return 1;
  return op.in_dim / std::max<i64>(op.channels, 1);
}

const float* Plan::forward(const float* x, i64 N, bool training) {
  const int L = (int)ops_.size();
  outp_.resize(L);
  const float* in = x;
  for (int i = 0; i < L; ++i) {
    const OpSpec& op = ops_[i];
    OpBuf& b = bufs_[i];
    const i64 R = rows_per_sample(op), rows = N * R, C = op.channels;
    const i64 OC = op.out_dim / R;
    const float* out = b.out;
    switch ((OpKind)op.kind) {
      case OpKind::dense: {
        Act a = (Act)op.act;
        bool keep_z = training && a != Act::linear &&
                      (act_backward_needs_x(a) || (i == L - 1 && fused_));
        if (keep_z) {
          gemm_bias_act(false, false, rows, OC, C, in, C, P(i, 0), OC, P(i, 1), Act::linear,
                        0.0f, b.z, OC);
          act_forward(a, op.act_param, b.z, b.out, rows, OC);
        } else {
          gemm_bias_act(false, false, rows, OC, C, in, C, P(i, 0), OC, P(i, 1), a, op.act_param,
                        b.out, OC);
        }
        break;
      }
      case OpKind::activation:
        act_forward((Act)op.act, op.act_param, in, b.out, rows, C);
        break;
      case OpKind::dropout:
        if (training && op.rate > 0.0f)
          dropout_forward(b.out, b.aux0, in, op.rate, cfg_.seed ^ op.seed,
                          rng_mix(op.seed, (std::uint64_t)i, rng_step_), N * op.in_dim);
        else
          out = in;  // identity: no copy
        break;
      case OpKind::batchnorm:
        if (training && !op.frozen)
          batchnorm_forward_train(b.out, b.aux0, b.aux1, in, P(i, 0), P(i, 1), P(i, 2), P(i, 3),
                                  op.momentum, op.epsilon, rows, C);
        else
          batchnorm_forward_infer(b.out, in, P(i, 0), P(i, 1), P(i, 2), P(i, 3), op.epsilon,
                                  rows, C);
        break;
      case OpKind::layernorm:
        layernorm_forward(b.out, b.aux0, b.aux1, in, P(i, 0), P(i, 1), op.epsilon, rows, C);
        break;
      case OpKind::embedding: {
        const i64 D = op.out_dim / op.in_dim;
        bad_ids_ += embedding_forward(b.out, in, P(i, 0), rows, param_size(op.params[0]) / D, D);
        break;
      }
      case OpKind::normalization:
        normalization_forward(b.out, in, P(i, 0), P(i, 1), op.invert, rows, C);
        break;
      case OpKind::dense_features: {
        for (i64 r = 0; r < N; ++r)
          std::memcpy(b.out + r * op.out_dim, in + r * op.in_dim, sizeof(float) * op.df_dense);
        i64 off_in = op.df_dense, off_out = op.df_dense;
        for (size_t j = 0; j < op.df_nids.size(); ++j) {
          bad_ids_ += embedding_bag_forward(b.out + off_out, op.out_dim, in + off_in, op.in_dim,
                                            op.df_nids[j], P(i, (int)j), op.df_vocab[j],
                                            op.df_dim[j], op.df_combiner[j], N);
          off_in += op.df_nids[j];
          off_out += op.df_dim[j];
        }
        break;
      }
      default: throw std::logic_error("Plan: unknown op");
    }
    outp_[i] = out;
    in = out;
  }
  if (bad_ids_ > 0) {
    i64 bad = bad_ids_;
    bad_ids_ = 0;
    throw std::invalid_argument("Embedding: " + std::to_string(bad) +
                                " input id(s) outside [0, input_dim)");
  }
  return in;
}

// dlast = dL/d(output of op `start`) in g0_; walks back while some earlier op needs grads.
void Plan::backward(const float* x, i64 N, float* /*dlast*/) {
  const int L = (int)ops_.size();
  int start = L - 1;
  bool dz_given = false;  // fused: g0_ already holds dL/d(pre-activation) of the last op
  if (fused_) {
    if (ops_[L - 1].kind == (int)OpKind::activation) --start;  // g0_ = dL/d(its input)
    else dz_given = true;
  }
  float* dy = g0_;
  float* other = g1_;
  for (int i = start; i >= 0; --i) {
    const OpSpec& op = ops_[i];
    OpBuf& b = bufs_[i];
    const float* in = i == 0 ? x : outp_[i - 1];
    const i64 R = rows_per_sample(op), rows = N * R, C = op.channels, OC = op.out_dim / R;
    float* dx = need_dx_[i] ? other : nullptr;
    if (!(dz_given && i == L - 1)) activity_grad(i, dy, N);
    switch ((OpKind)op.kind) {
      case OpKind::dense: {
        Act a = (Act)op.act;
        if (!(dz_given && i == L - 1) && a != Act::linear) {
          bool kept_z = a != Act::linear && (act_backward_needs_x(a) || (i == L - 1 && fused_));
          act_backward(a, op.act_param, kept_z ? b.z : b.out, b.out, dy, dy, rows, OC);
        }
        if (float* dW = G(i, 0))
          gemm(true, false, C, OC, rows, 1.0f, in, C, dy, OC, 0.0f, dW, OC);
        if (float* db = G(i, 1)) bias_grad(db, dy, rows, OC);
        if (dx) gemm(false, true, rows, C, OC, 1.0f, dy, OC, P(i, 0), OC, 0.0f, dx, C);
        break;
      }
      case OpKind::activation:
        if (dx) act_backward((Act)op.act, op.act_param, in, b.out, dy, dx, rows, C);
        break;
      case OpKind::dropout:
        if (dx) {
          if (op.rate > 0.0f) dropout_backward(dx, dy, b.aux0, N * op.in_dim);
          else std::memcpy(dx, dy, sizeof(float) * N * op.in_dim);
        }
        break;
      case OpKind::batchnorm:
        if (!op.frozen)
          batchnorm_backward_train(dx, G(i, 0), G(i, 1), dy, in, b.aux0, b.aux1, P(i, 0), rows, C);
        else if (dx)
          batchnorm_backward_infer(dx, dy, P(i, 0), P(i, 3), op.epsilon, rows, C);
        break;
      case OpKind::layernorm:
        layernorm_backward(dx, G(i, 0), G(i, 1), dy, in, b.aux0, b.aux1, P(i, 0), rows, C);
        break;
      case OpKind::embedding: {
        const i64 D = op.out_dim / op.in_dim;
        if (float* dt = G(i, 0)) embedding_backward(dt, dy, in, rows, param_size(op.params[0]) / D, D);
        if (dx) std::memset(dx, 0, sizeof(float) * N * op.in_dim);  // ids carry no gradient
        break;
      }
      case OpKind::normalization:
        if (dx) normalization_backward(dx, dy, P(i, 1), op.invert, rows, C);
        break;
      case OpKind::dense_features: {
        i64 off_in = op.df_dense, off_out = op.df_dense;
        for (size_t j = 0; j < op.df_nids.size(); ++j) {
          if (float* dt = G(i, (int)j))
            embedding_bag_backward(dt, dy + off_out, op.out_dim, in + off_in, op.in_dim,
                                   op.df_nids[j], op.df_vocab[j], op.df_dim[j],
                                   op.df_combiner[j], N);
          off_in += op.df_nids[j];
          off_out += op.df_dim[j];
        }
        if (dx)
          for (i64 r = 0; r < N; ++r) {
            std::memset(dx + r * op.in_dim, 0, sizeof(float) * op.in_dim);
            std::memcpy(dx + r * op.in_dim, dy + r * op.out_dim, sizeof(float) * op.df_dense);
          }
        break;
      }
      default: throw std::logic_error("Plan: unknown op");
    }
    if (!dx) break;  // nothing earlier needs a gradient
    std::swap(dy, other);
  }
}

double Plan::regularization(bool with_grads) {
  double r = 0.0;
  for (size_t id = 0; id < pspecs_.size(); ++id) {
    const ParamSpec& ps = pspecs_[id];
    if (!ps.trainable || (ps.l1 == 0.0f && ps.l2 == 0.0f)) continue;
    r += regularizer_apply(param_ptr((int)id), with_grads ? grad_ptr((int)id) : nullptr, ps.l1,
                           ps.l2, ps.size);
  }
  return r;
}

// Keras 3 adds activity_regularizer(output) / batch_size to the loss.
double Plan::activity_loss(i64 N) const {
  double r = 0.0;
  for (size_t i = 0; i < ops_.size(); ++i) {
    const OpSpec& op = ops_[i];
    if (op.act_l1 == 0.0f && op.act_l2 == 0.0f) continue;
    r += regularizer_apply(outp_[i], nullptr, op.act_l1, op.act_l2, N * op.out_dim) / (double)N;
  }
  return r;
}

void Plan::activity_grad(int i, float* dy, i64 N) const {
  const OpSpec& op = ops_[i];
  if (op.act_l1 == 0.0f && op.act_l2 == 0.0f) return;
  const float s = 1.0f / (float)N;
  const float* y = outp_[i];
  for (i64 j = 0; j < N * op.out_dim; ++j)
    dy[j] += s * (op.act_l1 * (float)((y[j] > 0) - (y[j] < 0)) + 2.0f * op.act_l2 * y[j]);
}

void Plan::accumulate_metrics(const float* pred, const float* y, const float* sw, i64 N,
                              double loss) {
  loss_sum_ += loss * (double)N;  // Keras's loss tracker: weighted by batch size
  loss_count_ += (double)N;
  if (metrics_.empty()) return;
  const OpSpec& last = ops_.back();
  const i64 R = rows_per_sample(last), K = last.out_dim / R;
  for (size_t m = 0; m < metrics_.size(); ++m) {
    const MetricSpec& ms = metrics_[m];
    metric_values((Metric)ms.kind, pred, y, mv_, N * R, K, ms.k, ms.threshold);
    double s = 0.0, w = 0.0;
    if (ms.weighted && sw && R == 1) {
      for (i64 i = 0; i < N; ++i) { s += (double)sw[i] * mv_[i]; w += sw[i]; }
    } else {
      for (i64 i = 0; i < N * R; ++i) s += mv_[i];
      w = (double)(N * R);
    }
    msum_[m] += s;
    mwsum_[m] += w;
  }
}

namespace {
struct LossSetup { const float* pred; LossParams lp; i64 rows, K; };
}  // namespace

double Plan::train_step(const float* x, const float* y, const float* sw, i64 N, float lr,
                        i64 iteration) {
  ensure_workspace(N);
  for (size_t id = 0; id < pspecs_.size(); ++id)
    if (pspecs_[id].trainable && !grad_written_[id])
      std::memset(grad_ptr((int)id), 0, sizeof(float) * pspecs_[id].size);
  const float* out = forward(x, N, true);
  ++rng_step_;
  const int L = (int)ops_.size();
  const OpSpec& last = ops_.back();
  const i64 R = rows_per_sample(last), K = last.out_dim / R;
  LossParams lp = cfg_.loss_params;
  const float* lpred = out;
  if (fused_) {
    lp.from_logits = true;
    lpred = last.kind == (int)OpKind::dense ? bufs_[L - 1].z : (L > 1 ? outp_[L - 2] : x);
  }
  const float scale = cfg_.loss_weight / (float)(N * R);
  double lsum = loss_forward_backward((Loss)cfg_.loss, lp, lpred, y, R == 1 ? sw : nullptr, g0_,
                                      scale, N * R, K);
  backward(x, N, g0_);
  // After backward: dense kernels' grads are written (beta=0 GEMM), then the penalty added.
  double batch_loss = lsum * scale + regularization(true) + activity_loss(N);
  if (grad_hook && n_train_ > 0) grad_hook(grads_.data(), n_train_);

  // Gradient clipping, Keras order: clipnorm (per variable), global_clipnorm, clipvalue.
  if (cfg_.clipnorm > 0.0f) {
    for (size_t id = 0; id < pspecs_.size(); ++id) {
      if (!pspecs_[id].trainable) continue;
      float* g = grad_ptr((int)id);
      double nrm = std::sqrt(sum_squares(g, pspecs_[id].size));
      if (nrm > cfg_.clipnorm) scale_inplace(g, (float)(cfg_.clipnorm / nrm), pspecs_[id].size);
    }
  }
  if (cfg_.global_clipnorm > 0.0f) {
    double nrm = std::sqrt(sum_squares(grads_.data(), n_train_));
    if (nrm > cfg_.global_clipnorm)
      scale_inplace(grads_.data(), (float)(cfg_.global_clipnorm / nrm), n_train_);
  }
  if (cfg_.clipvalue > 0.0f) clip_inplace(grads_.data(), -cfg_.clipvalue, cfg_.clipvalue, n_train_);

  if (n_train_ > 0) {
    OptParams p = cfg_.opt;
    p.learning_rate = lr;
    const i64 step = iteration + 1;
    optimizer_prepare_step((Opt)cfg_.optimizer, p, step, &opt_state_);
    float* slots[16];
    for (int s = 0; s < n_slots_ && s < 16; ++s) slots[s] = slots_.data() + (i64)s * n_train_;
    optimizer_update((Opt)cfg_.optimizer, p, step, params_.data(), grads_.data(), slots, n_train_);
  }
  for (size_t id = 0; id < pspecs_.size(); ++id) {
    const ParamSpec& ps = pspecs_[id];
    if (ps.trainable && ps.constraint != 0)
      constraint_apply((Constraint)ps.constraint, param_ptr((int)id), ps.c_outer, ps.c_len,
                       ps.c_inner, ps.c_min, ps.c_max, ps.c_rate);
  }
  accumulate_metrics(out, y, sw, N, batch_loss);
  last_out_ = out;
  last_rows_ = N;
  return batch_loss;
}

double Plan::test_step(const float* x, const float* y, const float* sw, i64 N) {
  ensure_workspace(N);
  const float* out = forward(x, N, false);
  const OpSpec& last = ops_.back();
  const i64 R = rows_per_sample(last), K = last.out_dim / R;
  const float scale = cfg_.loss_weight / (float)(N * R);
  double lsum = loss_forward_backward((Loss)cfg_.loss, cfg_.loss_params, out, y,
                                      R == 1 ? sw : nullptr, nullptr, scale, N * R, K);
  double batch_loss = lsum * scale + regularization(false) + activity_loss(N);
  accumulate_metrics(out, y, sw, N, batch_loss);
  last_out_ = out;
  last_rows_ = N;
  return batch_loss;
}

const float* Plan::predict_batch(const float* x, i64 N) {
  ensure_workspace(N);
  const float* out = forward(x, N, false);
  last_out_ = out;
  last_rows_ = N;
  return out;
}

const float* Plan::forward_train(const float* x, i64 N) {
  ensure_workspace(N);
  const float* out = forward(x, N, true);
  ++rng_step_;
  return out;
}

void Plan::predict(const float* X, i64 n, i64 batch_size, float* out, bool check_finite) {
  const i64 in = ops_.front().in_dim, od = ops_.back().out_dim;
  for (i64 s = 0; s < n; s += batch_size) {
    const i64 N = std::min(batch_size, n - s);
    if (check_finite && !all_finite(X + s * in, N * in))
      throw std::invalid_argument("x contains NaN or infinite values; the model cannot be fed "
                                  "non-finite inputs");
    const float* y = predict_batch(X + s * in, N);
    std::memcpy(out + s * od, y, sizeof(float) * N * od);
  }
}

void Plan::train_batches(const float* X, const float* Y, const float* SW, const std::int64_t* idx,
                         i64 n, i64 batch_size, i64 first_batch, i64 n_batches, const float* lrs,
                         i64 first_iteration) {
  const i64 in = ops_.front().in_dim, tw = cfg_.target_width;
  ensure_workspace(std::min(batch_size, n));
  for (i64 b = 0; b < n_batches; ++b) {
    const i64 s = (first_batch + b) * batch_size;
    if (s >= n) break;
    const i64 N = std::min(batch_size, n - s);
    const float *xp = X + s * in, *yp = Y + s * tw, *swp = SW ? SW + s : nullptr;
    if (idx) {  // gather the shuffled rows into the workspace
      gather_rows(xin_, X, idx + s, N, in);
      gather_rows(yin_, Y, idx + s, N, tw);
      if (SW) gather_rows(swin_, SW, idx + s, N, 1);
      xp = xin_; yp = yin_; swp = SW ? swin_ : nullptr;
    }
    train_step(xp, yp, swp, N, lrs[b], first_iteration + b);
  }
}

void Plan::test_batches(const float* X, const float* Y, const float* SW, i64 n, i64 batch_size) {
  const i64 in = ops_.front().in_dim, tw = cfg_.target_width;
  for (i64 s = 0; s < n; s += batch_size) {
    const i64 N = std::min(batch_size, n - s);
    test_step(X + s * in, Y + s * tw, SW ? SW + s : nullptr, N);
  }
}

}  // namespace ks

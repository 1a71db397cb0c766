// Plan construction: the parameter arenas and the one workspace (see plan.h).
#include "runtime/plan.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace ks {

namespace {
// Keep every buffer 64-byte aligned inside its arena (16 floats).
inline i64 round16(i64 n) { return (n + 15) & ~i64(15); }
}  // namespace

int Plan::add_param(const ParamSpec& p) {
  if (finalized_) throw std::logic_error("Plan: add_param after finalize");
  if (p.size < 0) throw std::invalid_argument("Plan: negative parameter size");
  pspecs_.push_back(p);
  return (int)pspecs_.size() - 1;
}

void Plan::add_op(const OpSpec& op) {
  if (finalized_) throw std::logic_error("Plan: add_op after finalize");
  if (op.kind < 0 || op.kind >= (int)OpKind::count_) throw std::invalid_argument("Plan: bad op kind");
  if (op.in_dim <= 0 || op.out_dim <= 0) throw std::invalid_argument("Plan: op dims must be positive");
  if (!ops_.empty() && ops_.back().out_dim != op.in_dim)
    throw std::invalid_argument("Plan: op " + std::to_string(ops_.size()) + " expects " +
                                std::to_string(op.in_dim) + " features, previous op gives " +
                                std::to_string(ops_.back().out_dim));
  for (int id : op.params)
    if (id >= (int)pspecs_.size()) throw std::invalid_argument("Plan: unknown param id");
  ops_.push_back(op);
}

void Plan::configure(const TrainConfig& cfg) {
  if (cfg.loss < 0 || cfg.loss >= (int)Loss::count_) throw std::invalid_argument("Plan: bad loss");
  if (cfg.optimizer < 0 || cfg.optimizer >= (int)Opt::count_)
    throw std::invalid_argument("Plan: bad optimizer");
  cfg_ = cfg;
  // Fused softmax+CE / sigmoid+BCE: Keras on TF takes the logits behind a softmax
  // (sigmoid) output when the loss is CE (BCE) with from_logits=False.
  fused_ = false;
  if (!ops_.empty() && !cfg.loss_params.from_logits) {
    const OpSpec& last = ops_.back();
    bool act_op = last.kind == (int)OpKind::dense || last.kind == (int)OpKind::activation;
    Loss l = (Loss)cfg.loss;
    Act a = (Act)last.act;
    fused_ = act_op && ((a == Act::softmax && (l == Loss::categorical_ce ||
                                              l == Loss::sparse_categorical_ce)) ||
                        (a == Act::sigmoid && l == Loss::binary_ce));
    // softmax over a sub-axis (rows per sample > 1) would need a per-sample loss split.
    if (fused_ && last.channels != last.out_dim) fused_ = false;
  }
  if (finalized_) {
    int ns = optimizer_num_slots((Opt)cfg_.optimizer, cfg_.opt);
    if (ns != n_slots_) throw std::logic_error("Plan: optimizer slot count changed; rebuild the plan");
  }
  opt_state_ = 1.0;
}

void Plan::finalize() {
  if (finalized_) return;
  if (ops_.empty()) throw std::invalid_argument("Plan: no ops");
  poff_.assign(pspecs_.size(), 0);
  for (size_t i = 0; i < pspecs_.size(); ++i) {
    i64& n = pspecs_[i].trainable ? n_train_ : n_fixed_;
    poff_[i] = n;
    n += round16(pspecs_[i].size);
  }
  n_slots_ = optimizer_num_slots((Opt)cfg_.optimizer, cfg_.opt);
  params_.assign(n_train_, 0.0f);
  grads_.assign(n_train_, 0.0f);
  slots_.assign(n_train_ * n_slots_, 0.0f);
  fixed_.assign(n_fixed_, 0.0f);
  grad_written_.assign(pspecs_.size(), 0);
  for (const OpSpec& op : ops_)  // dense kernels: dW comes from a beta=0 GEMM
    if (op.kind == (int)OpKind::dense && !op.params.empty() && op.params[0] >= 0)
      grad_written_[op.params[0]] = 1;
  need_dx_.assign(ops_.size(), false);
  bool seen = false;
  for (size_t i = 0; i < ops_.size(); ++i) {
    need_dx_[i] = seen;
    if (op_has_grads((int)i)) seen = true;
  }
  max_dim_ = 1;
  for (const OpSpec& op : ops_) max_dim_ = std::max({max_dim_, op.in_dim, op.out_dim});
  bufs_.assign(ops_.size(), OpBuf{});
  msum_.assign(metrics_.size(), 0.0);
  mwsum_.assign(metrics_.size(), 0.0);
  finalized_ = true;
}

bool Plan::op_has_grads(int i) const {
  for (int id : ops_[i].params)
    if (id >= 0 && pspecs_[id].trainable) return true;
  return false;
}

float* Plan::param_ptr(int id) {
  if (id < 0 || id >= (int)pspecs_.size()) throw std::out_of_range("Plan: param id");
  return (pspecs_[id].trainable ? params_.data() : fixed_.data()) + poff_[id];
}
float* Plan::grad_ptr(int id) {
  if (id < 0 || id >= (int)pspecs_.size()) throw std::out_of_range("Plan: param id");
  return pspecs_[id].trainable ? grads_.data() + poff_[id] : nullptr;
}
float* Plan::slot_ptr(int id, int s) {
  if (id < 0 || id >= (int)pspecs_.size()) throw std::out_of_range("Plan: param id");
  if (!pspecs_[id].trainable || s < 0 || s >= n_slots_) return nullptr;
  return slots_.data() + (i64)s * n_train_ + poff_[id];
}
float* Plan::P(int op, int k) {
  const auto& ps = ops_[op].params;
  return (k < (int)ps.size() && ps[k] >= 0) ? param_ptr(ps[k]) : nullptr;
}
float* Plan::G(int op, int k) {
  const auto& ps = ops_[op].params;
  return (k < (int)ps.size() && ps[k] >= 0) ? grad_ptr(ps[k]) : nullptr;
}

// One allocation for everything that scales with the batch; grown to the largest N.
void Plan::ensure_workspace(i64 N) {
  if (!finalized_) throw std::logic_error("Plan: use before finalize");
  if (N <= cap_) return;
  const i64 in0 = ops_.front().in_dim, tw = std::max<i64>(cfg_.target_width, ops_.back().out_dim);
  std::vector<i64> sizes;  // offsets computed in one table
  auto need = [&](i64 n) { sizes.push_back(round16(n)); };
  need(N * in0); need(N * tw); need(N); need(N * max_dim_); need(N * max_dim_); need(N);
  for (const OpSpec& op : ops_) {
    i64 rows = N * (op.in_dim / std::max<i64>(op.channels, 1));
    need(N * op.out_dim);                                                   // out
    bool keep_z = op.kind == (int)OpKind::dense || op.kind == (int)OpKind::activation;
    need(keep_z ? N * op.out_dim : 0);                                      // z (pre-activation)
    if (op.kind == (int)OpKind::dropout) { need(N * op.in_dim); need(0); }
    else if (op.kind == (int)OpKind::batchnorm) { need(op.channels); need(op.channels); }
    else if (op.kind == (int)OpKind::layernorm) { need(rows); need(rows); }
    else { need(0); need(0); }
  }
  i64 total = 0;
  for (i64 s : sizes) total += s;
  ws_.assign(total + 16, 0.0f);
  float* p = ws_.data();
  size_t k = 0;
  auto take = [&]() { float* r = p; p += sizes[k++]; return r; };
  xin_ = take(); yin_ = take(); swin_ = take(); g0_ = take(); g1_ = take(); mv_ = take();
  for (auto& b : bufs_) { b.out = take(); b.z = take(); b.aux0 = take(); b.aux1 = take(); }
  cap_ = N;
}

void Plan::reset_metrics() {
  loss_sum_ = loss_count_ = 0.0;
  std::fill(msum_.begin(), msum_.end(), 0.0);
  std::fill(mwsum_.begin(), mwsum_.end(), 0.0);
}

std::vector<double> Plan::metric_results() const {
  std::vector<double> r(metrics_.size());
  for (size_t i = 0; i < r.size(); ++i) r[i] = mwsum_[i] > 0 ? msum_[i] / mwsum_[i] : 0.0;
  return r;
}

}  // namespace ks

// Plan construction: the parameter arenas and the one workspace (see plan.h).
#include "runtime/plan.h"

#include <algorithm>
#include <cmath>
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
  if (p.constraint < 0 || p.constraint > (int)Constraint::min_max_norm)
    throw std::invalid_argument("Plan: bad constraint kind " + std::to_string(p.constraint));
  // constraint_apply walks c_outer x c_len x c_inner floats of the parameter.
  if (p.constraint != 0 && (p.c_outer < 1 || p.c_len < 1 || p.c_inner < 1 ||
                            p.c_outer > p.size || p.c_len > p.size || p.c_inner > p.size ||
                            p.c_outer * p.c_len * p.c_inner != p.size))
    throw std::invalid_argument("Plan: constraint layout c_outer*c_len*c_inner must equal the "
                                "parameter size " + std::to_string(p.size));
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
  check_op(op);
  ops_.push_back(op);
}

namespace {
// The kernels index parameters and buffers from these sizes without further checks, so
// every op spec is checked against its kind here (the layout lowering.py produces).
[[noreturn]] void bad_op(const OpSpec& op, const std::string& why) {
  throw std::invalid_argument("Plan: op of kind " + std::to_string(op.kind) + ": " + why);
}
}  // namespace

void Plan::check_op(const OpSpec& op) const {
  const OpKind kind = (OpKind)op.kind;
  // param k: its size when present (an id >= 0), -1 when absent.
  auto psize = [&](size_t k) -> i64 {
    return k < op.params.size() && op.params[k] >= 0 ? pspecs_[op.params[k]].size : -1;
  };
  auto need = [&](size_t k, i64 size, bool required) {
    const i64 got = psize(k);
    if (got < 0 && required) bad_op(op, "parameter " + std::to_string(k) + " is required");
    if (got >= 0 && got != size)
      bad_op(op, "parameter " + std::to_string(k) + " has " + std::to_string(got) +
                     " values, expected " + std::to_string(size));
  };
  const bool per_channel = kind != OpKind::embedding && kind != OpKind::dense_features;
  if (per_channel && (op.channels <= 0 || op.in_dim % op.channels != 0))
    bad_op(op, "channels must be positive and divide in_dim");
  if ((kind == OpKind::dense || kind == OpKind::activation) &&
      (op.act < 0 || op.act >= (int)Act::count_))
    bad_op(op, "bad activation " + std::to_string(op.act));
  if (!std::isfinite(op.act_l1) || !std::isfinite(op.act_l2))
    bad_op(op, "activity regularizer factors must be finite");
  const i64 C = op.channels;
  switch (kind) {
    case OpKind::dense: {
      const i64 R = op.in_dim / C;
      if (op.out_dim % R != 0) bad_op(op, "out_dim must be a multiple of in_dim / channels");
      const i64 OC = op.out_dim / R;
      need(0, C * OC, true);
      need(1, OC, false);
      break;
    }
    case OpKind::activation:
      if (op.out_dim != op.in_dim) bad_op(op, "out_dim must equal in_dim");
      break;
    case OpKind::dropout:
      if (op.out_dim != op.in_dim) bad_op(op, "out_dim must equal in_dim");
      if (!(op.rate >= 0.0f && op.rate <= 1.0f)) bad_op(op, "rate must be in [0, 1]");
      break;
    case OpKind::batchnorm:
    case OpKind::layernorm:
    case OpKind::normalization: {
      if (op.out_dim != op.in_dim) bad_op(op, "out_dim must equal in_dim");
      const bool bn = kind == OpKind::batchnorm, norm = kind == OpKind::normalization;
      need(0, C, norm);  // gamma (mean for normalization)
      need(1, C, norm);  // beta (variance)
      if (bn) { need(2, C, true); need(3, C, true); }  // moving mean / variance
      if (!norm && !(std::isfinite(op.epsilon) && op.epsilon >= 0.0f))
        bad_op(op, "epsilon must be finite and >= 0");
      break;
    }
    case OpKind::embedding: {
      if (op.out_dim % op.in_dim != 0) bad_op(op, "out_dim must be a multiple of in_dim");
      const i64 D = op.out_dim / op.in_dim, size = psize(0);
      if (size <= 0 || size % D != 0) bad_op(op, "the table must hold a whole, non-zero number "
                                           "of rows of out_dim / in_dim values");
      break;
    }
    case OpKind::dense_features: {
      const size_t n = op.df_nids.size();
      if (op.df_vocab.size() != n || op.df_dim.size() != n || op.df_combiner.size() != n)
        bad_op(op, "df_nids, df_vocab, df_dim and df_combiner must have one entry per column");
      if (op.df_dense < 0) bad_op(op, "df_dense must be >= 0");
      i64 in = op.df_dense, out = op.df_dense;
      for (size_t j = 0; j < n; ++j) {
        if (op.df_nids[j] < 0 || op.df_vocab[j] < 1 || op.df_dim[j] < 1 ||
            op.df_combiner[j] < 0 || op.df_combiner[j] > 2 ||
            op.df_nids[j] > op.in_dim || op.df_dim[j] > op.out_dim)
          bad_op(op, "bad embedding column " + std::to_string(j));
        if (op.df_vocab[j] > std::max<i64>(psize(j), 0)) bad_op(op, "table too small");
        need(j, op.df_vocab[j] * op.df_dim[j], true);
        in += op.df_nids[j];
        out += op.df_dim[j];
      }
      if (in != op.in_dim || out != op.out_dim)
        bad_op(op, "in_dim/out_dim must be df_dense plus the columns' ids/dims");
      break;
    }
    default: bad_op(op, "unknown kind");
  }
}

void Plan::add_metric(const MetricSpec& m) {
  if (finalized_) throw std::logic_error("Plan: add_metric after finalize");
  if (m.kind < 0 || m.kind >= (int)Metric::count_)
    throw std::invalid_argument("Plan: bad metric kind " + std::to_string(m.kind));
  metrics_.push_back(m);
}

void Plan::configure(const TrainConfig& cfg) {
  if (cfg.loss < 0 || cfg.loss >= (int)Loss::count_) throw std::invalid_argument("Plan: bad loss");
  if (cfg.optimizer < 0 || cfg.optimizer >= (int)Opt::count_)
    throw std::invalid_argument("Plan: bad optimizer");
  if (cfg.target_width < 1) throw std::invalid_argument("Plan: target_width must be >= 1");
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

i64 Plan::in_dim() const {
  if (ops_.empty()) throw std::logic_error("Plan: no ops yet (in_dim/out_dim are undefined)");
  return ops_.front().in_dim;
}
i64 Plan::out_dim() const {
  if (ops_.empty()) throw std::logic_error("Plan: no ops yet (in_dim/out_dim are undefined)");
  return ops_.back().out_dim;
}
i64 Plan::param_size(int id) const {
  if (id < 0 || id >= (int)pspecs_.size())
    throw std::out_of_range("Plan: no parameter " + std::to_string(id) + " (the plan has " +
                            std::to_string(pspecs_.size()) + ")");
  return pspecs_[id].size;
}

void Plan::require_finalized(const char* what) const {
  if (!finalized_)
    throw std::logic_error(std::string(what) + ": the plan is not finalized; call finalize() "
                           "first");
}

void Plan::check_targets(const char* what) const {
  require_finalized(what);
  const OpSpec& last = ops_.back();
  const i64 R = rows_per_sample(last);
  const bool sparse = cfg_.loss == (int)Loss::sparse_categorical_ce;
  // The loss reads R class ids (sparse) or out_dim values per sample; the metrics other
  // than the sparse ones read out_dim values per sample.
  if (cfg_.target_width != (sparse ? R : last.out_dim))
    throw std::invalid_argument(std::string(what) + ": target_width " +
                                std::to_string(cfg_.target_width) + " does not fit the loss "
                                "over outputs of " + std::to_string(last.out_dim) + " values");
  for (const MetricSpec& m : metrics_) {
    const Metric k = (Metric)m.kind;
    const bool sparse_metric = k == Metric::sparse_categorical_accuracy ||
                               k == Metric::sparse_top_k_categorical_accuracy;
    if (!sparse_metric && cfg_.target_width != last.out_dim)
      throw std::invalid_argument(std::string(what) + ": a metric of kind " +
                                  std::to_string(m.kind) + " needs targets as wide as the "
                                  "output (" + std::to_string(last.out_dim) + ")");
  }
}

float* Plan::param_ptr(int id) {
  require_finalized("Plan.param_view");  // the arenas and offsets exist from finalize on
  if (id < 0 || id >= (int)pspecs_.size()) throw std::out_of_range("Plan: param id");
  return (pspecs_[id].trainable ? params_.data() : fixed_.data()) + poff_[id];
}
float* Plan::grad_ptr(int id) {
  require_finalized("Plan.grad_view");
  if (id < 0 || id >= (int)pspecs_.size()) throw std::out_of_range("Plan: param id");
  return pspecs_[id].trainable ? grads_.data() + poff_[id] : nullptr;
}
float* Plan::slot_ptr(int id, int s) {
  require_finalized("Plan.slot_view");
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
  // metric values: one per output row (R rows per sample for a per-timestep output)
  need(N * in0); need(N * tw); need(N); need(N * max_dim_); need(N * max_dim_);
  need(N * rows_per_sample(ops_.back()));
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

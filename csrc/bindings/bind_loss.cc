// Python bindings of the losses:
//   loss_forward_backward(loss, pred, target, sample_weight=None, from_logits=False,
//       label_smoothing=0.0, delta=1.0, grad_scale=1.0, want_grad=True, out=None)
//     -> (value, dpred | None)
//   value = sum_i sw_i * loss_i (float; divide by N for Keras's sum_over_batch_size),
//   dpred = grad_scale * d value / d pred. loss_forward_backward_ref: the scalar oracle.
//   LOSSES: {name: id}, with Keras's long names as aliases.
// pred (N, K); target (N, K), or (N,) / (N, 1) class ids for sparse CE.
#include <cmath>
#include <string>

#include "bindings/bindings.h"
#include "bindings/float_arrays.h"
#include "kerasette/loss.h"

namespace py = pybind11;
namespace ks {
namespace {
using bind::f32array;

const char* const kLossNames[] = {
    "mse", "mae",   "huber",  "binary_ce", "categorical_ce", "sparse_categorical_ce",
    "kld", "hinge", "poisson"};
static_assert(sizeof(kLossNames) / sizeof(kLossNames[0]) == (size_t)Loss::count_, "names");

py::dict loss_names() {
  py::dict d;
  for (int i = 0; i < (int)Loss::count_; ++i) d[kLossNames[i]] = i;
  d["mean_squared_error"] = (int)Loss::mse;
  d["mean_absolute_error"] = (int)Loss::mae;
  d["binary_crossentropy"] = (int)Loss::binary_ce;
  d["categorical_crossentropy"] = (int)Loss::categorical_ce;
  d["sparse_categorical_crossentropy"] = (int)Loss::sparse_categorical_ce;
  d["kl_divergence"] = (int)Loss::kld;
  return d;
}

using LossFn = double (*)(Loss, const LossParams&, const float*, const float*, const float*, float*,
                          float, i64, i64);

py::tuple run(LossFn fn, py::handle lo, py::handle predo, py::handle targeto, py::handle swo,
              bool from_logits, py::handle lso, py::handle deltao, py::handle gso, bool want_grad,
              py::handle outo) {
  static py::dict* names = new py::dict(loss_names());  // leaked: outlives interpreter teardown
  Loss l = (Loss)bind::enum_arg(lo, *names, (int)Loss::count_, "loss");
  LossParams p;
  p.from_logits = from_logits;
  p.label_smoothing = bind::float_arg(lso, "label_smoothing");
  p.delta = bind::float_arg(deltao, "delta");
  float gs = bind::float_arg(gso, "grad_scale");
  const bool ce =
      l == Loss::binary_ce || l == Loss::categorical_ce || l == Loss::sparse_categorical_ce;
  if (from_logits && !ce)
    throw py::value_error(std::string("from_logits applies to the cross-entropies only, not '") +
                          kLossNames[(int)l] + "'");
  if (p.label_smoothing != 0.0f && l != Loss::binary_ce && l != Loss::categorical_ce)
    throw py::value_error(
        std::string("label_smoothing applies to binary/categorical CE only, not '") +
        kLossNames[(int)l] + "'");
  if (!(p.label_smoothing >= 0.0f && p.label_smoothing <= 1.0f))
    throw py::value_error("label_smoothing must be in [0, 1], got " +
                          std::to_string(p.label_smoothing));

  f32array pred = bind::as_f32(predo, "pred");
  if (pred.ndim() != 2)
    throw py::value_error("`pred` must be 2-D (batch, classes), got shape " +
                          bind::shape_str(pred));
  const i64 N = pred.shape(0), K = pred.shape(1);
  if (K == 0 && N > 0)
    throw py::value_error("`pred` must have at least one column, got shape " +
                          bind::shape_str(pred));
  f32array target = bind::as_f32(targeto, "target");
  if (l == Loss::sparse_categorical_ce) {
    bool ok = (target.ndim() == 1 && target.shape(0) == N) ||
              (target.ndim() == 2 && target.shape(0) == N && target.shape(1) == 1);
    if (!ok)
      throw py::value_error("sparse CE `target` must be class ids of shape (" + std::to_string(N) +
                            ",) or (" + std::to_string(N) + ", 1), got " + bind::shape_str(target));
    const float* t = target.data();
    for (i64 i = 0; i < N; ++i) {
      float v = t[i];
      if (!(v > -1.0f && v < (float)K) || (i64)v < 0)
        throw py::value_error("sparse CE class id " + std::to_string(v) + " at row " +
                              std::to_string(i) + " is not in [0, " + std::to_string(K) + ")");
    }
  } else {
    bind::require_same_shape(target, "target", pred, "pred");
  }
  f32array sw;
  bool has_sw = !swo.is_none();
  if (has_sw) {
    sw = bind::as_f32(swo, "sample_weight");
    bool ok = (sw.ndim() == 1 && sw.shape(0) == N) ||
              (sw.ndim() == 2 && sw.shape(0) == N && sw.shape(1) == 1);
    if (!ok)
      throw py::value_error("`sample_weight` must have shape (" + std::to_string(N) + ",), got " +
                            bind::shape_str(sw));
  }
  f32array out;
  if (want_grad) {
    out = outo.is_none() ? f32array(std::vector<py::ssize_t>{(py::ssize_t)N, (py::ssize_t)K})
                         : bind::as_out(outo, "out", pred);
    bind::require_no_partial_overlap(out, pred, "out", "pred");
    bind::require_no_partial_overlap(out, target, "out", "target");
    if (has_sw) bind::require_no_partial_overlap(out, sw, "out", "sample_weight");
  }
  const float* pp = pred.data();
  const float* tp = target.data();
  const float* swp = has_sw ? sw.data() : nullptr;
  float* dp = want_grad ? out.mutable_data() : nullptr;
  double v;
  {
    py::gil_scoped_release nogil;
    v = fn(l, p, pp, tp, swp, dp, gs, N, K);
  }
  return py::make_tuple(v, want_grad ? py::object(out) : py::object(py::none()));
}

}  // namespace

void bind_loss(py::module_& m) {
  m.attr("LOSSES") = loss_names();
  auto doc =
      "(value, dpred): value = sum_i sample_weight_i * loss_i with Keras 3's per-sample\n"
      "losses (divide by N for sum_over_batch_size); dpred = grad_scale * dvalue/dpred\n"
      "(None when want_grad=False). pred (N, K); target like pred, or (N,) class ids for\n"
      "sparse CE; sample_weight (N,). out: optional float32 (N, K) array for dpred.";
  auto def = [&](const char* name, LossFn fn, const char* d) {
    m.def(
        name,
        [fn](py::object loss, py::object pred, py::object target, py::object sw, bool from_logits,
             py::object ls, py::object delta, py::object gs, bool want_grad, py::object out) {
          return run(fn, loss, pred, target, sw, from_logits, ls, delta, gs, want_grad, out);
        },
        py::arg("loss"), py::arg("pred"), py::arg("target"), py::arg("sample_weight") = py::none(),
        py::arg("from_logits") = false, py::arg("label_smoothing") = 0.0, py::arg("delta") = 1.0,
        py::arg("grad_scale") = 1.0, py::arg("want_grad") = true, py::arg("out") = py::none(), d);
  };
  def("loss_forward_backward", loss_forward_backward, doc);
  def("loss_forward_backward_ref", loss_forward_backward_ref,
      "Scalar double-precision reference of loss_forward_backward (the test oracle).");
}

}  // namespace ks

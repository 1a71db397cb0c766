// pybind11 plumbing for the Plan runtime: converts and validates arrays, releases the
// GIL (holding the plan's own mutex instead) and calls runtime/. No numeric logic here.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "bindings/bindings.h"
#include "kerasette/data_ops.h"
#include "runtime/plan.h"

namespace py = pybind11;

namespace ks {
namespace {

using F32 = py::array_t<float, py::array::c_style | py::array::forcecast>;
using I64 = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>;

std::string shape_str(const py::array& a) {
  std::string s = "(";
  for (py::ssize_t i = 0; i < a.ndim(); ++i) s += (i ? ", " : "") + std::to_string(a.shape(i));
  return s + (a.ndim() == 1 ? ",)" : ")");
}

// x must be (N, width); returns N.
i64 check_rows(const F32& x, i64 width, const char* what) {
  if (x.ndim() != 2 || x.shape(1) != width)
    throw py::value_error(std::string(what) + " expects shape (None, " + std::to_string(width) +
                          "), got " + shape_str(x));
  return x.shape(0);
}

const float* opt_sw(const py::object& sw, i64 n, F32& keep) {
  if (sw.is_none()) return nullptr;
  keep = sw.cast<F32>();
  if (keep.ndim() != 1 || keep.shape(0) != n)
    throw py::value_error("sample_weight expects shape (" + std::to_string(n) + ",), got " +
                          shape_str(keep));
  return keep.data();
}

// Integer indices as int64; a float/bool/object array is refused (forcecast would
// truncate 2.7 to 2 silently).
I64 int_indices(const py::object& obj, const char* what) {
  py::array a = py::array::ensure(obj);
  if (!a) throw py::type_error(std::string(what) + ": indices must be an array of integers");
  const char k = a.dtype().kind();
  if (k != 'i' && k != 'u' && !(a.size() == 0 && k == 'f'))
    throw py::type_error(std::string(what) + ": indices must be integers, got dtype " +
                         std::string(py::str(a.dtype())));
  return a.cast<I64>();
}

void check_lr(float lr, i64 iteration) {
  if (!std::isfinite(lr))
    throw py::value_error("learning rate must be finite, got " + std::to_string(lr));
  if (iteration < 0) throw py::value_error("iteration must be >= 0");
}

py::object view(py::object self, float* p, i64 n) {
  if (!p) return py::none();
  return py::array_t<float>({(py::ssize_t)n}, {(py::ssize_t)sizeof(float)}, p, self);
}

}  // namespace

void bind_plan(py::module_& m) {
  py::class_<OpSpec>(m, "OpSpec")
      .def(py::init<>())
      .def_readwrite("kind", &OpSpec::kind)
      .def_readwrite("in_dim", &OpSpec::in_dim)
      .def_readwrite("out_dim", &OpSpec::out_dim)
      .def_readwrite("channels", &OpSpec::channels)
      .def_readwrite("act", &OpSpec::act)
      .def_readwrite("act_param", &OpSpec::act_param)
      .def_readwrite("rate", &OpSpec::rate)
      .def_readwrite("epsilon", &OpSpec::epsilon)
      .def_readwrite("momentum", &OpSpec::momentum)
      .def_readwrite("invert", &OpSpec::invert)
      .def_readwrite("frozen", &OpSpec::frozen)
      .def_readwrite("seed", &OpSpec::seed)
      .def_readwrite("act_l1", &OpSpec::act_l1)
      .def_readwrite("act_l2", &OpSpec::act_l2)
      .def_readwrite("params", &OpSpec::params)
      .def_readwrite("df_dense", &OpSpec::df_dense)
      .def_readwrite("df_nids", &OpSpec::df_nids)
      .def_readwrite("df_vocab", &OpSpec::df_vocab)
      .def_readwrite("df_dim", &OpSpec::df_dim)
      .def_readwrite("df_combiner", &OpSpec::df_combiner);

  py::class_<ParamSpec>(m, "ParamSpec")
      .def(py::init<>())
      .def_readwrite("size", &ParamSpec::size)
      .def_readwrite("trainable", &ParamSpec::trainable)
      .def_readwrite("l1", &ParamSpec::l1)
      .def_readwrite("l2", &ParamSpec::l2)
      .def_readwrite("constraint", &ParamSpec::constraint)
      .def_readwrite("c_outer", &ParamSpec::c_outer)
      .def_readwrite("c_len", &ParamSpec::c_len)
      .def_readwrite("c_inner", &ParamSpec::c_inner)
      .def_readwrite("c_min", &ParamSpec::c_min)
      .def_readwrite("c_max", &ParamSpec::c_max)
      .def_readwrite("c_rate", &ParamSpec::c_rate);

  py::class_<MetricSpec>(m, "MetricSpec")
      .def(py::init<>())
      .def_readwrite("kind", &MetricSpec::kind)
      .def_readwrite("k", &MetricSpec::k)
      .def_readwrite("threshold", &MetricSpec::threshold)
      .def_readwrite("weighted", &MetricSpec::weighted);

  // TrainConfig with LossParams/OptParams flattened into Python attributes.
  py::class_<TrainConfig>(m, "TrainConfig")
      .def(py::init<>())
      .def_readwrite("loss", &TrainConfig::loss)
      .def_property("from_logits", [](const TrainConfig& c) { return c.loss_params.from_logits; },
                    [](TrainConfig& c, bool v) { c.loss_params.from_logits = v; })
      .def_property("label_smoothing", [](const TrainConfig& c) { return c.loss_params.label_smoothing; },
                    [](TrainConfig& c, float v) { c.loss_params.label_smoothing = v; })
      .def_property("delta", [](const TrainConfig& c) { return c.loss_params.delta; },
                    [](TrainConfig& c, float v) { c.loss_params.delta = v; })
      .def_readwrite("loss_weight", &TrainConfig::loss_weight)
      .def_readwrite("target_width", &TrainConfig::target_width)
      .def_readwrite("optimizer", &TrainConfig::optimizer)
      .def_readwrite("clipnorm", &TrainConfig::clipnorm)
      .def_readwrite("clipvalue", &TrainConfig::clipvalue)
      .def_readwrite("global_clipnorm", &TrainConfig::global_clipnorm)
      .def_readwrite("seed", &TrainConfig::seed)
#define KS_OPT_FIELD(name) \
  .def_property(#name, [](const TrainConfig& c) { return c.opt.name; }, \
                [](TrainConfig& c, decltype(OptParams::name) v) { c.opt.name = v; })
      KS_OPT_FIELD(learning_rate) KS_OPT_FIELD(beta_1) KS_OPT_FIELD(beta_2)
      KS_OPT_FIELD(epsilon) KS_OPT_FIELD(momentum) KS_OPT_FIELD(rho)
      KS_OPT_FIELD(weight_decay) KS_OPT_FIELD(nesterov) KS_OPT_FIELD(amsgrad)
      KS_OPT_FIELD(centered) KS_OPT_FIELD(initial_accumulator_value);
#undef KS_OPT_FIELD

  py::class_<Plan>(m, "Plan")
      .def(py::init<>())
      .def("add_param", &Plan::add_param)
      .def("add_op", &Plan::add_op)
      .def("add_metric", &Plan::add_metric)
      .def("configure", &Plan::configure)
      .def("finalize", &Plan::finalize)
      .def_property_readonly("num_slots", &Plan::num_slots)
      .def_property_readonly("fused", &Plan::fused)
      .def_property_readonly("in_dim", &Plan::in_dim)
      .def_property_readonly("out_dim", &Plan::out_dim)
      .def_property("rng_step", [](Plan& p) { return p.rng_step(); },
                    [](Plan& p, std::uint64_t v) { p.rng_step() = v; })
      .def_property("opt_state", [](Plan& p) { return p.opt_state(); },
                    [](Plan& p, double v) { p.opt_state() = v; })
      // fn(grads) on every training step, grads a float32 view of the gradient arena valid
      // only during the call (kerasette.distribute); None removes it.
      .def("set_grad_hook", [](Plan& p, py::object fn) {
        if (fn.is_none()) { p.grad_hook = nullptr; return; }
        if (!PyCallable_Check(fn.ptr()))
          throw py::type_error("set_grad_hook expects a callable or None");
        p.grad_hook = [fn](float* g, i64 n) {
          py::gil_scoped_acquire gil;
          fn(py::array_t<float>({(py::ssize_t)n}, {(py::ssize_t)sizeof(float)}, g,
                                py::capsule(g, [](void*) {})));
        };
      })
      // Checked in this order: finalized, then the id (a view needs the arena offsets).
      .def("param_view", [](py::object self, int id) {
        Plan& p = self.cast<Plan&>();
        p.require_finalized("Plan.param_view");
        const i64 n = p.param_size(id);
        return view(self, p.param_ptr(id), n);
      })
      .def("grad_view", [](py::object self, int id) {
        Plan& p = self.cast<Plan&>();
        p.require_finalized("Plan.grad_view");
        const i64 n = p.param_size(id);
        return view(self, p.grad_ptr(id), n);
      })
      .def("slot_view", [](py::object self, int id, int s) {
        Plan& p = self.cast<Plan&>();
        p.require_finalized("Plan.slot_view");
        const i64 n = p.param_size(id);
        return view(self, p.slot_ptr(id, s), n);
      })
      .def("predict", [](Plan& p, const F32& x, i64 batch_size, bool check_finite) {
        p.require_finalized("Plan.predict");
        const i64 n = check_rows(x, p.in_dim(), "Plan.predict");
        if (batch_size <= 0) throw py::value_error("batch_size must be positive");
        batch_size = std::min(batch_size, std::max<i64>(n, 1));  // no overflow in s += batch
        py::array_t<float> out({(py::ssize_t)n, (py::ssize_t)p.out_dim()});
        if (n == 0) return out;
        const float* xp = x.data();
        float* op = out.mutable_data();
        py::gil_scoped_release nogil;
        std::lock_guard<std::mutex> lock(p.mutex());
        p.predict(xp, n, batch_size, op, check_finite);
        return out;
      }, py::arg("x"), py::arg("batch_size") = 1 << 30, py::arg("check_finite") = false,
      "Forward in batches into a new (n, out_dim) array. check_finite: each batch is checked\n"
      "for NaN/inf just before its forward (ValueError; nothing is changed by predict).")
      .def("forward_train", [](Plan& p, const F32& x) {
        p.require_finalized("Plan.forward_train");
        const i64 n = check_rows(x, p.in_dim(), "Plan.forward_train");
        py::array_t<float> out({(py::ssize_t)n, (py::ssize_t)p.out_dim()});
        if (n == 0) return out;
        float* op = out.mutable_data();
        const float* xp = x.data();
        py::gil_scoped_release nogil;
        std::lock_guard<std::mutex> lock(p.mutex());
        const float* y = p.forward_train(xp, n);
        std::memcpy(op, y, sizeof(float) * n * p.out_dim());
        return out;
      })
      .def("train_batch", [](Plan& p, const F32& x, const F32& y, const py::object& sw, float lr,
                             i64 iteration) {
        p.check_targets("Plan.train_batch");
        check_lr(lr, iteration);
        const i64 n = check_rows(x, p.in_dim(), "Plan.train_batch");
        if (check_rows(y, p.config().target_width, "Plan.train_batch targets") != n || n == 0)
          throw py::value_error("x and y must have the same, non-zero number of rows");
        F32 swk;
        const float* swp = opt_sw(sw, n, swk);
        py::gil_scoped_release nogil;
        std::lock_guard<std::mutex> lock(p.mutex());
        return p.train_step(x.data(), y.data(), swp, n, lr, iteration);
      })
      .def("test_batch", [](Plan& p, const F32& x, const F32& y, const py::object& sw) {
        p.check_targets("Plan.test_batch");
        const i64 n = check_rows(x, p.in_dim(), "Plan.test_batch");
        if (check_rows(y, p.config().target_width, "Plan.test_batch targets") != n || n == 0)
          throw py::value_error("x and y must have the same, non-zero number of rows");
        F32 swk;
        const float* swp = opt_sw(sw, n, swk);
        py::gil_scoped_release nogil;
        std::lock_guard<std::mutex> lock(p.mutex());
        return p.test_step(x.data(), y.data(), swp, n);
      })
      .def("train_batches", [](Plan& p, const F32& X, const F32& Y, const py::object& sw,
                               const py::object& idx, i64 batch_size, i64 first_batch,
                               const F32& lrs, i64 first_iteration) {
        p.check_targets("Plan.train_batches");
        const i64 n = check_rows(X, p.in_dim(), "Plan.train_batches");
        if (check_rows(Y, p.config().target_width, "Plan.train_batches targets") != n || n == 0)
          throw py::value_error("x and y must have the same, non-zero number of rows");
        if (batch_size <= 0 || first_batch < 0) throw py::value_error("bad batch range");
        if (first_batch > n) throw py::value_error("first_batch is past the end of the epoch");
        batch_size = std::min(batch_size, n);  // same batches; keeps (batch * size) in range
        if (lrs.ndim() != 1) throw py::value_error("lrs must be one learning rate per step");
        for (i64 b = 0; b < lrs.size(); ++b) check_lr(lrs.data()[b], first_iteration);
        F32 swk;
        const float* swp = opt_sw(sw, n, swk);
        I64 idxk;
        const std::int64_t* ip = nullptr;
        if (!idx.is_none()) {
          idxk = int_indices(idx, "Plan.train_batches");
          if (idxk.ndim() != 1 || idxk.shape(0) != n)
            throw py::value_error("index array must have one entry per row");
          ip = idxk.data();
          for (i64 i = 0; i < n; ++i)
            if (ip[i] < 0 || ip[i] >= n) throw py::value_error("index out of range");
        }
        const i64 nb = lrs.size();
        py::gil_scoped_release nogil;
        std::lock_guard<std::mutex> lock(p.mutex());
        p.train_batches(X.data(), Y.data(), swp, ip, n, batch_size, first_batch, nb, lrs.data(),
                        first_iteration);
      })
      .def("test_batches", [](Plan& p, const F32& X, const F32& Y, const py::object& sw,
                              i64 batch_size) {
        p.check_targets("Plan.test_batches");
        const i64 n = check_rows(X, p.in_dim(), "Plan.test_batches");
        if (check_rows(Y, p.config().target_width, "Plan.test_batches targets") != n || n == 0)
          throw py::value_error("x and y must have the same, non-zero number of rows");
        if (batch_size <= 0) throw py::value_error("batch_size must be positive");
        batch_size = std::min(batch_size, n);  // no overflow in s += batch
        F32 swk;
        const float* swp = opt_sw(sw, n, swk);
        py::gil_scoped_release nogil;
        std::lock_guard<std::mutex> lock(p.mutex());
        p.test_batches(X.data(), Y.data(), swp, n, batch_size);
      })
      .def("last_output", [](Plan& p) {
        p.require_finalized("Plan.last_output");
        py::array_t<float> out({(py::ssize_t)p.last_rows(), (py::ssize_t)p.out_dim()});
        if (p.last_rows() > 0)
          std::memcpy(out.mutable_data(), p.last_output(), sizeof(float) * p.last_rows() * p.out_dim());
        return out;
      })
      .def("reset_metrics", &Plan::reset_metrics)
      .def("loss_result", &Plan::loss_result)
      .def("metric_results", &Plan::metric_results);

  m.def("all_finite", [](const F32& x) {
    const float* p = x.data();
    const i64 n = x.size();
    py::gil_scoped_release nogil;
    return all_finite(p, n);
  }, "True when a float32 array holds no NaN/inf (no temporary array, unlike numpy).");

  m.def("gather_rows", [](const F32& src, const py::object& idx_obj) {
    const I64 idx = int_indices(idx_obj, "gather_rows");
    if (src.ndim() != 2 || idx.ndim() != 1)
      throw py::value_error("gather_rows expects src of shape (n, width) and idx of shape (m,)");
    const i64 n = src.shape(0), w = src.shape(1), m = idx.shape(0);
    const std::int64_t* ip = idx.data();
    for (i64 r = 0; r < m; ++r)
      if (ip[r] < 0 || ip[r] >= n)
        throw py::index_error("gather_rows: index " + std::to_string(ip[r]) +
                              " is out of range for " + std::to_string(n) + " rows");
    py::array_t<float> out({(py::ssize_t)m, (py::ssize_t)w});
    float* op = out.mutable_data();
    const float* sp = src.data();
    py::gil_scoped_release nogil;
    gather_rows(op, sp, ip, m, w);
    return out;
  }, "src[idx] for a float32 matrix: the batch gather of the shuffled epoch loop.");

  m.def("permutation", [](i64 n, std::uint64_t seed, std::uint64_t stream) {
    if (n < 0) throw py::value_error("permutation: n must be >= 0");
    I64 out(n);
    rng_permutation(seed, stream, out.mutable_data(), n);
    return out;
  }, "Seeded Fisher-Yates permutation of range(n) (counter-based RNG).");

  py::dict enums;
  enums["ops"] = py::dict(py::arg("dense") = 0, py::arg("activation") = 1, py::arg("dropout") = 2,
                          py::arg("batchnorm") = 3, py::arg("layernorm") = 4,
                          py::arg("embedding") = 5, py::arg("normalization") = 6,
                          py::arg("dense_features") = 7);
  enums["metrics"] = py::dict(
      py::arg("binary_accuracy") = (int)Metric::binary_accuracy,
      py::arg("categorical_accuracy") = (int)Metric::categorical_accuracy,
      py::arg("sparse_categorical_accuracy") = (int)Metric::sparse_categorical_accuracy,
      py::arg("top_k_categorical_accuracy") = (int)Metric::top_k_categorical_accuracy,
      py::arg("sparse_top_k_categorical_accuracy") = (int)Metric::sparse_top_k_categorical_accuracy,
      py::arg("mean_squared_error") = (int)Metric::mse,
      py::arg("mean_absolute_error") = (int)Metric::mae);
  enums["constraints"] = py::dict(py::arg("max_norm") = 1, py::arg("non_neg") = 2,
                                  py::arg("unit_norm") = 3, py::arg("min_max_norm") = 4);
  m.attr("PLAN_ENUMS") = enums;
}

}  // namespace ks

// Python bindings of the optimizer updates:
//   optimizer_update(opt, step, param, grad, slots, state=None, **hyper) -> state
//     updates param and slots in place (float32 C-contiguous, writable, param's shape);
//     grad: any real numeric array of param's shape. step is 1-based (Keras iterations+1).
//     state: Nadam's u_product before this step (None: recomputed from step); the value
//     after the step is returned (1.0 for the other optimizers).
//   optimizer_update_ref: the scalar oracle.  optimizer_num_slots(opt, **hyper),
//   optimizer_init_slots(opt, slots, **hyper), OPTIMIZERS: {name: id},
//   OPTIMIZER_SLOTS: {name: [slot role, ...]} (Keras's variable names, in slot order).
// hyper: learning_rate, beta_1, beta_2, epsilon, momentum, rho, weight_decay, nesterov,
//   amsgrad, centered, initial_accumulator_value, the Ftrl ones (learning_rate_power,
//   l1_/l2_/l2_shrinkage_regularization_strength, beta), and Lamb's `segments` (the sizes
//   of the variables in the flat buffer; default one); None/missing = Keras's default.
#include <cmath>
#include <string>
#include <vector>

#include "bindings/bindings.h"
#include "bindings/float_arrays.h"
#include "kerasette/optimizer.h"

namespace py = pybind11;
namespace ks {
namespace {
using bind::f32array;

const char* const kOptNames[] = {"sgd",   "adam",   "adamw", "rmsprop", "adagrad", "adadelta",
                                 "nadam", "adamax", "ftrl",  "lion",    "lamb"};
static_assert(sizeof(kOptNames) / sizeof(kOptNames[0]) == (size_t)Opt::count_, "names");

py::dict opt_names() {
  py::dict d;
  for (int i = 0; i < (int)Opt::count_; ++i) d[kOptNames[i]] = i;
  return d;
}

Opt opt_arg(py::handle v) {
  static py::dict* names = new py::dict(opt_names());  // leaked: outlives interpreter teardown
  return (Opt)bind::enum_arg(v, *names, (int)Opt::count_, "optimizer");
}

// Keras 3 constructor defaults per optimizer, then the caller's overrides.
OptParams params_from(Opt o, const py::kwargs& kw) {
  OptParams p;
  p.learning_rate = o == Opt::sgd ? 0.01f : 0.001f;
  p.rho = o == Opt::adadelta ? 0.95f : 0.9f;
  p.weight_decay = o == Opt::adamw ? 0.004f : 0.0f;
  if (o == Opt::lion) p.beta_2 = 0.99f;
  for (auto item : kw) {
    std::string k = py::str(item.first).cast<std::string>();
    py::handle v = item.second;
    if (v.is_none()) continue;
    auto flag = [&](bool& dst) {
      if (!py::isinstance<py::bool_>(v) && !py::isinstance<py::int_>(v))
        throw py::type_error("`" + k + "` must be a bool");
      dst = v.cast<bool>();
    };
    if (k == "learning_rate") p.learning_rate = bind::float_arg(v, "learning_rate");
    else if (k == "beta_1") p.beta_1 = bind::float_arg(v, "beta_1");
    else if (k == "beta_2") p.beta_2 = bind::float_arg(v, "beta_2");
    else if (k == "epsilon") p.epsilon = bind::float_arg(v, "epsilon");
    else if (k == "momentum") p.momentum = bind::float_arg(v, "momentum");
    else if (k == "rho") p.rho = bind::float_arg(v, "rho");
    else if (k == "weight_decay") p.weight_decay = bind::float_arg(v, "weight_decay");
    else if (k == "initial_accumulator_value")
      p.initial_accumulator_value = bind::float_arg(v, "initial_accumulator_value");
    else if (k == "learning_rate_power") p.lr_power = bind::float_arg(v, "learning_rate_power");
    else if (k == "l1_regularization_strength") p.l1 = bind::float_arg(v, k.c_str());
    else if (k == "l2_regularization_strength") p.l2 = bind::float_arg(v, k.c_str());
    else if (k == "l2_shrinkage_regularization_strength")
      p.l2_shrinkage = bind::float_arg(v, k.c_str());
    else if (k == "beta") p.ftrl_beta = bind::float_arg(v, "beta");
    else if (k == "segments") continue;  // lamb's variable sizes: read by update()
    else if (k == "nesterov") flag(p.nesterov);
    else if (k == "amsgrad") flag(p.amsgrad);
    else if (k == "centered") flag(p.centered);
    else throw py::type_error("unexpected optimizer hyperparameter `" + k + "`");
  }
  return p;
}

// The slot arrays, validated: a list of num_slots writable float32 arrays shaped like `like`.
std::vector<f32array> slot_arrays(Opt o, const OptParams& p, py::handle slotso,
                                  const py::array& like) {
  int ns = optimizer_num_slots(o, p);
  if (!py::isinstance<py::list>(slotso) && !py::isinstance<py::tuple>(slotso))
    throw py::type_error("`slots` must be a list of float32 arrays");
  py::sequence seq = py::reinterpret_borrow<py::sequence>(slotso);
  if ((int)py::len(seq) != ns)
    throw py::value_error(std::string("optimizer '") + kOptNames[(int)o] +
                          "' with these settings needs " + std::to_string(ns) +
                          " slot arrays, got " + std::to_string(py::len(seq)));
  std::vector<f32array> out;
  for (int s = 0; s < ns; ++s) {
    std::string name = "slots[" + std::to_string(s) + "]";
    out.push_back(bind::as_out(seq[s], name.c_str(), like));
  }
  return out;
}

// No two buffers the update writes (or reads while writing) may share memory.
void require_disjoint(const std::vector<std::pair<py::array, std::string>>& bufs) {
  for (size_t i = 0; i < bufs.size(); ++i)
    for (size_t j = i + 1; j < bufs.size(); ++j) {
      const py::array &a = bufs[i].first, &b = bufs[j].first;
      if (a.size() == 0 || b.size() == 0) continue;
      auto a0 = reinterpret_cast<std::uintptr_t>(a.data()), a1 = a0 + a.nbytes();
      auto b0 = reinterpret_cast<std::uintptr_t>(b.data()), b1 = b0 + b.nbytes();
      if (a0 < b1 && b0 < a1)
        throw py::value_error("`" + bufs[i].second + "` and `" + bufs[j].second +
                              "` share memory; each must be its own buffer");
    }
}

// Nadam's u_product after steps 1..step-1 (what Keras holds before step `step`).
double nadam_product_before(const OptParams& p, i64 step) {
  double prod = 1.0;
  OptParams q = p;
  for (i64 s = 1; s < step; ++s) optimizer_prepare_step(Opt::nadam, q, s, &prod);
  return prod;
}

using UpdFn = void (*)(Opt, const OptParams&, i64, float*, const float*, float* const*, i64);

double update(UpdFn fn, py::handle oo, py::handle stepo, py::handle paramo, py::handle grado,
              py::handle slotso, py::handle stateo, const py::kwargs& kw) {
  Opt o = opt_arg(oo);
  OptParams p = params_from(o, kw);
  if (py::isinstance<py::bool_>(stepo) || !py::isinstance<py::int_>(stepo))
    throw py::type_error("`step` must be an int (1-based iteration)");
  long long step;
  try {
    step = stepo.cast<long long>();
  } catch (const py::cast_error&) { throw py::value_error("`step` out of range"); }
  if (step < 1 || step > (1LL << 40))
    throw py::value_error("`step` must be >= 1 (1-based), got " + std::to_string(step));
  if (!py::isinstance<py::array>(paramo))
    throw py::value_error("`param` must be a numpy float32 array (updated in place)");
  py::array like = py::reinterpret_borrow<py::array>(paramo);
  f32array param = bind::as_out(paramo, "param", like);
  f32array grad = bind::as_f32(grado, "grad");
  bind::require_same_shape(grad, "grad", param, "param");
  std::vector<f32array> slots = slot_arrays(o, p, slotso, param);
  std::vector<std::pair<py::array, std::string>> bufs{{param, "param"}, {grad, "grad"}};
  for (size_t s = 0; s < slots.size(); ++s)
    bufs.push_back({slots[s], "slots[" + std::to_string(s) + "]"});
  require_disjoint(bufs);
  double state = 1.0;
  if (o == Opt::nadam && step > 100000 && stateo.is_none())
    throw py::value_error("pass `state` (Nadam's u_product) for steps beyond 100000");
  if (o == Opt::nadam)
    state = stateo.is_none() ? nadam_product_before(p, step) : bind::float_arg(stateo, "state");
  // Lamb's per-variable sizes (its trust ratio is per variable): positive ints summing to n.
  std::vector<i64> segs;
  if (kw.contains("segments") && !kw["segments"].is_none()) {
    if (o != Opt::lamb) throw py::type_error("`segments` is only for lamb");
    py::handle so = kw["segments"];
    if (!py::isinstance<py::list>(so) && !py::isinstance<py::tuple>(so))
      throw py::type_error("`segments` must be a list of ints");
    i64 total = 0;
    for (py::handle h : py::reinterpret_borrow<py::sequence>(so)) {
      if (py::isinstance<py::bool_>(h) || !py::isinstance<py::int_>(h))
        throw py::type_error("`segments` must hold ints");
      long long len = h.cast<long long>();
      if (len <= 0 || len > (long long)param.size())
        throw py::value_error("each segment must be in [1, param.size]");
      segs.push_back(len);
      total += len;
    }
    if (total != (i64)param.size())
      throw py::value_error("`segments` must sum to param.size (" + std::to_string(param.size()) +
                            "), got " + std::to_string(total));
    p.segments = segs.data();
    p.n_segments = (i64)segs.size();
  }
  optimizer_prepare_step(o, p, step, &state);
  std::vector<float*> sp;
  for (auto& s : slots) sp.push_back(s.mutable_data());
  float* pp = param.mutable_data();
  const float* gp = grad.data();
  const i64 n = param.size();
  {
    py::gil_scoped_release nogil;
    fn(o, p, step, pp, gp, sp.data(), n);
  }
  return state;
}

}  // namespace

void bind_optimizer(py::module_& m) {
  m.attr("OPTIMIZERS") = opt_names();
  py::dict roles;
  roles["sgd"] = py::make_tuple("momentum");
  roles["adam"] = py::make_tuple("momentum", "velocity", "velocity_hat");
  roles["adamw"] = py::make_tuple("momentum", "velocity", "velocity_hat");
  roles["rmsprop"] = py::make_tuple("velocity", "momentum", "average_gradient");
  roles["adagrad"] = py::make_tuple("accumulator");
  roles["adadelta"] = py::make_tuple("accumulated_grad", "accumulated_delta_var");
  roles["nadam"] = py::make_tuple("momentum", "velocity");
  roles["adamax"] = py::make_tuple("momentum", "norm");
  roles["ftrl"] = py::make_tuple("accumulator", "linear");
  roles["lion"] = py::make_tuple("momentum");
  roles["lamb"] = py::make_tuple("momentum", "velocity");
  m.attr("OPTIMIZER_SLOTS") = roles;  // roles in slot order; optional ones only when enabled

  auto doc =
      "Update param and slots in place by one Keras 3 optimizer step; returns the optimizer\n"
      "state after the step (Nadam's u_product; 1.0 otherwise).";
  m.def(
      "optimizer_update",
      [](py::object o, py::object step, py::object param, py::object grad, py::object slots,
         py::object state, py::kwargs kw) {
        return update(optimizer_update, o, step, param, grad, slots, state, kw);
      },
      py::arg("opt"), py::arg("step"), py::arg("param"), py::arg("grad"), py::arg("slots"),
      py::arg("state") = py::none(), doc);
  m.def(
      "optimizer_update_ref",
      [](py::object o, py::object step, py::object param, py::object grad, py::object slots,
         py::object state, py::kwargs kw) {
        return update(optimizer_update_ref, o, step, param, grad, slots, state, kw);
      },
      py::arg("opt"), py::arg("step"), py::arg("param"), py::arg("grad"), py::arg("slots"),
      py::arg("state") = py::none(), "Scalar reference of optimizer_update (the test oracle).");
  m.def(
      "optimizer_num_slots",
      [](py::object o, py::kwargs kw) {
        Opt op = opt_arg(o);
        return optimizer_num_slots(op, params_from(op, kw));
      },
      py::arg("opt"), "How many slot arrays optimizer_update needs with these hyperparameters.");
  m.def(
      "optimizer_init_slots",
      [](py::object o, py::object slots, py::kwargs kw) {
        Opt op = opt_arg(o);
        OptParams p = params_from(op, kw);
        py::sequence seq = py::isinstance<py::list>(slots) || py::isinstance<py::tuple>(slots)
                               ? py::reinterpret_borrow<py::sequence>(slots)
                               : throw py::type_error("`slots` must be a list of float32 arrays");
        if (py::len(seq) == 0) {
          if (optimizer_num_slots(op, p) != 0) throw py::value_error("`slots` is empty");
          return;
        }
        if (!py::isinstance<py::array>(seq[0]))
          throw py::value_error("`slots[0]` must be a numpy float32 array");
        py::array like = py::reinterpret_borrow<py::array>(seq[0]);
        std::vector<f32array> arrs = slot_arrays(op, p, slots, like);
        std::vector<std::pair<py::array, std::string>> bufs;
        for (size_t s = 0; s < arrs.size(); ++s)
          bufs.push_back({arrs[s], "slots[" + std::to_string(s) + "]"});
        require_disjoint(bufs);
        std::vector<float*> sp;
        for (auto& s : arrs) sp.push_back(s.mutable_data());
        optimizer_init_slots(op, p, sp.data(), like.size());
      },
      py::arg("opt"), py::arg("slots"),
      "Write each slot's starting value (Adagrad: initial_accumulator_value).");
}

}  // namespace ks

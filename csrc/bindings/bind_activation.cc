// Python bindings of the activation kernels:
//   act_forward(x, activation, param=None, out=None) -> y
//   act_backward(x, y, dy, activation, param=None, out=None) -> dx
//   act_forward_ref / act_backward_ref (the scalar oracle), act_backward_needs_x(a),
//   ACTIVATIONS: {name: id}; ACTIVATION_DEFAULT_PARAMS: {name: Keras default param}.
// x/y/dy: any real numeric array-like (float32 C-contiguous is used without a copy);
// the last axis is the one softmax/log_softmax reduce over. param None = Keras's default
// (leaky_relu negative_slope 0.2, elu alpha 1.0).
#include "bindings/bindings.h"
#include "bindings/float_arrays.h"
#include "kerasette/activation.h"

namespace py = pybind11;
namespace ks {
namespace {
using bind::f32array;

const char* const kActNames[] = {"linear", "relu",    "leaky_relu",  "relu6",    "elu",
                                 "selu",   "gelu",    "gelu_tanh",   "sigmoid",  "hard_sigmoid",
                                 "tanh",   "softmax", "log_softmax", "softplus", "softsign",
                                 "silu",   "mish",    "exponential", "hard_silu"};
static_assert(sizeof(kActNames) / sizeof(kActNames[0]) == (size_t)Act::count_, "names");

py::dict act_names() {
  py::dict d;
  for (int i = 0; i < (int)Act::count_; ++i) d[kActNames[i]] = i;
  d["swish"] = (int)Act::silu;  // Keras aliases
  d["hard_swish"] = (int)Act::hard_silu;
  return d;
}

float default_param(Act a) { return a == Act::leaky_relu ? 0.2f : (a == Act::elu ? 1.0f : 0.0f); }

Act act_arg(py::handle v) {
  static py::dict* names = new py::dict(act_names());  // leaked: outlives interpreter teardown
  return (Act)bind::enum_arg(v, *names, (int)Act::count_, "activation");
}

float param_arg(Act a, py::handle p) {
  return p.is_none() ? default_param(a) : bind::float_arg(p, "param");
}

using FwdFn = void (*)(Act, float, const float*, float*, i64, i64);
using BwdFn = void (*)(Act, float, const float*, const float*, const float*, float*, i64, i64);

py::array forward(FwdFn fn, py::handle xo, py::handle ao, py::handle po, py::handle outo) {
  Act a = act_arg(ao);
  float p = param_arg(a, po);
  f32array x = bind::as_f32(xo, "x");
  f32array out = outo.is_none()
                     ? f32array(std::vector<py::ssize_t>(x.shape(), x.shape() + x.ndim()))
                     : bind::as_out(outo, "out", x);
  bind::require_no_partial_overlap(out, x, "out", "x");
  i64 rows, cols;
  bind::rows_cols(x, rows, cols);
  const float* xp = x.data();
  float* yp = out.mutable_data();
  {
    py::gil_scoped_release nogil;
    fn(a, p, xp, yp, rows, cols);
  }
  return out;
}

py::array backward(BwdFn fn, py::handle xo, py::handle yo, py::handle dyo, py::handle ao,
                   py::handle po, py::handle outo) {
  Act a = act_arg(ao);
  float p = param_arg(a, po);
  f32array dy = bind::as_f32(dyo, "dy");
  bool row_wise = a == Act::softmax || a == Act::log_softmax;
  bool need_x = act_backward_needs_x(a) && !row_wise;
  bool need_y = !act_backward_needs_x(a) && a != Act::linear;
  f32array x, y;
  if (need_x) {
    if (xo.is_none())
      throw py::value_error(std::string("activation '") + kActNames[(int)a] +
                            "' needs x (the pre-activation) for its derivative");
    x = bind::as_f32(xo, "x");
    bind::require_same_shape(x, "x", dy, "dy");
  }
  if (need_y) {
    if (yo.is_none())
      throw py::value_error(std::string("activation '") + kActNames[(int)a] +
                            "' needs y (the output) for its derivative");
    y = bind::as_f32(yo, "y");
    bind::require_same_shape(y, "y", dy, "dy");
  }
  f32array out = outo.is_none()
                     ? f32array(std::vector<py::ssize_t>(dy.shape(), dy.shape() + dy.ndim()))
                     : bind::as_out(outo, "out", dy);
  bind::require_no_partial_overlap(out, dy, "out", "dy");
  if (need_x) bind::require_no_partial_overlap(out, x, "out", "x");
  if (need_y) bind::require_no_partial_overlap(out, y, "out", "y");
  i64 rows, cols;
  bind::rows_cols(dy, rows, cols);
  const float* xp = need_x ? x.data() : nullptr;
  const float* yp = need_y ? y.data() : nullptr;
  const float* dyp = dy.data();
  float* dxp = out.mutable_data();
  {
    py::gil_scoped_release nogil;
    fn(a, p, xp, yp, dyp, dxp, rows, cols);
  }
  return out;
}

}  // namespace

void bind_activation(py::module_& m) {
  m.attr("ACTIVATIONS") = act_names();
  py::dict defaults;
  defaults["leaky_relu"] = 0.2;
  defaults["elu"] = 1.0;
  m.attr("ACTIVATION_DEFAULT_PARAMS") = defaults;

  auto fwd_doc =
      "y = activation(x) elementwise (softmax/log_softmax over the last axis).\n"
      "activation: id or name (see ACTIVATIONS); param: leaky_relu negative_slope / elu alpha\n"
      "(None = Keras default); out: optional float32 C-contiguous array of x's shape.";
  auto bwd_doc =
      "dx = dL/dx from dy = dL/dy. x is needed when act_backward_needs_x(activation), else y.";
  m.def(
      "act_forward",
      [](py::object x, py::object a, py::object p, py::object out) {
        return forward(act_forward, x, a, p, out);
      },
      py::arg("x"), py::arg("activation"), py::arg("param") = py::none(),
      py::arg("out") = py::none(), fwd_doc);
  m.def(
      "act_forward_ref",
      [](py::object x, py::object a, py::object p, py::object out) {
        return forward(act_forward_ref, x, a, p, out);
      },
      py::arg("x"), py::arg("activation"), py::arg("param") = py::none(),
      py::arg("out") = py::none(), "Scalar reference of act_forward (the test oracle).");
  m.def(
      "act_backward",
      [](py::object x, py::object y, py::object dy, py::object a, py::object p, py::object out) {
        return backward(act_backward, x, y, dy, a, p, out);
      },
      py::arg("x"), py::arg("y"), py::arg("dy"), py::arg("activation"),
      py::arg("param") = py::none(), py::arg("out") = py::none(), bwd_doc);
  m.def(
      "act_backward_ref",
      [](py::object x, py::object y, py::object dy, py::object a, py::object p, py::object out) {
        return backward(act_backward_ref, x, y, dy, a, p, out);
      },
      py::arg("x"), py::arg("y"), py::arg("dy"), py::arg("activation"),
      py::arg("param") = py::none(), py::arg("out") = py::none(),
      "Scalar reference of act_backward (the test oracle).");
  m.def(
      "act_backward_needs_x", [](py::object a) { return act_backward_needs_x(act_arg(a)); },
      py::arg("activation"),
      "True when the derivative reads the pre-activation x (otherwise the output y suffices).");
}

}  // namespace ks

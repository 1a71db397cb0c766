// gemm / gemm_bias_act for Python. Arrays are validated and converted here, before any
// kernel runs; the kernels then run with the GIL released.
//
// a and b are read in place when they are float32 row-major views with a row stride
// (a[:, :k], a[::2]) or transposed views of one (a.T, which just flips the transpose
// flag); any other layout or dtype is converted once. c must be C-contiguous float32.
#include <pybind11/numpy.h>

#include <cstdint>
#include <string>

#include "bindings/bindings.h"
#include "kerasette/gemm.h"

namespace py = pybind11;
namespace ks {
namespace {

using FloatArray = py::array_t<float, py::array::c_style | py::array::forcecast>;

struct MatrixArg {
  py::array keep;  // owns or references the data
  const float* data;
  i64 rows, cols;   // shape of the array as passed
  i64 ld;           // row stride of the stored matrix
  bool transposed;  // stored as a (cols x rows) row-major matrix: the array is its .T
};

std::string shape_str(const py::array& a) {
  std::string s = "(";
  for (py::ssize_t i = 0; i < a.ndim(); ++i) s += (i ? ", " : "") + std::to_string(a.shape(i));
  return s + (a.ndim() == 1 ? ",)" : ")");
}

std::string where(const char* func, const char* name) { return std::string(func) + ": " + name; }

// Any real numeric array-like; TypeError for anything else (strings, objects, complex).
py::array numeric_array(py::handle obj, const char* func, const char* name) {
  py::array arr;
  if (py::isinstance<py::array>(obj)) {
    arr = py::reinterpret_borrow<py::array>(obj);
  } else {
    try {
      arr = py::module_::import("numpy").attr("asarray")(obj);
    } catch (py::error_already_set& e) {
      throw py::type_error(where(func, name) + " must be an array of numbers, got " +
                           std::string(py::str(py::type::of(obj).attr("__name__"))) + " (" +
                           e.what() + ")");
    }
  }
  const char kind = arr.dtype().kind();
  if (kind != 'f' && kind != 'i' && kind != 'u')
    throw py::type_error(where(func, name) +
                         " must hold real numbers (float32 preferred), got dtype " +
                         std::string(py::str(arr.dtype())));
  return arr;
}

MatrixArg matrix_arg(py::handle obj, const char* func, const char* name) {
  py::array arr = numeric_array(obj, func, name);
  if (arr.ndim() != 2)
    throw py::value_error(where(func, name) + " must be 2-D, got shape " + shape_str(arr));
  if (!arr.dtype().is(py::dtype::of<float>())) arr = FloatArray::ensure(arr);
  if (!arr) throw py::error_already_set();
  const i64 r = arr.shape(0), c = arr.shape(1);
  const i64 s0 = arr.strides(0), s1 = arr.strides(1), fs = sizeof(float);
  const auto* data = static_cast<const float*>(arr.data());
  const bool aligned = reinterpret_cast<std::uintptr_t>(data) % alignof(float) == 0;
  // Row-major with a row stride: unit column stride, row stride a whole number of floats.
  if (aligned && (c <= 1 || s1 == fs) && (r <= 1 || (s0 > 0 && s0 % fs == 0 && s0 / fs >= c)))
    return {arr, data, r, c, r <= 1 ? std::max<i64>(c, 1) : s0 / fs, false};
  // A transposed view of a row-major matrix (unit row stride).
  if (aligned && r > 1 && s0 == fs && (c <= 1 || (s1 > 0 && s1 % fs == 0 && s1 / fs >= r)))
    return {arr, data, r, c, c <= 1 ? r : s1 / fs, true};
  FloatArray copy = FloatArray::ensure(py::module_::import("numpy").attr("ascontiguousarray")(arr));
  if (!copy) throw py::error_already_set();
  return {copy, copy.data(), r, c, std::max<i64>(c, 1), false};
}

// op(X) as (rows, cols) plus the flag and stride handed to the kernel.
struct Operand {
  const float* data;
  i64 rows, cols, ld;
  bool trans;
};

Operand operand(const MatrixArg& m, bool trans) {
  const i64 rows = trans ? m.cols : m.rows, cols = trans ? m.rows : m.cols;
  return {m.data, rows, cols, m.ld, trans != m.transposed};
}

void check_inner(const char* func, const Operand& a, const Operand& b, bool ta, bool tb) {
  if (a.cols != b.rows)
    throw py::value_error(std::string(func) + ": inner dimensions differ: op(a) is (" +
                          std::to_string(a.rows) + ", " + std::to_string(a.cols) + ")" +
                          (ta ? " [trans_a]" : "") + " but op(b) is (" + std::to_string(b.rows) +
                          ", " + std::to_string(b.cols) + ")" + (tb ? " [trans_b]" : ""));
}

// The output array: allocated, or the caller's, checked for layout and shape.
py::array_t<float> output(py::object c, i64 M, i64 N, const char* func) {
  if (c.is_none()) return py::array_t<float>({M, N});  // filled by the kernel (beta = 0)
  if (!py::isinstance<py::array>(c))
    throw py::type_error(std::string(func) + ": c must be a numpy float32 array or None, got " +
                         std::string(py::str(py::type::of(c).attr("__name__"))));
  py::array arr = py::reinterpret_borrow<py::array>(c);
  const std::string expect = "(" + std::to_string(M) + ", " + std::to_string(N) + ")";
  if (!arr.dtype().is(py::dtype::of<float>()))
    throw py::value_error(std::string(func) + ": c must be float32, got " +
                          std::string(py::str(arr.dtype())));
  if (arr.ndim() != 2 || arr.shape(0) != M || arr.shape(1) != N)
    throw py::value_error(std::string(func) + ": c must have shape " + expect + ", got " +
                          shape_str(arr));
  if (!(arr.flags() & py::array::c_style) ||
      reinterpret_cast<std::uintptr_t>(arr.data()) % alignof(float) != 0)
    throw py::value_error(std::string(func) + ": c must be C-contiguous (it is written in place)");
  if (!arr.writeable()) throw py::value_error(std::string(func) + ": c is read-only");
  return py::reinterpret_borrow<py::array_t<float>>(arr);
}

// Writing c while reading a or b through an overlapping buffer gives garbage. The
// check compares the address ranges each operand spans (conservative, like
// numpy.may_share_memory, and without a call back into Python).
bool spans_overlap(const MatrixArg& m, const float* c, i64 c_len) {
  const i64 stored_rows = m.transposed ? m.cols : m.rows,
            stored_cols = m.transposed ? m.rows : m.cols;
  if (stored_rows == 0 || stored_cols == 0 || c_len == 0) return false;
  const float* lo = m.data;
  const float* hi = m.data + (stored_rows - 1) * m.ld + stored_cols;
  return lo < c + c_len && c < hi;
}

void check_no_overlap(const py::array_t<float>& c, const MatrixArg& a, const MatrixArg& b,
                      const char* func) {
  const i64 len = static_cast<i64>(c.size());
  if (spans_overlap(a, c.data(), len) || spans_overlap(b, c.data(), len))
    throw py::value_error(std::string(func) + ": c must not share memory with a or b");
}

py::array_t<float> py_gemm(py::handle a_obj, py::handle b_obj, py::object c_obj, double alpha,
                           double beta, bool trans_a, bool trans_b) {
  const char* f = "gemm";
  const MatrixArg am = matrix_arg(a_obj, f, "a"), bm = matrix_arg(b_obj, f, "b");
  const Operand a = operand(am, trans_a), b = operand(bm, trans_b);
  check_inner(f, a, b, trans_a, trans_b);
  const i64 M = a.rows, N = b.cols, K = a.cols;
  const bool fresh = c_obj.is_none();
  py::array_t<float> c = output(c_obj, M, N, f);
  if (!fresh) check_no_overlap(c, am, bm, f);
  float* cp = c.mutable_data();
  {
    py::gil_scoped_release nogil;
    gemm(a.trans, b.trans, M, N, K, static_cast<float>(alpha), a.data, a.ld, b.data, b.ld,
         fresh ? 0.0f : static_cast<float>(beta), cp, std::max<i64>(N, 1));
  }
  return c;
}

py::array_t<float> py_gemm_bias_act(py::handle a_obj, py::handle b_obj, py::object bias_obj,
                                    int activation, double act_param, bool trans_a, bool trans_b) {
  const char* f = "gemm_bias_act";
  if (activation < 0 || activation >= static_cast<int>(Act::count_))
    throw py::value_error("gemm_bias_act: activation must be an Act code in [0, " +
                          std::to_string(static_cast<int>(Act::count_)) + "), got " +
                          std::to_string(activation));
  const MatrixArg am = matrix_arg(a_obj, f, "a"), bm = matrix_arg(b_obj, f, "b");
  const Operand a = operand(am, trans_a), b = operand(bm, trans_b);
  check_inner(f, a, b, trans_a, trans_b);
  const i64 M = a.rows, N = b.cols, K = a.cols;
  FloatArray bias;
  if (!bias_obj.is_none()) {
    py::array arr = numeric_array(bias_obj, f, "bias");
    if (arr.ndim() != 1 || arr.shape(0) != N)
      throw py::value_error("gemm_bias_act: bias must have shape (" + std::to_string(N) +
                            ",), got " + shape_str(arr));
    bias = FloatArray::ensure(arr);
    if (!bias) throw py::error_already_set();
  }
  py::array_t<float> c = output(py::none(), M, N, f);
  float* cp = c.mutable_data();
  const float* bp = bias_obj.is_none() ? nullptr : bias.data();
  {
    py::gil_scoped_release nogil;
    gemm_bias_act(a.trans, b.trans, M, N, K, a.data, a.ld, b.data, b.ld, bp,
                  static_cast<Act>(activation), static_cast<float>(act_param), cp,
                  std::max<i64>(N, 1));
  }
  return c;
}

}  // namespace

void bind_gemm(py::module_& m) {
  m.def("gemm", &py_gemm, py::arg("a"), py::arg("b"), py::arg("c") = py::none(),
        py::arg("alpha") = 1.0, py::arg("beta") = 0.0, py::arg("trans_a") = false,
        py::arg("trans_b") = false,
        "c = alpha * op(a) @ op(b) + beta * c (float32). c is allocated when None (beta is "
        "then ignored), else written in place; beta == 0 never reads c.");
  m.def("gemm_bias_act", &py_gemm_bias_act, py::arg("a"), py::arg("b"), py::arg("bias"),
        py::arg("activation"), py::arg("act_param") = 0.0, py::arg("trans_a") = false,
        py::arg("trans_b") = false,
        "act(op(a) @ op(b) + bias) in one pass; activation is an Act code (activation.h).");
}

}  // namespace ks

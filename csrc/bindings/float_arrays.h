// Array plumbing shared by bind_activation/bind_loss/bind_optimizer: turn Python
// objects into float32 C-contiguous numpy arrays (no copy when they already are),
// validate in-place outputs, and raise clear Python errors before any kernel runs.
#pragma once
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <string>

namespace ks {
namespace bind {
namespace py = pybind11;
using f32array = py::array_t<float, py::array::c_style | py::array::forcecast>;

inline std::string shape_str(const py::array& a) {
  std::string s = "(";
  for (py::ssize_t i = 0; i < a.ndim(); ++i) {
    s += std::to_string(a.shape(i));
    if (a.ndim() == 1 || i + 1 < a.ndim()) s += a.ndim() == 1 ? "," : ", ";
  }
  return s + ")";
}

inline std::string dtype_str(const py::array& a) { return py::str(a.dtype()).cast<std::string>(); }

// Any real numeric array-like (bool, int, uint, float of any width) as float32
// C-contiguous. Already float32 C-contiguous arrays pass through uncopied.
inline f32array as_f32(py::handle obj, const char* name) {
  if (obj.is_none()) throw py::type_error(std::string("`") + name + "` must be an array, got None");
  py::array a = py::array::ensure(obj);
  if (!a) {
    PyErr_Clear();
    throw py::type_error(std::string("`") + name + "` must be a numeric array-like, got " +
                         py::str(py::type::of(obj)).cast<std::string>());
  }
  char k = a.dtype().kind();
  if (k != 'b' && k != 'i' && k != 'u' && k != 'f')
    throw py::type_error(std::string("`") + name +
                         "` must have a real numeric dtype (float32 preferred), got dtype " +
                         dtype_str(a));
  f32array f = f32array::ensure(a);
  if (!f) throw py::error_already_set();
  // numpy does not promise alignment (np.frombuffer at an odd offset); kernels need it.
  if (reinterpret_cast<std::uintptr_t>(f.data()) % alignof(float) != 0)
    f = f32array::ensure(py::array(f.attr("copy")()));
  return f;
}

// An in-place output: must already be float32, C-contiguous, writable, of `shape`.
inline f32array as_out(py::handle obj, const char* name, const py::array& like) {
  if (!py::isinstance<py::array>(obj))
    throw py::value_error(std::string("`") + name + "` must be a numpy float32 array, got " +
                          py::str(py::type::of(obj)).cast<std::string>());
  py::array a = py::reinterpret_borrow<py::array>(obj);
  if (!py::isinstance<py::array_t<float>>(a) || a.dtype().kind() != 'f' || a.itemsize() != 4)
    throw py::value_error(std::string("`") + name + "` must have dtype float32, got " +
                          dtype_str(a));
  if (!(a.flags() & py::array::c_style))
    throw py::value_error(std::string("`") + name + "` must be C-contiguous");
  if (!a.writeable()) throw py::value_error(std::string("`") + name + "` must be writable");
  if (reinterpret_cast<std::uintptr_t>(a.data()) % alignof(float) != 0)
    throw py::value_error(std::string("`") + name + "` must be 4-byte aligned");
  bool same = a.ndim() == like.ndim();
  for (py::ssize_t i = 0; same && i < a.ndim(); ++i) same = a.shape(i) == like.shape(i);
  if (!same)
    throw py::value_error(std::string("`") + name + "` must have shape " + shape_str(like) +
                          ", got " + shape_str(a));
  return py::reinterpret_borrow<f32array>(a);
}

inline void require_same_shape(const py::array& a, const char* an, const py::array& b,
                               const char* bn) {
  bool same = a.ndim() == b.ndim();
  for (py::ssize_t i = 0; same && i < a.ndim(); ++i) same = a.shape(i) == b.shape(i);
  if (!same)
    throw py::value_error(std::string("`") + an + "` and `" + bn +
                          "` must have the same shape, got " + shape_str(a) + " and " +
                          shape_str(b));
}

// Kernels allow an output to alias an input exactly, never to overlap it partially.
inline void require_no_partial_overlap(const py::array& out, const py::array& in, const char* on,
                                       const char* in_name) {
  if (!in || in.size() == 0 || out.size() == 0) return;
  auto lo1 = reinterpret_cast<std::uintptr_t>(out.data());
  auto hi1 = lo1 + out.nbytes();
  auto lo2 = reinterpret_cast<std::uintptr_t>(in.data());
  auto hi2 = lo2 + in.nbytes();
  if (lo1 < hi2 && lo2 < hi1 && !(lo1 == lo2 && hi1 == hi2))
    throw py::value_error(std::string("`") + on + "` partially overlaps `" + in_name +
                          "`; pass the same array or a separate one");
}

// (rows, cols) view of an array: cols is the last axis (1 for a scalar).
inline void rows_cols(const py::array& a, std::int64_t& rows, std::int64_t& cols) {
  cols = a.ndim() == 0 ? 1 : a.shape(a.ndim() - 1);
  rows = cols == 0 ? 0 : a.size() / cols;
  if (cols == 0) rows = 0;
}

inline float float_arg(py::handle v, const char* name) {
  if (py::isinstance<py::bool_>(v) ||
      !(py::isinstance<py::float_>(v) || py::isinstance<py::int_>(v) || PyNumber_Check(v.ptr())))
    throw py::type_error(std::string("`") + name + "` must be a real number, got " +
                         py::str(py::type::of(v)).cast<std::string>());
  try {
    return v.cast<float>();
  } catch (const py::cast_error&) {
    throw py::type_error(std::string("`") + name + "` must be a real number");
  }
}

// An enum argument given as its int value or its name (a key of `names`).
inline int enum_arg(py::handle v, const py::dict& names, int count, const char* what) {
  if (py::isinstance<py::str>(v)) {
    if (!names.contains(v))
      throw py::value_error(std::string("unknown ") + what + " " + py::repr(v).cast<std::string>() +
                            "; expected one of " +
                            py::str(py::list(names.attr("keys")())).cast<std::string>());
    return names[v].cast<int>();
  }
  if (py::isinstance<py::bool_>(v) || !py::isinstance<py::int_>(v))
    throw py::type_error(std::string(what) + " must be an int or a name, got " +
                         py::str(py::type::of(v)).cast<std::string>());
  long long i;
  try {
    i = v.cast<long long>();
  } catch (const py::cast_error&) { throw py::value_error(std::string(what) + " id out of range"); }
  if (i < 0 || i >= count)
    throw py::value_error(std::string(what) + " id must be in [0, " + std::to_string(count) +
                          "), got " + std::to_string(i));
  return (int)i;
}

}  // namespace bind
}  // namespace ks

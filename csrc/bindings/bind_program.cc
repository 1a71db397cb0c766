// pybind11 plumbing for the graph engine's executor (runtime/program.h): converts and
// checks arrays, keeps external arrays alive, releases the GIL (holding the program's
// own mutex instead) around every call into the runtime. No numeric logic here.
//   Program(workspace_floats), .ws, .ext, .add, .workspace(), .run, .seed, .step,
//   .opt_state, .set_feeds, .set_output, .set_accumulators, .accumulators,
//   .reset_accumulators, .accumulate; run_batches, run_predict;
//   EWISE_CODES / EWISE_ARITY / REDUCE_CODES / PROGRAM_KERNELS; ewise_apply (tests).
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "bindings/bindings.h"
#include "bindings/float_arrays.h"
#include "kerasette/ewise.h"
#include "kerasette/reduce.h"
#include "runtime/program.h"

namespace py = pybind11;

namespace ks {
namespace {

// The Python object: the Program plus the external arrays it points into.
struct PyProgram : Program {
  using Program::Program;
  std::vector<py::object> keep;
};

// Runs f with the GIL released and p's mutex held.
template <class F>
auto locked(PyProgram& p, F f) {
  py::gil_scoped_release nogil;
  std::lock_guard<std::mutex> g(p.mutex());
  return f();
}

py::array_t<float> ext_array(py::handle obj) {
  if (!py::isinstance<py::array>(obj))
    throw py::value_error("ext expects a numpy float32 array, got " +
                          py::str(py::type::of(obj)).cast<std::string>());
  py::array a = py::reinterpret_borrow<py::array>(obj);
  if (a.dtype().kind() != 'f' || a.itemsize() != 4)
    throw py::value_error("ext expects dtype float32, got " + bind::dtype_str(a));
  if (!(a.flags() & py::array::c_style)) throw py::value_error("ext expects a C-contiguous array");
  if (!a.writeable()) throw py::value_error("ext expects a writable array");
  if (reinterpret_cast<std::uintptr_t>(a.data()) % alignof(float) != 0)
    throw py::value_error("ext expects a 4-byte aligned array");
  return py::reinterpret_borrow<py::array_t<float>>(a);
}

// (rows, width) of a 1-D (width 1) or 2-D array.
void rows_width(const py::array& a, const char* what, i64* rows, i64* width) {
  if (a.ndim() == 1) {
    *rows = a.shape(0);
    *width = 1;
    return;
  }
  if (a.ndim() == 2) {
    *rows = a.shape(0);
    *width = a.shape(1);
    return;
  }
  throw py::value_error(std::string(what) + " must be 1-D or 2-D, got shape " + bind::shape_str(a));
}

std::vector<i64> id_list(py::handle obj, const char* what) {
  try {
    return obj.cast<std::vector<i64>>();
  } catch (const py::cast_error&) {
    throw py::type_error(std::string(what) + " must be a list of ints");
  }
}

}  // namespace

void bind_program(py::module_& m) {
  py::dict codes, arity, red;
  for (int i = 0; i < (int)EwOp::count_; ++i) {
    codes[ewise_name((EwOp)i)] = i;
    arity[ewise_name((EwOp)i)] = ewise_arity((EwOp)i);
  }
  for (int i = 0; i < (int)RedOp::count_; ++i) red[reduce_name((RedOp)i)] = i;
  py::list kerns;
  for (int i = 0; i < (int)Kern::count_; ++i) kerns.append(kern_name((Kern)i));
  m.attr("EWISE_CODES") = codes;
  m.attr("EWISE_ARITY") = arity;
  m.attr("REDUCE_CODES") = red;
  m.attr("PROGRAM_KERNELS") = kerns;

  py::class_<PyProgram>(
      m, "Program", "A compiled tape of kernel calls over a float32 workspace (runtime/program.h)")
      .def(py::init([](i64 n) { return new PyProgram(n); }), py::arg("workspace_floats"))
      .def(
          "ws",
          [](PyProgram& p, i64 off, i64 size) {
            return locked(p, [&] { return p.ws(off, size); });
          },
          py::arg("offset"), py::arg("size"))
      .def(
          "ext",
          [](PyProgram& p, py::object obj) {
            py::array_t<float> a = ext_array(obj);
            float* data = a.mutable_data();
            const i64 size = (i64)a.size();
            int id = locked(p, [&] { return p.ext(data, size); });
            p.keep.push_back(a);
            return id;
          },
          py::arg("array"))
      .def(
          "add",
          [](PyProgram& p, const std::string& kernel, py::object ins, py::object outs,
             py::object ints, py::object floats) {
            std::vector<i64> vi = id_list(ins, "ins"), vo = id_list(outs, "outs"),
                             vn = id_list(ints, "ints");
            std::vector<double> vf;
            try {
              vf = floats.cast<std::vector<double>>();
            } catch (const py::cast_error&) {
              throw py::type_error("floats must be a list of numbers");
            }
            locked(p, [&] { p.add(kernel, vi, vo, vn, vf); });
          },
          py::arg("kernel"), py::arg("ins"), py::arg("outs"), py::arg("ints") = py::list(),
          py::arg("floats") = py::list())
      .def(
          "workspace",
          [](py::object self) {
            PyProgram& p = self.cast<PyProgram&>();
            return py::array_t<float>({(py::ssize_t)p.workspace_floats()},
                                      {(py::ssize_t)sizeof(float)}, p.workspace(), self);
          },
          "The workspace as a float32 1-D view (it keeps the program alive).")
      .def(
          "run",
          [](PyProgram& p, float lr, i64 iteration) { locked(p, [&] { p.run(lr, iteration); }); },
          py::arg("lr") = 0.0f, py::arg("iteration") = 0)
      .def_property(
          "seed", [](PyProgram& p) { return p.seed; },
          [](PyProgram& p, std::uint64_t v) { locked(p, [&] { p.seed = v; }); })
      .def_property(
          "step", [](PyProgram& p) { return p.step; },
          [](PyProgram& p, std::uint64_t v) { locked(p, [&] { p.step = v; }); })
      .def_property(
          "opt_state", [](PyProgram& p) { return p.opt_state; },
          [](PyProgram& p, double v) { locked(p, [&] { p.opt_state = v; }); })
      .def("set_feed_exclusive",
           [](PyProgram& p, i64 k) { locked(p, [&] { p.set_feed_exclusive(k); }); })
      .def(
          "set_feeds",
          [](PyProgram& p, const std::vector<std::pair<i64, i64>>& f) {
            locked(p, [&] { p.set_feeds(f); });
          },
          py::arg("feeds"))
      .def(
          "set_output",
          [](PyProgram& p, i64 op, i64 width) { locked(p, [&] { p.set_output(op, width); }); },
          py::arg("operand"), py::arg("width"))
      .def(
          "set_accumulators",
          [](PyProgram& p, const std::vector<i64>& ops) {
            locked(p, [&] { p.set_accumulators(ops); });
          },
          py::arg("operands"))
      .def("accumulators", [](PyProgram& p) { return locked(p, [&] { return p.accumulators(); }); })
      .def("reset_accumulators", [](PyProgram& p) { locked(p, [&] { p.reset_accumulators(); }); })
      .def(
          "accumulate", [](PyProgram& p) { locked(p, [&] { p.accumulate(); }); },
          "Adds the accumulator operands into the sums (what the loops do after each run).")
      .def_property_readonly("num_instructions", &PyProgram::num_instructions)
      .def_property_readonly("workspace_floats", &PyProgram::workspace_floats);

  m.def(
      "run_batches",
      [](PyProgram& full, py::object last_obj, py::sequence arrays, py::object idx_obj, i64 n,
         i64 batch_size, i64 first_batch, i64 n_batches, py::object lrs_obj, i64 first_iteration) {
        PyProgram* last = last_obj.is_none() ? nullptr : last_obj.cast<PyProgram*>();
        std::vector<bind::f32array> keep;
        std::vector<const float*> ptrs;
        std::vector<i64> widths, rows;
        for (py::handle a : arrays) {
          keep.push_back(bind::as_f32(a, "arrays[k]"));
          i64 r, w;
          rows_width(keep.back(), "arrays[k]", &r, &w);
          ptrs.push_back(keep.back().data());
          widths.push_back(w);
          rows.push_back(r);
        }
        py::array_t<std::int64_t> idx;
        const std::int64_t* ip = nullptr;
        i64 idx_len = 0;
        if (!idx_obj.is_none()) {
          py::array a = py::array::ensure(idx_obj);
          if (!a || (a.dtype().kind() != 'i' && a.dtype().kind() != 'u'))
            throw py::value_error("idx must be an integer array or None");
          idx = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>::ensure(a);
          if (!idx || idx.ndim() != 1) throw py::value_error("idx must be 1-D");
          ip = idx.data();
          idx_len = (i64)idx.size();
        }
        bind::f32array lrs = bind::as_f32(lrs_obj, "lrs");
        const float* lp = lrs.data();
        const i64 n_lrs = (i64)lrs.size();
        py::gil_scoped_release nogil;
        std::unique_lock<std::mutex> l1(full.mutex(), std::defer_lock), l2;
        if (last && last != &full) {
          l2 = std::unique_lock<std::mutex>(last->mutex(), std::defer_lock);
          std::lock(l1, l2);
        } else {
          l1.lock();
        }
        check_batches(full, last, widths, rows, ip, idx_len, n, batch_size, first_batch, n_batches,
                      n_lrs);
        run_batches(full, last, ptrs, widths, ip, n, batch_size, first_batch, n_batches, lp,
                    first_iteration);
      },
      py::arg("full"), py::arg("last"), py::arg("arrays"), py::arg("idx"), py::arg("n"),
      py::arg("batch_size"), py::arg("first_batch"), py::arg("n_batches"), py::arg("lrs"),
      py::arg("first_iteration"),
      "Training/eval loop over batches of rows (idx: a permutation or None), GIL released.");

  m.def(
      "run_predict",
      [](PyProgram& full, py::object last_obj, py::object x_obj, i64 batch_size,
         py::object out_obj) {
        PyProgram* last = last_obj.is_none() ? nullptr : last_obj.cast<PyProgram*>();
        bind::f32array x = bind::as_f32(x_obj, "x");
        i64 n, width;
        rows_width(x, "x", &n, &width);
        py::array_t<float> out = ext_array(out_obj);
        i64 on, ow;
        rows_width(out, "out", &on, &ow);
        if (on != n)
          throw py::value_error("out has " + std::to_string(on) + " rows, x has " +
                                std::to_string(n));
        const float* xp = x.data();
        float* op = out.mutable_data();
        py::gil_scoped_release nogil;
        std::unique_lock<std::mutex> l1(full.mutex(), std::defer_lock), l2;
        if (last && last != &full) {
          l2 = std::unique_lock<std::mutex>(last->mutex(), std::defer_lock);
          std::lock(l1, l2);
        } else {
          l1.lock();
        }
        run_predict(full, last, xp, width, n, batch_size, op, ow);
      },
      py::arg("full"), py::arg("last"), py::arg("x"), py::arg("batch_size"), py::arg("out"),
      "Predict loop: rows of x into feed 0, run, the output rows into out; GIL released.");

  // One ewise instruction over whole arrays (tests compare the fast ISA loops with the
  // reference). a, b, c: float32 arrays of one size (b, c may be None).
  m.def(
      "ewise_apply",
      [](int code, py::object a_obj, py::object b_obj, py::object c_obj, bool ref) {
        if (code < 0 || code >= (int)EwOp::count_) throw py::value_error("unknown ewise code");
        bind::f32array a = bind::as_f32(a_obj, "a");
        bind::f32array b = b_obj.is_none() ? a : bind::as_f32(b_obj, "b");
        bind::f32array c = c_obj.is_none() ? a : bind::as_f32(c_obj, "c");
        if (b.size() != a.size() || c.size() != a.size())
          throw py::value_error("a, b, c must have one size");
        py::array_t<float> d(a.size());
        const float *ap = a.data(), *bp = b.data(), *cp = c.data();
        float* dp = d.mutable_data();
        const i64 n = (i64)a.size();
        {
          py::gil_scoped_release nogil;
          if (ref) ewise_apply_ref(code, dp, ap, bp, cp, n);
          else ewise_apply(code, dp, ap, bp, cp, n);
        }
        return d;
      },
      py::arg("code"), py::arg("a"), py::arg("b") = py::none(), py::arg("c") = py::none(),
      py::arg("ref") = false);

  m.def(
      "reduce_ref",
      [](int code, py::object x_obj, i64 outer, i64 len, i64 inner) {
        if (code < 0 || code >= (int)RedOp::count_) throw py::value_error("unknown reduce code");
        bind::f32array x = bind::as_f32(x_obj, "x");
        if (outer < 0 || len < 0 || inner < 0 || (i64)x.size() != outer * len * inner)
          throw py::value_error("x must hold outer*len*inner floats");
        py::array_t<float> y(outer * inner);
        reduce_ref((RedOp)code, x.data(), y.mutable_data(), outer, len, inner);
        return y;
      },
      py::arg("code"), py::arg("x"), py::arg("outer"), py::arg("len"), py::arg("inner"));
}

}  // namespace ks

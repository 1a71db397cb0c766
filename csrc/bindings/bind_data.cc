// pybind11 plumbing for the data passes around the epoch loops: the NaN/inf check,
// the batch gather and the seeded epoch permutation. No numeric logic here.
#include <pybind11/numpy.h>

#include <string>

#include "bindings/bindings.h"
#include "kerasette/data_ops.h"
#include "kerasette/layer_ops.h"

namespace py = pybind11;

namespace ks {
namespace {

using F32 = py::array_t<float, py::array::c_style | py::array::forcecast>;
using I64 = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>;

I64 int_indices(const py::object& obj, const char* what) {
  py::array a = py::array::ensure(obj);
  if (!a) throw py::type_error(std::string(what) + ": indices must be an array of integers");
  const char k = a.dtype().kind();
  if (k != 'i' && k != 'u' && !(a.size() == 0 && k == 'f'))
    throw py::type_error(std::string(what) + ": indices must be integers, got dtype " +
                         std::string(py::str(a.dtype())));
  return a.cast<I64>();
}

}  // namespace

void bind_data(py::module_& m) {
  m.def(
      "all_finite",
      [](const F32& x) {
        const float* p = x.data();
        const i64 n = x.size();
        py::gil_scoped_release nogil;
        return all_finite(p, n);
      },
      "True when a float32 array holds no NaN/inf (no temporary array, unlike numpy).");

  m.def(
      "gather_rows",
      [](const F32& src, const py::object& idx_obj) {
        const I64 idx = int_indices(idx_obj, "gather_rows");
        if (src.ndim() != 2 || idx.ndim() != 1)
          throw py::value_error(
              "gather_rows expects src of shape (n, width) and idx of shape (m,)");
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
      },
      "src[idx] for a float32 matrix: the batch gather of the shuffled epoch loop.");

  m.def(
      "permutation",
      [](i64 n, std::uint64_t seed, std::uint64_t stream) {
        if (n < 0) throw py::value_error("permutation: n must be >= 0");
        I64 out(n);
        rng_permutation(seed, stream, out.mutable_data(), n);
        return out;
      },
      "Seeded Fisher-Yates permutation of range(n) (counter-based RNG).");
}

}  // namespace ks

#include "bindings/bindings.h"
namespace py = pybind11;
namespace ks {
void bind_activation(py::module_& m) { (void)m; }
}  // namespace ks

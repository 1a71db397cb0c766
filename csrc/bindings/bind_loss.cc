#include "bindings/bindings.h"
namespace py = pybind11;
namespace ks {
void bind_loss(py::module_& m) { (void)m; }
}  // namespace ks

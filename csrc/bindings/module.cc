// The extension kerasette._core: only registration lives here.
#include "bindings/bindings.h"
#include "kerasette/common.h"

PYBIND11_MODULE(_core, m) {
  m.doc() = "kerasette native core: GEMM, activations, losses, optimizers and the Program executor";
  m.attr("__version__") = KERASETTE_VERSION;
  m.attr("ASSERTS") = bool(KS_ASSERTS_ON);  // KS_ASSERT checks compiled in (common.h)
  // Test hook: KS_ASSERT(ok), so a test sees a failed check arrive as a Python exception
  // in a checked build (tests/test_sanitizers.py); compiled out, like every check, in release.
  m.def("_ks_assert", [](bool ok) { KS_ASSERT(ok); }, pybind11::arg("ok"));
  ks::bind_config(m);
  ks::bind_gemm(m);
  ks::bind_activation(m);
  ks::bind_loss(m);
  ks::bind_optimizer(m);
  ks::bind_data(m);
  ks::bind_program(m);
}

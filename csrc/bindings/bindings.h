// Each bind_*.cc registers one area of the core on the module. Bindings convert and
// validate arrays, release the GIL and call the core; they hold no numeric logic.
#pragma once
#include <pybind11/pybind11.h>

namespace ks {
void bind_config(pybind11::module_& m);  // threads, cpu features, ISA
void bind_gemm(pybind11::module_& m);
void bind_activation(pybind11::module_& m);
void bind_loss(pybind11::module_& m);
void bind_optimizer(pybind11::module_& m);
void bind_data(pybind11::module_& m);     // NaN check, batch gather, permutation
void bind_program(pybind11::module_& m);  // the graph engine's executor: Program
}  // namespace ks

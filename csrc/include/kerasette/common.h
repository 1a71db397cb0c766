// Shared basics for the native core. No pybind11 or Python types below bindings/.
//
// Dimension legend used in every kernel comment:
//   N  = batch rows, C = input features, OC = output features, K = classes.
// All matrices are row-major float32; "ld" is the row stride in elements.
#pragma once
#include <cstdint>
#include <stdexcept>

namespace ks {
using i64 = std::int64_t;

// Preconditions that bindings already validated; kernels re-check them cheaply in
// debug builds. Throwing (not aborting) keeps a bad call a Python exception.
#ifndef NDEBUG
#define KS_ASSERT(cond) \
  do { if (!(cond)) throw std::logic_error("kerasette internal check failed: " #cond); } while (0)
#else
#define KS_ASSERT(cond) do { (void)sizeof(cond); } while (0)
#endif
}  // namespace ks

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

// Preconditions that bindings and Program::add already validated; kernels and the run
// loop re-check them with KS_ASSERT in checked builds: Debug builds, or any build with
// -DKERASETTE_ASSERTS=ON (tests/test_sanitizers.py). Release builds compile the checks out.
// Throwing (not aborting) keeps a failed check a Python exception that names it; call it
// only outside OpenMP regions, where an exception cannot cross a thread.
#if defined(KERASETTE_ASSERTS) || !defined(NDEBUG)
#define KS_ASSERTS_ON 1
#define KS_ASSERT(cond)                                                              \
  do {                                                                               \
    if (!(cond))                                                                     \
      throw std::logic_error("kerasette internal check failed: " #cond " (" __FILE__ \
                             ":" KS_STR_(__LINE__) ")");                             \
  } while (0)
#else
#define KS_ASSERTS_ON 0
#define KS_ASSERT(cond) \
  do { (void)sizeof(cond); } while (0)
#endif
#define KS_STR_(x) KS_STR2_(x)
#define KS_STR2_(x) #x
}  // namespace ks

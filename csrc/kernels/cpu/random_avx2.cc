// The random loops compiled with the avx2 flags (CMake's file-name rule); only called
// through the dispatch table when the CPU and OS support avx2.
// No FMA contraction: lo + w * u rounds the product first, as the generic code does.
#pragma GCC optimize("fp-contract=off")
#include <cstdint>
#include <cstring>

#include "kerasette/random.h"
#include "kernels/cpu/random_isa.h"

namespace ks {
namespace rand_avx2 {
#include "kernels/cpu/random_kernels.inc"
}  // namespace rand_avx2
}  // namespace ks

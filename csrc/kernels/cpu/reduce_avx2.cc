// The reduction loops compiled with -mavx2 -mfma (8 floats per vector op).
// Only called when the CPU and OS support it (the dispatch table picks it).
#pragma GCC optimize("no-trapping-math")
#include <cmath>
#include <cstring>

#include "kernels/cpu/activation_math.h"
#include "kernels/cpu/reduce_isa.h"

namespace ks {
namespace red_avx2 {
#include "kernels/cpu/reduce_kernels.inc"
}  // namespace red_avx2
}  // namespace ks

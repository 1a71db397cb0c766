// The direct small-K convolution loops compiled with -mavx2 -mfma (8 floats per vector op).
// Only called when the CPU and OS support it (the dispatch table picks it).
#pragma GCC optimize("no-trapping-math")
#include <algorithm>
#include <cmath>

#include "kernels/cpu/conv_isa.h"

namespace ks {
namespace conv_avx2 {
#include "kernels/cpu/conv_kernels.inc"
}  // namespace conv_avx2
}  // namespace ks

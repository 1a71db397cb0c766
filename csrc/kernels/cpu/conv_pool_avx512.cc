// conv_pool_kernels.inc compiled with AVX512 flags; only called when the CPU and OS
// support it (the dispatch table picks it).
#pragma GCC optimize("no-trapping-math")
#include <algorithm>
#include <cmath>
#include <cstring>

#include "kernels/cpu/conv_pool_isa.h"

namespace ks {
namespace conv_pool_avx512 {
#include "kernels/cpu/conv_pool_kernels.inc"
}  // namespace conv_pool_avx512
}  // namespace ks

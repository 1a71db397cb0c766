// The ewise instruction loops compiled with -mavx2 -mfma (8 floats per vector op).
// Only called when the CPU and OS support it (the dispatch table picks it).
// The vmath selects (x < c ? a : b) only vectorise when GCC may evaluate both arms,
// i.e. without -ftrapping-math; these kernels never read FP exception flags.
#pragma GCC optimize("no-trapping-math")
#include <cmath>
#include <cstring>

#include "kernels/cpu/ewise_isa.h"
#include "kernels/cpu/ewise_math.h"

namespace ks {
namespace ew_avx2 {
#include "kernels/cpu/ewise_kernels.inc"
}  // namespace ew_avx2
}  // namespace ks

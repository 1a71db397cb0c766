// The activation kernels compiled with -mavx2 -mfma (8 floats per vector op).
// Only called when the CPU and OS support AVX2+FMA (see activation.cc).
// The vmath selects (x < c ? a : b) only vectorise when GCC may evaluate both arms,
// i.e. without -ftrapping-math; these kernels never read FP exception flags.
#pragma GCC optimize("no-trapping-math")
#include <cmath>
#include <cstring>

#include "kernels/cpu/activation_isa.h"
#include "kernels/cpu/activation_math.h"

namespace ks {
namespace act_avx2 {
#include "kernels/cpu/activation_kernels.inc"
}  // namespace act_avx2
}  // namespace ks

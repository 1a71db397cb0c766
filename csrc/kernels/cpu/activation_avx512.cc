// The activation kernels compiled with AVX-512 flags (16 floats per vector op).
// Only called when the CPU and OS support AVX-512 (see activation.cc).
// The vmath selects (x < c ? a : b) only vectorise when GCC may evaluate both arms,
// i.e. without -ftrapping-math; these kernels never read FP exception flags.
#pragma GCC optimize("no-trapping-math")
#include <cmath>
#include <cstring>

#include "kernels/cpu/activation_isa.h"
#include "kernels/cpu/activation_math.h"

namespace ks {
namespace act_avx512 {
#include "kernels/cpu/activation_kernels.inc"
}  // namespace act_avx512
}  // namespace ks

// The loss row kernel compiled with -mavx2 -mfma; only called when the CPU supports it.
// See activation.cc for why trapping math is off in these kernel files.
#pragma GCC optimize("no-trapping-math")
#include <cmath>

#include "kernels/cpu/activation_math.h"
#include "kernels/cpu/loss_isa.h"
#include "kernels/ref/loss_common.h"

namespace ks {
namespace loss_avx2 {
#include "kernels/cpu/loss_kernels.inc"
}  // namespace loss_avx2
}  // namespace ks

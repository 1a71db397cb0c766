// The optimizer update loop compiled with -mavx2 -mfma (8 floats per vector op).
// Only called when the CPU and OS support it (see optimizer.cc).
#include <cmath>

#include "kernels/cpu/optimizer_isa.h"

namespace ks {
namespace opt_avx2 {
#include "kernels/cpu/optimizer_kernels.inc"
}  // namespace opt_avx2
}  // namespace ks

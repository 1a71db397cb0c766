// The LSTM cell loops compiled with the avx512 flags (CMake's file-name rule); only
// called through the dispatch table when the CPU and OS support avx512.
// The vmath selects (x < c ? a : b) only vectorise without -ftrapping-math; these loops
// never read FP exception flags.
#pragma GCC optimize("no-trapping-math")
#include <cmath>
#include <cstring>

#include "kernels/cpu/activation_math.h"
#include "kernels/cpu/recurrent_isa.h"

namespace ks {
namespace rnn_avx512 {
#include "kernels/cpu/recurrent_kernels.inc"
}  // namespace rnn_avx512
}  // namespace ks

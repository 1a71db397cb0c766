// The LSTM cell loops and the per-step recurrent product compiled with the avx2 flags
// (CMake's file-name rule); only called through the dispatch table when the CPU and OS
// support avx2.
// The vmath selects (x < c ? a : b) only vectorise without -ftrapping-math; these loops
// never read FP exception flags.
#pragma GCC optimize("no-trapping-math")
#include <cmath>
#include <cstring>

#include "kernels/cpu/activation_math.h"
#include "kernels/cpu/recurrent_isa.h"

#if defined(__AVX2__)
#include <immintrin.h>
#endif

namespace ks {
namespace rnn_avx2 {
#if defined(__AVX2__)
using vec = __m256;
constexpr int kVL = 8, kRB = 4, kNB = 2;  // 8 accumulators of the 16 registers
static inline vec vld(const float* p) { return _mm256_loadu_ps(p); }
static inline void vst(float* p, vec v) { _mm256_storeu_ps(p, v); }
static inline vec vbc(float f) { return _mm256_set1_ps(f); }
static inline vec vfma(vec a, vec b, vec c) { return _mm256_fmadd_ps(a, b, c); }
#else  // this file built without the ISA's flags (not x86): plain floats
#include "kernels/cpu/recurrent_scalar_vec.h"
#endif
#include "kernels/cpu/recurrent_kernels.inc"
}  // namespace rnn_avx2
}  // namespace ks

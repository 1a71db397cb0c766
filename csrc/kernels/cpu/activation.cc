// Fast activations: act_forward / act_backward (contract in kerasette/activation.h).
// The kernels themselves live in activation_kernels.inc, compiled here for the
// baseline ISA, in activation_avx2.cc (AVX2+FMA) and in activation_avx512.cc; this
// file picks one per call and splits big blocks over OpenMP threads. Small blocks (a Dense epilogue row,
// a one-row predict) run inline on the calling thread with no fork.
// The vmath selects (x < c ? a : b) only vectorise when GCC may evaluate both arms,
// i.e. without -ftrapping-math; these kernels never read FP exception flags.
#pragma GCC optimize("no-trapping-math")
#include <cmath>
#include <cstring>

#include "kerasette/activation.h"
#include "kerasette/cpu.h"
#include "kerasette/parallel.h"
#include "kernels/cpu/activation_math.h"
#include "kernels/cpu/activation_isa.h"

namespace ks {
namespace act_generic {
#include "kernels/cpu/activation_kernels.inc"
}  // namespace act_generic

namespace {

struct ActKernels {
  void (*fwd)(Act, float, const float*, float*, i64);
  void (*bwd)(Act, float, const float*, const float*, const float*, float*, i64);
  void (*rows)(bool, const float*, float*, i64, i64);
  void (*rows_bwd)(bool, const float*, const float*, float*, i64, i64);
};

const ActKernels kGeneric{act_generic::fwd, act_generic::bwd, act_generic::softmax_rows,
                          act_generic::softmax_rows_bwd};
const ActKernels kAvx2{act_avx2::fwd, act_avx2::bwd, act_avx2::softmax_rows,
                       act_avx2::softmax_rows_bwd};

const ActKernels kAvx512{act_avx512::fwd, act_avx512::bwd, act_avx512::softmax_rows,
                         act_avx512::softmax_rows_bwd};

// The ISA chosen once by dispatch/ (tests force each with set_active_isa).
const ActKernels& kernels() {
  switch (active_isa()) {
    case Isa::avx512:
      return kAvx512;
    case Isa::avx2:
      return kAvx2;
    default:
      return kGeneric;
  }
}

bool row_wise(Act a) { return a == Act::softmax || a == Act::log_softmax; }

// Elements below which a block runs on one thread: forking costs a few microseconds,
// which only pays off once the block itself takes tens of microseconds.
i64 parallel_min(Act a) {
  switch (a) {
    case Act::linear:
    case Act::relu:
    case Act::leaky_relu:
    case Act::relu6:
    case Act::hard_sigmoid:
    case Act::hard_silu:
    case Act::softsign:
      return i64(1) << 18;
    default:
      return i64(1) << 14;
  }
}

}  // namespace

void act_forward(Act a, float param, const float* x, float* y, i64 rows, i64 cols) {
  if (rows <= 0 || cols <= 0) return;
  KS_ASSERT((int)a >= 0 && (int)a < (int)Act::count_ && x && y);
  const ActKernels& k = kernels();
  i64 n = rows * cols;
  if (row_wise(a)) {
    bool lg = a == Act::log_softmax;
    parallel_ranges(rows, (parallel_min(a) + cols - 1) / cols, 1,
                    [&](i64 b, i64 e) { k.rows(lg, x + b * cols, y + b * cols, e - b, cols); });
    return;
  }
  parallel_ranges(n, parallel_min(a), 64,
                  [&](i64 b, i64 e) { k.fwd(a, param, x + b, y + b, e - b); });
}

void act_backward(Act a, float param, const float* x, const float* y, const float* dy, float* dx,
                  i64 rows, i64 cols) {
  if (rows <= 0 || cols <= 0) return;
  KS_ASSERT((int)a >= 0 && (int)a < (int)Act::count_ && dy && dx);
  KS_ASSERT(row_wise(a) ? y != nullptr : (!act_backward_needs_x(a) || x));
  const ActKernels& k = kernels();
  i64 n = rows * cols;
  if (row_wise(a)) {
    bool lg = a == Act::log_softmax;
    parallel_ranges(rows, (parallel_min(a) + cols - 1) / cols, 1, [&](i64 b, i64 e) {
      k.rows_bwd(lg, y + b * cols, dy + b * cols, dx + b * cols, e - b, cols);
    });
    return;
  }
  bool nx = act_backward_needs_x(a);
  parallel_ranges(n, parallel_min(a), 64, [&](i64 b, i64 e) {
    k.bwd(a, param, nx ? x + b : nullptr, nx ? nullptr : y + b, dy + b, dx + b, e - b);
  });
}

}  // namespace ks

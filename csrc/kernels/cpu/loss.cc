// Fast losses: loss_forward_backward (contract in kerasette/loss.h), one pass per row
// that produces the row loss and its gradient together, in float32 like Keras, with
// per-row sums accumulated in double. The softmax/sigmoid + cross-entropy gradients
// for from_logits (softmax - target etc.) are fused into the same pass.
// Same formulas as kernels/ref/loss_ref.cc; see there for the Keras sources.
// Single-threaded: a loss block is (batch, classes), small next to the GEMMs around it.
// The row kernel lives in loss_kernels.inc, compiled per ISA; active_isa() picks one.
// The vmath selects (x < c ? a : b) only vectorise when GCC may evaluate both arms,
// i.e. without -ftrapping-math; these kernels never read FP exception flags.
#pragma GCC optimize("no-trapping-math")
#include <cmath>
#include <vector>

#include "kernels/cpu/activation_math.h"
#include "kernels/ref/loss_common.h"
#include "kerasette/cpu.h"
#include "kernels/cpu/loss_isa.h"

namespace ks {
namespace loss_generic {
#include "kernels/cpu/loss_kernels.inc"
}  // namespace loss_generic

namespace {

RowFn row_kernel() {
  switch (active_isa()) {
    case Isa::avx512:
      return loss_avx512::row;
    case Isa::avx2:
      return loss_avx2::row;
    default:
      return loss_generic::row;
  }
}

}  // namespace

double loss_forward_backward(Loss l, const LossParams& p, const float* pred, const float* target,
                             const float* sw, float* dpred, float grad_scale, i64 N, i64 K) {
  if (N <= 0 || K <= 0) return 0.0;
  float hs = 1.0f, hb = 0.0f;
  if (l == Loss::hinge && hinge_labels_binary(target, N * K)) {
    hs = 2.0f;
    hb = -1.0f;
  }
  const i64 tstride = l == Loss::sparse_categorical_ce ? 1 : K;
  std::vector<float> scratch(dpred ? 0 : K);
  const RowFn row = row_kernel();
  double total = 0.0;
  for (i64 i = 0; i < N; ++i) {
    float w = sw ? sw[i] : 1.0f;
    float Li = row(l, p, pred + i * K, target + i * tstride, hs, hb, K, grad_scale * w,
                   dpred ? dpred + i * K : scratch.data());
    total += (double)w * (double)Li;
  }
  return total;
}

void loss_rows(Loss l, const LossParams& p, const float* pred, const float* target, const float* w,
               float* per_row, float* dpred, i64 N, i64 K) {
  if (N <= 0 || K <= 0) return;
  KS_ASSERT((int)l >= 0 && (int)l < (int)Loss::count_ && pred && target);
  float hs = 1.0f, hb = 0.0f;
  if (l == Loss::hinge && hinge_labels_binary(target, N * K)) {
    hs = 2.0f;
    hb = -1.0f;
  }
  const i64 tstride = l == Loss::sparse_categorical_ce ? 1 : K;
  float* scratch = nullptr;
  if (!dpred) {  // the row kernel always writes a gradient: give it the thread's scratch
    thread_local std::vector<float> buf;
    if ((i64)buf.size() < K) buf.resize(K);
    scratch = buf.data();
  }
  const RowFn row = row_kernel();
  for (i64 i = 0; i < N; ++i) {
    float Li = row(l, p, pred + i * K, target + i * tstride, hs, hb, K, w ? w[i] : 1.0f,
                   dpred ? dpred + i * K : scratch);
    if (per_row) per_row[i] = Li;
  }
}

}  // namespace ks

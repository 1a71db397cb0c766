// Fast optimizer updates: one fused, vectorised pass over a flat parameter buffer
// (params, grads and each slot are n contiguous floats). Same formulas as
// kernels/ref/optimizer_ref.cc (Keras 3's update_step), in float32 like Keras, with the
// per-step scalars (bias corrections, Nadam's u schedule) computed once per call.
// The loop body lives in optimizer_kernels.inc, compiled here for the baseline ISA and
// in optimizer_avx2.cc / optimizer_avx512.cc; active_isa() picks one.
// Threads: OpenMP over contiguous ranges when n is large enough to pay for the fork.
#include <algorithm>
#include <cmath>
#include <vector>

#include "kerasette/parallel.h"
#include "kerasette/optimizer.h"
#include "kernels/cpu/optimizer_isa.h"

namespace ks {
namespace opt_generic {
#include "kernels/cpu/optimizer_kernels.inc"
}  // namespace opt_generic

namespace {

using RangeFn = void (*)(Opt, const OptParams&, i64, float*, const float*, float* const*, i64, i64);

RangeFn range_kernel() {
  switch (active_isa()) {
    case Isa::avx512:
      return opt_avx512::update_range;
    case Isa::avx2:
      return opt_avx2::update_range;
    default:
      return opt_generic::update_range;
  }
}

using LambMomentsFn = void (*)(const OptParams&, i64, float*, const float*, float* const*, i64, i64,
                               double*, double*);
using LambApplyFn = void (*)(const OptParams&, i64, float*, float* const*, i64, i64, float);

// Lamb's trust ratio needs each variable's whole norms: per variable, a threaded pass for
// the moments and partial sums (one per range, added in range order), then the step.
void lamb_update(const OptParams& p, i64 step, float* w, const float* g, float* const* slots,
                 i64 n) {
  LambMomentsFn moments = opt_generic::lamb_moments;
  LambApplyFn apply = opt_generic::lamb_apply;
  if (active_isa() == Isa::avx512) {
    moments = opt_avx512::lamb_moments;
    apply = opt_avx512::lamb_apply;
  } else if (active_isa() == Isa::avx2) {
    moments = opt_avx2::lamb_moments;
    apply = opt_avx2::lamb_apply;
  }
  const i64 one = n;
  const i64* segs = p.segments ? p.segments : &one;
  const i64 ns = p.segments ? p.n_segments : 1;
  constexpr i64 kChunk = i64(1) << 16;
  for (i64 k = 0, off = 0; k < ns; off += segs[k++]) {
    const i64 len = segs[k];
    if (len <= 0) continue;
    const i64 chunks = (len + kChunk - 1) / kChunk;
    std::vector<double> sums(2 * chunks, 0.0);
    parallel_ranges(chunks, 2, 1, [&](i64 cb, i64 ce) {
      for (i64 c = cb; c < ce; ++c)
        moments(p, step, w, g, slots, off + c * kChunk, off + std::min(len, (c + 1) * kChunk),
                &sums[2 * c], &sums[2 * c + 1]);
    });
    double w_sq = 0.0, u_sq = 0.0;
    for (i64 c = 0; c < chunks; ++c) w_sq += sums[2 * c], u_sq += sums[2 * c + 1];
    const double wn = std::sqrt(w_sq), un = std::sqrt(u_sq);
    const float scale = (float)((wn > 0.0 && un > 0.0 ? wn / un : 1.0) * p.learning_rate);
    parallel_ranges(len, i64(1) << 16, 16,
                    [&](i64 b, i64 e) { apply(p, step, w, slots, off + b, off + e, scale); });
  }
}

}  // namespace

void optimizer_update(Opt o, const OptParams& p, i64 step, float* param, const float* grad,
                      float* const* slots, i64 n) {
  if (n <= 0) return;
  KS_ASSERT((int)o >= 0 && (int)o < (int)Opt::count_ && step >= 1 && param && grad);
  if (o == Opt::lamb) return lamb_update(p, step, param, grad, slots, n);
  const RangeFn update_range = range_kernel();
  // Ranges of 16 floats (one AVX-512 vector) so no range splits a vector.
  parallel_ranges(n, i64(1) << 16, 16,
                  [&](i64 b, i64 e) { update_range(o, p, step, param, grad, slots, b, e); });
}

}  // namespace ks

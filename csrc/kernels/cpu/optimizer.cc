// Fast optimizer updates: one fused, vectorised pass over a flat parameter buffer
// (params, grads and each slot are n contiguous floats). Same formulas as
// kernels/ref/optimizer_ref.cc (Keras 3's update_step), in float32 like Keras, with the
// per-step scalars (bias corrections, Nadam's u schedule) computed once per call.
// The loop body lives in optimizer_kernels.inc, compiled here for the baseline ISA and
// in optimizer_avx2.cc / optimizer_avx512.cc; active_isa() picks one.
// Threads: OpenMP over contiguous ranges when n is large enough to pay for the fork.
#include <cmath>

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
    case Isa::avx512: return opt_avx512::update_range;
    case Isa::avx2: return opt_avx2::update_range;
    default: return opt_generic::update_range;
  }
}

}  // namespace

void optimizer_update(Opt o, const OptParams& p, i64 step, float* param, const float* grad,
                      float* const* slots, i64 n) {
  if (n <= 0) return;
  const RangeFn update_range = range_kernel();
  // Ranges of 16 floats (one AVX-512 vector) so no range splits a vector.
  parallel_ranges(n, i64(1) << 16, 16, [&](i64 b, i64 e) {
    update_range(o, p, step, param, grad, slots, b, e);
  });
}

}  // namespace ks

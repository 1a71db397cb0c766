// Fast optimizer updates: one fused, vectorised pass over a flat parameter buffer
// (params, grads and each slot are n contiguous floats). Same formulas as
// kernels/ref/optimizer_ref.cc (Keras 3's update_step), in float32 like Keras, with the
// per-step scalars (bias corrections, Nadam's u schedule) computed once per call.
// The loop body lives in optimizer_kernels.inc, compiled here for the baseline ISA and
// in optimizer_avx2.cc / optimizer_avx512.cc; active_isa() picks one.
// Threads: OpenMP over contiguous ranges when n is large enough to pay for the fork.
#include <cmath>

#include "kerasette/cpu.h"
#include "kerasette/optimizer.h"
#include "kernels/cpu/optimizer_isa.h"

#ifdef KERASETTE_HAVE_OPENMP
#include <omp.h>
#endif

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
#ifdef KERASETTE_HAVE_OPENMP
  int threads = get_num_threads();
  if (n >= (i64(1) << 16) && threads > 1 && !omp_in_parallel()) {
#pragma omp parallel num_threads(threads)
    {
      i64 nt = omp_get_num_threads(), tid = omp_get_thread_num();
      i64 per = ((n + nt - 1) / nt + 15) / 16 * 16;
      i64 b = tid * per, e = b + per < n ? b + per : n;
      if (b < e) update_range(o, p, step, param, grad, slots, b, e);
    }
    return;
  }
#endif
  update_range(o, p, step, param, grad, slots, 0, n);
}

}  // namespace ks

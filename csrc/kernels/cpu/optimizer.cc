// Fast optimizer updates: one fused, vectorised pass over a flat parameter buffer
// (params, grads and each slot are n contiguous floats). Same formulas as
// kernels/ref/optimizer_ref.cc (Keras 3's update_step), in float32 like Keras, with the
// per-step scalars (bias corrections, Nadam's u schedule) computed once per call.
// The loop body lives in optimizer_kernels.inc, compiled here for the baseline ISA and
// in optimizer_avx2.cc / optimizer_avx512.cc; active_isa() picks one.
// Threads: OpenMP over contiguous ranges when n is large enough to pay for the fork.
#include <atomic>
#include <cmath>
#include <thread>

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
  // Ranges claimed from a counter, then a yielding wait (see split() in activation.cc:
  // the OpenMP barrier's spin stalls for milliseconds on a busy machine).
  int threads = get_num_threads();
  if (n >= (i64(1) << 16) && threads > 1 && !omp_in_parallel()) {
    const i64 per = ((n + 4 * threads - 1) / (4 * threads) + 15) / 16 * 16;
    const i64 parts = (n + per - 1) / per;
    std::atomic<i64> next{0}, done{0};
    std::atomic<int> arrived{0};
#pragma omp parallel num_threads(threads)
    {
      const int team = omp_get_num_threads();
      arrived.fetch_add(1);
      for (i64 t; (t = next.fetch_add(1)) < parts; done.fetch_add(1)) {
        const i64 b = t * per, e = b + per < n ? b + per : n;
        update_range(o, p, step, param, grad, slots, b, e);
      }
      while (done.load() < parts || arrived.load() < team) std::this_thread::yield();
    }
    return;
  }
#endif
  update_range(o, p, step, param, grad, slots, 0, n);
}

}  // namespace ks

// Fast optimizer updates: one fused, vectorised pass over a flat parameter buffer
// (params, grads and each slot are n contiguous floats). Same formulas as
// kernels/ref/optimizer_ref.cc (Keras 3's update_step), in float32 like Keras, with the
// per-step scalars (bias corrections, Nadam's u schedule) computed once per call.
// Threads: OpenMP over contiguous ranges when n is large enough to pay for the fork.
#include <cmath>

#include "kerasette/cpu.h"
#include "kerasette/optimizer.h"

#ifdef KERASETTE_HAVE_OPENMP
#include <omp.h>
#endif

namespace ks {
namespace {

// One range [b, e) of the update; slots are passed as separate restrict pointers.
void update_range(Opt o, const OptParams& p, i64 step, float* __restrict w,
                  const float* __restrict g, float* const* slots, i64 b, i64 e) {
  const float lr = p.learning_rate, b1 = p.beta_1, b2 = p.beta_2, eps = p.epsilon;
  const float mom = p.momentum, rho = p.rho;
  const bool wd = p.weight_decay != 0.0f;
  if (wd) {
#pragma omp simd
    for (i64 i = b; i < e; ++i) w[i] = w[i] - w[i] * (p.weight_decay * lr);
  }
  const double t = (double)step;
  switch (o) {
    case Opt::sgd: {
      if (mom == 0.0f) {
#pragma omp simd
        for (i64 i = b; i < e; ++i) w[i] -= lr * g[i];
        return;
      }
      float* __restrict m = slots[0];
      if (p.nesterov) {
#pragma omp simd
        for (i64 i = b; i < e; ++i) {
          float mi = mom * m[i] - lr * g[i];
          m[i] = mi;
          w[i] += mom * mi - lr * g[i];
        }
      } else {
#pragma omp simd
        for (i64 i = b; i < e; ++i) {
          float mi = mom * m[i] - lr * g[i];
          m[i] = mi;
          w[i] += mi;
        }
      }
      return;
    }
    case Opt::adam: case Opt::adamw: {
      const float alpha = (float)(lr * std::sqrt(1.0 - std::pow((double)b2, t)) /
                                  (1.0 - std::pow((double)b1, t)));
      const float c1 = 1.0f - b1, c2 = 1.0f - b2;
      float* __restrict m = slots[0];
      float* __restrict v = slots[1];
      if (p.amsgrad) {
        float* __restrict vh = slots[2];
#pragma omp simd
        for (i64 i = b; i < e; ++i) {
          float gi = g[i];
          float mi = m[i] + (gi - m[i]) * c1;
          float vi = v[i] + (gi * gi - v[i]) * c2;
          m[i] = mi;
          v[i] = vi;
          float h = vh[i] > vi ? vh[i] : vi;
          vh[i] = h;
          w[i] -= mi * alpha / (std::sqrt(h) + eps);
        }
      } else {
#pragma omp simd
        for (i64 i = b; i < e; ++i) {
          float gi = g[i];
          float mi = m[i] + (gi - m[i]) * c1;
          float vi = v[i] + (gi * gi - v[i]) * c2;
          m[i] = mi;
          v[i] = vi;
          w[i] -= mi * alpha / (std::sqrt(vi) + eps);
        }
      }
      return;
    }
    case Opt::rmsprop: {
      float* __restrict v = slots[0];
      float* __restrict m = mom > 0.0f ? slots[1] : nullptr;
      float* __restrict a = p.centered ? slots[mom > 0.0f ? 2 : 1] : nullptr;
      const float c = 1.0f - rho;
      if (!p.centered && !m) {
#pragma omp simd
        for (i64 i = b; i < e; ++i) {
          float gi = g[i];
          float vi = rho * v[i] + c * gi * gi;
          v[i] = vi;
          w[i] -= lr * gi / std::sqrt(vi + eps);
        }
        return;
      }
      for (i64 i = b; i < e; ++i) {
        float gi = g[i];
        float vi = rho * v[i] + c * gi * gi;
        v[i] = vi;
        float denom = vi + eps;
        if (a) {
          float ai = rho * a[i] + c * gi;
          a[i] = ai;
          denom = vi - ai * ai + eps;
        }
        float inc = lr * gi / std::sqrt(denom);
        if (m) {
          float mi = mom * m[i] + inc;
          m[i] = mi;
          w[i] -= mi;
        } else {
          w[i] -= inc;
        }
      }
      return;
    }
    case Opt::adagrad: {
      float* __restrict acc = slots[0];
#pragma omp simd
      for (i64 i = b; i < e; ++i) {
        float gi = g[i];
        float ai = acc[i] + gi * gi;
        acc[i] = ai;
        w[i] -= lr * gi / std::sqrt(ai + eps);
      }
      return;
    }
    case Opt::adadelta: {
      float* __restrict ag = slots[0];
      float* __restrict ad = slots[1];
      const float c = 1.0f - rho;
#pragma omp simd
      for (i64 i = b; i < e; ++i) {
        float gi = g[i];
        float agi = rho * ag[i] + c * gi * gi;
        ag[i] = agi;
        float delta = -std::sqrt(ad[i] + eps) * gi / std::sqrt(agi + eps);
        ad[i] = rho * ad[i] + c * delta * delta;
        w[i] += lr * delta;
      }
      return;
    }
    case Opt::nadam: {
      const float k_m = p.s1 / (1.0f - p.s3);       // u_t1 / (1 - u_product_t1)
      const float k_g = (1.0f - p.s0) / (1.0f - p.s2);  // (1 - u_t) / (1 - u_product_t)
      const float inv_bc2 = (float)(1.0 / (1.0 - std::pow((double)b2, t)));
      const float c1 = 1.0f - b1, c2 = 1.0f - b2;
      float* __restrict m = slots[0];
      float* __restrict v = slots[1];
#pragma omp simd
      for (i64 i = b; i < e; ++i) {
        float gi = g[i];
        float mi = m[i] + (gi - m[i]) * c1;
        float vi = v[i] + (gi * gi - v[i]) * c2;
        m[i] = mi;
        v[i] = vi;
        float m_hat = k_m * mi + k_g * gi;
        w[i] -= m_hat * lr / (std::sqrt(vi * inv_bc2) + eps);
      }
      return;
    }
    default: return;
  }
}

}  // namespace

void optimizer_update(Opt o, const OptParams& p, i64 step, float* param, const float* grad,
                      float* const* slots, i64 n) {
  if (n <= 0) return;
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

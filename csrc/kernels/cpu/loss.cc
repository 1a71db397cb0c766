// Fast losses: loss_forward_backward (contract in kerasette/loss.h), one pass per row
// that produces the row loss and its gradient together, in float32 like Keras, with
// per-row sums accumulated in double. The softmax/sigmoid + cross-entropy gradients
// for from_logits (softmax - target etc.) are fused into the same pass.
// Same formulas as kernels/ref/loss_ref.cc; see there for the Keras sources.
// Single-threaded: a loss block is (batch, classes), small next to the GEMMs around it.
// The vmath selects (x < c ? a : b) only vectorise when GCC may evaluate both arms,
// i.e. without -ftrapping-math; these kernels never read FP exception flags.
#pragma GCC optimize("no-trapping-math")
#include <cmath>
#include <vector>

#include "kernels/cpu/activation_math.h"
#include "kernels/ref/loss_common.h"

namespace ks {
namespace {
using namespace vmath;

constexpr float kEps = 1e-7f;
constexpr float kHi = 1.0f - 1e-7f;

inline float clipf(float v, float lo, float hi) { return v < lo ? lo : (v > hi ? hi : v); }
inline float signf(float v) { return v > 0 ? 1.0f : (v < 0 ? -1.0f : 0.0f); }

// Row loss; writes gs * g into gr (gs = grad_scale * sw_i); gr is never null (the caller
// passes scratch when no gradient is wanted) so the loops have no branch to vectorise around.
float row(Loss l, const LossParams& p, const float* pr, const float* tr, float hs, float hb,
          i64 K, float gs, float* gr) {
  const float ls = p.label_smoothing, d = p.delta, invK = 1.0f / (float)K;
  const float gk = gs * invK;
  float L = 0.0f;
  switch (l) {
    case Loss::mse:
#pragma omp simd reduction(+ : L)
      for (i64 k = 0; k < K; ++k) {
        float e = pr[k] - tr[k];
        L += e * e;
        gr[k] = 2.0f * e * gk;
      }
      return L * invK;
    case Loss::mae:
#pragma omp simd reduction(+ : L)
      for (i64 k = 0; k < K; ++k) {
        float e = pr[k] - tr[k];
        L += std::fabs(e);
        gr[k] = signf(e) * gk;
      }
      return L * invK;
    case Loss::huber:
#pragma omp simd reduction(+ : L)
      for (i64 k = 0; k < K; ++k) {
        float e = pr[k] - tr[k], a = std::fabs(e);
        L += a <= d ? 0.5f * e * e : d * a - 0.5f * d * d;
        gr[k] = (a <= d ? e : d * signf(e)) * gk;
      }
      return L * invK;
    case Loss::binary_ce:
      if (p.from_logits) {
#pragma omp simd reduction(+ : L)
        for (i64 k = 0; k < K; ++k) {
          float t = tr[k] * (1.0f - ls) + 0.5f * ls, z = pr[k];
          float az = z < 0 ? -z : z;
          float e = exp_f(-az);
          L += (z > 0 ? z : 0.0f) - z * t + log1p_f(e);
          float s = z >= 0 ? 1.0f / (1.0f + e) : e / (1.0f + e);  // sigmoid(z)
          gr[k] = (s - t) * gk;
        }
      } else {
#pragma omp simd reduction(+ : L)
        for (i64 k = 0; k < K; ++k) {
          float t = tr[k] * (1.0f - ls) + 0.5f * ls, z = pr[k];
          float c = clipf(z, kEps, kHi);
          L += -(t * log_f(c) + (1.0f - t) * log_f(1.0f - c));
          bool in = z >= kEps && z <= kHi;
          gr[k] = in ? (-t / c + (1.0f - t) / (1.0f - c)) * gk : 0.0f;
        }
      }
      return L * invK;
    case Loss::categorical_ce: {
      const float a = 1.0f - ls, b = ls * invK;
      float tsum = 0.0f;
#pragma omp simd reduction(+ : tsum)
      for (i64 k = 0; k < K; ++k) tsum += tr[k] * a + b;
      if (p.from_logits) {
        float m = -INFINITY;
#pragma omp simd reduction(max : m)
        for (i64 k = 0; k < K; ++k) m = pr[k] > m ? pr[k] : m;
        float s = 0.0f, tz = 0.0f;
#pragma omp simd reduction(+ : s, tz)
        for (i64 k = 0; k < K; ++k) {
          float z = pr[k] - m;
          s += exp_f(z);
          tz += (tr[k] * a + b) * z;
        }
        float lse = std::log(s);  // relative to m
        {
          float inv = tsum / s;
#pragma omp simd
          for (i64 k = 0; k < K; ++k) gr[k] = (exp_f(pr[k] - m) * inv - (tr[k] * a + b)) * gs;
        }
        return tsum * lse - tz;
      }
      float s = 0.0f;
#pragma omp simd reduction(+ : s)
      for (i64 k = 0; k < K; ++k) s += pr[k];
      float inv_s = 1.0f / s, dot = 0.0f;
#pragma omp simd reduction(+ : L, dot)
      for (i64 k = 0; k < K; ++k) {
        float q = pr[k] * inv_s, t = tr[k] * a + b;
        L -= t * log_f(clipf(q, kEps, kHi));
        float gq = (q >= kEps && q <= kHi) ? -t / q : 0.0f;
        dot += gq * q;
      }
      {
#pragma omp simd
        for (i64 k = 0; k < K; ++k) {
          float q = pr[k] * inv_s, t = tr[k] * a + b;
          float gq = (q >= kEps && q <= kHi) ? -t / q : 0.0f;
          gr[k] = (gq - dot) * inv_s * gs;
        }
      }
      return L;
    }
    case Loss::sparse_categorical_ce: {
      i64 y = sparse_label(tr[0], K);
      if (y < 0) {
        for (i64 k = 0; k < K; ++k) gr[k] = 0.0f;
        return NAN;
      }
      if (p.from_logits) {
        float m = -INFINITY;
#pragma omp simd reduction(max : m)
        for (i64 k = 0; k < K; ++k) m = pr[k] > m ? pr[k] : m;
        float s = 0.0f;
#pragma omp simd reduction(+ : s)
        for (i64 k = 0; k < K; ++k) s += exp_f(pr[k] - m);
        {
          float inv = gs / s;
#pragma omp simd
          for (i64 k = 0; k < K; ++k) gr[k] = exp_f(pr[k] - m) * inv;
          gr[y] -= gs;
        }
        return std::log(s) - (pr[y] - m);
      }
      float S = 0.0f;
#pragma omp simd reduction(+ : S)
      for (i64 k = 0; k < K; ++k) S += clipf(pr[k], kEps, kHi);
      {
        float inv = gs / S;
#pragma omp simd
        for (i64 k = 0; k < K; ++k) gr[k] = (pr[k] >= kEps && pr[k] <= kHi) ? inv : 0.0f;
        if (pr[y] >= kEps && pr[y] <= kHi) gr[y] -= gs / pr[y];
      }
      return std::log(S) - std::log(clipf(pr[y], kEps, kHi));
    }
    case Loss::kld:
#pragma omp simd reduction(+ : L)
      for (i64 k = 0; k < K; ++k) {
        float t = clipf(tr[k], kEps, 1.0f), q = clipf(pr[k], kEps, 1.0f);
        L += t * log_f(t / q);
        gr[k] = (pr[k] >= kEps && pr[k] <= 1.0f) ? -t / q * gs : 0.0f;
      }
      return L;
    case Loss::hinge:
#pragma omp simd reduction(+ : L)
      for (i64 k = 0; k < K; ++k) {
        float t = tr[k] * hs + hb, h = 1.0f - t * pr[k];
        L += h > 0 ? h : 0.0f;
        gr[k] = h > 0 ? -t * gk : 0.0f;
      }
      return L * invK;
    case Loss::poisson:
#pragma omp simd reduction(+ : L)
      for (i64 k = 0; k < K; ++k) {
        float q = pr[k] + kEps;
        L += pr[k] - tr[k] * std::log(q);
        gr[k] = (1.0f - tr[k] / q) * gk;
      }
      return L * invK;
    default:
      for (i64 k = 0; k < K; ++k) gr[k] = 0.0f;
      return 0.0f;
  }
}

}  // namespace

double loss_forward_backward(Loss l, const LossParams& p, const float* pred, const float* target,
                             const float* sw, float* dpred, float grad_scale, i64 N, i64 K) {
  if (N <= 0 || K <= 0) return 0.0;
  float hs = 1.0f, hb = 0.0f;
  if (l == Loss::hinge && hinge_labels_binary(target, N * K)) { hs = 2.0f; hb = -1.0f; }
  const i64 tstride = l == Loss::sparse_categorical_ce ? 1 : K;
  std::vector<float> scratch(dpred ? 0 : K);
  double total = 0.0;
  for (i64 i = 0; i < N; ++i) {
    float w = sw ? sw[i] : 1.0f;
    float Li = row(l, p, pred + i * K, target + i * tstride, hs, hb, K, grad_scale * w,
                   dpred ? dpred + i * K : scratch.data());
    total += (double)w * (double)Li;
  }
  return total;
}

}  // namespace ks

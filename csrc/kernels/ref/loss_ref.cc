// Scalar reference losses (the oracle for cpu/loss.cc), in double, following Keras 3
// (keras/src/losses/losses.py and keras/src/backend/tensorflow/nn.py):
//   per-row loss_i = mean over K for mse/mae/huber/bce/hinge/poisson, sum over K for
//   categorical/sparse CE and KLD; returns sum_i sw_i * loss_i; dpred = grad_scale *
//   d(sum_i sw_i loss_i)/dpred. Probabilities are clipped to [1e-7, 1 - 1e-7] (float32
//   values, as Keras does in float32) and the clip passes gradient only inside the range.
//   pred (N, K); target (N, K), or (N) float class ids for sparse CE.
#include <cmath>
#include <vector>

#include "kernels/ref/loss_common.h"

namespace ks {
namespace {

const double kEps = (double)1e-7f;
const double kOneMinusEps = (double)(1.0f - 1e-7f);

double clip(double v, double lo, double hi) { return v < lo ? lo : (v > hi ? hi : v); }
bool inside(double v, double lo, double hi) { return v >= lo && v <= hi; }
double sign(double v) { return v > 0 ? 1.0 : (v < 0 ? -1.0 : 0.0); }

// Row loss and its gradient g (K) for one sample.
double row_loss(Loss l, const LossParams& p, const float* pr, const float* tr, double hinge_scale,
                double hinge_shift, i64 K, double* g) {
  const double ls = p.label_smoothing, d = p.delta, invK = 1.0 / (double)K;
  double L = 0;
  switch (l) {
    case Loss::mse:
      for (i64 k = 0; k < K; ++k) {
        double e = (double)pr[k] - tr[k];
        L += e * e;
        g[k] = 2 * e * invK;
      }
      return L * invK;
    case Loss::mae:
      for (i64 k = 0; k < K; ++k) {
        double e = (double)pr[k] - tr[k];
        L += std::fabs(e);
        g[k] = sign(e) * invK;
      }
      return L * invK;
    case Loss::huber:
      for (i64 k = 0; k < K; ++k) {
        double e = (double)pr[k] - tr[k], a = std::fabs(e);
        L += a <= d ? 0.5 * e * e : d * a - 0.5 * d * d;
        g[k] = (a <= d ? e : d * sign(e)) * invK;
      }
      return L * invK;
    case Loss::binary_ce:
      for (i64 k = 0; k < K; ++k) {
        double t = tr[k] * (1.0 - ls) + 0.5 * ls, z = pr[k];
        if (p.from_logits) {
          L += std::fmax(z, 0.0) - z * t + std::log1p(std::exp(-std::fabs(z)));
          g[k] = (1.0 / (1.0 + std::exp(-z)) - t) * invK;
        } else {
          double c = clip(z, kEps, kOneMinusEps);
          L += -(t * std::log(c) + (1.0 - t) * std::log(1.0 - c));
          g[k] = inside(z, kEps, kOneMinusEps) ? (-t / c + (1.0 - t) / (1.0 - c)) * invK : 0.0;
        }
      }
      return L * invK;
    case Loss::categorical_ce: {
      std::vector<double> t(K);
      double tsum = 0;
      for (i64 k = 0; k < K; ++k) {
        t[k] = tr[k] * (1.0 - ls) + ls * invK;
        tsum += t[k];
      }
      if (p.from_logits) {
        double m = -INFINITY, s = 0;
        for (i64 k = 0; k < K; ++k) m = std::fmax(m, (double)pr[k]);
        for (i64 k = 0; k < K; ++k) s += std::exp(pr[k] - m);
        double lse = m + std::log(s);
        for (i64 k = 0; k < K; ++k) {
          L += t[k] * (lse - pr[k]);
          g[k] = tsum * std::exp(pr[k] - lse) - t[k];
        }
        return L;
      }
      double s = 0;
      for (i64 k = 0; k < K; ++k) s += pr[k];
      double dot = 0;
      for (i64 k = 0; k < K; ++k) {
        double q = pr[k] / s, c = clip(q, kEps, kOneMinusEps);
        L -= t[k] * std::log(c);
        g[k] = inside(q, kEps, kOneMinusEps) ? -t[k] / q : 0.0;  // dL/dq
        dot += g[k] * q;
      }
      for (i64 k = 0; k < K; ++k) g[k] = (g[k] - dot) / s;  // through q = p / sum(p)
      return L;
    }
    case Loss::sparse_categorical_ce: {
      i64 y = sparse_label(tr[0], K);
      if (y < 0) {
        for (i64 k = 0; k < K; ++k) g[k] = 0;
        return NAN;
      }
      if (p.from_logits) {
        double m = -INFINITY, s = 0;
        for (i64 k = 0; k < K; ++k) m = std::fmax(m, (double)pr[k]);
        for (i64 k = 0; k < K; ++k) s += std::exp(pr[k] - m);
        double lse = m + std::log(s);
        for (i64 k = 0; k < K; ++k) g[k] = std::exp(pr[k] - lse) - (k == y ? 1.0 : 0.0);
        return lse - pr[y];
      }
      // Keras: log(clip(p)) fed to sparse softmax CE, i.e. log(sum c) - log(c_y).
      double S = 0;
      for (i64 k = 0; k < K; ++k) S += clip(pr[k], kEps, kOneMinusEps);
      for (i64 k = 0; k < K; ++k) {
        double c = clip(pr[k], kEps, kOneMinusEps);
        g[k] = inside(pr[k], kEps, kOneMinusEps) ? 1.0 / S - (k == y ? 1.0 / c : 0.0) : 0.0;
      }
      return std::log(S) - std::log(clip(pr[y], kEps, kOneMinusEps));
    }
    case Loss::kld:
      for (i64 k = 0; k < K; ++k) {
        double t = clip(tr[k], kEps, 1.0), q = clip(pr[k], kEps, 1.0);
        L += t * std::log(t / q);
        g[k] = inside(pr[k], kEps, 1.0) ? -t / q : 0.0;
      }
      return L;
    case Loss::hinge:
      for (i64 k = 0; k < K; ++k) {
        double t = tr[k] * hinge_scale + hinge_shift, h = 1.0 - t * pr[k];
        L += h > 0 ? h : 0.0;
        g[k] = h > 0 ? -t * invK : 0.0;
      }
      return L * invK;
    case Loss::poisson:
      for (i64 k = 0; k < K; ++k) {
        double q = (double)pr[k] + kEps;
        L += pr[k] - tr[k] * std::log(q);
        g[k] = (1.0 - tr[k] / q) * invK;
      }
      return L * invK;
    default:
      for (i64 k = 0; k < K; ++k) g[k] = 0;
      return 0;
  }
}

}  // namespace

double loss_forward_backward_ref(Loss l, const LossParams& p, const float* pred,
                                 const float* target, const float* sw, float* dpred,
                                 float grad_scale, i64 N, i64 K) {
  if (N <= 0 || K <= 0) return 0.0;
  double hs = 1.0, hb = 0.0;
  if (l == Loss::hinge && hinge_labels_binary(target, N * K)) {
    hs = 2.0;
    hb = -1.0;
  }
  const i64 tstride = l == Loss::sparse_categorical_ce ? 1 : K;
  std::vector<double> g(K);
  double total = 0;
  for (i64 i = 0; i < N; ++i) {
    double w = sw ? (double)sw[i] : 1.0;
    double Li = row_loss(l, p, pred + i * K, target + i * tstride, hs, hb, K, g.data());
    total += w * Li;
    if (dpred)
      for (i64 k = 0; k < K; ++k) dpred[i * K + k] = (float)((double)grad_scale * w * g[k]);
  }
  return total;
}

void loss_rows_ref(Loss l, const LossParams& p, const float* pred, const float* target,
                   const float* w, float* per_row, float* dpred, i64 N, i64 K) {
  if (N <= 0 || K <= 0) return;
  double hs = 1.0, hb = 0.0;
  if (l == Loss::hinge && hinge_labels_binary(target, N * K)) {
    hs = 2.0;
    hb = -1.0;
  }
  const i64 tstride = l == Loss::sparse_categorical_ce ? 1 : K;
  std::vector<double> g(K);
  for (i64 i = 0; i < N; ++i) {
    double Li = row_loss(l, p, pred + i * K, target + i * tstride, hs, hb, K, g.data());
    if (per_row) per_row[i] = (float)Li;
    const double wi = w ? (double)w[i] : 1.0;
    if (dpred)
      for (i64 k = 0; k < K; ++k) dpred[i * K + k] = (float)(wi * g[k]);
  }
}

}  // namespace ks
